"""fgrad.custom_jvp and fgrad.custom_vjp against jax's (float64) on both backends: the stable log1pexp,
a clipped gradient, an implicit-function derivative (a fixed point), vmap of custom functions, grad
of grad, and jax's errors for misshapen rules. Each example is written once and built with either
library."""

from __future__ import annotations

from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from assertions import close  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.ir_print import typecheck  # noqa: E402

F = SimpleNamespace(np=fnp, custom_jvp=fgrad.custom_jvp, custom_vjp=fgrad.custom_vjp, vjp=fgrad.vjp,
                    grad=fgrad.grad, vmap=fgrad.vmap, jvp=fgrad.jvp, jit=fgrad.jit)
J = SimpleNamespace(np=jnp, custom_jvp=jax.custom_jvp, custom_vjp=jax.custom_vjp, vjp=jax.vjp,
                    grad=jax.grad, vmap=jax.vmap, jvp=jax.jvp, jit=jax.jit)


# --- the examples, built against either library ---------------------------------------------------

def log1pexp(m):
    @m.custom_jvp
    def f(x):
        return m.np.log(1.0 + m.np.exp(x))

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), t * (1.0 - 1.0 / (1.0 + m.np.exp(x)))
    return f


def log1pexp_defjvps(m):
    f = m.custom_jvp(lambda x: m.np.log(1.0 + m.np.exp(x)))
    f.defjvps(lambda t, ans, x: t * (1.0 - 1.0 / (1.0 + m.np.exp(x))))
    return f


def clip_gradient(m):
    @m.custom_vjp
    def f(lo, hi, x):
        return x

    def fwd(lo, hi, x):
        return x, (lo, hi)

    def bwd(res, g):
        lo, hi = res
        return None, None, m.np.clip(g, lo, hi)
    f.defvjp(fwd, bwd)
    return f


def fixed_point(m, iterations=60):
    """The implicit-function example of jax's custom-derivative tutorial, iterating a fixed number of
    times (no value-dependent loop, so it traces the same in both libraries)."""
    def iterate(f, a, x):
        for _ in range(iterations):
            x = f(a, x)
        return x

    @partial(m.custom_vjp, nondiff_argnums=(0,))
    def solve(f, a, x_guess):
        return iterate(f, a, x_guess)

    def solve_fwd(f, a, x_guess):
        x_star = solve(f, a, x_guess)
        return x_star, (a, x_star)

    def solve_bwd(f, res, x_star_bar):
        a, x_star = res
        _, vjp_a = m.vjp(lambda a: f(a, x_star), a)
        _, vjp_x = m.vjp(lambda x: f(a, x), x_star)
        u = iterate(lambda _, u: x_star_bar + vjp_x(u)[0], None, x_star_bar)
        return vjp_a(u)[0], m.np.zeros_like(x_star)
    solve.defvjp(solve_fwd, solve_bwd)
    return solve


def newton_sqrt(m):
    solve = fixed_point(m)
    return lambda a: solve(lambda a, x: 0.5 * (x + a / x), a, a)


def two_outputs(m):
    """A custom_vjp with a pytree output and pytree residuals, both outputs differentiated."""
    @m.custom_vjp
    def f(x, y):
        return {"s": m.np.sin(x) * y, "c": m.np.cos(x)}

    def fwd(x, y):
        return f(x, y), {"cos": m.np.cos(x), "sin": m.np.sin(x), "y": y}

    def bwd(res, ct):
        return (ct["s"] * res["cos"] * res["y"] - ct["c"] * res["sin"], ct["s"] * res["sin"])
    f.defvjp(fwd, bwd)
    return lambda x, y: m.np.sum(f(x, y)["s"] * f(x, y)["c"] + f(x, y)["c"])


def assert_matches(ours, theirs):
    ours_l, theirs_l = jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)
    assert len(ours_l) == len(theirs_l)
    for a, b in zip(ours_l, theirs_l):
        close(a, b, rtol=1e-9)


# --- log1pexp: the stable gradient ---------------------------------------------------------------

def test_log1pexp_has_the_stable_gradient(backend):
    f, jf = log1pexp(F), log1pexp(J)
    with np.errstate(over="ignore"):           # exp(1000) is inf; the rule's 1 - 1 / inf is 1
        assert float(fgrad.grad(f)(1000.0)) == 1.0 == float(jax.grad(jf)(1000.0))
    naive = fgrad.grad(lambda x: fnp.log(1.0 + fnp.exp(x)))
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(naive(1000.0))          # what the rule avoids
    x = np.array([-3.0, 0.5, 10.0])
    assert_matches(fgrad.vmap(fgrad.grad(f))(x), jax.vmap(jax.grad(jf))(x))
    assert_matches(fgrad.value_and_grad(lambda x: fnp.sum(f(x)))(x), jax.value_and_grad(lambda x: jnp.sum(jf(x)))(x))
    assert_matches(fgrad.jit(fgrad.grad(lambda x: fnp.sum(f(x))))(x), jax.grad(lambda x: jnp.sum(jf(x)))(x))


@pytest.mark.parametrize("build", [log1pexp, log1pexp_defjvps])
def test_custom_jvp_under_every_transform(build, backend):
    f, jf = build(F), build(J)
    x, t = np.array([-1.0, 0.3, 4.0]), np.array([0.5, -2.0, 1.5])
    assert_matches(fgrad.jvp(f, (x,), (t,)), jax.jvp(jf, (x,), (t,)))
    out, pull = fgrad.vjp(f, x)
    j_out, j_pull = jax.vjp(jf, x)
    assert_matches((out, pull(t)), (j_out, j_pull(t)))
    assert_matches(fgrad.grad(fgrad.grad(f))(0.7), jax.grad(jax.grad(jf))(0.7))
    assert_matches(fgrad.jit(fgrad.grad(fgrad.grad(f)))(0.7), jax.grad(jax.grad(jf))(0.7))
    assert_matches(fgrad.jacfwd(fgrad.jacrev(lambda x: f(x) * x))(x), jax.jacfwd(jax.jacrev(lambda x: jf(x) * x))(x))
    assert_matches(fgrad.grad(lambda x: fnp.sum(fgrad.vmap(f)(x)))(x), jax.grad(lambda x: jnp.sum(jax.vmap(jf)(x)))(x))


def test_the_rule_is_used_not_the_function():
    """A rule that disagrees with the function's own derivative wins, as in jax."""
    def build(m):
        f = m.custom_jvp(lambda x: m.np.sin(x))
        f.defjvp(lambda p, t: (m.np.sin(p[0]), 3.0 * t[0]))
        return f
    f, jf = build(F), build(J)
    assert float(fgrad.grad(f)(0.4)) == 3.0 == float(jax.grad(jf)(0.4))
    assert_matches(fgrad.jvp(f, (0.4,), (2.0,)), jax.jvp(jf, (0.4,), (2.0,)))


def test_custom_jvp_with_nondiff_argnums():
    def build(m):
        @partial(m.custom_jvp, nondiff_argnums=(0,))
        def app(g, x):
            return g(x)

        @app.defjvp
        def app_jvp(g, primals, tangents):
            (x,), (t,) = primals, tangents
            return app(g, x), 2.0 * t
        return lambda x: app(m.np.sin, x) * x
    assert_matches(fgrad.grad(build(F))(0.3), jax.grad(build(J))(0.3))


# --- custom_vjp ----------------------------------------------------------------------------------

def test_clipped_gradient(backend):
    f, jf = clip_gradient(F), clip_gradient(J)
    x = np.array([-2.0, 0.1, 0.5, 3.0])
    loss, j_loss = (lambda x: fnp.sum(fnp.sin(f(-0.75, 0.75, x) * 4.0))), \
        (lambda x: jnp.sum(jnp.sin(jf(-0.75, 0.75, x) * 4.0)))
    assert_matches(fgrad.grad(loss)(x), jax.grad(j_loss)(x))
    assert_matches(fgrad.jit(fgrad.grad(loss))(x), jax.grad(j_loss)(x))
    per_example = lambda m, f: m.vmap(m.grad(lambda x: m.np.sin(f(-0.75, 0.75, x) * 4.0)))  # noqa: E731
    assert_matches(per_example(F, f)(x), per_example(J, jf)(x))
    batched = lambda m, f: lambda x: m.np.sum(m.vmap(lambda x: m.np.sin(f(-0.75, 0.75, x) * 4.0))(x))  # noqa: E731
    assert_matches(fgrad.grad(batched(F, f))(x), jax.grad(batched(J, jf))(x))


def test_implicit_function_derivative_of_a_fixed_point(backend):
    f, jf = newton_sqrt(F), newton_sqrt(J)
    for a in (2.0, 9.0):
        close(f(a), np.sqrt(a))
        close(fgrad.grad(f)(a), 0.5 / np.sqrt(a), rtol=1e-8)
        assert_matches(fgrad.grad(f)(a), jax.grad(jf)(a))
    a = np.array([2.0, 4.0, 10.0])
    assert_matches(fgrad.vmap(fgrad.grad(f))(a), jax.vmap(jax.grad(jf))(a))


def test_pytree_outputs_and_residuals(backend):
    f, jf = two_outputs(F), two_outputs(J)
    x, y = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    assert_matches(fgrad.grad(f, argnums=(0, 1))(x, y), jax.grad(jf, argnums=(0, 1))(x, y))
    assert_matches(fgrad.jit(fgrad.grad(f, argnums=(0, 1)))(x, y), jax.grad(jf, argnums=(0, 1))(x, y))


def test_grad_of_grad_differentiates_bwd():
    def build(m):
        @m.custom_vjp
        def cube(x):
            return x ** 3

        cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3.0 * x ** 2 * g,))
        return cube
    f, jf = build(F), build(J)
    assert_matches(fgrad.grad(fgrad.grad(f))(1.5), jax.grad(jax.grad(jf))(1.5))
    assert_matches(fgrad.grad(fgrad.grad(fgrad.grad(f)))(1.5), jax.grad(jax.grad(jax.grad(jf)))(1.5))


def test_custom_functions_nest():
    def build(m):
        clip, lpe = clip_gradient(m), log1pexp(m)
        inner = m.custom_vjp(lambda x: lpe(x) * 2.0)
        inner.defvjp(lambda x: (lpe(x) * 2.0, x), lambda x, g: (m.grad(lambda x: lpe(x) * 2.0)(x) * g,))
        return lambda x: clip(-0.5, 0.5, inner(x) ** 2)
    assert_matches(fgrad.grad(build(F))(0.4), jax.grad(build(J))(0.4))
    assert_matches(fgrad.grad(build(F))(-3.0), jax.grad(build(J))(-3.0))


def test_the_function_is_traced_inline_and_its_derivative_is_the_rule():
    f = clip_gradient(F)
    ir = fgrad.make_ir(lambda x: f(-1.0, 1.0, fnp.sin(x)))(np.ones(3))
    assert [e.prim.name for e in ir.eqns] == ["sin", "custom_vjp_call"]
    gir = fgrad.make_ir(fgrad.grad(lambda x: fnp.sum(f(-1.0, 1.0, fnp.sin(x)) * x)))(np.ones(3))
    typecheck(gir)
    names = {e.prim.name for e in gir.eqns}
    assert {"max", "min"} <= names          # the bwd rule's clip


def test_eager_calls_just_call_the_function():
    f = clip_gradient(F)
    x = np.array([1.0, 2.0])
    assert f(-1.0, 1.0, x) is x


# --- errors, worded as jax words them ------------------------------------------------------------

def error_of(fn, *args):
    with pytest.raises(Exception) as info:
        fn(*args)
    return info.type, str(info.value)


def custom_vjp_with(m, fwd, bwd):
    f = m.custom_vjp(lambda x, y: x * y)
    f.defvjp(fwd, bwd)
    return f


BAD_RULES = {
    "bwd returns one cotangent for two arguments": (lambda x, y: (x * y, (x, y)), lambda res, g: (g,)),
    "bwd returns a bare array": (lambda x, y: (x * y, (x, y)), lambda res, g: g),
    "bwd returns the wrong shape": (lambda x, y: (x * y, (x, y)), lambda res, g: (g, g[:1])),
    "fwd returns no pair": (lambda x, y: x * y, lambda res, g: (g, g)),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_misshapen_rules_raise_as_jax(case):
    fwd, bwd = BAD_RULES[case]
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    ours = error_of(fgrad.grad(lambda x, y: fnp.sum(custom_vjp_with(F, fwd, bwd)(x, y))), x, y)
    theirs = error_of(jax.grad(lambda x, y: jnp.sum(custom_vjp_with(J, fwd, bwd)(x, y))), x, y)
    assert ours[0] is theirs[0]
    first = theirs[1].split(", but")[0]
    assert ours[1].startswith(first), (ours[1], theirs[1])


def test_jvp_of_a_custom_vjp_function_is_jax_s_type_error():
    f, jf = clip_gradient(F), clip_gradient(J)
    ours = error_of(fgrad.jvp, lambda x: f(-1.0, 1.0, x), (1.0,), (1.0,))
    theirs = error_of(jax.jvp, lambda x: jf(-1.0, 1.0, x), (1.0,), (1.0,))
    assert ours == theirs == (TypeError, "can't apply forward-mode autodiff (jvp) to a custom_vjp function.")


def test_missing_rules_are_jax_s_attribute_errors():
    for m in (F, J):
        def g(x):
            return x
        with pytest.raises(AttributeError, match="No JVP defined for custom_jvp function g using defjvp."):
            m.custom_jvp(g)(1.0)
        with pytest.raises(AttributeError, match="No VJP defined for custom_vjp function g using defvjp."):
            m.custom_vjp(g)(1.0)


def test_a_jvp_rule_with_a_wrong_tangent_shape_raises_as_jax():
    def build(m):
        f = m.custom_jvp(lambda x: x * 2.0)
        f.defjvp(lambda p, t: (p[0] * 2.0, m.np.sum(t[0])))
        return f
    x = np.ones(3)
    ours = error_of(fgrad.jvp, build(F), (x,), (x,))
    theirs = error_of(jax.jvp, build(J), (x,), (x,))
    assert ours[0] is theirs[0] is TypeError
    assert ours[1].split(" Expected")[0] == theirs[1].split(" Expected")[0]


# --- where the rules run: jax's order of calls, concrete values ---------------------------------

def logged_functions(m, log):
    """The tutorial's printing custom_jvp and custom_vjp versions of sin."""
    f = m.custom_jvp(lambda x: (log.append("f"), m.np.sin(x))[1])
    f.defjvp(lambda p, t: (log.append("f_jvp"), (f(p[0]), m.np.cos(p[0]) * t[0]))[1])
    g = m.custom_vjp(lambda x: (log.append("g"), m.np.sin(x))[1])
    g.defvjp(lambda x: (log.append("g_fwd"), (g(x), m.np.cos(x)))[1],
             lambda cos_x, ct: (log.append("g_bwd"), (cos_x * ct,))[1])
    return f, g


@pytest.mark.parametrize("case", ["grad f", "jvp f", "grad g", "value_and_grad g", "jvp g", "jit f"])
def test_the_rules_are_called_in_jax_s_order(case):
    def calls(m):
        log = []
        f, g = logged_functions(m, log)
        fun = {"f": f, "g": g}[case[-1]]
        transform = {"grad": lambda h: m.grad(h)(3.0), "jvp": lambda h: m.jvp(h, (3.0,), (1.0,)),
                     "value_and_grad": lambda h: (jax if m is J else fgrad).value_and_grad(h)(3.0),
                     "jit": lambda h: m.jit(h)(3.0)}[case.split()[0]]
        try:
            value = transform(fun)
        except TypeError as e:
            value = str(e)
        return log, value
    (ours, value), (theirs, expected) = calls(F), calls(J)
    assert ours == theirs
    if isinstance(expected, str):
        assert value == expected
    else:
        for a, b in zip(jax.tree_util.tree_leaves(value), jax.tree_util.tree_leaves(expected)):
            close(a, b)


def test_a_jvp_rule_sees_concrete_values_under_grad():
    def build(m):
        f = m.custom_jvp(lambda x: x)           # the tutorial's branching rule
        f.defjvp(lambda p, t: (p[0], 2.0 * t[0] if p[0] > 0 else 3.0 * t[0]))
        return f
    for x in (1.0, -1.0):
        close(fgrad.grad(build(F))(x), jax.grad(build(J))(x))
        close(fgrad.grad(lambda y: build(F)(y) * y)(x), jax.grad(lambda y: build(J)(y) * y)(x))


def test_rules_run_where_called_agree_with_jax_at_second_order_and_under_vmap():
    log: list = []
    f, g = logged_functions(F, log)
    jf, jg = logged_functions(J, log)
    xs = np.linspace(-1.0, 2.0, 3)
    for ours, theirs in ((f, jf), (g, jg)):
        close(fgrad.vmap(fgrad.grad(ours))(xs), jax.vmap(jax.grad(theirs))(xs))
        close(fgrad.grad(lambda x, h=ours: fnp.sum(fgrad.vmap(h)(x) ** 2))(xs),
              jax.grad(lambda x, h=theirs: jnp.sum(jax.vmap(h)(x) ** 2))(xs))
    close(fgrad.grad(fgrad.grad(f))(0.7), jax.grad(jax.grad(jf))(0.7))
    close(fgrad.hessian(lambda x: f(x) * x)(0.7), jax.hessian(lambda x: jf(x) * x)(0.7))


@pytest.mark.parametrize("outer", ["grad", "vjp", "jit of grad", "grad of jit"])
def test_bwd_runs_once_for_all_outputs(outer):
    def build(m, log):
        f = m.custom_vjp(lambda x: (m.np.sin(x), m.np.cos(x), x * 2.0))
        f.defvjp(lambda x: (f(x), x), lambda x, cts: (log.append(len(cts)),
                                                        (cts[0] * m.np.cos(x) - cts[1] * m.np.sin(x) + 2 * cts[2],))[1])
        return lambda x: m.np.sum(sum(f(x)) * x)

    def run(m, log):
        loss = build(m, log)
        lib = fgrad if m is F else jax
        if outer == "vjp":
            return lib.vjp(loss, np.arange(3.0))[1](1.0)[0]
        if outer == "grad of jit":             # traced by jit first: the rule runs inside grad's replay
            return lib.grad(lib.jit(loss))(np.arange(3.0))
        g = lib.grad(loss)
        return (lib.jit(g) if outer.startswith("jit") else g)(np.arange(3.0))
    ours, theirs = [], []
    close(run(F, ours), run(J, theirs))
    assert ours == theirs == [3]
