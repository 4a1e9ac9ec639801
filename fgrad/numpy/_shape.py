"""Shape and indexing functions of fgrad.numpy: flips, rolls, splits, stacks, padding, diagonals,
triangles, repeat/tile, take/take_along_axis, sort/argsort and friends.

They are written with indexing (gather), reshape, broadcast and concatenate, so their derivatives
come from those primitives; on plain NumPy inputs they are NumPy's own functions.

Example:
    >>> import fgrad.numpy as fnp
    >>> fnp.flip(np.arange(3.0)).tolist(), fnp.tril(np.ones((2, 2))).tolist()
    ([2.0, 1.0, 0.0], [[1.0, 0.0], [1.0, 1.0]])
"""

from __future__ import annotations

import builtins

import numpy as np

from .._checks import _axis, _axis_tuple
from ..core import Tracer, ndim_of, shape_of
from ..errors import AxisError, user_location
from ..primitives import ordering as _ord
from ..primitives import shape as _sp
from . import (
    _as_operand,
    _is_traced,
    astype,
    broadcast_to,
    concatenate,
    ravel,
    reshape,
    result_type,
    transpose,
    where,
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


# --- at least n axes, stacking, splitting ------------------------------------------------------------

def _atleast(arys, nd: int, place):
    out = [reshape(a, place(shape(a))) if ndim(a) < nd else a for a in map(_as_operand, arys)]
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """Each input with at least one axis, as numpy.atleast_1d.

    Args:
        *arys: arrays or numbers.

    Returns:
        One array, or a list of them for several inputs.

    Example:
        >>> atleast_1d(1.0).shape
        (1,)
    """
    return _atleast(arys, 1, lambda s: (1,))


def atleast_2d(*arys):
    """Each input with at least two axes: (n,) becomes (1, n), as numpy.atleast_2d.

    Args:
        *arys: arrays or numbers.

    Returns:
        One array, or a list of them for several inputs.

    Example:
        >>> atleast_2d(np.ones(3)).shape
        (1, 3)
    """
    return _atleast(arys, 2, lambda s: (1,) * (2 - len(s)) + s)


def atleast_3d(*arys):
    """At least three axes: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1), as numpy.atleast_3d.

    Args:
        *arys: arrays or numbers.

    Returns:
        One array, or a list of them for several inputs.

    Example:
        >>> atleast_3d(np.ones(3)).shape
        (1, 3, 1)
    """
    return _atleast(arys, 3, lambda s: (1, 1, 1) if not s else (1,) + s + (1,) if len(s) == 1 else s + (1,))


def _as_list(tup) -> list:
    """The arrays to stack; an array stands for the list of its rows, as in NumPy."""
    if isinstance(tup, Tracer):
        return [tup[i] for i in range(shape_of(tup)[0])] if tup.ndim else [tup]
    return list(tup)


def vstack(tup):
    """Stack arrays vertically (axis 0; 1-d arrays become rows), as numpy.vstack (also `row_stack`).

    Args:
        tup: a sequence of arrays (or numbers), possibly traced.

    Returns:
        The joined array, at least 2-d.

    Example:
        >>> vstack([np.ones(2), np.zeros(2)]).shape
        (2, 2)
    """
    arrays = _as_list(tup)
    if not _is_traced(arrays):
        return np.vstack(arrays)
    return concatenate([atleast_2d(a) for a in arrays], axis=0)


row_stack = vstack


def hstack(tup):
    """Stack arrays horizontally (axis 1; axis 0 for 1-d arrays), as numpy.hstack.

    Args:
        tup: a sequence of arrays (or numbers), possibly traced.

    Returns:
        The joined array.

    Example:
        >>> hstack([np.ones(2), np.zeros(1)])
        array([1., 1., 0.])
    """
    arrays = _as_list(tup)
    if not _is_traced(arrays):
        return np.hstack(arrays)
    arrays = [atleast_1d(a) for a in arrays]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def dstack(tup):
    """Stack arrays depth-wise (axis 2), as numpy.dstack.

    Args:
        tup: a sequence of arrays (or numbers), possibly traced.

    Returns:
        The joined array, at least 3-d.

    Example:
        >>> dstack([np.ones(2), np.zeros(2)]).shape
        (1, 2, 2)
    """
    arrays = _as_list(tup)
    if not _is_traced(arrays):
        return np.dstack(arrays)
    return concatenate([atleast_3d(a) for a in arrays], axis=2)


def column_stack(tup):
    """Stack 1-d arrays as columns of a 2-d array (2-d arrays as they are), as numpy.column_stack.

    Args:
        tup: a sequence of arrays (or numbers), possibly traced.

    Returns:
        A 2-d array.

    Example:
        >>> column_stack([np.ones(2), np.zeros(2)])
        array([[1., 0.],
               [1., 0.]])
    """
    arrays = _as_list(tup)
    if not _is_traced(arrays):
        return np.column_stack(arrays)
    cols = [reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in map(_as_operand, arrays)]
    return concatenate(cols, axis=1)


def append(arr, values, axis=None):
    """`values` appended to `arr` (both flattened when axis is None), as numpy.append.

    Args:
        arr: the array.
        values: what to append; along `axis` it must match `arr`'s other sizes.
        axis: the axis to append along, or None.

    Returns:
        A new array; differentiable in both operands.

    Example:
        >>> append(np.array([1.0, 2.0]), 3.0)
        array([1., 2., 3.])
    """
    if not _is_traced((arr, values)):
        return np.append(arr, values, axis)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)])
    return concatenate([arr, values], axis=axis)


def _split_points(n: int, sections, equal: bool) -> list:
    if isinstance(sections, (int, np.integer)):
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        if equal and n % sections:
            raise ValueError("array split does not result in an equal division")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        return np.cumsum([0] + sizes).tolist()
    return [0] + [int(i) for i in sections] + [n]


def array_split(ary, indices_or_sections, axis: int = 0) -> list:
    """Split into pieces along `axis`; sections need not divide evenly, as numpy.array_split.

    Args:
        ary: the array.
        indices_or_sections: a number of sections, or the indices to split at.
        axis: the axis to split.

    Returns:
        A list of arrays (the first ones one longer when uneven).

    Example:
        >>> [p.tolist() for p in array_split(np.arange(5.0), 2)]
        [[0.0, 1.0, 2.0], [3.0, 4.0]]
    """
    if not _is_traced((ary,)):
        return np.array_split(ary, indices_or_sections, axis)
    return _split(ary, indices_or_sections, axis, equal=False)


def split(ary, indices_or_sections, axis: int = 0) -> list:
    """Split into equal sections or at the given indices along `axis`, as numpy.split.

    Args:
        ary: the array.
        indices_or_sections: a number that divides the axis, or the indices to split at.
        axis: the axis to split.

    Returns:
        A list of arrays.

    Raises:
        ValueError: a number of sections that does not divide the axis.

    Example:
        >>> [p.tolist() for p in split(np.arange(4.0), 2)]
        [[0.0, 1.0], [2.0, 3.0]]
    """
    if not _is_traced((ary,)):
        return np.split(ary, indices_or_sections, axis)
    return _split(ary, indices_or_sections, axis, equal=True)


def _split(ary, sections, axis, equal: bool) -> list:
    nd = ndim_of(ary)
    axis = _axis(axis, nd)
    n = shape_of(ary)[axis]
    points = _split_points(n, sections, equal)
    return [ary[_along(nd, axis, slice(builtins.min(lo, n), builtins.max(builtins.min(hi, n), builtins.min(lo, n))))]
            for lo, hi in zip(points[:-1], points[1:])]


def _split_along(name: str, min_nd: int, axis_of):
    def fn(ary, indices_or_sections):
        if ndim(ary) < min_nd:
            raise ValueError(f"{name} only works on arrays of {min_nd} or more dimensions")
        return split(ary, indices_or_sections, axis_of(ndim(ary)))
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""numpy.{name}: `split` along axis {axis_of(3)}, for arrays of at least {min_nd} axes.

    Args:
        ary: the array.
        indices_or_sections: a number that divides the axis, or the indices to split at.

    Returns:
        A list of arrays.

    Raises:
        ValueError: `ary` has fewer than {min_nd} axes, or the sections do not divide the axis.

    Example:
        >>> pieces = {name}(np.ones((2, 2, 2)), 2)
        >>> len(pieces), pieces[0].shape[{axis_of(3)}]
        (2, 1)
    """
    return fn


hsplit = _split_along("hsplit", 1, lambda nd: 1 if nd > 1 else 0)
vsplit = _split_along("vsplit", 2, lambda nd: 0)
dsplit = _split_along("dsplit", 3, lambda nd: 2)


# --- repeat, tile, pad -------------------------------------------------------------------------------

def repeat(a, repeats, axis=None):
    """Repeat each element `repeats` times along `axis` (of the flattened array by default), as numpy.repeat.

    Args:
        a: the array.
        repeats: an int, or one int per element along `axis` (concrete).
        axis: the axis, or None.

    Returns:
        The repeated array.

    Example:
        >>> repeat(np.array([1.0, 2.0]), 2)
        array([1., 1., 2., 2.])
    """
    if not _is_traced((a,)):
        return np.repeat(a, repeats, axis)
    if axis is None:
        a, axis = ravel(a), 0
    axis = _axis(axis, ndim_of(a))
    return _take_at(a, np.repeat(np.arange(shape_of(a)[axis]), repeats), axis)


def tile(A, reps):
    """Repeat the whole array `reps` times along each axis, as numpy.tile.

    Args:
        A: the array.
        reps: an int or a tuple of ints.

    Returns:
        The tiled array.

    Example:
        >>> tile(np.array([1.0, 2.0]), 2)
        array([1., 2., 1., 2.])
    """
    if not _is_traced((A,)):
        return np.tile(A, reps)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    nd = builtins.max(len(reps), ndim_of(A))
    dims = (1,) * (nd - ndim_of(A)) + tuple(shape_of(A))
    reps = (1,) * (nd - len(reps)) + reps
    inter = reshape(A, tuple(v for d in dims for v in (1, d)))
    full = broadcast_to(inter, tuple(v for r, d in zip(reps, dims) for v in (r, d)))
    return reshape(full, tuple(r * d for r, d in zip(reps, dims)))


_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(array, pad_width, mode: str = "constant", constant_values=0):
    """Pad with a constant, the edge values, a reflection or a wrap-around, as numpy.pad.

    Args:
        array: the array.
        pad_width: an int, a (before, after) pair, or one pair per axis.
        mode: 'constant', 'edge', 'reflect', 'symmetric' or 'wrap'.
        constant_values: the padding value for 'constant' (possibly traced).

    Returns:
        The padded array; the derivative crops (and, for copied modes, adds) the cotangent back.

    Raises:
        NotImplementedError: a traced array with a mode other than the five above.
        ValueError: a negative pad width.

    Example:
        >>> pad(np.array([1.0, 2.0]), 1)
        array([0., 1., 2., 0.])
    """
    if not _is_traced((array,)):
        kwargs = {"constant_values": constant_values} if mode == "constant" else {}
        return np.pad(array, pad_width, mode=mode, **kwargs)
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"fgrad.numpy.pad: mode={mode!r} is not supported at {user_location()}; "
                                  f"use one of {_PAD_MODES}")
    nd = ndim_of(array)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (nd, 2))
    if (widths < 0).any():
        raise ValueError("index can't contain negative values")
    values = np.broadcast_to(np.asarray(constant_values, dtype=object), (nd, 2)) if mode == "constant" else None
    for ax in range(nd):
        array = _pad_axis(array, ax, *widths[ax].tolist(), mode, None if values is None else values[ax])
    return array


def _pad_axis(a, ax: int, lo: int, hi: int, mode: str, values):
    if lo == hi == 0:
        return a
    n = shape_of(a)[ax]
    if mode != "constant":
        return _take_at(a, np.pad(np.arange(n), (lo, hi), mode=mode), ax)
    blocks = []
    for width, value in ((lo, values[0]), (hi, values[1])):
        block_shape = shape_of(a)[:ax] + (width,) + shape_of(a)[ax + 1:]
        blocks.append(astype(broadcast_to(_as_operand(value), block_shape), result_type(a)))
    return concatenate([blocks[0], a, blocks[1]], axis=ax)


# --- diagonals and triangles ---------------------------------------------------------------------------

def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The diagonal of the (axis1, axis2) planes, as the last axis, as numpy.diagonal.

    Args:
        a: an array with at least two axes.
        offset: the diagonal: 0 the main one, > 0 above.
        axis1: the first axis of the planes.
        axis2: the second axis.

    Returns:
        An array with the two axes removed and the diagonal appended as the last axis.

    Raises:
        ValueError: traced `a` has fewer than two axes.

    Example:
        >>> diagonal(np.arange(4.0).reshape(2, 2))
        array([0., 3.])
    """
    if not _is_traced((a,)):
        return np.diagonal(a, offset, axis1, axis2)
    nd = ndim_of(a)
    if nd < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    moved = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape_of(moved)[-2:]
    count = builtins.max(0, builtins.min(rows + builtins.min(offset, 0), cols - builtins.max(offset, 0)))
    start_r, start_c = builtins.max(-offset, 0), builtins.max(offset, 0)
    return moved[..., np.arange(count) + start_r, np.arange(count) + start_c]


def diag(v, k: int = 0):
    """The k-th diagonal of a 2-d array, or a 2-d array with `v` on its k-th diagonal, as numpy.diag.

    Args:
        v: a 1-d or 2-d array.
        k: the diagonal: 0 the main one, > 0 above, < 0 below.

    Returns:
        A 1-d diagonal (from 2-d input) or a square 2-d array (from 1-d input).

    Raises:
        ValueError: `v` is neither 1-d nor 2-d.

    Example:
        >>> diag(np.array([[1.0, 2.0], [3.0, 4.0]])), diag(np.array([1.0, 2.0]), 1).shape
        (array([1., 4.]), (3, 3))
    """
    if not _is_traced((v,)):
        return np.diag(v, k)
    if ndim_of(v) == 2:
        return diagonal(v, k)
    if ndim_of(v) != 1:
        raise ValueError("Input must be 1- or 2-d.")
    n = shape_of(v)[0] + builtins.abs(k)
    rows = np.arange(shape_of(v)[0]) + builtins.max(-k, 0)
    cols = np.arange(shape_of(v)[0]) + builtins.max(k, 0)
    return _sp.scatter_add(v, [rows, cols], (("array", 0), ("array", 1)), (n, n))


def diagflat(v, k: int = 0):
    """A 2-d array with the flattened `v` on its k-th diagonal, as numpy.diagflat.

    Args:
        v: an array, flattened.
        k: the diagonal.

    Returns:
        A square 2-d array.

    Example:
        >>> diagflat(np.ones(2))
        array([[1., 0.],
               [0., 1.]])
    """
    return np.diagflat(v, k) if not _is_traced((v,)) else diag(ravel(v), k)


def trace(a, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None):
    """The sum along a diagonal, as numpy.trace.

    Args:
        a: an array with at least two axes.
        offset: the diagonal.
        axis1: the first axis of the planes.
        axis2: the second axis.
        dtype: the dtype to sum in.

    Returns:
        The sums, with the two axes removed.

    Example:
        >>> float(trace(np.eye(3)))
        3.0
    """
    if not _is_traced((a,)):
        return np.trace(a, offset, axis1, axis2, dtype)
    from . import sum as _sum
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def _triangle(m, k: int, lower: bool):
    if ndim_of(m) < 1:
        raise ValueError("input array must be at least 1-d")
    dims = shape_of(m)[-2:]
    rows, cols = (dims[0], dims[0]) if len(dims) == 1 else dims
    keep = np.tri(rows, cols, k, dtype=bool) if lower else ~np.tri(rows, cols, k - 1, dtype=bool)
    return where(keep, m, 0)


def tril(m, k: int = 0):
    """Zero the elements above the k-th diagonal, as numpy.tril.

    Args:
        m: an array with at least two axes (the last two form the matrices).
        k: the diagonal.

    Returns:
        An array of `m`'s shape.

    Example:
        >>> tril(np.ones((2, 2)))
        array([[1., 0.],
               [1., 1.]])
    """
    return np.tril(m, k) if not _is_traced((m,)) else _triangle(m, k, lower=True)


def triu(m, k: int = 0):
    """Zero the elements below the k-th diagonal, as numpy.triu.

    Args:
        m: an array with at least two axes (the last two form the matrices).
        k: the diagonal.

    Returns:
        An array of `m`'s shape.

    Example:
        >>> triu(np.ones((2, 2)))
        array([[1., 1.],
               [0., 1.]])
    """
    return np.triu(m, k) if not _is_traced((m,)) else _triangle(m, k, lower=False)


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


# --- grids and selection ---------------------------------------------------------------------------

def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy") -> list:
    """Coordinate arrays from coordinate vectors, as numpy.meshgrid.

    Args:
        *xi: 1-d coordinate arrays.
        copy: NumPy's flag (plain arrays only).
        sparse: return broadcastable arrays instead of full grids.
        indexing: 'xy' (Cartesian: the first two axes swapped) or 'ij' (matrix).

    Returns:
        A list of arrays, one per input.

    Raises:
        ValueError: `indexing` is neither 'xy' nor 'ij'.

    Example:
        >>> [g.shape for g in meshgrid(np.arange(2.0), np.arange(3.0))]
        [(3, 2), (3, 2)]
    """
    if not _is_traced(xi):
        return np.meshgrid(*xi, copy=copy, sparse=sparse, indexing=indexing)
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    nd = len(xi)
    vectors = [ravel(x) for x in xi]
    out_shape = [shape_of(v)[0] for v in vectors]
    if indexing == "xy" and nd > 1:
        out_shape[0], out_shape[1] = out_shape[1], out_shape[0]
    grids = []
    for i, v in enumerate(vectors):
        at = (1 - i if i < 2 else i) if indexing == "xy" and nd > 1 else i
        g = reshape(v, tuple(-1 if j == at else 1 for j in range(nd)))
        grids.append(g if sparse else broadcast_to(g, tuple(out_shape)))
    return grids


def select(condlist, choicelist, default=0):
    """The choice of the first true condition, elementwise (`default` where none holds), as numpy.select.

    Args:
        condlist: a list of bool arrays.
        choicelist: a list of arrays, one per condition.
        default: the value where no condition holds.

    Returns:
        An array of the broadcast shape; the derivative flows to the chosen entries only.

    Raises:
        ValueError: `condlist` and `choicelist` differ in length.

    Example:
        >>> x = np.array([-2.0, 0.0, 3.0])
        >>> select([x < 0, x > 0], [-x, x], default=9.0)
        array([2., 9., 3.])
    """
    condlist, choicelist = list(condlist), list(choicelist)
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if not _is_traced((*condlist, *choicelist, default)):
        return np.select(condlist, choicelist, default)
    out = default
    for cond, choice in reversed(list(zip(condlist, choicelist))):
        out = where(cond, choice, out)
    return out


def diff(a, n: int = 1, axis: int = -1, prepend=None, append=None):
    """The n-th discrete difference along `axis`, as numpy.diff.

    Args:
        a: the array.
        n: how many times to difference.
        axis: the axis.
        prepend: values put before `a` along `axis` first.
        append: values put after `a` first.

    Returns:
        An array `n` shorter along `axis` (plus what was prepended and appended).

    Raises:
        AxisError: `axis` is out of range for the array's rank.

    Example:
        >>> diff(np.array([1.0, 4.0, 9.0]))
        array([3., 5.])
    """
    if not _is_traced((a, prepend, append)):
        kw = {k: v for k, v in (("prepend", prepend), ("append", append)) if v is not None}
        return np.diff(a, n, axis, **kw)
    a = _as_operand(a)
    nd = ndim_of(a)
    if nd == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = _axis(axis, nd)
    parts = ([_edge(prepend, a, axis)] if prepend is not None else []) + [a] + (
        [_edge(append, a, axis)] if append is not None else [])
    a = concatenate(parts, axis=axis) if len(parts) > 1 else a
    for _ in range(n):
        a = a[_along(nd, axis, slice(1, None))] - a[_along(nd, axis, slice(None, -1))]
    return a


def _edge(value, a, axis: int):
    """A prepend/append value broadcast to a block of `a` one element wide along `axis`."""
    value = _as_operand(value)
    if ndim_of(value) == 0:
        block = shape_of(a)[:axis] + (1,) + shape_of(a)[axis + 1:]
        value = broadcast_to(value, block)
    return astype(value, result_type(a, value))
