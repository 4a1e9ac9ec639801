"""Shape operations: reshape, ravel, transpose, squeeze, expand_dims, broadcast_to, concatenate, stack."""

from __future__ import annotations

import builtins

import numpy as np

from .._checks import _axis, _axis_tuple, _concat_axis, _reshape_target, _shape_tuple
from ..core import Tracer, bind, shape_of
from ..errors import ShapeError
from ..primitives import shape as _sp
from ._promote import _as_operand, _axes, _broadcast, _is_traced, _lift, astype, result_type


def reshape(x, newshape, *more):
    """Reshape, with one -1 inferred; the derivative reshapes the cotangent back.

    Args:
        x: the array.
        newshape: an int or a tuple of ints, one of which may be -1.
        *more: further sizes, so `reshape(x, 2, 3)` works as `x.reshape(2, 3)` does.

    Returns:
        `x`'s elements in row-major order with the new shape.

    Raises:
        ShapeError: traced `x`'s number of elements does not fit the sizes (NumPy's ValueError
            for plain arrays).

    Example:
        >>> reshape(np.arange(6.0), (2, -1)).shape
        (2, 3)
    """
    if more:
        newshape = (newshape, *more)
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.reshape(x, newshape)
    return _sp.reshape(x, _reshape_target(x.size, newshape))


def ravel(x):
    """Flatten to one axis, in row-major order.

    Args:
        x: the array.

    Returns:
        A 1-d array of `x.size` elements.

    Example:
        >>> ravel(np.ones((2, 2))).shape
        (4,)
    """
    return reshape(x, (-1,))


def transpose(x, axes=None):
    """Permute axes (reverse them by default); the derivative applies the inverse permutation.

    Args:
        x: the array.
        axes: a permutation of `range(x.ndim)` (None: reversed); negative axes count from the end.

    Returns:
        `x` with its axes permuted.

    Raises:
        ShapeError: traced `axes` is not a permutation of `x`'s axes.

    Example:
        >>> transpose(np.ones((2, 3))).shape
        (3, 2)
    """
    if not isinstance(x, Tracer):
        return np.transpose(x, axes)
    if axes is None:
        return _sp.transpose(x, tuple(reversed(range(x.ndim))))
    perm = _axis_tuple(axes, x.ndim)
    if len(perm) != x.ndim:
        raise ShapeError(f"axes don't match array: transpose of an array of shape {x.shape} needs a "
                         f"permutation of all {x.ndim} axes, got {axes!r}")
    return _sp.transpose(x, perm)


def swapaxes(x, axis1, axis2):
    """Swap two axes.

    Args:
        x: the array.
        axis1: the first axis.
        axis2: the second axis.

    Returns:
        `x` with the two axes exchanged.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> swapaxes(np.ones((2, 3)), 0, 1).shape
        (3, 2)
    """
    if not isinstance(x, Tracer):
        return np.swapaxes(x, axis1, axis2)
    perm = list(range(x.ndim))
    axis1, axis2 = _axis(axis1, x.ndim), _axis(axis2, x.ndim)
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _sp.transpose(x, perm)


def squeeze(x, axis=None):
    """Drop axes of length one.

    Args:
        x: the array.
        axis: None (every axis of length one), an int or a tuple of ints.

    Returns:
        `x` without those axes.

    Raises:
        ShapeError: a traced axis named in `axis` does not have length one.
        AxisError: an axis is out of range.

    Example:
        >>> squeeze(np.ones((1, 3))).shape
        (3,)
    """
    if not isinstance(x, Tracer):
        return np.squeeze(x, axis)
    axes = tuple(i for i, d in enumerate(x.shape) if d == 1) if axis is None else _axes(x, axis)
    for ax in axes:
        if x.shape[ax] != 1:
            raise ShapeError(f"cannot squeeze axis {ax} of length {x.shape[ax]} (shape {x.shape})")
    return _sp.reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def expand_dims(x, axis):
    """Insert axes of length one.

    Args:
        x: the array.
        axis: an int or a tuple of ints: positions in the result.

    Returns:
        `x` with the new axes.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> expand_dims(np.ones(3), 0).shape
        (1, 3)
    """
    if not isinstance(x, Tracer):
        return np.expand_dims(x, axis)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = _axis_tuple(axes, x.ndim + len(axes))
    ndim = x.ndim + len(axes)
    dims = iter(x.shape)
    return _sp.reshape(x, tuple(1 if i in axes else next(dims) for i in range(ndim)))


def broadcast_to(x, new_shape):
    """Broadcast to `new_shape` (no copy); the derivative sums the cotangent over the new axes.

    Args:
        x: an array or number.
        new_shape: the target shape, compatible with `x`'s under NumPy's rules.

    Returns:
        An array of `new_shape`.

    Raises:
        ShapeError: traced `x` cannot be broadcast to `new_shape`.

    Example:
        >>> broadcast_to(1.0, (2, 2))
        array([[1., 1.],
               [1., 1.]])
    """
    if not isinstance(x, Tracer):
        return np.broadcast_to(x, new_shape)
    new_shape = _shape_tuple(new_shape)
    if len(new_shape) < x.ndim or builtins.min(new_shape, default=0) < 0 or builtins.any(
            d not in (1, n) for d, n in zip(x.shape[::-1], new_shape[::-1])):
        raise ShapeError(f"cannot broadcast an array of shape {x.shape} to shape {new_shape}: lined up from the "
                         "right, each axis must be 1 or equal to the target's; add axes with x[None] or reshape")
    return _broadcast(x, new_shape) if x.shape else _sp.broadcast_in_dim(x, new_shape, ())


def concatenate(arrays, axis=0):
    """Join arrays along an existing axis; ``axis=None`` flattens them first, as NumPy does.

    Operands are promoted to one dtype; the derivative slices the cotangent back to each.

    Args:
        arrays: a sequence of arrays equal in shape except along `axis`.
        axis: the axis to join along, or None.

    Returns:
        The joined array.

    Raises:
        ShapeError: traced arrays differ in rank or in a size other than `axis`'s.

    Example:
        >>> concatenate([np.ones(2), np.zeros(1)])
        array([1., 1., 0.])
    """
    arrays = list(arrays)
    if not _is_traced(arrays):
        return np.concatenate(arrays, axis=axis)
    arrays = [_as_operand(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    dtype = result_type(*arrays)
    arrays = [astype(a, dtype) for a in arrays]
    return bind(_sp.concatenate_p, *arrays, axis=_concat_axis([shape_of(a) for a in arrays], axis))


def stack(arrays, axis=0):
    """Join arrays of one shape along a new axis.

    Args:
        arrays: a sequence of arrays of one shape.
        axis: where the new axis goes in the result.

    Returns:
        An array with one more axis, of length `len(arrays)`.

    Raises:
        ShapeError: traced arrays differ in shape.

    Example:
        >>> stack([np.ones(2), np.zeros(2)]).shape
        (2, 2)
    """
    arrays = list(arrays)
    if not _is_traced(arrays):
        return np.stack(arrays, axis=axis)
    shapes = {shape_of(a) for a in arrays}
    if len(shapes) > 1:
        raise ShapeError(f"all input arrays must have the same shape, got {sorted(shapes)}; "
                         "concatenate joins arrays that differ along the joining axis")
    axis = _axis(axis, len(shapes.pop()) + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)
