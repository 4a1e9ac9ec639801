"""Elementwise math of fgrad.numpy beyond the core: inverse trigonometric functions, rounding,
modular arithmetic, and the functions NumPy defines by formula (log2, hypot, sinc, ...).

Each function computes with NumPy on plain inputs and records primitives on traced ones; the
compositions are chosen so that their derivatives are right everywhere the function is smooth.

Example:
    >>> import fgrad.numpy as fnp
    >>> float(fnp.hypot(3.0, 4.0)), float(fnp.log2(8.0))
    (5.0, 3.0)
"""

from __future__ import annotations

import numpy as np

from ..primitives import math as _m
from . import (
    _as_operand,
    _float_dtype,
    _is_traced,
    _unary_fn,
    abs,
    astype,
    divide,
    equal,
    exp,
    greater,
    isnan,
    less,
    log,
    logaddexp,
    maximum,
    minimum,
    multiply,
    promote,
    result_type,
    sign,
    sin,
    sqrt,
    stop_gradient,
    subtract,
    where,
)
from . import _binary as _bind_binary

_LN2, _LN10 = float(np.log(2.0)), float(np.log(10.0))

arcsin = _unary_fn(_m.arcsin_p, "arcsin")
arccos = _unary_fn(_m.arccos_p, "arccos")
arcsinh = _unary_fn(_m.arcsinh_p, "arcsinh")
arccosh = _unary_fn(_m.arccosh_p, "arccosh")
arctanh = _unary_fn(_m.arctanh_p, "arctanh")
floor = _unary_fn(_m.floor_p, "floor")
ceil = _unary_fn(_m.ceil_p, "ceil")
rint = _unary_fn(_m.rint_p, "rint")
trunc = _unary_fn(_m.trunc_p, "trunc")
fix = trunc


def _floats(*args) -> list:
    """Operands promoted to one floating dtype and broadcast (traced case)."""
    return promote(*args, dtype=_float_dtype(result_type(*args)))


def round(x, decimals: int = 0):  # noqa: A001 - mirrors numpy.round
    """Round half to even to `decimals` places, as numpy.round; its derivative is zero.

    Args:
        x: an array, a number or a traced value.
        decimals: the number of decimal places (negative: tens, hundreds, ...).

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> round(np.array([2.5, 3.5, 1.234]), 1)
        array([2.5, 3.5, 1.2])
    """
    if not _is_traced((x,)):
        return np.round(x, decimals)
    if decimals == 0:
        return rint(x)
    scale = 10.0 ** decimals
    return rint(x * scale) / scale


around = round


def arctan2(y, x):
    """The angle of the point (x, y), in (-pi, pi], as numpy.arctan2.

    Args:
        y: an array, a number or a traced value.
        x: the same, broadcast against `y`.

    Returns:
        A floating-point array of the broadcast shape.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> bool(np.isclose(arctan2(1.0, 1.0), np.pi / 4))
        True
    """
    if not _is_traced((y, x)):
        return np.arctan2(y, x)
    return _bind_binary(_m.arctan2_p, *_floats(y, x))


def hypot(x, y):
    """sqrt(x**2 + y**2) without overflow, as numpy.hypot.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        A floating-point array of the broadcast shape.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> float(hypot(3.0, 4.0)), bool(np.isfinite(hypot(3e200, 4e200)))
        (5.0, True)
    """
    if not _is_traced((x, y)):
        return np.hypot(x, y)
    x, y = _floats(x, y)
    # scaling by a constant max(|x|, |y|) keeps the squares in range and leaves the derivative exact
    top = stop_gradient(maximum(abs(x), abs(y)))
    top = where(equal(top, 0), 1.0, top)
    return top * sqrt((x / top) ** 2 + (y / top) ** 2)


def log2(x):
    """Base-2 logarithm, as numpy.log2.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(log2(8.0))
        3.0
    """
    return np.log2(x) if not _is_traced((x,)) else log(x) / _LN2


def log10(x):
    """Base-10 logarithm, as numpy.log10.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(log10(100.0))
        2.0
    """
    return np.log10(x) if not _is_traced((x,)) else log(x) / _LN10


def exp2(x):
    """2 ** x, as numpy.exp2.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(exp2(3.0))
        8.0
    """
    return np.exp2(x) if not _is_traced((x,)) else exp(x * _LN2)


def logaddexp2(x, y):
    """log2(2**x + 2**y) without overflow, as numpy.logaddexp2.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        A floating-point array of the broadcast shape.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> float(logaddexp2(1.0, 1.0))
        2.0
    """
    if not _is_traced((x, y)):
        return np.logaddexp2(x, y)
    return logaddexp(x * _LN2, y * _LN2) / _LN2


def sinc(x):
    """sin(pi x) / (pi x), 1 at 0, as numpy.sinc.

    It is smooth at 0 to every order: its derivatives there are finite, not NaN.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> import fgrad
        >>> float(sinc(0.0)), float(fgrad.grad(sinc)(0.0))
        (1.0, 0.0)
    """
    if not _is_traced((x,)):
        return np.sinc(x)
    (x,) = _floats(x)
    small = less(abs(x), 1e-3)
    z2 = (np.pi * x) ** 2                     # the Taylor series near 0 is exact to rounding there
    near = 1 - z2 / 6 + z2 * z2 / 120
    safe = where(small, 1.0, x)               # the other branch never sees 0/0, nor do its derivatives
    return where(small, near, sin(np.pi * safe) / (np.pi * safe))


def cbrt(x):
    """Real cube root, as numpy.cbrt (negative for negative x).

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(cbrt(-8.0))
        -2.0
    """
    if not _is_traced((x,)):
        return np.cbrt(x)
    (x,) = _floats(x)
    return sign(x) * abs(x) ** (1.0 / 3.0)


def reciprocal(x):
    """1 / x, as numpy.reciprocal.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(reciprocal(4.0))
        0.25
    """
    return np.reciprocal(x) if not _is_traced((x,)) else divide(1.0, x)


def deg2rad(x):
    """Degrees to radians, as numpy.deg2rad (also `radians`).

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> bool(np.isclose(deg2rad(180.0), np.pi))
        True
    """
    return np.deg2rad(x) if not _is_traced((x,)) else multiply(x, np.pi / 180.0)


def rad2deg(x):
    """Radians to degrees, as numpy.rad2deg (also `degrees`).

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> float(rad2deg(np.pi))
        180.0
    """
    return np.rad2deg(x) if not _is_traced((x,)) else multiply(x, 180.0 / np.pi)


radians, degrees = deg2rad, rad2deg


def _integer_result(value, dtype):
    return astype(value, dtype) if np.dtype(dtype).kind in "iub" else value


def floor_divide(x, y):
    """Floor of x / y (integers stay integers), as numpy.floor_divide (``x // y``); its derivative is zero.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> floor_divide(np.array([7, -7]), 2)
        array([ 3, -4])
    """
    if not _is_traced((x, y)):
        return np.floor_divide(x, y)
    dtype = result_type(x, y)
    return _integer_result(floor(divide(x, y)), dtype)


def remainder(x, y):
    """x - floor(x / y) * y: the sign of y, as Python's % and numpy.remainder (also `mod`).

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype; the derivative is 1 in x and -floor(x / y) in y.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> float(remainder(-1.0, 3.0))
        2.0
    """
    if not _is_traced((x, y)):
        return np.remainder(x, y)
    dtype = result_type(x, y)
    return _integer_result(subtract(x, multiply(floor(divide(x, y)), y)), dtype)


mod = remainder


def fmod(x, y):
    """x - trunc(x / y) * y: the sign of x, as C's fmod and numpy.fmod.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> float(fmod(-1.0, 3.0))
        -1.0
    """
    if not _is_traced((x, y)):
        return np.fmod(x, y)
    dtype = result_type(x, y)
    return _integer_result(subtract(x, multiply(trunc(divide(x, y)), y)), dtype)


def heaviside(x, h0):
    """0 for x < 0, h0 at 0, 1 for x > 0, as numpy.heaviside; its derivative is zero.

    Args:
        x: an array, a number or a traced value.
        h0: the same, broadcast against `x`.

    Returns:
        A floating-point array of the broadcast shape.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> heaviside(np.array([-1.0, 0.0, 2.0]), 0.5)
        array([0. , 0.5, 1. ])
    """
    if not _is_traced((x, h0)):
        return np.heaviside(x, h0)
    x, h0 = _floats(x, h0)
    return where(less(x, 0), 0.0, where(greater(x, 0), 1.0, h0))


def fabs(x):
    """|x| of real values, as floats (numpy.fabs); integers become float64.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A floating-point array of `x`'s shape.

    Example:
        >>> fabs(np.array([-2, 3]))
        array([2., 3.])
    """
    return np.fabs(x) if not _is_traced((x,)) else abs(*_floats(x))


def positive(x):
    """+x, as numpy.positive: `x`'s values unchanged.

    Args:
        x: an array, a number or a traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> positive(np.array([-2.0]))
        array([-2.])
    """
    return np.positive(x) if not _is_traced((x,)) else _as_operand(x)


def fmax(x, y):
    """Elementwise maximum that ignores NaN (NaN only where both are), as numpy.fmax.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> fmax(np.array([np.nan, 1.0]), np.array([1.0, np.nan]))
        array([1., 1.])
    """
    if not _is_traced((x, y)):
        return np.fmax(x, y)
    return where(isnan(y), x, where(isnan(x), y, maximum(x, y)))


def fmin(x, y):
    """Elementwise minimum that ignores NaN (NaN only where both are), as numpy.fmin.

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast (NumPy's ValueError for plain arrays).

    Example:
        >>> fmin(np.array([np.nan, 1.0]), 0.5)
        array([0.5, 0.5])
    """
    if not _is_traced((x, y)):
        return np.fmin(x, y)
    return where(isnan(y), x, where(isnan(x), y, minimum(x, y)))


def nan_to_num(x, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None):
    """NaN to `nan`, +-inf to `posinf`/`neginf` (the dtype's extremes by default); derivative 1 elsewhere.

    Integer and bool arrays are returned as they are.

    Args:
        x: an array or a traced value.
        copy: NumPy's flag (plain arrays only; traced results are always new).
        nan: the value for NaN.
        posinf: the value for +inf (None: the dtype's largest finite value).
        neginf: the value for -inf (None: the dtype's most negative finite value).

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> nan_to_num(np.array([np.nan, np.inf, 1.0]), posinf=9.0)
        array([0., 9., 1.])
    """
    if not _is_traced((x,)):
        return np.nan_to_num(x, copy=copy, nan=nan, posinf=posinf, neginf=neginf)
    if x.dtype.kind not in "fc":
        return x
    info = np.finfo(x.dtype)
    big = info.max if posinf is None else posinf
    small = info.min if neginf is None else neginf
    x = where(isnan(x), nan, x)
    return where(equal(x, np.inf), big, where(equal(x, -np.inf), small, x))
