"""The Cauchy distribution, as jax.scipy.stats.cauchy.

Example:
    >>> from fgrad.scipy.stats import cauchy
    >>> round(float(cauchy.pdf(0.0)), 6)  # 1 / pi
    0.31831
"""

from __future__ import annotations

import math

from ... import numpy as fnp
from ._common import standardize


def logpdf(x, loc=0.0, scale=1.0):
    """log of the Cauchy density. Example: ``logpdf(0.0)`` is ``-log(pi)``."""
    z = standardize(x, loc, scale)
    return -math.log(math.pi) - fnp.log(scale) - fnp.log1p(z * z)


def pdf(x, loc=0.0, scale=1.0):
    """The Cauchy density. Example: ``pdf(0.0)`` is ``1 / pi``."""
    return fnp.exp(logpdf(x, loc, scale))
