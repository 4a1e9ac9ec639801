"""autograd.scipy.signal: fgrad.scipy.signal, name for name."""

from fgrad.scipy.signal import *  # noqa: F403 - fgrad's, name for name
