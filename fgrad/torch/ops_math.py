"""More of torch's elementwise math (rounding, inverse trigonometry, bitwise ops), unique, cross and svd.

Each differentiable op is its grad_fn name plus its fgrad definition, as in fgrad.torch.ops; rounding
ops have zero gradient, as in torch (fgrad's floor/ceil/round/trunc contribute none).

Example:
    >>> import fgrad.torch as torch
    >>> torch.floor(torch.tensor([1.5, -0.5], requires_grad=True))
    tensor([ 1., -1.], grad_fn=<FloorBackward0>)
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from .. import numpy as fnp
from . import _dtypes
from ._errors import SCALAR_NAMES
from ._graph import MODE, Op
from ._out import accepts_out
from ._quiet import quiet
from .ops import _unary_op, as_tensor_operand, broadcast_checked, record, wrap
from .ops_shape import dims

if TYPE_CHECKING:
    from .tensor import Tensor

asin = _unary_op("AsinBackward0", fnp.arcsin, np.arcsin, "asin")
acos = _unary_op("AcosBackward0", fnp.arccos, np.arccos, "acos")
asinh = _unary_op("AsinhBackward0", fnp.arcsinh, np.arcsinh, "asinh")
acosh = _unary_op("AcoshBackward0", fnp.arccosh, np.arccosh, "acosh")
atanh = _unary_op("AtanhBackward0", fnp.arctanh, np.arctanh, "atanh")
log2 = _unary_op("Log2Backward0", fnp.log2, np.log2, "log2")
log10 = _unary_op("Log10Backward0", fnp.log10, np.log10, "log10")
exp2 = _unary_op("Exp2Backward0", fnp.exp2, np.exp2, "exp2")
reciprocal = _unary_op("ReciprocalBackward0", fnp.reciprocal, np.reciprocal, "reciprocal", saves_out=True)


def _rounding(grad_fn: str, fgrad_fn, numpy_fn, name: str):
    """A rounding op: integer tensors come back unchanged in dtype, as in torch."""
    op = Op(grad_fn, fgrad_fn, saves=False)

    @accepts_out
    @quiet
    def apply(input):  # noqa: A002
        d = input._data
        return wrap(d.copy()) if d.dtype.kind in "iub" else record(op, (input,), (), numpy_fn(d))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = (f"Elementwise {name}; its gradient is zero, as in PyTorch.\n\n"
                     "Args:\n    input: a tensor.\n\n"
                     "Returns:\n    A new tensor; an integer or bool input comes back as a copy, its dtype kept.\n\n"
                     "Example:\n    >>> import fgrad.torch as torch\n"
                     f"    >>> torch.{name}(torch.tensor([1, 2])).dtype\n"
                     "    torch.int64\n")
    return apply


floor = _rounding("FloorBackward0", fnp.floor, np.floor, "floor")
ceil = _rounding("CeilBackward0", fnp.ceil, np.ceil, "ceil")
trunc = fix = _rounding("TruncBackward0", fnp.trunc, np.trunc, "trunc")
FRAC = Op("FracBackward0", lambda a: a - fnp.trunc(a), saves=False)
ROUND = Op("RoundBackward0", fnp.round, saves=False)
ROUND_DECIMALS = Op("RoundBackward1", lambda a, decimals: fnp.round(a, decimals), saves=False)


@accepts_out
@quiet
def frac(input):  # noqa: A002
    """input - trunc(input). Example: ``torch.frac(torch.tensor([1.25]))`` is ``tensor([0.2500])``."""
    return record(FRAC, (input,), (), input._data - np.trunc(input._data))


@accepts_out
@quiet
def round(input, *, decimals: int = 0):  # noqa: A001,A002
    """Round half to even, as torch; `decimals` places. Example: ``torch.round(torch.tensor([2.5]))``."""
    d = input._data
    if d.dtype.kind in "iub":
        return wrap(d.copy())
    if decimals == 0:
        return record(ROUND, (input,), (), np.round(d))
    return record(ROUND_DECIMALS, (input,), (int(decimals),), np.round(d, int(decimals)).astype(d.dtype))


def _bitwise(name: str, fn):
    """A bitwise op on integer or bool tensors (no gradient), with torch's error for floats."""

    @accepts_out
    def apply(input, other):  # noqa: A002
        a, b = as_tensor_operand(input), as_tensor_operand(other, input)
        dt = _dtypes.result_type((a, b))
        if dt.kind not in "iub":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{SCALAR_NAMES[dt.name]}'")
        broadcast_checked(a._data.shape, b._data.shape)
        return wrap(fn(a._data.astype(dt), b._data.astype(dt)))

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = (f"Elementwise {name} of two integer or bool tensors (or a tensor and a number).\n\n"
                     "Args:\n    input: a tensor.\n    other: a tensor or number, broadcast against `input`.\n\n"
                     "Returns:\n    A new tensor of the promoted integer or bool dtype.\n\n"
                     "Raises:\n    NotImplementedError: for floating-point operands, with PyTorch's message.\n\n"
                     "Example:\n    >>> import fgrad.torch as torch\n"
                     f"    >>> torch.{name}(torch.tensor([1, 5]), torch.tensor([3, 3])).dtype\n"
                     "    torch.int64\n")
    return apply


bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)
bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)


def bitwise_not(input):  # noqa: A002
    """~input for integer and bool tensors. Example: ``torch.bitwise_not(torch.tensor([0]))``."""
    return wrap(np.invert(input._data))


def _logical(fn):
    def apply(input, other):  # noqa: A002
        a, b = as_tensor_operand(input), as_tensor_operand(other, input)
        broadcast_checked(a._data.shape, b._data.shape)
        return wrap(fn(a._data, b._data))
    return apply


logical_and, logical_or, logical_xor = _logical(np.logical_and), _logical(np.logical_or), _logical(np.logical_xor)


def _truth_reduction(numpy_fn, name: str):
    def reduce(input, dim=None, keepdim: bool = False):  # noqa: A002
        axis = dims(dim, input._data.ndim) if dim is not None and input._data.ndim else None
        value = numpy_fn(input._data, axis=axis, keepdims=keepdim)
        # torch keeps uint8 for uint8 input (0 or 1); every other dtype gives bool
        return wrap(np.asarray(value, np.uint8 if input._data.dtype == np.uint8 else np.bool_))
    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = f"""torch.{name}: whether {'every' if name == 'all' else 'any'} element (along `dim`) is nonzero.

    Args:
        input: a tensor of any dtype.
        dim: None (the whole tensor), a dimension or a tuple of dimensions.
        keepdim: keep the reduced dimensions with size 1.

    Returns:
        A bool tensor (uint8 for uint8 input, as in torch).

    Raises:
        IndexError: `dim` is out of range, with torch's message.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.{name}(torch.tensor([[1., 0.], [2., 3.]]), dim=1)
        tensor({'[False,  True]' if name == 'all' else '[True, True]'})
    """
    return reduce


all = _truth_reduction(np.all, "all")  # noqa: A001 - torch's name
any = _truth_reduction(np.any, "any")  # noqa: A001 - torch's name


def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim=None):
    """The distinct values, sorted (torch sorts on CPU whatever `sorted` says).

    Example: ``torch.unique(torch.tensor([1, 2, 1]))`` is ``tensor([1, 2])``.
    """
    d = input._data
    axis = None if dim is None else dims(dim, d.ndim)[0]
    values, inverse, counts = np.unique(d, return_inverse=True, return_counts=True, axis=axis)
    out = [wrap(values)]
    if return_inverse:
        out.append(wrap(inverse.reshape(d.shape if axis is None else -1).astype(np.int64)))
    if return_counts:
        out.append(wrap(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


CROSS = Op("LinalgCrossBackward0", lambda a, b, dt, axis: fnp.cross(a.astype(dt), b.astype(dt), axis=axis))
_CROSS_DIM_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                      "The default value of dim will change to agree with that of linalg.cross in a future release.")


@accepts_out
@quiet
def cross(input, other, dim=None):  # noqa: A002
    """The cross product along `dim` (by default the first axis of size 3, as torch, with its warning).

    Example: ``torch.cross(torch.tensor([0., 1., 0.]), torch.tensor([1., 0., 0.]), dim=0)``.
    """
    shape = broadcast_checked(input._data.shape, other._data.shape)
    if dim is None:
        warnings.warn(_CROSS_DIM_WARNING, UserWarning, stacklevel=4)   # past the out= and quiet wrappers
        dim = next((i for i, n in enumerate(shape) if n == 3), -1)
    (axis,) = dims(dim, len(shape))
    if shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {axis} must have length 3. "
                           f"Got {input._data.shape[axis]} and {other._data.shape[axis]}")
    dt = _dtypes.result_type((input, other))
    value = np.cross(input._data.astype(dt), other._data.astype(dt), axis=axis)
    return record(CROSS, (input, other), (dt, axis), value)


class _SvdResult(tuple):
    """torch.return_types.svd: (U, S, V)."""

    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    V = property(lambda self: self[2])

    def __repr__(self) -> str:
        return f"torch.return_types.svd(\nU={self[0]!r},\nS={self[1]!r},\nV={self[2]!r})"


def svd(input, some: bool = True, compute_uv: bool = True):  # noqa: A002
    """Singular value decomposition A = U diag(S) V^T, as torch.svd (V, not V^T). Not differentiable here.

    Example: ``torch.svd(torch.eye(2)).S`` is ``tensor([1., 1.])``.
    """
    if MODE.enabled and input._rg:
        raise NotImplementedError("fgrad.torch.svd does not record gradients; call it on x.detach() or under "
                                  "torch.no_grad()")
    d = input._data
    u, s, vh = np.linalg.svd(d, full_matrices=not some)
    v = np.swapaxes(vh, -1, -2)
    if not compute_uv:
        u, v = np.zeros_like(u), np.zeros_like(v)
    return _SvdResult((wrap(np.ascontiguousarray(u)), wrap(s), wrap(np.ascontiguousarray(v))))


TRIU = Op("TriuBackward0", lambda a, diagonal: fnp.triu(a, diagonal), saves=False)
TRIL = Op("TrilBackward0", lambda a, diagonal: fnp.tril(a, diagonal), saves=False)


def _triangle(op: Op, numpy_fn, name: str):
    @accepts_out
    def apply(input, diagonal: int = 0):  # noqa: A002
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return record(op, (input,), (int(diagonal),), numpy_fn(input._data, int(diagonal)))
    part = "upper" if name == "triu" else "lower"
    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = f"""torch.{name}: the {part} triangle of the last two dimensions (from diagonal
    `diagonal` on), the rest zero; differentiable.

    Args:
        input: a tensor with at least 2 dimensions.
        diagonal: 0 is the main diagonal, positive ones lie above it, negative ones below.

    Returns:
        A new tensor of `input`'s shape and dtype.

    Raises:
        RuntimeError: `input` has fewer than 2 dimensions (torch's message).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.{name}(torch.ones(2, 2)).tolist()
        {[[1.0, 1.0], [0.0, 1.0]] if name == 'triu' else [[1.0, 0.0], [1.0, 1.0]]}
    """
    return apply


triu = _triangle(TRIU, np.triu, "triu")
tril = _triangle(TRIL, np.tril, "tril")


def _p_norm(v, p: float):
    """(sum |v|^p)^(1/p) in fgrad.numpy, whose gradient at v == 0 is 0, as torch's; p=inf is the largest
    |v|, p=0 the count of nonzeros."""
    if p == 0:
        return fnp.sum(fnp.not_equal(v, 0).astype(v.dtype))
    magnitude = fnp.where(fnp.equal(v, 0), fnp.zeros_like(v), fnp.abs(v))   # |v| with slope 0 at 0, as torch
    if p == float("inf"):
        return fnp.max(magnitude)
    total = fnp.sum(magnitude ** p)
    zero = fnp.equal(total, 0)
    return fnp.where(zero, fnp.zeros_like(total), fnp.where(zero, fnp.ones_like(total), total) ** (1.0 / p))


DIST = Op("DistBackward0", lambda a, b, p: _p_norm(a - b, p))


@quiet
def dist(input, other, p: float = 2) -> Tensor:  # noqa: A002
    """torch.dist: the p-norm of ``input - other`` (broadcast), differentiable in both.

    Args:
        input, other: floating-point tensors of broadcastable shapes.
        p: the norm's order, a number or ``float('inf')`` (0 counts the nonzero differences).

    Returns:
        A 0-d tensor of the operands' dtype.

    Raises:
        TypeError: an operand is not a tensor (torch's message).
        RuntimeError: the shapes do not broadcast, or the dtype is not floating point.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.dist(torch.tensor([3., 0.]), torch.tensor([0., 4.]))
        tensor(5.)
    """
    from .tensor import Tensor
    for position, (name, operand) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(operand, Tensor):
            raise TypeError(f"dist(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(operand).__name__}")
    broadcast_checked(input._data.shape, other._data.shape)
    diff = input._data - other._data
    if diff.dtype.kind not in "fc":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {SCALAR_NAMES.get(diff.dtype.name, diff.dtype.name)} instead.")
    p = float(p)
    value = np.asarray(np.linalg.norm(diff.ravel(), p) if diff.size else 0.0, dtype=diff.dtype)
    return record(DIST, (input, other), (p,), value)
