"""fgrad.numpy.linalg: numpy.linalg's functions, differentiable.

Example:
    >>> import fgrad.numpy as fnp, numpy as np
    >>> float(fnp.linalg.norm(np.array([3., 4.])))
    5.0
"""

from __future__ import annotations

import numpy as np

from ..core import Tracer
from . import _sqrt_zero_safe, abs, max, sum  # noqa: A004 - numpy's names

__all__ = ["norm"]


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - numpy's name
    """Vector 2-norm (default), 1-norm, inf-norm, or Frobenius norm; derivative 0 at the origin.

    Example: ``linalg.norm(np.array([3., 4.]))`` is ``5.0``.
    """
    if not isinstance(x, Tracer):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    if ord in (None, 2, "fro") and (ord != 2 or axis is not None or x.ndim == 1):
        return _sqrt_zero_safe(sum(x * x, axis=axis, keepdims=keepdims))
    if ord == 1 and (axis is not None or x.ndim == 1):
        return sum(abs(x), axis=axis, keepdims=keepdims)
    if ord == np.inf and (axis is not None or x.ndim == 1):
        return max(abs(x), axis=axis, keepdims=keepdims)
    raise NotImplementedError(f"fgrad.numpy.linalg.norm: ord={ord!r} on a {x.ndim}-d array is not supported; "
                              "use ord=None, 1 or inf along an axis")
