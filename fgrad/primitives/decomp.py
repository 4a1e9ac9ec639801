"""Matrix decompositions on stacks of matrices (..., m, n): cholesky, eigh, svd, qr.

An equation has one output, so a decomposition with several results returns them packed in one
array, which fgrad.numpy.linalg slices apart (the slices' derivatives are ordinary gathers):

- eigh with vectors: (..., n + 1, n), the eigenvalues in row 0 and the eigenvectors below;
- svd with uv: (..., m + 1 + n, k), the rows of U (m, k), then s, then those of V = Vhᴴ (n, k);
- qr: (..., k, m + n), Qᵀ (k, m) beside R (k, n);
- eig with vectors: (..., n + 1, n), complex, the eigenvalues in row 0 and the eigenvectors below.

cholesky and eigh take symmetric (complex: Hermitian) matrices; fgrad.numpy.linalg builds one from the
triangle numpy.linalg reads (UPLO) before binding, so values match NumPy on any input. Complex
matrices follow jax's rules and its convention (a vjp is the transpose of the jvp, so the
cotangent of a real loss is dL/dRe - 1j dL/dIm); eigenvalues and singular values stay real, and in
a packed complex result they are stored as complex numbers with zero imaginary part. As in jax,
eigenvector and singular-vector derivatives are not defined where eigenvalues (singular values)
repeat: they divide by their differences.
Eigenvalues and singular values alone (vectors=False, uv=False) have derivatives everywhere.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from . import complex as cx
from ._base import complex_dtype, real_dtype
from ._matrix import (
    diag_embed,
    diag_part,
    eye_like,
    fnp,
    inexact_dtype,
    matrices,
    mH,
    mm,
    mT,
    square_matrices,
    sym,
    triangle,
    with_batch,
)
from .solve import solve, triangular_solve

SRC = "fgrad/primitives/decomp.py"


def _concat(parts, axis):
    return fnp().concatenate(parts, axis=axis)


def _row(v):
    return fnp().expand_dims(v, -2)


def _col(v):
    return fnp().expand_dims(v, -1)


def _real_dtype(name, a):
    """The real dtype of the values (eigen-, singular) of a real or complex operand."""
    return real_dtype(inexact_dtype(name, a))


# --- cholesky --------------------------------------------------------------------------------------

def _cholesky_abstract(a):
    square_matrices("cholesky", a)
    return Aval(a.shape, inexact_dtype("cholesky", a))


cholesky_p = Primitive("cholesky", abstract=_cholesky_abstract, impl=np.linalg.cholesky, source=SRC,
                       numpy="np.linalg.cholesky({0})", jax="jnp.linalg.cholesky({0}, symmetrize_input=False)")


def _phi(x):
    """The lower triangle with the diagonal halved (Murray 2016, arXiv:1602.07527)."""
    return triangle(x, True) - diag_embed(diag_part(x)) * 0.5


@cholesky_p.def_jvp
def _cholesky_jvp(primals, tangents, *, out):
    (t,) = tangents
    left = triangular_solve(out, t, lower=True)                        # L⁻¹ dA
    return mm(out, _phi(mH(triangular_solve(out, mH(left), lower=True))))     # L Φ(L⁻¹ dA L⁻ᴴ)


@cholesky_p.def_vjp
def _cholesky_vjp(ct, a, out):
    # the transpose of the jvp: L⁻ᵀ Φ(Lᵀ ct) conj(L)⁻¹, then the Hermitian part
    left = triangular_solve(out, _phi(mm(mT(out), ct)), lower=True, transpose_a=True)
    return [sym(mT(triangular_solve(fnp().conj(out), mT(left), lower=True, transpose_a=True)))]


cholesky_p.def_batch(with_batch(cholesky_p))


def cholesky(a):
    """The lower Cholesky factor of each symmetric positive definite matrix."""
    return bind(cholesky_p, a)


# --- eigh ------------------------------------------------------------------------------------------

def _eigh_abstract(a, *, vectors, lower):
    n = square_matrices("eigh", a)
    if not vectors:
        return Aval(a.shape[:-2] + (n,), _real_dtype("eigh", a))
    return Aval(a.shape[:-2] + (n + 1, n), inexact_dtype("eigh", a))


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


def _eigh_parts(a, out, vectors, lower):
    packed = out if vectors else eigh(a, True, lower)
    return fnp().real(packed[..., 0, :]), packed[..., 1:, :]


@eigh_p.def_vjp
def _eigh_vjp(ct, a, out, *, vectors, lower):
    # the transpose of the jvp: conj(V) (diag(ct_w) + F ∘ Vᵀ ct_V) Vᵀ
    w, v = _eigh_parts(a, out, vectors, lower)
    if not vectors:
        inner = diag_embed(ct)
    else:
        inner = diag_embed(fnp().real(ct[..., 0, :])) + _gaps(w) * mm(mT(v), ct[..., 1:, :])
    return [sym(mm(mm(fnp().conj(v), inner), mT(v)))]


@eigh_p.def_jvp
def _eigh_jvp(primals, tangents, *, out, vectors, lower):
    w, v = _eigh_parts(primals[0], out, vectors, lower)
    rotated = mm(mm(mH(v), tangents[0]), v)                         # Vᴴ dA V
    dw = fnp().real(diag_part(rotated))
    if not vectors:
        return dw
    return _concat([_row(fnp().astype(dw, v.dtype)), mm(v, _gaps(w) * rotated)], -2)


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
        return Aval(a.shape[:-2] + (k,), _real_dtype("svd", a))
    return Aval(a.shape[:-2] + (m + 1 + n, max(m, n) if full else k), inexact_dtype("svd", a))


def _svd_pad(xp, x, width):
    return xp.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, width - x.shape[-1])])


def _svd_impl(a, uv, full):
    if not uv:
        return np.linalg.svd(a, compute_uv=False)
    u, s, vt = np.linalg.svd(a, full_matrices=full)
    width = max(a.shape[-2:]) if full else s.shape[-1]
    parts = [u, s[..., None, :], np.conj(np.swapaxes(vt, -1, -2))]
    return np.concatenate([_svd_pad(np, x, width) for x in parts], axis=-2)


def _svd_jax_part(i: int, pad: str) -> str:
    part = f"jnp.linalg.svd({{0}}, full_matrices={{full}})[{i}]"
    part = {0: part, 1: f"{part}[..., None, :]", 2: f"jnp.conj(jnp.swapaxes({part}, -1, -2))"}[i]
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
    return packed[..., :m, :], fnp().real(packed[..., m, :]), packed[..., m + 1:, :]


def _inverse_gaps(s):
    """1 / (s_j² - s_i²) off the diagonal, 0 on it (as jax: infinite where singular values repeat)."""
    s2, eye = s * s, eye_like(s)
    return 1.0 / (_row(s2) - _col(s2) + eye) - eye


def _phase_term(x, s):
    """i Im(diag(x)) / s on the diagonal (zero for a real x; its own transpose). In svd's jvp, with
    x = Uᴴ dA V, the part of dU along iU that jax keeps for complex matrices; in qr's, the imaginary
    diagonal of the skew-Hermitian part."""
    if x.dtype.kind != "c":
        return 0.0
    return diag_embed(fnp().astype(fnp().imag(diag_part(x)) / s, x.dtype) * 1j)


def _no_full_derivative(full):
    if full:
        raise NotImplementedError("the derivative of svd with full_matrices=True is not defined for a non-square "
                                  "matrix (as in jax); use full_matrices=False")


@svd_p.def_vjp
def _svd_vjp(ct, a, out, *, uv, full):
    # Townsend (2016), "Differentiating the singular value decomposition", in the conjugate convention
    # (PyTorch's linalg_svd_backward with jax's phase term); jax's cotangent is its conjugate
    _no_full_derivative(full)
    u, s, v = _svd_parts(a, out, uv)
    if not uv:
        return [mm(fnp().conj(u) * _row(ct), mT(v))]
    m, n = a.shape[-2:]
    conj = fnp().conj
    g_u, g_s, g_v = conj(ct[..., :m, :]), fnp().real(ct[..., m, :]), conj(ct[..., m + 1:, :])
    f = _inverse_gaps(s)
    uh_gu, vh_gv = mm(mH(u), g_u), mm(mH(v), g_v)
    inner = ((f * (uh_gu - mH(uh_gu))) * _row(s) + diag_embed(g_s) + _col(s) * (f * (vh_gv - mH(vh_gv)))
             + _phase_term(uh_gu, s))
    g_a = mm(mm(u, inner), mH(v))
    if m < n:
        g_a = g_a + mm(mm(u / _row(s), mH(g_v)), eye_like(a) - mm(v, mH(v)))
    elif m > n:
        g_a = g_a + mm(eye_like(a, m) - mm(u, mH(u)), mm(g_u, mH(v / _row(s))))
    return [conj(g_a)]


@svd_p.def_jvp
def _svd_jvp(primals, tangents, *, out, uv, full):
    # jax's rule (lax.linalg._svd_jvp_rule)
    _no_full_derivative(full)
    (a,), (t,) = primals, tangents
    u, s, v = _svd_parts(a, out, uv)
    rotated = mm(mm(mH(u), t), v)                                     # Uᴴ dA V
    ds = fnp().real(diag_part(rotated))
    if not uv:
        return ds
    col, row, f = _col(s), _row(s), _inverse_gaps(s)
    du = mm(u, f * (row * rotated + mH(row * rotated)) + _phase_term(rotated, s))
    dv = mm(v, f * (col * rotated + mH(col * rotated)))
    m, n = a.shape[-2:]
    if m > n:
        dav = mm(t, v)
        du = du + (dav - mm(u, mm(mH(u), dav))) / row
    if n > m:
        dau = mm(mH(t), u)
        dv = dv + (dau - mm(v, mm(mH(v), dau))) / row
    return _concat([du, _row(fnp().astype(ds, u.dtype)), dv], -2)


svd_p.def_batch(with_batch(svd_p))


def svd(a, uv: bool = True, full: bool = False):
    """Singular values (descending) and, with `uv`, the singular vectors of each matrix, packed."""
    return bind(svd_p, a, uv=bool(uv), full=bool(full))


# --- qr --------------------------------------------------------------------------------------------

def _qr_abstract(a, *, complete):
    m, n = matrices("qr", a)
    rows = m if complete else min(m, n)
    return Aval(a.shape[:-2] + (rows, m + n), inexact_dtype("qr", a))


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
    # the transpose of _thin_qr_jvp; for real matrices (ct_Q + Q copyltu(M)) R⁻ᵀ with
    # M = R ct_Rᵀ - ct_Qᵀ Q (Walter and Lehmann 2018)
    d = mm(mT(q), ct_q) - mm(ct_r, mT(r))                              # the cotangent of the skew part
    ct_y = triangle(d - mH(d), True, -1) - d + _phase_term(d, 1.0)
    return mT(triangular_solve(r, mT(ct_q + mm(fnp().conj(q), ct_y)), lower=False))


@qr_p.def_vjp
def _qr_vjp(ct, a, out, *, complete):
    q, r = _qr_parts(a, out, complete)
    m, n = a.shape[-2:]
    ct_q, ct_r = mT(ct[..., :, :m]), ct[..., :, m:]
    if m >= n:
        return [_thin_qr_vjp(q, r, ct_q, ct_r)]
    # wide: A = [A1 A2], R = [R1 R2] with A1 = Q R1 and R2 = Qᴴ A2
    a2, ct_r2 = a[..., :, m:], ct_r[..., :, m:]
    ct_a1 = _thin_qr_vjp(q, r[..., :, :m], ct_q + mH(mm(ct_r2, mT(a2))), ct_r[..., :, :m])
    return [_concat([ct_a1, mm(fnp().conj(q), ct_r2)], -1)]


def _thin_qr_jvp(q, r, t):
    # jax's _thin_qr_jvp (j-towns.github.io/papers/qr-derivative.pdf)
    t_rinv = _right_solve_r(t, r)
    qt_t_rinv = mm(mH(q), t_rinv)
    low = triangle(qt_t_rinv, True, -1)
    skew = low - mH(low) + _phase_term(qt_t_rinv, 1.0)              # skew-Hermitian
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
        dr = _concat([dr1, mm(mH(dq), a[..., :, m:]) + mm(mH(q), t[..., :, m:])], -1)
    return _concat([mT(dq), dr], -1)


qr_p.def_batch(with_batch(qr_p))


def qr(a, complete: bool = False):
    """The QR decomposition of each matrix, packed as [Qᵀ | R]."""
    return bind(qr_p, a, complete=bool(complete))


# --- eig: the eigenvalues and right eigenvectors of general square matrices --------------------------

def _eig_abstract(a, *, vectors):
    n = square_matrices("eig", a)
    return Aval(a.shape[:-2] + ((n + 1, n) if vectors else (n,)), complex_dtype(inexact_dtype("eig", a)))


def _eig_impl(a, vectors):
    # eigenvalues alone come from the full decomposition too, so their order is the one the
    # derivative's eigenvectors have
    w, v = np.linalg.eig(a)
    out = np.concatenate([w[..., None, :], v], axis=-2) if vectors else w
    return out.astype(complex_dtype(a.dtype), copy=False)


_EIG_JAX = ("jnp.concatenate([jnp.linalg.eig({0})[0][..., None, :], jnp.linalg.eig({0})[1]], axis=-2) "
            "if {vectors} else jnp.linalg.eig({0})[0]")

eig_p = Primitive("eig", abstract=_eig_abstract, impl=lambda a, *, vectors: _eig_impl(a, vectors), source=SRC,
                  numpy="_eig({0}, {vectors})", helpers={"_eig": _eig_impl}, jax=_EIG_JAX)


def _eig_parts(a, out, vectors):
    packed = out if vectors else eig(a, True)
    return packed[..., 0, :], packed[..., 1:, :]


def _largest(v):
    """1 where each eigenvector (column) has its largest magnitude: LAPACK scales that entry real."""
    first = fnp().argmax(fnp().stop_gradient(fnp().abs(v)), axis=-2)
    return fnp().astype(np.arange(v.shape[-2])[:, None] == _row(first), v.dtype)


def _eig_scale_parts(v, u):
    """The real and imaginary parts of c in dV = U + V diag(c), fixed by LAPACK's normalisation (unit
    norm, a real largest entry): c = -Re(vᴴ u) - i Im(u_k) / v_k."""
    mask = _largest(v)
    return (-fnp().real(fnp().sum(fnp().conj(v) * u, axis=-2)),
            -fnp().imag(fnp().sum(mask * u, axis=-2)) / fnp().real(fnp().sum(mask * v, axis=-2)))


@eig_p.def_jvp
def _eig_jvp(primals, tangents, *, out, vectors):
    # jax's eig_jvp_rule with enable_eigvec_derivs (Giles 2008, sec. 3.1)
    w, v = _eig_parts(primals[0], out, vectors)
    p = mm(solve(v, fnp().astype(tangents[0], v.dtype)), v)           # V⁻¹ dA V
    if not vectors:
        return diag_part(p)
    u = mm(v, _gaps(w) * p)
    return _concat([_row(diag_part(p)), u + v * _row(cx.make_complex(*_eig_scale_parts(v, u)))], -2)


@eig_p.def_vjp
def _eig_vjp(ct, a, out, *, vectors):
    # the transpose of the jvp: V⁻ᵀ (diag(ct_w) + F ∘ Vᵀ ct_U) Vᵀ, ct_U gathering ct_V and c's share
    w, v = _eig_parts(a, out, vectors)
    if not vectors:
        ct_p = diag_embed(ct)
    else:
        ct_v = ct[..., 1:, :]
        ct_c = fnp().sum(v * ct_v, axis=-2)
        mask = _largest(v)
        ratio = fnp().imag(ct_c) / fnp().real(fnp().sum(mask * v, axis=-2))
        imaginary = cx.make_complex(fnp().zeros_like(ratio), ratio)
        ct_u = ct_v - fnp().conj(v) * _row(fnp().real(ct_c)) - mask * _row(imaginary)
        ct_p = diag_embed(ct[..., 0, :]) + _gaps(w) * mm(mT(v), ct_u)
    ct_a = solve(mT(v), mm(ct_p, mT(v)))
    return [ct_a if a.dtype.kind == "c" else fnp().real(ct_a)]


eig_p.def_batch(with_batch(eig_p))


def eig(a, vectors: bool = True):
    """Eigenvalues and, with `vectors`, right eigenvectors (unit norm, largest entry real, as LAPACK
    returns them) of general square matrices, complex, packed."""
    return bind(eig_p, a, vectors=bool(vectors))
