"""Neural-network helpers with jax.nn's names, built from fgrad.numpy.

Example:
    >>> import fgrad.nn, numpy as np
    >>> fgrad.nn.softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
"""

from __future__ import annotations

import numpy as np

from . import numpy as fnp
from ._checks import _index
from ._nn_conv import avg_pool as avg_pool
from ._nn_conv import conv as conv
from ._nn_conv import max_pool as max_pool
from .core import Tracer, bind
from .primitives import elementwise as ew


def sigmoid(x):
    """1 / (1 + exp(-x)), computed without overflow. Example: ``sigmoid(0.0)`` is ``0.5``."""
    x = fnp.astype(x, fnp._float_dtype(x))
    return bind(ew.logistic_p, x) if isinstance(x, Tracer) else ew.logistic_p.impl(x)


def relu(x):
    """max(x, 0); its derivative at 0 is 0, as in jax.nn.relu. Example: ``relu(-1.0)`` is ``0.0``."""
    return fnp.where(fnp.greater(x, 0), x, fnp.zeros_like(x) if isinstance(x, Tracer) else 0.0)


def softplus(x):
    """log(1 + exp(x)) without overflow. Example: ``softplus(0.0)`` is ``log(2)``."""
    return fnp.logaddexp(x, 0.0)


def _stable_max(x, axis):
    top = fnp.stop_gradient(fnp.max(x, axis=axis, keepdims=True))
    return fnp.where(fnp.equal(top, -np.inf), fnp.zeros_like(top), top)


def logsumexp(x, axis=None, keepdims=False):
    """log(sum(exp(x))) over `axis`, shifted by the maximum for stability (-inf if all are -inf).

    Example:
        >>> float(logsumexp(np.array([0.0, 0.0])))  # log(2)
        0.6931471805599453
    """
    top = _stable_max(x, axis)
    out = fnp.log(fnp.sum(fnp.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else fnp.squeeze(out, axis) if axis is not None else fnp.reshape(out, ())


def log_softmax(x, axis=-1):
    """x - logsumexp(x) along `axis`. Example: ``log_softmax(np.zeros(2))`` is ``[-log 2, -log 2]``."""
    shifted = x - _stable_max(x, axis)
    return shifted - fnp.log(fnp.sum(fnp.exp(shifted), axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along `axis`, shifted for stability. Example: ``softmax(np.zeros(2))``."""
    unnormalized = fnp.exp(x - _stable_max(x, axis))
    return unnormalized / fnp.sum(unnormalized, axis=axis, keepdims=True)


def one_hot(x, num_classes: int, dtype=np.float64):
    """Encode integer labels as rows of a identity matrix. Example: ``one_hot(np.array([1]), 3)``."""
    classes = np.arange(_index(num_classes, "num_classes"))
    return fnp.astype(fnp.equal(fnp.expand_dims(x, -1), classes), dtype)


# --- activations with jax.nn's names and conventions ------------------------------------------------

def silu(x):
    """x * sigmoid(x). Example: ``silu(0.0)`` is ``0.0``."""
    return x * sigmoid(x)


swish = silu


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), without overflow. Example: ``log_sigmoid(0.0)`` is ``-log 2``."""
    return -softplus(-x)


def leaky_relu(x, negative_slope: float = 1e-2):
    """x for x >= 0, negative_slope * x below. Example: ``leaky_relu(-1.0)`` is ``-0.01``."""
    return fnp.where(fnp.greater_equal(x, 0), x, negative_slope * x)


def _expm1_below(x, alpha):
    """alpha * expm1(x) for x <= 0, x above; the exp never sees large positive x."""
    safe = fnp.where(fnp.greater(x, 0), 0.0, x)
    return fnp.where(fnp.greater(x, 0), x, alpha * fnp.expm1(safe))


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha * (exp(x) - 1) below. Example: ``elu(-1.0)`` is ``exp(-1) - 1``."""
    return _expm1_below(x, alpha)


def celu(x, alpha: float = 1.0):
    """max(x, 0) + alpha * min(exp(x / alpha) - 1, 0). Example: ``celu(-1.0)``."""
    safe = fnp.where(fnp.greater(x, 0), 0.0, x)
    return fnp.where(fnp.greater(x, 0), x, alpha * fnp.expm1(safe / alpha))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(x):
    """scale * elu(x, alpha) with the self-normalizing constants. Example: ``selu(1.0)`` is ``1.0507...``."""
    return _SELU_SCALE * _expm1_below(x, _SELU_ALPHA)


def relu6(x):
    """min(max(x, 0), 6); derivative 0 at both kinks, as jax.nn.relu6. Example: ``relu6(7.0)`` is ``6.0``."""
    inside = fnp.logical_and(fnp.greater(x, 0), fnp.less(x, 6))
    return fnp.where(inside, x, fnp.where(fnp.greater_equal(x, 6), 6.0, 0.0) * fnp.ones_like(x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6. Example: ``hard_sigmoid(0.0)`` is ``0.5``."""
    return relu6(x + 3.0) / 6.0


def hard_silu(x):
    """x * hard_sigmoid(x). Example: ``hard_silu(1.0)``."""
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def hard_tanh(x):
    """-1 below -1, 1 above 1, x between. Example: ``hard_tanh(2.0)`` is ``1.0``."""
    inside = fnp.logical_and(fnp.greater(x, -1), fnp.less(x, 1))
    return fnp.where(inside, x, fnp.where(fnp.greater_equal(x, 1), 1.0, -1.0) * fnp.ones_like(x))


def soft_sign(x):
    """x / (|x| + 1). Example: ``soft_sign(1.0)`` is ``0.5``."""
    return x / (fnp.abs(x) + 1)


def mish(x):
    """x * tanh(softplus(x)). Example: ``mish(0.0)`` is ``0.0``."""
    return x * fnp.tanh(softplus(x))


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit: the tanh approximation (jax.nn's default) or x * Phi(x) exactly.

    Example: ``gelu(0.0)`` is ``0.0``.
    """
    if approximate:
        return 0.5 * x * (1 + fnp.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    from .scipy.special import erf
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def glu(x, axis: int = -1):
    """First half of `x` along `axis` times sigmoid of the second half. Example: ``glu(np.ones(4))``."""
    a, b = fnp.split(x, 2, axis=axis)
    return a * sigmoid(b)


def standardize(x, axis=-1, mean=None, variance=None, epsilon: float = 1e-5, where=None):
    """(x - mean) / sqrt(variance + epsilon) along `axis`. Example: ``standardize(np.array([1., 3.]))``."""
    if where is not None:
        raise NotImplementedError("fgrad.nn.standardize: where= is not supported; mask the input first")
    if mean is None:
        mean = fnp.mean(x, axis=axis, keepdims=True)
    if variance is None:
        variance = fnp.mean(fnp.square(x), axis=axis, keepdims=True) - fnp.square(mean)
    return (x - mean) / fnp.sqrt(variance + epsilon)
