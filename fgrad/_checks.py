"""Argument checks for fgrad.numpy on traced arrays: axes, shapes and dtypes, each refused with the
class and the wording NumPy uses, plus where in the user's code and how to fix it."""

from __future__ import annotations

import operator

import numpy as np

from .errors import AxisError, ShapeError, user_location


def _numeric(dtype: np.dtype) -> np.dtype:
    """`dtype` if traced arrays can hold it (booleans and numbers), else a TypeError."""
    if dtype.kind not in "biufc":
        raise TypeError(f"traced arrays hold booleans and numbers, not {dtype} (at {user_location()}); "
                        "use a numeric dtype such as float64 or int64")
    return dtype


def _index(value, what: str) -> int:
    """`value` as a Python int (NumPy's rule: floats are refused rather than truncated)."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {type(value).__name__} {value!r:.60} at "
                        f"{user_location()}; write it as an int") from None


def _shape_tuple(shape_arg) -> tuple:
    """A shape given as an int or a sequence, as a tuple of Python ints."""
    dims = shape_arg if isinstance(shape_arg, (tuple, list)) else (shape_arg,)
    return tuple(_index(d, "a shape entry") for d in dims)


def _axis(ax, ndim: int) -> int:
    """One axis in 0..ndim-1; outside -ndim..ndim-1 it is an AxisError, never wrapped around."""
    ax = _index(ax, "axis")
    if not -ndim <= ax < ndim:
        fix = f"use an axis in range({-ndim}, {ndim})" if ndim else "a 0-d array has no axes; drop the axis"
        raise AxisError(f"axis {ax} is out of bounds for array of dimension {ndim}; {fix}")
    return ax % ndim


def _axis_tuple(axis, ndim: int) -> list:
    """An int or a sequence of ints, each checked against `ndim` and none repeated."""
    axes = [_axis(ax, ndim) for ax in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    if len(set(axes)) != len(axes):
        raise AxisError(f"repeated axis in {tuple(axis)} for an array of dimension {ndim}; name each axis once")
    return axes


def _reshape_target(size: int, newshape) -> tuple:
    """The user's shape with its unknown (negative, as in NumPy: -1) filled in; NumPy's wording, with
    the user's shape, when it cannot be."""
    asked = _shape_tuple(newshape)
    unknown = [i for i, d in enumerate(asked) if d < 0]
    if len(unknown) > 1:
        raise ShapeError(f"can only specify one unknown dimension (shape {asked}); give every dimension "
                         "but at most one -1")
    known = int(np.prod([d for d in asked if d >= 0], dtype=np.int64))
    if unknown and known and size % known == 0:
        return tuple(size // known if d < 0 else d for d in asked)
    if not unknown and known == size:
        return asked
    raise ShapeError(f"cannot reshape array of size {size} into shape {asked}; the dimensions must "
                     f"multiply to {size} (a -1 stands for the size the others leave)")


def _concat_axis(shapes: list, axis) -> int:
    """`axis` checked against the operands' shapes, with NumPy's messages for what does not join."""
    ndim = len(shapes[0])
    if not ndim:
        raise ShapeError("zero-dimensional arrays cannot be concatenated; use stack, or x[None] for each")
    axis = _axis(axis, ndim)
    for k, s in enumerate(shapes[1:], 1):
        if len(s) != ndim:
            raise ShapeError(f"all the input arrays must have same number of dimensions, but the array at "
                             f"index 0 has {ndim} dimension(s) and the array at index {k} has {len(s)} "
                             "dimension(s); reshape them alike, or pass axis=None to join them flattened")
        bad = [d for d in range(ndim) if d != axis and s[d] != shapes[0][d]]
        if bad:
            raise ShapeError(f"all the input array dimensions except for the concatenation axis must match "
                             f"exactly, but along dimension {bad[0]}, the array at index 0 has size "
                             f"{shapes[0][bad[0]]} and the array at index {k} has size {s[bad[0]]}")
    return axis
