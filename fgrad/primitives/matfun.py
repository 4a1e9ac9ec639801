"""Matrix functions on stacks of square matrices: expm, sqrtm and solve_sylvester.

expm's derivatives come from the exponential itself (Mathias 1996): the Fréchet derivative of expm
at A in direction E is the upper right block of expm([[A, E], [0, A]]), and the vjp is the same
with Aᵀ, so the derivative of every order is again an expm. sqrtm's derivative solves a Sylvester
equation (S dS + dS S = dA), and solve_sylvester's derivatives are Sylvester solves again.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ..errors import ShapeError
from ._matrix import float_dtype, fnp, mm, mT, square_matrices, with_batch
from ._tangents import add_tangents, map_tangent

SRC = "fgrad/primitives/matfun.py"

# Higham (2005): Padé degree 13 with scaling and squaring
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_one(a):
    norm = np.linalg.norm(a, 1)
    squarings = max(0, int(np.ceil(np.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    a = a / 2.0 ** squarings
    b, eye = _PADE13, np.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        r = r @ r
    return r.astype(a.dtype)


def _expm_impl(a):
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.stack([_expm_one(m) for m in flat]).reshape(a.shape) if flat.shape[0] else a.copy()


def _expm_abstract(a):
    square_matrices("expm", a)
    return Aval(a.shape, float_dtype("expm", a))


expm_p = Primitive("expm", abstract=_expm_abstract, impl=_expm_impl, source=SRC, numpy="_expm({0})",
                   helpers={"_expm": _expm_impl},
                   jax="jax.scipy.linalg.expm({0})")


def _frechet(a, e):
    """The derivative of expm at `a` in direction `e`: a block of the exponential of a block matrix."""
    n = a.shape[-1]
    top = fnp().concatenate([a, e], axis=-1)
    bottom = fnp().concatenate([fnp().zeros_like(a), a], axis=-1)
    return expm(fnp().concatenate([top, bottom], axis=-2))[..., :n, n:]


expm_p.def_vjp(lambda ct, a, out: [_frechet(mT(a), ct)])
expm_p.def_jvp(lambda p, t, *, out: _frechet(p[0], t[0]))
expm_p.def_batch(with_batch(expm_p))


def expm(a):
    """The matrix exponential of each square matrix."""
    return bind(expm_p, a)


# --- solve_sylvester: A X + X B = C (jax's takes one matrix each, hence jnp.vectorize) -----------------

def _sylvester_impl(a, b, c):
    # diagonalize A and B (NumPy has no Schur form): X = P [(P⁻¹ C Q) / (λ_i + μ_j)] Q⁻¹
    la, p = np.linalg.eig(a)
    lb, q = np.linalg.eig(b)
    inner = np.linalg.solve(p, c @ q) / (la[..., :, None] + lb[..., None, :])
    x = p @ np.swapaxes(np.linalg.solve(np.swapaxes(q, -1, -2), np.swapaxes(inner, -1, -2)), -1, -2)
    return x.real.astype(c.dtype)


def _sylvester_abstract(a, b, c):
    m, n = square_matrices("solve_sylvester", a), square_matrices("solve_sylvester", b)
    if c.shape[-2:] != (m, n) or not a.shape[:-2] == b.shape[:-2] == c.shape[:-2]:
        raise ShapeError(f"solve_sylvester: A {a.shape}, B {b.shape} and C {c.shape} do not form A X + X B = C "
                         f"(C must be (..., {m}, {n}) with the same leading axes)")
    return Aval(c.shape, float_dtype("solve_sylvester", a, b, c))


sylvester_p = Primitive("solve_sylvester", abstract=_sylvester_abstract, impl=_sylvester_impl, source=SRC,
                        numpy="_solve_sylvester({0}, {1}, {2})", helpers={"_solve_sylvester": _sylvester_impl},
                        jax="jnp.vectorize(jax.scipy.linalg.solve_sylvester, signature='(m,m),(n,n),(m,n)->(m,n)')"
                            "({0}, {1}, {2})")


@sylvester_p.def_vjp
def _sylvester_vjp(ct, a, b, c, out):
    ct_c = solve_sylvester(mT(a), mT(b), ct)          # the adjoint of X -> A X + X B is Y -> Aᵀ Y + Y Bᵀ
    return [-mm(ct_c, mT(out)), -mm(mT(out), ct_c), ct_c]


@sylvester_p.def_jvp
def _sylvester_jvp(primals, tangents, *, out):
    (a, b, _), (t_a, t_b, t_c) = primals, tangents
    rhs = add_tangents(t_c, map_tangent(lambda t: -mm(t, out), t_a), map_tangent(lambda t: -mm(out, t), t_b))
    return solve_sylvester(a, b, rhs)


sylvester_p.def_batch(with_batch(sylvester_p))


def solve_sylvester(a, b, c):
    """X with A X + X B = C for each matrix in the stacks."""
    return bind(sylvester_p, a, b, c)


# --- sqrtm: the principal square root -------------------------------------------------------------

def _sqrtm_impl(a):
    w, v = np.linalg.eig(a)
    root = v @ (np.sqrt(w.astype(complex))[..., None] * np.linalg.inv(v))
    if np.any(np.abs(root.imag) > 1e-8 * np.maximum(1.0, np.abs(root.real).max())):
        raise ValueError("sqrtm: the principal square root of this real matrix is complex (it has negative "
                         "eigenvalues); fgrad.scipy.linalg.sqrtm returns real square roots only")
    return root.real.astype(a.dtype)


sqrtm_p = Primitive("sqrtm", abstract=_expm_abstract, impl=_sqrtm_impl, source=SRC, numpy="_sqrtm({0})",
                    helpers={"_sqrtm": _sqrtm_impl},
                    jax="jnp.vectorize(jax.scipy.linalg.sqrtm, signature='(n,n)->(n,n)')({0}).real")
# S S = A, so S dS + dS S = dA: a Sylvester equation in S
sqrtm_p.def_vjp(lambda ct, a, out: [solve_sylvester(mT(out), mT(out), ct)])
sqrtm_p.def_jvp(lambda p, t, *, out: solve_sylvester(out, out, t[0]))
sqrtm_p.def_batch(with_batch(sqrtm_p))


def sqrtm(a):
    """The principal square root of each square matrix (real results only)."""
    return bind(sqrtm_p, a)
