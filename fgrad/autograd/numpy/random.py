"""autograd.numpy.random: NumPy's random module (random draws carry no derivative).

Example:
    >>> import fgrad.autograd.numpy.random as npr
    >>> npr.RandomState(0).randn(2).shape
    (2,)
"""

from numpy.random import *  # noqa: F403 - NumPy's own, name for name
