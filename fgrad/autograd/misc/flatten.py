"""autograd.misc.flatten: nested lists, tuples and dicts of arrays as one flat vector."""

from __future__ import annotations

from collections.abc import Callable

import fgrad.numpy as fnp

from ..core import make_vjp


def _flatten(value):
    if isinstance(value, (list, tuple)):
        return _concatenate([_flatten(v) for v in value])
    if isinstance(value, dict):
        return _concatenate([_flatten(value[k]) for k in sorted(value)])
    return fnp.ravel(value)


def _concatenate(parts: list):
    return fnp.concatenate(parts) if parts else fnp.array([])


def flatten(value) -> tuple:
    """`(vector, unflatten)`: the numbers in `value` (arrays and numbers nested in lists, tuples and
    dicts, dict keys sorted) as one 1-d array, and the function that rebuilds `value` from one.

    Example:
        >>> import numpy as np
        >>> vec, unflatten = flatten((1.0, [np.zeros(2)]))
        >>> vec, unflatten(np.arange(3.0))
        (array([1., 0., 0.]), (array(0.), [array([1., 2.])]))
    """
    unflatten, vector = make_vjp(_flatten, value)
    return vector, unflatten


def flatten_func(func: Callable, example) -> tuple:
    """`(flat_func, unflatten, flat_example)`: `func` taking and returning flat vectors.

    Example:
        >>> f, unflatten, x = flatten_func(lambda d: {"a": d["a"] * 2.0}, {"a": 1.0})
        >>> f(x)
        array([2.])
    """
    _ex, unflatten = flatten(example)
    return (lambda _x, *args: flatten(func(unflatten(_x), *args))[0]), unflatten, _ex
