"""autograd.scipy.stats.multivariate_normal: fgrad.scipy.stats.multivariate_normal, name for name."""

from fgrad.scipy.stats.multivariate_normal import *  # noqa: F403 - fgrad's, name for name
