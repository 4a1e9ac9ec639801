"""autograd.scipy.integrate: fgrad.scipy.integrate, name for name."""

from fgrad.scipy.integrate import *  # noqa: F403 - fgrad's, name for name
