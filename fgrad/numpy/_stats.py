"""Statistics of fgrad.numpy: the nan-ignoring reductions, ptp, average and cov/corrcoef.

Example:
    >>> import fgrad.numpy as fnp
    >>> float(fnp.nansum(np.array([1.0, np.nan, 2.0]))), float(fnp.median(np.array([3.0, 1.0, 2.0])))
    (3.0, 2.0)
"""

from __future__ import annotations

import numpy as np

from .._checks import _axis
from ..core import ndim_of, shape_of
from . import (
    _as_operand,
    _axes,
    _float_dtype,
    _is_traced,
    _sqrt_zero_safe,
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
    prod,
    reshape,
    sqrt,
    sum,
    transpose,
    where,
)
from ._diagonal import diag
from ._stack import atleast_2d


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
