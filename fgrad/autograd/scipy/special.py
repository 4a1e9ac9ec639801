"""autograd.scipy.special: fgrad.scipy.special, name for name."""

from fgrad.scipy.special import *  # noqa: F403 - fgrad's, name for name
