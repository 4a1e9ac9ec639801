"""The multivariate normal distribution, as jax.scipy.stats.multivariate_normal.

Example:
    >>> import numpy as np
    >>> from fgrad.scipy.stats import multivariate_normal
    >>> round(float(multivariate_normal.logpdf(np.zeros(2), np.zeros(2), np.eye(2))), 6)  # -log(2 pi)
    -1.837877
"""

from __future__ import annotations

import math

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


def logpdf(x, mean, cov, allow_singular=None):
    """log of the N(mean, cov) density at each row of `x` (the last axis is the dimension).

    Example:
        >>> round(float(logpdf(np.ones(1), np.zeros(1), np.eye(1))), 6)
        -1.418939
    """
    n = _check(x, mean, cov)
    # cholesky reads one triangle; symmetrising first spreads the gradient over both, as jax's does
    chol = fnp.linalg.cholesky(0.5 * (cov + fnp.swapaxes(cov, -1, -2)))
    diff = fnp.subtract(x, mean)
    batch = fnp.shape(diff)[:-1]
    white = solve_triangular(chol, fnp.transpose(fnp.reshape(diff, (-1, n))), lower=True)
    maha = fnp.reshape(fnp.sum(white * white, axis=0), batch)
    log_det = fnp.sum(fnp.log(fnp.diagonal(chol)))
    return -0.5 * maha - log_det - 0.5 * n * math.log(2 * math.pi)


def pdf(x, mean, cov, allow_singular=None):
    """The N(mean, cov) density. Example: ``pdf(np.zeros(1), np.zeros(1), np.eye(1))`` is 0.3989."""
    return fnp.exp(logpdf(x, mean, cov, allow_singular))
