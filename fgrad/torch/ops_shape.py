"""Reductions, shape ops, indexing, joining and matrix products: the rest of the op table.

Each op is a grad_fn name plus an fgrad.numpy definition; see fgrad/torch/ops.py for the scheme.

Example:
    >>> import fgrad.torch as torch
    >>> torch.ones(2, 3, requires_grad=True).sum(0).grad_fn.name()
    'SumBackward1'
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import nn as fnn
from .. import numpy as fnp
from . import _dtypes
from ._cascade import cascade_sum
from ._graph import Op
from ._quiet import quiet
from .ops import record, view_of, wrap

Tensor = None          # set by fgrad.torch.tensor


def dims(dim, ndim: int) -> tuple:
    """Normalised, sorted axes for a torch `dim` argument (int or tuple), with torch's range error."""
    items = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in items:
        lo, hi = -builtins.max(ndim, 1), builtins.max(ndim, 1) - 1
        if not lo <= d <= hi:
            raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {d})")
        out.append(int(d) % builtins.max(ndim, 1))
    return tuple(sorted(out))


# --- reductions --------------------------------------------------------------------------------

SUM_ALL = Op("SumBackward0", lambda a, dt: fnp.sum(a.astype(dt)), saves=False)
SUM_DIM = Op("SumBackward1", lambda a, axes, keep, dt: fnp.sum(a.astype(dt), axis=axes, keepdims=keep),
             saves=False)
MEAN_ALL = Op("MeanBackward0", lambda a: fnp.mean(a), saves=False)
MEAN_DIM = Op("MeanBackward1", lambda a, axes, keep: fnp.mean(a, axis=axes, keepdims=keep), saves=False)


@quiet
def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001,A002
    """Sum of all elements, or over `dim`. Example: ``torch.sum(torch.ones(2, 3), dim=1)``."""
    d = input._data
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else \
        np.dtype(np.int64) if d.dtype.kind in "biu" else d.dtype
    if dim is None:
        return record(SUM_ALL, (input,), (dt,), whole_sum(d, dt))
    axes = dims(dim, d.ndim)
    return record(SUM_DIM, (input,), (axes, bool(keepdim), dt), np.sum(d, axis=axes, keepdims=keepdim, dtype=dt))


def whole_sum(d: np.ndarray, dt) -> np.ndarray:
    """The sum of all of `d` in `dt`: torch's float32 cascade order for float32 (fgrad.torch._cascade)."""
    if np.dtype(dt) == np.float32 and d.dtype == np.float32:
        return np.asarray(cascade_sum(d))
    return np.sum(d, dtype=dt)


def _need_float(name: str, d: np.ndarray) -> None:
    if d.dtype.kind != "f":
        label = {"i": "Long", "b": "Bool", "u": "Byte"}.get(d.dtype.kind, str(d.dtype))
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {label}")


@quiet
def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A002
    """Arithmetic mean, overall or over `dim`. Example: ``torch.mean(torch.tensor([1., 2.]))``."""
    d = input._data
    if dtype is not None:
        input = input.to(dtype)
        d = input._data
    _need_float("mean", d)
    if dim is None:
        value = whole_sum(d, d.dtype) / d.dtype.type(d.size) if d.dtype == np.float32 else np.mean(d, dtype=d.dtype)
        return record(MEAN_ALL, (input,), (), value)
    axes = dims(dim, d.ndim)
    return record(MEAN_DIM, (input,), (axes, bool(keepdim)), np.mean(d, axis=axes, keepdims=keepdim))


def _indexed_extreme(a, axis, keep, pick):
    """The values at the first arg-max/min along `axis`: the gradient goes to that index only (torch)."""
    idx = pick(a, axis=axis, keepdims=True)
    shape = [1] * a.ndim
    shape[axis] = a.shape[axis]
    hit = fnp.equal(np.arange(a.shape[axis]).reshape(shape), idx)
    return fnp.sum(fnp.where(hit, a, fnp.zeros_like(a)), axis=axis, keepdims=keep)


MAX_ALL = Op("MaxBackward1", lambda a: fnp.max(a))        # ties share the gradient evenly, as torch
MIN_ALL = Op("MinBackward1", lambda a: fnp.min(a))
MAX_DIM = Op("MaxBackward0", lambda a, axis, keep: _indexed_extreme(a, axis, keep, fnp.argmax))
MIN_DIM = Op("MinBackward0", lambda a, axis, keep: _indexed_extreme(a, axis, keep, fnp.argmin))
AMAX = Op("AmaxBackward0", lambda a, axes, keep: fnp.max(a, axis=axes, keepdims=keep))
AMIN = Op("AminBackward0", lambda a, axes, keep: fnp.min(a, axis=axes, keepdims=keep))


class _ReturnType(tuple):
    """torch.return_types.max / min: (values, indices)."""

    _name = "max"
    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


def _extreme(input, dim, keepdim, other, is_max: bool):
    from .ops import maximum, minimum
    if isinstance(other, Tensor) or isinstance(dim, Tensor):
        return (maximum if is_max else minimum)(input, other if other is not None else dim)
    d = input._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return record(MAX_ALL if is_max else MIN_ALL, (input,), (), np.max(d) if is_max else np.min(d))
    (axis,) = dims(dim, d.ndim)
    arg = np.argmax if is_max else np.argmin
    values = record(MAX_DIM if is_max else MIN_DIM, (input,), (axis, bool(keepdim)),
                    (np.max if is_max else np.min)(d, axis=axis, keepdims=keepdim))
    result = _ReturnType((values, wrap(arg(d, axis=axis, keepdims=keepdim).astype(np.int64))))
    result._name = "max" if is_max else "min"
    return result


def max(input, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001,A002
    """Largest element; with `dim`, (values, indices); with a tensor, elementwise maximum.

    Example: ``torch.max(torch.tensor([1., 3.]))`` is ``tensor(3.)``.
    """
    return _extreme(input, dim, keepdim, other, True)


def min(input, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001,A002
    """Smallest element; with `dim`, (values, indices). Example: ``torch.min(torch.tensor([1., 3.]))``."""
    return _extreme(input, dim, keepdim, other, False)


def amax(input, dim=(), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Maximum over `dim` (all by default); ties share the gradient. Example: ``torch.amax(x, dim=1)``."""
    d = input._data
    axes = dims(dim, d.ndim) if dim != () else tuple(range(d.ndim))
    return record(AMAX, (input,), (axes, bool(keepdim)), np.max(d, axis=axes, keepdims=keepdim))


def amin(input, dim=(), keepdim: bool = False) -> Tensor:  # noqa: A002
    """Minimum over `dim` (all by default); ties share the gradient. Example: ``torch.amin(x, dim=1)``."""
    d = input._data
    axes = dims(dim, d.ndim) if dim != () else tuple(range(d.ndim))
    return record(AMIN, (input,), (axes, bool(keepdim)), np.min(d, axis=axes, keepdims=keepdim))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index of the largest element. Example: ``torch.argmax(torch.tensor([1., 3.]))`` is ``tensor(1)``."""
    d = input._data
    dim = None if dim is None else dims(dim, d.ndim)[0]
    return wrap(np.asarray(np.argmax(d, axis=dim, keepdims=keepdim if dim is not None else False), np.int64))


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Index of the smallest element. Example: ``torch.argmin(torch.tensor([1., 3.]))`` is ``tensor(0)``."""
    d = input._data
    dim = None if dim is None else dims(dim, d.ndim)[0]
    return wrap(np.asarray(np.argmin(d, axis=dim, keepdims=keepdim if dim is not None else False), np.int64))


def safe_sqrt(v):
    """sqrt whose derivative at 0 is 0 rather than inf * 0 = NaN (torch masks std and norm at 0)."""
    zero = fnp.equal(v, 0)
    return fnp.where(zero, fnp.zeros_like(v), fnp.sqrt(fnp.where(zero, fnp.ones_like(v), v)))


PROD = Op("ProdBackward0", lambda a: fnp.prod(a))
VAR = Op("VarBackward0", lambda a, axes, keep, ddof: fnp.var(a, axis=axes, keepdims=keep, ddof=ddof))
STD = Op("StdBackward0", lambda a, axes, keep, ddof: safe_sqrt(fnp.var(a, axis=axes, keepdims=keep, ddof=ddof)))
NORM = Op("LinalgVectorNormBackward0", lambda a, axes, keep: safe_sqrt(fnp.sum(a * a, axis=axes, keepdims=keep)))
SOFTMAX = Op("SoftmaxBackward0", lambda a, axis: fnn.softmax(a, axis=axis), saves_out=True)
LOG_SOFTMAX = Op("LogSoftmaxBackward0", lambda a, axis: fnn.log_softmax(a, axis=axis), saves_out=True)
LOGSUMEXP = Op("LogsumexpBackward0", lambda a, axes, keep: fnn.logsumexp(a, axis=axes, keepdims=keep))


@quiet
def prod(input) -> Tensor:  # noqa: A002
    """Product of all elements. Example: ``torch.prod(torch.tensor([2., 3.]))`` is ``tensor(6.)``."""
    return record(PROD, (input,), (), np.prod(input._data))


@quiet
def _spread(op, input, dim, correction, keepdim, unbiased):
    d = input._data
    ddof = correction if correction is not None else (1 if unbiased else 0)
    axes = tuple(range(d.ndim)) if dim is None else dims(dim, d.ndim)
    value = (np.var if op is VAR else np.std)(d, axis=axes, ddof=ddof, keepdims=keepdim)
    return record(op, (input,), (axes, bool(keepdim), ddof), value.astype(d.dtype))


def var(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None) -> Tensor:  # noqa: A002
    """Variance (unbiased by default, as torch). Example: ``torch.var(torch.tensor([1., 3.]))``."""
    return _spread(VAR, input, dim, correction, keepdim, unbiased)


def std(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None) -> Tensor:  # noqa: A002
    """Standard deviation (unbiased by default). Example: ``torch.std(torch.tensor([1., 3.]))``."""
    return _spread(STD, input, dim, correction, keepdim, unbiased)


@quiet
def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:  # noqa: A002
    """The 2-norm (over all elements, or `dim`); its gradient at 0 is 0, as torch's.

    Example: ``torch.norm(torch.tensor([3., 4.]))`` is ``tensor(5.)``.
    """
    if p not in ("fro", 2, 2.0, None):
        from . import ops
        return sum(ops.abs(input) ** p, dim, keepdim) ** (1.0 / p)
    d = input._data
    axes = tuple(range(d.ndim)) if dim is None else dims(dim, d.ndim)
    value = np.sqrt(np.sum(d * d, axis=axes, keepdims=keepdim))
    return record(NORM, (input,), (axes, bool(keepdim)), value)


@quiet
def softmax(input, dim: int, dtype=None) -> Tensor:  # noqa: A002
    """exp(x) / sum(exp(x)) along `dim`. Example: ``torch.softmax(torch.zeros(2), 0)``."""
    (axis,) = dims(dim, input._data.ndim)
    d = input._data
    return record(SOFTMAX, (input,), (axis,), fnn.softmax(d, axis=axis))


@quiet
def log_softmax(input, dim: int, dtype=None) -> Tensor:  # noqa: A002
    """x - logsumexp(x) along `dim`. Example: ``torch.log_softmax(torch.zeros(2), 0)``."""
    (axis,) = dims(dim, input._data.ndim)
    return record(LOG_SOFTMAX, (input,), (axis,), fnn.log_softmax(input._data, axis=axis))


@quiet
def logsumexp(input, dim, keepdim: bool = False) -> Tensor:  # noqa: A002
    """log(sum(exp(x))) over `dim`, stable. Example: ``torch.logsumexp(torch.zeros(2), 0)``."""
    axes = dims(dim, input._data.ndim)
    value = fnn.logsumexp(input._data, axis=axes, keepdims=keepdim)
    return record(LOGSUMEXP, (input,), (axes, bool(keepdim)), np.asarray(value, input._data.dtype))


# --- shape ops ---------------------------------------------------------------------------------

VIEW = Op("ViewBackward0", lambda a, shape: fnp.reshape(a, shape), saves=False)
UNSAFE_VIEW = Op("UnsafeViewBackward0", VIEW.fn, saves=False)
SQUEEZE = Op("SqueezeBackward0", VIEW.fn, saves=False)
SQUEEZE_DIM = Op("SqueezeBackward1", VIEW.fn, saves=False)
UNSQUEEZE = Op("UnsqueezeBackward0", VIEW.fn, saves=False)
T = Op("TBackward0", lambda a, perm: fnp.transpose(a, perm), saves=False)
PERMUTE = Op("PermuteBackward0", T.fn, saves=False)
TRANSPOSE = Op("TransposeBackward0", T.fn, saves=False)
EXPAND = Op("ExpandBackward0", lambda a, shape: fnp.broadcast_to(a, shape), saves=False)
CLONE = Op("CloneBackward0", lambda a: a, saves=False)
TO_COPY = Op("ToCopyBackward0", lambda a, dt: a.astype(dt), saves=False)


def shape_arg(args) -> tuple:
    """Sizes given as f(2, 3), f((2, 3)) or f(torch.Size([2, 3]))."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def infer_shape(shape: tuple, size: int) -> tuple:
    """Resolve one -1 in `shape`, with torch's errors when the sizes disagree."""
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1], dtype=np.int64))
    resolved = shape
    if -1 in shape and known and size % known == 0:
        resolved = tuple(size // known if s == -1 else s for s in shape)
    if int(np.prod(resolved, dtype=np.int64)) != size or -1 in resolved:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return resolved


def reshape(input, *shape) -> Tensor:  # noqa: A002
    """Same elements, new shape (ViewBackward0, or UnsafeViewBackward0 after a copy).

    Example: ``torch.reshape(torch.arange(6.), (2, 3)).shape`` is ``torch.Size([2, 3])``.
    """
    d = input._data
    shape = infer_shape(shape_arg(shape), d.size)
    value = d.reshape(shape)
    copied = value.size > 1 and not np.shares_memory(value, d)
    out = record(UNSAFE_VIEW if copied else VIEW, (input,), (shape,), value)
    return out if copied else view_of(out, input)


def view(input, *shape) -> Tensor:  # noqa: A002
    """A view with a new shape. Example: ``torch.ones(4).view(2, 2).shape`` is ``torch.Size([2, 2])``."""
    if len(shape) == 1 and isinstance(shape[0], _dtypes.dtype):
        return wrap(input._data.view(shape[0].np))
    d = input._data
    shape = infer_shape(shape_arg(shape), d.size)
    value = d.reshape(shape)
    if value.size > 1 and not np.shares_memory(value, d):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return view_of(record(VIEW, (input,), (shape,), value), input)


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Merge axes start_dim..end_dim into one. Example: ``torch.ones(2, 3).flatten().shape``."""
    d = input._data
    (s,), (e,) = dims(start_dim, d.ndim), dims(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if d.ndim == 1 or (d.ndim > 1 and s == e):
        return input
    if d.ndim == 0:
        return view_of(record(VIEW, (input,), ((1,),), d.reshape(1)), input)
    shape = d.shape[:s] + (int(np.prod(d.shape[s:e + 1], dtype=np.int64)),) + d.shape[e + 1:]
    value = d.reshape(shape)
    if np.shares_memory(value, d):
        return view_of(record(VIEW, (input,), (shape,), value), input)
    return record(UNSAFE_VIEW, (input,), (shape,), value)


# the in-place views (squeeze_, unsqueeze_, t_, transpose_) have nodes of their own names in torch
_IN_PLACE = {op: Op(name, op.fn, saves=False) for op, name in (
    (SQUEEZE, "SqueezeBackward3"), (SQUEEZE_DIM, "SqueezeBackward4"), (UNSQUEEZE, "UnsqueezeBackward1"),
    (T, "TBackward1"), (TRANSPOSE, "TransposeBackward1"))}


def _view(op: Op, input, params: tuple, value, in_place: bool) -> Tensor:  # noqa: A002
    return view_of(record(_IN_PLACE[op] if in_place else op, (input,), params, value), input)


def squeeze(input, dim=None, *, _in_place: bool = False) -> Tensor:  # noqa: A002
    """Drop axes of length 1 (all, or those in `dim`). Example: ``torch.ones(1, 2).squeeze().shape``."""
    d = input._data
    if dim is None:
        shape, op = tuple(s for s in d.shape if s != 1), SQUEEZE
    else:
        axes = dims(dim, d.ndim)
        shape = tuple(s for i, s in enumerate(d.shape) if not (i in axes and s == 1))
        op = SQUEEZE_DIM
    return _view(op, input, (shape,), d.reshape(shape), _in_place)


def unsqueeze(input, dim: int, *, _in_place: bool = False) -> Tensor:  # noqa: A002
    """Insert an axis of length 1 at `dim`. Example: ``torch.ones(2).unsqueeze(0).shape``."""
    d = input._data
    (axis,) = dims(dim, d.ndim + 1)
    shape = d.shape[:axis] + (1,) + d.shape[axis:]
    return _view(UNSQUEEZE, input, (shape,), d.reshape(shape), _in_place)


def movedim(input, source, destination) -> Tensor:  # noqa: A002
    """Move the axes at `source` to the positions `destination` (ints or sequences), keeping the others'
    order: a permute, as in torch.

    Args:
        input: the tensor; source, destination: an axis or a sequence of axes each, of equal length.

    Returns:
        A view of `input` with its axes reordered (grad_fn PermuteBackward0).

    Raises:
        RuntimeError: for sequences of different lengths or a repeated axis; IndexError for an axis out
        of range (torch's messages).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.zeros(2, 3, 4).movedim(0, -1).shape
        torch.Size([3, 4, 2])
    """
    ndim = input._data.ndim
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    for name, given in (("source", src), ("destination", dst)):
        if len({dims(d, ndim)[0] for d in given}) != len(given):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({given})")
    moved = dict(zip((dims(d, ndim)[0] for d in dst), (dims(d, ndim)[0] for d in src)))
    rest = iter(a for a in range(ndim) if a not in moved.values())
    return permute(input, tuple(moved[k] if k in moved else next(rest) for k in range(ndim)))


moveaxis = movedim


def permute(input, *order) -> Tensor:  # noqa: A002
    """Reorder the axes. Example: ``torch.ones(2, 3).permute(1, 0).shape`` is ``torch.Size([3, 2])``."""
    d = input._data
    order = shape_arg(order)
    if len(order) != d.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {d.ndim} is not equal to "
                           f"len(dims) = {len(order)}")
    perm = tuple(dims(a, d.ndim)[0] for a in order)
    if len(set(perm)) != len(perm):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return view_of(record(PERMUTE, (input,), (perm,), d.transpose(perm)), input)


def transpose(input, dim0: int, dim1: int, *, _in_place: bool = False) -> Tensor:  # noqa: A002
    """Swap two axes. Example: ``torch.ones(2, 3).transpose(0, 1).shape`` is ``torch.Size([3, 2])``."""
    d = input._data
    perm = list(range(d.ndim))
    a, b = dims(dim0, d.ndim)[0], dims(dim1, d.ndim)[0]
    perm[a], perm[b] = perm[b], perm[a]
    return _view(TRANSPOSE, input, (tuple(perm),), d.transpose(perm), _in_place)


def t(input, *, _in_place: bool = False) -> Tensor:  # noqa: A002
    """Transpose of a tensor with at most 2 axes. Example: ``torch.ones(2, 3).t().shape``."""
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {d.ndim}D")
    perm = tuple(reversed(range(d.ndim)))
    return _view(T, input, (perm,), d.transpose(perm), _in_place)


def expand(input, *sizes) -> Tensor:  # noqa: A002
    """Broadcast to `sizes` (-1 keeps a size), without copying. Example: ``torch.ones(1, 2).expand(3, 2)``."""
    d = input._data
    sizes = shape_arg(sizes)
    lead = len(sizes) - d.ndim
    if lead < 0:
        raise RuntimeError(f"expand({input.type()}{{{list(d.shape)}}}, size={list(sizes)}): the number of sizes "
                           f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the "
                           f"tensor ({d.ndim})")
    shape = tuple(d.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    check_expand(d.shape, shape)
    return view_of(record(EXPAND, (input,), (shape,), np.broadcast_to(d, shape)), input)


def check_expand(got: tuple, want: tuple) -> None:
    """torch's error when a tensor of shape `got` cannot be expanded to `want`."""
    if len(got) > len(want) and all(s == 1 for s in got[:len(got) - len(want)]):
        got = got[len(got) - len(want):]
    for i in range(1, len(got) + 1):
        if i > len(want) or (got[-i] != want[-i] and got[-i] != 1):
            size = want[-i] if i <= len(want) else 1
            raise RuntimeError(f"The expanded size of the tensor ({size}) must match the existing size ({got[-i]}) at "
                               f"non-singleton dimension {len(want) - i}.  Target sizes: {list(want)}.  Tensor sizes: "
                               f"{list(got)}")


def clone(input) -> Tensor:  # noqa: A002
    """A copy that stays in the graph. Example: ``torch.clone(torch.ones(1))``."""
    return record(CLONE, (input,), (), input._data.copy())


def to_dtype(input, dtype) -> Tensor:  # noqa: A002
    """Convert to a dtype (the same tensor if it already has it). Example: ``x.to(torch.float64)``."""
    dt = _dtypes.to_numpy_dtype(dtype)
    if input._data.dtype == dt:
        return input
    return record(TO_COPY, (input,), (dt,), input._data.astype(dt))


# --- joining -----------------------------------------------------------------------------------

CAT = Op("CatBackward0", lambda *args: fnp.concatenate([a.astype(args[-1]) for a in args[:-2]], axis=args[-2]),
         saves=False)
STACK = Op("StackBackward0", lambda *args: fnp.stack([a.astype(args[-1]) for a in args[:-2]], axis=args[-2]),
           saves=False)


def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing axis. Example: ``torch.cat([torch.ones(2), torch.zeros(1)])``."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dt = _dtypes.result_type(tensors)
    (axis,) = dims(dim, tensors[0]._data.ndim)
    _check_cat([t._data.shape for t in tensors], axis)
    value = np.concatenate([t._data.astype(dt) for t in tensors], axis=axis)
    return record(CAT, tensors, (axis, dt), value)


def _check_cat(shapes: list, axis: int) -> None:
    first = shapes[0]
    for i, s in enumerate(shapes):
        if len(s) != len(first):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} and {len(s)}")
        for k, (a, b) in enumerate(zip(first, s)):
            if k != axis and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected size {a} but "
                                   f"got size {b} for tensor number {i} in the list.")


concatenate = concat = cat


def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors along a new axis. Example: ``torch.stack([torch.ones(2), torch.zeros(2)]).shape``."""
    tensors = tuple(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._data.shape != tensors[0]._data.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0]._data.shape)} at "
                               f"entry 0 and {list(t._data.shape)} at entry {i}")
    dt = _dtypes.result_type(tensors)
    (axis,) = dims(dim, tensors[0]._data.ndim + 1)
    value = np.stack([t._data.astype(dt) for t in tensors], axis=axis)
    return record(STACK, tensors, (axis, dt), value)
