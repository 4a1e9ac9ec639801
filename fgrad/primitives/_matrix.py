"""Helpers shared by the matrix primitives (solve.py, decomp.py, matfun.py): shape checks, the batching
rule of primitives on stacked matrices, and the small matrix operations their rules are written in.

The rules are written in fgrad operations (fgrad.numpy), so a rule traced under a transform is IR
and its own derivative comes from differentiating it again. fgrad.numpy imports this package, so
it is imported when a rule first runs rather than at import time.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, bind, shape_of
from ..errors import ShapeError


def fnp():
    """fgrad.numpy, imported on first use (it imports the primitives)."""
    from .. import numpy as module
    return module


def square_matrices(name: str, a: Aval) -> int:
    """The order n of a stack of square matrices (..., n, n); a ShapeError otherwise."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ShapeError(f"{name}: expected a (stack of) square matrices (..., n, n), got shape {a.shape}; "
                         "pass an array whose last two axes are equal")
    return a.shape[-1]


def matrices(name: str, a: Aval) -> tuple:
    """The (m, n) of a stack of matrices (..., m, n); a ShapeError when `a` has fewer than two axes."""
    if a.ndim < 2:
        raise ShapeError(f"{name}: expected a (stack of) matrices (..., m, n), got shape {a.shape}; "
                         "pass an array with at least two axes")
    return a.shape[-2:]


def float_dtype(name: str, *avals: Aval, kinds: str = "f") -> np.dtype:
    """The one floating dtype of the operands (fgrad.numpy.linalg promotes integers before binding);
    `kinds="fc"` admits complex dtypes too."""
    dtypes = {a.dtype for a in avals}
    if len(dtypes) != 1 or next(iter(dtypes)).kind not in kinds:
        kind = "floating or complex" if "c" in kinds else "floating"
        raise TypeError(f"{name}: operands must share one {kind} dtype, got {sorted(d.name for d in dtypes)}")
    return dtypes.pop()


def inexact_dtype(name: str, *avals: Aval) -> np.dtype:
    """The one floating or complex dtype of the operands."""
    return float_dtype(name, *avals, kinds="fc")


def with_batch(prim):
    """The batching rule of a primitive on stacked matrices: the batch is one more leading axis, so the
    same primitive runs on it (operands without the batch are broadcast to it first)."""
    from .shape import broadcast_in_dim

    def rule(args, batched, *, size, **params):
        full = [a if b else broadcast_in_dim(a, (size,) + tuple(shape_of(a)), tuple(range(1, len(shape_of(a)) + 1)))
                for a, b in zip(args, batched)]
        return bind(prim, *full, **params)
    return rule


def mT(x):
    """The matrix transpose of each matrix in a stack."""
    return fnp().swapaxes(x, -1, -2)


def mm(a, b):
    """The matrix product of stacks of matrices."""
    return fnp().matmul(a, b)


def mH(x):
    """The conjugate transpose of each matrix in a stack (the transpose, for a real stack)."""
    return fnp().conj(mT(x))


def sym(x):
    """The symmetric (for a complex stack, Hermitian) part (x + xᴴ) / 2: in jax's convention the
    transpose of the projection onto Hermitian matrices is that projection again."""
    return (x + mH(x)) * 0.5


def eye_like(x, n: int | None = None) -> np.ndarray:
    """The identity matrix of the order of `x`'s last axis (or `n`), in `x`'s dtype."""
    return np.eye(shape_of(x)[-1] if n is None else n, dtype=x.dtype)


def triangle(x, lower: bool, k: int = 0):
    """The lower (or upper) triangle of each matrix, from diagonal `k` on (as np.tril/np.triu)."""
    m, n = shape_of(x)[-2:]
    mask = np.tri(m, n, k, dtype=bool) if lower else ~np.tri(m, n, k - 1, dtype=bool)
    return fnp().where(mask, x, 0.0)


def diag_part(x):
    """The diagonal of each square matrix."""
    return fnp().sum(x * eye_like(x), axis=-1)


def diag_embed(v):
    """Square matrices with `v` on the diagonal."""
    return fnp().expand_dims(v, -2) * eye_like(v)


def inverse_transpose(a):
    """inv(a)ᵀ of each square matrix, as a solve (never an explicit inverse of aᵀ)."""
    from .solve import solve
    return solve(mT(a), np.broadcast_to(eye_like(a), shape_of(a)))
