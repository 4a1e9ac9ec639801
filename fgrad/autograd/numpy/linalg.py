"""autograd.numpy.linalg: fgrad.numpy.linalg, plus autograd's two matrix helpers `T` and `_dot`.

Example:
    >>> import numpy as onp
    >>> float(det(onp.eye(2)))
    1.0
"""

import fgrad.numpy as _fnp
from fgrad.numpy.linalg import *  # noqa: F403 - fgrad's linear algebra, name for name


def T(x):  # noqa: N802 - autograd's name
    """The transpose of each matrix in a stack: the last two axes swapped.

    Args:
        x: an array of at least two dimensions.

    Returns:
        `x` with its last two axes swapped.

    Example:
        >>> import numpy as onp
        >>> T(onp.zeros((4, 2, 3))).shape
        (4, 3, 2)
    """
    return _fnp.swapaxes(x, -1, -2)


def _dot(a, b):
    """Matrix products over stacks of matrices (`...ij,...jk->...ik`), as autograd's helper.

    Example:
        >>> import numpy as onp
        >>> _dot(onp.ones((2, 1, 3)), onp.ones((2, 3, 4))).shape
        (2, 1, 4)
    """
    return _fnp.einsum("...ij,...jk->...ik", a, b)
