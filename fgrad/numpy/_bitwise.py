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

    Raises:
        TypeError: for a floating-point operand.
    """
    return _binary(_b.bitwise_and_p, x, y)


def bitwise_or(x, y):
    """Elementwise bitwise or of integer or boolean arrays, as numpy.bitwise_or (also ``x | y``).

    Raises:
        TypeError: for a floating-point operand.
    """
    return _binary(_b.bitwise_or_p, x, y)


def bitwise_xor(x, y):
    """Elementwise bitwise exclusive or, as numpy.bitwise_xor (also ``x ^ y``).

    Raises:
        TypeError: for a floating-point operand.
    """
    return _binary(_b.bitwise_xor_p, x, y)


def left_shift(x, y):
    """Integers shifted left by `y` bits, as numpy.left_shift (also ``x << y``).

    Raises:
        TypeError: for a boolean or floating-point operand.
    """
    return _binary(_b.left_shift_p, x, y)


def right_shift(x, y):
    """Integers shifted right by `y` bits, as numpy.right_shift (also ``x >> y``).

    Raises:
        TypeError: for a boolean or floating-point operand.
    """
    return _binary(_b.right_shift_p, x, y)


def invert(x):
    """Elementwise bitwise not, as numpy.invert (also ``~x``); on booleans, logical not.

    Raises:
        TypeError: for a floating-point operand.
    """
    return _unary(_b.invert_p, x, floating=False)


bitwise_not = invert
