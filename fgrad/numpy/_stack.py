"""Stacking, splitting, repeat, tile and pad of fgrad.numpy, and meshgrid, select and diff.

They are written with reshape, broadcast and concatenate, so their derivatives come from those
primitives; on plain NumPy inputs they are NumPy's own functions.
"""

from __future__ import annotations

import builtins

import numpy as np

from .._checks import _axis
from ..core import Tracer, ndim_of, shape_of
from ..errors import user_location
from . import (
    _as_operand,
    _is_traced,
    astype,
    broadcast_to,
    concatenate,
    ravel,
    reshape,
    result_type,
    where,
)
from ._shape import _along, _take_at, ndim, shape

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
