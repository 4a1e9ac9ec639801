"""torch.nn.functional's normalisation, embedding and the activations silu and elu.

Each is one recorded op with torch's grad_fn name, defined in fgrad.numpy operations (so its
gradient comes from fgrad's reverse mode). batch_norm updates the running statistics in place, as
torch does, outside the graph.
"""

from __future__ import annotations

import numpy as np

from ... import nn as fnn
from ... import numpy as fnp
from .._errors import SCALAR_NAMES
from .._graph import Op, no_grad
from .._quiet import quiet
from .._threads import get_num_threads
from ..ops import record, wrap
from ..tensor import Tensor


def _channel_shape(ndim: int) -> tuple:
    return (1, -1) + (1,) * (ndim - 2)


def _affine(y, w, b):
    return y * fnp.reshape(w, _channel_shape(len(y.shape))) + fnp.reshape(b, _channel_shape(len(y.shape)))


def _batch_stats(x):
    axes = (0,) + tuple(range(2, len(x.shape)))
    mean = fnp.mean(x, axis=axes, keepdims=True)
    return mean, fnp.mean((x - mean) ** 2, axis=axes, keepdims=True)


def _bn_train(x, w, b, eps):
    mean, var = _batch_stats(x)
    return _affine((x - mean) / fnp.sqrt(var + eps), w, b)


def _bn_eval(x, w, b, mean, var, eps):
    shape = _channel_shape(len(x.shape))
    return _affine((x - fnp.reshape(mean, shape)) / fnp.sqrt(fnp.reshape(var, shape) + eps), w, b)


BATCH_NORM = Op("NativeBatchNormBackward0", _bn_train)
BATCH_NORM_EVAL = Op("NativeBatchNormBackward0", _bn_eval)


def _fma(a, b, c, dtype=np.float32) -> np.ndarray:
    """a * b + c rounded once, as torch's CPU kernels (built with FMA) compute it: for float32 the
    product is exact in double; for float64 its rounding error is recovered by Dekker's product."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    if dtype == np.float32:
        return (a * b + c).astype(np.float32)
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    total = p + c
    back = total - p
    return total + (((p - (total - back)) + (c - back)) + err)


def _split(v: np.ndarray) -> tuple:
    hi = v * 134217729.0                          # 2**27 + 1: Veltkamp's split into 26-bit halves
    hi = hi - (hi - v)
    return hi, v - hi


def _rows_stats(x: np.ndarray) -> tuple:
    """(mean, sum of squared deviations) of an (N, C) float32 input in torch's channels-last order: with
    more rows than intra-op threads, each thread's block of rows accumulates in float32 (the squares
    fused), the blocks are added in double; otherwise a double mean and one fused float32 chain."""
    n, c = x.shape
    threads = get_num_threads()
    if n <= threads:
        mean = (x.sum(axis=0, dtype=np.float64) / n).astype(np.float32)
        return mean, _squares_chain(x, mean, np.zeros(c, np.float32))
    step = -(-n // threads)
    blocks = [x[k:k + step] for k in range(0, n, step)]
    mean = (sum(blk.sum(axis=0, dtype=np.float32).astype(np.float64) for blk in blocks) / n).astype(np.float32)
    var_sum = sum(_squares_chain(blk, mean, np.zeros(c, np.float32)).astype(np.float64) for blk in blocks)
    return mean, np.asarray(var_sum).astype(np.float32)


def _squares_chain(rows: np.ndarray, mean: np.ndarray, acc: np.ndarray) -> np.ndarray:
    for row in rows:
        d = row - mean
        acc = _fma(d, d, acc)
    return acc


def _torch_stats(x: np.ndarray) -> tuple:
    """(mean, var_sum, n) per channel as torch's CPU batch norm collects them: a double sum over each
    channel for the mean (rounded to x's dtype), squared deviations formed in x's dtype and summed in
    double; (N, C) float32 inputs take the channels-last kernel (`_rows_stats`)."""
    n = x.size // x.shape[1]
    if x.ndim == 2 and x.dtype == np.float32:
        return (*_rows_stats(x), n)
    per_channel = np.moveaxis(x, 1, 0).reshape(x.shape[1], -1)
    mean = (per_channel.sum(axis=1, dtype=np.float64) / n).astype(x.dtype)
    d = per_channel - mean[:, None]
    return mean, (d * d).sum(axis=1, dtype=np.float64).astype(x.dtype), n


def _torch_normalised(x: np.ndarray, w: np.ndarray, b: np.ndarray, mean: np.ndarray, invstd: np.ndarray):
    """x * alpha + beta per channel, alpha = invstd * weight, beta = bias - mean * alpha: torch's CPU
    kernel, whose products and sums are fused."""
    shape = _channel_shape(x.ndim)
    alpha = (invstd * w).astype(x.dtype)
    if x.dtype not in (np.float32, np.float64):
        return x * alpha.reshape(shape) + (b - mean * alpha).reshape(shape)
    beta = _fma(-mean, alpha, b, x.dtype)
    return _fma(x, np.broadcast_to(alpha.reshape(shape), x.shape), np.broadcast_to(beta.reshape(shape), x.shape),
                x.dtype)


def _torch_train_values(x: np.ndarray, w, b, running_mean, running_var, momentum: float, eps: float):
    """The output of batch norm in training as torch computes it, updating the running statistics in
    place (outside the graph) from the same statistics, in torch's precision."""
    mean, var_sum, n = _torch_stats(x)
    invstd = (1 / np.sqrt((var_sum / x.dtype.type(n)).astype(np.float64) + eps)).astype(x.dtype)
    m = np.asarray(momentum, x.dtype)
    with no_grad():
        if running_mean is not None:
            running_mean._data[...] = m * mean + (1 - m) * running_mean._data
        if running_var is not None:
            unbiased = (var_sum / x.dtype.type(max(n - 1, 1))).astype(np.float64)
            running_var._data[...] = m.astype(np.float64) * unbiased + ((1 - m) * running_var._data)
    return _torch_normalised(x, w, b, mean, invstd)


def _torch_eval_values(x: np.ndarray, w, b, running_mean: np.ndarray, running_var: np.ndarray, eps: float):
    invstd = 1 / np.sqrt(running_var + np.asarray(eps, running_var.dtype))
    return _torch_normalised(x, w, b, running_mean, invstd)


def _weights(weight, bias, channels: int, dtype) -> tuple:
    w = wrap(np.ones(channels, dtype)) if weight is None else weight
    return w, wrap(np.zeros(channels, dtype)) if bias is None else bias


@quiet
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,  # noqa: A002
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) by the batch's statistics (training) or the running ones.

    The values are torch's CPU kernel's to the last bit in float32 (its summation order and fused
    multiply-adds); the gradient is fgrad's derivative of the same formula.

    Example: ``F.batch_norm(torch.tensor([[1.], [3.]]), None, None, training=True)`` is
    ``tensor([[-1.0000], [ 1.0000]])``.
    """
    x = input._data
    if training and x.size // x.shape[1] <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode")
    w, b = _weights(weight, bias, x.shape[1], x.dtype)
    if training:
        value = _torch_train_values(x, w._data, b._data, running_mean, running_var, float(momentum), float(eps))
        return record(BATCH_NORM, (input, w, b), (float(eps),), np.asarray(value, x.dtype))
    value = _torch_eval_values(x, w._data, b._data, running_mean._data, running_var._data, float(eps))
    return record(BATCH_NORM_EVAL, (input, w, b, running_mean, running_var), (float(eps),),
                  np.asarray(value, x.dtype))


def _ln(x, w, b, axes, eps):
    mean = fnp.mean(x, axis=axes, keepdims=True)
    var = fnp.mean((x - mean) ** 2, axis=axes, keepdims=True)
    return (x - mean) / fnp.sqrt(var + eps) * w + b


LAYER_NORM = Op("NativeLayerNormBackward0", _ln)


@quiet
def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5) -> Tensor:  # noqa: A002
    """Normalise over the trailing `normalized_shape` axes, then scale and shift.

    Example: ``F.layer_norm(torch.tensor([[1., 3.]]), (2,))`` is ``tensor([[-1.0000,  1.0000]])``.
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    if x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    w = wrap(np.ones(shape, x.dtype)) if weight is None else weight
    b = wrap(np.zeros(shape, x.dtype)) if bias is None else bias
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    value = _ln(x, w._data, b._data, axes, float(eps))
    return record(LAYER_NORM, (input, w, b), (axes, float(eps)), np.asarray(value, x.dtype))


def _embed(w, idx, padding_idx):
    rows = w[idx]
    if padding_idx is None:
        return rows
    # the padding row gets no gradient, as in torch
    return fnp.where(fnp.expand_dims(idx != padding_idx, -1), rows, fnp.stop_gradient(rows))


EMBEDDING = Op("EmbeddingBackward0", _embed)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0,  # noqa: A002
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of `weight` at the integer indices `input`; the padding_idx row gets no gradient.

    Example: ``F.embedding(torch.tensor([1]), torch.eye(2))`` is ``tensor([[0., 1.]])``.
    """
    idx = input._data
    if idx.dtype not in (np.int64, np.int32):
        name = SCALAR_NAMES.get(idx.dtype.name, idx.dtype.name)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{name}Tensor instead (while checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= weight._data.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        raise NotImplementedError("embedding(max_norm=...) renormalises weight in place; fgrad.torch does not "
                                  "support it: scale the rows yourself under torch.no_grad()")
    pad = None if padding_idx is None else int(padding_idx) % weight._data.shape[0]
    return record(EMBEDDING, (weight, input), (pad,), np.asarray(_embed(weight._data, idx, pad)))


SILU = Op("SiluBackward0", lambda a: a * fnn.sigmoid(a))
ELU = Op("EluBackward0", lambda a, alpha: fnp.where(a > 0, a, fnp.expm1(fnp.minimum(a, 0.0)) * alpha))


@quiet
def silu(input, inplace: bool = False) -> Tensor:  # noqa: A002
    """x * sigmoid(x). Example: ``F.silu(torch.zeros(1))`` is ``tensor([0.])``."""
    return record(SILU, (input,), (), np.asarray(SILU.fn(input._data), input._data.dtype))


@quiet
def elu(input, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else alpha (exp(x) - 1). Example: ``F.elu(torch.zeros(1))`` is ``tensor([0.])``."""
    return record(ELU, (input,), (float(alpha),), np.asarray(ELU.fn(input._data, float(alpha)), input._data.dtype))
