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
    """log of the beta density; -inf outside [loc, loc + scale]. Example: ``logpdf(0.5, 1.0, 1.0)``."""
    y = standardize(x, loc, scale)
    inside = fnp.logical_and(fnp.greater_equal(y, 0), fnp.less_equal(y, 1))
    y = inside_or(inside, y)
    logp = (special.xlogy(fnp.subtract(a, 1.0), y) + special.xlog1py(fnp.subtract(b, 1.0), -y)
            - special.betaln(a, b) - fnp.log(scale))
    return off_support(inside, logp)


def pdf(x, a, b, loc=0.0, scale=1.0):
    """The beta density. Example: ``pdf(0.5, 2.0, 2.0)`` is ``1.5``."""
    return fnp.exp(logpdf(x, a, b, loc, scale))
