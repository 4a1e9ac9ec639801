"""The Laplace distribution, as jax.scipy.stats.laplace.

Example:
    >>> from fgrad.scipy.stats import laplace
    >>> float(laplace.pdf(0.0))
    0.5
"""

from __future__ import annotations

import math

from ... import numpy as fnp
from ._common import standardize


def logpdf(x, loc=0.0, scale=1.0):
    """log of the Laplace density. Example: ``logpdf(0.0)`` is ``-log(2)``."""
    return -fnp.abs(standardize(x, loc, scale)) - fnp.log(scale) - math.log(2.0)


def pdf(x, loc=0.0, scale=1.0):
    """The Laplace density. Example: ``pdf(0.0)`` is ``0.5``."""
    return fnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """P(X <= x). Example: ``cdf(0.0)`` is ``0.5``."""
    y = standardize(x, loc, scale)
    return fnp.where(fnp.less(y, 0), 0.5 * fnp.exp(y), 1.0 - 0.5 * fnp.exp(-y))
