"""Names old tutorials still use: torch.autograd.Variable and the typed constructors (torch.LongTensor, ...).

`Variable(t, requires_grad=...)` is, as in torch 2.x, a tensor sharing t's values outside its graph,
and every tensor is an instance of Variable. `torch.LongTensor([1, 2])` builds an int64 tensor,
`torch.FloatTensor(2, 3)` an uninitialized float32 one, and `isinstance(x, torch.FloatTensor)` checks
the dtype, as in torch.

Example:
    >>> import fgrad.torch as torch
    >>> v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    >>> v.requires_grad, isinstance(v, torch.autograd.Variable)
    (True, True)
    >>> torch.LongTensor([1, 2])
    tensor([1, 2])
"""

from __future__ import annotations

import numpy as np

from . import ops
from ._names import TorchClass


class _VariableMeta(TorchClass):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, ops.Tensor)


class Variable(metaclass=_VariableMeta):
    """torch.autograd.Variable: a tensor sharing `data`'s values, outside its graph."""

    _torch_path = "torch.autograd.variable.Variable"

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        out = data.detach()
        out.requires_grad = requires_grad
        return out


class _TypedMeta(TorchClass):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, ops.Tensor) and other._data.dtype == cls._np_dtype


def _typed(name: str, np_dtype) -> type:
    """torch.<name>: builds tensors of one dtype from data or from sizes."""

    def __new__(cls, *args):
        if args and all(isinstance(a, (int, np.integer)) for a in args):
            return ops.wrap(np.zeros(args, cls._np_dtype))
        return ops.wrap(np.asarray(args[0] if args else [], cls._np_dtype))

    return _TypedMeta(name, (), {"__new__": __new__, "_np_dtype": np.dtype(np_dtype), "_torch_path": f"torch.{name}",
                                 "__doc__": f"torch.{name}: a {np.dtype(np_dtype).name} tensor from data or sizes."})


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
CharTensor = _typed("CharTensor", np.int8)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)
