"""autograd.scipy.stats.poisson: fgrad.scipy.stats.poisson, name for name."""

from fgrad.scipy.stats.poisson import *  # noqa: F403 - fgrad's, name for name
