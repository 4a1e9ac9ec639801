"""fgrad.numpy.linalg and fgrad.scipy.linalg against jax.numpy.linalg and jax.scipy.linalg (float64):
values, gradients and second derivatives, finite differences to second order in both modes, batched
leading axes, NumPy's results on plain arrays, the errors, the conventions at repeated eigenvalues,
and a Gaussian-process marginal likelihood."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import jax.scipy.linalg as jsl  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
import fgrad.scipy.linalg as fsl  # noqa: E402
from fgrad.errors import ShapeError  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402

RNG = np.random.default_rng(20)


def rand(*shape):
    return RNG.standard_normal(shape)


def well(*shape):
    return rand(*shape) + 4.0 * np.eye(shape[-1])


def spd(*shape):
    a = rand(*shape)
    return a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])


def sym(m, x):
    return x + m.swapaxes(x, -1, -2)


# name -> (function of a namespace pair (numpy-like, scipy.linalg-like), arguments); functions of
# eigenvectors, singular vectors and QR factors are invariant under each vector's sign
def _eigh(np_, sl):
    def f(x):
        w, v = np_.linalg.eigh(sym(np_, x))
        return v * v * np_.expand_dims(w, -2)
    return f


def _eigh_upper(np_, sl):
    return lambda x: np_.linalg.eigh(sym(np_, x), "U")[1] ** 2


def _svd(np_, sl, full=False):
    def f(x):
        u, s, vt = np_.linalg.svd(x, full_matrices=full)
        k = s.shape[-1]
        return np_.matmul(u[..., :k] ** 2 * np_.expand_dims(s, -2), vt[..., :k, :] ** 2)
    return f


def _qr(np_, sl, mode="reduced"):
    def f(x):
        q, r = np_.linalg.qr(x, mode=mode)
        return np_.matmul(q * q, r * r)
    return f


def _gp(np_, sl):
    """The negative log marginal likelihood of a GP with an RBF kernel, in its lengthscale and noise."""
    xs = np.linspace(-2.0, 2.0, 7)
    ys = np.sin(2.0 * xs)

    def f(params):
        lengthscale, noise = np_.exp(params[0]), np_.exp(params[1])
        k = np_.exp(-0.5 * (xs[:, None] - xs[None, :]) ** 2 / lengthscale ** 2) + noise * np.eye(7)
        chol = np_.linalg.cholesky(k)
        alpha = sl.solve_triangular(chol, ys, lower=True)
        return 0.5 * np_.sum(alpha ** 2) + 0.5 * np_.linalg.slogdet(k)[1] + 3.5 * np.log(2 * np.pi)
    return f


CASES = {
    "inv": (lambda np_, sl: np_.linalg.inv, [well(3, 3)]),
    "inv_batched": (lambda np_, sl: np_.linalg.inv, [well(2, 2, 3, 3)]),
    "solve": (lambda np_, sl: np_.linalg.solve, [well(3, 3), rand(3, 2)]),
    "solve_vector": (lambda np_, sl: np_.linalg.solve, [well(3, 3), rand(3)]),
    "solve_broadcast": (lambda np_, sl: np_.linalg.solve, [well(2, 3, 3), rand(3, 2)]),
    "det": (lambda np_, sl: np_.linalg.det, [rand(2, 3, 3)]),
    "slogdet": (lambda np_, sl: lambda x: np_.linalg.slogdet(x)[1], [rand(3, 3)]),
    "pinv_wide": (lambda np_, sl: np_.linalg.pinv, [rand(2, 3, 4)]),
    "pinv_tall": (lambda np_, sl: np_.linalg.pinv, [rand(4, 2)]),
    "pinv_low_rank": (lambda np_, sl: lambda x: np_.linalg.pinv(np_.matmul(x.T, x)), [rand(2, 4)]),
    "cholesky": (lambda np_, sl: lambda x: np_.linalg.cholesky(np_.matmul(x, x.T) + np.eye(3)), [rand(3, 3)]),
    "eigh": (_eigh, [rand(4, 4)]),
    "eigh_batched": (_eigh, [rand(2, 3, 3)]),
    "eigh_upper": (_eigh_upper, [rand(3, 3)]),
    "eigvalsh": (lambda np_, sl: lambda x: np_.linalg.eigvalsh(sym(np_, x)), [rand(2, 4, 4)]),
    "svd_tall": (_svd, [rand(4, 3)]),
    "svd_wide": (_svd, [rand(2, 2, 4)]),
    "svd_square": (_svd, [rand(3, 3)]),
    "svd_values": (lambda np_, sl: lambda x: np_.linalg.svd(x, compute_uv=False), [rand(2, 3, 4)]),
    "qr_tall": (_qr, [rand(4, 3)]),
    "qr_wide": (_qr, [rand(2, 3, 5)]),
    "qr_r": (lambda np_, sl: lambda x: np_.linalg.qr(x, mode="r") ** 2, [rand(3, 3)]),
    "matrix_power": (lambda np_, sl: lambda x: np_.linalg.matrix_power(x, 5), [rand(3, 3) * 0.5]),
    "matrix_power_negative": (lambda np_, sl: lambda x: np_.linalg.matrix_power(x, -2), [well(3, 3)]),
    "multi_dot": (lambda np_, sl: lambda a, b, c: np_.linalg.multi_dot([a, b, c]), [rand(3), rand(3, 4), rand(4)]),
    "cond": (lambda np_, sl: np_.linalg.cond, [well(3, 3)]),
    "cond_fro": (lambda np_, sl: lambda x: np_.linalg.cond(x, "fro"), [well(3, 3)]),
    "tensorinv": (lambda np_, sl: lambda x: np_.linalg.tensorinv(x, ind=1), [well(4, 4).reshape(4, 2, 2)]),
    "tensorsolve": (lambda np_, sl: np_.linalg.tensorsolve, [well(4, 4).reshape(2, 2, 4), rand(2, 2)]),
    "lstsq": (lambda np_, sl: lambda a, b: np_.linalg.lstsq(a, b)[0], [rand(5, 3), rand(5, 2)]),
    "solve_triangular": (lambda np_, sl: lambda a, b: sl.solve_triangular(a, b, lower=True), [well(3, 3), rand(3, 2)]),
    "solve_triangular_t": (lambda np_, sl: lambda a, b: sl.solve_triangular(a, b, trans="T", unit_diagonal=True),
                           [well(2, 3, 3), rand(2, 3)]),
    "cho_solve": (lambda np_, sl: lambda a, b: sl.cho_solve(sl.cho_factor(np_.matmul(a, a.T) + np.eye(3)), b),
                  [rand(3, 3), rand(3)]),
    "cho_solve_lower": (lambda np_, sl: lambda a, b: sl.cho_solve(
        sl.cho_factor(np_.matmul(a, a.T) + np.eye(3), lower=True), b), [rand(3, 3), rand(3, 2)]),
    "scipy_cholesky": (lambda np_, sl: lambda a: sl.cholesky(np_.matmul(a, a.T) + np.eye(3)), [rand(3, 3)]),
    "scipy_solve_pos": (lambda np_, sl: lambda a, b: sl.solve(np_.matmul(a, a.T) + np.eye(3), b, assume_a="pos"),
                        [rand(3, 3), rand(3)]),
    "expm": (lambda np_, sl: sl.expm, [rand(3, 3)]),
    "expm_large": (lambda np_, sl: sl.expm, [rand(2, 3, 3) * 4.0]),
    "block_diag": (lambda np_, sl: lambda a, b: sl.block_diag(a, b, a[:1]) ** 2, [rand(2, 2), rand(1, 3)]),
    "gp_marginal_likelihood": (_gp, [np.array([0.3, -1.5])]),
}
NAMES = sorted(CASES)
FG, JX = (fnp, fsl), (jnp, jsl)


def _weights(out):
    return np.random.default_rng(3).standard_normal(np.shape(out))


@pytest.mark.parametrize("name", NAMES)
def test_values_and_gradients_match_jax(name):
    build, args = CASES[name]
    f, jf = build(*FG), build(*JX)
    ours = fgrad.jit(f)(*args)
    np.testing.assert_allclose(ours, jf(*args), rtol=1e-9, atol=1e-11)
    w = _weights(ours)
    argnums = tuple(range(len(args)))
    loss, jloss = (lambda *xs: fnp.sum(f(*xs) * w)), (lambda *xs: jnp.sum(jf(*xs) * w))
    v = [np.random.default_rng(4 + i).standard_normal(np.shape(a)) for i, a in enumerate(args)]
    # jax's gradient and Hessian-vector product in one jax.jit (a quarter of op-by-op dispatch's cost)
    jgrad, jhvp = jax.jit(lambda *xs: (jax.grad(jloss, argnums)(*xs),
                                       jax.jvp(jax.grad(jloss, argnums), xs, tuple(v))[1]))(*args)
    for a, b in zip(fgrad.grad(loss, argnums)(*args), jgrad):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
    hvp = fgrad.jvp(fgrad.grad(loss, argnums), tuple(args), tuple(v))[1]
    for a, b in zip(hvp, jhvp):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_finite_differences_to_second_order(name):
    build, args = CASES[name]
    check_grads(build(*FG), args, order=2, modes=("fwd", "rev"))


def test_xla_backend_agrees():
    for name in ("eigh", "svd_wide", "qr_wide", "gp_marginal_likelihood", "expm", "solve_triangular_t"):
        build, args = CASES[name]
        f = build(*FG)
        loss = lambda *xs, f=f: fnp.sum(f(*xs) ** 2)  # noqa: E731
        grads = [fgrad.jit(fgrad.grad(loss, tuple(range(len(args)))), backend=b)(*args) for b in ("numpy", "xla")]
        for a, b in zip(*grads):
            np.testing.assert_allclose(np.asarray(b), a, rtol=1e-9, atol=1e-11)


def test_gp_gradient_matches_jax_in_float64():
    build, (params,) = CASES["gp_marginal_likelihood"]
    value, grad = fgrad.value_and_grad(build(*FG))(params)
    theirs = build(*JX)
    jvalue, jgrad, jhessian = jax.jit(lambda p: (*jax.value_and_grad(theirs)(p), jax.hessian(theirs)(p)))(params)
    np.testing.assert_allclose(value, jvalue, rtol=1e-12)
    np.testing.assert_allclose(grad, jgrad, rtol=1e-10)
    np.testing.assert_allclose(fgrad.hessian(build(*FG))(params), jhessian, rtol=1e-8)


# --- plain arrays: NumPy's own results ----------------------------------------------------------

def test_plain_arrays_give_numpys_results():
    a, s = well(3, 3), spd(2, 3, 3)
    np.testing.assert_array_equal(fnp.linalg.inv(a), np.linalg.inv(a))
    np.testing.assert_array_equal(fnp.linalg.eigh(s)[0], np.linalg.eigh(s)[0])
    assert fnp.linalg.slogdet(a) == np.linalg.slogdet(a)
    np.testing.assert_array_equal(fnp.linalg.norm(a, "nuc"), np.linalg.norm(a, "nuc"))


def test_traced_values_match_numpy_on_non_symmetric_input():
    """eigh and cholesky read one triangle under tracing as NumPy does on plain arrays."""
    a = spd(3, 3) + np.triu(rand(3, 3), 1)           # the upper triangle is not the lower one
    for uplo in ("L", "U"):
        w, v = fgrad.jit(lambda x, u=uplo: tuple(fnp.linalg.eigh(x, u)))(a)
        nw, nv = np.linalg.eigh(a, uplo)
        np.testing.assert_allclose(w, nw, rtol=1e-12)
        np.testing.assert_allclose(np.abs(v), np.abs(nv), rtol=1e-10)
    np.testing.assert_allclose(fgrad.jit(fnp.linalg.cholesky)(a), np.linalg.cholesky(a), rtol=1e-12)
    np.testing.assert_allclose(fgrad.jit(lambda x: fnp.linalg.cholesky(x, upper=True))(a + a.T - np.tril(a)),
                               np.linalg.cholesky(a + a.T - np.tril(a), upper=True), rtol=1e-12)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_gradient_is_symmetric_as_jaxs(upper):
    """The value reads one triangle (NumPy's); the derivative is that of (a + aᵀ) / 2 (jax's)."""
    a, weights = spd(4, 4), rand(4, 4)
    loss = lambda m: lambda x: m.sum(m.linalg.cholesky(x, upper=upper) * weights)
    theirs = lambda x: jnp.sum((jnp.linalg.cholesky(x).T if upper else jnp.linalg.cholesky(x)) * weights)
    ours = fgrad.grad(loss(fnp))(a)
    np.testing.assert_allclose(ours, ours.T, rtol=1e-12)
    np.testing.assert_allclose(ours, jax.grad(theirs)(a), rtol=1e-10)
    t = rand(4, 4)                              # not symmetric: the derivative along its symmetric part
    np.testing.assert_allclose(fgrad.jvp(loss(fnp), (a,), (t,))[1], jax.jvp(theirs, (a,), (t,))[1], rtol=1e-10)
    hvp = jax.jvp(jax.grad(theirs), (a,), (t,))[1]
    np.testing.assert_allclose(fgrad.jvp(fgrad.grad(loss(fnp)), (a,), (t,))[1], hvp, rtol=1e-8, atol=1e-12)


def test_full_matrices_svd_and_complete_qr_values():
    for shape in [(4, 2), (2, 4), (2, 3, 5)]:
        a = rand(*shape)
        u, s, vt = (np.asarray(x) for x in fgrad.jit(lambda x: tuple(fnp.linalg.svd(x)))(a))
        nu, _, nvt = np.linalg.svd(a)
        assert u.shape == nu.shape and vt.shape == nvt.shape
        np.testing.assert_allclose(u @ np.swapaxes(u, -1, -2), np.broadcast_to(np.eye(shape[-2]), u.shape), atol=1e-12)
        k = min(shape[-2:])
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vt[..., :k, :], a, atol=1e-12)
        q, r = fgrad.jit(lambda x: tuple(fnp.linalg.qr(x, "complete")))(a)
        assert q.shape == np.linalg.qr(a, "complete")[0].shape
        np.testing.assert_allclose(q @ r, a, atol=1e-12)


# --- norms ----------------------------------------------------------------------------------------

VECTOR_ORDS = [None, 1, 2, 3, 0.5, np.inf, -np.inf, 0]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
def test_vector_norms(ord):  # noqa: A002
    x = rand(3, 4) + 0.1
    f = lambda x: fnp.linalg.norm(x, ord=ord, axis=1, keepdims=True)  # noqa: E731
    np.testing.assert_allclose(fgrad.jit(f)(x), np.linalg.norm(x, ord=ord, axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(lambda x: fnp.sum(f(x)))(x),
                               jax.grad(lambda x: jnp.sum(jnp.linalg.norm(x, ord=ord, axis=1)))(x), rtol=1e-10)
    if ord != 0:
        check_grads(f, [x], order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("ord", MATRIX_ORDS)
def test_matrix_norms(ord):  # noqa: A002
    x = rand(2, 3, 4)
    f = lambda x: fnp.linalg.norm(x, ord=ord, axis=(2, 0))  # noqa: E731
    np.testing.assert_allclose(fgrad.jit(f)(x), np.linalg.norm(x, ord=ord, axis=(2, 0)), rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(lambda x: fnp.sum(f(x)))(x),
                               jax.grad(lambda x: jnp.sum(jnp.linalg.norm(x, ord=ord, axis=(2, 0))))(x), rtol=1e-9)
    check_grads(f, [x], order=2, modes=("fwd", "rev"))
    m = fgrad.jit(lambda x: fnp.linalg.matrix_norm(x, ord="fro" if ord is None else ord, keepdims=True))(x)
    np.testing.assert_allclose(m, np.linalg.matrix_norm(x, ord="fro" if ord is None else ord, keepdims=True))


def test_vector_norm_and_norm_without_axis():
    x = rand(2, 3, 2)
    for kw in ({}, {"axis": (0, 2), "ord": 3}, {"axis": 1, "keepdims": True, "ord": np.inf}):
        np.testing.assert_allclose(fgrad.jit(lambda x, kw=kw: fnp.linalg.vector_norm(x, **kw))(x),
                                   np.linalg.vector_norm(x, **kw), rtol=1e-12)
    np.testing.assert_allclose(fgrad.jit(lambda x: fnp.linalg.norm(x, keepdims=True))(x),
                               np.linalg.norm(x, keepdims=True))
    assert float(fgrad.grad(lambda x: fnp.linalg.norm(x))(np.zeros(3)).sum()) == 0.0   # 0 at the origin


def test_matrix_rank_has_no_gradient():
    a = rand(4, 2) @ rand(2, 3)
    assert int(fgrad.jit(fnp.linalg.matrix_rank)(a)) == np.linalg.matrix_rank(a) == 2
    g = fgrad.grad(lambda x: fnp.sum(x) * fnp.linalg.matrix_rank(x))(a)
    np.testing.assert_allclose(g, np.full(a.shape, 2.0))


# --- conventions at repeated eigenvalues and singular values ------------------------------------

def test_eigenvalues_alone_are_differentiable_where_they_repeat():
    a = np.diag([1.0, 1.0, 2.0])
    g = fgrad.grad(lambda x: fnp.sum(fnp.linalg.eigvalsh(x) ** 2))(a)
    np.testing.assert_allclose(g, np.tril(jax.grad(lambda x: jnp.sum(jnp.linalg.eigvalsh(x) ** 2))(a) * 2) -
                               np.diag(np.diag(jax.grad(lambda x: jnp.sum(jnp.linalg.eigvalsh(x) ** 2))(a))))
    s = fgrad.grad(lambda x: fnp.linalg.norm(x, "nuc"))(np.eye(3))
    np.testing.assert_allclose(s, jax.grad(lambda x: jnp.linalg.norm(x, "nuc"))(np.eye(3)))


def test_eigenvector_derivative_at_a_repeated_eigenvalue_is_not_finite_as_in_jax():
    a = np.diag([1.0, 1.0, 2.0])
    ours = fgrad.grad(lambda x: fnp.sum(fnp.linalg.eigh(x)[1][0] ** 3))(a)
    theirs = jax.grad(lambda x: jnp.sum(jnp.linalg.eigh(x)[1][0] ** 3))(a)
    assert not np.all(np.isfinite(ours)) and not np.all(np.isfinite(theirs))


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [fnp.linalg.inv, fnp.linalg.det, fnp.linalg.cholesky, fnp.linalg.eigh,
                                lambda x: fnp.linalg.slogdet(x)[1]])
def test_non_square_input_is_a_linalg_error_in_numpy_and_traced(fn):
    with pytest.raises(np.linalg.LinAlgError):
        fn(np.ones((2, 3)))
    with pytest.raises(np.linalg.LinAlgError, match=r"square.*\(2, 3\).*test_linalg\.py"):
        fgrad.grad(lambda x: fnp.sum(fn(x)))(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="at least two-dimensional"):
        fgrad.jit(fn)(np.ones(3))


def test_mismatched_solve_shapes_name_them():
    with pytest.raises(ValueError):
        np.linalg.solve(np.eye(3), np.ones(2))
    with pytest.raises(ShapeError, match=r"\(3, 3\).*\(2,\).*test_linalg\.py"):
        fgrad.jit(fnp.linalg.solve)(np.eye(3), np.ones(2))
    with pytest.raises(ShapeError, match="batch axes"):
        fgrad.jit(fnp.linalg.solve)(np.ones((2, 3, 3)), np.ones((4, 3, 1)))


def test_singular_matrix_is_numpys_error_at_run_time():
    singular = np.ones((2, 2))
    with pytest.raises(np.linalg.LinAlgError):
        fnp.linalg.inv(singular)
    with pytest.raises(np.linalg.LinAlgError):
        fgrad.jit(fnp.linalg.inv)(singular)


def test_integer_input_is_promoted_as_numpy_does():
    a = np.array([[2, 1], [1, 3]])
    np.testing.assert_allclose(fgrad.jit(fnp.linalg.inv)(a), np.linalg.inv(a))
    assert fgrad.jit(fnp.linalg.det)(a).dtype == np.float64
    with pytest.raises(TypeError, match="int"):
        fgrad.grad(lambda x: fnp.linalg.det(x))(a)


def test_bad_options_are_value_errors():
    with pytest.raises(ValueError, match="UPLO"):
        fgrad.jit(lambda x: fnp.linalg.eigh(x, "X")[0])(np.eye(2))
    with pytest.raises(ValueError, match="Invalid norm order"):
        fgrad.jit(lambda x: fnp.linalg.norm(x, "fro", axis=0))(np.eye(2))
    with pytest.raises(ValueError, match="trans"):
        fgrad.jit(lambda x: fsl.solve_triangular(x, x, trans=3))(np.eye(2))
    with pytest.raises(NotImplementedError, match="full_matrices"):
        fgrad.grad(lambda x: fnp.sum(fnp.linalg.svd(x)[0]))(rand(3, 2))


def test_float32_stays_float32():
    a = well(3, 3).astype(np.float32)
    for f in (fnp.linalg.inv, fnp.linalg.det, lambda x: fnp.linalg.eigvalsh(x), fsl.expm, fnp.linalg.pinv):
        out = fgrad.jit(f)(a)
        assert out.dtype == np.float32
        assert fgrad.grad(lambda x, f=f: fnp.sum(f(x)))(a).dtype == np.float32


def test_sqrtm_and_solve_sylvester():
    s, a, b, c = spd(3, 3), well(3, 3), well(2, 2), rand(3, 2)
    root = fgrad.jit(fsl.sqrtm)(s)
    np.testing.assert_allclose(root, np.real(jsl.sqrtm(s)), rtol=1e-10, atol=1e-12)
    x = fgrad.jit(fsl.solve_sylvester)(a, b, c)
    np.testing.assert_allclose(x, jsl.solve_sylvester(a, b, c), rtol=1e-10, atol=1e-12)
    # jax has no derivative for either (its Schur decomposition has none): finite differences decide
    check_grads(lambda x: fsl.sqrtm(x + x.T + 6.0 * np.eye(3)), [a], order=2, modes=("fwd", "rev"))
    check_grads(fsl.solve_sylvester, [a, b, c], order=2, modes=("fwd", "rev"))
    with pytest.raises(ValueError, match="complex"):
        fgrad.jit(fsl.sqrtm)(-np.eye(2))


def test_norm_of_a_list_of_traced_values():
    assert fgrad.grad(lambda x: fnp.linalg.norm([x, x + 2]))(0.0) == 1.0
    assert fgrad.grad(lambda x: fnp.linalg.vector_norm((x, x + 2.0), ord=1))(0.5) == 2.0


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_on_any_input_differentiates_what_numpy_computes(uplo):
    """The derivative of the function NumPy evaluates (one triangle read, NumPy's eigenvector signs)."""
    def f(x):
        w, v = fnp.linalg.eigh(x, uplo)
        return fnp.concatenate([w, fnp.ravel(v)])
    check_grads(f, [rand(5, 5)], order=2, modes=("fwd", "rev"))
    check_grads(lambda x: fnp.linalg.eigvalsh(x, uplo), [rand(2, 4, 4)], order=2, modes=("fwd", "rev"))


def _jax_banded(l_and_u, ab):
    lower, upper = l_and_u
    m = ab.shape[1]
    return sum(jnp.diag(ab[upper - k, max(k, 0):m + min(k, 0)], k) for k in range(-lower, upper + 1))


@pytest.mark.parametrize("l_and_u, b_shape", [((1, 1), (5,)), ((2, 0), (5, 2)), ((0, 3), (5, 1))])
def test_solve_banded_matches_scipy_and_jax(l_and_u, b_shape):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    ab, b = rand(sum(l_and_u) + 1, 5), rand(*b_shape)
    ab[l_and_u[1]] += 4.0                                    # a dominant main diagonal
    np.testing.assert_allclose(fsl.solve_banded(l_and_u, ab, b), scipy_linalg.solve_banded(l_and_u, ab, b),
                               rtol=1e-12)
    np.testing.assert_allclose(fgrad.jit(lambda a, y: fsl.solve_banded(l_and_u, a, y))(ab, b),
                               scipy_linalg.solve_banded(l_and_u, ab, b), rtol=1e-12)
    loss = lambda m, solve: lambda a, y: m.sum(solve(a, y) ** 3)
    ours = fgrad.grad(loss(fnp, lambda a, y: fsl.solve_banded(l_and_u, a, y)), argnums=(0, 1))(ab, b)
    theirs = jax.grad(loss(jnp, lambda a, y: jnp.linalg.solve(_jax_banded(l_and_u, a), y)), argnums=(0, 1))(ab, b)
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o, t, rtol=1e-10, atol=1e-12)
    check_grads(lambda a, y: fsl.solve_banded(l_and_u, a, y), [ab, b], order=2, modes=("fwd", "rev"))


def test_solve_banded_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match=r"l\+u\+1 \(3\) does not equal ab.shape\[0\] \(2\)"):
        fsl.solve_banded((1, 1), rand(2, 4), rand(4))
    with pytest.raises(ValueError, match="shapes of ab .* and b .* are not compatible"):
        fgrad.grad(lambda a: fnp.sum(fsl.solve_banded((1, 1), a, rand(3))))(rand(3, 4))
