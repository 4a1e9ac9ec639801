"""Bitwise functions of fgrad.numpy, for integer and boolean arrays, as NumPy's.

They compute with NumPy on plain inputs and record a bitwise primitive on traced ones; on booleans
`bitwise_and`/`or`/`xor`/`invert` are the logical operations, so `mask & other` works either way.

Example:
    >>> import fgrad.numpy as fnp
    >>> int(fnp.bitwise_and(12, 10)), int(fnp.left_shift(1, 4)), bool(fnp.invert(False))
    (8, 16, True)
"""

from __future__ import annotations

from ..primitives import bitwise as _b
from . import _binary, _unary


def bitwise_and(x, y):
    """Elementwise bitwise and of integer or boolean arrays, as numpy.bitwise_and (also ``x & y``).

    No derivative (integer outputs); under grad these values are constants.

    Args:
        x: an integer or boolean array, number or traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted integer (or bool) dtype.

    Raises:
        TypeError: for a floating-point operand.

    Example:
        >>> bitwise_and(np.array([12, 5]), 10)
        array([8, 0])
    """
    return _binary(_b.bitwise_and_p, x, y)


def bitwise_or(x, y):
    """Elementwise bitwise or of integer or boolean arrays, as numpy.bitwise_or (also ``x | y``).

    No derivative (integer outputs); under grad these values are constants.

    Args:
        x: an integer or boolean array, number or traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted integer (or bool) dtype.

    Raises:
        TypeError: for a floating-point operand.

    Example:
        >>> bitwise_or(np.array([12, 5]), 10)
        array([14, 15])
    """
    return _binary(_b.bitwise_or_p, x, y)


def bitwise_xor(x, y):
    """Elementwise bitwise exclusive or, as numpy.bitwise_xor (also ``x ^ y``).

    No derivative (integer outputs); under grad these values are constants.

    Args:
        x: an integer or boolean array, number or traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted integer (or bool) dtype.

    Raises:
        TypeError: for a floating-point operand.

    Example:
        >>> bitwise_xor(np.array([True, False]), True)
        array([False,  True])
    """
    return _binary(_b.bitwise_xor_p, x, y)


def left_shift(x, y):
    """Integers shifted left by `y` bits, as numpy.left_shift (also ``x << y``).

    No derivative (integer outputs); under grad these values are constants.

    Args:
        x: an integer or boolean array, number or traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted integer (or bool) dtype.

    Raises:
        TypeError: for a boolean or floating-point operand.

    Example:
        >>> left_shift(np.array([1, 3]), 2)
        array([ 4, 12])
    """
    return _binary(_b.left_shift_p, x, y)


def right_shift(x, y):
    """Integers shifted right by `y` bits, as numpy.right_shift (also ``x >> y``).

    No derivative (integer outputs); under grad these values are constants.

    Args:
        x: an integer or boolean array, number or traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted integer (or bool) dtype.

    Raises:
        TypeError: for a boolean or floating-point operand.

    Example:
        >>> right_shift(np.array([16, 7]), 2)
        array([4, 1])
    """
    return _binary(_b.right_shift_p, x, y)


def invert(x):
    """Elementwise bitwise not, as numpy.invert (also ``~x``); on booleans, logical not.

    Args:
        x: an integer or boolean array, number or traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Raises:
        TypeError: for a floating-point operand.

    Example:
        >>> invert(np.array([0, 5])), invert(np.array([True, False]))
        (array([-1, -6]), array([False,  True]))
    """
    return _unary(_b.invert_p, x, floating=False)


bitwise_not = invert
