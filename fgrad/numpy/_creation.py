"""Array creation: NumPy's constructors, and `*_like` functions that stay in a trace."""

from __future__ import annotations

import numpy as np

from .._checks import _numeric
from ..core import Tracer, shape_of
from ..primitives._base import splat
from ._promote import _as_operand, _holds_tracer, _lift, astype
from ._reshape import broadcast_to

zeros = np.zeros
ones = np.ones
arange = np.arange
eye = np.eye
pi, e, inf, nan, newaxis = np.pi, np.e, np.inf, np.nan, None
dtype, finfo, iinfo = np.dtype, np.finfo, np.iinfo
ndarray = np.ndarray


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value`, as numpy.full; traced when the fill value is.

    Args:
        shape: an int or a tuple of ints.
        fill_value: a number, an array broadcasting to `shape`, or a traced value.
        dtype: the result's dtype (None: the fill value's).

    Returns:
        An array of `shape`; traced (and differentiable in `fill_value`) when `fill_value` is.

    Example:
        >>> full((2,), 3.0)
        array([3., 3.])
    """
    if not _holds_tracer(fill_value):
        return np.full(shape, fill_value, dtype=dtype)
    fill = _lift(fill_value)
    return broadcast_to(fill if dtype is None else astype(fill, dtype), shape)


def full_like(x, fill_value, dtype=None):
    """An array of `fill_value` with the shape (and dtype) of `x`; traced when `x` is traced.

    Args:
        x: the array whose shape (and dtype) to take; its values are not read.
        fill_value: a number or an array broadcasting to `x`'s shape.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of `x`'s shape; it carries no derivative with respect to `x`.

    Example:
        >>> full_like(np.zeros(2), 7.0)
        array([7., 7.])
    """
    if not isinstance(x, Tracer):
        return np.full_like(x, fill_value, dtype=dtype)
    dtype = x.dtype if dtype is None else _numeric(np.dtype(dtype))
    from ._elementwise import add
    fill = _as_operand(fill_value)
    if shape_of(fill):              # an array of fill values broadcasts, as in NumPy
        return add(splat(x, 0, dtype=dtype), astype(broadcast_to(fill, x.shape), dtype))
    return splat(x, fill, dtype=dtype)


def zeros_like(x, dtype=None):
    """Zeros shaped like `x`; no derivative flows to `x` through it.

    Args:
        x: the array whose shape (and dtype) to take.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of zeros of `x`'s shape.

    Example:
        >>> zeros_like(np.ones(2))
        array([0., 0.])
    """
    return full_like(x, 0, dtype)


def ones_like(x, dtype=None):
    """Ones shaped like `x`; no derivative flows to `x` through it.

    Args:
        x: the array whose shape (and dtype) to take.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of ones of `x`'s shape.

    Example:
        >>> ones_like(np.zeros(2))
        array([1., 1.])
    """
    return full_like(x, 1, dtype)
