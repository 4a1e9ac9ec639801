"""TensorMethods, a base class of Tensor: operators, math and in-place methods, delegating to the op table.

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

import functools
from typing import TYPE_CHECKING

import numpy as np

from . import _dtypes, _products, ops, ops_math, ops_shape
from . import _errors as E
from ._graph import MODE, bump_version, check_inplace, rebound
from ._quiet import quiet

if TYPE_CHECKING:
    from .tensor import Tensor

arith = ops.arith


def _operand(fn):
    def method(self, other):
        if isinstance(other, (ops.Tensor, int, float, bool, np.generic)):
            return fn(self, other)
        if isinstance(other, np.ndarray):        # torch takes arrays, but not lists, as operands
            return fn(self, ops.wrap(other))
        return NotImplemented
    return method


def _forward(kind):
    """self <kind> other; one call deep for a tensor or number operand (the hot path of every op)."""
    tensors, scalar = ops.arith_tensors, ops.arith_scalar

    def method(self, other):
        if isinstance(other, ops.Tensor):
            return tensors(kind, self, other)
        if isinstance(other, (int, float, bool, np.generic)):
            return scalar(kind, self, other, False)
        if isinstance(other, np.ndarray):        # torch takes arrays, but not lists, as operands
            return tensors(kind, self, ops.wrap(other))
        return NotImplemented
    return method


def _reflected(kind):
    """other <kind> self, for a number or array on the left (a tensor there calls its own method)."""
    tensors, scalar = ops.arith_tensors, ops.arith_scalar

    def method(self, other):
        if isinstance(other, (int, float, bool, np.generic)):
            return scalar(kind, self, other, True)
        if isinstance(other, np.ndarray):
            return tensors(kind, ops.wrap(other), self)
        if isinstance(other, ops.Tensor):
            return tensors(kind, other, self)
        return NotImplemented
    return method


def _integer_op(fn):
    @quiet
    def method(self, other):
        ops.check_int_divisor(self, other)
        return ops.wrap(fn(self._data, other._data if isinstance(other, ops.Tensor) else other))
    return method


def _comparison(fn):
    return lambda self, other: ops.compare(fn, self, other)


def _logical(logical, bitwise):
    return lambda self, other: ops.compare(logical if self._data.dtype == bool else bitwise, self, other)


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


def _fill_(self: Tensor, value) -> Tensor:
    """Set every element to `value`. Example: ``torch.ones(2).fill_(3.)``."""
    v = value.item() if isinstance(value, ops.Tensor) else value
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


def _inplace_unary(fn):
    return lambda self: _inplace(self, lambda: fn(self))


def _inplace_view(fn):
    """An in-place shape change (unsqueeze_, t_, ...): the tensor takes the new view of its values."""
    def method(self, *args):
        check_inplace(self)
        result, old = fn(self, *args), self._data
        self._data = result._data
        if MODE.enabled and result._rg:
            self.grad_fn, self._rg = result.grad_fn, True
            rebound(self, old)
        return self
    return method


def _new_filled(fill):
    return lambda self, *size, dtype=None: ops.wrap(
        fill(ops_shape.shape_arg(size), _dtypes.to_numpy_dtype(dtype or self.dtype)))


def _new_tensor(self, data, dtype=None, requires_grad=False):
    from .creation import tensor
    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _transposed(self):
    return ops_shape.permute(self, tuple(reversed(range(self._data.ndim))))


class TensorMethods:
    """Tensor's operators, math methods and in-place methods; Tensor inherits them."""

    __slots__ = ()

    # --- operators -----------------------------------------------------------------------------
    __add__, __radd__ = _forward("add"), _reflected("add")
    __sub__, __rsub__ = _forward("sub"), _reflected("sub")
    __mul__, __rmul__ = _forward("mul"), _reflected("mul")
    __pow__, __rpow__ = _forward("pow"), _reflected("pow")
    __truediv__, __rtruediv__ = _forward("div"), _reflected("div")
    __matmul__ = _operand(lambda self, other: _products.matmul(self, ops.as_tensor_operand(other)))
    __rmatmul__ = _operand(lambda self, other: _products.matmul(ops.as_tensor_operand(other), self))
    __neg__ = ops.neg
    __abs__ = ops.abs
    __floordiv__ = _integer_op(np.floor_divide)
    __mod__ = _integer_op(np.mod)
    lt, le, gt, ge = _comparison(np.less), _comparison(np.less_equal), _comparison(np.greater), \
        _comparison(np.greater_equal)
    eq, ne = _comparison(np.equal), _comparison(np.not_equal)
    __lt__, __le__, __gt__, __ge__ = _operand(lt), _operand(le), _operand(gt), _operand(ge)
    __eq__, __ne__ = _operand(eq), _operand(ne)
    __and__ = _logical(np.logical_and, np.bitwise_and)
    __or__ = _logical(np.logical_or, np.bitwise_or)

    def __pos__(self):
        return self

    def __invert__(self):
        return ops.wrap(np.invert(self._data))

    def __hash__(self):
        return id(self)

    # --- math methods --------------------------------------------------------------------------
    exp, log, log1p, expm1 = ops.exp, ops.log, ops.log1p, ops.expm1
    sin, cos, tan, tanh, sinh, cosh, atan = ops.sin, ops.cos, ops.tan, ops.tanh, ops.sinh, ops.cosh, ops.atan
    sqrt, rsqrt, sigmoid, abs, relu, sign = ops.sqrt, ops.rsqrt, ops.sigmoid, ops.abs, ops.relu, ops.sign
    neg, square, maximum, minimum = ops.neg, ops.square, ops.maximum, ops.minimum
    clamp, clamp_min, clamp_max, clip = ops.clamp, ops.clamp_min, ops.clamp_max, ops.clamp
    pow, add, sub, mul, div = ops.pow, ops.add, ops.sub, ops.mul, ops.div  # noqa: A003
    negative, absolute, arctan, multiply, subtract = ops.neg, ops.abs, ops.atan, ops.mul, ops.sub
    divide = true_divide = ops.div
    isnan, logical_not, equal, allclose = ops.isnan, ops.logical_not, ops.equal, ops.allclose
    sum, mean, max, min = ops_shape.sum, ops_shape.mean, ops_shape.max, ops_shape.min  # noqa: A003
    amax, amin, argmax, argmin, prod = ops_shape.amax, ops_shape.amin, ops_shape.argmax, ops_shape.argmin, \
        ops_shape.prod
    var, std, norm = ops_shape.var, ops_shape.std, ops_shape.norm
    softmax, log_softmax, logsumexp = ops_shape.softmax, ops_shape.log_softmax, ops_shape.logsumexp
    reshape, view, flatten, expand, clone = ops_shape.reshape, ops_shape.view, ops_shape.flatten, \
        ops_shape.expand, ops_shape.clone
    squeeze, unsqueeze, permute, transpose, t = ops_shape.squeeze, ops_shape.unsqueeze, ops_shape.permute, \
        ops_shape.transpose, ops_shape.t
    swapaxes = ops_shape.transpose
    movedim = moveaxis = ops_shape.movedim
    matmul, mm, dot, mv, bmm = _products.matmul, _products.mm, _products.dot, _products.mv, _products.bmm
    T = property(_transposed)
    mT = property(lambda self: ops_shape.transpose(self, -2, -1))

    asin, acos, asinh, acosh, atanh = ops_math.asin, ops_math.acos, ops_math.asinh, ops_math.acosh, ops_math.atanh
    arcsin, arccos, arcsinh, arccosh, arctanh = asin, acos, asinh, acosh, atanh
    log2, log10, exp2, reciprocal = ops_math.log2, ops_math.log10, ops_math.exp2, ops_math.reciprocal
    floor, ceil, trunc, fix, frac, round = ops_math.floor, ops_math.ceil, ops_math.trunc, ops_math.fix, \
        ops_math.frac, ops_math.round
    bitwise_and, bitwise_or, bitwise_xor, bitwise_not = ops_math.bitwise_and, ops_math.bitwise_or, \
        ops_math.bitwise_xor, ops_math.bitwise_not
    __xor__ = bitwise_xor
    logical_and, logical_or, logical_xor = ops_math.logical_and, ops_math.logical_or, ops_math.logical_xor
    unique, cross, svd = ops_math.unique, ops_math.cross, ops_math.svd

    def where(self, condition, other):
        return ops.where(condition, self, other)

    def view_as(self, other):
        return ops_shape.view(self, other._data.shape)

    def reshape_as(self, other):
        return ops_shape.reshape(self, other._data.shape)

    def expand_as(self, other):
        return ops_shape.expand(self, other._data.shape)

    def type_as(self, other):
        return self.to(other.dtype)

    def ravel(self):
        return ops_shape.reshape(self, -1)

    def all(self, dim=None, keepdim: bool = False):  # noqa: A003
        return ops_math.all(self, dim, keepdim)

    def any(self, dim=None, keepdim: bool = False):  # noqa: A003
        return ops_math.any(self, dim, keepdim)

    def triu(self, diagonal: int = 0):
        return ops_math.triu(self, diagonal)

    def tril(self, diagonal: int = 0):
        return ops_math.tril(self, diagonal)

    # --- in-place methods ----------------------------------------------------------------------
    add_ = __iadd__ = _inplace_arith("add")
    sub_ = __isub__ = _inplace_arith("sub")
    mul_ = __imul__ = _inplace_arith("mul")
    div_ = __itruediv__ = _inplace_arith("div")
    pow_ = __ipow__ = _inplace_arith("pow")
    fill_, zero_, copy_ = _fill_, _zero_, _copy_
    clamp_ = clip_ = _clamp_
    exp_, log_, sin_, cos_, tanh_ = (_inplace_unary(f) for f in (ops.exp, ops.log, ops.sin, ops.cos, ops.tanh))
    sigmoid_, relu_, abs_, sqrt_, neg_ = (_inplace_unary(f) for f in (ops.sigmoid, ops.relu, ops.abs, ops.sqrt,
                                                                       ops.neg))
    tan_, log1p_, expm1_, rsqrt_, sign_ = (_inplace_unary(f) for f in (ops.tan, ops.log1p, ops.expm1, ops.rsqrt,
                                                                        ops.sign))
    asin_, acos_, floor_, ceil_, trunc_ = (_inplace_unary(f) for f in (ops_math.asin, ops_math.acos, ops_math.floor,
                                                                        ops_math.ceil, ops_math.trunc))
    round_, frac_, reciprocal_, square_ = (_inplace_unary(f) for f in (ops_math.round, ops_math.frac,
                                                                        ops_math.reciprocal, ops.square))

    def clamp_min_(self, min):  # noqa: A002
        return _inplace(self, lambda: ops.clamp_min(self, min))

    def clamp_max_(self, max):  # noqa: A002
        return _inplace(self, lambda: ops.clamp_max(self, max))

    unsqueeze_ = _inplace_view(functools.partial(ops_shape.unsqueeze, _in_place=True))
    squeeze_ = _inplace_view(functools.partial(ops_shape.squeeze, _in_place=True))
    t_ = _inplace_view(functools.partial(ops_shape.t, _in_place=True))
    transpose_ = _inplace_view(functools.partial(ops_shape.transpose, _in_place=True))
    new_tensor = _new_tensor
    new_zeros, new_ones = _new_filled(np.zeros), _new_filled(np.ones)
