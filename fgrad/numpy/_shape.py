"""Shape queries, axis reordering, take and sort of fgrad.numpy: shape/ndim/size, moveaxis, flips,
rolls, rot90, take/take_along_axis, sort/argsort and partition/argpartition.

They are written with indexing (gather), reshape, broadcast and concatenate, so their derivatives
come from those primitives; on plain NumPy inputs they are NumPy's own functions.

Example:
    >>> import fgrad.numpy as fnp
    >>> fnp.flip(np.arange(3.0)).tolist(), fnp.tril(np.ones((2, 2))).tolist()
    ([2.0, 1.0, 0.0], [[1.0, 0.0], [1.0, 1.0]])
"""

from __future__ import annotations

import numpy as np

from .._checks import _axis, _axis_tuple
from ..core import Tracer, ndim_of, shape_of
from ..errors import AxisError, user_location
from ..primitives import ordering as _ord
from . import (
    _as_operand,
    _is_traced,
    ravel,
    reshape,
    transpose,
)


def shape(a) -> tuple:
    """The shape of an array, traced or not, as numpy.shape.

    Args:
        a: an array, a number or a traced value.

    Returns:
        A tuple of Python ints.

    Example:
        >>> shape(np.ones((2, 3)))
        (2, 3)
    """
    return tuple(shape_of(a)) if isinstance(a, Tracer) else np.shape(a)


def ndim(a) -> int:
    """The number of axes, traced or not, as numpy.ndim.

    Args:
        a: an array, a number or a traced value.

    Returns:
        A Python int.

    Example:
        >>> ndim(np.ones((2, 3)))
        2
    """
    return ndim_of(a) if isinstance(a, Tracer) else np.ndim(a)


def size(a, axis: int | None = None) -> int:
    """The number of elements (along `axis`), as numpy.size.

    Args:
        a: an array, a number or a traced value.
        axis: None (all elements) or an axis.

    Returns:
        A Python int.

    Example:
        >>> size(np.ones((2, 3))), size(np.ones((2, 3)), 1)
        (6, 3)
    """
    dims = shape(a)
    return int(np.prod(dims, dtype=np.int64)) if axis is None else dims[_axis(axis, len(dims))]


def _along(nd: int, axis: int, index) -> tuple:
    """An index tuple applying `index` along `axis` of an array of `nd` axes."""
    return (slice(None),) * axis + (index,) + (slice(None),) * (nd - axis - 1)


def _index(a, index: tuple):
    """`a[index]`; a NumPy `a` indexed by traced integers becomes a constant operand of the gather."""
    if isinstance(a, Tracer):
        return a[index]
    from .._tracer_ops import getitem
    return getitem(np.asarray(a), index)


def _take_at(a, idx: np.ndarray, axis: int):
    """`a` indexed along `axis` with the NumPy integer array `idx`."""
    return a[_along(ndim_of(a), axis, idx)]


# --- reordering ------------------------------------------------------------------------------------

def moveaxis(a, source, destination):
    """Move axes to new positions, as numpy.moveaxis.

    Args:
        a: the array.
        source: an axis or axes to move.
        destination: their new positions.

    Returns:
        `a` with its axes reordered.

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> moveaxis(np.ones((2, 3, 4)), 0, -1).shape
        (3, 4, 2)
    """
    if not _is_traced((a,)):
        return np.moveaxis(a, source, destination)
    nd = ndim_of(a)
    src, dst = _axis_tuple(source, nd), _axis_tuple(destination, nd)
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number of elements")
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


def rollaxis(a, axis: int, start: int = 0):
    """Roll `axis` back to position `start` (NumPy's older moveaxis).

    Args:
        a: the array.
        axis: the axis to move.
        start: the position it moves in front of.

    Returns:
        `a` with its axes reordered.

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> rollaxis(np.ones((2, 3, 4)), 2).shape
        (4, 2, 3)
    """
    if not _is_traced((a,)):
        return np.rollaxis(a, axis, start)
    nd = ndim_of(a)
    axis = _axis(axis, nd)
    start = start + nd if start < 0 else start
    if not 0 <= start <= nd:
        raise AxisError(f"rollaxis: start={start} is out of range for an array of {nd} axes at {user_location()}")
    return moveaxis(a, axis, start - 1 if axis < start else start)


def flip(m, axis=None):
    """Reverse the order of elements along `axis` (all axes by default), as numpy.flip.

    Args:
        m: the array.
        axis: None, an int or a tuple of ints.

    Returns:
        An array of `m`'s shape.

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> flip(np.arange(3.0))
        array([2., 1., 0.])
    """
    if not _is_traced((m,)):
        return np.flip(m, axis)
    nd = ndim_of(m)
    axes = range(nd) if axis is None else _axis_tuple(axis, nd)
    index = [slice(None)] * nd
    for ax in axes:
        index[ax] = slice(None, None, -1)
    return m[tuple(index)]


def fliplr(m):
    """Reverse the columns (axis 1), as numpy.fliplr.

    Args:
        m: an array with at least two axes.

    Returns:
        An array of `m`'s shape.

    Raises:
        ValueError: traced `m` has fewer than two axes.

    Example:
        >>> fliplr(np.array([[1.0, 2.0]]))
        array([[2., 1.]])
    """
    if ndim(m) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


def flipud(m):
    """Reverse the rows (axis 0), as numpy.flipud.

    Args:
        m: an array with at least one axis.

    Returns:
        An array of `m`'s shape.

    Raises:
        ValueError: traced `m` has no axis.

    Example:
        >>> flipud(np.array([1.0, 2.0]))
        array([2., 1.])
    """
    if ndim(m) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


def rot90(m, k: int = 1, axes=(0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `axes`, as numpy.rot90.

    Args:
        m: an array with at least two axes.
        k: the number of quarter turns (negative: clockwise).
        axes: the two axes of the plane.

    Returns:
        The rotated array.

    Raises:
        ValueError: `axes` is not two different axes of an array with at least two.

    Example:
        >>> rot90(np.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[2., 4.],
               [1., 3.]])
    """
    if not _is_traced((m,)):
        return np.rot90(m, k, axes)
    nd = ndim_of(m)
    axes = tuple(axes)
    if len(axes) != 2 or nd < 2:
        raise ValueError("len(axes) must be 2 and the array must have at least 2 axes.")
    a0, a1 = _axis(axes[0], nd), _axis(axes[1], nd)
    if a0 == a1:
        raise ValueError("Axes must be different.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


def roll(a, shift, axis=None):
    """Shift elements cyclically along `axis` (the flattened array by default), as numpy.roll.

    Args:
        a: the array.
        shift: an int or a tuple of ints (one per axis in `axis`).
        axis: None, an int or a tuple.

    Returns:
        An array of `a`'s shape.

    Example:
        >>> roll(np.arange(3.0), 1)
        array([2., 0., 1.])
    """
    if not _is_traced((a,)):
        return np.roll(a, shift, axis)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape_of(a))
    nd = ndim_of(a)
    shifts, axes = np.broadcast_arrays(np.asarray(shift), np.asarray(axis))
    for s, ax in zip(shifts.ravel().tolist(), axes.ravel().tolist()):
        ax = _axis(ax, nd)
        n = shape_of(a)[ax]
        if n:
            a = _take_at(a, (np.arange(n) - s) % n, ax)
    return a


# --- take, sort --------------------------------------------------------------------------------------

def take(a, indices, axis=None, mode=None):
    """Elements at `indices` along `axis` (of the flattened array by default), as numpy.take.

    Args:
        a: the array.
        indices: an int or integer array (concrete or traced).
        axis: the axis, or None.
        mode: NumPy's out-of-bounds mode ('raise', 'wrap', 'clip'), for plain arrays.

    Returns:
        An array with `indices`' shape in place of `axis`; the derivative scatters back (adding repeats).

    Raises:
        IndexError: an index is out of range for traced `a`.

    Example:
        >>> take(np.array([10.0, 20.0, 30.0]), [0, 2])
        array([10., 30.])
    """
    if not _is_traced((a, indices)):
        return np.take(a, indices, axis, mode=mode or "raise")
    if mode not in (None, "raise", "wrap", "clip"):
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axis(axis, ndim_of(a))
    indices = _as_operand(indices)
    if mode in ("wrap", "clip") and not isinstance(indices, Tracer):
        n = shape_of(a)[axis]
        indices = np.mod(indices, n) if mode == "wrap" else np.clip(indices, 0, n - 1)
    return _index(a, _along(ndim_of(a), axis, indices))


def take_along_axis(arr, indices, axis):
    """Elements picked along `axis` by an index array shaped like `arr`, as numpy.take_along_axis.

    Args:
        arr: the array.
        indices: an integer array broadcasting against `arr` except along `axis`.
        axis: the axis to pick along.

    Returns:
        An array of the broadcast shape.

    Raises:
        ValueError: `indices` and `arr` differ in rank.

    Example:
        >>> x = np.array([[3.0, 1.0], [2.0, 4.0]])
        >>> take_along_axis(x, np.argsort(x, axis=1), 1)
        array([[1., 3.],
               [2., 4.]])
    """
    if not _is_traced((arr, indices)):
        return np.take_along_axis(arr, indices, axis)
    if axis is None:
        arr, axis = ravel(arr), 0
    nd = ndim_of(arr)
    axis = _axis(axis, nd)
    if ndim_of(indices) != nd:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    index = []
    for ax in range(nd):
        if ax == axis:
            index.append(indices)
        else:
            index.append(np.arange(shape_of(arr)[ax]).reshape((-1,) + (1,) * (nd - ax - 1)))
    return _index(arr, tuple(index))


def argsort(a, axis: int | None = -1, kind=None, order=None, *, stable: bool = True, descending: bool = False):
    """Indices that sort `a` along `axis` (stable), as numpy.argsort; no derivative.

    Args:
        a: the array.
        axis: the axis to sort along, or None for the flattened array.
        kind: NumPy's algorithm name; ignored (the sort is stable).
        order: NumPy's field order; not supported.
        stable: accepted for the array API; the sort is always stable.
        descending: sort from largest to smallest.

    Returns:
        Integer indices of `a`'s shape (1-d with `axis=None`).

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> argsort(np.array([3.0, 1.0, 2.0]))
        array([1, 2, 0])
    """
    if not _is_traced((a,)):
        out = np.argsort(a if axis is not None else np.ravel(a), axis=-1 if axis is None else axis, kind="stable")
        return out if not descending else np.flip(np.argsort(np.flip(a, axis), axis=axis, kind="stable"), axis)
    if axis is None:
        a, axis = ravel(a), 0
    return _ord.argsort(a, _axis(axis, ndim_of(a)), descending)


def sort(a, axis: int | None = -1, kind=None, order=None, *, stable: bool = True, descending: bool = False):
    """`a` sorted along `axis`; the derivative follows each element to its place, as numpy.sort.

    Args:
        a: the array.
        axis: the axis to sort along, or None for the flattened array.
        kind: NumPy's algorithm name; ignored (the sort is stable).
        order: NumPy's field order; not supported.
        stable: accepted for the array API; the sort is always stable.
        descending: sort from largest to smallest.

    Returns:
        The sorted array, of `a`'s shape (1-d with `axis=None`).

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> sort(np.array([3.0, 1.0, 2.0]))
        array([1., 2., 3.])
    """
    if not _is_traced((a,)):
        out = np.sort(a, axis=axis, kind="stable")
        return np.flip(out, -1 if axis is None else axis) if descending else out
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axis(axis, ndim_of(a))
    return take_along_axis(a, _ord.argsort(a, axis, descending), axis)


def partition(a, kth, axis: int = -1):
    """`a` with its kth element in sorted position, smaller ones before it; fgrad sorts fully.

    Args:
        a: the array.
        kth: the index (or indices) that must be in sorted position.
        axis: the axis.

    Returns:
        An array of `a`'s shape (sorted along `axis`).

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> partition(np.array([3.0, 1.0, 2.0]), 1)
        array([1., 2., 3.])
    """
    return np.partition(a, kth, axis) if not _is_traced((a,)) else sort(a, axis)


def argpartition(a, kth, axis: int = -1):
    """Indices that partition `a` around its `kth` element; fgrad returns the full sort's indices.

    Args:
        a: the array.
        kth: the index (or indices) that must be in sorted position.
        axis: the axis.

    Returns:
        Integer indices of `a`'s shape, a valid partition (in fact sorted).

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> argpartition(np.array([3.0, 1.0, 2.0]), 1)
        array([1, 2, 0])
    """
    return np.argpartition(a, kth, axis) if not _is_traced((a,)) else argsort(a, axis)
