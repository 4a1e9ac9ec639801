"""torch.nn.functional's convolutions and pooling, each one recorded op with torch's grad_fn name.

Each op is defined by fgrad.lax's convolution and window reductions, so its gradient comes from
the same reverse mode as fgrad.grad; the eager value is that definition evaluated on NumPy arrays.
"""

from __future__ import annotations

import numpy as np

from ... import lax as flax
from ... import numpy as fnp
from ...primitives import conv as _c
from ...primitives._base import splat
from .. import ops_shape
from .._graph import Op
from .._quiet import quiet
from ..ops import record, wrap
from ..tensor import Tensor


def _ntuple(value, n: int) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    return value * n if len(value) == 1 else value


def _size(shape) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _batched(input: Tensor, n: int, name: str) -> bool:  # noqa: A002
    """Whether the input has a batch axis; torch's error when its rank fits neither form."""
    rank = input._data.ndim
    if rank not in (n + 1, n + 2):
        raise RuntimeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got "
                           f"input of size: {_size(input._data.shape)}")
    return rank == n + 2


def _with_batch(input: Tensor, batched: bool) -> Tensor:  # noqa: A002
    return input if batched else ops_shape.unsqueeze(input, 0)


def _without_batch(out: Tensor, batched: bool) -> Tensor:
    return out if batched else ops_shape.squeeze(out, 0)


# --- convolution -----------------------------------------------------------------------------------

def _conv_fn(x, w, stride, pads, dilation, groups):
    return flax.conv_general_dilated(x, w, stride, pads, None, dilation, None, groups)


def _transposed_fn(x, w, stride, pads, dilation, groups):
    # the input dilated by the stride, convolved with the flipped kernel: the transpose of _conv_fn
    return flax.conv_general_dilated(x, _transposed_kernel(w, groups), (1,) * len(stride), pads, stride, dilation,
                                     None, groups)


def _with_bias(fn):
    """`fn` plus a per-channel bias (torch's convolution ops take the bias as their third input)."""
    def biased(x, w, b, *params):
        out = fn(x, w, *params)
        return out + fnp.reshape(b, (1, -1) + (1,) * (len(out.shape) - 2))
    return biased


CONV = (Op("ConvolutionBackward0", _conv_fn), Op("ConvolutionBackward0", _with_bias(_conv_fn)))
CONV_T = (Op("ConvolutionBackward0", _transposed_fn), Op("ConvolutionBackward0", _with_bias(_transposed_fn)))


def _conv_pads(padding, kernel, dilation, stride, n: int) -> list:
    """(low, high) pairs for torch's padding: 'same' puts the odd element on the right, as torch does."""
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if padding == "valid":
            return [(0, 0)] * n
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in total]
    return [(p, p) for p in _ntuple(padding, n)]


def _check_conv(x: np.ndarray, w: np.ndarray, groups: int, transposed: bool, pads=(), dilation=()) -> None:
    """torch's checks of a convolution's channels and sizes, with its wording."""
    channels = w.shape[0] if transposed else w.shape[1] * groups
    if x.shape[1] != channels:
        raise RuntimeError(f"Given {'transposed=1' if transposed else f'groups={groups}'}, weight of size "
                           f"{_size(w.shape)}, expected input{_size(x.shape)} to have {channels} channels, but got "
                           f"{x.shape[1]} channels instead")
    padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads)]
    span = [d * (k - 1) + 1 for k, d in zip(w.shape[2:], dilation)]
    if any(p < k for p, k in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, span))}). Kernel size can't be greater than actual input size")


def _record_conv(ops: tuple, input, weight, bias, params) -> Tensor:  # noqa: A002
    op, args = (ops[0], (input, weight)) if bias is None else (ops[1], (input, weight, bias))
    value = op.fn(*[a._data for a in args], *params)
    return record(op, args, params, np.ascontiguousarray(value, input._data.dtype))


@quiet
def _conv(n: int, input, weight, bias, stride, padding, dilation, groups: int) -> Tensor:  # noqa: A002
    batched = _batched(input, n, f"conv{n}d")
    x = _with_batch(input, batched)
    stride, dilation = _ntuple(stride, n), _ntuple(dilation, n)
    pads = _conv_pads(padding, weight._data.shape[2:], dilation, stride, n)
    _check_conv(x._data, weight._data, groups, False, pads, dilation)
    params = (stride, tuple(tuple(p) for p in pads), dilation, int(groups))
    return _without_batch(_record_conv(CONV, x, weight, bias, params), batched)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:  # noqa: A002
    """1-d convolution of (N, C, L) by weight (out, C // groups, k).

    Example: ``F.conv1d(torch.ones(1, 1, 4), torch.ones(1, 1, 2))`` is ``tensor([[[2., 2., 2.]]])``.
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1) -> Tensor:  # noqa: A002
    """2-d convolution of (N, C, H, W) by weight (out, C // groups, kH, kW); padding may be 'same' or 'valid'.

    Example: ``F.conv2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2)).shape`` is ``torch.Size([1, 1, 2, 2])``.
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def _transposed_kernel(w, groups: int):
    """A transposed convolution's weight (in, out // groups, *k) as the forward kernel it applies:
    (out, in // groups, *k), spatially flipped."""
    cin, cout_g = w.shape[:2]
    k = tuple(w.shape[2:])
    w = fnp.reshape(w, (groups, cin // groups, cout_g) + k)
    w = fnp.reshape(fnp.transpose(w, (0, 2, 1) + tuple(range(3, 3 + len(k)))), (groups * cout_g, cin // groups) + k)
    return w[(slice(None), slice(None)) + (slice(None, None, -1),) * len(k)]


@quiet
def _conv_transpose(n: int, input, weight, bias, stride, padding, output_padding, groups, dilation) -> Tensor:  # noqa: A002
    batched = _batched(input, n, f"conv_transpose{n}d")
    x = _with_batch(input, batched)
    _check_conv(x._data, weight._data, groups, transposed=True)
    stride, dilation = _ntuple(stride, n), _ntuple(dilation, n)
    padding, extra = _ntuple(padding, n), _ntuple(output_padding, n)
    kernel = weight._data.shape[2:]
    pads = tuple((d * (k - 1) - p, d * (k - 1) - p + e) for k, d, p, e in zip(kernel, dilation, padding, extra))
    params = (stride, pads, dilation, int(groups))
    return _without_batch(_record_conv(CONV_T, x, weight, bias, params), batched)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,  # noqa: A002
                     dilation=1) -> Tensor:
    """1-d transposed convolution; weight (in, out // groups, k). Example: ``F.conv_transpose1d(x, w, stride=2)``."""
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups: int = 1,  # noqa: A002
                     dilation=1) -> Tensor:
    """2-d transposed convolution; weight (in, out // groups, kH, kW).

    Example: ``F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2)).shape`` is
    ``torch.Size([1, 1, 3, 3])``.
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


# --- pooling ----------------------------------------------------------------------------------------

def _pool_rank(input: Tensor) -> None:  # noqa: A002
    if input._data.ndim not in (3, 4) or input._data.size == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")


def _pool_out(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """torch's pooling output size (ceil_mode keeps a last window only if it starts inside the input)."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    return out - 1 if ceil_mode and (out - 1) * s >= size + p else out


def _pool_geometry(x: np.ndarray, kernel_size, stride, padding, dilation, ceil_mode: bool):
    """(window, strides, dilation, pads) over the last two axes, padded as torch's output size needs."""
    k = _ntuple(kernel_size, 2)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else _ntuple(stride, 2)
    p, d = _ntuple(padding, 2), _ntuple(dilation, 2)
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pi}, "
                               f"kernel_size={ki} and dilation={di}")
    outs = [_pool_out(size, ki, si, pi, di, ceil_mode) for size, ki, si, pi, di in zip(x.shape[-2:], k, s, p, d)]
    if min(outs) <= 0:
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, x.shape[-3:]))}). Calculated output size: "
                           f"({x.shape[-3]}x{outs[0]}x{outs[1]}). Output size is too small")
    pads = [(pi, max((o - 1) * si + di * (ki - 1) + 1 - size - pi, pi))
            for o, size, ki, si, pi, di in zip(outs, x.shape[-2:], k, s, p, d)]
    return k, s, d, pads


def _full_window(rank: int, k, s, d, pads) -> dict:
    lead = rank - 2
    return dict(window_dimensions=(1,) * lead + tuple(k), window_strides=(1,) * lead + tuple(s),
                padding=((0, 0),) * lead + tuple(tuple(p) for p in pads), base_dilation=(1,) * rank,
                window_dilation=(1,) * lead + tuple(d))


MAX_POOL = Op("MaxPool2DWithIndicesBackward0", lambda x, params: _max_pool_fn(x, params))


def _max_pool_fn(x, params):
    return _c.reduce_window(x, _c.reduce_window_max_p, **dict(params))


@quiet
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,  # noqa: A002
               return_indices: bool = False) -> Tensor:
    """Maximum over kH x kW windows of (N, C, H, W) or (C, H, W); padding counts as -inf.

    Example: ``F.max_pool2d(torch.arange(16.).reshape(1, 4, 4), 2)`` is ``tensor([[[ 5.,  7.], [13., 15.]]])``.
    """
    _pool_rank(input)
    k, s, d, pads = _pool_geometry(input._data, kernel_size, stride, padding, dilation, ceil_mode)
    params = tuple(_full_window(input._data.ndim, k, s, d, pads).items())
    value = np.ascontiguousarray(_max_pool_fn(input._data, params), input._data.dtype)   # torch's layout
    out = record(MAX_POOL, (input,), (params,), value)
    return (out, wrap(_max_indices(input._data, dict(params)))) if return_indices else out


def _max_indices(x: np.ndarray, params: dict) -> np.ndarray:
    """torch's indices of max_pool2d: each window's first maximum (or NaN), as a flat index into its
    (H, W) plane."""
    rank = x.ndim
    flat = lambda v: v.reshape(v.shape[:rank] + (-1,))  # noqa: E731
    first = flat(_c.window_views(x, -np.inf, **params)).argmax(axis=-1)
    plane = np.broadcast_to(np.arange(x.shape[-2] * x.shape[-1]).reshape(x.shape[-2:]), x.shape)
    where = flat(_c.window_views(plane, -1, **params))
    return np.take_along_axis(where, first[..., None], axis=-1)[..., 0].astype(np.int64)


def _avg_pool_fn(x, params, divisor):
    return _c.reduce_window(x, _c.reduce_window_sum_p, **dict(params)) / divisor


AVG_POOL = Op("AvgPool2DBackward0", lambda x, d, params: _avg_pool_fn(x, params, d))


def _avg_divisor(shape, k, s, pads, padding, count_include_pad: bool, dtype) -> np.ndarray:
    """How many elements torch divides each window's sum by: the window clipped to the padded input
    (count_include_pad) or to the input itself."""
    if count_include_pad:
        counted = np.ones(tuple(n + 2 * p for n, p in zip(shape, padding)), dtype)
    else:
        counted = np.pad(np.ones(shape, dtype), [(p, p) for p in padding])
    counted = np.pad(counted, [(0, hi - p) for (_, hi), p in zip(pads, padding)])    # ceil_mode's extra
    return _c.window_sum_impl(counted, tuple(k), tuple(s), ((0, 0), (0, 0)), (1, 1), (1, 1))


@quiet
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False,  # noqa: A002
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """Mean over kH x kW windows of (N, C, H, W) or (C, H, W), dividing as torch does at the borders.

    Example: ``F.avg_pool2d(torch.ones(1, 2, 2), 2)`` is ``tensor([[[1.]]])``.
    """
    _pool_rank(input)
    x = input._data
    k, s, d, pads = _pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override:
        divisor = np.asarray(divisor_override, x.dtype)
    else:
        divisor = _avg_divisor(x.shape[-2:], k, s, pads, _ntuple(padding, 2), count_include_pad, x.dtype)
    params = tuple(_full_window(x.ndim, k, s, d, pads).items())
    div = wrap(divisor)
    return record(AVG_POOL, (input, div), (params,), np.ascontiguousarray(_avg_pool_fn(x, params, divisor), x.dtype))


def _adaptive_matrix(size: int, out: int, dtype) -> np.ndarray:
    """(out, size) averaging weights: row i covers [floor(i size / out), ceil((i + 1) size / out))."""
    rows = np.arange(out)
    start, end = (rows * size) // out, -((-(rows + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg(x, rows, cols):
    lead = "nc"[2 - (len(x.shape) - 2):]
    return fnp.einsum(f"ih,{lead}hw,wj->{lead}ij", rows, x, cols)


ADAPTIVE_AVG = Op("AdaptiveAvgPool2DBackward0", _adaptive_avg)


@quiet
def adaptive_avg_pool2d(input, output_size) -> Tensor:  # noqa: A002
    """Average pooling to a fixed (oh, ow) output (None keeps that size); (1, 1) is a mean, as in torch.

    Example: ``F.adaptive_avg_pool2d(torch.ones(1, 4, 4), 1)`` is ``tensor([[[1.]]])``.
    """
    if input._data.ndim not in (3, 4):
        raise RuntimeError(f"adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got {_size(input._data.shape)}")
    x = input._data
    size = (output_size,) * 2 if isinstance(output_size, int) else tuple(output_size)
    oh, ow = (x.shape[-2] if size[0] is None else size[0]), (x.shape[-1] if size[1] is None else size[1])
    if (oh, ow) == (1, 1):
        return ops_shape.mean(input, (-2, -1), keepdim=True)
    rows, cols = _adaptive_matrix(x.shape[-2], oh, x.dtype), _adaptive_matrix(x.shape[-1], ow, x.dtype).T
    value = _adaptive_avg(x, rows, cols)
    return record(ADAPTIVE_AVG, (input, wrap(rows), wrap(cols)), (), np.ascontiguousarray(value, x.dtype))


# --- padding ------------------------------------------------------------------------------------------

def _pad_fn(x, pairs, value):
    """Constant padding, `pairs` (low, high) for each axis from the first; negative amounts crop."""
    for axis, (lo, hi) in enumerate(pairs):
        size = x.shape[axis]
        x = x[(slice(None),) * axis + (slice(max(-lo, 0), size - max(-hi, 0)),)]
        shape = tuple(x.shape)
        parts = [splat(x, value, shape[:axis] + (k,) + shape[axis + 1:]) for k in (max(lo, 0), max(hi, 0))]
        if lo > 0 or hi > 0:
            x = fnp.concatenate([p for p in (parts[0], x, parts[1]) if p.shape[axis]], axis=axis)
    return x


CONSTANT_PAD = Op("ConstantPadNdBackward0", _pad_fn)


@quiet
def pad(input, pad, mode: str = "constant", value=None) -> Tensor:  # noqa: A002
    """Pad (or crop, for negative amounts) the last len(pad) // 2 axes, last axis first, as torch does.

    Example: ``F.pad(torch.ones(1, 2), (1, 0), value=5.)`` is ``tensor([[5., 1., 1.]])``.
    """
    x = input._data
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * x.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {x.ndim}")
    last = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2)]
    if mode != "constant":
        return _index_pad(input, last[::-1], mode)
    pairs = tuple([(0, 0)] * (x.ndim - len(last)) + last[::-1])
    fill = 0.0 if value is None else float(value)
    return record(CONSTANT_PAD, (input,), (pairs, fill), np.asarray(_pad_fn(x, pairs, fill), x.dtype))


# reflect / replicate / circular: each padded axis is a gather with NumPy's pad of its index range
_INDEX_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}
_INDEX_NODE = {"reflect": "ReflectionPad{n}DBackward0", "replicate": "ReplicationPad{n}DBackward0",
               "circular": "torch::autograd::CopySlices"}
_SUPPORTED = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


def _gather_fn(x, taken):
    for axis, idx in taken:
        x = fnp.take(x, np.asarray(idx, np.int64), axis=axis)
    return x


_INDEX_OPS = {(mode, n): Op(_INDEX_NODE[mode].format(n=n), _gather_fn) for mode in _INDEX_MODES for n in (1, 2, 3)}


def _index_pad(input, pairs: list, mode: str) -> Tensor:  # noqa: A002
    """F.pad in reflect, replicate or circular mode; `pairs` (low, high) for the last len(pairs) axes."""
    x, n = input._data, len(pairs)
    if mode not in _INDEX_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if n > 3 or x.ndim not in (n + 1, n + 2):
        raise NotImplementedError(f"Padding size {2 * n} is not supported for {x.ndim}D input tensor.\n{_SUPPORTED}")
    taken = []
    for axis, (lo, hi) in zip(range(x.ndim - n, x.ndim), pairs):
        size = x.shape[axis]
        kept = np.arange(size)[max(-lo, 0):size - max(-hi, 0)]      # negative amounts crop first
        lo, hi = max(lo, 0), max(hi, 0)
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #{2 * n + 2}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input {list(x.shape)}")
        if mode == "circular" and (lo > len(kept) or hi > len(kept)):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        taken.append((axis, tuple(np.pad(kept, (lo, hi), mode=_INDEX_MODES[mode]).tolist())))
    taken = tuple(taken)
    return record(_INDEX_OPS[mode, n], (input,), (taken,), np.ascontiguousarray(_gather_fn(x, taken)))
