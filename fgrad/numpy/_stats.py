"""Statistics, cumulative reductions and logic of fgrad.numpy: the nan-ignoring reductions, average,
cov/corrcoef, median/quantile, cumsum/cumprod, all/any, isclose/allclose and friends.

Example:
    >>> import fgrad.numpy as fnp
    >>> float(fnp.nansum(np.array([1.0, np.nan, 2.0]))), float(fnp.median(np.array([3.0, 1.0, 2.0])))
    (3.0, 2.0)
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
    _sqrt_zero_safe,
    abs,
    astype,
    broadcast_to,
    concatenate,
    dot,
    equal,
    isnan,
    logical_not,
    max,
    mean,
    min,
    multiply,
    not_equal,
    prod,
    ravel,
    reshape,
    sqrt,
    sum,
    transpose,
    where,
)
from ._shape import atleast_2d, diag, moveaxis, sort


def _nan_as(a, value):
    a = _as_operand(a)
    return where(isnan(a), value, a) if a.dtype.kind in "fc" else a


# --- reductions ignoring NaN -----------------------------------------------------------------------

def nansum(a, axis=None, dtype=None, keepdims: bool = False):
    """Sum treating NaN as zero, as numpy.nansum; NaN entries get a zero gradient.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.
        dtype: the dtype to compute in (None: `a`'s).

    Returns:
        The sums, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nansum(np.array([1.0, np.nan])))
        1.0
    """
    if not _is_traced((a,)):
        return np.nansum(a, axis=axis, dtype=dtype, keepdims=keepdims)
    return sum(_nan_as(a, 0), axis=axis, keepdims=keepdims, dtype=dtype)


def nanprod(a, axis=None, dtype=None, keepdims: bool = False):
    """Product treating NaN as one, as numpy.nanprod; NaN entries get a zero gradient.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.
        dtype: the dtype to compute in (None: `a`'s).

    Returns:
        The products, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanprod(np.array([2.0, np.nan])))
        2.0
    """
    if not _is_traced((a,)):
        return np.nanprod(a, axis=axis, dtype=dtype, keepdims=keepdims)
    a = _nan_as(a, 1)
    return prod(a if dtype is None else astype(a, dtype), axis=axis, keepdims=keepdims)


def _count(a, axis, keepdims):
    return sum(logical_not(isnan(a)), axis=axis, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, keepdims: bool = False):
    """Mean of the values that are not NaN, as numpy.nanmean (NaN where all are).

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.
        dtype: the dtype to compute in (None: `a`'s).

    Returns:
        The means, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanmean(np.array([1.0, np.nan, 3.0])))
        2.0
    """
    if not _is_traced((a,)):
        return np.nanmean(a, axis=axis, dtype=dtype, keepdims=keepdims)
    a = astype(_as_operand(a), dtype or _float_dtype(a))
    return nansum(a, axis, keepdims=keepdims) / _count(a, axis, keepdims)


def nanvar(a, axis=None, dtype=None, ddof: int = 0, keepdims: bool = False):
    """Variance of the values that are not NaN, as numpy.nanvar.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.
        dtype: the dtype to compute in (None: `a`'s).
        ddof: delta degrees of freedom.

    Returns:
        The variances, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanvar(np.array([1.0, np.nan, 3.0])))
        1.0
    """
    if not _is_traced((a,)):
        return np.nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
    a = astype(_as_operand(a), dtype or _float_dtype(a))
    centred = _nan_as(a - nanmean(a, axis, keepdims=True), 0)
    return sum(centred * centred, axis, keepdims) / (_count(a, axis, keepdims) - ddof)


def nanstd(a, axis=None, dtype=None, ddof: int = 0, keepdims: bool = False):
    """Standard deviation of the values that are not NaN (derivative 0 at zero spread), as numpy.nanstd.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.
        dtype: the dtype to compute in (None: `a`'s).
        ddof: delta degrees of freedom.

    Returns:
        The standard deviations, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanstd(np.array([1.0, np.nan, 3.0])))
        1.0
    """
    if not _is_traced((a,)):
        return np.nanstd(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)
    return _sqrt_zero_safe(nanvar(a, axis, dtype, ddof, keepdims))


def _nan_extreme(reduce, a, axis, keepdims, fill):
    a = _as_operand(a)
    out = reduce(_nan_as(a, fill), axis=axis, keepdims=keepdims)
    if a.dtype.kind not in "fc":
        return out
    all_nan = equal(_count(a, axis, keepdims), 0)
    return where(all_nan, np.nan, out)             # as NumPy (which also warns) and jax


def nanmax(a, axis=None, keepdims: bool = False):
    """Maximum ignoring NaN (NaN where all are), as numpy.nanmax; ties share the derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The maxima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanmax(np.array([1.0, np.nan])))
        1.0
    """
    if not _is_traced((a,)):
        return np.nanmax(a, axis=axis, keepdims=keepdims)
    return _nan_extreme(max, a, axis, keepdims, -np.inf)


def nanmin(a, axis=None, keepdims: bool = False):
    """Minimum ignoring NaN (NaN where all are), as numpy.nanmin; ties share the derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The minima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(nanmin(np.array([1.0, np.nan])))
        1.0
    """
    if not _is_traced((a,)):
        return np.nanmin(a, axis=axis, keepdims=keepdims)
    return _nan_extreme(min, a, axis, keepdims, np.inf)


def ptp(a, axis=None, keepdims: bool = False):
    """Peak to peak: max - min along `axis`, as numpy.ptp.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The ranges, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> float(ptp(np.array([1.0, 5.0, 2.0])))
        4.0
    """
    if not _is_traced((a,)):
        return np.ptp(a, axis=axis, keepdims=keepdims)
    return max(a, axis, keepdims) - min(a, axis, keepdims)


# --- weighted averages, covariance -------------------------------------------------------------------

def average(a, axis=None, weights=None, returned: bool = False, *, keepdims: bool = False):
    """Weighted mean along `axis`, as numpy.average; 1-d weights apply along the axis.

    Differentiable in both `a` and `weights`.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        weights: None (the plain mean), an array shaped like `a`, or 1-d along a single `axis`.
        returned: also return the sum of the weights.
        keepdims: keep the reduced axes with length 1.

    Returns:
        The averages, or `(average, sum_of_weights)` with `returned=True`.

    Raises:
        TypeError: `weights` differs in shape from `a` and no `axis` is given.
        ValueError: 1-d `weights` whose length differs from `a` along `axis`.

    Example:
        >>> float(average(np.array([1.0, 3.0]), weights=np.array([3.0, 1.0])))
        1.5
    """
    if not _is_traced((a, weights)):
        return np.average(a, axis=axis, weights=weights, returned=returned, keepdims=keepdims)
    a = _as_operand(a)
    if weights is None:
        avg = mean(a, axis, keepdims)
        count = int(np.prod([shape_of(a)[i] for i in _axes(a, axis)], dtype=np.int64))
        return (avg, broadcast_to(np.asarray(count, avg.dtype), shape_of(avg))) if returned else avg
    w = _as_operand(weights)
    if shape_of(w) != shape_of(a):
        if axis is None or ndim_of(w) != 1 or not isinstance(axis, (int, np.integer)):
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        ax = _axis(axis, ndim_of(a))
        if shape_of(w)[0] != shape_of(a)[ax]:
            raise ValueError("Shape of weights must be consistent with shape of a along specified axis.")
        w = reshape(w, tuple(-1 if i == ax else 1 for i in range(ndim_of(a))))
    total = sum(broadcast_to(w, shape_of(a)), axis, keepdims)
    avg = sum(a * w, axis, keepdims) / total
    return (avg, total) if returned else avg


def cov(m, y=None, rowvar: bool = True, bias: bool = False, ddof=None, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows (or columns) of `m`, as numpy.cov.

    Args:
        m: a 1-d or 2-d array of observations of one or more variables.
        y: more variables, stacked under `m`'s.
        rowvar: True: each row is a variable; False: each column is.
        bias: normalise by N rather than N - 1.
        ddof: overrides `bias` when given: normalise by N - ddof.
        fweights: integer frequency weights, one per observation.
        aweights: observation weights, one per observation.

    Returns:
        The covariance matrix (a 0-d array for one variable).

    Example:
        >>> cov(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        array([[ 1., -1.],
               [-1.,  1.]])
    """
    if not _is_traced((m, y, fweights, aweights)):
        return np.cov(m, y, rowvar, bias, ddof, fweights, aweights)
    X = atleast_2d(astype(_as_operand(m), _float_dtype(m)))
    if not rowvar and shape_of(X)[0] != 1:
        X = transpose(X)
    if y is not None:
        Y = atleast_2d(_as_operand(y))
        X = concatenate([X, astype(Y if rowvar or shape_of(Y)[0] == 1 else transpose(Y), X.dtype)], axis=0)
    ddof = (0 if bias else 1) if ddof is None else ddof
    w = None
    for extra in (fweights, aweights):
        if extra is not None:
            w = _as_operand(extra) if w is None else w * extra
    if w is None:
        avg, fact = mean(X, axis=1), shape_of(X)[1] - ddof
        centred = X - avg[:, None]
        c = dot(centred, transpose(centred)) / fact
    else:
        w_sum = sum(w)
        avg = sum(X * w, axis=1) / w_sum
        fact = w_sum - ddof if aweights is None else w_sum - ddof * sum(w * aweights) / w_sum
        centred = X - avg[:, None]
        c = dot(centred * w, transpose(centred)) / fact
    return reshape(c, ()) if shape_of(c) == (1, 1) else c


def corrcoef(x, y=None, rowvar: bool = True):
    """Pearson correlation coefficients, clipped to [-1, 1] as NumPy does.

    Args:
        x: a 1-d or 2-d array of observations of one or more variables.
        y: more variables, stacked under `x`'s.
        rowvar: True: each row is a variable; False: each column is.

    Returns:
        The correlation matrix.

    Example:
        >>> corrcoef(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        array([[ 1., -1.],
               [-1.,  1.]])
    """
    if not _is_traced((x, y)):
        return np.corrcoef(x, y, rowvar)
    from . import clip
    c = cov(x, y, rowvar)
    if ndim_of(c) == 0:
        return c / c
    d = sqrt(diag(c))
    c = c / d[:, None] / d[None, :]
    return clip(c, -1, 1)


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
    if isinstance(q, Tracer):
        raise TypeError(f"fgrad.numpy.quantile: q must be concrete numbers, got a traced array at "
                        f"{user_location()}; pass q as a NumPy array or Python numbers")
    if method not in _METHODS:
        raise ValueError(f"method {method!r} is not supported; use one of {_METHODS}")
    q = np.asarray(q, np.float64)
    if (q < 0).any() or (q > 1).any():
        raise ValueError("Quantiles must be in the range [0, 1]")
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
    return quantile(a, np.asarray(q, np.float64) / 100, axis, method=method, keepdims=keepdims)


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


# --- logic -------------------------------------------------------------------------------------------

def all(a, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy.all
    """Whether every element is true (along `axis`), as numpy.all; no derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Bools, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> bool(all(np.array([1.0, 0.0])))
        False
    """
    if not _is_traced((a,)):
        return np.all(a, axis=axis, keepdims=keepdims)
    return not_equal(min(not_equal(a, 0), axis, keepdims), 0)


def any(a, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy.any
    """Whether some element is true (along `axis`), as numpy.any; no derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Bools, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> bool(any(np.array([1.0, 0.0])))
        True
    """
    if not _is_traced((a,)):
        return np.any(a, axis=axis, keepdims=keepdims)
    return not_equal(max(not_equal(a, 0), axis, keepdims), 0)


def isfinite(x):
    """Neither infinite nor NaN, elementwise, as numpy.isfinite; no derivative.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> isfinite(np.array([1.0, np.inf, np.nan]))
        array([ True, False, False])
    """
    return np.isfinite(x) if not _is_traced((x,)) else logical_not(isnan(x - x))


def isinf(x):
    """+inf or -inf, elementwise, as numpy.isinf; no derivative.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> isinf(np.array([1.0, -np.inf]))
        array([False,  True])
    """
    if not _is_traced((x,)):
        return np.isinf(x)
    from . import logical_and
    return logical_and(logical_not(isnan(x)), isnan(x - x))


def logical_xor(x, y):
    """Elementwise exclusive or of truth values, as numpy.logical_xor.

    Args:
        x: an array, a number or a traced value (nonzero is true).
        y: the same, broadcast against `x`.

    Returns:
        A bool array of the broadcast shape.

    Example:
        >>> logical_xor(np.array([True, False]), True)
        array([False,  True])
    """
    if not _is_traced((x, y)):
        return np.logical_xor(x, y)
    return not_equal(astype(x, np.bool_), astype(y, np.bool_))


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """|a - b| <= atol + rtol * |b| elementwise (infinities equal themselves), as numpy.isclose.

    Args:
        a: an array, a number or a traced value.
        b: the same, broadcast against `a`.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool array of the broadcast shape (no derivative).

    Example:
        >>> isclose(np.array([1.0, 1.1]), 1.0 + 1e-9)
        array([ True, False])
    """
    if not _is_traced((a, b)):
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    from . import less_equal, logical_and, logical_or
    close = less_equal(abs(a - b), atol + rtol * abs(b))
    close = logical_and(close, logical_and(isfinite(a), isfinite(b)))
    close = logical_or(close, equal(a, b))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    return close


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Whether every element of a and b is close (see `isclose`), as numpy.allclose.

    Args:
        a: an array, a number or a traced value.
        b: the same, broadcast against `a`.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool scalar (traced when an operand is).

    Example:
        >>> bool(allclose(np.ones(2), np.ones(2) + 1e-9))
        True
    """
    if not _is_traced((a, b)):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    return all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan: bool = False):
    """Same shape and the same elements, as numpy.array_equal.

    Args:
        a1: an array, a number or a traced value.
        a2: the same.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool scalar; False without comparing when the shapes differ.

    Example:
        >>> bool(array_equal(np.ones(2), np.ones(2))), bool(array_equal(np.ones(2), np.ones(3)))
        (True, False)
    """
    if not _is_traced((a1, a2)):
        return bool(np.array_equal(a1, a2, equal_nan=equal_nan))
    if shape_of(a1) != shape_of(a2):
        return False
    from . import logical_and, logical_or
    same = equal(a1, a2)
    if equal_nan:
        same = logical_or(same, logical_and(isnan(a1), isnan(a2)))
    return all(same)


def count_nonzero(a, axis=None, *, keepdims: bool = False):
    """How many elements are not zero (along `axis`), as numpy.count_nonzero.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Integer counts, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> int(count_nonzero(np.array([0.0, 2.0])))
        1
    """
    if not _is_traced((a,)):
        return np.count_nonzero(a, axis=axis, keepdims=keepdims)
    return sum(not_equal(a, 0), axis=axis, keepdims=keepdims)

