"""check_grads: compare fgrad's derivatives with finite differences in a random direction."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .api import grad, vjp
from .tree import tree_flatten, tree_unflatten


def _directional_fd(f: Callable, args: list, direction: list, eps: float):
    plus = [a + eps * d for a, d in zip(args, direction)]
    minus = [a - eps * d for a, d in zip(args, direction)]
    return (np.asarray(f(*plus), np.float64) - np.asarray(f(*minus), np.float64)) / (2 * eps)


def _check_vjp(f: Callable, args: list, eps: float, rtol: float, atol: float, rng) -> None:
    direction = [rng.standard_normal(np.shape(a)) for a in args]
    fd = _directional_fd(f, args, direction, eps)
    out, pullback = vjp(f, *args)
    ct = rng.standard_normal(np.shape(out))
    cts = pullback(np.asarray(ct, np.result_type(out)))
    lhs = float(np.sum(ct * fd))
    rhs = float(sum(np.sum(c * d) for c, d in zip(cts, direction)))
    if not np.isclose(lhs, rhs, rtol=rtol, atol=atol):
        raise AssertionError(f"vjp disagrees with finite differences: <ct, J d> = {lhs!r} by "
                             f"finite differences, <J^T ct, d> = {rhs!r} by fgrad")


def check_grads(f: Callable, args, order: int = 1, eps: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-6, seed: int = 0) -> None:
    """Raise AssertionError unless f's reverse-mode derivatives match central finite differences.

    Checks the vjp in a random direction and, for `order=2`, the vjp of a random projection of the
    gradient (so second derivatives too). Arguments should be float64 for tight tolerances.

    Example:
        >>> import fgrad.numpy as fnp, numpy as np
        >>> check_grads(lambda x: fnp.sin(x) * x, (np.array([0.3, 1.2]),), order=2)
    """
    leaves, tree = tree_flatten(tuple(args))
    leaves = [np.asarray(x, np.float64) for x in leaves]
    flat_f = lambda *xs: f(*tree_unflatten(tree, list(xs)))  # noqa: E731
    rng = np.random.default_rng(seed)
    _check_vjp(flat_f, leaves, eps, rtol, atol, rng)
    if order >= 2:
        w = rng.standard_normal(np.shape(f(*tree_unflatten(tree, leaves))))
        scalar = lambda *xs: (flat_f(*xs) * w).sum()  # noqa: E731
        first = lambda *xs: grad(scalar, argnums=tuple(range(len(xs))))(*xs)[0]  # noqa: E731
        _check_vjp(first, leaves, eps ** 0.5 * 1e-2, rtol * 100, atol * 100, rng)
