"""The op table: each torch op is its grad_fn name plus its definition in fgrad.numpy operations.

Values are computed eagerly with NumPy; when grad mode is on and an input requires grad, a Node
holding the op's fgrad definition is recorded. Reverse mode differentiates that definition, so there
are no derivative rules here. A scalar operand is a static parameter of the node; where torch's
gradient convention differs from the plain math (clamp at its bounds), the definition is written so
that its fgrad derivative is torch's.

Example:
    >>> import fgrad.torch as torch
    >>> torch.mul(torch.ones(2, requires_grad=True), 3).grad_fn.name()
    'MulBackward0'
"""

from __future__ import annotations

import operator

import numpy as np

from .. import nn as fnn
from .. import numpy as fnp
from ..backends import blocks
from . import _dtypes
from ._errors import torch_error
from ._graph import MODE, Op
from ._node_backward import forget_unread
from ._out import accepts_out
from ._quiet import enter, leave, quiet
from .profiler import RECORDER

Tensor = None          # set by fgrad.torch.tensor
_new = object.__new__


def wrap(value) -> Tensor:
    """A Tensor holding `value` (a NumPy array or scalar), outside any graph."""
    if type(value) is not np.ndarray:
        value = np.asarray(value)
    t = _new(Tensor)
    t._data, t._rg, t._grad, t.grad_fn, t._hooks, t._accum, t._ver, t._base = \
        value, False, None, None, None, None, None, None
    return t


def record(op: Op, inputs: tuple, params: tuple, value) -> Tensor:
    """The result tensor of `op`; records a node when grad mode is on and an input requires grad."""
    if type(value) is not np.ndarray:
        value = np.asarray(value)
    out = _new(Tensor)
    out._data, out._rg, out._grad, out.grad_fn, out._hooks, out._accum, out._ver, out._base = \
        value, False, None, None, None, None, None, None
    if RECORDER.active is not None:
        RECORDER.active.event(op.name)
    if MODE.enabled:
        if len(inputs) == 1:              # most ops: no loop, no helper call
            a = inputs[0]
            if a._rg:
                out.grad_fn = node = op.node_cls(op, params, (a._data,), (a.grad_fn or a,), value)
                out._rg = True
                forget_unread(node)
            return out
        for t in inputs:
            if t._rg:
                out.grad_fn = node = op.node_cls(op, params, *_edges(inputs), value)
                out._rg = True
                forget_unread(node)
                break
    return out


def _edges(inputs: tuple) -> tuple:
    """(input values, input sources) of a node of two or more inputs; two (nearly all) skip the loops."""
    if len(inputs) == 2:
        a, b = inputs
        return (a._data, b._data), (a.grad_fn or (a if a._rg else None), b.grad_fn or (b if b._rg else None))
    return tuple([i._data for i in inputs]), tuple([i.grad_fn or (i if i._rg else None) for i in inputs])


def view_of(out: Tensor, base: Tensor) -> Tensor:
    """Make `out` a view of `base` as torch does (the memory, so the version counter, is shared)."""
    out._base = base._base if base._base is not None else base
    return out


def as_tensor_operand(x, like=None) -> Tensor:
    """A Tensor for an operand that may be a Python number (0-d, torch's dtype for it)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return wrap(x)
    dt = _dtypes._scalar_dtype(x) if like is None else _dtypes.result_type((like, x))
    return wrap(np.asarray(x, dt))


def _scalar(x):
    """A Python number for a scalar operand (NumPy scalars become Python ones: torch's weak scalars)."""
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, (int, float, bool)):
        return x
    raise TypeError(f"unsupported operand type for a tensor operation: '{type(x).__name__}'")


def _floating(dt: np.dtype) -> np.dtype:
    return dt if dt.kind == "f" else _dtypes.DEFAULT_FLOAT[0].np


# --- binary arithmetic -------------------------------------------------------------------------
# tt: tensor-tensor (dt: the common dtype both are cast to), ts: tensor-scalar, st: scalar-tensor.

ADD = Op("AddBackward0", lambda a, b, dt: a.astype(dt) + b.astype(dt), saves=False)
ADD_S = Op("AddBackward0", lambda a, s: a + s, saves=False, scalar_edge=True)
ADD_ALPHA = Op("AddBackward0", lambda a, b, dt, alpha: a.astype(dt) + b.astype(dt) * alpha, saves=False)
SUB = Op("SubBackward0", lambda a, b, dt: a.astype(dt) - b.astype(dt), saves=False)
SUB_S = Op("SubBackward0", lambda a, s: a - s, saves=False, scalar_edge=True)
RSUB_S = Op("RsubBackward1", lambda a, s: s - a, saves=False)
SUB_ALPHA = Op("SubBackward0", lambda a, b, dt, alpha: a.astype(dt) - b.astype(dt) * alpha, saves=False)
MUL = Op("MulBackward0", lambda a, b, dt: a.astype(dt) * b.astype(dt))
MUL_S = Op("MulBackward0", lambda a, s: a * s, scalar_edge=True)
DIV = Op("DivBackward0", lambda a, b, dt: a.astype(dt) / b.astype(dt))
DIV_S = Op("DivBackward0", lambda a, s: a / s, scalar_edge=True)
RDIV_S = Op("MulBackward0", lambda a, s: s / a)            # torch: s * reciprocal(a, scalar_edge=True)
POW = Op("PowBackward1", lambda a, b, dt: fnp.power(a.astype(dt), b.astype(dt)))
POW_S = Op("PowBackward0", lambda a, s: fnp.power(a, s))
RPOW_S = Op("PowBackward2", lambda a, s: fnp.power(s, a))

_ARITH = {
    "add": (operator.add, ADD, ADD_S, ADD_S),
    "sub": (operator.sub, SUB, SUB_S, RSUB_S),
    "mul": (operator.mul, MUL, MUL_S, MUL_S),
    "div": (operator.truediv, DIV, DIV_S, RDIV_S),
    "pow": (operator.pow, POW, POW_S, RPOW_S),
}
_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}   # write in place


def _large(fn, kind: str, *operands):
    """`fn(*operands)` for a large tensor: in pieces on every thread (NumPy's bits), as torch's
    kernels split it (`fgrad.backends.blocks`)."""
    return blocks.elementwise(_UFUNCS.get(kind, fn), *operands)


def arith(kind: str, x, y):
    """x <kind> y for Tensors and Python numbers, with torch's promotion and grad_fn names."""
    if isinstance(x, Tensor):
        return arith_tensors(kind, x, y) if isinstance(y, Tensor) else arith_scalar(kind, x, y, False)
    return arith_scalar(kind, y, x, True)


def arith_tensors(kind: str, x: Tensor, y: Tensor) -> Tensor:
    """x <kind> y for two Tensors (arith's case, called directly by the operators).

    Example: ``arith_tensors("mul", torch.ones(2), torch.ones(2))`` is ``tensor([1., 1.])``.
    """
    fn, op_tt = _ARITH[kind][:2]
    xd, yd = x._data, y._data
    dt = xd.dtype if xd.dtype == yd.dtype else _dtypes.result_type((x, y))
    if kind == "div" and dt.kind != "f":
        dt = _dtypes.DEFAULT_FLOAT[0].np
    if xd.dtype != dt:
        xd = xd.astype(dt)
    if yd.dtype != dt:
        yd = yd.astype(dt)
    if xd.shape != yd.shape:
        check_broadcast(xd.shape, yd.shape)
    token = enter()
    try:
        value = fn(xd, yd) if xd.size < blocks.REGION_MIN else _large(fn, kind, xd, yd)
    finally:
        leave(token)
    return record(op_tt, (x, y), (dt,), value)


def arith_scalar(kind: str, t: Tensor, s, swapped: bool) -> Tensor:
    """t <kind> s (s <kind> t when `swapped`) for a Tensor and a number (called directly by the
    operators). Example: ``arith_scalar("sub", torch.ones(2), 3.0, True)`` is ``tensor([2., 2.])``.
    """
    fn, _, op_ts, op_st = _ARITH[kind]
    if type(s) is not float:              # a Python float (the usual operand) is already one
        s = _scalar(s)
    d = t._data
    dt = d.dtype
    if dt.kind != "f":
        dt = _dtypes.result_type((t, s))
        if kind == "div" and dt.kind != "f":
            dt = _dtypes.DEFAULT_FLOAT[0].np
        d = d.astype(dt)
    if d.size >= blocks.REGION_MIN:
        token = enter()
        try:
            value = _large(fn, kind, s, d) if swapped else _large(fn, kind, d, s)
        finally:
            leave(token)
    elif dt.itemsize >= 4 and _never_warns(kind, s):
        value = fn(s, d) if swapped else fn(d, s)
    else:
        token = enter()
        try:
            value = fn(s, d) if swapped else fn(d, s)
        finally:
            leave(token)
    if value.dtype != dt:
        value = value.astype(dt)
    return record(op_st if swapped else op_ts, (t,), (s,), value)


def broadcast_checked(*shapes: tuple) -> tuple:
    """The common shape of operands, with torch's error for the first pair that does not broadcast."""
    out = shapes[0]
    for s in shapes[1:]:
        if s != out:
            check_broadcast(out, s)
            out = np.broadcast_shapes(out, s)
    return out


def _never_warns(kind: str, s) -> bool:
    """Whether x <kind> s with a float32/float64 x cannot raise a floating-point warning, so the error
    state need not be set (a sixth of a small op): adding or subtracting |s| <= 1 never overflows (half
    an ulp at the largest float is far above 1) and never makes inf - inf; multiplying by 0 < |s| <= 1
    never overflows and never makes 0 * inf. NaN fails every comparison here."""
    if kind == "mul":
        return 0 < s <= 1 or -1 <= s < 0
    return (kind == "add" or kind == "sub") and -1 <= s <= 1


def check_broadcast(a: tuple, b: tuple) -> None:
    """torch's wording when two shapes do not broadcast."""
    for i in range(1, min(len(a), len(b)) + 1):
        if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[-i]}) must match the size of tensor b ({b[-i]}) "
                               f"at non-singleton dimension {max(len(a), len(b)) - i}")


@accepts_out
@quiet
def add(input, other, *, alpha=1) -> Tensor:  # noqa: A002 - torch's argument names
    """input + alpha * other. Example: ``torch.add(torch.ones(2), 1)`` is ``tensor([2., 2.])``."""
    if alpha == 1:
        return arith("add", input, other)
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        dt = _dtypes.result_type((input, other))
        return record(ADD_ALPHA, (input, other), (dt, alpha), input._data.astype(dt) + other._data.astype(dt) * alpha)
    return arith("add", input, arith("mul", other, alpha))


@accepts_out
@quiet
def sub(input, other, *, alpha=1) -> Tensor:  # noqa: A002
    """input - alpha * other. Example: ``torch.sub(torch.ones(2), 1)`` is ``tensor([0., 0.])``."""
    if alpha == 1:
        return arith("sub", input, other)
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        dt = _dtypes.result_type((input, other))
        return record(SUB_ALPHA, (input, other), (dt, alpha), input._data.astype(dt) - other._data.astype(dt) * alpha)
    return arith("sub", input, arith("mul", other, alpha))


@accepts_out
def mul(input, other) -> Tensor:  # noqa: A002
    """Elementwise product. Example: ``torch.mul(torch.ones(2), 3)`` is ``tensor([3., 3.])``."""
    return arith("mul", input, other)


@accepts_out
@quiet
def div(input, other, *, rounding_mode=None) -> Tensor:  # noqa: A002
    """True division (integers give floats). Example: ``torch.div(torch.ones(2), 2)``."""
    if rounding_mode is not None:
        check_int_divisor(input, other)
        with_grad = arith("div", input, other)
        rounded = np.floor(with_grad._data) if rounding_mode == "floor" else np.trunc(with_grad._data)
        dt = _dtypes.result_type((input, other))
        return wrap(rounded.astype(dt))
    return arith("div", input, other)


def check_int_divisor(x, y) -> None:
    """torch raises for an integer division by zero (floats give inf and nan)."""
    a = x._data if isinstance(x, Tensor) else np.asarray(x)
    b = y._data if isinstance(y, Tensor) else np.asarray(y)
    if a.dtype.kind in "iub" and b.dtype.kind in "iub" and not np.all(b):
        raise torch_error("ZeroDivisionError", "integer division by zero has no value; divide floats (x.float()) "
                                               "or mask the zeros first", RuntimeError)


@accepts_out
def pow(input, exponent) -> Tensor:  # noqa: A001
    """input ** exponent. Example: ``torch.pow(torch.tensor([2.]), 3)`` is ``tensor([8.])``."""
    return arith("pow", input, exponent)


def square(input) -> Tensor:  # noqa: A002
    """input ** 2 (torch records PowBackward0). Example: ``torch.square(torch.tensor([3.]))``."""
    return arith("pow", input, 2)


NEG = Op("NegBackward0", lambda a: -a, saves=False)


@quiet
def neg(input) -> Tensor:  # noqa: A002
    """-input. Example: ``torch.neg(torch.ones(1))`` is ``tensor([-1.])``."""
    d = input._data
    return record(NEG, (input,), (), -d if d.size < blocks.REGION_MIN else blocks.elementwise(np.negative, d))


# --- unary math --------------------------------------------------------------------------------

def _unary_op(grad_fn: str, fgrad_fn, numpy_fn, doc_name: str, saves_out: bool = False):
    op = Op(grad_fn, fgrad_fn, saves_out=saves_out)

    def apply(input) -> Tensor:  # noqa: A002
        d = input._data
        if d.dtype.kind != "f":
            d = d.astype(_dtypes.DEFAULT_FLOAT[0].np)
        token = enter()
        try:   # a large tensor is computed in pieces on every thread, as torch's kernels split it
            value = numpy_fn(d) if d.size < blocks.REGION_MIN else blocks.elementwise(numpy_fn, d)
        finally:
            leave(token)
        return record(op, (input,), (), value)

    apply.__name__ = apply.__qualname__ = doc_name
    apply.__doc__ = (f"Elementwise {doc_name}, recorded for backward as PyTorch's {grad_fn}.\n\n"
                     "Args:\n    input: a tensor; an integer or bool one is computed in the default float dtype.\n\n"
                     f"Returns:\n    A new tensor, {doc_name} of every entry.\n\n"
                     "Example:\n    >>> import fgrad.torch as torch\n"
                     f"    >>> torch.{doc_name}(torch.tensor([0.5], requires_grad=True)).grad_fn.name()\n"
                     f"    '{grad_fn}'\n")
    apply.op = op
    return apply


def _sigmoid_np(d):
    from ..primitives.elementwise import _logistic
    return _logistic(d)


exp = _unary_op("ExpBackward0", fnp.exp, np.exp, "exp", saves_out=True)
log = _unary_op("LogBackward0", fnp.log, np.log, "log")
log1p = _unary_op("Log1PBackward0", fnp.log1p, np.log1p, "log1p")
expm1 = _unary_op("Expm1Backward0", fnp.expm1, np.expm1, "expm1", saves_out=True)
sin = _unary_op("SinBackward0", fnp.sin, np.sin, "sin")
cos = _unary_op("CosBackward0", fnp.cos, np.cos, "cos")
tan = _unary_op("TanBackward0", fnp.tan, np.tan, "tan")
tanh = _unary_op("TanhBackward0", fnp.tanh, np.tanh, "tanh", saves_out=True)
sinh = _unary_op("SinhBackward0", fnp.sinh, np.sinh, "sinh")
cosh = _unary_op("CoshBackward0", fnp.cosh, np.cosh, "cosh")
atan = _unary_op("AtanBackward0", fnp.arctan, np.arctan, "atan")
sqrt = _unary_op("SqrtBackward0", fnp.sqrt, np.sqrt, "sqrt", saves_out=True)
rsqrt = _unary_op("RsqrtBackward0", lambda a: 1 / fnp.sqrt(a), lambda d: 1 / np.sqrt(d), "rsqrt", saves_out=True)
sigmoid = _unary_op("SigmoidBackward0", fnn.sigmoid, _sigmoid_np, "sigmoid", saves_out=True)

# torch's derivative of abs and relu at 0 is 0; written so that fgrad's derivative is exactly that
# (sign() contributes no derivative, so d(a * sign(a)) = sign(a), which is 0 at 0)
ABS = Op("AbsBackward0", lambda a: a * fnp.sign(a))
RELU = Op("ReluBackward0", lambda a: fnp.where(a > 0, a, 0.0), saves_out=True)
SIGN = Op("SignBackward0", fnp.sign)


@quiet
def abs(input) -> Tensor:  # noqa: A001
    """|input|; its gradient at 0 is 0. Example: ``torch.abs(torch.tensor([-2.]))``."""
    return record(ABS, (input,), (), np.abs(input._data))


@quiet
def relu(input) -> Tensor:  # noqa: A002
    """max(input, 0); gradient 0 at 0. Example: ``torch.relu(torch.tensor([-1., 2.]))``."""
    d = input._data
    return record(RELU, (input,), (), np.maximum(d, d.dtype.type(0)))


@quiet
def sign(input) -> Tensor:  # noqa: A002
    """Sign of each element (gradient 0). Example: ``torch.sign(torch.tensor([-2.]))``."""
    return record(SIGN, (input,), (), np.sign(input._data))


# clamp passes the gradient where lo <= x <= hi, bounds included (torch's convention).
CLAMP = Op("ClampBackward1", lambda a, lo, hi: fnp.where(a >= lo, fnp.where(a <= hi, a, hi), lo))
CLAMP_MIN = Op("ClampMinBackward0", lambda a, lo: fnp.where(a >= lo, a, lo))
CLAMP_MAX = Op("ClampMaxBackward0", lambda a, hi: fnp.where(a <= hi, a, hi))
CLAMP_MIN1 = Op("ClampBackward1", CLAMP_MIN.fn)
CLAMP_MAX1 = Op("ClampBackward1", CLAMP_MAX.fn)


@quiet
def clamp(input, min=None, max=None) -> Tensor:  # noqa: A002
    """Limit to [min, max]; the gradient passes at the bounds, as in torch. Example: ``x.clamp(0, 1)``."""
    d = input._data
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = input if min is None else maximum(input, min)
        return lo if max is None else minimum(lo, max)
    if max is None:
        return record(CLAMP_MIN1, (input,), (_scalar(min),), np.maximum(d, d.dtype.type(min)))
    if min is None:
        return record(CLAMP_MAX1, (input,), (_scalar(max),), np.minimum(d, d.dtype.type(max)))
    lo, hi = _scalar(min), _scalar(max)
    return record(CLAMP, (input,), (lo, hi), np.minimum(np.maximum(d, d.dtype.type(lo)), d.dtype.type(hi)))


clip = clamp


@quiet
def clamp_min(input, min) -> Tensor:  # noqa: A002
    """max(input, min) with the gradient passed at the bound. Example: ``torch.clamp_min(x, 0.0)``."""
    d = input._data
    return record(CLAMP_MIN, (input,), (_scalar(min),), np.maximum(d, d.dtype.type(min)))


@quiet
def clamp_max(input, max) -> Tensor:  # noqa: A002
    """min(input, max) with the gradient passed at the bound. Example: ``torch.clamp_max(x, 1.0)``."""
    d = input._data
    return record(CLAMP_MAX, (input,), (_scalar(max),), np.minimum(d, d.dtype.type(max)))


WHERE = Op("WhereBackward0", lambda c, a, b, dt: fnp.where(c, a.astype(dt), b.astype(dt)))


@quiet
def where(condition, input=None, other=None) -> Tensor:  # noqa: A002
    """Pick `input` where `condition` holds, else `other`. Example: ``torch.where(x > 0, x, 0.)``."""
    if input is None and other is None:
        return tuple(wrap(i) for i in np.nonzero(condition._data))
    dt = _dtypes.result_type([v for v in (input, other)])
    a, b = as_tensor_operand(input, other), as_tensor_operand(other, input)
    cond = condition._data.astype(bool)
    broadcast_checked(cond.shape, a._data.shape, b._data.shape)
    value = np.where(cond, a._data.astype(dt), b._data.astype(dt))
    return record(WHERE, (as_tensor_operand(condition), a, b), (dt,), value)


MAXIMUM = Op("MaximumBackward0", lambda a, b, dt: fnp.maximum(a.astype(dt), b.astype(dt)))
MINIMUM = Op("MinimumBackward0", lambda a, b, dt: fnp.minimum(a.astype(dt), b.astype(dt)))


@quiet
def maximum(input, other) -> Tensor:  # noqa: A002
    """Elementwise max; ties split the gradient evenly (torch). Example: ``torch.maximum(a, b)``."""
    a, b = as_tensor_operand(input), as_tensor_operand(other, input)
    dt = _dtypes.result_type((a, b))
    broadcast_checked(a._data.shape, b._data.shape)
    return record(MAXIMUM, (a, b), (dt,), np.maximum(a._data.astype(dt), b._data.astype(dt)))


@quiet
def minimum(input, other) -> Tensor:  # noqa: A002
    """Elementwise min; ties split the gradient evenly (torch). Example: ``torch.minimum(a, b)``."""
    a, b = as_tensor_operand(input), as_tensor_operand(other, input)
    dt = _dtypes.result_type((a, b))
    broadcast_checked(a._data.shape, b._data.shape)
    return record(MINIMUM, (a, b), (dt,), np.minimum(a._data.astype(dt), b._data.astype(dt)))


# --- comparisons (no gradient) -----------------------------------------------------------------

def compare(fn, x, y) -> Tensor:
    """A boolean tensor from a NumPy comparison (never recorded: comparisons have no gradient)."""
    a = x._data if isinstance(x, Tensor) else x
    b = y._data if isinstance(y, Tensor) else y
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape != b.shape:
        check_broadcast(a.shape, b.shape)
    return wrap(fn(a, b))


def eq(input, other) -> Tensor:  # noqa: A002
    """Elementwise ==. Example: ``torch.eq(torch.ones(2), 1)`` is ``tensor([True, True])``."""
    return compare(np.equal, input, other)


def logical_not(input) -> Tensor:  # noqa: A002
    """Elementwise not. Example: ``torch.logical_not(torch.tensor([True]))``."""
    return wrap(np.logical_not(input._data))


def isnan(input) -> Tensor:  # noqa: A002
    """Elementwise NaN test. Example: ``torch.isnan(torch.tensor([0.]))``."""
    return wrap(np.isnan(input._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:  # noqa: A002
    """Whether all elements are close. Example: ``torch.allclose(torch.ones(1), torch.ones(1))``."""
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input, other) -> bool:  # noqa: A002
    """Same shape and values. Example: ``torch.equal(torch.ones(1), torch.ones(1))`` is ``True``."""
    return input._data.shape == other._data.shape and bool(np.all(input._data == other._data))
