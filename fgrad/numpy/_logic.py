"""Logic of fgrad.numpy: all/any, isfinite/isinf, logical_xor, isclose/allclose, array_equal and
count_nonzero.
"""

from __future__ import annotations

import numpy as np

from ..core import shape_of
from . import (
    _is_traced,
    abs,
    astype,
    equal,
    isnan,
    logical_not,
    max,
    min,
    not_equal,
    sum,
)

# --- logic -------------------------------------------------------------------------------------------

def all(a, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy.all
    """Whether every element is true (along `axis`), as numpy.all; no derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Bools, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> bool(all(np.array([1.0, 0.0])))
        False
    """
    if not _is_traced((a,)):
        return np.all(a, axis=axis, keepdims=keepdims)
    return not_equal(min(not_equal(a, 0), axis, keepdims), 0)


def any(a, axis=None, keepdims: bool = False):  # noqa: A001 - mirrors numpy.any
    """Whether some element is true (along `axis`), as numpy.any; no derivative.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Bools, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> bool(any(np.array([1.0, 0.0])))
        True
    """
    if not _is_traced((a,)):
        return np.any(a, axis=axis, keepdims=keepdims)
    return not_equal(max(not_equal(a, 0), axis, keepdims), 0)


def isfinite(x):
    """Neither infinite nor NaN, elementwise, as numpy.isfinite; no derivative.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> isfinite(np.array([1.0, np.inf, np.nan]))
        array([ True, False, False])
    """
    return np.isfinite(x) if not _is_traced((x,)) else logical_not(isnan(x - x))


def isinf(x):
    """+inf or -inf, elementwise, as numpy.isinf; no derivative.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> isinf(np.array([1.0, -np.inf]))
        array([False,  True])
    """
    if not _is_traced((x,)):
        return np.isinf(x)
    from . import logical_and
    return logical_and(logical_not(isnan(x)), isnan(x - x))


def logical_xor(x, y):
    """Elementwise exclusive or of truth values, as numpy.logical_xor.

    Args:
        x: an array, a number or a traced value (nonzero is true).
        y: the same, broadcast against `x`.

    Returns:
        A bool array of the broadcast shape.

    Example:
        >>> logical_xor(np.array([True, False]), True)
        array([False,  True])
    """
    if not _is_traced((x, y)):
        return np.logical_xor(x, y)
    return not_equal(astype(x, np.bool_), astype(y, np.bool_))


def isclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """|a - b| <= atol + rtol * |b| elementwise (infinities equal themselves), as numpy.isclose.

    Args:
        a: an array, a number or a traced value.
        b: the same, broadcast against `a`.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool array of the broadcast shape (no derivative).

    Example:
        >>> isclose(np.array([1.0, 1.1]), 1.0 + 1e-9)
        array([ True, False])
    """
    if not _is_traced((a, b)):
        return np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    from . import less_equal, logical_and, logical_or
    close = less_equal(abs(a - b), atol + rtol * abs(b))
    close = logical_and(close, logical_and(isfinite(a), isfinite(b)))
    close = logical_or(close, equal(a, b))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(a), isnan(b)))
    return close


def allclose(a, b, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Whether every element of a and b is close (see `isclose`), as numpy.allclose.

    Args:
        a: an array, a number or a traced value.
        b: the same, broadcast against `a`.
        rtol: the relative tolerance.
        atol: the absolute tolerance.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool scalar (traced when an operand is).

    Example:
        >>> bool(allclose(np.ones(2), np.ones(2) + 1e-9))
        True
    """
    if not _is_traced((a, b)):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    return all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan: bool = False):
    """Same shape and the same elements, as numpy.array_equal.

    Args:
        a1: an array, a number or a traced value.
        a2: the same.
        equal_nan: count NaN as equal to NaN.

    Returns:
        A bool scalar; False without comparing when the shapes differ.

    Example:
        >>> bool(array_equal(np.ones(2), np.ones(2))), bool(array_equal(np.ones(2), np.ones(3)))
        (True, False)
    """
    if not _is_traced((a1, a2)):
        return bool(np.array_equal(a1, a2, equal_nan=equal_nan))
    if shape_of(a1) != shape_of(a2):
        return False
    from . import logical_and, logical_or
    same = equal(a1, a2)
    if equal_nan:
        same = logical_or(same, logical_and(isnan(a1), isnan(a2)))
    return all(same)


def count_nonzero(a, axis=None, *, keepdims: bool = False):
    """How many elements are not zero (along `axis`), as numpy.count_nonzero.

    Args:
        a: the array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: keep the reduced axes with length 1.

    Returns:
        Integer counts, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `a`'s rank.

    Example:
        >>> int(count_nonzero(np.array([0.0, 2.0])))
        1
    """
    if not _is_traced((a,)):
        return np.count_nonzero(a, axis=axis, keepdims=keepdims)
    return sum(not_equal(a, 0), axis=axis, keepdims=keepdims)
