"""torch.nn.init: in-place initialisers drawing the numbers PyTorch draws for the same seed.

Example:
    >>> import fgrad.torch as torch
    >>> w = torch.nn.init.zeros_(torch.empty(2, 2))
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._graph import no_grad
from .._random import engine, normal_values, uniform_values


def _fill(tensor, values):
    with no_grad():
        tensor._data[...] = np.broadcast_to(np.asarray(values, tensor._data.dtype), tensor._data.shape)
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


def eye_(tensor):
    """The identity in a 2-D tensor. Example: ``torch.nn.init.eye_(torch.empty(2, 3))``."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor._data.shape))


def uniform_(tensor, a: float = 0.0, b: float = 1.0, generator=None):
    """Uniform samples in [a, b), PyTorch's numbers. Example: ``torch.nn.init.uniform_(w, -1, 1)``."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean: float = 0.0, std: float = 1.0, generator=None):
    """Normal samples, PyTorch's numbers. Example: ``torch.nn.init.normal_(w, 0, 0.1)``."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.init.calculate_gain("tanh")
        1.6666666666666667
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = 1
    for d in shape[2:]:
        receptive *= d
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _empty_warning(tensor) -> bool:
    if 0 in tensor._data.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def xavier_uniform_(tensor, gain: float = 1.0, generator=None):
    """Glorot uniform, bound gain*sqrt(6/(fan_in+fan_out)). Example: ``torch.nn.init.xavier_uniform_(w)``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * (gain * math.sqrt(2.0 / float(fan_in + fan_out)))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain: float = 1.0, generator=None):
    """Glorot normal, std gain*sqrt(2/(fan_in+fan_out)). Example: ``torch.nn.init.xavier_normal_(w)``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None):
    """He uniform (torch's Linear uses a=sqrt(5)). Example: ``torch.nn.init.kaiming_uniform_(w)``."""
    if _empty_warning(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None):
    """He normal. Example: ``torch.nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")``."""
    if _empty_warning(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def trunc_normal_(tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator=None):
    """Normal samples restricted to [a, b] by rejection, drawing what PyTorch 2.13 draws.

    When [a, b] holds more than 30% of the mass, normals are redrawn where they fall outside; otherwise
    uniform candidates in [a, b] are accepted against the density (PyTorch's two strategies).

    Example:
        >>> import fgrad.torch as torch
        >>> w = torch.nn.init.trunc_normal_(torch.empty(100), std=0.02)
        >>> bool((w.abs() <= 2).all())
        True
    """
    def cdf(x):
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    e, dt, n = engine(generator), tensor._data.dtype, tensor._data.size
    if cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3:
        lo, hi = dt.type(a), dt.type(b)
        result = normal_values(e, n, dt, mean, std, True)
        while ((result < lo) | (result > hi)).any():
            redraw = normal_values(e, n, dt, mean, std, True)
            result = np.where((result < lo) | (result > hi), redraw, result)
        return _fill(tensor, result.reshape(tensor._data.shape))
    return _fill(tensor, _trunc_by_acceptance(e, n, dt, mean, std, a, b).reshape(tensor._data.shape))


def _trunc_by_acceptance(e, n: int, dt, mean: float, std: float, a: float, b: float) -> np.ndarray:
    mode = max(a, min(mean, b))
    log_peak = dt.type(-0.5 * ((mode - mean) / std) ** 2)

    def log_density(x):
        return ((x - dt.type(mean)) / dt.type(std)) ** 2 * dt.type(-0.5) - log_peak

    result = uniform_values(e, n, dt, a, b)
    pending = np.log(uniform_values(e, n, dt)) > log_density(result)
    while pending.any():
        candidates = uniform_values(e, n, dt, a, b)
        result = np.where(pending, candidates, result)
        pending = np.where(pending, np.log(uniform_values(e, n, dt)) > log_density(candidates), pending)
    return result


def orthogonal_(tensor, gain: float = 1.0, generator=None):
    """A (semi-)orthogonal matrix from the QR of PyTorch's normal draws, signs fixed by R's diagonal.

    Example:
        >>> import fgrad.torch as torch
        >>> q = torch.nn.init.orthogonal_(torch.empty(3, 3))
        >>> bool(torch.allclose(q @ q.T, torch.eye(3), atol=1e-5))
        True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor._data.size == 0:
        return tensor
    rows = tensor._data.shape[0]
    cols = tensor._data.size // rows
    dt = tensor._data.dtype
    flat = normal_values(engine(generator), rows * cols, dt, 0.0, 1.0, True).reshape(rows, cols)
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diagonal(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q.astype(dt) * dt.type(gain)).reshape(tensor._data.shape))
