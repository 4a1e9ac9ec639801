"""fgrad.scipy.special: jax.scipy.special's functions on fgrad arrays, differentiable to any order.

erf, erfc, erfcx, erfinv, ndtri, gammaln, digamma, polygamma, gammainc/gammaincc, betainc and the
Bessel functions jn, yn and ive are primitives (fgrad/primitives/special.py); the rest are compositions
of them chosen to keep their digits (log_ndtr's tail, logsumexp's shift, i0 as i0e * exp|x|).

Example:
    >>> import fgrad, fgrad.scipy.special as fss
    >>> float(fss.gammaln(4.0))  # log(3!)
    1.791759469228055
    >>> float(fgrad.grad(fss.gammaln)(1.0))  # digamma(1) = -euler_gamma
    -0.5772156649015329
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .. import nn as _nn
from .. import numpy as fnp
from ..core import bind
from ..errors import user_location
from ..numpy import _unary
from ..primitives import special as _sp
from ._bessel import i0, i0e, i1, i1e, iv, ive, j0, j1, jn, y0, y1, yn

__all__ = ["beta", "betainc", "betaln", "digamma", "entr", "erf", "erfc", "erfcinv", "erfcx", "erfinv", "expit",
           "gamma", "gammainc", "gammaincc", "gammaln", "gammasgn", "i0", "i0e", "i1", "i1e", "iv", "ive", "j0",
           "j1", "jn", "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "rgamma", "softmax", "xlog1py", "xlogy", "y0", "y1", "yn"]

_SQRT_HALF = math.sqrt(0.5)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def erf(x):
    """The error function 2/sqrt(pi) * integral of exp(-t**2) from 0 to x (complex x too, with SciPy).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        erf(x); its derivative is 2/sqrt(pi) exp(-x**2).

    Example:
        >>> round(float(erf(0.5)), 12)
        0.520499877813
    """
    return _unary(_sp.erf_p, x)


def erfc(x):
    """1 - erf(x), accurate where erf(x) is near 1 (complex x too, with SciPy).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        erfc(x), which keeps its digits for large x.

    Example:
        >>> round(float(erfc(2.0)), 12)
        0.004677734981
    """
    return _unary(_sp.erfc_p, x)


def erfinv(x):
    """The inverse of erf on (-1, 1); +-inf at +-1, nan outside.

    Args:
        x: in [-1, 1].

    Returns:
        The y with erf(y) = x; its derivative is sqrt(pi)/2 exp(y**2).

    Example:
        >>> round(float(erfinv(0.5)), 12)
        0.476936276204
    """
    return _unary(_sp.erfinv_p, x)


def erfcx(x):
    """The scaled complementary error function exp(x**2) erfc(x), which keeps its digits (and stays
    finite) for large x, where erfc underflows.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        exp(x**2) erfc(x); its derivative is 2 x erfcx(x) - 2 / sqrt(pi).

    Example:
        >>> round(float(erfcx(30.0)) * 30.0 * math.sqrt(math.pi), 6)
        0.999445
    """
    return _unary(_sp.erfcx_p, x)


def entr(x):
    """The elementwise entropy term -x log(x): 0 at 0, -inf below 0, as jax.scipy.special.entr.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        -x log(x) where x > 0; its derivative is -(log(x) + 1).

    Example:
        >>> round(float(entr(0.5)), 12)
        0.34657359028
    """
    positive = fnp.greater(x, 0)
    value = -xlogy(x, fnp.where(positive, x, 1.0))
    return fnp.where(positive, value, fnp.where(fnp.equal(x, 0), 0.0, -np.inf))


def erfcinv(x):
    """The inverse of erfc on (0, 2), as erfinv(1 - x) (digits below 1e-16 are lost for tiny x).

    Args:
        x: in [0, 2].

    Returns:
        The y with erfc(y) = x.

    Example:
        >>> float(erfcinv(1.0))
        0.0
    """
    return erfinv(fnp.subtract(1.0, x))


def gammaln(x):
    """log|Gamma(x)|, inf at the poles 0, -1, -2, ...

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        log|Gamma(x)|; its derivative is digamma(x).

    Example:
        >>> round(float(gammaln(3.0)), 12)
        0.69314718056
    """
    return _unary(_sp.lgamma_p, x)


lgamma = gammaln


def rgamma(x):
    """1 / Gamma(x), 0 at the poles.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        1 / Gamma(x), differentiable to any order.

    Example:
        >>> float(rgamma(3.0))
        0.5
    """
    sgn = gammasgn(x)
    pole = fnp.isnan(sgn)
    return fnp.where(pole, 0.0, fnp.where(pole, 1.0, sgn) * fnp.exp(-gammaln(x)))


def digamma(x):
    """d/dx log Gamma(x); nan at the poles.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        digamma(x); its derivative is polygamma(1, x).

    Example:
        >>> round(float(digamma(1.0)), 12)
        -0.577215664902
    """
    return _unary(_sp.digamma_p, x)


psi = digamma


def _order(n) -> int:
    """The derivative order of polygamma: a concrete integer >= 0."""
    try:
        k = operator.index(n.item() if isinstance(n, (np.ndarray, np.generic)) and np.ndim(n) == 0 else n)
    except TypeError:
        k = None
    if k is None or k < 0:
        raise TypeError(f"polygamma: the order n must be a concrete integer >= 0, got {n!r:.40} at "
                        f"{user_location()}; pass a Python int such as polygamma(1, x)")
    return k


def polygamma(n, x):
    """The n-th derivative of digamma.

    Args:
        n: the order, a concrete integer >= 0.
        x: the argument (an array, a number or a traced value).

    Returns:
        psi^(n)(x); its derivative is polygamma(n + 1, x).

    Raises:
        TypeError: when n is not a concrete integer >= 0.

    Example:
        >>> round(float(polygamma(1, 1.0)), 12)
        1.644934066848
    """
    k = _order(n)
    if not fnp._is_traced([x]):
        return _sp.polygamma_p.impl(x, n=k)
    return _sp.polygamma(k, fnp.astype(x, fnp._float_dtype(x)))


def ndtr(x):
    """The standard normal CDF.

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        P(Z <= x) for Z standard normal; its derivative is the normal density.

    Example:
        >>> float(ndtr(0.0))
        0.5
    """
    return erfc(fnp.multiply(x, -_SQRT_HALF)) * 0.5


def ndtri(p):
    """The inverse of ndtr (the standard normal quantile), accurate in the far tails (p down to 1e-300).

    Args:
        p: the probability, in [0, 1].

    Returns:
        The x with ndtr(x) = p (-inf at 0, inf at 1, nan outside [0, 1]); its derivative is
        1 / npdf(x).

    Example:
        >>> round(float(ndtri(1e-20)), 9)
        -9.26234009
    """
    return _unary(_sp.ndtri_p, p)


def log_ndtr(x, series_order: int = 3):
    """log(ndtr(x)) without underflow: an asymptotic series below -20, log1p(-ndtr(-x)) above 6.

    The series has at least 8 terms whatever `series_order` says, so that its derivative (the
    normal hazard) keeps float64's digits too; its value agrees with jax's to rounding.

    Args:
        x: the argument (an array, a number or a traced value).
        series_order: accepted for jax's signature (see above).

    Returns:
        log P(Z <= x).

    Example:
        >>> round(float(log_ndtr(-40.0)), 6)
        -804.608442
    """
    lower = fnp.minimum(x, -20.0)
    inv2 = 1.0 / (lower * lower)
    terms, coef = 1.0, 1.0
    for k in range(1, max(series_order, 8) + 1):
        coef = coef * -(2 * k - 1)
        terms = terms + coef * inv2 ** k
    tail = -0.5 * lower * lower - fnp.log(-lower) - _HALF_LOG_2PI + fnp.log(terms)
    middle = fnp.log(ndtr(fnp.clip(x, -20.0, 6.0)))
    upper = fnp.log1p(-ndtr(-fnp.maximum(x, 6.0)))
    return fnp.where(fnp.less(x, -20.0), tail, fnp.where(fnp.greater(x, 6.0), upper, middle))


def _zero_safe(x, y, log_fn):
    zero = fnp.equal(x, 0)
    return fnp.where(zero, fnp.zeros_like(fnp.multiply(x, y)), fnp.multiply(x, log_fn(fnp.where(zero, 1.0, y))))


def xlogy(x, y):
    """x * log(y), 0 where x is 0.

    Args:
        x, y: the factors (broadcast together).

    Returns:
        x log(y), 0 where x == 0 (also at y == 0).

    Example:
        >>> float(xlogy(0.0, 0.0))
        0.0
    """
    return _zero_safe(x, y, fnp.log)


def xlog1py(x, y):
    """x * log1p(y), 0 where x is 0.

    Args:
        x, y: the factors (broadcast together).

    Returns:
        x log1p(y), 0 where x == 0.

    Example:
        >>> float(xlog1py(0.0, -1.0))
        0.0
    """
    return _zero_safe(x, y, fnp.log1p)


def expit(x):
    """The logistic sigmoid 1 / (1 + exp(-x)).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        The sigmoid of x.

    Example:
        >>> float(expit(0.0))
        0.5
    """
    return _nn.sigmoid(x)


def logit(p):
    """log(p / (1 - p)), the inverse of expit.

    Args:
        p: a probability in (0, 1).

    Returns:
        The log odds of p.

    Example:
        >>> float(logit(0.5))
        0.0
    """
    return fnp.log(p) - fnp.log1p(fnp.negative(p))


def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False):
    """log(sum(b * exp(a))) over `axis`, shifted by the maximum; with return_sign, (log|sum|, sign).

    Args:
        a: the exponents.
        axis: the axes to reduce (all by default).
        b: optional weights, broadcast against a.
        keepdims: keep the reduced axes with size 1.
        return_sign: return (log|sum|, sign) instead of nan for a negative sum.

    Returns:
        The log of the weighted sum (and its sign with return_sign).

    Example:
        >>> float(logsumexp(np.array([0.0, 0.0])))
        0.6931471805599453
    """
    if b is None and not return_sign:
        return _nn.logsumexp(a, axis=axis, keepdims=keepdims)
    if b is not None:
        a = fnp.where(fnp.equal(b, 0), -np.inf, a)   # a term with weight 0 does not set the shift
    top = fnp.stop_gradient(fnp.max(a, axis=axis, keepdims=True))
    top = fnp.where(fnp.isfinite(top), top, fnp.zeros_like(top))
    terms = fnp.exp(a - top)
    total = fnp.sum(terms if b is None else terms * b, axis=axis, keepdims=True)
    sign = fnp.sign(total)
    out = fnp.log(fnp.abs(total)) + top
    if not keepdims:
        out, sign = (fnp.squeeze(v, axis) if axis is not None else fnp.reshape(v, ()) for v in (out, sign))
    if return_sign:
        return out, sign
    return fnp.where(fnp.less(sign, 0), np.nan, out)


def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over `axis` (all axes by default, as jax.scipy.special).

    Args:
        x: the logits.
        axis: the axes to normalise over.

    Returns:
        The softmax, summing to 1 over `axis`.

    Example:
        >>> softmax(np.zeros(2))
        array([0.5, 0.5])
    """
    return _nn.softmax(x, axis=axis)


def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis` (all axes by default).

    Args:
        x: the logits.
        axis: the axes to normalise over.

    Returns:
        The log softmax.

    Example:
        >>> log_softmax(np.zeros(2))
        array([-0.69314718, -0.69314718])
    """
    return _nn.log_softmax(x, axis=axis)


def betaln(a, b):
    """log|B(a, b)| = gammaln(a) + gammaln(b) - gammaln(a + b).

    Args:
        a, b: the arguments.

    Returns:
        log|B(a, b)|, differentiable in both.

    Example:
        >>> round(float(betaln(2.0, 3.0)), 12)
        -2.484906649788
    """
    return gammaln(a) + gammaln(b) - gammaln(fnp.add(a, b))


def gammasgn(x):
    """The sign of Gamma(x): 1 for x > 0, alternating between the poles below 0 (nan at them).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        1.0 or -1.0 (no derivative: piecewise constant).

    Example:
        >>> float(gammasgn(-0.5))
        -1.0
    """
    odd = fnp.equal(fnp.mod(fnp.ceil(-x), 2.0), 1.0)
    pole = fnp.logical_and(fnp.less_equal(x, 0), fnp.equal(x, fnp.floor(x)))
    sgn = fnp.where(fnp.greater(x, 0), 1.0, fnp.where(odd, -1.0, 1.0))
    return fnp.where(pole, np.nan, sgn)


def gamma(x):
    """The gamma function, sign(Gamma(x)) * exp(gammaln(x)).

    Args:
        x: the argument (an array, a number or a traced value).

    Returns:
        Gamma(x) (inf where it overflows, nan at the poles).

    Example:
        >>> float(gamma(5.0))
        24.000000000000004
    """
    return gammasgn(x) * fnp.exp(gammaln(x))


def beta(a, b):
    """The beta function B(a, b) = Gamma(a) Gamma(b) / Gamma(a + b).

    Args:
        a, b: the arguments.

    Returns:
        B(a, b), differentiable in both.

    Example:
        >>> round(float(beta(2.0, 3.0)), 12)
        0.083333333333
    """
    return gammasgn(a) * gammasgn(b) * gammasgn(fnp.add(a, b)) * fnp.exp(betaln(a, b))


def _elementwise(prim, *args, **params):
    """`prim` on args promoted to one float dtype and shape; plain arrays are evaluated eagerly."""
    if not fnp._is_traced(args):
        return prim.impl(*[np.asarray(a) for a in args], **params)
    dtype = np.result_type(fnp.result_type(*args), np.float16)
    return bind(prim, *fnp.promote(*args, dtype=dtype), **params)


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x), differentiable in x and in a.

    Parameters:
        a: the shape, > 0 (P(0, x) is 1 for x > 0, as in SciPy; nan below 0).
        x: the upper limit, >= 0 (nan below 0).

    Returns:
        P(a, x) = integral of t**(a - 1) exp(-t) from 0 to x, over Gamma(a).

    Raises:
        ShapeError: when a and x do not broadcast.

    Example:
        >>> import fgrad
        >>> round(float(gammainc(1.0, 2.0)), 12)  # 1 - exp(-2)
        0.864664716763
        >>> round(float(fgrad.grad(gammainc, argnums=1)(1.0, 2.0)), 12)  # exp(-2)
        0.135335283237
    """
    return _elementwise(_sp.gammainc_p, a, x, k=0, upper=False)


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), keeping Q's digits.

    Parameters:
        a: the shape, > 0.
        x: the lower limit, >= 0.

    Returns:
        Q(a, x), differentiable in both arguments to any order.

    Raises:
        ShapeError: when a and x do not broadcast.

    Example:
        >>> round(float(gammaincc(1.0, 40.0)) / math.exp(-40.0), 12)
        1.0
    """
    return _elementwise(_sp.gammainc_p, a, x, k=0, upper=True)


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b), differentiable in a, b and x.

    Parameters:
        a, b: the shapes, > 0.
        x: the upper limit, in [0, 1] (nan outside).

    Returns:
        I_x(a, b) = integral of t**(a-1) (1-t)**(b-1) from 0 to x, over B(a, b).

    Raises:
        ShapeError: when the arguments do not broadcast.

    Example:
        >>> round(float(betainc(2.0, 1.0, 0.5)), 12)  # x**2
        0.25
    """
    return _elementwise(_sp.betainc_p, a, b, x, i=0, j=0)


def multigammaln(a, d: int):
    """The log of the multivariate gamma function of dimension d.

    Args:
        a: the argument (> (d - 1) / 2).
        d: the dimension, a Python int.

    Returns:
        log Gamma_d(a).

    Example:
        >>> round(float(multigammaln(2.0, 1)), 12)
        0.0
    """
    d = operator.index(d)
    out = d * (d - 1) / 4 * math.log(math.pi)
    return out + sum(gammaln(fnp.subtract(a, j / 2)) for j in range(d))
