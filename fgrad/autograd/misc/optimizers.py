"""autograd.misc.optimizers: sgd with momentum, rmsprop and adam, on parameters of any nesting.

Each takes `grad(params, iteration)`, the initial parameters (arrays or numbers in lists, tuples
and dicts), an optional `callback(params, iteration, gradient)`, and returns the final parameters
in the initial ones' structure. The arithmetic runs on the flattened vector (misc.flatten).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .flatten import flatten


def unflatten_optimizer(optimize: Callable) -> Callable:
    """An optimizer of flat vectors, `optimize(grad, x, callback, *args, **kwargs)`, made to take
    and return nested parameters.

    Example:
        >>> @unflatten_optimizer
        ... def one_step(grad, x, callback=None):
        ...     return x - grad(x, 0)
        >>> one_step(lambda p, i: {"w": p["w"]}, {"w": np.ones(2)})
        {'w': array([0., 0.])}
    """
    @functools.wraps(optimize)
    def nested(grad, x0, callback=None, *args, **kwargs):
        flat_x0, unflatten = flatten(x0)

        def flat_grad(x, i):
            return np.asarray(flatten(grad(unflatten(x), i))[0])
        flat_callback = None if callback is None else (lambda x, i, g: callback(unflatten(x), i, unflatten(g)))
        return unflatten(optimize(flat_grad, np.asarray(flat_x0), flat_callback, *args, **kwargs))
    return nested


@unflatten_optimizer
def sgd(grad, x, callback=None, num_iters: int = 200, step_size: float = 0.1, mass: float = 0.9):
    """Gradient descent with momentum: `v = mass * v - (1 - mass) * g`, `x = x + step_size * v`.

    Example:
        >>> round(float(sgd(lambda x, i: 2.0 * (x - 3.0), 0.0, num_iters=500)), 6)
        3.0
    """
    velocity = np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(grad, x, callback=None, num_iters: int = 100, step_size: float = 0.1, gamma: float = 0.9,
            eps: float = 1e-8):
    """Steps scaled by a running root mean square of the gradient (started at one).

    Example:
        >>> round(float(rmsprop(lambda x, i: 2.0 * (x - 3.0), 0.0, num_iters=1000, step_size=0.01)), 2)
        3.0
    """
    avg_sq_grad = np.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = gamma * avg_sq_grad + (1.0 - gamma) * g ** 2
        x = x - step_size * g / (np.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(grad, x, callback=None, num_iters: int = 100, step_size: float = 0.001, b1: float = 0.9,
         b2: float = 0.999, eps: float = 1e-8):
    """Adam (Kingma and Ba, 2015), with bias-corrected first and second moments.

    Example:
        >>> round(float(adam(lambda x, i: 2.0 * (x - 3.0), 0.0, num_iters=500, step_size=0.1)), 2)
        3.0
    """
    m, v = np.zeros(len(x)), np.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = b1 * m + (1.0 - b1) * g
        v = b2 * v + (1.0 - b2) * g ** 2
        m_hat, v_hat = m / (1.0 - b1 ** (i + 1)), v / (1.0 - b2 ** (i + 1))
        x = x - step_size * m_hat / (np.sqrt(v_hat) + eps)
    return x
