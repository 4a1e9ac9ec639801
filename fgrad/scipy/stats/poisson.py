"""The Poisson distribution, as jax.scipy.stats.poisson.

Example:
    >>> from fgrad.scipy.stats import poisson
    >>> float(poisson.pmf(0.0, 2.0))  # exp(-2)
    0.1353352832366127
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import special
from ._common import off_support


def logpmf(k, mu, loc=0.0):
    """log P(K = k) for rate `mu`; -inf at negative or fractional k.

    Args:
        k: the count.
        mu: the rate, > 0.
        loc: the shift of k.

    Returns:
        The log probability.

    Example:
        >>> round(float(logpmf(0.0, 2.0)), 12)
        -2.0
    """
    k = fnp.subtract(k, loc)
    logp = special.xlogy(k, mu) - special.gammaln(fnp.add(k, 1.0)) - mu
    whole = fnp.logical_and(fnp.greater_equal(k, 0), fnp.equal(k, fnp.floor(k)))
    return off_support(whole, logp)


def pmf(k, mu, loc=0.0):
    """P(K = k) for rate `mu`.

    Args:
        k: the count.
        mu: the rate, > 0.
        loc: the shift of k.

    Returns:
        The probability.

    Example:
        >>> round(float(pmf(0.0, 2.0)), 12)
        0.135335283237
    """
    return fnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0.0):
    """P(K <= k) = gammaincc(floor(k) + 1, mu), 0 below 0.

    Args:
        k: the count (floored).
        mu: the rate, > 0.
        loc: the shift of k.

    Returns:
        The probability, differentiable in mu.

    Example:
        >>> round(float(cdf(0.0, 2.0)), 12)
        0.135335283237
    """
    k = fnp.subtract(k, loc)
    p = special.gammaincc(fnp.floor(k) + 1.0, mu)
    return fnp.where(fnp.less(k, 0), 0.0, p)
