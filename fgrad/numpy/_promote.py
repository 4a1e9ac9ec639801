"""Promotion and broadcasting: NumPy 2 dtype rules with weak Python scalars, made explicit for primitives."""

from __future__ import annotations

import builtins

import numpy as np

from .._checks import _axis_tuple, _numeric
from ..config import config
from ..core import Tracer, bind, ndim_of, shape_of
from ..errors import ShapeError, user_location
from ..primitives import elementwise as ew
from ..primitives import shape as _sp


def _holds_tracer(x) -> bool:
    return isinstance(x, Tracer) or (isinstance(x, (list, tuple)) and builtins.any(map(_holds_tracer, x)))


def _is_traced(args) -> bool:
    return builtins.any(map(_holds_tracer, args))


def _lift(x):
    """A list holding traced values as one traced array (NumPy would read, and drop, their values)."""
    if isinstance(x, (list, tuple)) and _holds_tracer(x):
        from ._array import array
        return array(x)
    return x


def _as_operand(x):
    if isinstance(x, (Tracer, np.ndarray, np.generic, bool, int, float, complex)):
        return x
    if _holds_tracer(x):
        return _lift(x)
    array = np.asarray(x)
    if array.dtype.kind not in "biufc":       # strings, objects: nothing fgrad can compute with
        raise TypeError(f"fgrad.numpy expects arrays or numbers, got {type(x).__name__} {x!r:.60} (dtype "
                        f"{array.dtype}) at {user_location()}; pass numbers, e.g. np.asarray(values, float)")
    return array


def result_type(*args) -> np.dtype:
    """NumPy 2 promotion with Python scalars weak: ``result_type(np.float32(1), 2.0)`` is float32.

    Traced values count by their dtype, so a traced program promotes as its eager run does.

    Args:
        *args: arrays, traced values, numbers, dtypes or types.

    Returns:
        The `numpy.dtype` the operands promote to.

    Example:
        >>> result_type(np.float32(1), 2.0)
        dtype('float32')
    """
    return np.result_type(*[a.dtype if isinstance(a, (Tracer, np.ndarray, np.generic))
                            else a if isinstance(a, (bool, int, float, complex, str, type, np.dtype))
                            else _as_operand(a).dtype for a in args])


def astype(x, dtype):
    """Convert `x` to `dtype` (a traced conversion records convert_element_type).

    Converting to an integer or bool dtype gives no derivative; between float dtypes the
    cotangent is converted back.

    Args:
        x: an array, a number or a traced value.
        dtype: anything `numpy.dtype` accepts.

    Returns:
        `x`'s values in `dtype`, of `x`'s shape.

    Example:
        >>> astype(np.array([1.7, 2.2]), np.int32)
        array([1, 2], dtype=int32)
    """
    dtype = np.dtype(dtype)
    if isinstance(x, Tracer):
        return ew.convert(x, _numeric(dtype))
    if isinstance(x, np.ndarray) and x.ndim:
        return x.astype(dtype, copy=False)   # a closed-over array stays referenced, not copied
    return dtype.type(x)


def _broadcast(x, out_shape):
    x_shape = shape_of(x)
    if x_shape == out_shape or (not x_shape and not isinstance(x, Tracer)):
        return x      # scalars stay literals; a 0-d array stays referenced (it may change in place)
    dims = tuple(range(len(out_shape) - len(x_shape), len(out_shape)))
    return _sp.broadcast_in_dim(x, out_shape, dims)


def promote(*args, dtype=None) -> list:
    """Operands converted to one dtype and explicitly broadcast to one shape (traced case).

    The helper elementwise functions use so that their primitives see equal shapes and dtypes;
    untraced arrays are converted, and a number whose shape is () is left for NumPy to broadcast.

    Args:
        *args: arrays, numbers or traced values.
        dtype: the common dtype (None: `result_type(*args)`).

    Returns:
        A list with one operand per argument, all of one dtype.

    Raises:
        ShapeError: the shapes do not broadcast.

    Example:
        >>> [np.asarray(a).dtype.name for a in promote(np.array([1, 2]), 0.5)]
        ['float64', 'float64']
    """
    args = [_as_operand(a) for a in args]
    dtype = np.dtype(dtype) if dtype is not None else result_type(*args)
    return _broadcast_together([astype(a, dtype) for a in args])


def _broadcast_together(args) -> list:
    try:
        out_shape = np.broadcast_shapes(*[shape_of(a) for a in args])
    except ValueError:
        raise ShapeError(f"operands with shapes {[shape_of(a) for a in args]} cannot be broadcast "
                         "together; reshape one of them or add an axis with x[:, None]") from None
    return [_broadcast(a, out_shape) for a in args]


def _float_dtype(x) -> np.dtype:
    return np.result_type(result_type(x), np.float16)


def _unary(prim, x, *, floating=True):
    if type(x) is Tracer and (not floating or x._var.aval.dtype.kind in "fc"):
        return bind(prim, x)               # already of a type the primitive takes: nothing to convert
    x = _lift(x)
    if not isinstance(x, Tracer):          # eager: bind checks for NaNs while debug_nans asks it to
        return bind(prim, x) if config.debug_nans or config.debug_infs else prim.impl(x)
    return bind(prim, astype(x, _float_dtype(x)) if floating else x)


def _binary(prim, x, y, *, dtype=None):
    same = _same_type_operands(x, y) if dtype is None else None
    if same is not None:
        return bind(prim, *same)
    if not _is_traced((x, y)):
        x, y = _as_operand(x), _as_operand(y)
        return bind(prim, x, y) if config.debug_nans or config.debug_infs else prim.impl(x, y)
    return bind(prim, *promote(x, y, dtype=dtype))


def _same_type_operands(x, y):
    """`(x, y)` as `promote` would make them, when that needs no promotion nor broadcast: two traced
    values of one type, a traced value and a NumPy scalar of its dtype (the literals reverse mode
    passes its rules), or a traced float (complex) value and a Python float or int, which takes its
    dtype. Else None, for the general path. Tracing a long program meets these cases at nearly
    every operation, and `promote`'s generality (NumPy's result_type and broadcast_shapes on every
    operand) costs there more than the rest of recording the equation."""
    tx, ty = type(x) is Tracer, type(y) is Tracer
    if tx and ty:
        ax, ay = x._var.aval, y._var.aval
        return (x, y) if ax is ay or ax == ay else None
    if tx:
        number = _number_as(y, x._var.aval.dtype)
        return None if number is None else (x, number)
    if ty:
        number = _number_as(x, y._var.aval.dtype)
        return None if number is None else (number, y)
    return None


def _number_as(number, dtype: np.dtype):
    """`number` as a scalar of `dtype` where promotion leaves `dtype` as it is, else None."""
    if type(number) is dtype.type:
        return number
    if type(number) in _WEAK_NUMBERS and dtype.kind in "fc":
        return dtype.type(number)
    return None


_WEAK_NUMBERS = frozenset((float, int))     # bool and complex promote a float array differently


def _axes(x, axis) -> tuple:
    if axis is None:
        return tuple(range(ndim_of(x)))
    return tuple(sorted(_axis_tuple(axis, ndim_of(x))))
