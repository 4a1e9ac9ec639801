"""Neural-network helpers with jax.nn's names, built from fgrad.numpy.

Example:
    >>> import fgrad.nn, numpy as np
    >>> fgrad.nn.softmax(np.array([0.0, 0.0]))
    array([0.5, 0.5])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import numpy as fnp
from ._checks import _index
from ._nn_conv import avg_pool as avg_pool
from ._nn_conv import conv as conv
from ._nn_conv import max_pool as max_pool
from .core import Tracer, bind
from .primitives import elementwise as ew


def sigmoid(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """The logistic sigmoid 1 / (1 + exp(-x)), computed without overflow.

    Args:
        x: array-like or traced value; integers are converted to the default float dtype.

    Returns:
        An array of x's shape with values in [0, 1]: floating point, as x's dtype when that is a float.

    Example:
        >>> float(sigmoid(0.0))
        0.5
    """
    x = fnp.astype(x, fnp._float_dtype(x))
    return bind(ew.logistic_p, x) if isinstance(x, Tracer) else ew.logistic_p.impl(x)


def relu(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """The rectified linear unit max(x, 0); its derivative at 0 is 0, as in jax.nn.relu.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape and dtype, x where x > 0 and 0 elsewhere.

    Example:
        >>> relu(np.array([-1.0, 2.0]))
        array([0., 2.])
    """
    return fnp.where(fnp.greater(x, 0), x, fnp.zeros_like(x) if isinstance(x, Tracer) else 0.0)


def softplus(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """log(1 + exp(x)), computed without overflow for large x.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape, positive and at least max(x, 0).

    Example:
        >>> float(softplus(0.0)) == float(np.log(2.0))
        True
    """
    return fnp.logaddexp(x, 0.0)


def _stable_max(x, axis):
    top = fnp.stop_gradient(fnp.max(x, axis=axis, keepdims=True))
    return fnp.where(fnp.equal(top, -np.inf), fnp.zeros_like(top), top)


def logsumexp(x: ArrayLike | Tracer, axis: int | tuple[int, ...] | None = None,
              keepdims: bool = False) -> np.ndarray | Tracer:
    """log(sum(exp(x))) over `axis`, shifted by the maximum for stability (-inf if all are -inf).

    Args:
        x: array-like or traced value.
        axis: an int or tuple of ints to reduce over; None (the default) reduces over all axes.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against x.

    Returns:
        The reduced array: a scalar when axis is None and keepdims is False.

    Example:
        >>> float(logsumexp(np.array([0.0, 0.0])))  # log(2)
        0.6931471805599453
    """
    top = _stable_max(x, axis)
    out = fnp.log(fnp.sum(fnp.exp(x - top), axis=axis, keepdims=True)) + top
    return out if keepdims else fnp.squeeze(out, axis) if axis is not None else fnp.reshape(out, ())


def log_softmax(x: ArrayLike | Tracer, axis: int = -1) -> np.ndarray | Tracer:
    """x - logsumexp(x) along `axis`: log-probabilities, computed stably.

    Args:
        x: array-like or traced value (logits).
        axis: the axis that holds the classes; the last by default.

    Returns:
        An array of x's shape whose exp sums to 1 along `axis`.

    Example:
        >>> log_softmax(np.zeros(2))  # [-log 2, -log 2]
        array([-0.69314718, -0.69314718])
    """
    shifted = x - _stable_max(x, axis)
    return shifted - fnp.log(fnp.sum(fnp.exp(shifted), axis=axis, keepdims=True))


def softmax(x: ArrayLike | Tracer, axis: int = -1) -> np.ndarray | Tracer:
    """exp(x) / sum(exp(x)) along `axis`, shifted by the maximum for stability.

    Args:
        x: array-like or traced value (logits).
        axis: the axis that holds the classes; the last by default.

    Returns:
        An array of x's shape, non-negative and summing to 1 along `axis`.

    Example:
        >>> softmax(np.array([0.0, np.log(3.0)]))
        array([0.25, 0.75])
    """
    unnormalized = fnp.exp(x - _stable_max(x, axis))
    return unnormalized / fnp.sum(unnormalized, axis=axis, keepdims=True)


def one_hot(x: ArrayLike | Tracer, num_classes: int, dtype: DTypeLike = np.float64) -> np.ndarray | Tracer:
    """Encode integer labels as rows of an identity matrix.

    Args:
        x: integer labels, any shape; a label outside [0, num_classes) gives a row of zeros.
        num_classes: the number of classes, the length of each row.
        dtype: the result's dtype, float64 by default.

    Returns:
        An array of shape x.shape + (num_classes,).

    Raises:
        TypeError: num_classes is not an integer.

    Example:
        >>> one_hot(np.array([1, 0]), 3)
        array([[0., 1., 0.],
               [1., 0., 0.]])
    """
    classes = np.arange(_index(num_classes, "num_classes"))
    return fnp.astype(fnp.equal(fnp.expand_dims(x, -1), classes), dtype)


# --- activations with jax.nn's names and conventions ------------------------------------------------

def silu(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """The sigmoid linear unit x * sigmoid(x) (also called swish).

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape.

    Example:
        >>> float(silu(0.0))
        0.0
    """
    return x * sigmoid(x)


swish = silu


def log_sigmoid(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """log(sigmoid(x)) = -softplus(-x), without overflow.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape, at most 0.

    Example:
        >>> float(log_sigmoid(0.0)) == -float(np.log(2.0))
        True
    """
    return -softplus(-x)


def leaky_relu(x: ArrayLike | Tracer, negative_slope: float = 1e-2) -> np.ndarray | Tracer:
    """x for x >= 0, negative_slope * x below.

    Args:
        x: array-like or traced value.
        negative_slope: the slope for negative x, 0.01 by default.

    Returns:
        An array of x's shape.

    Example:
        >>> float(leaky_relu(-1.0))
        -0.01
    """
    return fnp.where(fnp.greater_equal(x, 0), x, negative_slope * x)


def _expm1_below(x, alpha):
    """alpha * expm1(x) for x <= 0, x above; the exp never sees large positive x."""
    safe = fnp.where(fnp.greater(x, 0), 0.0, x)
    return fnp.where(fnp.greater(x, 0), x, alpha * fnp.expm1(safe))


def elu(x: ArrayLike | Tracer, alpha: float = 1.0) -> np.ndarray | Tracer:
    """The exponential linear unit: x for x > 0, alpha * (exp(x) - 1) below.

    Args:
        x: array-like or traced value.
        alpha: the value approached as x goes to -inf is -alpha; 1 by default.

    Returns:
        An array of x's shape.

    Example:
        >>> float(elu(-1.0)) == float(np.expm1(-1.0))
        True
    """
    return _expm1_below(x, alpha)


def celu(x: ArrayLike | Tracer, alpha: float = 1.0) -> np.ndarray | Tracer:
    """The continuously differentiable ELU: max(x, 0) + alpha * min(exp(x / alpha) - 1, 0).

    Args:
        x: array-like or traced value.
        alpha: the scale of the negative part; 1 by default.

    Returns:
        An array of x's shape.

    Example:
        >>> float(celu(-2.0, alpha=2.0)) == 2.0 * float(np.expm1(-1.0))
        True
    """
    safe = fnp.where(fnp.greater(x, 0), 0.0, x)
    return fnp.where(fnp.greater(x, 0), x, alpha * fnp.expm1(safe / alpha))


_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946


def selu(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """The scaled ELU, scale * elu(x, alpha), with the self-normalizing constants.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape.

    Example:
        >>> round(float(selu(1.0)), 4)
        1.0507
    """
    return _SELU_SCALE * _expm1_below(x, _SELU_ALPHA)


def relu6(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """min(max(x, 0), 6); the derivative is 0 at both kinks, as in jax.nn.relu6.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape with values in [0, 6].

    Example:
        >>> relu6(np.array([-1.0, 3.0, 7.0]))
        array([0., 3., 6.])
    """
    inside = fnp.logical_and(fnp.greater(x, 0), fnp.less(x, 6))
    return fnp.where(inside, x, fnp.where(fnp.greater_equal(x, 6), 6.0, 0.0) * fnp.ones_like(x))


def hard_sigmoid(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """relu6(x + 3) / 6, a piecewise-linear sigmoid.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape with values in [0, 1].

    Example:
        >>> float(hard_sigmoid(0.0))
        0.5
    """
    return relu6(x + 3.0) / 6.0


def hard_silu(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """x * hard_sigmoid(x) (also called hard_swish).

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape.

    Example:
        >>> hard_silu(np.array([-4.0, 0.0, 4.0]))
        array([-0.,  0.,  4.])
    """
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def hard_tanh(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """-1 below -1, 1 above 1, x between.

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape with values in [-1, 1].

    Example:
        >>> hard_tanh(np.array([-2.0, 0.5, 2.0]))
        array([-1. ,  0.5,  1. ])
    """
    inside = fnp.logical_and(fnp.greater(x, -1), fnp.less(x, 1))
    return fnp.where(inside, x, fnp.where(fnp.greater_equal(x, 1), 1.0, -1.0) * fnp.ones_like(x))


def soft_sign(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """x / (|x| + 1).

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape with values in (-1, 1).

    Example:
        >>> float(soft_sign(1.0))
        0.5
    """
    return x / (fnp.abs(x) + 1)


def mish(x: ArrayLike | Tracer) -> np.ndarray | Tracer:
    """x * tanh(softplus(x)).

    Args:
        x: array-like or traced value.

    Returns:
        An array of x's shape.

    Example:
        >>> float(mish(0.0))
        0.0
    """
    return x * fnp.tanh(softplus(x))


def gelu(x: ArrayLike | Tracer, approximate: bool = True) -> np.ndarray | Tracer:
    """The Gaussian error linear unit: the tanh approximation (jax.nn's default) or x * Phi(x) exactly.

    Args:
        x: array-like or traced value.
        approximate: True (the default) for the tanh formula, False for the exact one with erf.

    Returns:
        An array of x's shape.

    Example:
        >>> float(gelu(0.0))
        0.0
        >>> abs(float(gelu(1.0)) - float(gelu(1.0, approximate=False))) < 1e-3
        True
    """
    if approximate:
        return 0.5 * x * (1 + fnp.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
    from .scipy.special import erf
    return 0.5 * x * (1 + erf(x / np.sqrt(2)))


def glu(x: ArrayLike | Tracer, axis: int = -1) -> np.ndarray | Tracer:
    """The gated linear unit: the first half of `x` along `axis` times the sigmoid of the second half.

    Args:
        x: array-like or traced value; its length along `axis` must be even.
        axis: the axis to split; the last by default.

    Returns:
        An array like x with half the length along `axis`.

    Raises:
        ValueError: x's length along `axis` is odd.

    Example:
        >>> glu(np.array([2.0, 4.0, 0.0, 0.0]))
        array([1., 2.])
    """
    a, b = fnp.split(x, 2, axis=axis)
    return a * sigmoid(b)


def standardize(x: ArrayLike | Tracer, axis: int | tuple[int, ...] = -1, mean: ArrayLike | Tracer | None = None,
                variance: ArrayLike | Tracer | None = None, epsilon: float = 1e-5,
                where: ArrayLike | None = None) -> np.ndarray | Tracer:
    """(x - mean) / sqrt(variance + epsilon) along `axis`.

    Args:
        x: array-like or traced value.
        axis: the axis (or tuple of axes) to normalise over; the last by default.
        mean: the mean to subtract; computed from x when None.
        variance: the variance to divide by; computed from x when None.
        epsilon: added to the variance, so a constant input does not divide by zero.
        where: not supported.

    Returns:
        An array of x's shape with mean 0 and variance close to 1 along `axis`.

    Raises:
        NotImplementedError: `where` is given; mask the input first instead.

    Example:
        >>> standardize(np.array([1.0, 3.0]), epsilon=0.0)
        array([-1.,  1.])
    """
    if where is not None:
        raise NotImplementedError("fgrad.nn.standardize: where= is not supported; mask the input first")
    if mean is None:
        mean = fnp.mean(x, axis=axis, keepdims=True)
    if variance is None:
        variance = fnp.mean(fnp.square(x), axis=axis, keepdims=True) - fnp.square(mean)
    return (x - mean) / fnp.sqrt(variance + epsilon)
