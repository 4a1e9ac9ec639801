"""Order statistics and cumulative reductions of fgrad.numpy: quantile, percentile, median, cumsum
and cumprod.
"""

from __future__ import annotations

import numpy as np

from .._checks import _axis
from ..core import Tracer, ndim_of, shape_of
from ..errors import user_location
from ..primitives import ordering as _ord
from . import (
    _as_operand,
    _axes,
    _float_dtype,
    _is_traced,
    astype,
    concatenate,
    multiply,
    ravel,
    reshape,
)
from ._shape import moveaxis, sort

# --- order statistics --------------------------------------------------------------------------------

_METHODS = ("linear", "lower", "higher", "nearest", "midpoint")


def _sorted_last(a, axis):
    """`a` sorted along the reduced axes, which are flattened into one last axis."""
    if axis is None:
        return sort(ravel(a), axis=0), tuple(range(ndim_of(a)))
    axes = _axes(a, axis)
    moved = moveaxis(a, axes, tuple(range(-len(axes), 0)))
    flat = reshape(moved, shape_of(moved)[:ndim_of(a) - len(axes)] + (-1,))
    return sort(flat, axis=-1), axes


def quantile(a, q, axis=None, out=None, overwrite_input: bool = False, method: str = "linear",
             keepdims: bool = False):
    """The q-th quantiles (q in [0, 1]) along `axis`; the derivative flows to the neighbouring values.

    Traced, `a` is sorted along `axis` and the two order statistics around each quantile are
    combined, so the gradient goes to those two elements.

    Args:
        a: the array.
        q: a number or array of numbers in [0, 1]; concrete, not traced.
        axis: None (the flattened array), an int or a tuple of ints.
        out: NumPy's output array (plain arrays only).
        overwrite_input: NumPy's flag (plain arrays only).
        method: how to pick between order statistics: 'linear' (default), 'lower', 'higher',
            'midpoint', 'nearest', as in NumPy.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The quantiles; `q`'s axes come first, as in NumPy.

    Raises:
        TypeError: `q` is traced.
        ValueError: `method` is not supported, or `q` is outside [0, 1].

    Example:
        >>> float(quantile(np.array([1.0, 2.0, 3.0, 4.0]), 0.5))
        2.5
    """
    if not _is_traced((a,)):
        return np.quantile(a, q, axis=axis, method=method, keepdims=keepdims)
    q = _concrete_q(q, "quantile", 1, "Quantiles must be in the range [0, 1]")
    if method not in _METHODS:
        raise ValueError(f"method {method!r} is not supported; use one of {_METHODS}")
    a = astype(_as_operand(a), _float_dtype(a))
    s, axes = _sorted_last(a, axis)
    n = shape_of(s)[-1]
    pos = q * (n - 1)
    lo, hi = np.floor(pos).astype(np.int64), np.ceil(pos).astype(np.int64)
    frac = pos - lo
    if method == "lower":
        hi, frac = lo, frac * 0
    elif method == "higher":
        lo, frac = hi, frac * 0
    elif method == "nearest":
        lo = hi = np.where(np.round(pos) == hi, hi, lo)  # half to even, as NumPy
        frac = frac * 0
    elif method == "midpoint":
        frac = np.where(hi > lo, 0.5, 0.0)
    s_lo, s_hi = (moveaxis(s[..., i], -1, 0) if q.ndim else s[..., i] for i in (lo, hi))
    frac = frac.reshape(frac.shape + (1,) * (ndim_of(s_lo) - frac.ndim))
    out = s_lo + (s_hi - s_lo) * frac
    if keepdims:
        kept = tuple(1 if i in axes else d for i, d in enumerate(shape_of(a)))
        out = reshape(out, q.shape + kept)
    return out


def percentile(a, q, axis=None, out=None, overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False):
    """The q-th percentiles (q in [0, 100]), as numpy.percentile: `quantile(a, q / 100)`.

    Args:
        a: the array.
        q: a number or array of numbers in [0, 100]; concrete, not traced.
        axis: None (the flattened array), an int or a tuple of ints.
        out: NumPy's output array (plain arrays only).
        overwrite_input: NumPy's flag (plain arrays only).
        method: as for `quantile`.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The percentiles; `q`'s axes come first.

    Raises:
        TypeError: `q` is traced.
        ValueError: `method` is not supported, or `q` is outside [0, 100].

    Example:
        >>> float(percentile(np.array([1.0, 2.0, 3.0]), 50))
        2.0
    """
    if not _is_traced((a,)):
        return np.percentile(a, q, axis=axis, method=method, keepdims=keepdims)
    q = _concrete_q(q, "percentile", 100, "Percentiles must be in the range [0, 100]")
    return quantile(a, q / 100, axis, method=method, keepdims=keepdims)


def _concrete_q(q, name: str, top: float, message: str) -> np.ndarray:
    """`q` as float64 NumPy numbers in [0, top], with NumPy's message when outside."""
    if isinstance(q, Tracer):
        raise TypeError(f"fgrad.numpy.{name}: q must be concrete numbers, got a traced array at "
                        f"{user_location()}; pass q as a NumPy array or Python numbers")
    q = np.asarray(q, np.float64)
    if (q < 0).any() or (q > top).any():
        raise ValueError(message)
    return q


def median(a, axis=None, out=None, overwrite_input: bool = False, keepdims: bool = False):
    """The median along `axis`, as numpy.median: `quantile(a, 0.5)`.

    Args:
        a: the array.
        axis: None (the flattened array), an int or a tuple of ints.
        out: NumPy's output array (plain arrays only).
        overwrite_input: NumPy's flag (plain arrays only).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The medians, with the reduced axes removed (or kept with length 1).

    Example:
        >>> float(median(np.array([3.0, 1.0, 2.0])))
        2.0
    """
    if not _is_traced((a,)):
        return np.median(a, axis=axis, keepdims=keepdims)
    return quantile(a, 0.5, axis, keepdims=keepdims)


# --- cumulative reductions ---------------------------------------------------------------------------

def _cumulative_operand(a, axis, dtype):
    a = _as_operand(a)
    if axis is None:
        a, axis = ravel(a), 0
    if dtype is not None or a.dtype == np.bool_:
        a = astype(a, dtype or np.int64)
    return a, _axis(axis, ndim_of(a))


def cumsum(a, axis=None, dtype=None):
    """Cumulative sum along `axis` (of the flattened array by default), as numpy.cumsum.

    Also `cumulative_sum`. Its gradient is the reversed cumulative sum of the cotangent.

    Args:
        a: the array.
        axis: an int, or None for the flattened array.
        dtype: the dtype to sum in (None: `a`'s).

    Returns:
        An array of `a`'s shape (1-d with `axis=None`).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> cumsum(np.ones(3))
        array([1., 2., 3.])
    """
    if not _is_traced((a,)):
        return np.cumsum(a, axis=axis, dtype=dtype)
    a, axis = _cumulative_operand(a, axis, dtype)
    return _ord.cumsum(a, axis)


def cumprod(a, axis=None, dtype=None):
    """Cumulative product along `axis`, in log2(n) rounds of products (so its derivative is exact with
    zeros), as numpy.cumprod; also `cumulative_prod`.

    Args:
        a: the array.
        axis: an int, or None for the flattened array.
        dtype: the dtype to multiply in (None: `a`'s).

    Returns:
        An array of `a`'s shape (1-d with `axis=None`).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> cumprod(np.array([1.0, 2.0, 3.0]))
        array([1., 2., 6.])
    """
    if not _is_traced((a,)):
        return np.cumprod(a, axis=axis, dtype=dtype)
    a, axis = _cumulative_operand(a, axis, dtype)
    n, step = shape_of(a)[axis], 1
    lead = (slice(None),) * axis
    while step < n:
        ones = astype(np.ones(shape_of(a)[:axis] + (step,) + shape_of(a)[axis + 1:]), a.dtype)
        shifted = concatenate([ones, a[lead + (slice(None, n - step),)]], axis=axis)
        a, step = multiply(a, shifted), step * 2
    return a


cumulative_sum, cumulative_prod = cumsum, cumprod
