"""What the transforms accept: the function, argnums and static_argnums, argument leaves, outputs.

Leaves of the arguments are of two kinds. Arrays and numbers that can be traced (NumPy arrays and
scalars, Python floats, jax arrays) become program inputs. Everything else (Python ints, bools and
strings, None, slices, types, functions, objects) is *static*: under `grad` it reaches the function
as the Python value and is part of the cache key, as under `jax.grad`. Python ints and bools are
static for `grad`'s non-differentiated arguments and traced (as integer arrays) under `jit`, where
only `static_argnums`/`static_argnames` are static, as in `jax.jit`.
"""

from __future__ import annotations

import inspect
import operator

import numpy as np

from .core import Tracer, is_jax_array
from .errors import ArgnumsError, user_location
from .tree import leaf_paths

_TRACEABLE = (np.ndarray, np.generic, float, complex, Tracer)


def check_callable(fun, transform: str) -> None:
    """Raise TypeError unless `fun` can be transformed."""
    if not callable(fun):
        raise TypeError(f"{transform} expects a callable as its first argument, got {_describe(fun)} "
                        f"(at {user_location()}); pass the function itself, e.g. {transform}(f), not f(x)")


def _describe(value) -> str:
    text = repr(value) if isinstance(value, (int, float, str, bool, type(None))) else "an object"
    return f"{text} of type {type(value).__name__}"


def argnums_tuple(argnums, what: str = "argnums") -> tuple:
    """`argnums` as a tuple of ints (not yet checked against a call): an int, an integer NumPy
    scalar, or a non-empty sequence of them, without repeats."""
    items = argnums if isinstance(argnums, (tuple, list)) else (argnums,)
    nums = []
    for item in items:
        if isinstance(item, bool) or not _is_integer(item):
            raise ArgnumsError(argnums, None, user_location(), what=what,
                               problem=f"{_describe(item)} is not an integer")
        nums.append(operator.index(item))
    if what == "argnums" and not nums:
        raise ArgnumsError(argnums, None, user_location(), what=what, problem="no argument is named")
    if len(set(nums)) != len(nums):
        raise ArgnumsError(argnums, None, user_location(), what=what, problem="an argument is named twice")
    return tuple(nums)


def _is_integer(value) -> bool:
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def resolve_argnums(nums: tuple, argnums, nargs: int, what: str = "argnums") -> tuple:
    """`nums` made non-negative for a call with `nargs` positional arguments."""
    if any(not -nargs <= i < nargs for i in nums):
        raise ArgnumsError(argnums, nargs, user_location(), what=what)
    resolved = tuple(i % nargs for i in nums)
    if len(set(resolved)) != len(resolved):
        raise ArgnumsError(argnums, nargs, user_location(), what=what, problem="an argument is named twice")
    return resolved


def is_static_leaf(x) -> bool:
    """Whether a leaf is passed to the function as a Python value rather than traced (objects
    that convert to arrays, through `__array__`, are traced)."""
    return isinstance(x, type) or (not isinstance(x, _TRACEABLE) and not is_jax_array(x)
                                   and not hasattr(x, "__array__"))   # a class such as np.ndarray is static


def static_key(x):
    """A cache key for a static value that tells apart values that compare equal across types
    (`1`, `True`, `1.0`); unhashable values are keyed by identity."""
    t = type(x)
    if t is tuple or t is list or t is frozenset:
        return (t, tuple(static_key(v) for v in x))
    if t is slice:
        return (t, static_key(x.start), static_key(x.stop), static_key(x.step))
    try:
        hash(x)
    except TypeError:
        return (t, "id", id(x))
    if t is float:
        return (t, x, np.copysign(1.0, x) > 0)      # 0.0 and -0.0 are different programs
    return (t, x)


def check_outputs(out_leaves: list, out_tree, transform: str, fun) -> None:
    """Raise TypeError, naming the output's path, for an output that is not an array or number."""
    for leaf, path in zip(out_leaves, leaf_paths(out_tree) if out_leaves else ()):
        if _is_array_output(leaf):
            continue
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind == "V" and leaf.dtype.names == ("float0",):
            raise TypeError(f"{transform}: output{path} is a float0 tangent, the tangent of an integer value "
                            f"(at {user_location()}); it holds no data and cannot leave a compiled program: "
                            "return only the tangents of floating-point outputs")
        if inspect.isgenerator(leaf):
            raise TypeError(f"{transform}: {_name(fun)} returned a generator (at {user_location()}); "
                            "fgrad transforms functions that return arrays: return the values instead of "
                            "yielding them")
        raise TypeError(f"{transform}: {_name(fun)} returned {_describe(leaf)} at output{path}, which is not "
                        f"an array (at {user_location()}); return arrays, numbers, or lists/tuples/dicts "
                        "of them")


def _is_array_output(leaf) -> bool:
    if isinstance(leaf, (Tracer, bool, int, float, complex)) or is_jax_array(leaf):
        return True
    return isinstance(leaf, (np.ndarray, np.generic)) and leaf.dtype.kind in "biufc"


def _name(fun) -> str:
    return f"function {getattr(fun, '__name__', type(fun).__name__)!s:.60}"


_COMPLEX = (np.dtype(np.complex64), np.dtype(np.complex128))


def check_float_dtype(dtype, transform: str) -> None:
    """Complex inputs are complex64 or complex128, as in jax: a wider complex dtype (NumPy's
    clongdouble) is a TypeError."""
    dtype = np.dtype(dtype)
    if dtype.kind == "c" and dtype not in _COMPLEX:
        raise TypeError(f"{transform}: complex input of dtype {dtype} (at {user_location()}); fgrad computes "
                        "with complex64 and complex128: convert it with x.astype(np.complex128)")
