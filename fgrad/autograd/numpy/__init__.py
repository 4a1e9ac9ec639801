"""autograd.numpy on fgrad: fgrad.numpy's array API, plus what autograd.numpy adds to it.

`random` is NumPy's own (it draws data, which has no derivative), `__version__` is NumPy's, the
floating-point scalar types are NumPy's (so `x.dtype.type is np.float32` holds), `where` with
neither arrays nor traced values among its arguments returns Python values, as autograd's does, and
`make_diagonal` is autograd's complement of `diagonal`.
A NumPy function fgrad.numpy does not have is NumPy's, wrapped as an autograd primitive without
derivative rules: it runs on traced values, and differentiating through it raises
NotImplementedError, as autograd does for the functions it has no gradient for.

Example:
    >>> import fgrad.autograd.numpy as np
    >>> np.where(True, 1, 2), type(np.random.randn(2))
    (1, <class 'numpy.ndarray'>)
"""

import builtins as _builtins
import importlib as _importlib

import numpy as _np

from fgrad.numpy import *  # noqa: F403 - the whole array API, as autograd.numpy re-exports NumPy's
from fgrad.numpy import where as _fgrad_where

from ...core import Tracer as _Tracer
from ..tracer import primitive as _primitive
from . import random as random

# `from . import linalg` would keep the star import's fgrad.numpy.linalg: import the submodules by name
fft = _importlib.import_module(__name__ + ".fft")
linalg = _importlib.import_module(__name__ + ".linalg")

__version__ = _np.__version__
float16 = _np.float16
float32 = _np.float32
float64 = _np.float64
longdouble = _np.longdouble
complex64 = _np.complex64
complex128 = _np.complex128
clongdouble = _np.clongdouble

def make_diagonal(D, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The arrays whose diagonals (over the last two axes) are `D`'s last axis: shape
    `D.shape + D.shape[-1:]`, as autograd.numpy.make_diagonal (which takes only these axes).

    Raises:
        NotImplementedError: for other offsets or axes, as autograd does.

    Example:
        >>> make_diagonal(_np.array([1.0, 2.0]), axis1=-1, axis2=-2)
        array([[1., 0.],
               [0., 2.]])
    """
    if not (offset == 0 and axis1 == -1 and axis2 == -2):
        raise NotImplementedError("Currently make_diagonal only supports offset=0, axis1=-1, axis2=-2")
    D = asarray(D)  # noqa: F405 - fgrad.numpy's
    return D[..., None] * eye(D.shape[-1], dtype=D.dtype)  # noqa: F405 - fgrad.numpy's


_WRAPPED: dict = {}     # NumPy functions wrapped on first use; at most one per NumPy name


def __getattr__(name: str):
    fun = getattr(_np, name, None)
    if name.startswith("_") or not callable(fun) or isinstance(fun, type):
        raise AttributeError(f"module 'fgrad.autograd.numpy' has no attribute {name!r}")
    if name not in _WRAPPED:
        _WRAPPED[name] = _primitive(fun)
    return _WRAPPED[name]


def _is_array_like(x) -> bool:
    if isinstance(x, (_Tracer, _np.ndarray, _np.generic)):
        return True
    return isinstance(x, (list, tuple)) and _builtins.any(_is_array_like(item) for item in x)


def where(condition, *args, **kwargs):
    """`fgrad.numpy.where`; on Python values only (no arrays, no traced values) the result is a
    Python value (a number, or a list), as autograd.numpy.where gives.

    Raises:
        ValueError: when only one of x and y is given.

    Example:
        >>> where([True, False], [1, 2], [3, 4])
        [1, 4]
    """
    if not args and not kwargs:
        return _fgrad_where(condition)
    if len(args) + len(kwargs) != 2:
        raise ValueError("either both or neither of x and y should be given")
    x = args[0] if args else kwargs.get("x")
    y = args[1] if len(args) > 1 else kwargs.get("y")
    if _builtins.any(_is_array_like(v) for v in (condition, x, y)):
        return _fgrad_where(condition, x, y)
    result = _np.where(condition, x, y)
    return result.tolist() if isinstance(result, _np.ndarray) else result
