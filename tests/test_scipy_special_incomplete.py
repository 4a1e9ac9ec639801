"""gammainc, gammaincc and betainc: values and derivatives against jax.scipy.special (float64), the
pure-NumPy kernels against SciPy and mpmath over wide ranges and tails, derivatives of every order
in the shape parameters against mpmath, and finite differences."""

from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.scipy.special as fss
from fgrad.errors import MissingRuleError
from fgrad.primitives import _incomplete_kernels as kernels
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)
scipy_special = pytest.importorskip("scipy.special")
mpmath = pytest.importorskip("mpmath")

_A = np.array([0.3, 0.9, 2.5, 7.0, 30.0, 4.0])
_X = np.array([0.2, 2.0, 1.5, 9.0, 26.0, 0.5])
_BA = np.array([0.5, 2.0, 1.5, 30.0, 0.8])
_BB = np.array([2.0, 5.0, 0.7, 25.0, 3.0])
_BX = np.array([0.3, 0.6, 0.95, 0.5, 0.02])


def _sum_grad(f, argnums):
    return lambda *a: fgrad.grad(lambda *b: fnp.sum(f(*b)), argnums)(*a)


def _jsum_grad(f, argnums):
    return lambda *a: jax.grad(lambda *b: jnp.sum(f(*b)), argnums)(*a)


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_gammainc_against_jax_values_and_derivatives(name):
    f, j = getattr(fss, name), getattr(jss, name)
    np.testing.assert_allclose(f(_A, _X), j(_A, _X), rtol=1e-12)
    for argnums in (0, 1):                      # jax differentiates once in a, any times in x
        np.testing.assert_allclose(_sum_grad(f, argnums)(_A, _X), _jsum_grad(j, argnums)(_A, _X), rtol=1e-10)
    ours = _sum_grad(lambda a, x: _sum_grad(f, 1)(a, x), (0, 1))(_A, _X)
    theirs = _jsum_grad(lambda a, x: _jsum_grad(j, 1)(a, x), (0, 1))(_A, _X)
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-10)


def test_betainc_against_jax_in_x_to_second_order():
    f = lambda x: fss.betainc(_BA, _BB, x)  # noqa: E731
    j = lambda x: jss.betainc(_BA, _BB, x)  # noqa: E731
    np.testing.assert_allclose(f(_BX), j(_BX), rtol=1e-12)
    np.testing.assert_allclose(_sum_grad(f, 0)(_BX), _jsum_grad(j, 0)(_BX), rtol=1e-11)
    np.testing.assert_allclose(_sum_grad(_sum_grad(f, 0), 0)(_BX), _jsum_grad(_jsum_grad(j, 0), 0)(_BX), rtol=1e-10)


def _mp_gammainc(upper):
    return (lambda a, x: mpmath.gammainc(a, x, mpmath.inf, regularized=True)) if upper else \
        (lambda a, x: mpmath.gammainc(a, 0, x, regularized=True))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("k", [1, 2, 3])
def test_gammainc_derivatives_in_a_of_every_order_against_mpmath(k, upper):
    for a, x in [(0.5, 0.3), (2.0, 5.0), (30.0, 25.0), (3.0, 3.5), (100.0, 130.0)]:
        with mpmath.workdps(40):
            exact = float(mpmath.diff(lambda s, x=x: _mp_gammainc(upper)(s, x), a, k))
        ours = kernels.gammainc_derivative(k, upper, np.array(a), np.array(x))
        assert abs(ours - exact) <= 1e-11 * abs(exact), (a, x, ours, exact)


def test_betainc_derivatives_in_a_and_b_against_mpmath():
    for a, b, x in [(0.5, 2.0, 0.3), (2.0, 5.0, 0.6), (30.0, 25.0, 0.5)]:
        for i, j in [(1, 0), (0, 1), (1, 1), (2, 0), (0, 2)]:
            with mpmath.workdps(40):
                exact = float(mpmath.diff(lambda s, t, x=x: mpmath.betainc(s, t, 0, x, regularized=True),
                                          (a, b), (i, j)))
            ours = kernels.betainc_derivative(i, j, np.array(a), np.array(b), np.array(x))
            assert abs(ours - exact) <= 1e-10 * abs(exact), (a, b, x, i, j, ours, exact)


def test_grad_in_every_argument_matches_the_kernels_derivatives():
    ga = fgrad.grad(lambda a: fnp.sum(fss.gammaincc(a, _X)))(_A)
    np.testing.assert_allclose(ga, kernels.gammainc_derivative(1, True, _A, _X), rtol=1e-12)
    gab = fgrad.grad(lambda a: fnp.sum(fgrad.grad(lambda b: fnp.sum(fss.betainc(a, b, _BX)))(_BB)))(_BA)
    np.testing.assert_allclose(gab, kernels.betainc_derivative(1, 1, _BA, _BB, _BX), rtol=1e-10)


def test_finite_differences_in_every_argument_to_second_order():
    check_grads(fss.gammainc, [_A[:4], _X[:4]], order=2)
    check_grads(fss.gammaincc, [_A[:4], _X[:4]], order=2)
    check_grads(fss.betainc, [_BA[:3], _BB[:3], _BX[:3]], order=2)


def _rel(ours, theirs):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    same = ours == theirs
    return np.max(np.where(same, 0.0, np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)))


def test_kernels_against_scipy_over_wide_ranges():
    rng = np.random.default_rng(0)
    a = np.exp(rng.uniform(-5, 7, 3000))
    x = a * np.exp(rng.uniform(-3, 3, 3000))
    p, q = scipy_special.gammainc(a, x), scipy_special.gammaincc(a, x)
    keep_p, keep_q = p > 1e-290, q > 1e-290
    assert _rel(kernels.gammainc(a, x)[keep_p], p[keep_p]) < 1e-11
    assert _rel(kernels.gammaincc(a, x)[keep_q], q[keep_q]) < 1e-11
    a, b, x = np.exp(rng.uniform(-3, 5, (3, 3000)))
    x = rng.uniform(0, 1, 3000)
    i = scipy_special.betainc(a, b, x)
    keep = i > 1e-290
    assert _rel(kernels.betainc(a, b, x)[keep], i[keep]) < 1e-11


def test_kernels_keep_their_digits_in_the_tails():
    with mpmath.workdps(40):
        for a, x in [(2.0, 100.0), (0.5, 300.0), (50.0, 5.0)]:
            upper = float(mpmath.gammainc(a, x, mpmath.inf, regularized=True))
            lower = float(mpmath.gammainc(a, 0, x, regularized=True))
            assert abs(kernels.gammaincc(np.array(a), np.array(x)) - upper) <= 1e-13 * upper
            assert abs(kernels.gammainc(np.array(a), np.array(x)) - lower) <= 1e-13 * lower
        exact = float(mpmath.betainc(3.0, 4.0, 0, 1e-6, regularized=True))
        assert abs(kernels.betainc(np.array(3.0), np.array(4.0), np.array(1e-6)) - exact) <= 1e-13 * exact


def test_special_values_match_scipy():
    a = np.array([1.0, 1.0, 1.0, 0.0, -1.0, 1.0, np.nan, 2.0])
    x = np.array([0.0, np.inf, -1.0, 1.0, 1.0, np.nan, 1.0, 1e-300])
    for name in ("gammainc", "gammaincc"):
        np.testing.assert_allclose(getattr(kernels, name)(a, x), getattr(scipy_special, name)(a, x), rtol=1e-15)
    a, b = np.array([1.0, 1.0, 0.0, 2.0, 1.0, -1.0]), np.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0])
    x = np.array([0.0, 1.0, 0.5, 0.5, 1.5, 0.5])
    np.testing.assert_array_equal(kernels.betainc(a, b, x), scipy_special.betainc(a, b, x))


def test_kernels_never_warn():
    x = np.array([0.0, 1.0, 2.0, np.inf, np.nan, 1e4, -1.0, 1e-8])
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for k in (0, 2):
            kernels.gammainc_derivative(k, False, x[:, None], x[None, :])
            kernels.gammainc_derivative(k, True, x[:, None], x[None, :])
        u = np.array([0.0, 0.3, 1.0, 1.5, np.nan])
        kernels.betainc_derivative(1, 1, x[:, None, None], x[None, :, None], u[None, None, :])


def test_float32_stays_float32():
    a, x = np.float32(2.5), np.array([0.5, 3.0], np.float32)
    assert fss.gammainc(a, x).dtype == np.float32
    assert fgrad.grad(lambda t: fnp.sum(fss.betainc(2.0, 3.0, t)))(x / 4).dtype == np.float32


def test_xla_backend_has_jax_orders_and_names_the_others():
    f = fgrad.jit(lambda a, x: fgrad.grad(lambda t: fnp.sum(fss.gammainc(t, x)))(a), backend="xla")
    np.testing.assert_allclose(np.asarray(f(_A, _X)), kernels.gammainc_derivative(1, False, _A, _X), rtol=1e-10)
    second = fgrad.jit(lambda a: fgrad.grad(lambda t: fnp.sum(fgrad.grad(
        lambda u: fnp.sum(fss.gammainc(u, _X)))(t)))(a), backend="xla")
    with pytest.raises(MissingRuleError, match="gammainc.*k=2.*numpy backend"):
        second(_A)


def test_computes_without_scipy():
    code = ("import sys; sys.modules['scipy'] = None; sys.modules['scipy.special'] = None\n"
            "import fgrad, fgrad.scipy.special as s\n"
            "print(float(s.gammaincc(2.0, 3.0)), float(s.betainc(2.0, 3.0, 0.4)),"
            " float(fgrad.grad(s.gammainc)(2.0, 3.0)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    q, i, da = map(float, out.stdout.split())
    assert abs(q - scipy_special.gammaincc(2.0, 3.0)) < 1e-15
    assert abs(i - scipy_special.betainc(2.0, 3.0, 0.4)) < 1e-14
    assert abs(da - float(jax.grad(jss.gammainc)(2.0, 3.0))) < 1e-14
