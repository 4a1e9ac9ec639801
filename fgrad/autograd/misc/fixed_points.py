"""autograd.misc.fixed_points: a fixed-point iteration whose derivative comes from the implicit
function theorem (a second fixed-point iteration for the adjoint), not from unrolling the loop."""

from __future__ import annotations

from collections.abc import Callable

from ..core import defvjp, make_vjp
from ..tracer import primitive
from ..vspaces import vspace


@primitive
def fixed_point(f: Callable, a, x0, distance: Callable, tol: float):
    """The fixed point `x = f(a)(x)`, iterated from `x0` until `distance(x, previous) <= tol`.

    Its derivative with respect to `a` is exact at the fixed point (to the tolerance), to any order;
    `x0` has no derivative. The iteration runs in Python on concrete values (a primitive).

    Example:
        >>> from fgrad.autograd import grad
        >>> sqrt = lambda a: fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, 1.0, lambda x, y: abs(x - y), 1e-12)
        >>> round(float(sqrt(2.0)), 8), round(float(grad(sqrt)(2.0)), 8)
        (1.41421356, 0.35355339)
    """
    step = f(a)
    x, previous = step(x0), x0
    while distance(x, previous) > tol:
        x, previous = step(x), x
    return x


def _adjoint_step(params):
    """One step of the adjoint iteration w = vjp of f(a) at x* (w) + x*_bar, for fixed_point."""
    f, a, x_star, x_star_bar = params[0], *params[1]
    vjp_x, _ = make_vjp(f(a), x_star)
    return lambda w: vspace(x_star).add(vjp_x(w), x_star_bar)


def _fixed_point_vjp(ans, f, a, x0, distance, tol):
    vjp_a, _ = make_vjp(lambda a: f(a)(ans), a)
    return lambda g: vjp_a(fixed_point(lambda p: _adjoint_step((f, p)), (a, ans, g), vspace(x0).zeros(),
                                       distance, tol))


defvjp(fixed_point, None, _fixed_point_vjp, None)
