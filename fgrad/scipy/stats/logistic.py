"""The logistic distribution, as jax.scipy.stats.logistic.

Example:
    >>> from fgrad.scipy.stats import logistic
    >>> float(logistic.pdf(0.0))
    0.25
"""

from __future__ import annotations

from ... import nn
from ... import numpy as fnp
from .. import special
from ._common import standardize


def logpdf(x, loc=0.0, scale=1.0):
    """log of the logistic density. Example: ``logpdf(0.0)`` is ``log(0.25)``."""
    y = standardize(x, loc, scale)
    return -y - 2.0 * nn.softplus(-y) - fnp.log(scale)


def pdf(x, loc=0.0, scale=1.0):
    """The logistic density. Example: ``pdf(0.0)`` is ``0.25``."""
    return fnp.exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """P(X <= x), the sigmoid. Example: ``cdf(0.0)`` is ``0.5``."""
    return special.expit(standardize(x, loc, scale))


def ppf(q, loc=0.0, scale=1.0):
    """The quantile function, logit. Example: ``ppf(0.5)`` is ``0.0``."""
    return fnp.add(fnp.multiply(special.logit(q), scale), loc)
