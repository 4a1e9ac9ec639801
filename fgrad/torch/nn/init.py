"""torch.nn.init: in-place initialisers (values from fgrad.torch's seeded generator).

Example:
    >>> import fgrad.torch as torch
    >>> w = torch.nn.init.zeros_(torch.empty(2, 2))
"""

from __future__ import annotations

import math

import numpy as np

from .._graph import no_grad
from ..creation import _rng


def _fill(tensor, values):
    with no_grad():
        tensor._data[...] = np.asarray(values, tensor._data.dtype)
    return tensor


def zeros_(tensor):
    """Fill with 0. Example: ``torch.nn.init.zeros_(w)``."""
    return _fill(tensor, 0)


def ones_(tensor):
    """Fill with 1. Example: ``torch.nn.init.ones_(w)``."""
    return _fill(tensor, 1)


def constant_(tensor, val: float):
    """Fill with `val`. Example: ``torch.nn.init.constant_(w, 0.5)``."""
    return _fill(tensor, val)


def uniform_(tensor, a: float = 0.0, b: float = 1.0):
    """Uniform samples in [a, b). Example: ``torch.nn.init.uniform_(w, -1, 1)``."""
    return _fill(tensor, _rng().uniform(a, b, tensor._data.shape))


def normal_(tensor, mean: float = 0.0, std: float = 1.0):
    """Normal samples. Example: ``torch.nn.init.normal_(w, 0, 0.1)``."""
    return _fill(tensor, _rng().normal(mean, std, tensor._data.shape))


def _fans(tensor):
    shape = tensor._data.shape
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def xavier_uniform_(tensor, gain: float = 1.0):
    """Glorot uniform. Example: ``torch.nn.init.xavier_uniform_(w)``."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"):
    """He uniform (torch's Linear uses a=sqrt(5)). Example: ``torch.nn.init.kaiming_uniform_(w)``."""
    fan_in, fan_out = _fans(tensor)
    gain = math.sqrt(2.0 / (1 + a * a)) if nonlinearity == "leaky_relu" else math.sqrt(2.0)
    bound = gain * math.sqrt(3.0 / (fan_in if mode == "fan_in" else fan_out))
    return uniform_(tensor, -bound, bound)
