"""check_grads: compare fgrad's derivatives, forward and reverse mode, with finite differences in a
random direction."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .api import grad, vjp
from .api_jvp import jvp
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


def _check_jvp(f: Callable, args: list, eps: float, rtol: float, atol: float, rng) -> None:
    direction = [rng.standard_normal(np.shape(a)) for a in args]
    fd = _directional_fd(f, args, direction, eps)
    _, t_out = jvp(f, tuple(args), tuple(direction))
    if not np.allclose(np.asarray(t_out, np.float64), fd, rtol=rtol, atol=atol):
        raise AssertionError(f"jvp disagrees with finite differences: J d = {t_out!r} by fgrad, "
                             f"{fd!r} by finite differences")


def _check_order(f: Callable, args: list, order: int, modes, eps: float, rtol: float, atol: float, rng) -> None:
    """Check f's derivatives in each mode, then those of its derivatives in each mode, to `order`."""
    if "fwd" in modes:
        _check_jvp(f, args, eps, rtol, atol, rng)
    if "rev" in modes:
        _check_vjp(f, args, eps, rtol, atol, rng)
    if order < 2:
        return
    # derivatives of derivatives: a larger step, and tolerances for the finite differences' noise
    looser = (eps ** 0.5 * 1e-2, rtol * 100, atol * 100)
    if "fwd" in modes:
        v = tuple(rng.standard_normal(np.shape(a)) for a in args)
        _check_order(lambda *xs: jvp(f, xs, v)[1], args, order - 1, modes, *looser, rng)
    if "rev" in modes:
        w = rng.standard_normal(np.shape(f(*args)))
        scalar = lambda *xs: (f(*xs) * w).sum()  # noqa: E731
        first = lambda *xs: grad(scalar, argnums=tuple(range(len(xs))))(*xs)[0]  # noqa: E731
        _check_order(first, args, order - 1, modes, *looser, rng)


def check_grads(f: Callable, args: tuple | list, order: int = 1, modes: tuple | str = ("fwd", "rev"),
                eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-6, seed: int = 0) -> None:
    """Raise AssertionError unless f's derivatives match central finite differences.

    In forward mode ("fwd") the jvp in a random direction is compared with the directional finite
    difference; in reverse mode ("rev") the vjp of a random cotangent, through <ct, J d>. With
    `order=2` the same checks run on the derivatives themselves (jvp of jvp, vjp of jvp, jvp of
    grad, vjp of grad), so second derivatives are checked too. Arguments should be float64 for
    tight tolerances.

    Args:
        f: the function to check, taking `args` positionally; its leaves are arrays or pytrees of arrays.
        args: the point to check at, a tuple or list of f's arguments (converted to float64).
        order: 1 checks first derivatives; 2 also checks the derivatives of the derivatives.
        modes: "fwd", "rev" or a tuple of both: which modes to check.
        eps: the finite-difference step; larger for higher orders.
        rtol: relative tolerance of the comparison (loosened 100 times per extra order).
        atol: absolute tolerance of the comparison (loosened the same way).
        seed: seeds the random directions and cotangents, so a failure can be reproduced.

    Returns:
        None when every check passes.

    Raises:
        AssertionError: a derivative disagrees with finite differences; the message gives both numbers.
        ValueError: `modes` is empty or names something other than "fwd" and "rev".

    Example:
        >>> import fgrad.numpy as fnp, numpy as np
        >>> check_grads(lambda x: fnp.sin(x) * x, (np.array([0.3, 1.2]),), order=2)
        >>> check_grads(fnp.exp, (np.array([0.5]),), modes=("fwd",))
    """
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    if not modes or any(m not in ("fwd", "rev") for m in modes):
        raise ValueError(f"check_grads: modes must be a non-empty tuple of 'fwd' and 'rev', got {modes!r}")
    leaves, tree = tree_flatten(tuple(args))
    leaves = [np.asarray(x, np.float64) for x in leaves]
    flat_f = lambda *xs: f(*tree_unflatten(tree, list(xs)))  # noqa: E731
    _check_order(flat_f, leaves, order, modes, eps, rtol, atol, np.random.default_rng(seed))
