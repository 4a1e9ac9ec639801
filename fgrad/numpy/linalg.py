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

    Traced, it is a solve against the identity, so its derivative is `-inv(a) @ da @ inv(a)`.

    Args:
        a: an array of shape (..., n, n), real or complex; leading axes are batch axes.

    Returns:
        The inverses, shaped and typed like `a`.

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> inv(np.array([[2., 0.], [0., 4.]]))
        array([[0.5 , 0.  ],
               [0.  , 0.25]])
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

    Args:
        a: the square matrices, (..., n, n), real or complex.
        b: the right-hand sides: a vector (n,) or matrices (..., n, k); batch axes broadcast.

    Returns:
        x, shaped like `b` (with the broadcast batch axes), in the common dtype of `a` and `b`.

    Raises:
        ShapeError: traced `a` and `b` do not fit (b's length is not n, or batch axes do not broadcast).
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> solve(np.array([[2., 0.], [0., 4.]]), np.array([2., 4.]))
        array([1., 1.])
    """
    if not _traced(a, b):
        return np.linalg.solve(a, b)
    a, b, vector = _system("solve", as_matrix(a, "solve", square=True, complex_ok=True), b)
    x = _solve.solve(a, b)
    return x[..., 0] if vector else x


def tensorinv(a, ind: int = 2):
    """The inverse of a tensor seen as a matrix over its first `ind` axes (numpy.linalg.tensorinv).

    Args:
        a: the tensor; its first `ind` axes and the others must hold as many elements.
        ind: how many leading axes form the rows.

    Returns:
        The inverse, of shape `a.shape[ind:] + a.shape[:ind]`.

    Raises:
        ShapeError: traced `a`'s first `ind` axes and the rest differ in size.

    Example:
        >>> tensorinv(np.eye(4).reshape(4, 2, 2), ind=1).shape
        (2, 2, 4)
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

    Args:
        a: the coefficient tensor; its leading axes match `b`, the rest are x's shape.
        b: the right-hand side.
        axes: axes of `a` to move to the end first (None: none).

    Returns:
        x, of shape `a.shape[b.ndim:]` (after moving `axes`).

    Example:
        >>> tensorsolve(np.eye(4).reshape(2, 2, 4), np.ones((2, 2))).shape
        (4,)
    """
    if not _traced(a, b):
        return np.linalg.tensorsolve(a, b, axes)
    if axes is not None:
        moved = [ax % np.ndim(a) for ax in axes]
        a = transpose(a, [i for i in range(np.ndim(a)) if i not in moved] + moved)
    unknown = tuple(np.shape(a)[np.ndim(b):])
    return reshape(solve(reshape(a, (-1, int(np.prod(unknown)))), reshape(b, (-1,))), unknown)


def det(a):
    """The determinant of each square matrix; its gradient is `det(a) * inv(a).T`.

    Args:
        a: a real array of shape (..., n, n).

    Returns:
        The determinants, of shape `a.shape[:-2]`.

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> round(float(det(np.array([[2., 1.], [1., 3.]]))), 12)
        5.0
    """
    if not _traced(a):
        return np.linalg.det(a)
    return _solve.det(as_matrix(a, "det", square=True))


def slogdet(a) -> SlogdetResult:
    """Sign and natural log of |det| of each square matrix (the log has the derivatives).

    Args:
        a: a real array of shape (..., n, n).

    Returns:
        `SlogdetResult(sign, logabsdet)`, each of shape `a.shape[:-2]`; the sign has no derivative.

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> sign, logabsdet = slogdet(np.array([[2., 1.], [1., 3.]]))
        >>> float(sign), bool(np.isclose(logabsdet, np.log(5.0)))
        (1.0, True)
    """
    if not _traced(a):
        return SlogdetResult(*np.linalg.slogdet(a))
    packed = _solve.slogdet(as_matrix(a, "slogdet", square=True))
    return SlogdetResult(packed[..., 0], packed[..., 1])


def pinv(a, rcond=None, hermitian: bool = False, *, rtol=None):
    """The Moore-Penrose pseudo-inverse; singular values below rtol (or rcond) times the largest count as
    zero, by default max(m, n) times the dtype's epsilon (jax.numpy.linalg.pinv's default).

    Its derivative holds the rank fixed (Golub and Pereyra), as jax's does.

    Args:
        a: an array of shape (..., m, n).
        rcond: NumPy's older name for `rtol`.
        hermitian: whether `a` is Hermitian (used by NumPy for plain arrays).
        rtol: the relative cutoff for small singular values (None: the default above).

    Returns:
        The pseudo-inverses, of shape (..., n, m).

    Raises:
        LinAlgError: traced `a` has fewer than two axes.

    Example:
        >>> pinv(np.array([[2., 0.], [0., 0.]]))
        array([[0.5, 0. ],
               [0. , 0. ]])
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
    numpy_resid=False); NumPy gives them only for full-rank tall systems. The solution is
    `pinv(a) @ b`, differentiable with the rank held fixed.

    Args:
        a: the matrix, (m, n).
        b: the right-hand side, (m,) or (m, k).
        rcond: the relative cutoff for small singular values (None: pinv's default).

    Returns:
        `(x, residuals, rank, singular_values)` with x of shape (n,) or (n, k).

    Raises:
        LinAlgError: traced `a` is not a matrix, or `b`'s first axis differs from `a`'s.

    Example:
        >>> x, residuals, rank, s = lstsq(np.array([[1.], [1.]]), np.array([1., 3.]))
        >>> x.round(12), int(rank)
        (array([2.]), 1)
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

    Args:
        a: symmetric (Hermitian) positive definite matrices, (..., n, n).
        upper: return the upper factor U with a = Uᴴ U, read from the upper triangle.

    Returns:
        The triangular factors, shaped and typed like `a`.

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> cholesky(np.array([[4., 2.], [2., 2.]]))
        array([[2., 0.],
               [1., 1.]])
    """
    if not _traced(a):
        return np.linalg.cholesky(a, upper=upper)
    a = as_matrix(a, "cholesky", square=True, complex_ok=True)
    low = decomp.cholesky(_triangle_value_symmetric_derivative(a, not upper))
    return swapaxes(low, -1, -2) if upper else low


def eigh(a, UPLO: str = "L") -> EighResult:  # noqa: N803 - numpy's name
    """Eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix, read from the triangle
    UPLO names. Eigenvector derivatives are undefined where eigenvalues repeat (as in jax).

    Args:
        a: symmetric (Hermitian) matrices, (..., n, n); only one triangle is read.
        UPLO: 'L' (lower triangle, the default) or 'U'.

    Returns:
        `EighResult(eigenvalues, eigenvectors)`: real (..., n) and (..., n, n) like `a`.

    Raises:
        ValueError: `UPLO` is neither 'L' nor 'U'.
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> eigh(np.diag([2., 1.])).eigenvalues
        array([1., 2.])
    """
    if not _traced(a):
        return EighResult(*np.linalg.eigh(a, UPLO))
    lower = _uplo(UPLO)
    a = as_matrix(a, "eigh", square=True, complex_ok=True)
    packed = decomp.eigh(from_triangle(a, lower), vectors=True, lower=lower)
    return EighResult(real(packed[..., 0, :]), packed[..., 1:, :])


def eigvalsh(a, UPLO: str = "L"):  # noqa: N803 - numpy's name
    """Eigenvalues (ascending) of each symmetric matrix; differentiable at repeated eigenvalues too.

    Args:
        a: symmetric (Hermitian) matrices, (..., n, n); only one triangle is read.
        UPLO: 'L' (lower triangle, the default) or 'U'.

    Returns:
        The real eigenvalues, (..., n), ascending.

    Raises:
        ValueError: `UPLO` is neither 'L' nor 'U'.
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> eigvalsh(np.diag([2., 1.]))
        array([1., 2.])
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

    Args:
        a: square matrices, (..., n, n), real or complex.

    Returns:
        `EigResult(eigenvalues, eigenvectors)` of shapes (..., n) and (..., n, n).

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> eig(np.diag([2., 1.])).eigenvalues
        array([2., 1.])
    """
    if not _traced(a):
        return EigResult(*np.linalg.eig(a))
    packed = decomp.eig(as_matrix(a, "eig", square=True, complex_ok=True), vectors=True)
    return EigResult(packed[..., 0, :], packed[..., 1:, :])


def eigvals(a):
    """Eigenvalues of each square matrix, complex when traced (as in jax).

    Args:
        a: square matrices, (..., n, n), real or complex.

    Returns:
        The eigenvalues, (..., n), in LAPACK's order.

    Raises:
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> eigvals(np.array([[0., -1.], [1., 0.]]))
        array([0.+1.j, 0.-1.j])
    """
    if not _traced(a):
        return np.linalg.eigvals(a)
    return decomp.eig(as_matrix(a, "eigvals", square=True, complex_ok=True), vectors=False)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False):
    """Singular value decomposition a = U @ diag(S) @ Vh of each matrix, as numpy.linalg.svd.

    With compute_uv=False only the singular values, differentiable everywhere; the singular vectors'
    derivatives are undefined where singular values repeat, and with full_matrices=True on a
    non-square matrix they are not defined at all (as in jax).

    Args:
        a: matrices, (..., m, n), real or complex.
        full_matrices: U and Vh square (m, m) and (n, n) rather than (m, k) and (k, n), k = min(m, n).
        compute_uv: return U and Vh too; False returns the singular values alone.
        hermitian: whether `a` is Hermitian (used by NumPy for plain arrays).

    Returns:
        `SVDResult(U, S, Vh)`, or S alone (descending, real, (..., k)) with `compute_uv=False`.

    Raises:
        LinAlgError: traced `a` has fewer than two axes.

    Example:
        >>> svd(np.diag([1., 3.]), compute_uv=False)
        array([3., 1.])
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

    Args:
        a: matrices, (..., m, n), real or complex.
        mode: 'reduced' (Q (m, k), R (k, n)), 'complete' (Q (m, m), R (m, n)) or 'r' (R alone).

    Returns:
        `QRResult(Q, R)`, or R alone with `mode='r'`.

    Raises:
        ValueError: traced input with a mode other than the three above.
        LinAlgError: traced `a` has fewer than two axes.

    Example:
        >>> q, r = qr(np.array([[3., 0.], [4., 5.]]))
        >>> bool(np.allclose(q @ r, [[3., 0.], [4., 5.]]))
        True
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

    Traced, it is square-and-multiply: about log2(|n|) matrix products in the program.

    Args:
        a: real square matrices, (..., m, m).
        n: the exponent, a Python integer.

    Returns:
        The powers, shaped like `a`.

    Raises:
        TypeError: `n` is not an integer.
        LinAlgError: `a` has fewer than two axes or its last two are not square (traced input;
            NumPy's own LinAlgError for plain arrays, also when a matrix is singular).

    Example:
        >>> matrix_power(np.array([[1., 1.], [0., 1.]]), 3)
        array([[1., 3.],
               [0., 1.]])
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

    Args:
        A: matrices, (..., m, n); a vector's rank is 1 unless it is all zeros.
        tol: the absolute threshold (None: from `rtol` or the default).
        hermitian: whether `A` is Hermitian (used by NumPy for plain arrays).
        rtol: the threshold relative to the largest singular value.

    Returns:
        Integer ranks, of shape `A.shape[:-2]`.

    Example:
        >>> int(matrix_rank(np.diag([1., 0.])))
        1
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

    Traced, the products are taken left to right (NumPy picks the cheapest order).

    Args:
        arrays: two or more arrays; the first may be 1-d (a row), the last 1-d (a column).
        out: NumPy's output array, for plain arrays only.

    Returns:
        The product; a scalar when both ends are vectors.

    Raises:
        TypeError: `out` is given with traced arrays.
        ValueError: fewer than two arrays.

    Example:
        >>> float(multi_dot([np.ones(2), np.eye(2), np.ones(2)]))
        2.0
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
