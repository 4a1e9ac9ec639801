"""fgrad.scipy.integrate.odeint against scipy.integrate.odeint and jax.experimental.ode.odeint
(float64): values, gradients in y0, t and the arguments (closures included), second order, finite
differences, SciPy's and jax's call forms, both backends, vmap, the step options and the errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate as si
from jax.experimental.ode import odeint as jax_odeint

import fgrad
import fgrad.numpy as fnp
from fgrad.scipy.integrate import odeint
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)

TIGHT = dict(rtol=1e-11, atol=1e-11)
Y0 = np.array([0.5, -0.1, 0.6])
T = np.linspace(0.1, 0.9, 5)
A1, A2 = np.array([1.5, -0.2, -0.2]), np.array([1.6, 0.8, -0.5])


def rhs(np_):
    """autograd's test system, written with the given NumPy module."""
    return lambda y, t, a1, a2: -np_.sqrt(t) - y + a1 - np_.mean((y + a2) ** 2)


def lotka_volterra(np_):
    return lambda y, t, p: np_.stack([p[0] * y[0] - p[1] * y[0] * y[1], p[1] * y[0] * y[1] - p[2] * y[1]])


def test_values_match_scipy_and_jax():
    ours = odeint(rhs(fnp), Y0, T, (A1, A2))
    np.testing.assert_allclose(ours, si.odeint(rhs(np), Y0, T, (A1, A2)), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours, jax_odeint(rhs(jnp), Y0, T, A1, A2), rtol=1e-6, atol=1e-7)
    tight = odeint(rhs(fnp), Y0, T, (A1, A2), **TIGHT)
    np.testing.assert_allclose(tight, jax_odeint(rhs(jnp), Y0, T, A1, A2, **TIGHT), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(tight, si.odeint(rhs(np), Y0, T, (A1, A2), **TIGHT), rtol=1e-8, atol=1e-9)


def test_gradients_in_every_argument_match_jax():
    w = np.random.default_rng(0).normal(size=(len(T), 3))
    loss = lambda ode, np_, **kw: lambda y0, t, a1, a2: np_.sum(ode(rhs(np_), y0, t, a1, a2, **kw) * w)  # noqa: E731
    ours = fgrad.grad(loss(odeint, fnp, **TIGHT), (0, 1, 2, 3))(Y0, T, A1, A2)
    theirs = jax.grad(loss(jax_odeint, jnp, **TIGHT), (0, 1, 2, 3))(Y0, T, A1, A2)
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-8, atol=1e-9)
    # at the default tolerances the adjoint's error is of their order too
    ours = fgrad.grad(loss(odeint, fnp), (0, 1, 2, 3))(Y0, T, A1, A2)
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_finite_differences_first_and_second_order():
    check_grads(lambda y0, t, a1, a2: odeint(rhs(fnp), y0, t, (a1, a2)), (Y0, T, A1, A2), order=2,
                modes=("rev",), rtol=1e-5, atol=1e-6)


def test_second_derivative_in_the_parameters_matches_jax():
    p, t = np.array([0.7, 1.3]), np.array([0.0, 0.6, 1.0])
    forced = lambda np_: lambda y, s, q: -q[0] * y + q[1] * np_.sin(s)  # noqa: E731
    loss = lambda ode, np_: lambda q: np_.sum(ode(forced(np_), np.array([1.0]), t, q, **TIGHT) ** 3)  # noqa: E731
    v = np.array([0.3, -1.1])
    # a Hessian-vector product, reverse over reverse: the adjoint of the adjoint
    ours = fgrad.grad(lambda q: fnp.dot(fgrad.grad(loss(odeint, fnp))(q), v))(p)
    theirs = jax.grad(lambda q: jnp.dot(jax.grad(loss(jax_odeint, jnp))(q), v))(p)
    np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-8)


def test_closed_over_parameters_get_their_gradient():
    y0, t = np.array([1.0, 2.0]), np.linspace(0.0, 1.0, 3)
    loss = lambda ode: lambda k: (ode(lambda y, s: -k * y * s, y0, t, **TIGHT) ** 2).sum()  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(loss(odeint))(np.array([0.5, 1.5])),
                               jax.grad(loss(jax_odeint))(np.array([0.5, 1.5])), rtol=1e-8)


def test_scipy_and_jax_call_forms_agree():
    want = np.asarray(odeint(rhs(fnp), Y0, T, (A1, A2)))
    for got in (odeint(rhs(fnp), Y0, T, A1, A2), odeint(rhs(fnp), Y0, T, args=(A1, A2)),
                odeint(lambda t, y, a, b: rhs(fnp)(y, t, a, b), Y0, T, (A1, A2), tfirst=True),
                odeint(rhs(fnp), Y0, T, (A1, A2), Dfun=None, mxordn=12)):
        np.testing.assert_array_equal(got, want)
    # one argument, given as SciPy's args or not
    decay = lambda y, t, k: -k * y  # noqa: E731
    np.testing.assert_array_equal(odeint(decay, 1.0, T, 2.0), odeint(decay, 1.0, T, args=(2.0,)))


def test_pytree_state_and_list_results():
    t = np.linspace(0.0, 1.0, 4)
    out = odeint(lambda s, t: {"x": s["v"], "v": -s["x"]}, {"x": np.array(1.0), "v": np.array(0.0)}, t)
    np.testing.assert_allclose(out["x"], np.cos(t), rtol=1e-7)
    np.testing.assert_allclose(out["v"], -np.sin(t), rtol=1e-7, atol=1e-9)
    # SciPy's func may return a list for an array state
    np.testing.assert_allclose(odeint(lambda y, t: [y[1], -y[0]], np.array([1.0, 0.0]), t)[:, 0], np.cos(t),
                               rtol=1e-7)


def test_decreasing_and_integer_times():
    k, y0, t = np.array([0.5, 1.5]), np.array([1.0, 2.0]), np.array([2.0, 1.5, 0.5, 0.0])
    f = lambda np_: lambda y, s, k: -k * y + np_.sin(s)  # noqa: E731
    np.testing.assert_allclose(odeint(f(fnp), y0, t, (k,), **TIGHT), si.odeint(f(np), y0, t, (k,), **TIGHT),
                               rtol=1e-8)
    loss = lambda q: fnp.sum(odeint(f(fnp), y0, t, (q,)) ** 2)  # noqa: E731
    check_grads(loss, (k,), modes=("rev",), rtol=1e-5)
    np.testing.assert_allclose(odeint(f(fnp), y0, [0, 1, 2], (k,)), si.odeint(f(np), y0, [0, 1, 2], (k,)),
                               rtol=1e-6)


def test_float32_state_one_time_and_traced_decreasing_times():
    f = lambda y, t, k: -k * y + fnp.sin(t)  # noqa: E731
    out = odeint(f, np.array([1.0, 2.0], np.float32), np.linspace(0.0, 1.0, 3), np.float32(0.5))
    assert np.asarray(out).dtype == np.float32
    np.testing.assert_allclose(out, si.odeint(lambda y, t: -0.5 * y + np.sin(t), [1.0, 2.0], np.linspace(0, 1, 3)),
                               rtol=1e-5)
    # a single time is y0; its gradient is the identity
    np.testing.assert_array_equal(fgrad.grad(lambda y: odeint(f, y, np.array([0.3]), 0.5).sum())(np.ones(2)),
                                  np.ones(2))
    # under jit the direction of t is read from traced values
    t = np.array([1.0, 0.6, 0.2])
    np.testing.assert_allclose(fgrad.jit(lambda s: odeint(f, np.ones(2), s, 0.5, **TIGHT))(t),
                               si.odeint(lambda y, s: -0.5 * y + np.sin(s), np.ones(2), t, **TIGHT), rtol=1e-9)


def test_jit_on_both_backends(backend):
    w = np.random.default_rng(1).normal(size=(len(T), 3))
    loss = lambda y0, a1: fnp.sum(odeint(rhs(fnp), y0, T, (a1, A2), **TIGHT) * w)  # noqa: E731
    value, grads = fgrad.jit(fgrad.value_and_grad(loss, (0, 1)))(Y0, A1)
    ref_v, ref_g = jax.value_and_grad(lambda y0, a1: jnp.sum(jax_odeint(rhs(jnp), y0, T, a1, A2, **TIGHT) * w),
                                      (0, 1))(Y0, A1)
    np.testing.assert_allclose(value, ref_v, rtol=1e-8)
    for u, v in zip(grads, ref_g):
        np.testing.assert_allclose(u, v, rtol=1e-8, atol=1e-9)


def test_vmap_over_parameters():
    ps = np.array([[1.0, 0.5, 0.8], [0.7, 0.4, 1.2], [1.3, 0.2, 0.5]])
    y0, t = np.array([1.0, 0.5]), np.linspace(0.0, 1.0, 3)
    loss = lambda ode, np_: lambda q: np_.sum(ode(lotka_volterra(np_), y0, t, q, **TIGHT))  # noqa: E731
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(loss(odeint, fnp)))(ps),
                               jax.vmap(jax.grad(loss(jax_odeint, jnp)))(ps), rtol=1e-8)
    np.testing.assert_allclose(fgrad.vmap(lambda q: odeint(lotka_volterra(fnp), y0, t, q))(ps),
                               [odeint(lotka_volterra(fnp), y0, t, q) for q in ps], rtol=1e-7)


def test_step_options():
    decay = lambda y, t: -y  # noqa: E731
    t = np.array([0.0, 5.0])
    starved = odeint(decay, np.array([1.0]), t, mxstep=3)
    assert np.isnan(np.asarray(starved)[1]).all() and np.asarray(starved)[0] == 1.0
    for options in (dict(hmax=0.01), dict(h0=1e-3), dict(mxstep=0)):
        np.testing.assert_allclose(odeint(decay, np.array([1.0]), t, **options)[1], [np.exp(-5.0)], rtol=1e-6)


@pytest.mark.parametrize("call,error,words", [
    (lambda: odeint(lambda y, t: y[:1], np.ones(2), T), ValueError, "structure and shapes of y0"),
    (lambda: odeint(lambda y, t: y, np.ones(2) + 1j, T), TypeError, "real states"),
    (lambda: odeint(lambda y, t, a: y, np.ones(2), T, 1.0, args=(1.0,)), TypeError, "not both"),
    (lambda: odeint(lambda y, t: y, np.ones(2), T, full_output=True), NotImplementedError, "full_output"),
    (lambda: odeint(lambda y, t: y, np.ones(2), T, rtoll=1e-3), TypeError, "unexpected keyword"),
    (lambda: odeint(lambda y, t: y, np.ones(2), np.ones((2, 2))), ValueError, "1-d array"),
    (lambda: odeint(lambda y, t, a: y, np.ones(2), T, "fast"), TypeError, "arrays or scalars"),
])
def test_mistakes_are_named(call, error, words):
    with pytest.raises(error, match=words) as info:
        call()
    assert "test_scipy_integrate.py" in str(info.value)      # where: the user's line
