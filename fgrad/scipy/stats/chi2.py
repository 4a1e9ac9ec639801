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
    """log of the chi-squared density with `df` degrees of freedom. Example: ``logpdf(1.0, 2.0)``."""
    return gamma.logpdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def pdf(x, df, loc=0.0, scale=1.0):
    """The chi-squared density. Example: ``pdf(1.0, 2.0)`` is ``exp(-0.5) / 2``."""
    return fnp.exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """P(X <= x). Example: ``cdf(2.0, 2.0)`` is ``1 - exp(-1)``.

    Example:
        >>> round(float(cdf(2.0, 2.0)), 12)
        0.632120558829
    """
    return gamma.cdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def logcdf(x, df, loc=0.0, scale=1.0):
    """log P(X <= x). Example: ``logcdf(2.0, 2.0)`` is ``log(1 - exp(-1))``."""
    return gamma.logcdf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def sf(x, df, loc=0.0, scale=1.0):
    """P(X > x). Example: ``sf(2.0, 2.0)`` is ``exp(-1)``."""
    return gamma.sf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))


def logsf(x, df, loc=0.0, scale=1.0):
    """log P(X > x). Example: ``logsf(2.0, 2.0)`` is ``-1``."""
    return gamma.logsf(x, fnp.multiply(df, 0.5), loc, fnp.multiply(scale, 2.0))
