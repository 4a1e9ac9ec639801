"""The beta distribution, as jax.scipy.stats.beta.

Example:
    >>> from fgrad.scipy.stats import beta
    >>> float(beta.pdf(0.3, 1.0, 1.0))  # the uniform density
    1.0
"""

from __future__ import annotations

from ... import numpy as fnp
from .. import special
from ._common import inside_or, off_support, standardize


def logpdf(x, a, b, loc=0.0, scale=1.0):
    """log of the beta density; -inf outside [loc, loc + scale].

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log density.

    Example:
        >>> round(float(logpdf(0.5, 2.0, 2.0)), 12)
        0.405465108108
    """
    y = standardize(x, loc, scale)
    inside = fnp.logical_and(fnp.greater_equal(y, 0), fnp.less_equal(y, 1))
    y = inside_or(inside, y)
    logp = (special.xlogy(fnp.subtract(a, 1.0), y) + special.xlog1py(fnp.subtract(b, 1.0), -y)
            - special.betaln(a, b) - fnp.log(scale))
    return off_support(inside, logp)


def pdf(x, a, b, loc=0.0, scale=1.0):
    """The beta density.

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The density.

    Example:
        >>> round(float(pdf(0.5, 2.0, 2.0)), 12)
        1.5
    """
    return fnp.exp(logpdf(x, a, b, loc, scale))


def _clipped(x, loc, scale):
    return fnp.clip(standardize(x, loc, scale), 0.0, 1.0)


def cdf(x, a, b, loc=0.0, scale=1.0):
    """P(X <= x) = betainc(a, b, y) for y = (x - loc) / scale, 0 below loc and 1 above loc + scale.

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument.

    Example:
        >>> float(cdf(0.25, 2.0, 1.0))
        0.0625
    """
    return special.betainc(a, b, _clipped(x, loc, scale))


def logcdf(x, a, b, loc=0.0, scale=1.0):
    """log P(X <= x).

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability (-inf below loc).

    Example:
        >>> round(float(logcdf(0.5, 1.0, 1.0)), 12)
        -0.69314718056
    """
    return fnp.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0.0, scale=1.0):
    """P(X > x) = betainc(b, a, 1 - y), which keeps its digits near the top of the support.

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument.

    Example:
        >>> float(sf(0.25, 2.0, 1.0))
        0.9375
    """
    return special.betainc(b, a, 1.0 - _clipped(x, loc, scale))


def logsf(x, a, b, loc=0.0, scale=1.0):
    """log P(X > x).

    Args:
        x: where to evaluate.
        a, b: the shapes, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability.

    Example:
        >>> round(float(logsf(0.5, 1.0, 1.0)), 12)
        -0.69314718056
    """
    return fnp.log(sf(x, a, b, loc, scale))
