"""Student's t distribution, as jax.scipy.stats.t.

Example:
    >>> from fgrad.scipy.stats import t
    >>> round(float(t.pdf(0.0, 1.0)), 6)  # Cauchy: 1 / pi
    0.31831
"""

from __future__ import annotations

import math

from ... import numpy as fnp
from .. import special
from ._common import standardize


def logpdf(x, df, loc=0.0, scale=1.0):
    """log of Student's t density with `df` degrees of freedom.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log density.

    Example:
        >>> round(float(logpdf(0.0, 1.0)), 12)
        -1.144729885849
    """
    z = standardize(x, loc, scale)
    half = fnp.multiply(df, 0.5)
    norm = special.gammaln(half + 0.5) - special.gammaln(half) - 0.5 * fnp.log(fnp.multiply(df, math.pi))
    return norm - fnp.log(scale) - (half + 0.5) * fnp.log1p(z * z / df)


def pdf(x, df, loc=0.0, scale=1.0):
    """Student's t density with `df` degrees of freedom.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The density.

    Example:
        >>> round(float(pdf(0.0, 1.0)), 12)
        0.318309886184
    """
    return fnp.exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """P(X <= x), from the incomplete beta function: half of betainc(df/2, 1/2, df / (df + z**2)) in
    the tail z's sign points to.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in x, df, loc and scale.

    Example:
        >>> float(cdf(0.0, 3.0))
        0.5
    """
    z = standardize(x, loc, scale)
    tail = 0.5 * special.betainc(fnp.multiply(df, 0.5), 0.5, df / (df + z * z))
    return fnp.where(fnp.less(z, 0), tail, 1.0 - tail)


def logcdf(x, df, loc=0.0, scale=1.0):
    """log P(X <= x).

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability.

    Example:
        >>> round(float(logcdf(-2.0, 3.0)), 12)
        -2.664086174316
    """
    return fnp.log(cdf(x, df, loc, scale))


def sf(x, df, loc=0.0, scale=1.0):
    """P(X > x), by symmetry the cdf at -z.

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The probability, differentiable in x, df, loc and scale.

    Example:
        >>> round(float(sf(2.0, 3.0)), 12)
        0.069662984279
    """
    return cdf(fnp.negative(standardize(x, loc, scale)), df)


def logsf(x, df, loc=0.0, scale=1.0):
    """log P(X > x).

    Args:
        x: where to evaluate.
        df: the degrees of freedom, > 0.
        loc, scale: the location and the scale (> 0).

    Returns:
        The log probability.

    Example:
        >>> round(float(logsf(2.0, 3.0)), 12)
        -2.664086174316
    """
    return fnp.log(sf(x, df, loc, scale))
