"""Matrix decompositions on stacks of matrices (..., m, n): cholesky, eigh, svd, qr.

An equation has one output, so a decomposition with several results returns them packed in one
array, which fgrad.numpy.linalg slices apart (the slices' derivatives are ordinary gathers):

- eigh with vectors: (..., n + 1, n), the eigenvalues in row 0 and the eigenvectors below;
- svd with uv: (..., m + 1 + n, k), the rows of U (m, k), then s, then those of V = Vᵀᵀ (n, k);
- qr: (..., k, m + n), Qᵀ (k, m) beside R (k, n).

cholesky and eigh take symmetric matrices: fgrad.numpy.linalg builds the symmetric matrix from the
triangle numpy.linalg reads (UPLO) before binding, so values match NumPy on any input and the
derivatives are those of that function. As in jax, eigenvector and singular-vector derivatives
are not defined where eigenvalues (singular values) repeat: they divide by their differences.
Eigenvalues and singular values alone (vectors=False, uv=False) have derivatives everywhere.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ._matrix import (
    diag_embed,
    diag_part,
    eye_like,
    float_dtype,
    fnp,
    matrices,
    mm,
    mT,
    square_matrices,
    sym,
    triangle,
    with_batch,
)
from .solve import triangular_solve

SRC = "fgrad/primitives/decomp.py"


def _concat(parts, axis):
    return fnp().concatenate(parts, axis=axis)


def _row(v):
    return fnp().expand_dims(v, -2)


# --- cholesky --------------------------------------------------------------------------------------

def _cholesky_abstract(a):
    square_matrices("cholesky", a)
    return Aval(a.shape, float_dtype("cholesky", a))


cholesky_p = Primitive("cholesky", abstract=_cholesky_abstract, impl=np.linalg.cholesky, source=SRC,
                       numpy="np.linalg.cholesky({0})", jax="jnp.linalg.cholesky({0}, symmetrize_input=False)")


def _phi(x):
    """The lower triangle with the diagonal halved (Murray 2016, arXiv:1602.07527)."""
    return triangle(x, True) - diag_embed(diag_part(x)) * 0.5


@cholesky_p.def_jvp
def _cholesky_jvp(primals, tangents, *, out):
    (t,) = tangents
    left = triangular_solve(out, t, lower=True)                        # L⁻¹ dA
    return mm(out, _phi(mT(triangular_solve(out, mT(left), lower=True))))     # L Φ(L⁻¹ dA L⁻ᵀ)


@cholesky_p.def_vjp
def _cholesky_vjp(ct, a, out):
    left = triangular_solve(out, _phi(mm(mT(out), ct)), lower=True, transpose_a=True)    # L⁻ᵀ Φ(Lᵀ ct)
    return [sym(mT(triangular_solve(out, mT(left), lower=True, transpose_a=True)))]      # ... L⁻¹


cholesky_p.def_batch(with_batch(cholesky_p))


def cholesky(a):
    """The lower Cholesky factor of each symmetric positive definite matrix."""
    return bind(cholesky_p, a)


# --- eigh ------------------------------------------------------------------------------------------

def _eigh_abstract(a, *, vectors, lower):
    n = square_matrices("eigh", a)
    return Aval(a.shape[:-2] + ((n + 1, n) if vectors else (n,)), float_dtype("eigh", a))


def _eigh_impl(a, vectors, lower):
    # the triangle LAPACK reads is the user's UPLO, so traced results are NumPy's, signs included
    uplo = "L" if lower else "U"
    if not vectors:
        return np.linalg.eigvalsh(a, uplo)
    w, v = np.linalg.eigh(a, uplo)
    return np.concatenate([w[..., None, :], v], axis=-2)


# one expression without temporaries: the repeated decomposition is one operation once XLA merges
# identical subexpressions under jax.jit
_EIGH_CALL = "jnp.linalg.eigh({0}, UPLO='L' if {lower} else 'U', symmetrize_input=False)"
_EIGH_JAX = (f"jnp.concatenate([{_EIGH_CALL}[0][..., None, :], {_EIGH_CALL}[1]], axis=-2) if {{vectors}} "
             "else jnp.linalg.eigvalsh({0}, UPLO='L' if {lower} else 'U', symmetrize_input=False)")


eigh_p = Primitive("eigh", abstract=_eigh_abstract, impl=lambda a, *, vectors, lower: _eigh_impl(a, vectors, lower),
                   source=SRC, numpy="_eigh({0}, {vectors}, {lower})", helpers={"_eigh": _eigh_impl}, jax=_EIGH_JAX)


def _gaps(w):
    """1 / (w_j - w_i) off the diagonal, 0 on it (as jax: infinite where eigenvalues repeat)."""
    eye = eye_like(w)
    return 1.0 / (eye + _row(w) - fnp().expand_dims(w, -1)) - eye


@eigh_p.def_vjp
def _eigh_vjp(ct, a, out, *, vectors, lower):
    packed = out if vectors else eigh(a, True, lower)
    w, v = packed[..., 0, :], packed[..., 1:, :]
    inner = diag_embed(ct[..., 0, :]) + _gaps(w) * mm(mT(v), ct[..., 1:, :]) if vectors else diag_embed(ct)
    return [sym(mm(mm(v, inner), mT(v)))]


@eigh_p.def_jvp
def _eigh_jvp(primals, tangents, *, out, vectors, lower):
    packed = out if vectors else eigh(primals[0], True, lower)
    w, v = packed[..., 0, :], packed[..., 1:, :]
    rotated = mm(mm(mT(v), tangents[0]), v)                         # Vᵀ dA V
    if not vectors:
        return diag_part(rotated)
    return _concat([_row(diag_part(rotated)), mm(v, _gaps(w) * rotated)], -2)


eigh_p.def_batch(with_batch(eigh_p))


def eigh(a, vectors: bool = True, lower: bool = True):
    """Eigenvalues (ascending) and, with `vectors`, eigenvectors of symmetric matrices, packed; `lower`
    names the triangle LAPACK reads (the same numbers in a symmetric matrix, but the signs of the
    eigenvectors it picks may differ)."""
    return bind(eigh_p, a, vectors=bool(vectors), lower=bool(lower))


# --- svd -------------------------------------------------------------------------------------------

def _svd_abstract(a, *, uv, full):
    m, n = matrices("svd", a)
    k = min(m, n)
    if not uv:
        return Aval(a.shape[:-2] + (k,), float_dtype("svd", a))
    return Aval(a.shape[:-2] + (m + 1 + n, max(m, n) if full else k), float_dtype("svd", a))


def _svd_pad(xp, x, width):
    return xp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, width - x.shape[-1])])


def _svd_impl(a, uv, full):
    if not uv:
        return np.linalg.svd(a, compute_uv=False)
    u, s, vt = np.linalg.svd(a, full_matrices=full)
    width = max(a.shape[-2:]) if full else s.shape[-1]
    parts = [u, s[..., None, :], np.swapaxes(vt, -1, -2)]
    return np.concatenate([_svd_pad(np, x, width) for x in parts], axis=-2)


def _svd_jax_part(i: int, pad: str) -> str:
    part = f"jnp.linalg.svd({{0}}, full_matrices={{full}})[{i}]"
    part = {0: part, 1: f"{part}[..., None, :]", 2: f"jnp.swapaxes({part}, -1, -2)"}[i]
    return f"jnp.pad({part}, ((0, 0),) * ({{0}}.ndim - 1) + ((0, {{full}} * {pad}),))"


# with full matrices on a non-square matrix the blocks are padded to the width max(m, n)
_M, _N = "{0}.shape[-2]", "{0}.shape[-1]"
_SVD_JAX = ("jnp.concatenate([" + _svd_jax_part(0, f"np.maximum(0, {_N} - {_M})") + ", "
            + _svd_jax_part(1, f"np.abs({_N} - {_M})") + ", " + _svd_jax_part(2, f"np.maximum(0, {_M} - {_N})")
            + "], axis=-2) if {uv} else jnp.linalg.svd({0}, compute_uv=False)")


svd_p = Primitive("svd", abstract=_svd_abstract, impl=lambda a, *, uv, full: _svd_impl(a, uv, full), source=SRC,
                  numpy="_svd({0}, {uv}, {full})", helpers={"_svd": _svd_impl}, jax=_SVD_JAX)


def _svd_parts(a, out, uv):
    """U, s, V of each matrix from svd's packed result (computed afresh when only s was)."""
    packed = out if uv else svd(a, uv=True)
    m = a.shape[-2]
    return packed[..., :m, :], packed[..., m, :], packed[..., m + 1:, :]


def _no_full_derivative(full):
    if full:
        raise NotImplementedError("the derivative of svd with full_matrices=True is not defined for a non-square "
                                  "matrix (as in jax); use full_matrices=False")


@svd_p.def_vjp
def _svd_vjp(ct, a, out, *, uv, full):
    # Townsend (2016), "Differentiating the singular value decomposition", as autograd writes it
    _no_full_derivative(full)
    u, s, v = _svd_parts(a, out, uv)
    if not uv:
        return [mm(u * _row(ct), mT(v))]
    m, n = a.shape[-2:]
    ct_u, ct_s, ct_v = ct[..., :m, :], ct[..., m, :], ct[..., m + 1:, :]
    s2, eye = s * s, eye_like(s)
    f = 1.0 / (_row(s2) - fnp().expand_dims(s2, -1) + eye)
    ut_gu, vt_gv = mm(mT(u), ct_u), mm(mT(v), ct_v)
    inner = ((f * (ut_gu - mT(ut_gu))) * _row(s) + diag_embed(ct_s)
             + fnp().expand_dims(s, -1) * (f * (vt_gv - mT(vt_gv))))
    ct_a = mm(mm(u, inner), mT(v))
    if m < n:
        ct_a = ct_a + mm(mm(u / _row(s), mT(ct_v)), eye_like(a) - mm(v, mT(v)))
    elif m > n:
        ct_a = ct_a + mm(eye_like(a, m) - mm(u, mT(u)), mm(ct_u, mT(v / _row(s))))
    return [ct_a]


@svd_p.def_jvp
def _svd_jvp(primals, tangents, *, out, uv, full):
    # jax's rule (lax.linalg._svd_jvp_rule) for real matrices
    _no_full_derivative(full)
    (a,), (t,) = primals, tangents
    u, s, v = _svd_parts(a, out, uv)
    rotated = mm(mm(mT(u), t), v)                                     # Uᵀ dA V
    ds = diag_part(rotated)
    if not uv:
        return ds
    col, row, eye = fnp().expand_dims(s, -1), _row(s), eye_like(s)
    f = 1.0 / ((row + col) * (row - col) + eye) - eye
    du, dv = mm(u, f * (row * rotated + mT(row * rotated))), mm(v, f * (col * rotated + mT(col * rotated)))
    m, n = a.shape[-2:]
    if m > n:
        dav = mm(t, v)
        du = du + (dav - mm(u, mm(mT(u), dav))) / row
    if n > m:
        dau = mm(mT(t), u)
        dv = dv + (dau - mm(v, mm(mT(v), dau))) / row
    return _concat([du, _row(ds), dv], -2)


svd_p.def_batch(with_batch(svd_p))


def svd(a, uv: bool = True, full: bool = False):
    """Singular values (descending) and, with `uv`, the singular vectors of each matrix, packed."""
    return bind(svd_p, a, uv=bool(uv), full=bool(full))


# --- qr --------------------------------------------------------------------------------------------

def _qr_abstract(a, *, complete):
    m, n = matrices("qr", a)
    rows = m if complete else min(m, n)
    return Aval(a.shape[:-2] + (rows, m + n), float_dtype("qr", a))


def _qr_impl(a, complete):
    q, r = np.linalg.qr(a, mode="complete" if complete else "reduced")
    return np.concatenate([np.swapaxes(q, -1, -2), r], axis=-1)


_QR_MODE = "'complete' if {complete} else 'reduced'"
_QR_JAX = (f"jnp.concatenate([jnp.swapaxes(jnp.linalg.qr({{0}}, mode={_QR_MODE})[0], -1, -2), "
           f"jnp.linalg.qr({{0}}, mode={_QR_MODE})[1]], axis=-1)")


qr_p = Primitive("qr", abstract=_qr_abstract, impl=lambda a, *, complete: _qr_impl(a, complete), source=SRC,
                 numpy="_qr({0}, {complete})", helpers={"_qr": _qr_impl}, jax=_QR_JAX)


def _qr_parts(a, out, complete):
    m, n = a.shape[-2:]
    if complete and m > n:
        raise NotImplementedError("the derivative of qr with mode='complete' is not defined here for a tall "
                                  "matrix; use mode='reduced'")
    return mT(out[..., :, :m]), out[..., :, m:]


def _right_solve_r(x, r):
    """x R⁻¹ for an upper triangular R."""
    return mT(triangular_solve(r, mT(x), lower=False, transpose_a=True))


def _thin_qr_vjp(q, r, ct_q, ct_r):
    # (ct_Q + Q copyltu(M)) R⁻ᵀ with M = R ct_Rᵀ - ct_Qᵀ Q (Walter and Lehmann 2018)
    big_m = mm(r, mT(ct_r)) - mm(mT(ct_q), q)
    copyltu = triangle(big_m, True) + mT(triangle(big_m, True, -1))
    return mT(triangular_solve(r, mT(ct_q + mm(q, copyltu)), lower=False))


@qr_p.def_vjp
def _qr_vjp(ct, a, out, *, complete):
    q, r = _qr_parts(a, out, complete)
    m, n = a.shape[-2:]
    ct_q, ct_r = mT(ct[..., :, :m]), ct[..., :, m:]
    if m >= n:
        return [_thin_qr_vjp(q, r, ct_q, ct_r)]
    # wide: A = [A1 A2], R = [R1 R2] with A1 = Q R1 and R2 = Qᵀ A2
    a2, ct_r2 = a[..., :, m:], ct_r[..., :, m:]
    ct_a1 = _thin_qr_vjp(q, r[..., :, :m], ct_q + mm(a2, mT(ct_r2)), ct_r[..., :, :m])
    return [_concat([ct_a1, mm(q, ct_r2)], -1)]


def _thin_qr_jvp(q, r, t):
    # jax's _thin_qr_jvp (j-towns.github.io/papers/qr-derivative.pdf)
    t_rinv = _right_solve_r(t, r)
    qt_t_rinv = mm(mT(q), t_rinv)
    low = triangle(qt_t_rinv, True, -1)
    skew = low - mT(low)
    return mm(q, skew - qt_t_rinv) + t_rinv, mm(qt_t_rinv - skew, r)


@qr_p.def_jvp
def _qr_jvp(primals, tangents, *, out, complete):
    (a,), (t,) = primals, tangents
    q, r = _qr_parts(a, out, complete)
    m, n = a.shape[-2:]
    if m >= n:
        dq, dr = _thin_qr_jvp(q, r, t)
    else:
        dq, dr1 = _thin_qr_jvp(q, r[..., :, :m], t[..., :, :m])
        dr = _concat([dr1, mm(mT(dq), a[..., :, m:]) + mm(mT(q), t[..., :, m:])], -1)
    return _concat([mT(dq), dr], -1)


qr_p.def_batch(with_batch(qr_p))


def qr(a, complete: bool = False):
    """The QR decomposition of each matrix, packed as [Qᵀ | R]."""
    return bind(qr_p, a, complete=bool(complete))
