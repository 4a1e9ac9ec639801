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
    """log of the gamma density of shape `a`; -inf below loc.

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log density.

    Example:
        >>> float(logpdf(1.0, 1.0))
        -1.0
    """
    y = standardize(x, loc, scale)
    inside = fnp.greater_equal(y, 0)
    y = inside_or(inside, y)
    logp = special.xlogy(fnp.subtract(a, 1.0), y) - y - special.gammaln(a) - fnp.log(scale)
    return off_support(inside, logp)


def pdf(x, a, loc=0.0, scale=1.0):
    """The gamma density of shape `a`.

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The density.

    Example:
        >>> float(pdf(1.0, 1.0))
        0.36787944117144233
    """
    return fnp.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0.0, scale=1.0):
    """P(X <= x): gammainc of the shape and (x - loc) / scale, 0 below loc.

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument (in the shape through gammainc's a-derivatives).

    Example:
        >>> round(float(cdf(1.0, 1.0)), 12)
        0.632120558829
    """
    y = standardize(x, loc, scale)
    return special.gammainc(a, fnp.where(fnp.less(y, 0), 0.0, y))


def logcdf(x, a, loc=0.0, scale=1.0):
    """log P(X <= x).

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability (-inf below loc).

    Example:
        >>> round(float(logcdf(1.0, 1.0)), 12)
        -0.458675145387
    """
    return fnp.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0.0, scale=1.0):
    """P(X > x) = 1 - cdf, from gammaincc so that it keeps its digits in the upper tail.

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument.

    Example:
        >>> round(float(sf(1.0, 1.0)), 12)
        0.367879441171
    """
    y = standardize(x, loc, scale)
    return special.gammaincc(a, fnp.where(fnp.less(y, 0), 0.0, y))


def logsf(x, a, loc=0.0, scale=1.0):
    """log P(X > x).

    Args:
        x: where to evaluate.
        a: the shape, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability.

    Example:
        >>> round(float(logsf(1.0, 1.0)), 12)
        -1.0
    """
    return fnp.log(sf(x, a, loc, scale))
