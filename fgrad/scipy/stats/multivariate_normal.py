"""The multivariate normal distribution, as jax.scipy.stats.multivariate_normal.

Example:
    >>> import numpy as np
    >>> from fgrad.scipy.stats import multivariate_normal
    >>> round(float(multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(2))), 6)  # -log(2 pi)
    -1.837877
"""

from __future__ import annotations

import math

import numpy as np

from ... import numpy as fnp
from ...errors import ShapeError, user_location
from ..linalg import solve_triangular


def _check(x, mean, cov):
    n = fnp.shape(mean)[-1] if fnp.ndim(mean) else fnp.shape(x)[-1]
    if fnp.ndim(cov) != 2 or fnp.shape(cov) != (n, n) or fnp.shape(x)[-1:] != (n,):
        raise ShapeError(f"multivariate_normal: x {fnp.shape(x)}, mean {fnp.shape(mean)} and cov "
                         f"{fnp.shape(cov)} do not fit at {user_location()}; x and mean end in n and cov "
                         "is (n, n)")
    return n


def _symmetric(cov):
    # cholesky and eigh read one triangle; symmetrising first spreads the gradient over both, as jax's does
    return 0.5 * (cov + fnp.swapaxes(cov, -1, -2))


def logpdf(x, mean, cov, allow_singular=None):
    """log of the N(mean, cov) density at each row of `x` (the last axis is the dimension).

    With allow_singular=True, a covariance of rank r < n is allowed, as in SciPy: the density on its
    support, with the pseudo-determinant and the pseudo-inverse (eigenvalues below SciPy's cutoff
    count as 0); it is differentiable in x and mean.

    Args:
        x: the points, (..., n).
        mean: the mean, (n,).
        cov: the covariance, (n, n), positive definite unless allow_singular.
        allow_singular: allow a positive semi-definite cov, as SciPy does.

    Returns:
        The log density at each point, shape x.shape[:-1].

    Raises:
        ShapeError: when x, mean and cov do not fit.

    Example:
        >>> round(float(logpdf(np.ones(1), np.zeros(1), np.eye(1))), 6)
        -1.418939
    """
    n = _check(x, mean, cov)
    if allow_singular:
        return _singular_logpdf(fnp.subtract(x, mean), _symmetric(cov))
    chol = fnp.linalg.cholesky(_symmetric(cov))
    diff = fnp.subtract(x, mean)
    batch = fnp.shape(diff)[:-1]
    white = solve_triangular(chol, fnp.transpose(fnp.reshape(diff, (-1, n))), lower=True)
    maha = fnp.reshape(fnp.sum(white * white, axis=0), batch)
    log_det = fnp.sum(fnp.log(fnp.diagonal(chol)))
    return -0.5 * maha - log_det - 0.5 * n * math.log(2 * math.pi)


def _singular_logpdf(diff, cov):
    """SciPy's density for a covariance of any rank, from its eigendecomposition."""
    s, u = fnp.linalg.eigh(cov)
    # SciPy's cutoff: eigenvalues within float64 rounding of 0, relative to the largest
    tol = 1e6 * np.finfo(np.float64).eps * fnp.max(fnp.abs(s))
    keep = fnp.greater(s, tol)
    safe = fnp.where(keep, s, 1.0)
    coords = fnp.matmul(diff, u)
    maha = fnp.sum(fnp.where(keep, coords * coords / safe, 0.0), axis=-1)
    rank = fnp.sum(fnp.where(keep, 1.0, 0.0))
    log_pdet = fnp.sum(fnp.where(keep, fnp.log(safe), 0.0))
    return -0.5 * (rank * math.log(2 * math.pi) + log_pdet + maha)


def entropy(mean=None, cov=1.0):
    """The differential entropy of N(mean, cov): (n (1 + log 2 pi) + log det cov) / 2.

    Parameters:
        mean: ignored (the entropy does not depend on it), as in SciPy.
        cov: the (n, n) covariance, positive definite.

    Returns:
        The entropy in nats, differentiable in cov.

    Raises:
        ShapeError: when cov is not square.

    Example:
        >>> round(float(entropy(np.zeros(2), np.eye(2))), 6)  # 1 + log(2 pi)
        2.837877
    """
    if fnp.ndim(cov) != 2 or fnp.shape(cov)[0] != fnp.shape(cov)[1]:
        raise ShapeError(f"multivariate_normal.entropy: cov has shape {fnp.shape(cov)} at {user_location()}; "
                         "pass a square (n, n) covariance")
    n = fnp.shape(cov)[-1]
    chol = fnp.linalg.cholesky(_symmetric(cov))
    return fnp.sum(fnp.log(fnp.diagonal(chol))) + 0.5 * n * (1.0 + math.log(2 * math.pi))


def pdf(x, mean, cov, allow_singular=None):
    """The N(mean, cov) density (see logpdf, allow_singular included).

    Args:
        x: the points, (..., n).
        mean: the mean, (n,).
        cov: the covariance, (n, n).
        allow_singular: allow a positive semi-definite cov, as SciPy does.

    Returns:
        The density at each point.

    Raises:
        ShapeError: when x, mean and cov do not fit.

    Example:
        >>> round(float(pdf(np.zeros(1), np.zeros(1), np.eye(1))), 12)
        0.398942280401
    """
    return fnp.exp(logpdf(x, mean, cov, allow_singular))
