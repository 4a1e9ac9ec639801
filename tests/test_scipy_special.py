"""fgrad.scipy.special against jax.scipy.special (float64): values, gradients, second derivatives;
the pure-NumPy kernels against SciPy and mpmath; fgrad without SciPy."""

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
from fgrad.primitives import _special_kernels as kernels
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)

_RNG = np.random.default_rng(0)
_ANY = np.array([-3.5, -1.2, -0.3, 0.2, 0.9, 2.5, 4.0])
_POS = np.array([0.3, 0.9, 1.5, 2.5, 7.0, 12.0])
_NEG = np.array([-2.7, -1.4, -0.6])                    # between the poles of the gamma family
_PROB = np.array([0.02, 0.3, 0.5, 0.77, 0.98])

UNARY = [
    ("erf", _ANY), ("erfc", _ANY), ("erfinv", _PROB * 2 - 1), ("gammaln", _POS), ("gammaln", _NEG),
    ("digamma", _POS), ("digamma", _NEG), ("ndtr", _ANY), ("ndtri", _PROB), ("log_ndtr", _ANY),
    ("log_ndtr", np.array([-19.0, 5.0, 8.0])), ("expit", _ANY), ("logit", _PROB),
    ("gamma", _POS), ("gamma", _NEG),
]


def _pair(fn, x, wrt=0):
    """Value, gradient and second derivative of sum(fn(x)), fgrad's and jax's."""
    f, j = getattr(fss, fn), getattr(jss, fn)
    ours = [f(x), fgrad.grad(lambda t: fnp.sum(f(t)))(x),
            fgrad.grad(lambda t: fnp.sum(fgrad.grad(lambda u: fnp.sum(f(u)))(t)))(x)]
    theirs = [j(x), jax.grad(lambda t: jnp.sum(j(t)))(x),
              jax.grad(lambda t: jnp.sum(jax.grad(lambda u: jnp.sum(j(u)))(t)))(x)]
    return ours, theirs


@pytest.mark.parametrize("fn,x", UNARY, ids=[f"{n}-{k}" for k, (n, _) in enumerate(UNARY)])
def test_unary_against_jax_to_second_order(fn, x):
    ours, theirs = _pair(fn, x)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("fn,x", UNARY[:10], ids=[f"{n}-{k}" for k, (n, _) in enumerate(UNARY[:10])])
def test_unary_against_finite_differences(fn, x):
    check_grads(getattr(fss, fn), [x], order=2)


@pytest.mark.parametrize("n", [0, 1, 2, 4])
def test_polygamma_against_jax(n):
    x = np.concatenate([_POS, _NEG])
    np.testing.assert_allclose(fss.polygamma(n, x), jss.polygamma(n, x), rtol=1e-11)
    ours = fgrad.grad(lambda t: fnp.sum(fss.polygamma(n, t)))(x)
    np.testing.assert_allclose(ours, jax.grad(lambda t: jnp.sum(jss.polygamma(n, t)))(x), rtol=1e-11)


def test_polygamma_order_must_be_a_concrete_integer():
    with pytest.raises(TypeError, match="concrete integer >= 0.*test_scipy_special.py"):
        fss.polygamma(1.5, 2.0)
    with pytest.raises(TypeError, match="concrete integer"):
        fgrad.grad(lambda n: fss.polygamma(n, 2.0))(1.0)


BINARY = [("xlogy", np.array([0.0, 0.5, 2.0]), np.array([0.3, 2.0, 3.0])),
          ("xlog1py", np.array([0.0, 0.5, 2.0]), np.array([-0.3, 2.0, 0.1])),
          ("betaln", np.array([0.5, 1.5, 4.0]), np.array([2.0, 0.7, 3.0])),
          ("beta", np.array([0.5, 1.5, 4.0]), np.array([2.0, 0.7, 3.0]))]


@pytest.mark.parametrize("fn,x,y", BINARY, ids=[b[0] for b in BINARY])
def test_binary_against_jax(fn, x, y):
    f, j = getattr(fss, fn), getattr(jss, fn)
    np.testing.assert_allclose(f(x, y), j(x, y), rtol=1e-12, atol=1e-15)
    for k in (0, 1):
        ours = fgrad.grad(lambda a, b: fnp.sum(f(a, b)), argnums=k)(x, y)
        theirs = jax.grad(lambda a, b: jnp.sum(j(a, b)), argnums=k)(x, y)
        mask = x != 0 if k == 0 else np.ones_like(x, bool)   # jax's xlogy has a custom rule at x = 0
        np.testing.assert_allclose(ours[mask], np.asarray(theirs)[mask], rtol=1e-11)


def test_xlogy_is_zero_where_x_is_zero_even_at_y_zero():
    assert float(fss.xlogy(0.0, 0.0)) == 0.0
    assert float(fgrad.grad(lambda y: fss.xlogy(0.0, y))(0.0)) == 0.0


@pytest.mark.parametrize("axis,keepdims", [(None, False), (1, False), (0, True)])
def test_logsumexp_with_weights_and_sign(axis, keepdims):
    a, b = _RNG.standard_normal((3, 4)), _RNG.standard_normal((3, 4))
    b[0, 1] = 0.0
    ours = fss.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    theirs = jss.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-12)
    g = fgrad.grad(lambda t: fnp.sum(fss.logsumexp(t, axis=axis, b=b, return_sign=True)[0]))(a)
    h = jax.grad(lambda t: jnp.sum(jss.logsumexp(t, axis=axis, b=b, return_sign=True)[0]))(a)
    np.testing.assert_allclose(g, h, rtol=1e-11, atol=1e-14)


def test_logsumexp_of_a_negative_sum_is_nan_and_plain_form_matches_jax():
    assert np.isnan(fss.logsumexp(np.array([0.0, 1.0]), b=np.array([1.0, -1.0])))
    a = _RNG.standard_normal((2, 5))
    np.testing.assert_allclose(fss.logsumexp(a, axis=1), jss.logsumexp(a, axis=1), rtol=1e-13)
    g = fgrad.grad(lambda t: fnp.sum(fss.logsumexp(t * 2.0, axis=0)))(a)
    np.testing.assert_allclose(g, jax.grad(lambda t: jnp.sum(jss.logsumexp(t * 2.0, axis=0)))(a), rtol=1e-12)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_softmax_family_against_jax(fn, axis):
    x = _RNG.standard_normal((3, 4))
    np.testing.assert_allclose(getattr(fss, fn)(x, axis=axis), getattr(jss, fn)(x, axis=axis), rtol=1e-12)
    w = _RNG.standard_normal((3, 4))
    g = fgrad.grad(lambda t: fnp.sum(getattr(fss, fn)(t, axis=axis) * w))(x)
    h = jax.grad(lambda t: jnp.sum(getattr(jss, fn)(t, axis=axis) * w))(x)
    np.testing.assert_allclose(g, h, rtol=1e-11, atol=1e-14)


def test_multigammaln_against_jax():
    a = np.array([2.5, 4.0])
    np.testing.assert_allclose(fss.multigammaln(a, 3), jss.multigammaln(a, 3), rtol=1e-13)
    g = fgrad.grad(lambda t: fnp.sum(fss.multigammaln(t, 3)))(a)
    np.testing.assert_allclose(g, jax.grad(lambda t: jnp.sum(jss.multigammaln(t, 3)))(a), rtol=1e-12)


def test_log_ndtr_far_tail_keeps_its_digits():
    x = np.array([-40.0, -25.0, -20.5])
    np.testing.assert_allclose(fss.log_ndtr(x), jss.log_ndtr(x), rtol=1e-10)
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):           # exact; jax's 3-term series is off by 1e-11 and its slope by 1e-9
        exact = [float(mpmath.log(mpmath.ncdf(t))) for t in x]
        hazard = [float(mpmath.npdf(t) / mpmath.ncdf(t)) for t in x]
    np.testing.assert_allclose(fss.log_ndtr(x), exact, rtol=1e-14)
    np.testing.assert_allclose(fgrad.grad(lambda t: fnp.sum(fss.log_ndtr(t)))(x), hazard, rtol=1e-13,
                               atol=1e-300)


def test_special_values_match_jax():
    x = np.array([0.0, -1.0, -np.inf, np.inf, np.nan])
    for fn in ("erf", "erfc", "gammaln", "digamma"):
        np.testing.assert_allclose(getattr(fss, fn)(x), np.asarray(getattr(jss, fn)(x)), rtol=1e-15, err_msg=fn)
    np.testing.assert_array_equal(fss.erfinv(np.array([-1.0, 1.0, 1.5])), [-np.inf, np.inf, np.nan])


# --- the pure-NumPy kernels, used where SciPy is not installed ----------------------------------

scipy_special = pytest.importorskip("scipy.special")


def _rel(ours, theirs, floor=1e-300):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    same = ours == theirs
    return np.max(np.where(same, 0.0, np.abs(ours - theirs) / np.maximum(np.abs(theirs), floor)))


def test_kernel_erf_erfc_to_rounding():
    x = np.concatenate([np.linspace(-6, 6, 4001), np.geomspace(1e-300, 1, 50), -np.geomspace(1e-300, 1, 50)])
    assert _rel(kernels.erf(x), scipy_special.erf(x)) < 1e-15
    x = np.linspace(-6, 10, 4001)
    assert _rel(kernels.erfc(x), scipy_special.erfc(x)) < 2e-14   # SciPy's own error grows past 10
    mpmath = pytest.importorskip("mpmath")
    for t in (12.0, 20.0, 25.5):
        exact = float(mpmath.erfc(t))
        assert abs(kernels.erfc(np.array(t)) - exact) / exact < 1e-15


def test_kernel_erfinv_to_rounding():
    y = np.concatenate([np.linspace(-0.9999, 0.9999, 2001), 1 - np.geomspace(2 ** -53, 0.5, 60),
                        np.geomspace(1e-300, 1e-3, 30)])
    assert _rel(kernels.erfinv(y), scipy_special.erfinv(y)) < 2e-15


def test_kernel_gamma_family():
    x = np.concatenate([np.linspace(-20.3, 50, 3001), np.geomspace(1e-10, 1e10, 100)])
    scale = np.maximum(1.0, np.abs(scipy_special.gammaln(x)))
    assert np.max(np.abs(kernels.lgamma(x) - scipy_special.gammaln(x)) / scale) < 1e-14
    scale = np.maximum(1.0, np.abs(scipy_special.digamma(x)))
    assert np.max(np.abs(kernels.digamma(x) - scipy_special.digamma(x)) / scale) < 1e-12
    for n in (1, 2, 5):
        z = np.concatenate([np.geomspace(0.01, 1e4, 200), np.linspace(-5.3, -0.1, 50)])
        assert _rel(kernels.polygamma(n, z), scipy_special.polygamma(n, z)) < 1e-14, n


def test_kernels_never_warn():
    x = np.array([0.0, -1.0, -2.0, 1.0, 2.0, np.inf, -np.inf, np.nan, 1e300, -1e300])
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for fn in (kernels.erf, kernels.erfc, kernels.erfinv, kernels.lgamma, kernels.digamma, kernels.ndtri,
                   kernels.erfcx):
            fn(x)
        kernels.polygamma(2, x)


def test_fgrad_computes_without_scipy():
    code = ("import sys; sys.modules['scipy'] = None; sys.modules['scipy.special'] = None\n"
            "import fgrad, fgrad.scipy.special as s\n"
            "assert s._sp._scipy_special is None\n"
            "print(float(s.erf(0.5)), float(fgrad.grad(s.gammaln)(3.0)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    value, slope = map(float, out.stdout.split())
    assert abs(value - float(scipy_special.erf(0.5))) < 1e-16
    assert abs(slope - float(scipy_special.digamma(3.0))) < 1e-15


def test_scipy_only_names_against_scipy():
    x = np.array([0.05, 0.7, 1.6])
    np.testing.assert_allclose(fss.erfcinv(x), scipy_special.erfcinv(x), rtol=1e-13)
    g = np.array([-1.5, 0.0, 0.4, 3.0, -2.0])
    np.testing.assert_array_equal(fss.rgamma(g) == 0, scipy_special.rgamma(g) == 0)
    np.testing.assert_allclose(fss.rgamma(g), scipy_special.rgamma(g), rtol=1e-13)
    assert fss.psi is fss.digamma
    check_grads(fss.rgamma, [np.array([-1.5, 0.4, 3.0])], order=2)
    check_grads(fss.erfcinv, [x], order=2)


def test_ndtri_keeps_its_digits_in_the_far_tails():
    p = np.array([1e-300, 1e-100, 1e-30, 1e-13, 0.02, 0.5, 0.9, 1 - 1e-12])
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(50):          # the root of ncdf(x) = p, from SciPy's value
        roots = [mpmath.findroot(lambda x, v=v: mpmath.ncdf(x) - v, float(scipy_special.ndtri(v))) for v in p]
        exact = [float(r) for r in roots]
        slope = [float(1 / mpmath.npdf(r)) for r in roots]
    for ndtri in (fss.ndtri, kernels.ndtri):
        np.testing.assert_allclose(ndtri(p), exact, rtol=2e-15)
    # exp(x**2 / 2) at x = -37 carries x**2 / 2 * eps of relative error
    np.testing.assert_allclose(fgrad.grad(lambda t: fnp.sum(fss.ndtri(t)))(p), slope, rtol=5e-13)
    np.testing.assert_array_equal(kernels.ndtri(np.array([0.0, 1.0, -0.5, 2.0, np.nan])),
                                  [-np.inf, np.inf, np.nan, np.nan, np.nan])
    x = np.array([1e-20, 0.3, 0.97])
    np.testing.assert_allclose(fgrad.jit(fss.ndtri, backend="xla")(x), jss.ndtri(x), rtol=1e-14)


def test_erfcx_and_entr_against_jax_to_second_order():
    x = np.array([-5.0, -0.7, 0.0, 0.3, 2.0, 9.0, 40.0])
    for fn, points, orders in (("erfcx", x, 2), ("entr", np.array([0.05, 0.5, 1.0, 3.0]), 3)):
        ours, theirs = _pair(fn, points)
        for a, b in zip(ours[:orders], theirs[:orders]):
            np.testing.assert_allclose(a, np.asarray(b), rtol=1e-12, atol=1e-15)
    # erfcx'' = 2 out + 2 x erfcx' cancels for large x: mpmath says which digits are right
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(40):
        exact = [float(mpmath.diff(lambda t: mpmath.exp(t * t) * mpmath.erfc(t), v, 2)) for v in x]
    np.testing.assert_allclose(_pair("erfcx", x)[0][2], exact, rtol=2e-12, atol=5e-14)
    np.testing.assert_array_equal(fss.entr(np.array([0.0, -1.0])), jss.entr(np.array([0.0, -1.0])))
    wide = np.concatenate([np.linspace(-26.5, 30, 5001), np.geomspace(30, 1e300, 100)])
    assert _rel(kernels.erfcx(wide), scipy_special.erfcx(wide)) < 1e-13
    np.testing.assert_array_equal(kernels.erfcx(np.array([np.inf, -np.inf, np.nan, -30.0])),
                                  [0.0, np.inf, np.nan, np.inf])


def test_complex_erf_uses_scipy_and_other_functions_refuse_complex():
    z = np.array([0.5 + 0.2j, -1.0 + 2.0j])
    np.testing.assert_allclose(fss.erf(z), scipy_special.erf(z), rtol=1e-14)
    np.testing.assert_allclose(fss.erfc(z), scipy_special.erfc(z), rtol=1e-14)
    # the rule is erf' = 2 / sqrt(pi) exp(-z**2), as fgrad's rule for exp: compare the two
    slope = fgrad.grad(lambda t: fnp.real(fss.erf(t)))(z[0])
    antiderivative_slope = fgrad.grad(lambda t: fnp.real(fnp.exp(-t * t)))(z[0]) / (-2 * z[0])
    np.testing.assert_allclose(slope, 2 / np.sqrt(np.pi) * antiderivative_slope, rtol=1e-13)
    with pytest.raises(TypeError, match="real arguments, got complex128.*test_scipy_special.py"):
        fss.gammaln(z)
