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
    """Round half to even to `decimals` places; its derivative is zero. Example: ``round(2.5)`` is 2.0."""
    if not _is_traced((x,)):
        return np.round(x, decimals)
    if decimals == 0:
        return rint(x)
    scale = 10.0 ** decimals
    return rint(x * scale) / scale


around = round


def arctan2(y, x):
    """The angle of the point (x, y), in (-pi, pi]. Example: ``arctan2(1.0, 1.0)`` is pi/4."""
    if not _is_traced((y, x)):
        return np.arctan2(y, x)
    return _bind_binary(_m.arctan2_p, *_floats(y, x))


def hypot(x, y):
    """sqrt(x**2 + y**2) without overflow. Example: ``hypot(3.0, 4.0)`` is 5.0."""
    if not _is_traced((x, y)):
        return np.hypot(x, y)
    x, y = _floats(x, y)
    # scaling by a constant max(|x|, |y|) keeps the squares in range and leaves the derivative exact
    top = stop_gradient(maximum(abs(x), abs(y)))
    top = where(equal(top, 0), 1.0, top)
    return top * sqrt((x / top) ** 2 + (y / top) ** 2)


def log2(x):
    """Base-2 logarithm. Example: ``log2(8.0)`` is 3.0."""
    return np.log2(x) if not _is_traced((x,)) else log(x) / _LN2


def log10(x):
    """Base-10 logarithm. Example: ``log10(100.0)`` is 2.0."""
    return np.log10(x) if not _is_traced((x,)) else log(x) / _LN10


def exp2(x):
    """2 ** x. Example: ``exp2(3.0)`` is 8.0."""
    return np.exp2(x) if not _is_traced((x,)) else exp(x * _LN2)


def logaddexp2(x, y):
    """log2(2**x + 2**y) without overflow. Example: ``logaddexp2(1.0, 1.0)`` is 2.0."""
    if not _is_traced((x, y)):
        return np.logaddexp2(x, y)
    return logaddexp(x * _LN2, y * _LN2) / _LN2


def sinc(x):
    """sin(pi x) / (pi x), 1 at 0, smooth there to every order. Example: ``sinc(0.0)`` is 1.0."""
    if not _is_traced((x,)):
        return np.sinc(x)
    (x,) = _floats(x)
    small = less(abs(x), 1e-3)
    z2 = (np.pi * x) ** 2                     # the Taylor series near 0 is exact to rounding there
    near = 1 - z2 / 6 + z2 * z2 / 120
    safe = where(small, 1.0, x)               # the other branch never sees 0/0, nor do its derivatives
    return where(small, near, sin(np.pi * safe) / (np.pi * safe))


def cbrt(x):
    """Real cube root. Example: ``cbrt(-8.0)`` is -2.0."""
    if not _is_traced((x,)):
        return np.cbrt(x)
    (x,) = _floats(x)
    return sign(x) * abs(x) ** (1.0 / 3.0)


def reciprocal(x):
    """1 / x. Example: ``reciprocal(4.0)`` is 0.25."""
    return np.reciprocal(x) if not _is_traced((x,)) else divide(1.0, x)


def deg2rad(x):
    """Degrees to radians. Example: ``deg2rad(180.0)`` is pi."""
    return np.deg2rad(x) if not _is_traced((x,)) else multiply(x, np.pi / 180.0)


def rad2deg(x):
    """Radians to degrees. Example: ``rad2deg(np.pi)`` is 180.0."""
    return np.rad2deg(x) if not _is_traced((x,)) else multiply(x, 180.0 / np.pi)


radians, degrees = deg2rad, rad2deg


def _integer_result(value, dtype):
    return astype(value, dtype) if np.dtype(dtype).kind in "iub" else value


def floor_divide(x, y):
    """Floor of x / y (integers stay integers); its derivative is zero. Example: ``floor_divide(7, 2)``."""
    if not _is_traced((x, y)):
        return np.floor_divide(x, y)
    dtype = result_type(x, y)
    return _integer_result(floor(divide(x, y)), dtype)


def remainder(x, y):
    """x - floor(x / y) * y: the sign of y, as Python's %. Example: ``remainder(-1.0, 3.0)`` is 2.0."""
    if not _is_traced((x, y)):
        return np.remainder(x, y)
    dtype = result_type(x, y)
    return _integer_result(subtract(x, multiply(floor(divide(x, y)), y)), dtype)


mod = remainder


def fmod(x, y):
    """x - trunc(x / y) * y: the sign of x, as C's fmod. Example: ``fmod(-1.0, 3.0)`` is -1.0."""
    if not _is_traced((x, y)):
        return np.fmod(x, y)
    dtype = result_type(x, y)
    return _integer_result(subtract(x, multiply(trunc(divide(x, y)), y)), dtype)


def heaviside(x, h0):
    """0 for x < 0, h0 at 0, 1 for x > 0; its derivative is zero. Example: ``heaviside(0.0, 0.5)``."""
    if not _is_traced((x, h0)):
        return np.heaviside(x, h0)
    x, h0 = _floats(x, h0)
    return where(less(x, 0), 0.0, where(greater(x, 0), 1.0, h0))


def fabs(x):
    """|x| of real values, as floats. Example: ``fabs(-2.0)`` is 2.0."""
    return np.fabs(x) if not _is_traced((x,)) else abs(*_floats(x))


def positive(x):
    """+x. Example: ``positive(-2.0)`` is -2.0."""
    return np.positive(x) if not _is_traced((x,)) else _as_operand(x)


def fmax(x, y):
    """Elementwise maximum that ignores NaN (NaN only where both are). Example: ``fmax(nan, 1.0)`` is 1.0."""
    if not _is_traced((x, y)):
        return np.fmax(x, y)
    return where(isnan(y), x, where(isnan(x), y, maximum(x, y)))


def fmin(x, y):
    """Elementwise minimum that ignores NaN. Example: ``fmin(nan, 1.0)`` is 1.0."""
    if not _is_traced((x, y)):
        return np.fmin(x, y)
    return where(isnan(y), x, where(isnan(x), y, minimum(x, y)))


def nan_to_num(x, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None):
    """NaN to `nan`, +-inf to `posinf`/`neginf` (the dtype's extremes by default); derivative 1 elsewhere.

    Example: ``nan_to_num(np.array([np.nan, np.inf]))`` gives ``[0., 1.79769313e+308]``.
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
