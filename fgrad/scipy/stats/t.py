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
    """log of the t density with `df` degrees of freedom. Example: ``logpdf(0.0, 1.0)`` is ``-log(pi)``."""
    z = standardize(x, loc, scale)
    half = fnp.multiply(df, 0.5)
    norm = special.gammaln(half + 0.5) - special.gammaln(half) - 0.5 * fnp.log(fnp.multiply(df, math.pi))
    return norm - fnp.log(scale) - (half + 0.5) * fnp.log1p(z * z / df)


def pdf(x, df, loc=0.0, scale=1.0):
    """The t density. Example: ``pdf(0.0, 1.0)`` is ``1 / pi``."""
    return fnp.exp(logpdf(x, df, loc, scale))
