"""The exponential distribution, as jax.scipy.stats.expon.

Example:
    >>> from fgrad.scipy.stats import expon
    >>> float(expon.logpdf(2.0))
    -2.0
"""

from __future__ import annotations

from ... import numpy as fnp
from ._common import off_support, standardize


def logpdf(x, loc=0.0, scale=1.0):
    """log of the exponential density; -inf below loc. Example: ``logpdf(2.0)`` is ``-2.0``."""
    y = standardize(x, loc, scale)
    return off_support(fnp.greater_equal(y, 0), -y - fnp.log(scale))


def pdf(x, loc=0.0, scale=1.0):
    """The exponential density. Example: ``pdf(0.0)`` is ``1.0``."""
    return fnp.exp(logpdf(x, loc, scale))
