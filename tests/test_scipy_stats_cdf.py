"""Distribution functions built on the incomplete gamma and beta functions, against jax.scipy.stats
(float64) and SciPy: cdf, logcdf, sf, logsf of gamma, chi2, beta and t, poisson.cdf, and the
multivariate normal's entropy and singular-covariance density."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.stats as jst
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.scipy.stats as fst
from fgrad.errors import ShapeError
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)
scipy_stats = pytest.importorskip("scipy.stats")

_X = np.array([0.05, 0.7, 2.0, 6.5, 15.0])
_SHAPE = np.array([0.6, 2.5, 1.0, 4.0, 9.0])
_U = np.array([0.02, 0.3, 0.5, 0.81, 0.99])
_FUNCS = ["cdf", "logcdf", "sf", "logsf"]

# (distribution, its arguments, which of them to differentiate, which of those jax differentiates:
# its betainc has no derivative in a and b)
CASES = [
    ("gamma", (_X, _SHAPE, 0.01, 1.3), (0, 1, 3), (0, 1, 3)),
    ("chi2", (_X, _SHAPE * 2.0), (0, 1), (0, 1)),
    ("beta", (_U, _SHAPE, _SHAPE[::-1] + 0.5, -0.01, 1.05), (0, 1, 2, 3, 4), (0, 3, 4)),
]


def _grads(fn, args, argnums, lib):
    total = (lambda *a: fnp.sum(fn(*a))) if lib is fgrad else (lambda *a: jnp.sum(fn(*a)))
    return lib.grad(total, argnums)(*args)


@pytest.mark.parametrize("func", _FUNCS)
@pytest.mark.parametrize("dist,args,argnums,jax_argnums", CASES, ids=[c[0] for c in CASES])
def test_against_jax_values_and_gradients(dist, args, argnums, jax_argnums, func):
    ours, theirs = getattr(getattr(fst, dist), func), getattr(getattr(jst, dist), func)
    np.testing.assert_allclose(ours(*args), theirs(*args), rtol=1e-11)
    for u, v in zip(_grads(ours, args, jax_argnums, fgrad), _grads(theirs, args, jax_argnums, jax)):
        np.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("func", _FUNCS)
@pytest.mark.parametrize("dist,args,argnums,jax_argnums", CASES, ids=[c[0] for c in CASES])
def test_every_argument_against_finite_differences(dist, args, argnums, jax_argnums, func):
    fn = getattr(getattr(fst, dist), func)
    wrt = [np.asarray(args[k], float) for k in argnums]

    def f(*parts):
        full = list(args)
        for k, p in zip(argnums, parts):
            full[k] = p
        return fn(*full)
    check_grads(f, wrt, order=1)


@pytest.mark.parametrize("func", _FUNCS)
def test_t_against_scipy_and_finite_differences(func):
    x, df, loc, scale = np.array([-30.0, -2.0, -0.3, 0.0, 1.1, 4.0, 50.0]), 3.5, 0.2, 1.4
    ours = getattr(fst.t, func)(x, df, loc, scale)
    np.testing.assert_allclose(ours, getattr(scipy_stats.t, func)(x, df, loc, scale), rtol=1e-11)
    check_grads(lambda *a: getattr(fst.t, func)(*a), [x, np.full(7, df), np.full(7, loc), np.full(7, scale)],
                order=1)
    pdf = fgrad.grad(lambda t: fnp.sum(fst.t.cdf(t, df, loc, scale)))(x)
    np.testing.assert_allclose(pdf, scipy_stats.t.pdf(x, df, loc, scale), rtol=1e-11)


def test_poisson_cdf_against_jax_and_its_gradient_in_mu():
    k, mu = np.array([-1.0, 0.0, 1.0, 2.5, 7.0]), np.array([0.5, 2.0, 3.0, 1.5, 6.0])
    np.testing.assert_allclose(fst.poisson.cdf(k, mu), jst.poisson.cdf(k, mu), rtol=1e-12)
    ours = fgrad.grad(lambda m: fnp.sum(fst.poisson.cdf(k, m)))(mu)
    np.testing.assert_allclose(ours, jax.grad(lambda m: jnp.sum(jst.poisson.cdf(k, m)))(mu), rtol=1e-10)
    np.testing.assert_allclose(ours, -np.where(k < 0, 0.0, scipy_stats.poisson.pmf(np.floor(k), mu)), rtol=1e-10)


def _psd(n, seed=0):
    a = np.random.default_rng(seed).standard_normal((n, n))
    return a @ a.T + np.eye(n)


def test_mvn_entropy_against_scipy_and_its_gradient():
    cov = _psd(4)
    ours = fst.multivariate_normal.entropy(np.zeros(4), cov)
    np.testing.assert_allclose(ours, scipy_stats.multivariate_normal.entropy(np.zeros(4), cov), rtol=1e-13)
    np.testing.assert_allclose(fgrad.grad(lambda c: fst.multivariate_normal.entropy(None, c))(cov),
                               0.5 * np.linalg.inv(cov), rtol=1e-11, atol=1e-14)
    with pytest.raises(ShapeError, match="square.*test_scipy_stats_cdf.py"):
        fst.multivariate_normal.entropy(None, np.ones((2, 3)))


def test_mvn_singular_covariance_matches_scipy():
    rng = np.random.default_rng(3)
    basis = rng.standard_normal((4, 2))
    cov = basis @ basis.T                                   # rank 2
    mean = rng.standard_normal(4)
    x = mean + (basis @ rng.standard_normal((2, 5))).T       # on the support
    ours = fst.multivariate_normal.logpdf(x, mean, cov, allow_singular=True)
    theirs = scipy_stats.multivariate_normal.logpdf(x, mean, cov, allow_singular=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    np.testing.assert_allclose(fst.multivariate_normal.pdf(x, mean, cov, allow_singular=True), np.exp(theirs),
                               rtol=1e-10)
    full = _psd(3)
    np.testing.assert_allclose(fst.multivariate_normal.logpdf(x[:, :3], mean[:3], full, allow_singular=True),
                               scipy_stats.multivariate_normal.logpdf(x[:, :3], mean[:3], full), rtol=1e-11)
    check_grads(lambda m: fst.multivariate_normal.logpdf(x[0], m, cov, allow_singular=True), [mean], order=2)
