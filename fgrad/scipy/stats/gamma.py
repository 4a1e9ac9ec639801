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
