"""fgrad.torch.Tensor: a NumPy array with torch's autograd attributes, printing and dtype rules.

Example:
    >>> import fgrad.torch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> y = (x * 3).sum()
    >>> y.backward()
    >>> x.grad
    tensor([3., 3.])
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _dtypes, _graph, _indexing, _products, autograd, ops, ops_shape
from . import _errors as E
from ._dtypes import Size
from ._errors import torch_error
from ._methods import TensorMethods
from ._names import TorchClass
from ._printing import format_tensor
from ._random_inplace import RandomMethods


class _Handle:
    """What register_hook returns; `remove()` unregisters the hook."""

    def __init__(self, hooks: list, fn: Callable):
        self.hooks, self.fn = hooks, fn

    def remove(self) -> None:
        if self.fn in self.hooks:
            self.hooks.remove(self.fn)


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more information.")

class Tensor(TensorMethods, RandomMethods, metaclass=TorchClass):
    """A tensor: values (a NumPy array), `requires_grad`, `grad`, `grad_fn`, and torch's methods."""

    _torch_path = "torch.Tensor"

    # _ver: False when in-place changes through it are not counted (torch's .data), else None;
    # _base: the tensor a view was taken from (version counters belong to memory: _graph.bump_version)
    __slots__ = ("_data", "_rg", "_grad", "grad_fn", "_hooks", "_accum", "_ver", "_base", "__weakref__")
    __array_priority__ = 1000

    def __init__(self, *args):
        data = np.zeros(args, np.float32) if args and all(isinstance(a, int) for a in args) else \
            np.asarray(args[0] if args else [], np.float32)
        self._data, self._rg, self._grad, self.grad_fn, self._hooks, self._accum = data, False, None, None, None, None
        self._ver = self._base = None

    _wrap = staticmethod(ops.wrap)

    # --- autograd attributes -------------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want to use a "
                               "computed variable in a subgraph that doesn't require differentiation use "
                               "var_no_grad = var.detach().\nfgrad hint: call .detach() on it instead")
        if value and self._data.dtype.kind != "f":
            raise torch_error(*E.INT_GRAD_INPLACE)
        self._rg = bool(value)

    @property
    def grad(self) -> Tensor | None:
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)     # torch's warning, word for word
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place and return self. Example: ``torch.ones(2).requires_grad_()``."""
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward(). Example: ``y.retain_grad()``."""
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)
            _graph.USED.retained = True
        elif not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def register_hook(self, hook: Callable) -> _Handle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned tensor replaces it.

        Example: ``x.register_hook(lambda g: g * 2)``.
        """
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            _graph.USED.hooks = True
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = []
            hooks = self.grad_fn.hooks
        else:
            if self._hooks is None:
                self._hooks = []
            hooks = self._hooks
        hooks.append(hook)
        return _Handle(hooks, hook)

    def backward(self, gradient=None, retain_graph: bool | None = None, create_graph: bool = False,
                 inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into each leaf's `.grad` (gradient= for non-scalar outputs).

        Example: ``(x ** 2).sum().backward()``.
        """
        autograd.backward(self, gradient, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same values (shared), outside the graph. Example: ``y.detach().requires_grad`` is False."""
        return ops.view_of(ops.wrap(self._data), self)      # torch: in-place changes still count

    @property
    def _version(self) -> int:
        counter = _graph.counter_of(self._data)
        return 0 if counter is None else counter[0]

    def detach_(self) -> Tensor:
        """Detach this tensor from the graph in place. Example: ``y.detach_()``."""
        self.grad_fn, self._rg = None, False
        return self

    @property
    def data(self) -> Tensor:
        out = ops.wrap(self._data)
        out._ver = False           # torch: changes through .data are invisible to autograd
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    # --- conversions ---------------------------------------------------------------------------
    def item(self) -> Any:
        """The single value as a Python number. Example: ``torch.tensor([2.5]).item()`` is ``2.5``."""
        if self._data.size != 1:
            raise torch_error(E.ITEM_MANY[0].format(n=self._data.size), E.ITEM_MANY[1])
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        """Nested Python lists (a number for 0-d). Example: ``torch.tensor([1, 2]).tolist()``."""
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The values as a NumPy array sharing memory. Example: ``torch.ones(2).numpy()``."""
        if self._rg and not force:
            raise torch_error(*E.NUMPY_GRAD)
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise torch_error(*E.NUMPY_GRAD)
        return self._data if dtype is None else self._data.astype(dtype)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self._data.dtype.kind not in "iu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:          # as torch: a 0-d tensor formats as its number
            return format(self.item(), spec)
        return object.__format__(self, spec)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from .forward_ad import repr_state  # forward_ad builds on this module
        dual_only, tangent = repr_state(self)
        suffixes = []
        if dual_only:
            pass                  # torch records no graph for dual tensors: they show their tangent only
        elif self.grad_fn is not None:
            suffixes.append(("grad_fn", f"<{self.grad_fn.name()}>"))
        elif self._rg:
            suffixes.append(("requires_grad", "True"))
        if tangent is not None:
            suffixes.append(("tangent", f"{tangent}"))
        return format_tensor(self._data, dtype=self.dtype.name, suffixes=suffixes)

    __str__ = __repr__

    # --- metadata ------------------------------------------------------------------------------
    @property
    def dtype(self) -> _dtypes.dtype:
        return _dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape, or one size. Example: ``torch.ones(2, 3).size(1)`` is ``3``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[ops_shape.dims(dim, self._data.ndim)[0]]

    ndim = property(lambda self: self._data.ndim)
    device = property(lambda self: _dtypes.device("cpu"))
    is_cuda = False
    layout = "torch.strided"

    def dim(self) -> int:
        """Number of axes. Example: ``torch.ones(2, 3).dim()`` is ``2``."""
        return self._data.ndim

    def numel(self) -> int:
        """Number of elements. Example: ``torch.ones(2, 3).numel()`` is ``6``."""
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def contiguous(self) -> Tensor:
        return self if self._data.flags.c_contiguous else ops_shape.clone(self)

    def stride(self, dim: int | None = None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[dim]

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def to(self, *args, **kwargs) -> Tensor:
        """Convert dtype; the CPU is the only device (others raise as a CPU-only torch does).

        Example: ``x.to(torch.float64)``, ``x.to("cpu")``.
        """
        dt = kwargs.get("dtype")
        _dtypes.check_device(kwargs.get("device"))
        for a in args:
            if isinstance(a, (_dtypes.dtype, type, np.dtype)):
                dt = a
            elif isinstance(a, Tensor):
                dt = a.dtype
            elif isinstance(a, (str, _dtypes.device)):
                _dtypes.check_device(a)
        return self if dt is None else ops_shape.to_dtype(self, dt)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args, **kwargs) -> Tensor:
        raise AssertionError(_dtypes.NO_CUDA)

    def type(self, dtype=None):
        if dtype is None:
            return f"torch.{E.SCALAR_NAMES[self.dtype.name]}Tensor"
        return self.to(dtype)

    def float(self) -> Tensor:  # noqa: A003
        return ops_shape.to_dtype(self, _dtypes.float32)

    def double(self) -> Tensor:
        return ops_shape.to_dtype(self, _dtypes.float64)

    def half(self) -> Tensor:
        return ops_shape.to_dtype(self, _dtypes.float16)

    def long(self) -> Tensor:
        return ops_shape.to_dtype(self, _dtypes.int64)

    def int(self) -> Tensor:  # noqa: A003
        return ops_shape.to_dtype(self, _dtypes.int32)

    def bool(self) -> Tensor:  # noqa: A003
        return ops_shape.to_dtype(self, _dtypes.bool)

    # --- indexing ------------------------------------------------------------------------------
    def __getitem__(self, idx):
        return _indexing.getitem(self, idx)

    def __setitem__(self, idx, value):
        _indexing.setitem(self, idx, value)


def _check_grad(t: Tensor, g) -> None:
    """torch's checks when `.grad` is assigned: a Tensor of the tensor's size and dtype."""
    if not isinstance(g, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(g).__name__}")
    if g._data.shape != t._data.shape:
        raise torch_error(f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of size "
                          f"'{list(t._data.shape)}'. Please ensure that the gradient and the tensor are the same size",
                          "assign a gradient shaped like the tensor, e.g. torch.zeros_like(x)")
    if g._data.dtype != t._data.dtype:
        raise torch_error(
            f"attempting to assign a gradient with dtype '{E.CPP_NAMES[g.dtype.name]}' to a tensor with grad_dtype "
            f"'{E.SCALAR_NAMES[t.dtype.name]}'. The gradient must match the tensor's grad_dtype (defaults to the "
            "tensor's dtype). You can set the tensor's grad_dtype attribute with a specific dtype, or None to allow "
            "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
            "downstream systems that assume they match.", "convert it first, e.g. g.to(x.dtype)")


ops.Tensor = ops_shape.Tensor = _products.Tensor = _indexing.Tensor = autograd.Tensor = Tensor
