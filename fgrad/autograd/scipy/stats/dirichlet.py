"""autograd.scipy.stats.dirichlet: fgrad.scipy.stats.dirichlet, name for name."""

from fgrad.scipy.stats.dirichlet import *  # noqa: F403 - fgrad's, name for name
