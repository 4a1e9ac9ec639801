"""Array creation that accepts traced values: `array`/`asarray` of (nested) lists holding tracers,
`linspace` with traced endpoints, `r_`/`c_`, and scalar types (`float32(x)`) that convert traced arrays.

Example:
    >>> import fgrad, fgrad.numpy as fnp
    >>> float(fgrad.grad(lambda x: fnp.array([x, 2 * x]).sum())(1.0))
    3.0
"""

from __future__ import annotations

import builtins

import numpy as np

from ..core import Tracer
from ..errors import user_location
from . import _holds_tracer, _is_traced, astype, concatenate, reshape, stack


def _stacked(obj):
    if isinstance(obj, (list, tuple)):
        return stack([_stacked(o) for o in obj])
    return obj if isinstance(obj, Tracer) else np.asarray(obj)


def array(object, dtype=None, copy: bool = True, order=None, ndmin: int = 0):  # noqa: A002
    """numpy.array, also of lists holding traced arrays (they are stacked, so derivatives flow).

    Without traced values it is numpy.array itself.

    Args:
        object: an array, a number, or a (nested) list or tuple of them, possibly holding traced values.
        dtype: the result's dtype (None: inferred, as in NumPy).
        copy: NumPy's copy flag (plain arrays only; a traced result is always new).
        order: NumPy's memory order (plain arrays only).
        ndmin: the least number of axes; ones are prepended.

    Returns:
        An array; traced when `object` holds traced values.

    Example:
        >>> array([1.0, 2.0], ndmin=2)
        array([[1., 2.]])
    """
    if not _holds_tracer(object):
        return np.array(object, dtype=dtype, copy=copy, order=order, ndmin=ndmin)
    out = _stacked(object)
    if dtype is not None:
        out = astype(out, dtype)
    if out.ndim < ndmin:
        out = reshape(out, (1,) * (ndmin - out.ndim) + tuple(out.shape))
    return out


def asarray(a, dtype=None, order=None):
    """numpy.asarray; a traced array is returned as it is (converted to `dtype`).

    Args:
        a: an array, a number, a traced value, or a (nested) list of them.
        dtype: the result's dtype (None: unchanged or inferred).
        order: NumPy's memory order (plain arrays only).

    Returns:
        `a` as an array, without a copy where NumPy makes none.

    Example:
        >>> asarray([1.0, 2.0])
        array([1., 2.])
    """
    if not _holds_tracer(a):
        return np.asarray(a, dtype=dtype, order=order)
    return array(a, dtype=dtype)


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype=None, axis: int = 0):
    """`num` evenly spaced values from start to stop; traced endpoints stay differentiable.

    Args:
        start: the first value (a number, an array, or a traced value).
        stop: the last value (or the bound, without `endpoint`).
        num: how many values; must be non-negative.
        endpoint: whether `stop` is included.
        retstep: also return the spacing.
        dtype: the result's dtype (None: float64 or the endpoints' dtype).
        axis: where the samples' axis goes when the endpoints are arrays.

    Returns:
        The values, or `(values, step)` with `retstep=True`.

    Raises:
        ValueError: `num` is negative.

    Example:
        >>> linspace(0.0, 1.0, 3)
        array([0. , 0.5, 1. ])
    """
    if not _is_traced((start, stop)):
        return np.linspace(start, stop, num, endpoint, retstep, dtype, axis)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    div = (num - 1) if endpoint else num
    start, stop = (s if isinstance(s, Tracer) else np.asarray(s, np.float64) for s in (start, stop))
    delta = stop - start
    shape = (-1,) + (1,) * max(np.ndim(delta) if not isinstance(delta, Tracer) else delta.ndim, 0)
    steps = np.arange(num, dtype=np.float64).reshape(shape)
    step = delta / div if div > 0 else delta * np.nan
    out = start + steps * step if div > 0 else start + steps * delta
    if endpoint and num > 1:
        out = concatenate([out[:-1], reshape(stop + 0 * out[-1], (1,) + tuple(out.shape[1:]))])
    if axis != 0:
        from ._shape import moveaxis
        out = moveaxis(out, 0, axis)
    if dtype is not None:
        out = astype(out, dtype)
    return (out, step) if retstep else out


class _ScalarMeta(type):
    """The type of fgrad.numpy's scalar types: usable as a dtype and as a converting function."""

    def __call__(cls, x=0):
        if isinstance(x, Tracer) or _holds_tracer(x):
            return astype(array(x), cls.dtype)
        return cls.dtype.type(x) if np.ndim(x) == 0 else np.asarray(x, cls.dtype)

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, cls.dtype.type)

    def __repr__(cls) -> str:
        return f"fgrad.numpy.{cls.__name__}"


def _scalar_type(dtype) -> type:
    dtype = np.dtype(dtype)
    doc = f"The {dtype.name} scalar type: a dtype, and ``{dtype.name}(x)`` converts x. Example: ``{dtype.name}(1)``."
    return _ScalarMeta(dtype.name if dtype != np.bool_ else "bool_", (), {"dtype": dtype, "__doc__": doc})


float16, float32, float64 = (_scalar_type(t) for t in (np.float16, np.float32, np.float64))
int8, int16, int32, int64 = (_scalar_type(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint32, bool_ = (_scalar_type(t) for t in (np.uint8, np.uint32, np.bool_))


class _Concatenator:
    """`r_[...]` and `c_[...]`: arrays, numbers and slices (as aranges) joined along one axis."""

    def __init__(self, name: str, numpy_version):
        self._name, self._numpy = name, numpy_version

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        if not _is_traced(items):
            return self._numpy[key]
        if builtins.any(isinstance(i, str) for i in items):
            raise NotImplementedError(f"fgrad.numpy.{self._name}: string directives are not supported at "
                                      f"{user_location()}; use fgrad.numpy.concatenate with an axis")
        parts = [self._part(i) for i in items]
        return concatenate(parts, axis=0 if self._name == "r_" else -1)

    def _part(self, item):
        if isinstance(item, slice):
            step = 1 if item.step is None else item.step
            if isinstance(step, complex):
                part = np.linspace(item.start or 0, item.stop, int(abs(step)))
            else:
                part = np.arange(item.start or 0, item.stop, step)
        else:
            part = item if isinstance(item, Tracer) else np.asarray(item)
        if self._name == "r_":
            return reshape(part, (1,)) if part.ndim == 0 else part
        return reshape(part, (-1, 1)) if part.ndim < 2 else part


r_ = _Concatenator("r_", np.r_)
c_ = _Concatenator("c_", np.c_)
