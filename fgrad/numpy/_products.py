"""Products and polynomials of fgrad.numpy: tensordot, inner, kron, cross, convolve/correlate,
polyval and interp, written with dot_general, indexing and elementwise arithmetic.

Example:
    >>> import fgrad.numpy as fnp
    >>> fnp.convolve(np.array([1.0, 2.0]), np.array([1.0, 1.0])).tolist()
    [1.0, 3.0, 2.0]
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from .._checks import _axis
from ..core import ndim_of, shape_of
from ..errors import ShapeError
from ..primitives import linalg as _lin
from . import _as_operand, _is_traced, astype, broadcast_to, multiply, reshape, result_type, stack, sum, where
from ._shape import moveaxis, take


def _same_dtype(*args) -> list:
    dtype = result_type(*args)
    return [astype(_as_operand(a), dtype) for a in args]


def _tensordot_axes(axes, nd_a: int, nd_b: int) -> tuple:
    if isinstance(axes, (int, np.integer)):
        if axes < 0 or axes > builtins.min(nd_a, nd_b):
            raise ValueError(f"tensordot: axes={axes} must be between 0 and the smaller number of axes")
        return tuple(range(nd_a - axes, nd_a)), tuple(range(axes))
    a_axes, b_axes = axes
    a_axes = (a_axes,) if isinstance(a_axes, (int, np.integer)) else tuple(a_axes)
    b_axes = (b_axes,) if isinstance(b_axes, (int, np.integer)) else tuple(b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError("shape-mismatch for sum")
    return tuple(_axis(i, nd_a) for i in a_axes), tuple(_axis(i, nd_b) for i in b_axes)


def tensordot(a, b, axes=2):
    """Sum products over the given axes: the last `axes` of a with the first of b, or two axis lists.

    Traced, one `dot_general` primitive.

    Args:
        a: an array.
        b: an array.
        axes: an int n (the last n axes of `a` with the first n of `b`) or a pair of axis sequences.

    Returns:
        An array of `a`'s free axes followed by `b`'s.

    Raises:
        ValueError: an int `axes` out of range, or axis lists of different lengths.
        ShapeError: the contracted axes differ in size.

    Example:
        >>> tensordot(np.ones((2, 3)), np.ones((3, 4)), 1).shape
        (2, 4)
    """
    if not _is_traced((a, b)):
        return np.tensordot(a, b, axes)
    a, b = _same_dtype(a, b)
    a_axes, b_axes = _tensordot_axes(axes, ndim_of(a), ndim_of(b))
    if any(shape_of(a)[i] != shape_of(b)[j] for i, j in zip(a_axes, b_axes)):
        raise ShapeError(f"shape-mismatch for sum: tensordot of shapes {shape_of(a)} and {shape_of(b)} over "
                         f"axes {a_axes} and {b_axes}")
    return _lin.dot_general(a, b, (a_axes, b_axes))


def inner(a, b):
    """Sum of products over the last axes, as numpy.inner.

    Args:
        a: an array or number.
        b: an array or number whose last axis matches `a`'s.

    Returns:
        An array of shape `a.shape[:-1] + b.shape[:-1]`.

    Example:
        >>> float(inner(np.ones(3), np.arange(3.0)))
        3.0
    """
    if not _is_traced((a, b)):
        return np.inner(a, b)
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return multiply(a, b)
    return tensordot(a, b, ((ndim_of(a) - 1,), (ndim_of(b) - 1,)))


def kron(a, b):
    """Kronecker product: blocks of b scaled by the elements of a, as numpy.kron.

    Args:
        a: an array.
        b: an array.

    Returns:
        An array whose sizes are the products of `a`'s and `b`'s (ranks padded to the larger).

    Example:
        >>> kron(np.eye(2), np.ones((1, 2)))
        array([[1., 1., 0., 0.],
               [0., 0., 1., 1.]])
    """
    if not _is_traced((a, b)):
        return np.kron(a, b)
    a, b = _same_dtype(a, b)
    nd = builtins.max(ndim_of(a), ndim_of(b))
    sa = (1,) * (nd - ndim_of(a)) + tuple(shape_of(a))
    sb = (1,) * (nd - ndim_of(b)) + tuple(shape_of(b))
    a = reshape(a, tuple(v for d in sa for v in (d, 1)))
    b = reshape(b, tuple(v for d in sb for v in (1, d)))
    return reshape(a * b, tuple(x * y for x, y in zip(sa, sb)))


def cross(a, b, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None):
    """Cross product of 3-vectors (or the z component for 2-vectors) along the vector axes.

    Args:
        a: an array of 2- or 3-vectors along `axisa`.
        b: the same along `axisb`; the other axes broadcast.
        axisa: the vector axis of `a`.
        axisb: the vector axis of `b`.
        axisc: where the vector axis goes in the result.
        axis: if given, overrides the three above.

    Returns:
        The cross products (a scalar per pair when both are 2-vectors).

    Raises:
        ValueError: a vector axis has a length other than 2 or 3.

    Example:
        >>> cross(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]))
        array([0., 0., 1.])
    """
    if not _is_traced((a, b)):
        return np.cross(a, b, axisa, axisb, axisc, axis)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _same_dtype(a, b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = shape_of(a)[-1], shape_of(b)[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2] if na == 3 else None
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2] if nb == 3 else None
    z = a0 * b1 - a1 * b0
    if a2 is None and b2 is None:
        return z
    a2 = a0 * 0 if a2 is None else a2
    b2 = b0 * 0 if b2 is None else b2
    out = stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, z], axis=-1)
    return moveaxis(out, -1, axisc)


# --- 1-d convolution -----------------------------------------------------------------------------------

def _full_convolution(a, v):
    """All n + m - 1 sums of a[j] v[k - j], as a gather of windows times the reversed kernel."""
    n, m = shape_of(a)[0], shape_of(v)[0]
    zeros = astype(broadcast_to(0, (m - 1,)), a.dtype)
    from . import concatenate
    padded = concatenate([zeros, a, zeros])
    windows = padded[np.arange(n + m - 1)[:, None] + np.arange(m)[None, :]]
    return _lin.dot_general(windows, v[::-1], ((1,), (0,)))


def _mode_slice(full, n: int, m: int, mode: str):
    if mode == "full":
        return full
    if mode == "same":
        start = (builtins.min(n, m) - 1) // 2
        return full[start:start + builtins.max(n, m)]
    if mode == "valid":
        start = builtins.min(n, m) - 1
        return full[start:start + builtins.max(n, m) - builtins.min(n, m) + 1]
    raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")


def convolve(a, v, mode: str = "full"):
    """Discrete linear convolution of two 1-d arrays, as numpy.convolve; differentiable in both.

    Args:
        a: a 1-d array.
        v: a 1-d array.
        mode: 'full' (length n + m - 1), 'same' (length max(n, m)) or 'valid' (max - min + 1).

    Returns:
        A 1-d array.

    Raises:
        ValueError: an operand is not 1-d or is empty, or `mode` is unknown.

    Example:
        >>> convolve(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5]))
        array([0. , 1. , 2.5, 4. , 1.5])
    """
    if not _is_traced((a, v)):
        return np.convolve(a, v, mode)
    a, v = _same_dtype(a, v)
    if ndim_of(a) != 1 or ndim_of(v) != 1:
        raise ValueError("object too deep for desired array: convolve takes 1-d arrays")
    n, m = shape_of(a)[0], shape_of(v)[0]
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty" if m == 0 else "a cannot be empty")
    full = _full_convolution(a, v) if n >= m else _full_convolution(v, a)
    return _mode_slice(full, n, m, mode)


def correlate(a, v, mode: str = "valid"):
    """Cross-correlation of two 1-d arrays: sum_n a[n + k] v[n], as numpy.correlate.

    Args:
        a: a 1-d array.
        v: a 1-d array.
        mode: 'valid' (the default), 'same' or 'full', as in `convolve`.

    Returns:
        A 1-d array.

    Raises:
        ValueError: an operand is not 1-d or is empty, or `mode` is unknown.

    Example:
        >>> correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0]))
        array([2., 3.])
    """
    if not _is_traced((a, v)):
        return np.correlate(a, v, mode)
    return convolve(a, _as_operand(v)[::-1], mode)


# --- polynomials and interpolation ---------------------------------------------------------------------

def polyval(p, x):
    """Evaluate the polynomial with coefficients `p` (highest power first) at x, by Horner's rule.

    Differentiable in both the coefficients and `x`.

    Args:
        p: a sequence or 1-d array of coefficients, highest power first.
        x: an array, a number or a traced value.

    Returns:
        The values, of `x`'s shape.

    Example:
        >>> float(polyval([1.0, 0.0, -1.0], 3.0))
        8.0
    """
    if not _is_traced((p, x) if not isinstance(p, Sequence) else (*p, x)):
        return np.polyval(p, x)
    coeffs = list(p) if isinstance(p, Sequence) else [p[i] for i in range(shape_of(p)[0])]
    y = coeffs[0] * (x * 0 + 1)
    for c in coeffs[1:]:
        y = y * x + c
    return y


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points (xp, fp) at x (xp increasing), as numpy.interp.

    Differentiable in `x` and `fp` (the derivative in `x` is the slope of the segment).

    Args:
        x: where to evaluate.
        xp: increasing sample positions.
        fp: the values at `xp`.
        left: the value below `xp[0]` (None: `fp[0]`).
        right: the value above `xp[-1]` (None: `fp[-1]`).
        period: not supported for traced inputs.

    Returns:
        The interpolated values, of `x`'s shape.

    Raises:
        NotImplementedError: `period` with traced inputs.

    Example:
        >>> float(interp(1.5, np.array([1.0, 2.0]), np.array([10.0, 20.0])))
        15.0
    """
    if not _is_traced((x, xp, fp, left, right)):
        return np.interp(x, xp, fp, left, right, period)
    if period is not None:
        raise NotImplementedError("fgrad.numpy.interp: period is not supported; map x into one period first")
    x, xp, fp = (_as_operand(v) for v in (x, xp, fp))
    n = shape_of(xp)[0]
    from . import clip, greater, less, less_equal
    # the segment is found as jnp.interp finds it: how many xp are <= x, so a knot starts its segment
    hi = clip(sum(less_equal(xp, reshape(x, shape_of(x) + (1,))), axis=-1), 1, n - 1)
    x0, x1, f0, f1 = take(xp, hi - 1), take(xp, hi), take(fp, hi - 1), take(fp, hi)
    y = f0 + (x - x0) * ((f1 - f0) / (x1 - x0))
    y = where(less(x, take(xp, 0)), fp[0] if left is None else left, y)
    return where(greater(x, take(xp, n - 1)), fp[n - 1] if right is None else right, y)



def gradient(f, *varargs, axis=None, edge_order: int = 1):
    """Central differences inside, one-sided differences at the edges, per axis (unit or scalar spacing).

    Args:
        f: the sampled values.
        *varargs: one scalar spacing for every axis, or one per axis (default 1).
        axis: None (every axis), an int or a tuple of ints.
        edge_order: 1; higher orders are not supported for traced inputs.

    Returns:
        One array per axis (a list), or one array when a single axis is differentiated.

    Raises:
        NotImplementedError: traced input with `edge_order` other than 1 or array spacings.
        TypeError: more spacings than axes.
        ValueError: an axis shorter than `edge_order + 1`.

    Example:
        >>> gradient(np.array([1.0, 4.0, 9.0]))
        array([3., 4., 5.])
    """
    if not _is_traced((f,)):
        return np.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    if edge_order != 1 or builtins.any(np.ndim(h) for h in varargs):
        raise NotImplementedError("fgrad.numpy.gradient: only edge_order=1 and scalar spacings are supported")
    f = _as_operand(f)
    nd = ndim_of(f)
    axes = tuple(range(nd)) if axis is None else tuple(
        _axis(a, nd) for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))
    spacings = list(varargs) * len(axes) if len(varargs) == 1 else list(varargs) or [1.0] * len(axes)
    if len(spacings) != len(axes):
        raise TypeError("invalid number of arguments")
    out = [_gradient_along(f, ax, h) for ax, h in zip(axes, spacings)]
    return out[0] if len(out) == 1 else tuple(out)         # a tuple, as NumPy 2 returns


def _gradient_along(f, axis: int, h):
    from . import concatenate
    n = shape_of(f)[axis]
    if n < 2:
        raise ValueError("Shape of array too small to calculate a numerical gradient, at least (edge_order + 1) "
                         "elements are required.")

    def part(sl):
        return f[(slice(None),) * axis + (sl,)]
    first = (part(slice(1, 2)) - part(slice(0, 1))) / h
    last = (part(slice(n - 1, n)) - part(slice(n - 2, n - 1))) / h
    inner = (part(slice(2, None)) - part(slice(None, n - 2))) / (2.0 * h)
    return concatenate([first, inner, last], axis=axis)
