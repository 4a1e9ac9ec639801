"""Bessel functions of fgrad.scipy.special: jn, yn, j0, j1, y0, y1, iv, ive, i0, i0e, i1 and i1e.

jn, yn and ive are primitives (fgrad/primitives/special.py); the rest are compositions of them chosen
to keep their digits (i0 as i0e * exp|x|).
"""

from __future__ import annotations

import math

import numpy as np

from .. import numpy as fnp
from ..core import bind
from ..errors import user_location
from ..primitives import special as _sp


def _concrete_order(name: str, order, integer: bool):
    """A Bessel function's order: a concrete integer (jn, yn) or real number (iv, ive)."""
    if isinstance(order, (np.ndarray, np.generic)) and np.ndim(order) == 0:
        order = order.item()
    ok = isinstance(order, int) if integer else isinstance(order, (int, float)) and math.isfinite(order)
    if isinstance(order, bool) or not ok:
        kind = "integer" if integer else "finite real number"
        raise TypeError(f"{name}: the order must be a concrete {kind}, got {order!r:.40} at {user_location()}; "
                        f"pass a Python number such as {name}(2, x)")
    return order if integer else float(order)


def _bessel(prim, x, **params):
    x = fnp._lift(x)
    if not fnp._is_traced([x]):
        return prim.impl(np.asarray(x), **params)
    return bind(prim, fnp.astype(x, fnp._float_dtype(x)), **params)


def jn(n, x):
    """The Bessel function of the first kind J_n(x) of integer order n (SciPy's jn), any x.

    Parameters:
        n: the order, a concrete integer (negative orders are (-1)**n J_{-n}).
        x: the argument.

    Returns:
        J_n(x); its derivative (J_{n-1} - J_{n+1}) / 2, and every higher one, is available.

    Raises:
        TypeError: when n is not a concrete integer.

    Example:
        >>> import fgrad
        >>> round(float(jn(2, 1.0)), 12)
        0.114903484932
        >>> round(float(fgrad.grad(lambda x: jn(0, x))(1.0)), 12)  # -J_1(1)
        -0.440050585745
    """
    return _bessel(_sp.bessel_jn_p, x, n=_concrete_order("jn", n, integer=True))


def yn(n, x):
    """The Bessel function of the second kind Y_n(x) of integer order n (SciPy's yn); -inf at 0, nan below.

    Parameters:
        n: the order, a concrete integer.
        x: the argument, >= 0.

    Returns:
        Y_n(x), differentiable to any order ((Y_{n-1} - Y_{n+1}) / 2 is the first derivative).

    Raises:
        TypeError: when n is not a concrete integer.

    Example:
        >>> round(float(yn(1, 1.0)), 12)
        -0.7812128213
    """
    return _bessel(_sp.bessel_yn_p, x, n=_concrete_order("yn", n, integer=True))


def j0(x):
    """The Bessel function of the first kind of order 0, J_0(x).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        J_0(x); its derivative is -J_1(x), and every higher one is available.

    Example:
        >>> round(float(j0(1.0)), 12)
        0.765197686558
    """
    return _bessel(_sp.bessel_jn_p, x, n=0)


def j1(x):
    """The Bessel function of the first kind of order 1, J_1(x).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        J_1(x), differentiable to any order (J_1' = J_0 - J_1 / x).

    Example:
        >>> round(float(j1(1.0)), 12)
        0.440050585745
    """
    return _bessel(_sp.bessel_jn_p, x, n=1)


def y0(x):
    """The Bessel function of the second kind of order 0, Y_0(x); -inf at 0, nan below.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        Y_0(x), differentiable to any order (Y_0' = -Y_1).

    Example:
        >>> round(float(y0(1.0)), 12)
        0.088256964216
    """
    return _bessel(_sp.bessel_yn_p, x, n=0)


def y1(x):
    """The Bessel function of the second kind of order 1, Y_1(x); -inf at 0, nan below.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        Y_1(x), differentiable to any order.

    Example:
        >>> round(float(y1(1.0)), 12)
        -0.7812128213
    """
    return _bessel(_sp.bessel_yn_p, x, n=1)


def ive(v, x):
    """The exponentially scaled modified Bessel function exp(-|x|) I_v(x) of real order v.

    Parameters:
        v: the order, a concrete real number (x < 0 needs an integer v: nan otherwise, as SciPy).
        x: the argument.

    Returns:
        exp(-|x|) I_v(x), which does not overflow; differentiable in x to any order.

    Raises:
        TypeError: when v is not a concrete real number.

    Example:
        >>> round(float(ive(0.5, 2.0)), 12)  # sqrt(2 / (pi x)) sinh(x) exp(-x)
        0.276928045435
    """
    return _bessel(_sp.bessel_ive_p, x, v=_concrete_order("ive", v, integer=False))


def iv(v, x):
    """The modified Bessel function of the first kind I_v(x) of real order v, as ive(v, x) exp(|x|).

    Parameters:
        v: the order, a concrete real number.
        x: the argument.

    Returns:
        I_v(x) (inf where it overflows float64), differentiable in x to any order.

    Raises:
        TypeError: when v is not a concrete real number.

    Example:
        >>> round(float(iv(0.5, 2.0)), 12)  # sqrt(2 / (pi x)) sinh(x)
        2.046236863089
    """
    return ive(v, x) * fnp.exp(fnp.abs(x))


def i0e(x):
    """The exponentially scaled modified Bessel function exp(-|x|) I_0(x), as jax.scipy.special.i0e.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        exp(-|x|) I_0(x), which does not overflow.

    Example:
        >>> round(float(i0e(1.0)), 12)
        0.465759607594
    """
    return _bessel(_sp.bessel_ive_p, x, v=0.0)


def i1e(x):
    """The exponentially scaled modified Bessel function exp(-|x|) I_1(x), as jax.scipy.special.i1e.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        exp(-|x|) I_1(x), which does not overflow.

    Example:
        >>> round(float(i1e(1.0)), 12)
        0.20791041535
    """
    return _bessel(_sp.bessel_ive_p, x, v=1.0)


def i0(x):
    """The modified Bessel function of the first kind I_0(x), as i0e(x) exp(|x|).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        I_0(x) (inf where it overflows float64).

    Example:
        >>> round(float(i0(1.0)), 12)
        1.266065877752
    """
    return i0e(x) * fnp.exp(fnp.abs(x))


def i1(x):
    """The modified Bessel function of the first kind I_1(x), as i1e(x) exp(|x|).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        I_1(x) (inf where it overflows float64).

    Example:
        >>> round(float(i1(1.0)), 12)
        0.565159103992
    """
    return i1e(x) * fnp.exp(fnp.abs(x))
