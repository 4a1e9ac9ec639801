"""autograd.scipy.stats.gamma: fgrad.scipy.stats.gamma, name for name."""

from fgrad.scipy.stats.gamma import *  # noqa: F403 - fgrad's, name for name
