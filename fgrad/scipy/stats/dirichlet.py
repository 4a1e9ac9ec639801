"""The Dirichlet distribution, as jax.scipy.stats.dirichlet.

Example:
    >>> import numpy as np
    >>> from fgrad.scipy.stats import dirichlet
    >>> round(float(dirichlet.pdf(np.array([0.2, 0.8]), np.ones(2))), 6)  # uniform on the simplex
    1.0
"""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp
from ...errors import ShapeError, user_location
from .. import special


def logpdf(x, alpha):
    """log of the Dirichlet density; the categories are x's first axis, as in jax.

    Example:
        >>> round(float(logpdf(np.array([0.5, 0.5]), np.array([2.0, 2.0]))), 6)
        0.405465
    """
    if fnp.ndim(alpha) != 1 or fnp.shape(x)[:1] != fnp.shape(alpha):
        raise ShapeError(f"dirichlet.logpdf: x {fnp.shape(x)} and alpha {fnp.shape(alpha)} do not fit at "
                         f"{user_location()}; alpha is (K,) and x is (K,) or (K, ...)")
    a = fnp.reshape(alpha, fnp.shape(alpha) + (1,) * (fnp.ndim(x) - 1))
    normalizer = fnp.sum(special.gammaln(alpha)) - special.gammaln(fnp.sum(alpha))
    return fnp.sum(special.xlogy(a - 1.0, x), axis=0) - normalizer


def pdf(x, alpha):
    """The Dirichlet density. Example: ``pdf(np.array([0.5, 0.5]), np.array([2.0, 2.0]))`` is 1.5."""
    return fnp.exp(logpdf(x, alpha))


def rvs(alpha, size=None, random_state=None):
    """Draws from Dirichlet(alpha) with NumPy's generator (test data; not differentiable).

    Example:
        >>> rvs(np.ones(3), size=2, random_state=0).shape
        (2, 3)
    """
    return np.random.default_rng(random_state).dirichlet(np.asarray(alpha, float), size)
