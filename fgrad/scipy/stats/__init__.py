"""fgrad.scipy.stats: jax.scipy.stats's distributions, differentiable in values and parameters.

Example:
    >>> import fgrad
    >>> from fgrad.scipy.stats import norm
    >>> float(fgrad.grad(lambda mu: norm.logpdf(1.0, mu, 2.0))(0.0))  # (x - mu) / scale**2
    0.25
"""

from . import beta as beta
from . import cauchy as cauchy
from . import chi2 as chi2
from . import dirichlet as dirichlet
from . import expon as expon
from . import gamma as gamma
from . import laplace as laplace
from . import logistic as logistic
from . import multivariate_normal as multivariate_normal
from . import norm as norm
from . import poisson as poisson
from . import t as t
