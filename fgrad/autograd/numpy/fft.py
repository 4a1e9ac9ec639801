"""autograd.numpy.fft: fgrad.numpy.fft.

Example:
    >>> import numpy as onp
    >>> fft(onp.ones(2))
    array([2.+0.j, 0.+0.j])
"""

from fgrad.numpy.fft import *  # noqa: F403 - fgrad's transforms, name for name
