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
