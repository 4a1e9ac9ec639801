"""fgrad.numpy.linalg: numpy.linalg's functions, differentiable to any order.

Plain arrays go to numpy.linalg itself (same results, same errors); traced arrays bind the matrix
primitives of fgrad/primitives/solve.py, decomp.py and matfun.py, whose rules are written in fgrad
operations. Leading axes are batch axes, as in NumPy. eigh, eigvalsh and cholesky read one triangle
(UPLO), as NumPy does; eigh's derivatives are those of that function, cholesky's are jax's, of the
symmetric part (on symmetric input and along symmetric directions the two agree). Complex matrices
work in inv, solve, cholesky, eigh, eigvalsh, svd, svdvals, qr, eig and eigvals, with jax's rules
and convention; eig and eigvals of traced arrays are always complex, as in jax. Eigenvector and
singular-vector derivatives are not defined where eigenvalues or singular values repeat (as in
jax); eigenvalues and singular values alone are differentiable everywhere.

Example:
    >>> import fgrad, fgrad.numpy as fnp, numpy as np
    >>> float(fnp.linalg.norm(np.array([3., 4.])))
    5.0
    >>> a = np.array([[2., 1.], [1., 3.]])
    >>> bool(np.allclose(fgrad.grad(lambda a: fnp.linalg.slogdet(a)[1])(a), np.linalg.inv(a).T))
    True
"""

from __future__ import annotations

import operator
from typing import NamedTuple

import numpy as np

from ..core import Tracer
from ..errors import ShapeError, user_location
from ..primitives import decomp
from ..primitives import solve as _solve
from . import (  # noqa: A004
    _as_operand,
    astype,
    broadcast_to,
    expand_dims,
    matmul,
    reshape,
    result_type,
    stop_gradient,
    sum,
    swapaxes,
    transpose,
    where,
)
from ._complex import conj, real
from ._linalg_norm import LinAlgError, as_matrix, cond, matrix_norm, norm, svdvals, vector_norm

__all__ = ["LinAlgError", "EigResult", "EighResult", "QRResult", "SlogdetResult", "SVDResult", "cholesky",
           "cond", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "lstsq", "matrix_norm", "matrix_power",
           "matrix_rank", "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensorinv",
           "tensorsolve", "vector_norm"]


class EigResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _traced(*args) -> bool:
    return any(isinstance(a, Tracer) for a in args)


def from_triangle(a, lower: bool):
    """The symmetric (complex: Hermitian) matrix whose lower (or upper) triangle is that of `a`: what
    NumPy reads (LAPACK ignores the imaginary part of a complex diagonal)."""
    n = a.shape[-1]
    mask = np.tri(n, dtype=bool) if lower else ~np.tri(n, k=-1, dtype=bool)
    if a.dtype.kind != "c":
        return where(mask, a, swapaxes(a, -1, -2))
    diagonal = astype(real(a), a.dtype)
    return where(np.eye(n, dtype=bool), diagonal, where(mask, a, conj(swapaxes(a, -1, -2))))


def _triangle_value_symmetric_derivative(a, lower: bool):
    """from_triangle(a) in value, with the derivative of (a + aᴴ) / 2: jax's symmetrized input, so a
    gradient is symmetric (Hermitian) rather than folded onto the triangle read."""
    half = (a + conj(swapaxes(a, -1, -2))) * 0.5
    return from_triangle(stop_gradient(a), lower) + (half - stop_gradient(half))


def _uplo(UPLO) -> bool:  # noqa: N803 - numpy's name
    if UPLO not in ("L", "U", "l", "u"):
        raise ValueError(f"UPLO argument must be 'L' or 'U', got {UPLO!r} (at {user_location()})")
    return UPLO in ("L", "l")


def _identities(a):
    return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)


# --- solves and inverses ---------------------------------------------------------------------------

def inv(a):
    """The inverse of each square matrix (numpy.linalg.LinAlgError when one is singular, in NumPy).

    Example: ``inv(np.array([[2., 0.], [0., 4.]]))`` is ``[[0.5, 0], [0, 0.25]]``.
    """
    if not _traced(a):
        return np.linalg.inv(a)
    a = as_matrix(a, "inv", square=True, complex_ok=True)
    return _solve.solve(a, _identities(a))


def _batch_of(name, *xs) -> tuple:
    try:
        return np.broadcast_shapes(*[np.shape(x)[:-2] for x in xs])
    except ValueError:
        raise ShapeError(f"{name}: the batch axes of shapes {[np.shape(x) for x in xs]} (all but the last two) "
                         "cannot be broadcast together; make them equal or 1") from None


def _system(name, a, b, vectors_batched: bool = False):
    """a and b as (..., n, n) and (..., n, k) with one batch shape and dtype; whether b was a vector (1-d
    as NumPy 2 reads it, or with one axis fewer than a when `vectors_batched`, as jax.scipy does)."""
    b = _as_operand(b)
    dtype = np.result_type(a.dtype, result_type(b), np.float16)
    a, b = astype(a, dtype), astype(b, dtype)
    vector = np.ndim(b) == 1 or (vectors_batched and np.ndim(b) == a.ndim - 1)
    b = expand_dims(b, -1) if vector else b
    n = a.shape[-1]
    if np.ndim(b) < 2 or np.shape(b)[-2] != n:
        shown = np.shape(b)[:-1] if vector else np.shape(b)
        raise ShapeError(f"{name}: a of shape {tuple(a.shape)} and b of shape {shown} do not match; b must be "
                         f"({n},) or (..., {n}, k)")
    batch = _batch_of(name, a, b)
    return (broadcast_to(a, batch + tuple(a.shape[-2:])), broadcast_to(b, batch + tuple(np.shape(b)[-2:])),
            vector)


def solve(a, b):
    """x with a @ x = b, for a (..., n, n) and b (n,) or (..., n, k) (NumPy 2's rule).

    Example: ``solve(np.array([[2., 0.], [0., 4.]]), np.array([2., 4.]))`` is ``[1., 1.]``.
    """
    if not _traced(a, b):
        return np.linalg.solve(a, b)
    a, b, vector = _system("solve", as_matrix(a, "solve", square=True, complex_ok=True), b)
    x = _solve.solve(a, b)
    return x[..., 0] if vector else x


def tensorinv(a, ind: int = 2):
    """The inverse of a tensor seen as a matrix over its first `ind` axes (numpy.linalg.tensorinv).

    Example: ``tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape`` is ``(2, 2, 4)``.
    """
    if not _traced(a):
        return np.linalg.tensorinv(a, ind)
    shape = tuple(a.shape)
    rows = int(np.prod(shape[:ind]))
    if ind <= 0 or rows != int(np.prod(shape[ind:])):
        raise ShapeError(f"tensorinv: the first {ind} axes of shape {shape} and the others must hold as many "
                         "elements; choose ind so that they do")
    return reshape(inv(reshape(a, (rows, -1))), shape[ind:] + shape[:ind])


def tensorsolve(a, b, axes=None):
    """x with tensordot(a, x, x.ndim) = b (numpy.linalg.tensorsolve).

    Example: ``tensorsolve(np.eye(4).reshape(2, 2, 4), np.ones((2, 2))).shape`` is ``(4,)``.
    """
    if not _traced(a, b):
        return np.linalg.tensorsolve(a, b, axes)
    if axes is not None:
        moved = [ax % np.ndim(a) for ax in axes]
        a = transpose(a, [i for i in range(np.ndim(a)) if i not in moved] + moved)
    unknown = tuple(np.shape(a)[np.ndim(b):])
    return reshape(solve(reshape(a, (-1, int(np.prod(unknown)))), reshape(b, (-1,))), unknown)


def det(a):
    """The determinant of each square matrix.

    Example: ``det(np.array([[2., 1.], [1., 3.]]))`` is ``5.0``.
    """
    if not _traced(a):
        return np.linalg.det(a)
    return _solve.det(as_matrix(a, "det", square=True))


def slogdet(a) -> SlogdetResult:
    """Sign and natural log of |det| of each square matrix (the log has the derivatives).

    Example: ``slogdet(np.array([[2., 1.], [1., 3.]])).logabsdet`` is ``log(5)``.
    """
    if not _traced(a):
        return SlogdetResult(*np.linalg.slogdet(a))
    packed = _solve.slogdet(as_matrix(a, "slogdet", square=True))
    return SlogdetResult(packed[..., 0], packed[..., 1])


def pinv(a, rcond=None, hermitian: bool = False, *, rtol=None):
    """The Moore-Penrose pseudo-inverse; singular values below rtol (or rcond) times the largest count as
    zero, by default max(m, n) times the dtype's epsilon (jax.numpy.linalg.pinv's default).

    Its derivative holds the rank fixed (Golub and Pereyra), as jax's does.
    Example: ``pinv(np.array([[2., 0.], [0., 0.]]))`` is ``[[0.5, 0], [0, 0]]``.
    """
    cutoff = rtol if rtol is not None else rcond
    if not _traced(a):
        a = np.asarray(a)
        default = max(a.shape[-2:]) * np.finfo(np.result_type(a, np.float64)).eps if a.ndim >= 2 else None
        return np.linalg.pinv(a, rtol=default if cutoff is None else cutoff, hermitian=hermitian)
    return _solve.pinv(as_matrix(a, "pinv"), cutoff)


def lstsq(a, b, rcond=None):
    """Least-squares solution of a @ x = b: (x, residuals, rank, singular values), as numpy.linalg.lstsq.

    Traced, the residuals are always the squared residual norms of each column (as jax's default,
    numpy_resid=False); NumPy gives them only for full-rank tall systems.
    Example: ``lstsq(np.array([[1.], [1.]]), np.array([1., 3.]))[0]`` is ``[2.]``.
    """
    if not _traced(a, b):
        return np.linalg.lstsq(a, b, rcond=rcond)
    a = as_matrix(a, "lstsq")
    b = astype(_as_operand(b), np.result_type(a.dtype, result_type(b)))
    if a.ndim != 2 or np.ndim(b) not in (1, 2) or np.shape(b)[0] != a.shape[0]:
        raise LinAlgError(f"lstsq: a of shape {tuple(a.shape)} and b of shape {np.shape(b)} are incompatible "
                          f"dimensions; a must be (m, n) and b ({a.shape[0]},) or ({a.shape[0]}, k)")
    x = matmul(pinv(a, rtol=rcond), b)
    residual = b - matmul(a, x)
    return x, sum(residual * residual, axis=0), matrix_rank(a, rtol=rcond), svdvals(a)


# --- decompositions --------------------------------------------------------------------------------

def cholesky(a, *, upper: bool = False):
    """The Cholesky factor of each symmetric positive definite matrix, read from its lower (or, with
    `upper`, upper) triangle as NumPy does; lower triangular unless `upper`. Its derivative is jax's,
    that of the symmetric part (a + aᴴ) / 2, so gradients are symmetric (Hermitian) matrices.

    Example: ``cholesky(np.array([[4., 2.], [2., 2.]]))`` is ``[[2., 0.], [1., 1.]]``.
    """
    if not _traced(a):
        return np.linalg.cholesky(a, upper=upper)
    a = as_matrix(a, "cholesky", square=True, complex_ok=True)
    low = decomp.cholesky(_triangle_value_symmetric_derivative(a, not upper))
    return swapaxes(low, -1, -2) if upper else low


def eigh(a, UPLO: str = "L") -> EighResult:  # noqa: N803 - numpy's name
    """Eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix, read from the triangle
    UPLO names. Eigenvector derivatives are undefined where eigenvalues repeat (as in jax).

    Example: ``eigh(np.diag([2., 1.])).eigenvalues`` is ``[1., 2.]``.
    """
    if not _traced(a):
        return EighResult(*np.linalg.eigh(a, UPLO))
    lower = _uplo(UPLO)
    a = as_matrix(a, "eigh", square=True, complex_ok=True)
    packed = decomp.eigh(from_triangle(a, lower), vectors=True, lower=lower)
    return EighResult(real(packed[..., 0, :]), packed[..., 1:, :])


def eigvalsh(a, UPLO: str = "L"):  # noqa: N803 - numpy's name
    """Eigenvalues (ascending) of each symmetric matrix; differentiable at repeated eigenvalues too.

    Example: ``eigvalsh(np.diag([2., 1.]))`` is ``[1., 2.]``.
    """
    if not _traced(a):
        return np.linalg.eigvalsh(a, UPLO)
    lower = _uplo(UPLO)
    a = as_matrix(a, "eigvalsh", square=True, complex_ok=True)
    return decomp.eigh(from_triangle(a, lower), vectors=False, lower=lower)


def eig(a) -> EigResult:
    """Eigenvalues and right eigenvectors (columns, unit norm, largest entry real) of each square matrix.

    Traced, both are always complex, as in jax (NumPy returns real arrays when every eigenvalue is
    real). The eigenvector derivative is jax's with enable_eigvec_derivs: it differentiates LAPACK's
    normalisation and, like the eigenvalues', is undefined where eigenvalues repeat.
    Example: ``eig(np.diag([2., 1.])).eigenvalues`` is ``[2., 1.]``.
    """
    if not _traced(a):
        return EigResult(*np.linalg.eig(a))
    packed = decomp.eig(as_matrix(a, "eig", square=True, complex_ok=True), vectors=True)
    return EigResult(packed[..., 0, :], packed[..., 1:, :])


def eigvals(a):
    """Eigenvalues of each square matrix, complex when traced (as in jax).

    Example: ``eigvals(np.array([[0., -1.], [1., 0.]]))`` is ``[1j, -1j]``.
    """
    if not _traced(a):
        return np.linalg.eigvals(a)
    return decomp.eig(as_matrix(a, "eigvals", square=True, complex_ok=True), vectors=False)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False):
    """Singular value decomposition a = U @ diag(S) @ Vh of each matrix, as numpy.linalg.svd.

    With compute_uv=False only the singular values, differentiable everywhere; the singular vectors'
    derivatives are undefined where singular values repeat, and with full_matrices=True on a
    non-square matrix they are not defined at all (as in jax).
    Example: ``svd(np.diag([1., 3.]), compute_uv=False)`` is ``[3., 1.]``.
    """
    if not _traced(a):
        return np.linalg.svd(a, full_matrices, compute_uv, hermitian)
    a = as_matrix(a, "svd", complex_ok=True)
    if not compute_uv:
        return decomp.svd(a, uv=False)
    m, n = a.shape[-2:]
    full = bool(full_matrices) and m != n
    packed = decomp.svd(a, uv=True, full=full)
    k = min(m, n)
    u, v = packed[..., :m, :m if full else k], packed[..., m + 1:, :n if full else k]
    return SVDResult(u, real(packed[..., m, :k]), conj(swapaxes(v, -1, -2)))


def qr(a, mode: str = "reduced"):
    """QR decomposition of each matrix, as numpy.linalg.qr with mode 'reduced', 'complete' or 'r'.

    Example: ``qr(np.eye(2), mode='r')`` is the identity.
    """
    if not _traced(a):
        return np.linalg.qr(a, mode)
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"Unrecognized mode {mode!r} for a traced array (at {user_location()}); use 'reduced', "
                         "'complete' or 'r'")
    a = as_matrix(a, "qr", complex_ok=True)
    m, n = a.shape[-2:]
    packed = decomp.qr(a, complete=mode == "complete" and m > n)
    r = packed[..., :, m:]
    return r if mode == "r" else QRResult(swapaxes(packed[..., :, :m], -1, -2), r)


# --- products, powers, rank ------------------------------------------------------------------------

def matrix_power(a, n: int):
    """a multiplied by itself n times (n < 0: the inverse's power; n = 0: the identity).

    Example: ``matrix_power(np.array([[1., 1.], [0., 1.]]), 3)`` is ``[[1., 3.], [0., 1.]]``.
    """
    if not _traced(a):
        return np.linalg.matrix_power(a, n)
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"exponent must be an integer, got {type(n).__name__} at {user_location()}") from None
    a = as_matrix(a, "matrix_power", square=True)
    if n == 0:
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
    base, result = inv(a) if n < 0 else a, None
    for bit in bin(abs(n))[2:]:                     # square and multiply, most significant bit first
        result = result if result is None else matmul(result, result)
        if bit == "1":
            result = base if result is None else matmul(result, base)
    return result


def matrix_rank(A, tol=None, hermitian: bool = False, *, rtol=None):  # noqa: N803 - numpy's name
    """The number of singular values above tol (default: max(m, n) * eps * the largest); no derivative.

    Example: ``matrix_rank(np.diag([1., 0.]))`` is ``1``.
    """
    if not _traced(A):
        return np.linalg.matrix_rank(A, tol, hermitian, rtol=rtol)
    A = stop_gradient(astype(A, np.result_type(result_type(A), np.float16)))  # noqa: N806
    if A.ndim < 2:
        return astype(sum(A != 0) > 0, np.int64)
    s = svdvals(A)
    if tol is None:
        scale = max(A.shape[-2:]) * np.finfo(A.dtype).eps if rtol is None else rtol
        tol = expand_dims(s[..., 0], -1) * scale
    return sum(s > tol, axis=-1)


def multi_dot(arrays, *, out=None):
    """The product of a sequence of matrices (the first may be a row vector, the last a column one).

    Example: ``multi_dot([np.ones(2), np.eye(2), np.ones(2)])`` is ``2.0``.
    """
    arrays = list(arrays)
    if not _traced(*arrays):
        return np.linalg.multi_dot(arrays, out=out)
    if out is not None:
        raise TypeError(f"multi_dot: out= cannot hold a traced result (at {user_location()}); drop it")
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    result = arrays[0]
    for x in arrays[1:]:
        result = matmul(result, x)
    return result
