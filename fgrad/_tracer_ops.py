"""Operators, methods, indexing and `.at[...]` for traced arrays, all expressed with fgrad.numpy."""

from __future__ import annotations

import numpy as np

from . import numpy as fnp
from .core import Tracer, bind, shape_of
from .errors import ConcretizationError, ShapeError, TracerArrayConversionError, user_location
from .primitives import elementwise as ew
from .primitives import shape

# --- indexing ----------------------------------------------------------------------------------


def _expand_ellipsis(idx: tuple, ndim: int) -> tuple:
    used = sum(1 for i in idx if i is not None and i is not Ellipsis)
    at = [k for k, i in enumerate(idx) if i is Ellipsis]     # `is`: `in` would compare arrays
    if len(at) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if not at:
        return idx + (slice(None),) * (ndim - used)
    at = at[0]
    return idx[:at] + (slice(None),) * (ndim - used) + idx[at + 1:]


def _index_item(item, arrays: list):
    if item is None:
        return ("none",)
    if isinstance(item, slice):
        for v in (item.start, item.stop, item.step):
            if isinstance(v, Tracer):
                raise ConcretizationError("a slice bound", repr(v.aval), user_location())
        return ("slice", *(None if v is None else int(v) for v in (item.start, item.stop, item.step)))
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
        return ("int", int(item))
    if not isinstance(item, Tracer):
        item = np.asarray(item)
        if item.dtype == np.bool_:
            raise IndexError("boolean mask indexing is not supported on traced arrays (its shape depends "
                             "on the data); use fgrad.numpy.where(mask, x, 0) instead")
        if item.dtype.kind not in "iu":
            raise IndexError(f"arrays used as indices must be integers, got {item.dtype}")
    elif item.dtype.kind not in "iu":
        raise IndexError(f"traced arrays used as indices must be integers, got {item.dtype}")
    arrays.append(item)
    return ("array", len(arrays) - 1)


def index_spec(x, idx) -> tuple[tuple, list]:
    """Turn a NumPy-style index into a static spec plus the integer index arrays it uses."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    idx = _expand_ellipsis(idx, x.ndim)
    if sum(1 for i in idx if i is not None) > x.ndim:
        raise IndexError(f"too many indices for an array of shape {x.shape}")
    arrays: list = []
    spec = tuple(_index_item(i, arrays) for i in idx)
    for axis, (item, size) in enumerate(zip([i for i in spec if i[0] != "none"], x.shape)):
        if item[0] == "int" and not -size <= item[1] < size:
            _out_of_bounds(item[1], axis, size)
        index = arrays[item[1]] if item[0] == "array" else None
        if isinstance(index, np.ndarray) and index.size and not -size <= index.min() <= index.max() < size:
            _out_of_bounds(index.max() if index.max() >= size else index.min(), axis, size)
    return spec, arrays


def _out_of_bounds(index, axis: int, size: int):
    raise IndexError(f"index {index} is out of bounds for axis {axis} with size {size} (at {user_location()}); "
                     f"indices run from {-size} to {size - 1}")


def getitem(x, idx):
    spec, arrays = index_spec(x, idx)
    return shape.gather(x, arrays, spec)


class _IndexUpdateRef:
    """`x.at[idx]`: functional updates that return a new array, as in jax."""

    def __init__(self, x, idx):
        self.x, self.idx = x, idx

    def get(self):
        return getitem(self.x, self.idx)

    def _prepare(self, values):
        spec, arrays = index_spec(self.x, self.idx)
        target = shape._gather_shape(self.x.shape, arrays, spec)
        given = shape_of(values)
        if len(given) > len(target) or any(g not in (1, t) for g, t in zip(given[::-1], target[::-1])):
            raise ShapeError(f"values of shape {given} do not fit the shape {target} that x.at[...] selects in an "
                             f"array of shape {self.x.shape}; pass values of shape {target} (or one that broadcasts)")
        return fnp.broadcast_to(fnp.astype(values, self.x.dtype), target), spec, arrays

    def add(self, values):
        """`x` with `values` added at the index (repeated indices add up)."""
        values, spec, arrays = self._prepare(values)
        return self.x + shape.scatter_add(values, arrays, spec, self.x.shape)

    def set(self, values):
        """`x` with the indexed elements replaced by `values`."""
        values, spec, arrays = self._prepare(values)
        if arrays and not any(isinstance(a, Tracer) for a in arrays):
            # a repeated index keeps the last of its updates, as NumPy's x[idx] = v does
            order = np.arange(int(np.prod(shape_of(values)))).reshape(shape_of(values))
            owner = np.full(self.x.shape, -1)
            owner[shape.build_index(spec, arrays)] = order
            wins = owner[shape.build_index(spec, arrays)] == order
            if not wins.all():
                values = fnp.where(wins, values, fnp.zeros_like(values))
        hit = shape.scatter_add(np.ones(shape_of(values), np.int8), arrays, spec, self.x.shape) != 0
        return fnp.where(hit, shape.scatter_add(values, arrays, spec, self.x.shape), self.x)


class IndexUpdateHelper:
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.x, idx)


# --- conversions that need a concrete value -----------------------------------------------------

def scalar_value(t: Tracer, what: str):
    if t.size != 1:
        raise TypeError(f"{what} needs an array with one element, got shape {t.shape}")
    if t._trace.depends_on_differentiated(t._var):   # the number would silently lose its derivative
        raise TracerArrayConversionError(f"{t.aval!r} ({what})", user_location())
    value = t.concrete_value()
    expected = value.item() if hasattr(value, "item") else value
    bind(ew.guard_p, t, expected=expected)
    return expected


def bool_value(t: Tracer) -> bool:
    if t.size != 1:
        raise ValueError(f"The truth value of an array with more than one element is ambiguous "
                         f"(shape {t.shape}); use .any() or .all(), or fgrad.numpy.where")
    try:
        value = t.concrete_value()
    except ConcretizationError:
        raise ConcretizationError("`if`/`while`/bool() on a traced value", repr(t.aval),
                                  user_location()) from None
    result = bool(value)
    bind(ew.guard_p, t, expected=result)
    return result


def refuse_array(t: Tracer):
    raise TracerArrayConversionError(repr(t.aval), user_location())


def refuse_tolist(t: Tracer):
    raise TracerArrayConversionError(f"{t.aval!r} (.tolist(); keep it an array and index it, x[i])",
                                     user_location())


def _index_item_text(i) -> str:
    if isinstance(i, slice) and all(v is None or isinstance(v, (int, np.integer)) for v in (i.start, i.stop, i.step)):
        start, stop = ("" if v is None else str(int(v)) for v in (i.start, i.stop))
        return f"{start}:{stop}" + ("" if i.step is None else f":{int(i.step)}")
    if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
        return str(int(i))
    return "..." if i is Ellipsis else "None" if i is None else "idx"


def _index_text(idx) -> str:
    """The index as the user would write it, for the suggested fix (arrays stay a placeholder)."""
    return ", ".join(_index_item_text(i) for i in (idx if isinstance(idx, tuple) else (idx,)))


def refuse_setitem(t: Tracer, idx, value):
    raise TypeError(f"fgrad arrays are immutable and do not support in-place item assignment (at "
                    f"{user_location()}): like JAX arrays, instead of x[idx] = y, use x = x.at[idx].set(y) "
                    f"(here x = x.at[{_index_text(idx)}].set(...)), or .at[idx].add(y) for x[idx] += y")


def iterate(t: Tracer):
    if not t.shape:
        raise TypeError("iteration over a 0-d traced array")
    return (getitem(t, i) for i in range(t.shape[0]))


# --- NumPy's own functions on traced arrays: forwarded to fgrad.numpy where it has the name ---

_UFUNC_NAMES = {"true_divide": "divide", "absolute": "abs", "power": "power"}


def array_ufunc(self, ufunc, method, *inputs, **kwargs):
    fn = getattr(fnp, _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__), None)
    if method != "__call__" or kwargs or fn is None or not callable(fn):
        raise TracerArrayConversionError(f"{self.aval!r} (numpy.{ufunc.__name__}.{method})", user_location())
    return fn(*inputs)


_STATIC = {"shape": np.shape, "ndim": np.ndim, "size": np.size}


def array_function(self, func, args, kwargs):
    if func.__name__ in _STATIC:          # metadata only: answered from the aval
        attribute = func.__name__
        return getattr(args[0], attribute) if isinstance(args[0], Tracer) else _STATIC[attribute](args[0])
    fn = getattr(fnp, func.__name__, None)
    if fn is None or fn is func or not callable(fn):
        raise TracerArrayConversionError(f"{self.aval!r} (numpy.{func.__name__})", user_location())
    return fn(*args, **kwargs)

