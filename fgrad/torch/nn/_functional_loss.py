"""torch.nn.functional's nll_loss and cross_entropy, with torch's class weights, ignore_index,
label smoothing and probability targets, over (N, C) or (N, C, d1, ...) inputs.

cross_entropy follows ATen's composition (log_softmax, then nll_loss and the smoothing term), so
its value, gradient and grad_fn name are torch's.
"""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp
from .. import ops, ops_shape
from .._errors import SCALAR_NAMES
from .._graph import Op
from .._quiet import quiet
from ..ops import record, wrap
from ..ops_shape import log_softmax as _log_softmax
from ..tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _class_view(ndim: int, axis: int) -> tuple:
    """The shape a per-class vector takes to broadcast along axis `axis` of an ndim-array."""
    return (-1,) + (1,) * (ndim - 1 - axis)


def _nll(logp, target, w, reduction, ignore_index, axis):
    ndim = len(logp.shape)
    classes = np.arange(logp.shape[axis]).reshape(_class_view(ndim, axis))
    hit = fnp.equal(fnp.expand_dims(target, axis), classes)
    valid = fnp.not_equal(target, ignore_index)
    w = fnp.reshape(w, _class_view(ndim, axis))
    weight = fnp.where(valid, fnp.sum(fnp.where(hit, fnp.broadcast_to(w, hit.shape), 0.0), axis=axis), 0.0)
    picked = -fnp.sum(fnp.where(hit, logp, fnp.zeros_like(logp)), axis=axis) * weight.astype(logp.dtype)
    if reduction == "mean":
        return fnp.sum(picked) / fnp.sum(weight).astype(logp.dtype)
    return fnp.sum(picked) if reduction == "sum" else picked


NLL = Op("NllLossBackward0", _nll)
NLL_2D = Op("NllLoss2DBackward0", _nll)
# ATen divides by a count (a Scalar), which torch records as DivBackward1
DIV_BY_COUNT = Op("DivBackward1", lambda a, count: a / count)


@quiet
def _check_nll_target(x: np.ndarray, t: np.ndarray) -> None:
    """torch's checks of class-index targets against the input, in torch's order."""
    if x.ndim == 1 and t.ndim == 1 and t.size != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.size}")
    if x.ndim >= 2 and t.ndim >= 1 and x.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    if x.ndim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if x.ndim > 2 and t.shape != x.shape[:1] + x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {SCALAR_NAMES[t.dtype.name]}")


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities `input` (N, C), (C,) or (N, C, d1, ...) at integer `target`.

    Example: ``F.nll_loss(torch.log(torch.tensor([[0.5, 0.5]])), torch.tensor([0]))`` is ``tensor(0.6931)``.
    """
    _check_reduction(reduction)
    x, t = input._data, target._data
    _check_nll_target(x, t)
    axis = 1 if x.ndim > 1 else 0
    n_classes = x.shape[axis]
    bad = t[(t != ignore_index) & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")
    w = wrap(np.ones(n_classes, x.dtype) if weight is None else weight._data.astype(x.dtype))
    value = _nll(x, t, w._data, reduction, ignore_index, axis)
    op = NLL_2D if x.ndim > 2 else NLL
    return record(op, (input, target, w), (reduction, ignore_index, axis), np.asarray(value, x.dtype))


def _reduced(loss: Tensor, reduction: str, mean_divisor) -> Tensor:
    if reduction == "none":
        return loss
    total = ops_shape.sum(loss)
    return ops.div(total, mean_divisor) if reduction == "mean" else total


def _soft_cross_entropy(logp: Tensor, target: Tensor, weight, reduction: str, smoothing: float, axis: int):
    """Cross-entropy against class probabilities, smoothed towards uniform, as ATen computes it."""
    n = logp._data.shape[axis]
    if smoothing > 0:
        target = ops.add(ops.mul(target, 1 - smoothing), smoothing / n)
    prod = ops.mul(logp, target)
    if weight is not None:
        prod = ops.mul(prod, ops_shape.reshape(weight, *_class_view(logp._data.ndim, axis)))
    if reduction == "none":
        return ops.neg(ops_shape.sum(prod, axis))
    total = ops.neg(ops_shape.sum(prod))
    if reduction == "sum":
        return total
    count = float(logp._data.size // n)
    return record(DIV_BY_COUNT, (total,), (count,), np.asarray(total._data / count, total._data.dtype))


def _smoothing_term(logp: Tensor, target: Tensor, weight, reduction: str, ignore_index: int, axis: int):
    """ATen's label-smoothing term for class-index targets: the (weighted) sum of -log p over classes,
    zero at ignored targets, normalised as nll_loss normalises."""
    kept = target._data != ignore_index
    prod = logp if weight is None else ops.mul(logp, ops_shape.reshape(weight, *_class_view(logp._data.ndim, axis)))
    smooth = ops.mul(ops.neg(ops_shape.sum(prod, axis)), wrap(kept.astype(logp._data.dtype)))
    if weight is None:
        divisor = float(kept.sum())
    else:
        divisor = float(weight._data[target._data[kept]].sum(dtype=weight._data.dtype))
    return _reduced(smooth, reduction, divisor)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,  # noqa: A002
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over classes (axis 1), then nll_loss for class indices or the soft cross-entropy for
    class probabilities, with torch's label smoothing and class weights.

    Example: ``F.cross_entropy(torch.zeros(1, 2), torch.tensor([0]))`` is ``tensor(0.6931)``.
    """
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    axis = 1 if input._data.ndim > 1 else 0
    logp = _log_softmax(input, axis)
    if target._data.dtype.kind == "f" and target._data.shape == input._data.shape:
        return _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, axis)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return nll
    smooth = _smoothing_term(logp, target, weight, reduction, ignore_index, axis)
    n = input._data.shape[axis]
    return ops.add(ops.mul(nll, 1 - label_smoothing), ops.mul(smooth, label_smoothing / n))
