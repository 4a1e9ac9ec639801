"""torch dtypes, torch.Size, torch.device, and torch's type-promotion rules, over NumPy dtypes.

Example:
    >>> import fgrad.torch as torch
    >>> torch.float32, torch.Size([2, 3])
    (torch.float32, torch.Size([2, 3]))
"""

from __future__ import annotations

import builtins
import functools
import threading

import numpy as np


class dtype:  # noqa: N801 - torch's name
    """A torch dtype; `str()` and `repr()` give 'torch.float32' as torch does."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype):
        self.name, self.np = name, np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def to_real(self):
        return self


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)  # noqa: A001 - torch's alias
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
uint8 = dtype("uint8", np.uint8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)  # noqa: A001
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001

_BY_NUMPY = {d.np: d for d in (float16, float32, float64, int8, uint8, int16, int32, int64, bool)}
DEFAULT_FLOAT = [float32]


def from_numpy_dtype(np_dtype) -> dtype:
    """The torch dtype of a NumPy dtype (TypeError for ones torch lacks)."""
    found = _BY_NUMPY.get(np.dtype(np_dtype))
    if found is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).name}. The only supported "
                        "types are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    return found


def to_numpy_dtype(d) -> np.dtype:
    """NumPy dtype for a torch dtype, a NumPy dtype, or a Python type (float -> default dtype)."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:
        return DEFAULT_FLOAT[0].np
    if d is builtins.int:
        return np.dtype(np.int64)
    return np.dtype(d)


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of Python floats in new tensors. Example: ``torch.set_default_dtype(torch.float64)``."""
    DEFAULT_FLOAT[0] = d


def get_default_dtype() -> dtype:
    """The dtype Python floats become. Example: ``torch.get_default_dtype()`` is ``torch.float32``."""
    return DEFAULT_FLOAT[0]


class Size(tuple):
    """torch.Size: a tuple printing as `torch.Size([2, 3])`.

    Example:
        >>> Size([2, 3])
        torch.Size([2, 3])
    """

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia",
                "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
NO_CUDA = "Torch not compiled with CUDA enabled"


class device:  # noqa: N801
    """torch.device: a type and an optional index, parsed, printed and compared as torch does.

    Only the CPU holds tensors here; other types can be named (as in a CPU-only torch build).

    Example:
        >>> device("cpu"), device("cuda:1"), str(device("cpu", 0))
        (device(type='cpu'), device(type='cuda', index=1), 'cpu:0')
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index=None):  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, builtins.int) and not isinstance(type, builtins.bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        text = builtins.str(type)
        name, colon, number = text.partition(":")
        if name not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
                               f"{text}")
        if colon:
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{text}'")
            index = builtins.int(number)
        object.__setattr__(self, "type", name)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type,) if self.index is None else (self.type, self.index))

    def __enter__(self):
        """``with torch.device(d):`` factories called without a device inside create on `d`."""
        DEVICE_BLOCKS.stack = DEVICE_BLOCKS.stack + (self,)
        return self

    def __exit__(self, *exc):
        DEVICE_BLOCKS.stack = DEVICE_BLOCKS.stack[:-1]
        return False


def check_device(where) -> None:
    """Accept the CPU (or no device); anything else is the error a CPU-only torch build raises."""
    if where is None:
        return
    kind = where.type if isinstance(where, device) else device(where).type
    if kind == "cuda":
        raise AssertionError(NO_CUDA)
    if kind not in ("cpu", "meta"):
        raise RuntimeError(f"Device type {kind.upper()} is not available in this build; only the CPU is.")


DEFAULT_DEVICE = [device("cpu")]


class _DeviceBlocks(threading.local):
    """The devices of a thread's open ``with torch.device(...)`` blocks, innermost last (per thread, as
    torch's mode stack)."""

    stack: tuple = ()


DEVICE_BLOCKS = _DeviceBlocks()


def set_default_device(where) -> None:
    """Set the device of new tensors, as torch does: naming a device is accepted, and a factory
    creating on one that is not here (CUDA) raises then. Example: ``torch.set_default_device("cpu")``."""
    DEFAULT_DEVICE[0] = device("cpu" if where is None else where)


def get_default_device() -> device:
    """The device new tensors go to. Example: ``torch.get_default_device()`` is ``device(type='cpu')``."""
    return DEVICE_BLOCKS.stack[-1] if DEVICE_BLOCKS.stack else DEFAULT_DEVICE[0]


def check_factory_device(where) -> None:
    """Check the device a factory creates on: `where` if given, else the default (``with torch.device``
    or set_default_device); a CUDA device raises a CPU-only torch build's AssertionError."""
    check_device(get_default_device() if where is None else where)


def checks_device(uses_default: bool):
    """Decorator: a factory's `device` (else, with `uses_default`, the default device) must be one that
    exists here, with the error a CPU-only torch build gives for CUDA. Only the factories torch's
    device blocks reach use the default (`*_like` take their input's device, `normal` the CPU)."""
    def decorate(fn):
        @functools.wraps(fn)
        def create(*args, device=None, **kwargs):
            if device is not None or uses_default:
                check_factory_device(device)
            return fn(*args, **kwargs)
        return create
    return decorate


# --- promotion ---------------------------------------------------------------------------------

def _category(d: np.dtype) -> int:
    return 2 if d.kind == "f" else 0 if d.kind == "b" else 1


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types on NumPy dtypes: a float beats any integer (int64 + float32 is float32)."""
    if a == b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def result_type(operands) -> np.dtype:
    """torch's result type: dimensioned tensors, then 0-d tensors, then Python numbers, by category.

    A lower-priority operand only matters when its category (bool < integer < float) is higher.
    """
    from .tensor import Tensor
    groups = [None, None, None]        # dimensioned, zero-dim, wrapped Python numbers
    for x in operands:
        if isinstance(x, Tensor):
            d, g = x._data.dtype, 0 if x._data.ndim else 1
        else:
            d, g = _scalar_dtype(x), 2
        groups[g] = d if groups[g] is None else promote_types(groups[g], d)
    out = None
    for d in groups:
        if d is None:
            continue
        if out is None or _category(d) > _category(out):
            out = d if out is None else promote_types(out, d)
    return out


def _scalar_dtype(x) -> np.dtype:
    if isinstance(x, (np.bool_, builtins.bool)):
        return np.dtype(np.bool_)
    if isinstance(x, (builtins.int, np.integer)):
        return np.dtype(np.int64)
    return DEFAULT_FLOAT[0].np
