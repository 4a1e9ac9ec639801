"""The chi-squared distribution, as jax.scipy.stats.chi2: a gamma of shape df / 2 and scale 2.

Example:
    >>> from fgrad.scipy.stats import chi2
    >>> round(float(chi2.pdf(1.0, 2.0)), 6)  # exp(-1/2) / 2
    0.303265
"""

from __future__ import annotations

from ... import numpy as fnp
from . import gamma


def logpdf(x, df, loc=0.0, scale=1.0):
    """log of the chi-squared density with `df` degrees of freedom.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log density.

    Example:
        >>> round(float(logpdf(1.0, 2.0)), 12)
        -1.19314718056
    """
    return gamma.logpdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def pdf(x, df, loc=0.0, scale=1.0):
    """The chi-squared density with `df` degrees of freedom.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The density.

    Example:
        >>> round(float(pdf(1.0, 2.0)), 12)
        0.303265329856
    """
    return fnp.exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """P(X <= x): gammainc of the shape and (x - loc) / scale, 0 below loc.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument (in the shape through gammainc's a-derivatives).

    Example:
        >>> round(float(cdf(2.0, 2.0)), 12)
        0.632120558829
    """
    return gamma.cdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def logcdf(x, df, loc=0.0, scale=1.0):
    """log P(X <= x).

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability (-inf below loc).

    Example:
        >>> round(float(logcdf(2.0, 2.0)), 12)
        -0.458675145387
    """
    return gamma.logcdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def sf(x, df, loc=0.0, scale=1.0):
    """P(X > x) = 1 - cdf, from gammaincc so that it keeps its digits in the upper tail.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in every argument.

    Example:
        >>> round(float(sf(2.0, 2.0)), 12)
        0.367879441171
    """
    return gamma.sf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def logsf(x, df, loc=0.0, scale=1.0):
    """log P(X > x).

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability.

    Example:
        >>> round(float(logsf(2.0, 2.0)), 12)
        -1.0
    """
    return gamma.logsf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))
