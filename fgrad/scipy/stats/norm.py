"""The normal distribution, as jax.scipy.stats.norm.

Example:
    >>> from fgrad.scipy.stats import norm
    >>> round(float(norm.logpdf(0.0)), 6)  # -log(2 pi) / 2
    -0.918939
"""

from __future__ import annotations

import math

from ... import numpy as fnp
from .. import special
from ._common import standardize

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def logpdf(x, loc=0.0, scale=1.0):
    """log of the normal density. Example: ``logpdf(0.0)`` is ``-0.9189385332046727``."""
    z = standardize(x, loc, scale)
    return -0.5 * (z * z) - fnp.log(scale) - _HALF_LOG_2PI


def pdf(x, loc=0.0, scale=1.0):
    """The normal density. Example: ``pdf(0.0)`` is ``0.3989422804014327``."""
    return fnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """P(X <= x). Example: ``cdf(0.0)`` is ``0.5``."""
    return special.ndtr(standardize(x, loc, scale))


def logcdf(x, loc=0.0, scale=1.0):
    """log P(X <= x), without underflow in the lower tail. Example: ``logcdf(0.0)`` is ``log(0.5)``."""
    return special.log_ndtr(standardize(x, loc, scale))


def sf(x, loc=0.0, scale=1.0):
    """P(X > x). Example: ``sf(0.0)`` is ``0.5``."""
    return special.ndtr(-standardize(x, loc, scale))


def logsf(x, loc=0.0, scale=1.0):
    """log P(X > x). Example: ``logsf(0.0)`` is ``log(0.5)``."""
    return special.log_ndtr(-standardize(x, loc, scale))


def ppf(q, loc=0.0, scale=1.0):
    """The quantile function, the inverse of cdf. Example: ``ppf(0.5)`` is ``0.0``."""
    return fnp.add(fnp.multiply(special.ndtri(q), scale), loc)


def isf(q, loc=0.0, scale=1.0):
    """The inverse of sf. Example: ``isf(0.5)`` is ``0.0``."""
    return fnp.subtract(loc, fnp.multiply(special.ndtri(q), scale))
