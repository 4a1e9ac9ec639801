"""Reductions: sum, max, min, prod, mean, var, std, argmax and argmin."""

from __future__ import annotations

import builtins

import numpy as np

from .._checks import _axis
from ..core import Tracer, bind, shape_of
from ..primitives import reductions
from ..primitives import shape as _sp
from ._complex import conj, real
from ._creation import ones_like, zeros_like
from ._elementwise import equal, sqrt, where
from ._promote import _axes, _float_dtype, _lift, astype
from ._reshape import ravel


def _keep(x, out, axes, keepdims):
    if not keepdims:
        return out
    return _sp.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(shape_of(x))))


def _reduce(prim, np_fn, x, axis, keepdims, dtype=None):
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np_fn(x, axis=axis, keepdims=keepdims)
    if dtype is not None or x.dtype == np.bool_:
        x = astype(x, dtype or np.int64)
    axes = _axes(x, axis)
    out = bind(prim, x, axes=axes) if axes else x
    return _keep(x, out, axes, keepdims)


def sum(x, axis=None, keepdims=False, dtype=None):  # noqa: A001
    """Sum over `axis` (all axes by default), as numpy.sum; its gradient broadcasts the cotangent back.

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        dtype: the dtype to sum in (None: `x`'s; bools and small integers as NumPy does).

    Returns:
        The sums, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> sum(np.ones((2, 3)), axis=1)
        array([3., 3.])
    """
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)
    return _reduce(reductions.reduce_sum_p, np.sum, x, axis, keepdims, dtype)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum over `axis`; tied maxima share the derivative equally (jax's rule).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The maxima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.
        ValueError: the reduction is over an axis of length 0 (no identity).

    Example:
        >>> import fgrad
        >>> float(max(np.arange(3.0))), fgrad.grad(max)(np.array([1.0, 2.0, 2.0]))
        (2.0, array([0. , 0.5, 0.5]))
    """
    return _reduce(reductions.reduce_max_p, np.max, x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum over `axis`; tied minima share the derivative equally (jax's rule).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The minima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.
        ValueError: the reduction is over an axis of length 0 (no identity).

    Example:
        >>> float(min(np.arange(3.0)))
        0.0
    """
    return _reduce(reductions.reduce_min_p, np.min, x, axis, keepdims)


amax, amin = max, min


def prod(x, axis=None, keepdims=False):
    """Product over `axis`; the derivative is exact where elements are zero (no division by x).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The products, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> import fgrad
        >>> float(prod(np.arange(1.0, 4.0))), fgrad.grad(prod)(np.array([0.0, 2.0, 3.0]))
        (6.0, array([6., 0., 0.]))
    """
    return _reduce(reductions.reduce_prod_p, np.prod, x, axis, keepdims)


def mean(x, axis=None, keepdims=False, dtype=None):
    """Arithmetic mean over `axis`: the sum divided by the number of elements reduced.

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        dtype: the dtype to compute in (None: `x`'s, integers as float64).

    Returns:
        The means, floating point, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> float(mean(np.array([1.0, 2.0, 3.0])))
        2.0
    """
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=dtype)
    x = astype(x, dtype or _float_dtype(x))
    count = int(np.prod([x.shape[a] for a in _axes(x, axis)], dtype=np.int64))
    return sum(x, axis, keepdims) / count


def var(x, axis=None, keepdims=False, ddof=0, *, correction=None, dtype=None):
    """Variance over `axis` with `ddof` (jax.numpy's ``correction``): mean((x - mean(x))**2) * n / (n - ddof).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        ddof: delta degrees of freedom (0: population variance, 1: sample variance).
        correction: the array API's name for `ddof`; takes precedence when given.
        dtype: the dtype to compute in.

    Returns:
        The variances, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> float(var(np.array([1.0, 3.0]))), float(var(np.array([1.0, 3.0]), ddof=1))
        (1.0, 2.0)
    """
    ddof, x = (ddof if correction is None else correction), _lift(x)
    if dtype is not None:
        x = astype(x, dtype)
    if not isinstance(x, Tracer):
        return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof)
    x = astype(x, _float_dtype(x))
    centred = x - mean(x, axis, keepdims=True)
    count = int(np.prod([x.shape[a] for a in _axes(x, axis)], dtype=np.int64))
    # |x - mean|², real for complex x as in NumPy
    squares = real(centred * conj(centred)) if x.dtype.kind == "c" else centred * centred
    return sum(squares, axis, keepdims) / builtins.max(count - ddof, 0)


def _sqrt_zero_safe(s):
    """sqrt whose derivative at 0 is 0 (the subgradient) instead of inf * 0 = nan."""
    if not isinstance(s, Tracer):
        return np.sqrt(s)
    at_zero = equal(s, 0)
    return where(at_zero, zeros_like(s), sqrt(where(at_zero, ones_like(s), s)))


def std(x, axis=None, keepdims=False, ddof=0, *, correction=None, dtype=None):
    """Standard deviation: sqrt(var(x)). At zero spread its derivative is 0 (jax gives NaN there).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        ddof: delta degrees of freedom, as for `var`.
        correction: the array API's name for `ddof`.
        dtype: the dtype to compute in.

    Returns:
        The standard deviations, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> import fgrad
        >>> float(std(np.array([1.0, 3.0]))), fgrad.grad(std)(np.ones(2))
        (1.0, array([0., 0.]))
    """
    return _sqrt_zero_safe(var(x, axis, keepdims, ddof, correction=correction, dtype=dtype))


def _arg(prim, np_fn, x, axis, keepdims):
    if not isinstance(x, Tracer):
        return np_fn(x, axis=axis, keepdims=keepdims)
    if axis is None:
        flat = bind(prim, ravel(x), axis=0)
        return _sp.reshape(flat, (1,) * x.ndim) if keepdims else flat
    ax = _axis(axis, x.ndim)
    return _keep(x, bind(prim, x, axis=ax), (ax,), keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum over `axis`, or of the flattened array; no derivative.

    Args:
        x: the array.
        axis: None (the flattened array) or an int.
        keepdims: keep the reduced axis with length 1.

    Returns:
        Integer indices.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> int(argmax(np.array([1.0, 5.0, 2.0])))
        1
    """
    return _arg(reductions.argmax_p, np.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum over `axis`, or of the flattened array; no derivative.

    Args:
        x: the array.
        axis: None (the flattened array) or an int.
        keepdims: keep the reduced axis with length 1.

    Returns:
        Integer indices.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> int(argmin(np.array([1.0, 5.0, 2.0])))
        0
    """
    return _arg(reductions.argmin_p, np.argmin, x, axis, keepdims)
