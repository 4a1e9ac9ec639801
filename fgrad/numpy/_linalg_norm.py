"""Norms for fgrad.numpy.linalg: norm with every `ord` NumPy takes, vector_norm, matrix_norm, cond and
svdvals, plus the operand check the module's functions share.

The 2-norm's derivative at the origin is 0 (a subgradient; jax gives NaN there), as for std.
Matrix 2-norms, nuclear norms and cond come from singular values alone, so they are differentiable
where singular values repeat too.

Example:
    >>> import fgrad.numpy as fnp, numpy as np
    >>> float(fnp.linalg.norm(np.array([[1., 2.], [3., 4.]]), ord=1))
    6.0
"""

from __future__ import annotations

import operator

import numpy as np

from ..core import Tracer
from ..errors import ShapeError, user_location
from ..primitives import decomp
from . import _as_operand, _sqrt_zero_safe, abs, astype, max, min, reshape, result_type, sum, transpose  # noqa: A004

__all__ = ["cond", "matrix_norm", "norm", "svdvals", "vector_norm"]


class LinAlgError(ShapeError, np.linalg.LinAlgError):
    """A traced array a linear-algebra function cannot take (too few axes, not square).

    Both fgrad's ShapeError and numpy.linalg.LinAlgError, so code written for NumPy catches it.
    """


def as_matrix(x, name: str, square: bool = False, complex_ok: bool = False):
    """`x` as a floating (or, with `complex_ok`, complex) stack of matrices, refused with NumPy's
    wording when it is not one."""
    x = _as_operand(x)
    dtype = result_type(x)
    if dtype.kind == "c" and not complex_ok:
        raise TypeError(f"fgrad.numpy.linalg.{name} takes real matrices, got {dtype} (at {user_location()})")
    x = astype(x, np.float64) if dtype.kind not in "fc" else x
    shape = tuple(np.shape(x))
    if len(shape) < 2:
        raise LinAlgError(f"{name}: {len(shape)}-dimensional array given. Array must be at least two-dimensional; "
                          "pass a matrix or a stack of matrices")
    if square and shape[-1] != shape[-2]:
        raise LinAlgError(f"{name}: Last 2 dimensions of the array must be square, got shape {shape}; pass "
                          "(a stack of) n x n matrices")
    return x


def svdvals(x):
    """The singular values of each matrix, descending; differentiable where they repeat too.

    Args:
        x: matrices, (..., m, n), real or complex.

    Returns:
        The real singular values, (..., min(m, n)), descending.

    Raises:
        LinAlgError: traced `x` has fewer than two axes.

    Example:
        >>> svdvals(np.diag([1., 3.]))
        array([3., 1.])
    """
    if not isinstance(x, Tracer):
        return np.linalg.svdvals(x)
    return decomp.svd(as_matrix(x, "svdvals", complex_ok=True), uv=False)


def _gathered(x):
    """A list or tuple holding traced values as one traced array (as NumPy turns a list into one)."""
    if not isinstance(x, (list, tuple)):
        return x
    parts = [_gathered(v) for v in x]
    if not any(isinstance(v, Tracer) for v in parts):
        return x
    from . import stack
    return stack(parts)


def _floating(x):
    x = _as_operand(x)
    dtype = result_type(x)
    return x if dtype.kind in "fc" else astype(x, np.float64)


def _two_norm(x, axes, keepdims):
    size = abs(x) if result_type(x).kind == "c" else x
    return _sqrt_zero_safe(sum(size * size, axis=axes, keepdims=keepdims))


def _vector(x, ord, axis: int, keepdims: bool):  # noqa: A002 - numpy's name
    if ord is None or ord == 2:
        return _two_norm(x, axis, keepdims)
    if isinstance(ord, str):
        raise ValueError(f"Invalid norm order '{ord}' for vectors (at {user_location()}); use a number or inf")
    if ord == np.inf:
        return max(abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return min(abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return astype(sum(x != 0, axis=axis, keepdims=keepdims), abs(x).dtype)
    if ord == 1:
        return sum(abs(x), axis=axis, keepdims=keepdims)
    return sum(abs(x) ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _singular_values(x, row: int, col: int):
    rest = [i for i in range(x.ndim) if i not in (row, col)]
    return svdvals(transpose(x, rest + [row, col]))


def _matrix(x, ord, row: int, col: int):  # noqa: A002 - numpy's name
    """The matrix norm over axes (row, col), those axes removed."""
    if ord in (None, "fro", "f"):
        return _two_norm(x, (row, col), False)
    if ord in (2, -2, "nuc"):
        s = _singular_values(x, row, col)
        return sum(s, axis=-1) if ord == "nuc" else (max if ord == 2 else min)(s, axis=-1)
    if ord in (1, -1):
        reduce = max if ord == 1 else min
        return reduce(sum(abs(x), axis=row), axis=col - (col > row))
    if ord in (np.inf, -np.inf):
        reduce = max if ord == np.inf else min
        return reduce(sum(abs(x), axis=col), axis=row - (row > col))
    raise ValueError(f"Invalid norm order {ord!r} for matrices (at {user_location()}); use None, 'fro', 'nuc', "
                     "1, -1, 2, -2, inf or -inf")


def _axes(axis, ndim: int) -> tuple:
    axes = tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    try:
        axes = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise TypeError(f"'axis' must be None, an integer or a tuple of integers, got {axis!r} "
                        f"(at {user_location()})") from None
    from .._checks import _axis
    return tuple(_axis(a, ndim) for a in axes)


def norm(x, ord=None, axis=None, keepdims: bool = False):  # noqa: A002 - numpy's name
    """A vector norm (axis an int, or x 1-d) or matrix norm (axis a pair, or x 2-d), as numpy.linalg.norm,
    for every `ord` NumPy takes; with axis=None and ord=None, the 2-norm of all elements.

    The 2-norm's gradient at 0 is 0 (a subgradient), not NaN.

    Args:
        x: the array; integers are converted to float64.
        ord: the norm's order (None, inf, -inf, 0, a number, 'fro', 'nuc'), as in NumPy.
        axis: None, an axis (vector norm) or a pair of axes (matrix norm).
        keepdims: keep the reduced axes with size 1.

    Returns:
        The norms, with the reduced axes removed (or of size 1 with `keepdims`).

    Raises:
        ValueError: traced `x` with more than two axes in `axis`, or the same axis twice.

    Example:
        >>> float(norm(np.array([3., 4.]))), round(float(norm(np.eye(3), "nuc")), 12)
        (5.0, 3.0)
    """
    x = _gathered(x)
    if not isinstance(x, Tracer):
        return np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    x = _floating(x)
    if axis is None and (ord is None or (ord in ("f", "fro") and x.ndim == 2) or (ord == 2 and x.ndim == 1)):
        return _two_norm(reshape(x, (-1,)), 0, False) if not keepdims else reshape(
            _two_norm(reshape(x, (-1,)), 0, False), (1,) * x.ndim)
    axes = _axes(axis, x.ndim)
    if len(axes) == 1:
        return _vector(x, ord, axes[0], keepdims)
    if len(axes) != 2:
        raise ValueError(f"Improper number of dimensions to norm: axes {axes} of shape {tuple(x.shape)} (at "
                         f"{user_location()}); give one axis for a vector norm or two for a matrix norm")
    if axes[0] == axes[1]:
        raise ValueError(f"Duplicate axes given: {axis!r} (at {user_location()})")
    out = _matrix(x, ord, *axes)
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2):  # noqa: A002 - numpy's name
    """The vector norm over `axis` (all axes by default, as one vector), as numpy.linalg.vector_norm.

    Args:
        x: the array.
        axis: None (all axes), an axis, or a tuple of axes taken together as one vector.
        keepdims: keep the reduced axes with size 1.
        ord: the vector norm's order (a number, inf or -inf).

    Returns:
        The norms over `axis`.

    Example:
        >>> float(vector_norm(np.ones((2, 2))))
        2.0
    """
    x = _gathered(x)
    if not isinstance(x, Tracer):
        return np.linalg.vector_norm(x, axis=axis, keepdims=keepdims, ord=ord)
    x = _floating(x)
    axes = _axes(axis, x.ndim)
    rest = [i for i in range(x.ndim) if i not in axes]
    flat = reshape(transpose(x, list(axes) + rest), (-1,) + tuple(x.shape[i] for i in rest))
    out = _vector(flat, ord, 0, False)
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro"):  # noqa: A002 - numpy's name
    """The matrix norm of each matrix over the last two axes, as numpy.linalg.matrix_norm.

    Args:
        x: matrices, (..., m, n).
        keepdims: keep the two reduced axes with size 1.
        ord: 'fro', 'nuc', 1, -1, 2, -2, inf or -inf.

    Returns:
        The norms, of shape `x.shape[:-2]`.

    Raises:
        LinAlgError: traced real `x` has fewer than two axes.

    Example:
        >>> float(matrix_norm(np.eye(2), ord=2))
        1.0
    """
    if not isinstance(x, Tracer):
        return np.linalg.matrix_norm(x, keepdims=keepdims, ord=ord)
    return norm(as_matrix(x, "matrix_norm") if result_type(x).kind != "c" else x, ord=ord, axis=(-2, -1),
                keepdims=keepdims)


def cond(x, p=None):
    """The condition number of each matrix in the norm `p` (default: the ratio of extreme singular values).

    Args:
        x: matrices, (..., m, n); square unless `p` is None, 2 or -2.
        p: the norm: None or 2 (largest over smallest singular value), -2 (the inverse), or any
            matrix norm order, computed as `norm(x, p) * norm(inv(x), p)`.

    Returns:
        The condition numbers, of shape `x.shape[:-2]`.

    Raises:
        LinAlgError: traced `x` is not a matrix, or not square for a `p` that needs an inverse.

    Example:
        >>> round(float(cond(np.diag([1., 4.]))), 12)
        4.0
    """
    if not isinstance(x, Tracer):
        return np.linalg.cond(x, p)
    x = as_matrix(x, "cond", square=p not in (None, 2, -2))
    if p in (None, 2, -2):
        s = svdvals(x)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    from .linalg import inv
    return norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))
