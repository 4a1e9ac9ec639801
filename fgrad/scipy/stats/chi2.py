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
