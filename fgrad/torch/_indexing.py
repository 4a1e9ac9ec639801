"""Tensor indexing: `x[0]`, `x[1:3]`, `x[:, None]`, `x[idx_tensor]`, `x[mask]`, and `x[...] = value`.

The index becomes a static spec (ints, slices, None, Ellipsis) plus integer index arrays, which are
constant inputs of the node; the node's definition is the traced array's own `__getitem__`.

Example:
    >>> import fgrad.torch as torch
    >>> torch.ones(3, 2, requires_grad=True)[1:].grad_fn.name()
    'SliceBackward0'
"""

from __future__ import annotations

import numpy as np

from . import _errors as E
from ._errors import torch_error
from ._graph import MODE, Op, bump_version, check_inplace, rebound
from .ops import record, view_of, wrap
from .ops_shape import check_expand

Tensor = None          # set by fgrad.torch.tensor


def _spec(idx, shape: tuple):
    """(static spec, index arrays) for a torch index; boolean masks become integer arrays."""
    items = idx if isinstance(idx, tuple) else (idx,)
    spec, arrays = [], []
    axis = 0                 # the tensor axis the item indexes (until an Ellipsis makes that unclear)
    for item in items:
        if isinstance(item, Tensor):
            item = item._data
        if item is None:
            spec.append(("n",))
        elif item is Ellipsis:
            spec.append(("e",))
        elif isinstance(item, slice):
            spec.append(("s", _int(item.start), _int(item.stop), _int(item.step)))
        elif isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)):
            spec.append(("i", int(item)))
        else:
            arr = np.asarray(item)
            if arr.dtype == np.bool_:
                _check_mask(arr.shape, shape, axis)
                for part in np.nonzero(arr):
                    spec.append(("a", len(arrays)))
                    arrays.append(part.astype(np.int64))
            elif arr.dtype.kind in "iu":
                spec.append(("a", len(arrays)))
                arrays.append(arr.astype(np.int64))
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        axis = None if axis is None or item is Ellipsis else axis + _width(item)
    return tuple(spec), arrays


def _width(item) -> int:
    """How many tensor axes an index item consumes."""
    if item is None:
        return 0
    return item.ndim if isinstance(item, np.ndarray) and item.dtype == np.bool_ else 1


def _check_mask(mask: tuple, shape: tuple, axis: int | None) -> None:
    if axis is None:
        return
    for j, m in enumerate(mask):
        if axis + j >= len(shape) or shape[axis + j] != m:
            raise IndexError(f"The shape of the mask {list(mask)} at index {j} does not match the shape of the indexed "
                             f"tensor {list(shape)} at index {axis + j}")


def _int(v):
    return None if v is None else int(v)


def _rebuild(spec, arrays) -> tuple:
    out = []
    for item in spec:
        kind = item[0]
        out.append(None if kind == "n" else Ellipsis if kind == "e" else slice(*item[1:]) if kind == "s"
                   else item[1] if kind == "i" else arrays[item[1]])
    return tuple(out)


def _gather(a, *rest):
    spec = rest[-1]
    return a[_rebuild(spec, rest[:-1])]


def _name(spec) -> str:
    """torch applies the index items one by one; the grad_fn is that of the last one that acts."""
    if any(item[0] == "a" for item in spec):
        return "IndexBackward0"
    acting = [item for item in spec if item[0] != "e" and item != ("s", None, None, None)]
    if not acting:
        return "SliceBackward0" if any(item[0] == "s" for item in spec) else "AliasBackward0"
    return {"i": "SelectBackward0", "s": "SliceBackward0", "n": "UnsqueezeBackward0"}[acting[-1][0]]


_OPS = {name: Op(name, _gather, saves=name == "IndexBackward0") for name in (
    "IndexBackward0", "SelectBackward0", "SliceBackward0", "UnsqueezeBackward0", "AliasBackward0")}


def getitem(x, idx):
    """x[idx] as torch evaluates it (a NumPy view for basic indexing, like torch's views)."""
    d = x._data
    spec, arrays = _spec(idx, d.shape)
    try:
        value = d[_rebuild(spec, arrays)]
    except IndexError as err:
        raise IndexError(_torch_index_message(err, spec, d.shape)) from None
    consts = tuple(wrap(a) for a in arrays)
    name = _name(spec)
    out = record(_OPS[name], (x,) + consts, (spec,), value)
    return out if name == "IndexBackward0" else view_of(out, x)      # basic indexing gives a view


def _torch_index_message(err, spec, shape) -> str:
    dims = [item for item in spec if item[0] not in ("n", "e")]
    for axis, item in enumerate(dims):
        if item[0] == "i" and axis < len(shape) and not -shape[axis] <= item[1] < shape[axis]:
            return f"index {item[1]} is out of bounds for dimension {axis} with size {shape[axis]}"
    if len(dims) > len(shape):
        return f"too many indices for tensor of dimension {len(shape)}"
    return str(err).replace(" for axis ", " for dimension ")


def _scatter(a, v, *rest):
    spec = rest[-1]
    return a.at[_rebuild(spec, rest[:-1])].set(v)


COPY_SLICES = Op("CopySlices", _scatter)


def setitem(x, idx, value) -> None:
    """x[idx] = value: in place on the array, or recorded (CopySlices) when gradients flow."""
    d = x._data
    spec, arrays = _spec(idx, d.shape)
    index = _rebuild(spec, arrays)
    v = value if isinstance(value, Tensor) else wrap(np.asarray(value, d.dtype))
    target = _target(d, index, spec)
    if v._data.shape != target.shape:
        check_expand(v._data.shape, target.shape)
    if MODE.enabled and (x._rg or v._rg):
        if x.grad_fn is None and x._rg:    # torch writes through a view of the leaf
            raise torch_error(*E.VIEW_INPLACE)
        check_inplace(x)
        bump_version(x)
        new = d.copy()
        new[index] = v._data
        consts = tuple(wrap(a) for a in arrays)
        out = record(COPY_SLICES, (x, v.to(x.dtype)) + consts, (spec,), new)
        x._data, x.grad_fn, x._rg = out._data, out.grad_fn, out._rg
        rebound(x, d)
        return
    bump_version(x)
    d[index] = v._data


def _target(d: np.ndarray, index: tuple, spec: tuple) -> np.ndarray:
    """The part of `d` that `index` selects (with torch's message when it is out of range)."""
    try:
        return d[index]
    except IndexError as err:
        raise IndexError(_torch_index_message(err, spec, d.shape)) from None


