"""Diagonals and triangles of fgrad.numpy: diagonal, diag, diagflat, trace, tril and triu.
"""

from __future__ import annotations

import builtins

import numpy as np

from ..core import ndim_of, shape_of
from ..primitives import shape as _sp
from . import (
    _is_traced,
    ravel,
    where,
)
from ._shape import moveaxis

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
