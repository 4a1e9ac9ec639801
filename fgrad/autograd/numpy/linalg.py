"""autograd.numpy.linalg: fgrad.numpy.linalg.

Example:
    >>> import numpy as onp
    >>> float(det(onp.eye(2)))
    1.0
"""

from fgrad.numpy.linalg import *  # noqa: F403 - fgrad's linear algebra, name for name
