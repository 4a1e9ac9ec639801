"""torch.nn modules: Module, Parameter, Linear, Sequential, activations and losses.

Example:
    >>> import fgrad.torch as torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU())
    >>> model
    Sequential(
      (0): Linear(in_features=3, out_features=4, bias=True)
      (1): ReLU()
    )
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from .. import ops
from ..creation import empty
from ..tensor import Tensor
from . import functional as F


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a Module registers as a parameter.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Parameter(torch.ones(2))
        Parameter containing:
        tensor([1., 1.], requires_grad=True)
    """

    _torch_path = "torch.nn.parameter.Parameter"

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True):
        p = object.__new__(cls)
        array = data._data if data is not None else np.zeros(0, np.float32)
        p._data, p._rg, p._grad, p.grad_fn, p._hooks, p._accum = array, False, None, None, None, None
        p._ver = p._base = None
        p.requires_grad = requires_grad
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__


class Module:
    """Base class of layers and models: parameters, children, train/eval, state_dict, and calling.

    Example:
        >>> import fgrad.torch as torch
        >>> class Net(torch.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = torch.nn.Linear(2, 1)
        ...     def forward(self, x):
        ...         return self.fc(x)
        >>> len(list(Net().parameters()))
        2
    """

    def __init__(self, *args, **kwargs):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign before Module.__init__() call")
        for table in (self._parameters, self._modules, self._buffers):
            table.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        for table in ("_parameters", "_modules", "_buffers"):
            found = self.__dict__.get(table, {})
            if name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._modules, self._buffers):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        self._buffers[name] = tensor

    def add_module(self, name: str, module: Module | None) -> None:
        self._modules[name] = module

    register_module = add_module

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- traversal ------------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix: str = "") -> Iterator:
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator:
        return (m for _, m in self.named_modules())

    def named_children(self) -> Iterator:
        return ((n, m) for n, m in self._modules.items() if m is not None)

    def children(self) -> Iterator:
        return (m for _, m in self.named_children())

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator:
        """(name, parameter) pairs, each parameter once. Example: ``dict(model.named_parameters())``."""
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, module in modules:
            for name, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator:
        """All parameters. Example: ``torch.optim.SGD(model.parameters(), lr=0.1)``."""
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "") -> Iterator:
        for mod_prefix, module in self.named_modules(prefix=prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self) -> Iterator:
        return (b for _, b in self.named_buffers())

    # --- state ----------------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to None by default, as torch 2)."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    p.grad._data = np.zeros_like(p.grad._data)

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> Module:
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, **kwargs) -> Module:
        from .. import _dtypes
        for where in [kwargs.get("device"), *(a for a in args if isinstance(a, (str, _dtypes.device)))]:
            _dtypes.check_device(where)
        dtype = kwargs.get("dtype") or next((a for a in args if hasattr(a, "is_floating_point")), None)
        if dtype is not None:            # floating parameters and buffers take the dtype, as in torch
            for t in [*self.parameters(), *(b for _, b in self.named_buffers() if b is not None)]:
                if t._data.dtype.kind == "f":
                    t._data = t._data.astype(dtype.np)
        return self

    def float(self) -> Module:  # noqa: A003
        from .. import _dtypes
        return self.to(_dtypes.float32)

    def double(self) -> Module:
        from .. import _dtypes
        return self.to(_dtypes.float64)

    def cpu(self) -> Module:
        return self

    def state_dict(self, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Parameters and buffers by dotted name (detached tensors sharing memory)."""
        out = OrderedDict()
        for name, p in self.named_parameters(prefix):
            out[name] = p if keep_vars else p.detach()
        for name, b in self.named_buffers(prefix):
            out[name] = b
        return out

    def load_state_dict(self, state_dict: dict, strict: bool = True, assign: bool = False):
        """Copy values from `state_dict` into the parameters (missing/unexpected keys are an error);
        with `assign`, the module takes the state dict's tensors themselves."""
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               f"Missing key(s) in state_dict: {missing}. Unexpected key(s): {unexpected}.")
        for k, v in state_dict.items():
            if k in own:
                value = np.asarray(v._data if isinstance(v, Tensor) else v, own[k]._data.dtype)
                if value.shape != own[k]._data.shape:
                    raise RuntimeError(f"size mismatch for {k}: copying a param with shape {list(value.shape)} "
                                       f"from checkpoint, the shape in current model is "
                                       f"{list(own[k]._data.shape)}.")
                if assign and isinstance(v, Tensor):
                    self._assign(k, v, own[k])
                else:
                    own[k]._data = value.copy()
        return _IncompatibleKeys(missing, unexpected)

    def _assign(self, key: str, value: Tensor, current: Tensor) -> None:
        """load_state_dict(assign=True): the module keeps the state dict's tensor itself (its storage and
        dtype), as a Parameter with the current one's requires_grad where a parameter was."""
        *path, name = key.split(".")
        owner = self
        for part in path:
            owner = owner._modules[part]
        if isinstance(current, Parameter) and not isinstance(value, Parameter):
            value = Parameter(value, requires_grad=current.requires_grad)
        setattr(owner, name, value)

    # --- printing -------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self):
        lines = [line for line in self.extra_repr().split("\n") if line]
        for name, child in self._modules.items():
            text = repr(child).replace("\n", "\n  ")
            lines.append(f"({name}): {text}")
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class _IncompatibleKeys(tuple):
    def __new__(cls, missing, unexpected):
        return super().__new__(cls, (missing, unexpected))

    missing_keys = property(lambda self: self[0])
    unexpected_keys = property(lambda self: self[1])

    def __repr__(self):
        if not self[0] and not self[1]:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self[0]}, unexpected_keys={self[1]})"


class Linear(Module):
    """y = x @ weight.T + bias, initialised as torch does (uniform in ±1/sqrt(in_features)).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Linear(3, 2)
        Linear(in_features=3, out_features=2, bias=True)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(empty(out_features, in_features, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's draws in torch's order: kaiming_uniform_(weight, a=sqrt(5)), then the bias."""
        from . import init
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied in order; index, iterate and len() like a list.

    Example:
        >>> import fgrad.torch as torch
        >>> len(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()))
        2
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], (dict, OrderedDict)):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    def forward(self, input):  # noqa: A002
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, idx):
        items = list(self._modules.values())
        return Sequential(*items[idx]) if isinstance(idx, slice) else items[idx]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent registers."""

    def __init__(self, modules=None):
        super().__init__()
        for m in modules or ():
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), module)
        return self

    def __getitem__(self, idx):
        return list(self._modules.values())[idx]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


class ModuleDict(Module):
    """A dict of modules, in insertion order, whose parameters the parent registers (torch.nn.ModuleDict).

    Args:
        modules: a mapping or an iterable of (name, module) pairs.

    Example:
        >>> import fgrad.torch as torch
        >>> layers = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 2)})
        >>> layers["b"] = torch.nn.ReLU()
        >>> list(layers), len(dict(layers.named_parameters()))
        (['a', 'b'], 2)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules) -> None:
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module


def _simple(name: str, fn, doc: str):
    def forward(self, input):  # noqa: A002
        return fn(input)
    cls = type(name, (Module,), {"forward": forward, "__doc__": doc})
    return cls


ReLU = _simple("ReLU", ops.relu, "max(x, 0) elementwise. Example: ``torch.nn.ReLU()(torch.tensor([-1.]))``.")
Sigmoid = _simple("Sigmoid", ops.sigmoid, "1 / (1 + exp(-x)). Example: ``torch.nn.Sigmoid()(torch.zeros(1))``.")
Tanh = _simple("Tanh", ops.tanh, "tanh(x). Example: ``torch.nn.Tanh()(torch.zeros(1))``.")
Identity = _simple("Identity", lambda x: x, "Returns its input. Example: ``torch.nn.Identity()(x)``.")
for _cls in (ReLU, Sigmoid, Tanh, Identity):
    _cls.__init__ = lambda self, *args, **kwargs: Module.__init__(self)


class DataParallel(Module):
    """torch.nn.DataParallel as a CPU-only torch build has it: no device to split over, so `forward` calls
    the wrapped module, and the wrapper prints as ``DataParallel((module): ...)``.

    Args:
        module: the module to wrap.
        device_ids, output_device, dim: accepted for torch's signature (no accelerator exists here).

    Example:
        >>> import fgrad.torch as torch
        >>> net = torch.nn.DataParallel(torch.nn.Linear(2, 1))
        >>> net.device_ids, net(torch.ones(3, 2)).shape
        ([], torch.Size([3, 1]))
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
