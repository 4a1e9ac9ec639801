"""Products: matmul, dot, vdot, outer and einsum."""

from __future__ import annotations

import builtins

import numpy as np

from ..core import ndim_of, shape_of
from ..errors import ShapeError
from ..primitives import linalg as _lin
from ._complex import conj
from ._elementwise import multiply
from ._promote import _as_operand, _is_traced, astype, result_type
from ._reshape import broadcast_to, expand_dims, ravel, reshape, squeeze


def matmul(a, b):
    """Matrix product with NumPy's rules for 1-d operands and leading batch axes.

    Traced, it is one `dot_general` primitive (batch axes broadcast first), whose transpose rules
    give both gradients.

    Args:
        a: an array with at least one axis: (n,), (m, n) or (..., m, n).
        b: an array with at least one axis: (n,), (n, k) or (..., n, k).

    Returns:
        The product; a 1-d operand's axis is dropped from the result, as in NumPy.

    Raises:
        ShapeError: a traced operand is a scalar, or the batch axes do not broadcast.

    Example:
        >>> matmul(np.eye(2), np.array([1.0, 2.0]))
        array([1., 2.])
    """
    if not _is_traced((a, b)):
        return np.matmul(a, b)
    a, b = (astype(_as_operand(v), result_type(a, b)) for v in (a, b))
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        raise ShapeError("matmul: operands must have at least one axis; use * for scalars")
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if a_nd <= 2 and b_nd <= 2:
        return _lin.dot_general(a, b, ((a_nd - 1,), (0 if b_nd == 1 else b_nd - 2,)))
    a2 = a if a_nd > 1 else expand_dims(a, 0)
    b2 = b if b_nd > 1 else expand_dims(b, -1)
    try:
        batch = np.broadcast_shapes(shape_of(a2)[:-2], shape_of(b2)[:-2])
    except ValueError:
        raise ShapeError(f"matmul: the batch axes of shapes {shape_of(a)} and {shape_of(b)} (all but the "
                         "last two) cannot be broadcast together; make them equal or 1") from None
    a2 = broadcast_to(a2, batch + shape_of(a2)[-2:])
    b2 = broadcast_to(b2, batch + shape_of(b2)[-2:])
    nb = len(batch)
    out = _lin.dot_general(a2, b2, ((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    if a_nd == 1:
        out = squeeze(out, -2)
    return squeeze(out, -1) if b_nd == 1 else out


def dot(a, b):
    """numpy.dot: scalars multiply, otherwise contract the last axis of `a` with `b`'s second-last.

    Args:
        a: an array or number.
        b: an array or number.

    Returns:
        The product; its shape is `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`.

    Example:
        >>> float(dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
        11.0
    """
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return multiply(a, b)
    if not _is_traced((a, b)):
        return np.dot(a, b)
    a, b = (astype(_as_operand(v), result_type(a, b)) for v in (a, b))
    return _lin.dot_general(a, b, ((ndim_of(a) - 1,), (builtins.max(ndim_of(b) - 2, 0),)))


def vdot(a, b):
    """Dot product of flattened arrays, the first conjugated (as numpy.vdot).

    Args:
        a: an array; conjugated and flattened.
        b: an array with as many elements; flattened.

    Returns:
        A scalar.

    Example:
        >>> complex(vdot(np.array([1j, 2.0]), np.array([1j, 3.0])))
        (7+0j)
    """
    return dot(conj(ravel(a)), ravel(b))


def outer(a, b):
    """Outer product of flattened arrays.

    Args:
        a: an array, flattened.
        b: an array, flattened.

    Returns:
        An array of shape `(a.size, b.size)`.

    Example:
        >>> outer(np.ones(2), np.arange(3.0))
        array([[0., 1., 2.],
               [0., 1., 2.]])
    """
    return multiply(reshape(ravel(a), (-1, 1)), reshape(ravel(b), (1, -1)))


def einsum(subscripts, *operands):
    """Einstein summation as numpy.einsum: subscripts with '...', repeated indices (diagonals), any
    number of operands, an implicit output, or the interleaved form ``einsum(a, [0, 1], b, [1, 2])``.

    Traced, it becomes transposes, diagonals and `dot_general`s, contracted pairwise.

    Args:
        subscripts: the subscripts string, or the first operand in the interleaved form.
        *operands: the arrays (interleaved with their axis lists in the interleaved form).

    Returns:
        The contraction.

    Example:
        >>> einsum("ij,j->i", np.eye(2), np.array([1.0, 2.0]))
        array([1., 2.])
    """
    from .._einsum import einsum as _einsum
    if not _is_traced((subscripts, *operands)):
        return np.einsum(subscripts, *operands)
    return _einsum(subscripts, *operands)
