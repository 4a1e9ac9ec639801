"""autograd.scipy.stats.norm: fgrad.scipy.stats.norm, name for name."""

from fgrad.scipy.stats.norm import *  # noqa: F403 - fgrad's, name for name
