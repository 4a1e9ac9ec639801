"""The gamma distribution, as jax.scipy.stats.gamma.

Example:
    >>> from fgrad.scipy.stats import gamma
    >>> float(gamma.pdf(1.0, 1.0))  # a = 1 is the exponential: exp(-1)
    0.36787944117144233
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import special
from ._common import inside_or, off_support, standardize


def logpdf(x, a, loc=0.0, scale=1.0):
    """log of the gamma density of shape `a`; -inf below loc. Example: ``logpdf(1.0, 1.0)`` is -1."""
    y = standardize(x, loc, scale)
    inside = fnp.greater_equal(y, 0)
    y = inside_or(inside, y)
    logp = special.xlogy(fnp.subtract(a, 1.0), y) - y - special.gammaln(a) - fnp.log(scale)
    return off_support(inside, logp)


def pdf(x, a, loc=0.0, scale=1.0):
    """The gamma density. Example: ``pdf(1.0, 1.0)`` is ``exp(-1)``."""
    return fnp.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0.0, scale=1.0):
    """P(X <= x) = gammainc(a, y) for y = (x - loc) / scale, 0 below loc. Example: ``cdf(1.0, 1.0)``.

    Example:
        >>> round(float(cdf(1.0, 1.0)), 12)  # 1 - exp(-1)
        0.632120558829
    """
    y = standardize(x, loc, scale)
    return special.gammainc(a, fnp.where(fnp.less(y, 0), 0.0, y))


def logcdf(x, a, loc=0.0, scale=1.0):
    """log P(X <= x). Example: ``logcdf(1.0, 1.0)`` is ``log(1 - exp(-1))``."""
    return fnp.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0.0, scale=1.0):
    """P(X > x) = gammaincc(a, y), keeping its digits in the upper tail. Example: ``sf(1.0, 1.0)``.

    Example:
        >>> round(float(sf(1.0, 1.0)), 12)  # exp(-1)
        0.367879441171
    """
    y = standardize(x, loc, scale)
    return special.gammaincc(a, fnp.where(fnp.less(y, 0), 0.0, y))


def logsf(x, a, loc=0.0, scale=1.0):
    """log P(X > x). Example: ``logsf(1.0, 1.0)`` is ``-1``."""
    return fnp.log(sf(x, a, loc, scale))
