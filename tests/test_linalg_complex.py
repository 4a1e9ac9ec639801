"""Complex matrices and eig in fgrad.numpy.linalg against jax (float64, jax's convention: the gradient
of a real loss of complex z is dL/dRe - 1j dL/dIm): Hermitian eigh/eigvalsh, svd, cholesky, qr,
solve and inv on complex input, eig/eigvals on real and complex input. Values, gradients, forward
mode and second order on both backends, random shapes with hypothesis, and NumPy's results."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402

RNG = np.random.default_rng(7)


def crand(*shape, rng=RNG):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def hermitian_pd(*shape):
    a = crand(*shape)
    return a @ np.conj(np.swapaxes(a, -1, -2)) + np.eye(shape[-1])


def jax_hermitian(x, lower=True):
    """The Hermitian matrix NumPy reads from one triangle of x (real diagonal), in jax."""
    strict = jnp.tril(x, -1) if lower else jnp.swapaxes(jnp.conj(jnp.triu(x, 1)), -1, -2)
    diagonal = jnp.real(jnp.diagonal(x, axis1=-2, axis2=-1)).astype(x.dtype)
    return strict + jnp.conj(jnp.swapaxes(strict, -1, -2)) + diagonal[..., None] * jnp.eye(x.shape[-1])


def jax_eig(x):
    return jax.lax.linalg.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)


def weights(n):
    return np.arange(1.0, n + 1.0)


# name -> (fgrad function, jax function, argument); every loss is real and invariant under the phase
# of each eigen- or singular vector (and, for eig, the order of the eigenpairs)
def _eigh(upper):
    uplo = "U" if upper else "L"

    def ours(x):
        w, v = fnp.linalg.eigh(x, uplo)
        return fnp.sum(fnp.abs(v) ** 2 * weights(x.shape[-1])) + fnp.sum(w ** 3) + fnp.sum(
            fnp.linalg.eigvalsh(x, uplo) ** 2)

    def theirs(x):
        w, v = jnp.linalg.eigh(jax_hermitian(x, not upper))
        return jnp.sum(jnp.abs(v) ** 2 * weights(x.shape[-1])) + jnp.sum(w ** 3) + jnp.sum(
            jnp.linalg.eigvalsh(jax_hermitian(x, not upper)) ** 2)
    return ours, theirs


def _svd(m):
    def f(x):
        u, s, vh = m.linalg.svd(x, full_matrices=False)
        k = s.shape[-1]
        gauge_free = m.real(m.matmul(u * weights(k), m.conj(m.swapaxes(u, -1, -2))))   # U W Uᴴ
        return (m.sum(gauge_free * weights(x.shape[-2])) + m.sum(m.abs(vh) ** 2 * weights(x.shape[-1]))
                + m.sum(s ** 3) + m.sum(m.linalg.svd(x, compute_uv=False) ** 2))
    return f


def _cholesky(m, prepare):
    def f(x):
        low = m.linalg.cholesky(prepare(x))
        return m.sum(m.abs(low) ** 2 * weights(x.shape[-1])) + m.sum(m.real(low) ** 3)
    return f


def _qr(m):
    def f(x):
        q, r = m.linalg.qr(x)
        return m.sum(m.abs(q) ** 2 * weights(q.shape[-1])) + m.sum(m.abs(r) ** 3)
    return f


def _solve(m):
    def f(x):
        a = x + 4.0 * np.eye(x.shape[-1])
        return m.sum(m.abs(m.linalg.solve(a, x[..., :2])) ** 2) + m.sum(m.real(m.linalg.inv(a)) ** 3)
    return f


def _eig(eig):
    def f(x):
        w, v = eig(x)
        m = fnp if eig is fnp.linalg.eig else jnp
        weight = m.real(w) + m.imag(w) ** 2
        return m.sum(m.abs(v) ** 2 * m.expand_dims(weight, -2)) + m.sum(m.abs(w) ** 3)
    return f


def _eigvals(m, eigvals):
    return lambda x: m.sum(m.abs(eigvals(x)) ** 3 + m.real(eigvals(x)) ** 2)


CASES = {
    "eigh": (*_eigh(False), crand(4, 4)),
    "eigh_upper": (*_eigh(True), crand(2, 3, 3)),
    "svd_square": (_svd(fnp), _svd(jnp), crand(4, 4)),
    "svd_tall": (_svd(fnp), _svd(jnp), crand(5, 3)),
    "svd_wide": (_svd(fnp), _svd(jnp), crand(2, 3, 5)),
    # jax symmetrizes cholesky's input, and fgrad's derivative is that of the Hermitian part too
    "cholesky": (_cholesky(fnp, lambda x: x), _cholesky(jnp, lambda x: x), hermitian_pd(4, 4)),
    "qr_tall": (_qr(fnp), _qr(jnp), crand(5, 3)),
    "qr_wide": (_qr(fnp), _qr(jnp), crand(3, 5)),
    "solve_inv": (_solve(fnp), _solve(jnp), crand(2, 3, 3)),
    "eig_complex": (_eig(fnp.linalg.eig), _eig(jax_eig), crand(4, 4)),
    "eig_real": (_eig(fnp.linalg.eig), _eig(jax_eig), crand(4, 4).real),
    "eig_batched": (_eig(fnp.linalg.eig), _eig(jax_eig), crand(2, 3, 3)),
    "eigvals": (_eigvals(fnp, fnp.linalg.eigvals), _eigvals(jnp, lambda x: jax_eig(x)[0]), crand(4, 4)),
}


def close(a, b, tol=1e-8):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# The jax oracles run under jax.jit: one XLA compile per shape costs about a quarter of jax's
# op-by-op dispatch of the same derivatives (which compiles each operation for each shape).
@pytest.mark.parametrize("name", CASES)
def test_value_and_gradient_match_jax(backend, name):
    ours, theirs, x = CASES[name]
    value, grad = fgrad.value_and_grad(ours)(x)
    expected_value, expected_grad = jax.jit(jax.value_and_grad(theirs))(x)
    close(value, expected_value)
    assert np.asarray(grad).dtype == x.dtype
    close(grad, expected_grad)


@pytest.mark.parametrize("name", CASES)
def test_jvp_and_second_order_match_jax(name):
    ours, theirs, x = CASES[name]
    t = crand(*x.shape, rng=np.random.default_rng(1))
    t = t if x.dtype.kind == "c" else t.real
    along = lambda m, grad_f: lambda y: m.real(m.sum(grad_f(y) * t))
    # the jvp, then the derivative of the gradient along t (Hessian-vector product) in forward and
    # in reverse mode
    jvp, hvp, hvp_reverse = jax.jit(lambda y: (
        jax.jvp(theirs, (y,), (t,))[1], jax.jvp(jax.grad(theirs), (y,), (t,))[1],
        jax.grad(along(jnp, jax.grad(theirs)))(y)))(x)
    close(fgrad.jvp(ours, (x,), (t,))[1], jvp)
    close(fgrad.jvp(fgrad.grad(ours), (x,), (t,))[1], hvp, 1e-7)
    close(fgrad.grad(along(fnp, fgrad.grad(ours)))(x), hvp_reverse, 1e-7)


def test_values_are_numpys():
    a, pd = crand(4, 4), hermitian_pd(4, 4)
    traced = fgrad.jit(lambda x: (fnp.linalg.eigh(x), fnp.linalg.svd(x), fnp.linalg.qr(x), fnp.linalg.eig(x),
                                  fnp.linalg.eigvals(x), fnp.linalg.cholesky(pd + x * 0)))(a)
    plain = (np.linalg.eigh(a), np.linalg.svd(a), np.linalg.qr(a), np.linalg.eig(a), np.linalg.eigvals(a),
             np.linalg.cholesky(pd + a * 0))
    for ours, theirs in zip(jax.tree_util.tree_leaves(traced), jax.tree_util.tree_leaves(plain)):
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype
        close(ours, theirs, 1e-10)


def test_eig_of_a_real_matrix_is_complex_when_traced():
    a = np.array([[2.0, 0.0], [0.0, 1.0]])
    w, v = fgrad.jit(fnp.linalg.eig)(a)
    assert w.dtype == np.complex128 and v.dtype == np.complex128
    close(w, [2.0, 1.0])
    assert np.linalg.eig(a).eigenvalues.dtype == np.float64       # NumPy's, on a plain array


def test_eig_vector_derivative_follows_lapack_normalisation():
    # unit norm and a real largest entry hold along the path, so their derivatives vanish
    a, t = crand(4, 4), crand(4, 4, rng=np.random.default_rng(3))
    _, v = fnp.linalg.eig(a)
    _, dv = fgrad.jvp(lambda x: fnp.linalg.eig(x)[1], (a,), (t,))
    close(np.real(np.sum(np.conj(v) * dv, axis=0)), np.zeros(4), 1e-10)
    largest = np.argmax(np.abs(v), axis=0)
    close(np.imag(dv[largest, np.arange(4)]), np.zeros(4), 1e-10)


@settings(max_examples=8, deadline=None)
@given(batch=st.sampled_from([(), (2,)]), m=st.integers(1, 4), n=st.integers(1, 4), seed=st.integers(0, 99))
def test_random_shapes_match_jax(batch, m, n, seed):
    rng = np.random.default_rng(seed)
    x = crand(*batch, m, n, rng=rng)
    close(fgrad.grad(_svd(fnp))(x), jax.jit(jax.grad(_svd(jnp)))(x), 1e-7)
    close(fgrad.grad(_qr(fnp))(x), jax.jit(jax.grad(_qr(jnp)))(x), 1e-7)
    square = crand(*batch, n, n, rng=rng)
    ours, theirs = _eigh(False)
    close(fgrad.grad(ours)(square), jax.jit(jax.grad(theirs))(square), 1e-7)
    close(fgrad.grad(_eig(fnp.linalg.eig))(square), jax.jit(jax.grad(_eig(jax_eig)))(square), 1e-6)


def test_complex_input_to_a_real_only_function_is_refused_with_the_place():
    with pytest.raises(TypeError, match=r"det takes real matrices, got complex128 \(at .*test_linalg_complex"):
        fgrad.grad(lambda x: fnp.abs(fnp.linalg.det(x)))(crand(2, 2))
