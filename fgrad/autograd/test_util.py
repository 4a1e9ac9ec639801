"""autograd.test_util: check_grads and its parts, comparing fgrad's derivatives with finite
differences along random directions, to first and second order, in forward and reverse mode."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

from .core import make_jvp, make_vjp
from .vspaces import vspace
from .wrap_util import _get_name, unary_to_nary

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6


def scalar_close(a, b) -> bool:
    """Whether two numbers agree to TOL absolutely or RTOL relatively.

    Example:
        >>> scalar_close(1.0, 1.0 + 1e-9)
        True
    """
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def make_numerical_jvp(f: Callable, x) -> Callable:
    """`jvp(v)`: the central finite difference of `f` at `x` along `v`, with step EPS.

    Example:
        >>> round(float(make_numerical_jvp(lambda x: x ** 2, 3.0)(1.0)), 4)
        6.0
    """
    y = f(x)
    x_vs, y_vs = vspace(x), vspace(y)

    def jvp(v):
        plus = f(x_vs.add(x, x_vs.scalar_mul(v, EPS / 2)))
        minus = f(x_vs.add(x, x_vs.scalar_mul(v, -EPS / 2)))
        return y_vs.scalar_mul(y_vs.add(plus, y_vs.scalar_mul(minus, -1.0)), 1.0 / EPS)
    return jvp


def check_vjp(f: Callable, x) -> None:
    """Assert that `f`'s vjp at `x` agrees with finite differences along a random direction.

    Raises:
        AssertionError: naming `f`, the argument and both numbers, when they differ.

    Example:
        >>> check_vjp(lambda x: x ** 2, 3.0)
    """
    vjp, y = make_vjp(f, x)
    jvp = make_numerical_jvp(f, x)
    x_vs, y_vs = vspace(x), vspace(y)
    x_v, y_v = x_vs.randn(), y_vs.randn()
    vjp_y = x_vs.covector(vjp(y_vs.covector(y_v)))
    exact, numeric = x_vs.inner_prod(x_v, vjp_y), y_vs.inner_prod(y_v, jvp(x_v))
    assert scalar_close(numeric, exact), (
        f"Derivative (VJP) check of {_get_name(f)} failed with arg {x}:\nanalytic: {exact}\nnumeric:  {numeric}")


def check_jvp(f: Callable, x) -> None:
    """Assert that `f`'s jvp at `x` agrees with finite differences along a random direction.

    Example:
        >>> check_jvp(lambda x: x ** 2, 3.0)
    """
    x_v = vspace(x).randn()
    check_equivalent(make_jvp(f, x)(x_v)[1], make_numerical_jvp(f, x)(x_v))


def check_equivalent(x, y) -> None:
    """Assert that `x` and `y` are in the same vector space and (nearly) equal.

    Example:
        >>> check_equivalent(1.0, 1.0 + 1e-12)
    """
    x_vs, y_vs = vspace(x), vspace(y)
    assert x_vs == y_vs, f"VSpace mismatch:\nx: {x_vs}\ny: {y_vs}"
    v = x_vs.randn()
    assert scalar_close(x_vs.inner_prod(x, v), x_vs.inner_prod(y, v)), f"Value mismatch:\nx: {x}\ny: {y}"


@unary_to_nary
def check_grads(f, x, modes=("fwd", "rev"), order=2):
    """Check `f`'s derivatives at `x` against finite differences, in `modes` up to `order`.

    Raises:
        AssertionError: at the first derivative that disagrees.

    Example:
        >>> import fgrad.numpy as np
        >>> check_grads(lambda x: np.sin(x) * x)(0.3)
    """
    assert all(m in ("fwd", "rev") for m in modes), f"modes must be 'fwd' and/or 'rev', got {modes}"
    if "fwd" in modes:
        check_jvp(f, x)
        if order > 1:
            def jvp_f(x, v):
                return make_jvp(f, x)(v)[1]
            jvp_f.__name__ = f"jvp_{_get_name(f)}"
            check_grads(jvp_f, (0, 1), modes, order=order - 1)(x, vspace(x).randn())
    if "rev" in modes:
        check_vjp(f, x)
        if order > 1:
            def vjp_f(x, v):
                return make_vjp(f, x)[0](v)
            vjp_f.__name__ = f"vjp_{_get_name(f)}"
            check_grads(vjp_f, (0, 1), modes, order=order - 1)(x, vspace(f(x)).randn())


def combo_check(fun: Callable, *args, **kwargs) -> Callable:
    """A function of lists of arguments running check_grads on every combination of them.

    Example:
        >>> combo_check(lambda x, y: x * y, [0, 1])([1.0, 2.0], [3.0])
    """
    def _combo_check(*arg_lists, **kwarg_lists):
        kwarg_pairs = [[(k, v) for v in values] for k, values in kwarg_lists.items()]
        for _args in product(*arg_lists):
            for _kwargs in product(*kwarg_pairs):
                check_grads(fun, *args, **kwargs)(*_args, **dict(_kwargs))
    return _combo_check
