"""autograd.scipy.stats.t: fgrad.scipy.stats.t, name for name."""

from fgrad.scipy.stats.t import *  # noqa: F403 - fgrad's, name for name
