"""autograd.scipy.stats.beta: fgrad.scipy.stats.beta, name for name."""

from fgrad.scipy.stats.beta import *  # noqa: F403 - fgrad's, name for name
