"""fgrad.scipy.stats against jax.scipy.stats (float64): values and gradients in every argument,
second order for the normal and t, finite differences, and a Student-t regression likelihood."""

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

_X = np.array([-1.3, 0.2, 0.6, 2.5])
_K = np.array([0.0, 1.0, 3.0, 2.5, -1.0])
_SIMPLEX = np.array([[0.2, 0.1], [0.3, 0.6], [0.5, 0.3]])

CASES = [
    ("norm", "logpdf", (_X, 0.3, 1.7)), ("norm", "pdf", (_X, 0.3, 1.7)), ("norm", "cdf", (_X, 0.3, 1.7)),
    ("norm", "logcdf", (_X, 0.3, 1.7)), ("norm", "sf", (_X, 0.3, 1.7)), ("norm", "logsf", (_X, 0.3, 1.7)),
    ("norm", "ppf", (np.array([0.1, 0.5, 0.8]), 0.3, 1.7)), ("norm", "isf", (np.array([0.1, 0.8]), 0.3, 1.7)),
    ("t", "logpdf", (_X, 3.5, 0.2, 1.3)), ("t", "pdf", (_X, 3.5, 0.2, 1.3)),
    ("gamma", "logpdf", (_X, 2.5, -0.5, 1.5)), ("gamma", "pdf", (_X, 2.5, -0.5, 1.5)),
    ("beta", "logpdf", (_X, 2.5, 1.5, -2.0, 5.0)), ("beta", "pdf", (_X, 2.5, 1.5, -2.0, 5.0)),
    ("poisson", "logpmf", (_K, 2.3)), ("poisson", "pmf", (_K, 2.3)),
    ("expon", "logpdf", (_X, -0.5, 1.5)), ("expon", "pdf", (_X, -0.5, 1.5)),
    ("laplace", "logpdf", (_X, 0.2, 1.5)), ("laplace", "pdf", (_X, 0.2, 1.5)), ("laplace", "cdf", (_X, 0.2, 1.5)),
    ("logistic", "logpdf", (_X, 0.2, 1.5)), ("logistic", "pdf", (_X, 0.2, 1.5)),
    ("logistic", "cdf", (_X, 0.2, 1.5)), ("logistic", "ppf", (np.array([0.1, 0.5, 0.8]), 0.2, 1.5)),
    ("cauchy", "logpdf", (_X, 0.2, 1.5)), ("cauchy", "pdf", (_X, 0.2, 1.5)),
    ("chi2", "logpdf", (_X, 3.5, -1.5, 1.2)), ("chi2", "pdf", (_X, 3.5, -1.5, 1.2)),
    ("dirichlet", "logpdf", (_SIMPLEX[:, 0], np.array([1.5, 2.0, 3.0]))),
    ("dirichlet", "logpdf", (_SIMPLEX, np.array([1.5, 2.0, 3.0]))),
    ("dirichlet", "pdf", (_SIMPLEX, np.array([1.5, 2.0, 3.0]))),
]
_IDS = [f"{d}.{f}-{k}" for k, (d, f, _) in enumerate(CASES)]


def _fns(dist, fn):
    return getattr(getattr(fst, dist), fn), getattr(getattr(jst, dist), fn)


@pytest.mark.parametrize("dist,fn,args", CASES, ids=_IDS)
def test_against_jax_in_every_argument(dist, fn, args):
    ours, theirs = _fns(dist, fn)
    np.testing.assert_allclose(ours(*args), theirs(*args), rtol=1e-12, atol=1e-300)
    # the value argument of a pmf is a count: no derivative there
    argnums = tuple(range(1 if dist == "poisson" else 0, len(args)))
    g = fgrad.grad(lambda *a: fnp.sum(ours(*a)), argnums=argnums)(*args)
    h = jax.grad(lambda *a: jnp.sum(theirs(*a)), argnums=argnums)(*args)
    for u, v in zip(g, h):
        np.testing.assert_allclose(u, v, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("dist,fn,args", [c for c in CASES if c[0] in ("norm", "t")],
                         ids=[i for i, c in zip(_IDS, CASES) if c[0] in ("norm", "t")])
def test_second_order_in_the_parameters(dist, fn, args):
    ours, theirs = _fns(dist, fn)
    x, params = args[0], args[1:]
    g = fgrad.grad(lambda p: fgrad.grad(lambda q: fnp.sum(ours(x, *q)))(p)[0])(params)
    h = jax.grad(lambda p: jax.grad(lambda q: jnp.sum(theirs(x, *q)))(p)[0])(params)
    for u, v in zip(g, h):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("dist,fn,args", [c for c in CASES if c[0] in ("norm", "t", "gamma", "cauchy")][:10])
def test_finite_differences(dist, fn, args):
    ours, _ = _fns(dist, fn)
    x, params = args[0], [np.asarray(p, float) for p in args[1:]]
    check_grads(lambda *p: ours(x, *p), params, order=2)


def _spd(n, seed):
    a = np.random.default_rng(seed).standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


@pytest.mark.parametrize("fn", ["logpdf", "pdf"])
@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3)])
def test_multivariate_normal_against_jax(fn, shape):
    x = np.random.default_rng(2).standard_normal(shape)
    mean, cov = np.array([0.1, -0.2, 0.3]), _spd(3, 1)
    ours, theirs = _fns("multivariate_normal", fn)
    np.testing.assert_allclose(ours(x, mean, cov), theirs(x, mean, cov), rtol=1e-12)
    g = fgrad.grad(lambda a, m, c: fnp.sum(ours(a, m, c)), argnums=(0, 1, 2))(x, mean, cov)
    h = jax.grad(lambda a, m, c: jnp.sum(theirs(a, m, c)), argnums=(0, 1, 2))(x, mean, cov)
    for u, v in zip(g, h):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-14)


def test_multivariate_normal_second_order_in_the_mean():
    x, cov = np.random.default_rng(3).standard_normal((4, 3)), _spd(3, 4)
    ours = fgrad.grad(lambda m: fgrad.grad(lambda u: fnp.sum(fst.multivariate_normal.logpdf(x, u, cov)))(m)[0])
    theirs = jax.grad(lambda m: jax.grad(lambda u: jnp.sum(jst.multivariate_normal.logpdf(x, u, cov)))(m)[0])
    np.testing.assert_allclose(ours(np.zeros(3)), theirs(np.zeros(3)), rtol=1e-11, atol=1e-14)


def test_shape_mistakes_say_what_fits():
    with pytest.raises(ShapeError, match=r"cov \(2, 2\).*test_scipy_stats.py.*\(n, n\)"):
        fst.multivariate_normal.logpdf(np.zeros(3), np.zeros(3), np.eye(2))
    with pytest.raises(ShapeError, match="alpha is \\(K,\\)"):
        fst.dirichlet.logpdf(np.full(3, 1 / 3), np.ones(2))


def _student_t_regression(np_, t_):
    """The log-likelihood of y = X w + b + scale * t(df) noise, in the parameters (w, b, log scale, log df)."""
    rng = np.random.default_rng(7)
    features = rng.standard_normal((20, 3))
    y = features @ np.array([0.5, -1.0, 2.0]) + 0.3 + rng.standard_t(4.0, 20)

    def loglik(params):
        w, b, log_scale, log_df = params
        mean = np_.dot(features, w) + b
        return np_.sum(t_.logpdf(y, np_.exp(log_df), mean, np_.exp(log_scale)))
    return loglik


def test_student_t_regression_likelihood_differentiates_to_jax():
    params = (np.array([0.4, -0.8, 1.5]), 0.1, 0.2, np.log(3.0))
    ours, theirs = _student_t_regression(fnp, fst.t), _student_t_regression(jnp, jst.t)
    np.testing.assert_allclose(ours(params), theirs(params), rtol=1e-13)
    for u, v in zip(fgrad.grad(ours)(params), jax.grad(theirs)(params)):
        np.testing.assert_allclose(u, v, rtol=1e-11, atol=1e-13)
    # second order: the Hessian-vector product along each parameter block
    direction = (np.array([0.3, 0.1, -0.2]), 0.5, -0.4, 0.2)
    hvp_ours = fgrad.grad(lambda p: sum(fnp.sum(g * d) for g, d in zip(fgrad.grad(ours)(p), direction)))(params)
    hvp_jax = jax.grad(lambda p: sum(jnp.sum(g * d) for g, d in zip(jax.grad(theirs)(p), direction)))(params)
    for u, v in zip(hvp_ours, hvp_jax):
        np.testing.assert_allclose(u, v, rtol=1e-10, atol=1e-12)
