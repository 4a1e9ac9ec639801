"""torch.nn.functional: activations and losses, each one op with torch's grad_fn name.

Losses are written as their composites in fgrad.numpy operations (BCE with torch's clamp of the
logarithms at -100), so their gradients come from fgrad's reverse mode.

Example:
    >>> import fgrad.torch as torch
    >>> import fgrad.torch.nn.functional as F
    >>> F.mse_loss(torch.zeros(2, requires_grad=True), torch.ones(2))
    tensor(1., grad_fn=<MseLossBackward0>)
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import nn as fnn
from ... import numpy as fnp
from .. import _dtypes, ops, ops_shape
from .._graph import Op
from .._products import linear as linear  # noqa: F401
from .._quiet import quiet
from .._random import bernoulli_values, engine
from ..ops import as_tensor_operand, record, wrap
from ..ops import relu as relu  # noqa: F401  (torch.nn.functional.relu)
from ..ops import sigmoid as sigmoid  # noqa: F401
from ..ops import tanh as tanh  # noqa: F401
from ..ops_shape import log_softmax as _log_softmax
from ..ops_shape import softmax as _softmax
from ..tensor import Tensor
from ._functional_conv import adaptive_avg_pool2d as adaptive_avg_pool2d  # noqa: F401
from ._functional_conv import avg_pool2d as avg_pool2d  # noqa: F401
from ._functional_conv import conv1d as conv1d  # noqa: F401
from ._functional_conv import conv2d as conv2d  # noqa: F401
from ._functional_conv import conv_transpose1d as conv_transpose1d  # noqa: F401
from ._functional_conv import conv_transpose2d as conv_transpose2d  # noqa: F401
from ._functional_conv import max_pool2d as max_pool2d  # noqa: F401
from ._functional_conv import pad as pad  # noqa: F401
from ._functional_loss import cross_entropy as cross_entropy  # noqa: F401
from ._functional_loss import nll_loss as nll_loss  # noqa: F401
from ._functional_norm import batch_norm as batch_norm  # noqa: F401
from ._functional_norm import elu as elu  # noqa: F401
from ._functional_norm import embedding as embedding  # noqa: F401
from ._functional_norm import layer_norm as layer_norm  # noqa: F401
from ._functional_norm import silu as silu  # noqa: F401

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction: str):
    if reduction == "mean":
        return fnp.mean(loss)
    if reduction == "sum":
        return fnp.sum(loss)
    return loss


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    """torch's axis when `dim` is left out (0 for 0-, 1- and 3-d inputs, else 1), with its warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """Softmax along `dim`. Example: ``F.softmax(torch.zeros(2), dim=0)``."""
    return _softmax(input, _implicit_dim("softmax", input.dim(), _stacklevel) if dim is None else dim)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None) -> Tensor:  # noqa: A002
    """Log-softmax along `dim`. Example: ``F.log_softmax(torch.zeros(2), dim=0)``."""
    return _log_softmax(input, _implicit_dim("log_softmax", input.dim(), _stacklevel) if dim is None else dim)


LEAKY_RELU = Op("LeakyReluBackward0", lambda a, slope: fnp.where(a > 0, a, a * slope))
SOFTPLUS = Op("SoftplusBackward0", lambda a, beta: fnn.softplus(a * beta) / beta)
GELU_TANH = Op("GeluBackward0", lambda a: a * (1 + fnp.tanh(0.7978845608028654 * (a + 0.044715 * a ** 3))) * 0.5)


def _erf(x):
    # Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7), built from fgrad operations
    s = fnp.sign(x)
    a = fnp.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * fnp.exp(-a * a))


GELU = Op("GeluBackward0", lambda a: a * (1.0 + _erf(a * 0.7071067811865476)) * 0.5)


@quiet
def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:  # noqa: A002
    """x where x > 0, else slope * x. Example: ``F.leaky_relu(torch.tensor([-1.]))``."""
    d = input._data
    return record(LEAKY_RELU, (input,), (float(negative_slope),), np.where(d > 0, d, d * negative_slope))


@quiet
def softplus(input, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    """log(1 + exp(beta x)) / beta. Example: ``F.softplus(torch.zeros(1))``."""
    d = input._data
    return record(SOFTPLUS, (input,), (float(beta),), (np.logaddexp(0, d * beta) / beta).astype(d.dtype))


@quiet
def gelu(input, approximate: str = "none") -> Tensor:  # noqa: A002
    """x * Phi(x) (approximate="tanh": torch's tanh form). Example: ``F.gelu(torch.zeros(1))``."""
    op = GELU_TANH if approximate == "tanh" else GELU
    return record(op, (input,), (), np.asarray(op.fn(input._data), input._data.dtype))


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero elements with probability p and scale the rest by 1/(1-p) (identity when not training)."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if p == 1:
        return ops.mul(input, wrap(np.zeros((), input._data.dtype)))
    return ops.mul(input, wrap(_dropout_noise(input._data.shape, input._data.dtype, p)))


def _dropout_noise(shape: tuple, dtype, p: float) -> np.ndarray:
    """torch's CPU mask: empty(shape).bernoulli_(1 - p), then divided by 1 - p in input's dtype."""
    noise = np.empty(shape, dtype)
    noise.reshape(-1)[...] = bernoulli_values(engine(None), np.full(noise.size, 1 - p), True)
    return noise / noise.dtype.type(1 - p)


def _feature_dropout(input, p: float, training: bool) -> Tensor:  # noqa: A002
    """Zero whole channels (dims 2 and on share one draw per (sample, channel)), as ATen's feature_dropout."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input._data.size == 0:
        return input
    if p == 1:
        return ops.mul(input, wrap(np.zeros((), input._data.dtype)))
    shape = input._data.shape[:2] + (1,) * (input._data.ndim - 2)
    return ops.mul(input, wrap(_dropout_noise(shape, input._data.dtype, p)))


def _unbatched_feature_dropout(input, p: float, training: bool, batched: bool) -> Tensor:  # noqa: A002
    if batched:
        return _feature_dropout(input, p, training)
    return ops_shape.squeeze(_feature_dropout(ops_shape.unsqueeze(input, 0), p, training), 0)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p, scaling the rest by 1/(1-p).

    Args:
        input: the tensor; p: the probability of zeroing a channel; training: False returns `input`;
        inplace: accepted for torch's signature (a new tensor is returned).

    Returns:
        The tensor with dropped channels zero and the others scaled by 1 / (1 - p).

    Raises:
        RuntimeError: for an input that is not 2D or 3D (torch's message).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.functional.dropout1d(torch.ones(2, 3), 0.5, training=False)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, "
            "and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _unbatched_feature_dropout(input, p, training, input.dim() == 3)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels (2D feature maps) of an (N, C, H, W) input with probability p, scaling the rest
    by 1/(1-p); a 3D input is read as (N, C, L), with torch's warning.

    Args:
        input: the tensor; p: the probability of zeroing a channel; training: False returns `input`;
        inplace: accepted for torch's signature (a new tensor is returned).

    Returns:
        The tensor with dropped channels zero and the others scaled by 1 / (1 - p).

    Example:
        >>> import fgrad.torch as torch
        >>> _ = torch.manual_seed(2)
        >>> torch.nn.functional.dropout2d(torch.ones(1, 2, 1, 2)).tolist()
        [[[[0.0, 0.0]], [[2.0, 2.0]]]]
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2)
    if input.dim() == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", stacklevel=2)
    return _feature_dropout(input, p, training)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:  # noqa: A002
    """Zero whole channels (3D feature maps) of an (N, C, D, H, W) or (C, D, H, W) input with probability p,
    scaling the rest by 1/(1-p).

    Args:
        input: the tensor; p: the probability of zeroing a channel; training: False returns `input`;
        inplace: accepted for torch's signature (a new tensor is returned).

    Returns:
        The tensor with dropped channels zero and the others scaled by 1 / (1 - p).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.functional.dropout3d(torch.ones(1, 1, 1, 1), training=False).shape
        torch.Size([1, 1, 1, 1])
    """
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.dim() not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {input.dim()}-D input to dropout3d, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, please use dropout "
            "instead. Note that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
            "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2)
    return _unbatched_feature_dropout(input, p, training, input.dim() == 5)


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """Integer labels as one-hot rows (int64). Example: ``F.one_hot(torch.tensor([1]), 3)``."""
    n = int(tensor._data.max()) + 1 if num_classes < 0 else num_classes
    return wrap((tensor._data[..., None] == np.arange(n)).astype(np.int64))


# --- losses ------------------------------------------------------------------------------------

MSE = Op("MseLossBackward0", lambda a, b, dt, red: _reduce((a.astype(dt) - b.astype(dt)) ** 2, red))


def _pair(input, target, name: str):
    target = as_tensor_operand(target, input)
    if input._data.shape != target._data.shape:
        ops.check_broadcast(input._data.shape, target._data.shape)
    return target, _dtypes.result_type((input, target))


@quiet
def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean squared error. Example: ``F.mse_loss(torch.zeros(2), torch.ones(2))`` is ``tensor(1.)``."""
    _check_reduction(reduction)
    target, dt = _pair(input, target, "mse_loss")
    diff = input._data.astype(dt) - target._data.astype(dt)
    squares = diff * diff
    if reduction == "none":
        value = squares
    else:   # torch reduces the squares with its sum kernel (float32: its cascade order), then divides
        total = ops_shape.whole_sum(squares, dt)
        value = total / dt.type(squares.size) if reduction == "mean" else total
    return record(MSE, (input, target), (dt, reduction), np.asarray(value, dt))


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Mean absolute error (torch records it as abs then mean/sum). Example: ``F.l1_loss(a, b)``."""
    _check_reduction(reduction)
    err = ops.abs(ops.sub(input, target))
    return ops_shape.mean(err) if reduction == "mean" else ops_shape.sum(err) if reduction == "sum" else err


def _bce(p, t, dt, reduction):
    p, t = p.astype(dt), t.astype(dt)
    # torch clamps each logarithm at -100 (a probability of exactly 0 or 1 gives a finite loss) and
    # its gradient is (p - t) / max(p (1 - p), 1e-12). Where p (1 - p) >= 1e-12 that is the exact
    # derivative of the plain formula (evaluated on a safe input elsewhere, so no 0/0 leaks in);
    # beyond it the value is the clamped one and the first derivative is torch's.
    ok = p * (1 - p) >= 1e-12
    safe = fnp.where(ok, p, 0.5)
    inner = -(t * fnp.log(safe) + (1 - t) * fnp.log(1 - safe))
    clamped = -(t * fnp.maximum(fnp.log(p), -100.0) + (1 - t) * fnp.maximum(fnp.log(1 - p), -100.0))
    slope = (p - t) / fnp.maximum(p * (1 - p), 1e-12)
    edge = fnp.stop_gradient(clamped) + (p - fnp.stop_gradient(p)) * fnp.stop_gradient(slope)
    return _reduce(fnp.where(ok, inner, edge), reduction)


BCE = Op("BinaryCrossEntropyBackward0", _bce)
BCE_W = Op("BinaryCrossEntropyBackward0", lambda p, t, w, dt, red: _reduce(_bce(p, t, dt, "none") * w, red))


@quiet
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities `input` against `target`.

    Example: ``F.binary_cross_entropy(torch.tensor([0.5]), torch.tensor([1.]))`` is ``tensor(0.6931)``.
    """
    from .._errors import BCE_RANGE, SCALAR_NAMES, torch_error
    _check_reduction(reduction)
    target = as_tensor_operand(target, input)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    p = input._data
    if target._data.dtype != p.dtype:
        raise RuntimeError(f"Found dtype {SCALAR_NAMES[target._data.dtype.name]} but expected "
                           f"{SCALAR_NAMES[p.dtype.name]}")
    if not np.all((p >= 0) & (p <= 1)):        # NaN is out of range too, as in torch
        raise torch_error(*BCE_RANGE)
    dt = _dtypes.result_type((input, target))
    if weight is None:
        value = _bce(p, target._data, dt, reduction)
        return record(BCE, (input, target), (dt, reduction), np.asarray(value, dt))
    weight = as_tensor_operand(weight, input)
    value = _reduce(_bce(p, target._data, dt, "none") * weight._data, reduction)
    return record(BCE_W, (input, target, weight), (dt, reduction), np.asarray(value, dt))


def _bce_logits(x, t, pw, dt, reduction):
    x, t = x.astype(dt), t.astype(dt)
    if pw is None:
        # softplus(x) - t x: its derivative is sigmoid(x) - t as torch computes it, so symmetric data
        # gives exactly zero gradients (optimizers like Adam amplify any rounding left there)
        return _reduce(fnn.softplus(x) - t * x, reduction)
    # -log(sigmoid(x)) = log(1 + exp(-x)), written per sign so exp never overflows; each branch
    # only sees its own side's values, so the unused one contributes no 0 * inf
    pos = x > 0
    x_pos, x_neg = fnp.where(pos, x, 0.0), fnp.where(pos, 0.0, x)
    log_sig_neg = fnp.where(pos, fnp.log1p(fnp.exp(-x_pos)), fnp.log1p(fnp.exp(x_neg)) - x_neg)
    loss = (1 - t) * x + (1 + (pw - 1) * t) * log_sig_neg
    return _reduce(loss, reduction)


BCE_LOGITS = Op("BinaryCrossEntropyWithLogitsBackward0", lambda x, t, dt, red: _bce_logits(x, t, None, dt, red))
BCE_LOGITS_PW = Op("BinaryCrossEntropyWithLogitsBackward0", _bce_logits)
BCE_LOGITS_W = Op("BinaryCrossEntropyWithLogitsBackward0",
                  lambda x, t, w, dt, red: _reduce(_bce_logits(x, t, None, dt, "none") * w, red))
BCE_LOGITS_PW_W = Op("BinaryCrossEntropyWithLogitsBackward0",
                     lambda x, t, pw, w, dt, red: _reduce(_bce_logits(x, t, pw, dt, "none") * w, red))


@quiet
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,  # noqa: A002
                                     reduction: str = "mean", pos_weight=None) -> Tensor:
    """Sigmoid then binary cross-entropy, computed stably from the logits `input`.

    Example: ``F.binary_cross_entropy_with_logits(torch.zeros(1), torch.ones(1))`` is ``tensor(0.6931)``.
    """
    _check_reduction(reduction)
    target = as_tensor_operand(target, input)
    if input._data.shape != target._data.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    dt = _dtypes.result_type((input, target))
    args = [input, target]
    if pos_weight is not None:
        args.append(as_tensor_operand(pos_weight, input))
    if weight is not None:
        args.append(as_tensor_operand(weight, input))
    op = {(False, False): BCE_LOGITS, (True, False): BCE_LOGITS_PW, (False, True): BCE_LOGITS_W,
          (True, True): BCE_LOGITS_PW_W}[(pos_weight is not None, weight is not None)]
    value = op.fn(*[a._data for a in args], dt, reduction)
    return record(op, tuple(args), (dt, reduction), np.asarray(value, dt))
