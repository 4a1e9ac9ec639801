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


def _update_running(x: np.ndarray, running_mean, running_var, momentum: float) -> None:
    """running = (1 - momentum) running + momentum batch, with the unbiased batch variance, as torch."""
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    mean, var = x.mean(axis=axes), x.var(axis=axes) * (n / max(n - 1, 1))
    with no_grad():
        if running_mean is not None:
            running_mean._data[...] = (1 - momentum) * running_mean._data + momentum * mean
        if running_var is not None:
            running_var._data[...] = (1 - momentum) * running_var._data + momentum * var


def _weights(weight, bias, channels: int, dtype) -> tuple:
    w = wrap(np.ones(channels, dtype)) if weight is None else weight
    return w, wrap(np.zeros(channels, dtype)) if bias is None else bias


@quiet
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,  # noqa: A002
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) by the batch's statistics (training) or the running ones.

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
        if running_mean is not None or running_var is not None:
            _update_running(x, running_mean, running_var, momentum)
        value = _bn_train(x, w._data, b._data, float(eps))
        return record(BATCH_NORM, (input, w, b), (float(eps),), np.asarray(value, x.dtype))
    value = _bn_eval(x, w._data, b._data, running_mean._data, running_var._data, float(eps))
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
