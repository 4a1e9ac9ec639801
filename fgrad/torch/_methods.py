"""Tensor operators, math methods and in-place methods, all delegating to the op table.

In-place methods follow torch: on a leaf that requires grad they are an error (outside no_grad);
on a tensor in a graph they record the op and rebind the tensor to the result; otherwise they write
into the existing array, so views and `.detach()`-ed aliases see the change, as in torch.

Example:
    >>> import fgrad.torch as torch
    >>> w = torch.ones(2, requires_grad=True)
    >>> with torch.no_grad():
    ...     w -= 0.5
    >>> w
    tensor([0.5000, 0.5000], requires_grad=True)
"""

from __future__ import annotations

import numpy as np

from . import _dtypes, _products, ops, ops_shape
from . import _errors as E
from ._graph import MODE, bump_version, check_inplace, rebound
from ._quiet import quiet
from .tensor import Tensor

arith = ops.arith


def _operand(fn):
    def method(self, other):
        if isinstance(other, (Tensor, int, float, bool, np.generic)):
            return fn(self, other)
        if isinstance(other, np.ndarray):        # torch takes arrays, but not lists, as operands
            return fn(self, ops.wrap(other))
        return NotImplemented
    return method


def _reflected(kind):
    return _operand(lambda self, other: arith(kind, other, self))


for _kind in ("add", "sub", "mul", "pow"):
    setattr(Tensor, f"__{_kind}__", _operand(lambda self, other, k=_kind: arith(k, self, other)))
    setattr(Tensor, f"__r{_kind}__", _reflected(_kind))
Tensor.__truediv__ = _operand(lambda self, other: arith("div", self, other))
Tensor.__rtruediv__ = _reflected("div")
Tensor.__matmul__ = _operand(lambda self, other: _products.matmul(self, ops.as_tensor_operand(other)))
Tensor.__rmatmul__ = _operand(lambda self, other: _products.matmul(ops.as_tensor_operand(other), self))
Tensor.__neg__ = ops.neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = ops.abs


def _integer_op(fn):
    @quiet
    def method(self, other):
        ops.check_int_divisor(self, other)
        return ops.wrap(fn(self._data, other._data if isinstance(other, Tensor) else other))
    return method


Tensor.__floordiv__ = _integer_op(np.floor_divide)
Tensor.__mod__ = _integer_op(np.mod)

for _name, _fn in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal),
                   ("eq", np.equal), ("ne", np.not_equal)):
    setattr(Tensor, f"__{_name}__", _operand(lambda self, other, f=_fn: ops.compare(f, self, other)))
    setattr(Tensor, _name, lambda self, other, f=_fn: ops.compare(f, self, other))
Tensor.__and__ = lambda self, other: ops.compare(np.logical_and if self._data.dtype == bool else np.bitwise_and,
                                                 self, other)
Tensor.__or__ = lambda self, other: ops.compare(np.logical_or if self._data.dtype == bool else np.bitwise_or,
                                                self, other)
Tensor.__invert__ = lambda self: ops.wrap(np.invert(self._data))
Tensor.__hash__ = lambda self: id(self)

# --- math methods ------------------------------------------------------------------------------

for _name in ("exp", "log", "log1p", "expm1", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan", "sqrt",
              "rsqrt", "sigmoid", "abs", "relu", "sign", "neg", "square", "clamp", "clamp_min", "clamp_max",
              "maximum", "minimum", "pow", "add", "sub", "mul", "div"):
    setattr(Tensor, _name, getattr(ops, _name))
Tensor.clip = ops.clamp
Tensor.negative = ops.neg
Tensor.absolute = ops.abs
Tensor.arctan = ops.atan
Tensor.multiply = ops.mul
Tensor.divide = Tensor.true_divide = ops.div
Tensor.subtract = ops.sub
Tensor.isnan = ops.isnan
Tensor.logical_not = ops.logical_not
Tensor.equal = ops.equal
Tensor.allclose = ops.allclose
Tensor.where = lambda self, condition, other: ops.where(condition, self, other)
for _name in ("sum", "mean", "max", "min", "amax", "amin", "argmax", "argmin", "prod", "var", "std", "softmax",
              "log_softmax", "logsumexp", "norm", "reshape", "view", "flatten", "squeeze", "unsqueeze", "permute",
              "transpose", "t", "expand", "clone"):
    setattr(Tensor, _name, getattr(ops_shape, _name))
for _name in ("matmul", "mm", "dot", "mv", "bmm"):
    setattr(Tensor, _name, getattr(_products, _name))
Tensor.T = property(lambda self: ops_shape.permute(self, tuple(reversed(range(self._data.ndim)))))
Tensor.mT = property(lambda self: ops_shape.transpose(self, -2, -1))
Tensor.view_as = lambda self, other: ops_shape.view(self, other._data.shape)
Tensor.reshape_as = lambda self, other: ops_shape.reshape(self, other._data.shape)
Tensor.expand_as = lambda self, other: ops_shape.expand(self, other._data.shape)
Tensor.type_as = lambda self, other: self.to(other.dtype)
Tensor.swapaxes = Tensor.transpose
Tensor.ravel = lambda self: ops_shape.reshape(self, -1)
Tensor.all = lambda self, dim=None: ops.wrap(np.all(self._data, axis=dim))
Tensor.any = lambda self, dim=None: ops.wrap(np.any(self._data, axis=dim))
Tensor.norm = ops_shape.norm


# --- in-place methods --------------------------------------------------------------------------

def _inplace(self: Tensor, compute) -> Tensor:
    """Apply an in-place update: recorded and rebound when in a graph, else written into the array.

    Either way the tensor's version goes up first, so nodes that saved it notice, and the node the
    update itself records expects the new version.
    """
    check_inplace(self)
    bump_version(self)
    result = quiet(compute)()
    d, r = self._data, result._data
    if r.shape != d.shape:
        raise RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape {list(r.shape)}")
    if not np.can_cast(r.dtype, d.dtype, "same_kind"):
        raise RuntimeError(f"result type {E.SCALAR_NAMES[r.dtype.name]} can't be cast to the desired output type "
                           f"{E.SCALAR_NAMES[d.dtype.name]}")
    if MODE.enabled and result._rg:
        self._data, self.grad_fn, self._rg = r if r.dtype == d.dtype else r.astype(d.dtype), result.grad_fn, True
        rebound(self, d)
        return self
    if d.ndim == 0 and not d.flags.writeable:
        self._data = d = d.copy()
    np.copyto(d, r, casting="unsafe")
    return self


def _inplace_arith(kind):
    def method(self, other, *, alpha=1):
        if alpha != 1:
            other = arith("mul", other, alpha)
        return _inplace(self, lambda: arith(kind, self, other))
    return method


for _kind, _names in (("add", ("add_", "__iadd__")), ("sub", ("sub_", "__isub__")),
                      ("mul", ("mul_", "__imul__")), ("div", ("div_", "__itruediv__")),
                      ("pow", ("pow_", "__ipow__"))):
    for _name in _names:
        setattr(Tensor, _name, _inplace_arith(_kind))


def _fill_(self: Tensor, value) -> Tensor:
    """Set every element to `value`. Example: ``torch.ones(2).fill_(3.)``."""
    v = value.item() if isinstance(value, Tensor) else value
    return _inplace(self, lambda: ops.wrap(np.full(self._data.shape, v, self._data.dtype)))


def _zero_(self: Tensor) -> Tensor:
    """Set every element to 0 (used as `x.grad.zero_()`). Example: ``torch.ones(2).zero_()``."""
    return _fill_(self, 0)


def _copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copy values from `src` (broadcast) into this tensor. Example: ``w.copy_(torch.zeros(2))``."""
    src = ops.as_tensor_operand(src)
    return _inplace(self, lambda: ops_shape.expand(ops_shape.to_dtype(src, self.dtype), self._data.shape)
                    if src._rg else ops.wrap(np.broadcast_to(src._data, self._data.shape)))


def _clamp_(self: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    return _inplace(self, lambda: ops.clamp(self, min, max))


Tensor.fill_ = _fill_
Tensor.zero_ = _zero_
Tensor.copy_ = _copy_
Tensor.clamp_ = Tensor.clip_ = _clamp_


def _inplace_unary(fn):
    return lambda self: _inplace(self, lambda: fn(self))


for _name in ("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sqrt", "neg"):
    setattr(Tensor, _name + "_", _inplace_unary(getattr(ops, _name)))
Tensor.clamp_min_ = lambda self, min: _inplace(self, lambda: ops.clamp_min(self, min))  # noqa: A006
Tensor.clamp_max_ = lambda self, max: _inplace(self, lambda: ops.clamp_max(self, max))  # noqa: A006
Tensor.new_tensor = lambda self, data, dtype=None, requires_grad=False: __import__(
    "fgrad.torch.creation", fromlist=["tensor"]).tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)
Tensor.new_zeros = lambda self, *size, dtype=None: ops.wrap(
    np.zeros(ops_shape.shape_arg(size), _dtypes.to_numpy_dtype(dtype or self.dtype)))
Tensor.new_ones = lambda self, *size, dtype=None: ops.wrap(
    np.ones(ops_shape.shape_arg(size), _dtypes.to_numpy_dtype(dtype or self.dtype)))
