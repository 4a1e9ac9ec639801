"""fgrad.scipy.linalg: scipy.linalg's solvers and decompositions, differentiable to any order, with
jax.scipy.linalg's names and signatures.

They run on plain arrays and traced ones alike (SciPy itself is not needed). Leading axes are batch
axes, as in jax.scipy.linalg. solve_triangular, cholesky, cho_factor and eigh read one triangle of
`a`, as SciPy does (cholesky's derivative is jax's, that of the symmetric part). solve_banded
expands the band to a dense matrix.

Example:
    >>> import fgrad, fgrad.scipy.linalg as fsl, numpy as np
    >>> a = np.array([[4., 2.], [2., 3.]])
    >>> x = fsl.cho_solve(fsl.cho_factor(a), np.array([1., 2.]))
    >>> bool(np.allclose(a @ x, [1., 2.]))
    True
"""

from __future__ import annotations

import numpy as np

from .. import numpy as fnp
from ..errors import user_location
from ..numpy import linalg as _nl
from ..numpy._linalg_norm import as_matrix
from ..primitives import matfun
from ..primitives import solve as _solve

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "det", "eigh", "expm", "inv", "qr", "solve",
           "solve_banded", "solve_sylvester", "solve_triangular", "sqrtm", "svd"]

inv = _nl.inv
det = _nl.det

_TRANS = {0: False, "N": False, 1: True, "T": True, 2: True, "C": True}


def solve_triangular(a, b, trans=0, lower: bool = False, unit_diagonal: bool = False, overwrite_b: bool = False,
                     debug=None, check_finite: bool = True):
    """x with op(T) x = b, T the lower (or upper) triangle of `a`, op(T) = T, Tᵀ (trans 1 or 'T') or Tᴴ
    (trans 2 or 'C', the same for real matrices); the other triangle of `a` is never read.

    Example: ``solve_triangular(np.array([[2., 0.], [1., 1.]]), np.array([2., 2.]), lower=True)`` is
    ``[1., 1.]``.
    """
    if trans not in _TRANS:
        raise ValueError(f"trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r} (at {user_location()})")
    a, b, vector = _nl._system("solve_triangular", as_matrix(a, "solve_triangular", square=True), b,
                                 vectors_batched=True)
    x = _solve.triangular_solve(a, b, lower=lower, transpose_a=_TRANS[trans], unit_diagonal=unit_diagonal)
    return x[..., 0] if vector else x


def cholesky(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """The Cholesky factor read from the upper (default) or lower triangle, upper triangular unless `lower`.

    Example: ``cholesky(np.array([[4., 2.], [2., 2.]]))`` is ``[[2., 1.], [0., 1.]]``.
    """
    return fnp.linalg.cholesky(a, upper=not lower)


def cho_factor(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """(c, lower) for cho_solve: c the Cholesky factor (zeros in the other triangle).

    Example: ``cho_factor(np.eye(2))[1]`` is ``False``.
    """
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True):
    """x with a x = b from cho_factor(a) = (c, lower): two triangular solves.

    Example: ``cho_solve(cho_factor(np.eye(2) * 4.), np.ones(2))`` is ``[0.25, 0.25]``.
    """
    c, lower = c_and_lower
    # lower: L y = b, then Lᵀ x = y; upper: Uᵀ y = b, then U x = y
    y = solve_triangular(c, b, trans=0 if lower else 1, lower=lower)
    return solve_triangular(c, y, trans=1 if lower else 0, lower=lower)


def solve(a, b, lower: bool = False, overwrite_a: bool = False, overwrite_b: bool = False, debug: bool = False,
          check_finite: bool = True, assume_a: str = "gen"):
    """x with a x = b; assume_a 'gen' (any a), 'sym'/'her' (symmetric, read from one triangle) or 'pos'
    (positive definite, by Cholesky).

    Example: ``solve(np.eye(2) * 2., np.ones(2))`` is ``[0.5, 0.5]``.
    """
    if assume_a not in ("gen", "sym", "her", "pos"):
        raise ValueError(f"assume_a must be 'gen', 'sym', 'her' or 'pos', got {assume_a!r} (at {user_location()})")
    if assume_a == "pos":
        return cho_solve(cho_factor(a, lower=lower), b)
    if assume_a != "gen":
        a = _nl.from_triangle(as_matrix(a, "solve", square=True), lower)
    return fnp.linalg.solve(a, b)


def _banded_to_dense(l_and_u, ab):
    """The square matrix a with a[i, j] = ab[u + i - j, j] inside the band and zeros outside it."""
    lower, upper = (int(k) for k in l_and_u)
    rows, m = np.shape(ab)
    if lower < 0 or upper < 0 or rows != lower + upper + 1:
        raise ValueError(f"invalid values for the number of lower and upper diagonals: l+u+1 "
                         f"({lower + upper + 1}) does not equal ab.shape[0] ({rows}) (at {user_location()}); "
                         "ab holds one row per diagonal")
    i, j = np.indices((m, m))
    band_row = upper + i - j
    inside = (band_row >= 0) & (band_row < rows)
    return fnp.where(inside, fnp.asarray(ab)[np.clip(band_row, 0, rows - 1), j], 0.0)


def solve_banded(l_and_u, ab, b, overwrite_ab: bool = False, overwrite_b: bool = False,
                 check_finite: bool = True):
    """x with a x = b for a banded matrix a given by its diagonals, as scipy.linalg.solve_banded:
    l_and_u = (l, u) counts the diagonals below and above the main one, and ab[u + i - j, j] = a[i, j].
    b is (M,) or (M, K). The matrix is expanded to a dense one and solved (differentiable in ab and
    b, to any order), so it costs O(M³) rather than SciPy's O(M (l + u)²).

    Example: ``solve_banded((1, 1), np.array([[0., 1.], [2., 2.], [1., 0.]]), np.array([3., 3.]))``
    is ``[1., 1.]``.
    """
    if np.ndim(ab) != 2:
        raise ValueError(f"solve_banded: ab must be 2-d (one row per diagonal), got shape {np.shape(ab)} "
                         f"(at {user_location()})")
    if np.ndim(b) not in (1, 2) or np.shape(b)[0] != np.shape(ab)[1]:
        raise ValueError(f"shapes of ab {np.shape(ab)} and b {np.shape(b)} are not compatible (at "
                         f"{user_location()}); b must be (M,) or (M, K) with M = ab.shape[1]")
    return fnp.linalg.solve(_banded_to_dense(l_and_u, ab), b)


def eigh(a, b=None, lower: bool = True, eigvals_only: bool = False, overwrite_a: bool = False,
         overwrite_b: bool = False, turbo: bool = True, eigvals=None, type: int = 1,  # noqa: A002 - scipy's name
         check_finite: bool = True):
    """Eigenvalues (and, unless eigvals_only, eigenvectors) of a symmetric matrix read from one triangle.

    Example: ``eigh(np.diag([2., 1.]), eigvals_only=True)`` is ``[1., 2.]``.
    """
    if b is not None or eigvals is not None:
        raise NotImplementedError("eigh: the generalized problem (b) and eigvals are not supported; pass a alone")
    uplo = "L" if lower else "U"
    return fnp.linalg.eigvalsh(a, uplo) if eigvals_only else tuple(fnp.linalg.eigh(a, uplo))


def svd(a, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
    """(U, s, Vh) with a = U @ diag(s) @ Vh, or s alone without compute_uv.

    Example: ``svd(np.diag([1., 3.]), compute_uv=False)`` is ``[3., 1.]``.
    """
    out = fnp.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    return tuple(out) if compute_uv else out


def qr(a, overwrite_a: bool = False, lwork=None, mode: str = "full", pivoting: bool = False,
       check_finite: bool = True):
    """(Q, R) with mode 'full' or 'economic', or (R,) with mode 'r', as scipy.linalg.qr.

    Example: ``qr(np.eye(3)[:, :2], mode='economic')[0].shape`` is ``(3, 2)``.
    """
    if pivoting:
        raise NotImplementedError("qr: pivoting is not supported; call qr with pivoting=False")
    modes = {"full": "complete", "economic": "reduced", "r": "r"}
    if mode not in modes:
        raise ValueError(f"mode must be 'full', 'economic' or 'r', got {mode!r} (at {user_location()})")
    out = fnp.linalg.qr(a, modes[mode] if mode != "r" else "complete")
    return (out[1],) if mode == "r" else tuple(out)


def expm(A, *, upper_triangular: bool = False, max_squarings: int = 16):  # noqa: N803 - scipy's name
    """The matrix exponential of each square matrix (Padé 13 with scaling and squaring, Higham 2005);
    its derivatives are again matrix exponentials, of a block matrix.

    Example: ``expm(np.zeros((2, 2)))`` is the identity.
    """
    a = as_matrix(A, "expm", square=True)
    return matfun.expm(a)


def sqrtm(A, blocksize: int = 1):  # noqa: N803 - scipy's name
    """The principal square root of each square matrix, for matrices whose root is real (a ValueError at
    run time otherwise; jax.scipy.linalg.sqrtm returns complex results instead).

    Example: ``sqrtm(np.diag([4., 9.]))`` is ``diag([2., 3.])``.
    """
    return matfun.sqrtm(as_matrix(A, "sqrtm", square=True))


def solve_sylvester(A, B, C):  # noqa: N803 - scipy's names
    """X with A X + X B = C (A, B square; C of shape (m, n)), for diagonalizable A and B.

    Example: ``solve_sylvester(np.eye(2), np.eye(2), 2. * np.ones((2, 2)))`` is ``ones((2, 2))``.
    """
    a, b = as_matrix(A, "solve_sylvester", square=True), as_matrix(B, "solve_sylvester", square=True)
    c = as_matrix(C, "solve_sylvester")
    dtype = fnp.result_type(a, b, c)
    return matfun.solve_sylvester(*(fnp.astype(x, dtype) for x in (a, b, c)))


def block_diag(*arrs):
    """A block-diagonal matrix of the given 2-d (or lower) arrays.

    Example: ``block_diag(np.eye(1), 2 * np.eye(2)).shape`` is ``(3, 3)``.
    """
    if not arrs:
        return np.zeros((1, 0))
    blocks = [a if np.ndim(a) == 2 else fnp.reshape(a if hasattr(a, "shape") else np.asarray(a), (1, -1))
              for a in arrs]
    if any(np.ndim(a) != 2 for a in blocks):
        raise ValueError(f"block_diag takes arrays of at most 2 dimensions, got shapes "
                         f"{[np.shape(a) for a in blocks]} (at {user_location()})")
    dtype = fnp.result_type(*blocks)
    width = sum(np.shape(a)[1] for a in blocks)
    rows, start = [], 0
    for a in blocks:
        m, n = np.shape(a)
        left, right = np.zeros((m, start), dtype), np.zeros((m, width - start - n), dtype)
        rows.append(fnp.concatenate([left, fnp.astype(a, dtype), right], axis=1))
        start += n
    return fnp.concatenate(rows, axis=0)
