"""Indexing (with concrete boolean masks), conversions and NumPy-function dispatch for traced arrays."""

from __future__ import annotations

import numpy as np

from . import numpy as fnp
from .core import Tracer, bind
from .errors import ConcretizationError, TracerArrayConversionError, user_location
from .primitives import elementwise as ew
from .primitives import shape

# --- indexing ----------------------------------------------------------------------------------


_MASK_ERROR = ("boolean mask indexing is not supported with a traced mask (the result's shape would depend on "
               "the data); use fgrad.numpy.where(mask, x, 0) instead, or a NumPy mask known while tracing")


def _is_mask(item) -> bool:
    return isinstance(item, (np.ndarray, list)) and np.asarray(item).dtype == np.bool_


def _axes_used(item) -> int:
    if item is None or item is Ellipsis:
        return 0
    return np.ndim(item) if _is_mask(item) else 1


def _expand_ellipsis(idx: tuple, ndim: int) -> tuple:
    used = sum(_axes_used(i) for i in idx)
    at = [k for k, i in enumerate(idx) if i is Ellipsis]     # `is`: `in` would compare arrays
    if len(at) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if not at:
        return idx + (slice(None),) * (ndim - used)
    at = at[0]
    return idx[:at] + (slice(None),) * (ndim - used) + idx[at + 1:]


def _expand_masks(idx: tuple, x_shape: tuple) -> tuple:
    """A concrete boolean mask stands for the integer arrays of its true positions (NumPy's rule),
    so `x[mask]` is a gather with a shape known while tracing."""
    out, axis = [], 0
    for item in idx:
        if not _is_mask(item):
            out.append(item)
            axis += _axes_used(item)
            continue
        mask = np.asarray(item)
        if mask.ndim == 0:
            raise IndexError(f"a boolean scalar index (at {user_location()}) is not supported on traced arrays; "
                             "use x[None] to add an axis, or fgrad.numpy.where to choose")
        covered = x_shape[axis:axis + mask.ndim]
        for k, (size, length) in enumerate(zip(covered, mask.shape)):
            if size != length:
                raise IndexError(f"boolean index did not match indexed array along axis {axis + k}; size of axis "
                                 f"is {size} but size of corresponding boolean axis is {length}")
        out.extend(np.nonzero(mask))
        axis += mask.ndim
    return tuple(out)


def _index_item(item, arrays: list):
    if item is None:
        return ("none",)
    if isinstance(item, slice):
        bounds = [scalar_value(v, "a slice bound") if isinstance(v, Tracer) else v
                  for v in (item.start, item.stop, item.step)]     # a concrete trace reads them, guarded
        return ("slice", *(None if v is None else int(v) for v in bounds))
    if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
        return ("int", int(item))
    if not isinstance(item, Tracer):
        item = np.asarray(item)
        if item.dtype.kind not in "iu":
            raise IndexError(f"arrays used as indices must be integers, got {item.dtype}")
    elif item.dtype == np.bool_:
        raise IndexError(f"{_MASK_ERROR} (at {user_location()})")
    elif item.dtype.kind not in "iu":
        raise IndexError(f"traced arrays used as indices must be integers, got {item.dtype}")
    arrays.append(item)
    return ("array", len(arrays) - 1)



def index_spec(x, idx) -> tuple[tuple, list]:
    """Turn a NumPy-style index into a static spec plus the integer index arrays it uses."""
    idx = idx if isinstance(idx, tuple) else (idx,)
    idx = _expand_masks(_expand_ellipsis(idx, x.ndim), x.shape)
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


# --- conversions that need a concrete value -----------------------------------------------------

def scalar_value(t: Tracer, what: str):
    if t.size != 1:
        raise TypeError(f"{what} needs an array with one element, got shape {t.shape}")
    # a float read as a number would silently lose its derivative; an integer or bool has none
    if t.dtype.kind in "fc" and t._trace.depends_on_differentiated(t._var):
        raise TracerArrayConversionError(f"{t.aval!r} ({what})", user_location())
    try:
        value = t.concrete_value()
    except ConcretizationError:
        raise ConcretizationError(what, repr(t.aval), user_location()) from None
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

