"""autograd.scipy.stats.chi2: fgrad.scipy.stats.chi2, name for name."""

from fgrad.scipy.stats.chi2 import *  # noqa: F403 - fgrad's, name for name
