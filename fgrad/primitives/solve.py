"""Linear solves and determinants on stacks of matrices: triangular_solve, solve, det, slogdet, pinv.

Every operand is a stack of matrices (..., m, n) with the same leading (batch) axes, so batching
adds one more leading axis and runs the same primitive. fgrad.numpy.linalg and fgrad.scipy.linalg
broadcast the batch axes and turn vectors into one-column matrices before binding.

slogdet has two results; it returns them packed in one array (..., 2) holding sign and log|det|,
which fgrad.numpy.linalg.slogdet unpacks (an equation has one output).

triangular_solve and solve take complex systems too; their rules conjugate nothing, as a vjp in
jax's convention is the plain transpose of the (complex-linear) jvp.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ..errors import ShapeError
from ._matrix import (
    diag_part,
    eye_like,
    float_dtype,
    fnp,
    inexact_dtype,
    inverse_transpose,
    matrices,
    mm,
    mT,
    square_matrices,
    triangle,
    with_batch,
)
from ._tangents import add_tangents, map_tangent

SRC = "fgrad/primitives/solve.py"


def _system(name: str, a: Aval, b: Aval) -> Aval:
    """The aval of x in a x = b for a (..., n, n) and b (..., n, k) with the same batch axes."""
    n = square_matrices(name, a)
    if b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2] or b.shape[-2] != n:
        raise ShapeError(f"{name}: a of shape {a.shape} and b of shape {b.shape} do not form a system "
                         f"a x = b (b must be (..., {n}, k) with a's leading axes)")
    return Aval(b.shape, inexact_dtype(name, a, b))


# --- triangular_solve: op(T) x = b, T the lower or upper triangle of a ---------------------------

def _triangular_solve_impl(a, b, lower, transpose_a, unit_diagonal):
    t = np.tril(a) if lower else np.triu(a)
    if unit_diagonal:
        t = np.where(np.eye(a.shape[-1], dtype=bool), np.ones((), a.dtype), t)
    return np.linalg.solve(np.swapaxes(t, -1, -2) if transpose_a else t, b)


triangular_solve_p = Primitive(
    "triangular_solve", source=SRC,
    abstract=lambda a, b, *, lower, transpose_a, unit_diagonal: _system("triangular_solve", a, b),
    impl=lambda a, b, *, lower, transpose_a, unit_diagonal: _triangular_solve_impl(
        a, b, lower, transpose_a, unit_diagonal),
    numpy="_triangular_solve({0}, {1}, {lower}, {transpose_a}, {unit_diagonal})",
    helpers={"_triangular_solve": _triangular_solve_impl},
    jax="lax.linalg.triangular_solve({0}, {1}, left_side=True, lower={lower}, transpose_a={transpose_a}, "
        "unit_diagonal={unit_diagonal})")


def _triangle_of(x, lower, unit_diagonal):
    """The part of a matrix that triangular_solve reads (the strict triangle with a unit diagonal)."""
    return triangle(x, lower, (-1 if lower else 1) if unit_diagonal else 0)


@triangular_solve_p.def_vjp
def _triangular_solve_vjp(ct, a, b, out, *, lower, transpose_a, unit_diagonal):
    ct_b = triangular_solve(a, ct, lower, not transpose_a, unit_diagonal)
    ct_op = -mm(ct_b, mT(out))                         # the cotangent of op(T)
    return [_triangle_of(mT(ct_op) if transpose_a else ct_op, lower, unit_diagonal), ct_b]


@triangular_solve_p.def_jvp
def _triangular_solve_jvp(primals, tangents, *, out, lower, transpose_a, unit_diagonal):
    a, _ = primals
    t_a, t_b = tangents
    t_op = map_tangent(lambda t: _triangle_of(t, lower, unit_diagonal), t_a)
    rhs = add_tangents(t_b, map_tangent(lambda t: -mm(mT(t) if transpose_a else t, out), t_op))
    return triangular_solve(a, rhs, lower, transpose_a, unit_diagonal)


triangular_solve_p.def_batch(with_batch(triangular_solve_p))


def triangular_solve(a, b, lower: bool, transpose_a: bool = False, unit_diagonal: bool = False):
    """x with op(T) x = b, T the lower or upper triangle of `a` and op(T) = Tᵀ when `transpose_a`."""
    return bind(triangular_solve_p, a, b, lower=bool(lower), transpose_a=bool(transpose_a),
                unit_diagonal=bool(unit_diagonal))


# --- solve: a x = b -------------------------------------------------------------------------------

solve_p = Primitive("solve", abstract=lambda a, b: _system("solve", a, b), impl=np.linalg.solve, source=SRC,
                    numpy="np.linalg.solve({0}, {1})", jax="jnp.linalg.solve({0}, {1})")


@solve_p.def_vjp
def _solve_vjp(ct, a, b, out):
    ct_b = solve(mT(a), ct)
    return [-mm(ct_b, mT(out)), ct_b]


solve_p.def_jvp(lambda p, t, *, out: solve(p[0], add_tangents(t[1], map_tangent(lambda u: -mm(u, out), t[0]))))
solve_p.def_batch(with_batch(solve_p))


def solve(a, b):
    """x with a x = b, for a (..., n, n) and b (..., n, k) with the same leading axes."""
    return bind(solve_p, a, b)


# --- det and slogdet -----------------------------------------------------------------------------

def _det_abstract(a):
    square_matrices("det", a)
    return Aval(a.shape[:-2], float_dtype("det", a))


det_p = Primitive("det", abstract=_det_abstract, impl=np.linalg.det, source=SRC, numpy="np.linalg.det({0})",
                  jax="jnp.linalg.det({0})")
# d det = det tr(a⁻¹ da): the cotangent is ct det a⁻ᵀ (not finite where a is singular)
det_p.def_vjp(lambda ct, a, out: [fnp().expand_dims(ct * out, (-2, -1)) * inverse_transpose(a)])
det_p.def_jvp(lambda p, t, *, out: out * _trace(solve(p[0], t[0])))
det_p.def_batch(with_batch(det_p))


def _trace(x):
    return fnp().sum(diag_part(x), axis=-1)


def _slogdet_abstract(a):
    square_matrices("slogdet", a)
    return Aval(a.shape[:-2] + (2,), float_dtype("slogdet", a))


def _slogdet_packed(a):
    sign, logdet = np.linalg.slogdet(a)
    return np.stack([sign, logdet], axis=-1)


_LOG_PART = np.array([0.0, 1.0])        # where log|det| sits in slogdet's packed result

slogdet_p = Primitive("slogdet", abstract=_slogdet_abstract, impl=_slogdet_packed, source=SRC,
                      numpy="_slogdet({0})", helpers={"_slogdet": _slogdet_packed},
                      jax="jnp.stack(jnp.linalg.slogdet({0}), axis=-1)")
# the sign is piecewise constant: only log|det| has a derivative, tr(a⁻¹ da)
slogdet_p.def_vjp(lambda ct, a, out: [fnp().expand_dims(ct[..., 1], (-2, -1)) * inverse_transpose(a)])
slogdet_p.def_jvp(lambda p, t, *, out: fnp().expand_dims(_trace(solve(p[0], t[0])), -1)
                  * _LOG_PART.astype(out.dtype))
slogdet_p.def_batch(with_batch(slogdet_p))


# --- pinv -----------------------------------------------------------------------------------------

def _pinv_abstract(a, *, rtol):
    m, n = matrices("pinv", a)
    return Aval(a.shape[:-2] + (n, m), float_dtype("pinv", a))


def _pinv_impl(a, rtol):
    return np.linalg.pinv(a, rtol=max(a.shape[-2:]) * np.finfo(a.dtype).eps if rtol is None else rtol)


pinv_p = Primitive("pinv", abstract=_pinv_abstract, impl=lambda a, *, rtol: _pinv_impl(a, rtol), source=SRC,
                   numpy="_pinv({0}, {rtol})", helpers={"_pinv": _pinv_impl}, jax="jnp.linalg.pinv({0}, rtol={rtol})")


@pinv_p.def_vjp
def _pinv_vjp(ct, a, out, *, rtol):
    # the transpose of the jvp below (Golub and Pereyra's derivative at constant rank)
    p, pt = out, mT(out)
    away_a = eye_like(a, a.shape[-2]) - mm(a, p)      # I - a p: onto the complement of a's range
    away_p = eye_like(a) - mm(p, a)                   # I - p a
    return [-mm(mm(pt, ct), pt) + mm(mm(mm(pt, p), mT(ct)), away_p) + mm(mm(away_a, mT(ct)), mm(p, pt))]


@pinv_p.def_jvp
def _pinv_jvp(primals, tangents, *, out, rtol):
    (a,), (t,) = primals, tangents
    p, pt, tt = out, mT(out), mT(t)
    away_a = eye_like(a, a.shape[-2]) - mm(a, p)
    away_p = eye_like(a) - mm(p, a)
    return -mm(mm(p, t), p) + mm(mm(away_p, tt), mm(pt, p)) + mm(mm(mm(p, pt), tt), away_a)


pinv_p.def_batch(with_batch(pinv_p))


def pinv(a, rtol: float | None = None):
    """The Moore-Penrose pseudo-inverse of each matrix; singular values below rtol times the largest
    count as zero (default: max(m, n) times the dtype's epsilon, as jax.numpy.linalg.pinv)."""
    return bind(pinv_p, a, rtol=None if rtol is None else float(rtol))


def det(a):
    """The determinant of each square matrix."""
    return bind(det_p, a)


def slogdet(a):
    """Sign and log|det| of each square matrix, packed (..., 2)."""
    return bind(slogdet_p, a)
