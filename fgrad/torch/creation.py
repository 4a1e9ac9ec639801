"""Tensor creation: tensor, zeros, ones, arange, linspace, full, eye, from_numpy, *_like.

Dtype inference follows torch: Python floats give float32 (the default dtype), ints int64, bools bool;
NumPy arrays keep their dtype. Random tensors (rand, randn, ...) live in _random, which draws PyTorch's
own numbers.

Example:
    >>> import fgrad.torch as torch
    >>> torch.tensor([1, 2]).dtype, torch.tensor([1, 2.]).dtype
    (torch.int64, torch.float32)
"""

from __future__ import annotations

import builtins
import math

import numpy as np

from . import _dtypes
from . import _errors as E
from ._errors import torch_error
from .ops import wrap
from .ops_shape import shape_arg
from .profiler import logs_events
from .tensor import Tensor


def _infer_dtype(data) -> np.dtype:
    """torch's dtype for nested Python data: any float -> default float, else int64, else bool.

    The walk also raises torch's errors for data no tensor can hold (None, strings, ragged lists).
    """
    kinds = set()

    def walk(x, dim):
        if isinstance(x, (list, tuple)):
            for v in x:
                if isinstance(v, (list, tuple)) and len(v) != len(x[0]) and isinstance(x[0], (list, tuple)):
                    raise ValueError(f"expected sequence of length {len(x[0])} at dim {dim + 1} (got {len(v)})")
                walk(v, dim + 1)
        elif isinstance(x, Tensor):
            kinds.add(x._data.dtype.kind)
        elif isinstance(x, (bool, np.bool_)):
            kinds.add("b")
        elif isinstance(x, (int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (float, np.floating)):
            kinds.add("f")
        elif isinstance(x, str):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")

    walk(data, 0)
    if "f" in kinds:
        return _dtypes.DEFAULT_FLOAT[0].np
    return np.dtype(np.int64) if "i" in kinds or "u" in kinds or not kinds else np.dtype(np.bool_)


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise torch_error(*E.INT_GRAD)
        t._rg = True
    return t


@_dtypes.checks_device(uses_default=True)
def tensor(data, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor copying `data` (numbers, nested lists, NumPy arrays or tensors).

    Args:
        data: a number, a nested list or tuple of numbers (or of one-element tensors), a NumPy
            array or a tensor.
        dtype: the torch dtype; by default float32 for floats, int64 for integers, bool for bools.
        device: accepted for PyTorch's signature; tensors live on the CPU.
        requires_grad: record operations on the new tensor, a leaf, for backward().
        pin_memory: accepted for PyTorch's signature; no effect.

    Returns:
        The new tensor; it shares no memory with `data`.

    Raises:
        RuntimeError: requires_grad=True for an integer or bool dtype, with PyTorch's message.
        TypeError: a NumPy dtype PyTorch has no tensor type for.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.tensor([[1., 2.], [3., 4.]], requires_grad=True).shape
        torch.Size([2, 2])
    """
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.array(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in _flat(data)):
            data = _untensor(data)
        array = np.array(data, dtype=_infer_dtype(data))
    if dtype is not None:
        array = array.astype(_dtypes.to_numpy_dtype(dtype))
    _dtypes.from_numpy_dtype(array.dtype)
    return _finish(array, requires_grad)


def _flat(data):
    for v in data:
        if isinstance(v, (list, tuple)):
            yield from _flat(v)
        else:
            yield v


def _untensor(data):
    if isinstance(data, (list, tuple)):
        return [_untensor(v) for v in data]
    return data.item() if isinstance(data, Tensor) else data


@_dtypes.checks_device(uses_default=True)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like tensor(), but keeps a Tensor or array as is when the dtype already matches."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == _dtypes.to_numpy_dtype(dtype)):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (its dtype kept).

    Args:
        array: the NumPy array; writes through either one show in the other.

    Returns:
        A tensor that does not require grad.

    Raises:
        TypeError: `array` is not a NumPy array, or has a dtype PyTorch has no tensor type for.

    Example:
        >>> import numpy as np
        >>> import fgrad.torch as torch
        >>> torch.from_numpy(np.ones(2)).dtype
        torch.float64
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtypes.from_numpy_dtype(array.dtype)
    return wrap(array)


def _new_shape(size, name: str = "") -> tuple:
    """The shape of a new tensor, with torch's error for a negative size."""
    shape = shape_arg(size)
    for d in shape:
        if d < 0:
            raise RuntimeError(f"{name}: Dimension size must be non-negative." if name == "zeros" else
                               f"Trying to create tensor with negative dimension {d}: {list(shape)}")
    return shape


def _filled(fill, size, dtype, requires_grad, default=None, name: str = "") -> Tensor:
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else (default or _dtypes.DEFAULT_FLOAT[0].np)
    return _finish(np.full(_new_shape(size, name), fill, dt), requires_grad)


@logs_events("aten::zeros", "aten::empty", "aten::zero_")
@_dtypes.checks_device(uses_default=True)
def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros. Example: ``torch.zeros(2, 3).shape`` is ``torch.Size([2, 3])``."""
    return _filled(0, size, dtype, requires_grad, name="zeros")


@logs_events("aten::ones", "aten::empty", "aten::fill_")
@_dtypes.checks_device(uses_default=True)
def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones. Example: ``torch.ones((2, 2), requires_grad=True)``."""
    return _filled(1, size, dtype, requires_grad)


@logs_events("aten::empty")
@_dtypes.checks_device(uses_default=True)
def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor (zeros here). Example: ``torch.empty(2).shape``."""
    return _filled(0, size, dtype, requires_grad)


@logs_events("aten::full", "aten::empty", "aten::fill_")
@_dtypes.checks_device(uses_default=True)
def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with `fill_value` (its dtype inferred as torch does). Example: ``torch.full((2,), 3.)``."""
    default = _dtypes._scalar_dtype(fill_value)
    return _filled(fill_value, size, dtype, requires_grad, default)


def _like(fill, input, dtype, requires_grad) -> Tensor:
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else input._data.dtype
    return _finish(np.full(input._data.shape, fill, dt), requires_grad)


@_dtypes.checks_device(uses_default=False)
def zeros_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Zeros shaped like `input`. Example: ``torch.zeros_like(torch.ones(2))``."""
    return _like(0, input, dtype, requires_grad)


@_dtypes.checks_device(uses_default=False)
def ones_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Ones shaped like `input`. Example: ``torch.ones_like(torch.zeros(2))``."""
    return _like(1, input, dtype, requires_grad)


@_dtypes.checks_device(uses_default=False)
def full_like(input, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """`fill_value` shaped like `input`. Example: ``torch.full_like(torch.zeros(2), 7.)``."""
    return _like(fill_value, input, dtype, requires_grad)


@_dtypes.checks_device(uses_default=False)
def empty_like(input, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    return _like(0, input, dtype, requires_grad)


@_dtypes.checks_device(uses_default=True)
def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end); int64 for integer arguments. Example: ``torch.arange(5)``."""
    if end is None:
        start, end = 0, start
    ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else (
        np.dtype(np.int64) if ints else _dtypes.DEFAULT_FLOAT[0].np)
    count = builtins.max(math.ceil((end - start) / step), 0)
    values = start + np.arange(count, dtype=np.float64 if not ints else np.int64) * step
    return _finish(values.astype(dt), requires_grad)


@logs_events("aten::linspace", "aten::empty", "aten::linspace")
@_dtypes.checks_device(uses_default=True)
def linspace(start, end, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from start to end, bit for bit as torch's CPU kernel computes them.

    Example: ``torch.linspace(0, 1, 5)`` is ``tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])``.
    """
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else _dtypes.DEFAULT_FLOAT[0].np
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    work = dt if dt.kind == "f" and dt.itemsize >= 4 else np.dtype(np.float64)
    s, e = work.type(dt.type(start)), work.type(dt.type(end))     # torch casts the ends to the output type
    if steps <= 1:
        return _finish(np.full(steps, s).astype(dt), requires_grad)
    # torch: start + step * i for the first half, end - step * (steps - 1 - i) for the second, each a
    # fused multiply-add in the output's precision (integer outputs: in double, then truncated)
    step = (e - s) / work.type(steps - 1)
    i = np.arange(steps)
    low = _fma(np.full(steps, step, work), i.astype(work), np.full(steps, s, work))
    high = _fma(np.full(steps, -step, work), (steps - 1 - i).astype(work), np.full(steps, e, work))
    return _finish(np.where(i < steps // 2, low, high).astype(dt), requires_grad)


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """a * b + c rounded once (Dekker's exact product, then an exact sum), as a hardware fma gives."""
    p = a * b
    split = a.dtype.type(134217729.0 if a.dtype.itemsize == 8 else 4097.0)   # Veltkamp: 2^ceil(p/2) + 1

    def halves(x):
        t = split * x
        hi = t - (t - x)
        return hi, x - hi
    (ah, al), (bh, bl) = halves(a), halves(b)
    product_error = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    total = p + c
    back = total - p
    sum_error = (p - (total - back)) + (c - back)
    return total + (sum_error + product_error)


@_dtypes.checks_device(uses_default=True)
def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix. Example: ``torch.eye(2)``."""
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else _dtypes.DEFAULT_FLOAT[0].np
    return _finish(np.eye(n, m, dtype=dt), requires_grad)
