"""autograd.builtins: `list`, `tuple`, `dict`, `isinstance` and `type` that see through tracing.

In fgrad a traced value is never a container (lists, tuples and dicts of traced arrays are plain
Python containers), so the container types are Python's own; `isinstance` and `type` treat a traced
array as the `numpy.ndarray` it stands for.
"""

from __future__ import annotations

import builtins as _builtins

import numpy as np

from ..core import Tracer

list = _builtins.list
tuple = _builtins.tuple
dict = _builtins.dict


def isinstance(obj, classinfo) -> bool:
    """Python's isinstance, with a traced array counting as a `numpy.ndarray`.

    Example:
        >>> import fgrad, numpy
        >>> float(fgrad.grad(lambda x: x * isinstance(x, numpy.ndarray))(1.0))
        1.0
    """
    if _builtins.isinstance(obj, Tracer):
        classes = classinfo if _builtins.isinstance(classinfo, _builtins.tuple) else (classinfo,)
        if any(c is np.ndarray or c is Tracer for c in classes):
            return True
    return _builtins.isinstance(obj, classinfo)


def type(obj):
    """Python's type, with a traced array's type being `numpy.ndarray`.

    Example:
        >>> type([1.0])
        <class 'list'>
    """
    return np.ndarray if _builtins.isinstance(obj, Tracer) else _builtins.type(obj)
