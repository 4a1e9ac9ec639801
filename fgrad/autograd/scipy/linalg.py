"""autograd.scipy.linalg: fgrad.scipy.linalg, name for name."""

from fgrad.scipy.linalg import *  # noqa: F403 - fgrad's, name for name
