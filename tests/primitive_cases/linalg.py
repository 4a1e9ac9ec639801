"""Cases for the matrix primitives (fgrad/primitives/solve.py, decomp.py, matfun.py).

Every case is a function of well-conditioned matrices with distinct eigenvalues and singular values,
and every function of eigenvectors, singular vectors or QR factors is invariant under the sign of
each vector, so NumPy's and jax's (or LAPACK's) choice of signs cannot differ the results.
"""

from __future__ import annotations

import importlib

import numpy as np
from operands import rnd

import fgrad.numpy as fnp
import fgrad.scipy.linalg as fsl


def _scipy(m):
    """fgrad.scipy.linalg for fgrad's namespace, jax.scipy.linalg for jax's."""
    return fsl if m.np is fnp else importlib.import_module("jax.scipy.linalg")


def _jax_sqrtm_spd(x):
    """The square root of a symmetric positive definite matrix in jax (whose sqrtm has no derivative)."""
    jnp = importlib.import_module("jax.numpy")
    w, v = jnp.linalg.eigh(x)
    return (v * jnp.sqrt(w)[..., None, :]) @ jnp.swapaxes(v, -1, -2)


def _jax_sylvester(a, b, c):
    """A X + X B = C in jax by the Kronecker form (jax's solve_sylvester has no derivative)."""
    jnp = importlib.import_module("jax.numpy")
    m, n = c.shape
    big = jnp.kron(jnp.eye(n, dtype=a.dtype), a) + jnp.kron(b.T, jnp.eye(m, dtype=a.dtype))
    return jnp.linalg.solve(big, c.T.reshape(-1)).reshape(n, m).T


def _sqrtm(m):
    root = fsl.sqrtm if m.np is fnp else _jax_sqrtm_spd
    return lambda x: root(m.np.matmul(x, m.np.swapaxes(x, -1, -2)) + 2.0 * np.eye(x.shape[-1], dtype=x.dtype))


def _sylvester(m):
    solver = fsl.solve_sylvester if m.np is fnp else _jax_sylvester
    return lambda a, b, c: solver(_diag_heavy(a), _diag_heavy(b), c)


def well(*shape, seed=0):
    """Matrices with a dominant diagonal (far from singular)."""
    return rnd(*shape, seed=seed) + 3.0 * np.eye(shape[-1])


def spd(*shape, seed=0):
    a = rnd(*shape, seed=seed)
    return a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])


# functions of a namespace m (fgrad's or jax's); eigh's input is made symmetric, as jax reads the whole
# matrix and NumPy one triangle
def _eigh(m):
    def f(x):
        w, v = m.np.linalg.eigh(x + m.np.swapaxes(x, -1, -2))
        return v * v * m.np.expand_dims(w, -2)
    return f


def _eigvalsh(m):
    return lambda x: m.np.linalg.eigvalsh(x + m.np.swapaxes(x, -1, -2))


def _svd(m):
    def f(x):
        u, s, vt = m.np.linalg.svd(x, full_matrices=False)
        return m.np.matmul(u * u * m.np.expand_dims(s, -2), vt * vt)
    return f


def _qr(m, mode="reduced"):
    def f(x):
        q, r = m.np.linalg.qr(x, mode=mode)
        return m.np.matmul(q * q, r * r)
    return f


def _eig_of(m):
    """eig with eigenvector derivatives: fgrad.numpy.linalg.eig, or jax.lax.linalg.eig opting in."""
    if m.np is fnp:
        return fnp.linalg.eig
    lax_linalg = importlib.import_module("jax.lax").linalg
    return lambda x: lax_linalg.eig(x, compute_left_eigenvectors=False, enable_eigvec_derivs=True)


def _eig(m):
    # invariant under the order of the eigenpairs (LAPACK builds may order them differently)
    def f(x):
        w, v = _eig_of(m)(x)
        weight = m.np.real(w) + m.np.imag(w) ** 2
        return m.np.abs(v) ** 2 * m.np.expand_dims(weight, -2)
    return f


def _eigvals(m):
    def f(x):
        w = m.np.linalg.eigvals(x) if m.np is fnp else _eig_of(m)(x)[0]
        return m.np.sum(m.np.abs(w) ** 3 + m.np.real(w) ** 2, axis=-1)
    return f


def _eig_complex(m):
    return lambda x, y: _eig(m)(x + 1j * y)


def _cholesky(m):
    return lambda x: m.np.linalg.cholesky(m.np.matmul(x, m.np.swapaxes(x, -1, -2))
                                          + 3.0 * np.eye(x.shape[-1], dtype=x.dtype))


def _slogdet(m):
    return lambda x: m.np.linalg.slogdet(x)[1]


def _triangular(m, **kw):
    return lambda a, b: _scipy(m).solve_triangular(a, b, **kw)


def _expm(m):
    return lambda x: _scipy(m).expm(x * 0.5)


F = type("F", (), {"np": fnp})       # fgrad's namespace for the finite-difference cases

DIFF = {
    "triangular_solve": [(_triangular(F, lower=True), [well(3, 3), rnd(3, 2)]),
                         (_triangular(F, trans=1, unit_diagonal=True), [well(2, 3, 3), rnd(2, 3)])],
    "solve": [(fnp.linalg.solve, [well(3, 3), rnd(3, 2)]), (fnp.linalg.inv, [well(2, 3, 3)])],
    "det": [(fnp.linalg.det, [rnd(3, 3)])],
    "slogdet": [(_slogdet(F), [rnd(2, 3, 3)])],
    "pinv": [(fnp.linalg.pinv, [rnd(3, 4)]), (fnp.linalg.pinv, [rnd(2, 4, 3)])],
    # cholesky's derivative is that of the symmetric part (jax's), so its input is built symmetric
    "cholesky": [(_cholesky(F), [rnd(3, 3)]),
                 (lambda a: fnp.linalg.cholesky(_spd_of(a), upper=True), [rnd(2, 3, 3)])],
    "eigh": [(_eigh(F), [rnd(3, 3)]), (_eigvalsh(F), [rnd(2, 3, 3)]),
             (lambda a: fnp.linalg.eigh(a, "U")[1] ** 2, [spd(3, 3)])],
    "svd": [(_svd(F), [rnd(4, 3)]), (_svd(F), [rnd(2, 3)]), (lambda a: fnp.linalg.svd(a, compute_uv=False),
                                                               [rnd(2, 3, 4)])],
    "qr": [(_qr(F), [rnd(4, 3)]), (_qr(F), [rnd(2, 3)]), (lambda a: fnp.linalg.qr(a, mode="r") ** 2, [rnd(2, 3, 3)])],
    "expm": [(_expm(F), [rnd(3, 3)])],
    "eig": [(_eig(F), [rnd(3, 3, seed=5)]), (_eigvals(F), [rnd(2, 3, 3)]),
            (_eig_complex(F), [rnd(3, 3, seed=3), rnd(3, 3, seed=4)])],
    "sqrtm": [(_sqrtm(F), [rnd(3, 3)]), (fsl.sqrtm, [spd(2, 3, 3)])],
    "solve_sylvester": [(_sylvester(F), [rnd(3, 3), rnd(2, 2), rnd(3, 2)])],
}

JVP = {
    "triangular_solve": [(lambda m: _triangular(m, lower=True), [well(3, 3), rnd(3, 2)]),
                         (lambda m: _triangular(m, trans=1, unit_diagonal=True), [well(3, 3), rnd(3, 2)])],
    "solve": [(lambda m: m.np.linalg.solve, [well(3, 3), rnd(3, 2)]), (lambda m: m.np.linalg.inv, [well(2, 3, 3)])],
    "det": [(lambda m: m.np.linalg.det, [rnd(3, 3)])],
    "slogdet": [(_slogdet, [rnd(2, 3, 3)])],
    "pinv": [(lambda m: m.np.linalg.pinv, [rnd(3, 4)])],
    "cholesky": [(_cholesky, [rnd(3, 3)])],
    "eigh": [(_eigh, [rnd(3, 3)]), (_eigvalsh, [rnd(3, 3)])],
    "svd": [(_svd, [rnd(4, 3)]), (_svd, [rnd(2, 3)]), (lambda m: lambda a: m.np.linalg.svd(a, compute_uv=False),
                                                       [rnd(3, 4)])],
    "qr": [(_qr, [rnd(4, 3)]), (_qr, [rnd(3, 3)])],
    "expm": [(_expm, [rnd(3, 3)])],
    "eig": [(_eig, [rnd(3, 3, seed=5)]), (_eigvals, [rnd(3, 3, seed=3)]),
            (_eig_complex, [rnd(3, 3, seed=3), rnd(3, 3, seed=4)])],
    "sqrtm": [(_sqrtm, [rnd(3, 3)])],
    "solve_sylvester": [(_sylvester, [rnd(3, 3), rnd(2, 2), rnd(3, 2)])],
}


def _r(rng, shape):
    return rng.uniform(-1.0, 1.0, shape)


def _diagonal_heavy(rng, shape):
    return rng.uniform(-1.0, 1.0, shape) + 4.0 * np.eye(shape[-1])


VMAP = {
    "linalg_triangular_solve": (lambda m: _triangular(m, lower=True), [(_diagonal_heavy, (3, 3)), (_r, (3, 2))]),
    "linalg_solve": (lambda m: m.np.linalg.solve, [(_diagonal_heavy, (3, 3)), (_r, (3, 2))]),
    "linalg_inv": (lambda m: m.np.linalg.inv, [(_diagonal_heavy, (3, 3))]),
    "linalg_det": (lambda m: m.np.linalg.det, [(_r, (3, 3))]),
    "linalg_slogdet": (_slogdet, [(_diagonal_heavy, (3, 3))]),
    "linalg_pinv": (lambda m: m.np.linalg.pinv, [(_r, (3, 2))]),
    "linalg_cholesky": (_cholesky, [(_r, (3, 3))]),
    "linalg_eigh": (_eigh, [(_r, (3, 3))]),
    "linalg_svd": (_svd, [(_r, (3, 2))]),
    "linalg_qr": (_qr, [(_r, (3, 2))]),
    "linalg_expm": (_expm, [(_r, (2, 2))]),
    "linalg_eig": (_eig, [(_r, (3, 3))]),
    "linalg_sqrtm": (_sqrtm, [(_r, (3, 3))]),
    "linalg_solve_sylvester": (_sylvester, [(_r, (3, 3)), (_r, (2, 2)), (_r, (3, 2))]),
}


def _spd_of(x):
    return fnp.matmul(x, fnp.swapaxes(x, -1, -2)) + 3.0 * np.eye(x.shape[-1], dtype=x.dtype)


def _diag_heavy(x):
    return x + 4.0 * np.eye(x.shape[-1], dtype=x.dtype)


XLA = {
    "triangular_solve": (lambda a, b: fsl.solve_triangular(_diag_heavy(a), b, trans=1, lower=True),
                         [(3, 3), (3, 2)], {}),
    "solve": (lambda a, b: fnp.linalg.solve(_diag_heavy(a), b), [(2, 3, 3), (2, 3, 2)], {}),
    "det": (fnp.linalg.det, [(3, 3)], {}),
    "slogdet": (lambda a: _slogdet(F)(_diag_heavy(a)), [(3, 3)], {}),
    "pinv": (fnp.linalg.pinv, [(3, 4)], {}),
    "cholesky": (lambda a: fnp.linalg.cholesky(_spd_of(a)), [(3, 3)], {}),
    "eigh": (lambda a: _eigh(F)(a) + _eigvalsh(F)(a), [(3, 3)], {}),
    "svd": (lambda a: _svd(F)(a) + fnp.sum(fnp.linalg.svd(a, compute_uv=False)), [(4, 3)], {}),
    "qr": (_qr(F), [(4, 3)], {}),
    "expm": (lambda a: fsl.expm(a * 0.5), [(3, 3)], {}),
    "eig": (lambda a: _eig(F)(a) + _eigvals(F)(a)[..., None, None], [(3, 3)], {}),
    "sqrtm": (_sqrtm(F), [(3, 3)], {}),
    "solve_sylvester": (_sylvester(F), [(3, 3), (2, 2), (3, 2)], {}),
}
