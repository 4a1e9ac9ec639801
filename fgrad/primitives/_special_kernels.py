"""Pure-NumPy kernels of the special functions, vectorised, accurate to float64 rounding (relative
error a few ulps away from the zeros of lgamma and digamma, where the error is a few ulps absolute).

They are the fallback where SciPy is not installed: fgrad must import and compute without it. Each
kernel evaluates every branch on inputs clamped into that branch's range and selects with np.where,
so no branch ever sees a value it would warn on.

Example:
    >>> float(erf(np.array(0.5)))
    0.5204998778130465
"""

from __future__ import annotations

import numpy as np

_SQRT_PI_INV = 5.6418958354775628695e-1          # 1 / sqrt(pi)

# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
# coefficients as in his CALERF: erf on |x| <= 0.5, erfc on 0.5 < |x| <= 4 and on |x| > 4
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)


def as_float(x) -> tuple[np.ndarray, np.dtype]:
    """`x` as a float64 array for computing, and the float dtype the result is returned in; a complex
    `x` is refused (these kernels are real: dropping its imaginary part would be silently wrong)."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        from ..errors import user_location
        raise TypeError(f"this special function takes real arguments, got {x.dtype} at {user_location()}; "
                        "pass the real part (only erf and erfc take complex arguments, with SciPy installed)")
    dtype = np.result_type(x.dtype, np.float16) if x.dtype.kind in "biu" else x.dtype
    return x.astype(np.float64), np.dtype(np.float64 if x.dtype.kind in "biu" else dtype)


def _erf_small(x):
    y = x * x
    num, den = _A[4] * y, y
    for i in range(3):
        num, den = (num + _A[i]) * y, (den + _B[i]) * y
    return x * (num + _A[3]) / (den + _B[3])


def _erfcx_large(y):
    """exp(y*y) erfc(y) for y > 0.5: Cody's rational forms, before the scale exp(-y*y)."""
    mid = np.clip(y, 0.5, 4.0)
    num, den = _C[8] * mid, mid
    for i in range(7):
        num, den = (num + _C[i]) * mid, (den + _D[i]) * mid
    middle = (num + _C[7]) / (den + _D[7])
    far = np.maximum(y, 4.0)
    z = (1.0 / far) ** 2
    num, den = _P[5] * z, z
    for i in range(4):
        num, den = (num + _P[i]) * z, (den + _Q[i]) * z
    tail = (_SQRT_PI_INV - z * (num + _P[4]) / (den + _Q[4])) / far
    return np.where(y <= 4.0, middle, tail)


def _erfc_large(y):
    """erfc(y) for y > 0.5, with exp(-y*y) split as Cody does so it keeps its digits."""
    ratio = _erfcx_large(y)
    y = np.minimum(y, 27.0)                       # erfc is 0 in float64 beyond; keeps exp quiet
    head = np.trunc(y * 16.0) / 16.0
    scale = np.exp(-head * head) * np.exp(-(y - head) * (y + head))
    return scale * ratio


def erf(x) -> np.ndarray:
    """The error function. Example: ``erf(np.array(0.0))`` is ``0.0``."""
    x, dtype = as_float(x)
    y = np.abs(x)
    big = np.copysign(1.0 - _erfc_large(np.maximum(y, 0.5)), x)
    return np.where(y <= 0.5, _erf_small(np.clip(x, -0.5, 0.5)), big).astype(dtype)


def erfc(x) -> np.ndarray:
    """1 - erf(x), keeping its digits for large x. Example: ``erfc(np.array(0.0))`` is ``1.0``."""
    x, dtype = as_float(x)
    y = np.abs(x)
    tail = _erfc_large(np.maximum(y, 0.5))
    big = np.where(x < 0, 2.0 - tail, tail)
    return np.where(y <= 0.5, 1.0 - _erf_small(np.clip(x, -0.5, 0.5)), big).astype(dtype)


def erfcx(x) -> np.ndarray:
    """The scaled complementary error function exp(x*x) erfc(x), without overflow for large x
    (inf below about -26.6, where it overflows float64). Example: ``erfcx(np.array(0.0))`` is 1."""
    x, dtype = as_float(x)
    y = np.abs(x)
    near = np.clip(x, -0.5, 0.5)
    small = np.exp(near * near) * (1.0 - _erf_small(near))
    upper = _erfcx_large(np.maximum(y, 0.5))
    # below -0.5: 2 exp(x*x) - erfcx(-x), the exp split as in erfc so it keeps its digits
    big = np.minimum(y, 26.7)
    head = np.trunc(big * 16.0) / 16.0
    with np.errstate(over="ignore"):
        twice = 2.0 * np.exp(head * head) * np.exp((big - head) * (big + head))
    lower = np.where(y < 26.7, twice - upper, np.inf)
    out = np.where(y <= 0.5, small, np.where(x > 0, upper, lower))
    return np.where(np.isnan(x), np.nan, out).astype(dtype)


def _giles(y):
    """M. Giles' single-precision erfinv, the starting point of the Newton steps."""
    w = -np.log((1.0 - y) * (1.0 + y))
    a = w - 2.5
    p = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * a
    b = np.sqrt(np.maximum(w, 5.0)) - 3.0
    q = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * b
    return np.where(w < 5.0, p, q) * y


def erfinv(y) -> np.ndarray:
    """The inverse of erf on (-1, 1); +-inf at +-1, nan outside. Example: ``erfinv(np.array(0.0))``."""
    y, dtype = as_float(y)
    inside = np.abs(y) < 1.0
    a = np.where(inside, np.abs(y), 0.0)
    x = _giles(a)
    near = a <= 0.5
    q = 1.0 - a                                   # exact for a > 0.5
    for _ in range(4):
        # Newton steps on erf(x) = a near 0 and on log erfc(x) = log(1 - a) in the tails, which
        # is nearly linear there and keeps its digits (1 - a >= 2**-53, so erfc(x) never underflows)
        slope = 2.0 * _SQRT_PI_INV * np.exp(-x * x)
        tail = erfc(x)
        step = np.where(near, (erf(x) - a) / slope, (np.log(q) - np.log(tail)) * tail / slope)
        x = x - step
    out = np.where(inside, np.copysign(x, y), np.where(np.abs(y) == 1.0, np.copysign(np.inf, y), np.nan))
    return out.astype(dtype)


# Lanczos (g = 7, n = 9) for small arguments, Stirling's series from 10 on
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
            1.5056327351493116e-7)
_HALF_LOG_2PI = 0.91893853320467274178
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156)


def _lgamma_positive(x):
    small = np.clip(x, 0.5, 10.0) - 1.0
    total = _LANCZOS[0] + sum(c / (small + i) for i, c in enumerate(_LANCZOS[1:], 1))
    t = small + 7.5
    lanczos = _HALF_LOG_2PI + (small + 0.5) * np.log(t) - t + np.log(total)
    big = np.maximum(x, 10.0)
    inv = 1.0 / big
    inv2 = inv * inv
    series = sum(c * inv * inv2 ** k for k, c in enumerate(_STIRLING))
    stirling = (big - 0.5) * np.log(big) - big + _HALF_LOG_2PI + series
    return np.where(x < 10.0, lanczos, stirling)


def _sin_pi(x):
    """|sin(pi x)| from x's distance to the nearest integer, exact in float64 where sin(pi * x) is not."""
    return np.abs(np.sin(np.pi * (x - np.round(x))))


def lgamma(x) -> np.ndarray:
    """log|Gamma(x)|; inf at the poles 0, -1, -2, .... Example: ``lgamma(np.array(3.0))`` is log 2."""
    x, dtype = as_float(x)
    reflected = np.where(x < 0.5, 1.0 - x, x)
    core = _lgamma_positive(np.where(np.isfinite(reflected), reflected, 10.0))
    core = np.where(np.isfinite(reflected), core, np.abs(x))
    s = _sin_pi(np.where(np.isfinite(x), x, 0.5))
    pole = (x <= 0) & (s == 0)
    left = np.log(np.pi / np.where(s == 0, 1.0, s)) - core
    out = np.where(pole, np.inf, np.where(x < 0.5, left, core))
    return np.where(np.isfinite(x), out, np.abs(x)).astype(dtype)


# Bernoulli numbers B2 .. B16 over 2k, the asymptotic series of digamma
_B2K = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)


def _shift(x, threshold, term):
    """(x moved above `threshold` by unit steps, the sum of term(z) over the values it passed)."""
    z, acc = x, np.zeros_like(x)
    while True:
        below = z < threshold
        if not below.any():
            return z, acc
        acc = acc + np.where(below, term(np.where(below, z, 1.0)), 0.0)
        z = np.where(below, z + 1.0, z)


def _digamma_positive(x):
    z, acc = _shift(x, 10.0, lambda z: 1.0 / z)
    inv2 = (1.0 / z) ** 2
    series = sum(b / (2 * k) * inv2 ** k for k, b in enumerate(_B2K, 1))
    return np.log(z) - 0.5 / z - series - acc


def digamma(x) -> np.ndarray:
    """The logarithmic derivative of Gamma; nan at the poles. Example: ``digamma(np.array(1.0))``."""
    x, dtype = as_float(x)
    finite = np.isfinite(x)
    left = x < 0.5
    core = _digamma_positive(np.where(finite, np.where(left, 1.0 - x, x), 1.0))
    r = np.where(finite, x - np.round(np.where(finite, x, 0.0)), 0.5)
    pole = left & (r == 0)
    reflected = core - np.pi / np.tan(np.pi * np.where(r == 0, 0.5, r))
    out = np.where(pole, np.nan, np.where(left, reflected, core))
    out = np.where(finite, out, np.where(x > 0, np.inf, np.nan))
    return out.astype(dtype)


def _rising(s, m):
    out = 1.0
    for k in range(m):
        out *= s + k
    return out


def polygamma(n: int, x) -> np.ndarray:
    """The n-th derivative of digamma (n >= 0). Example: ``polygamma(1, np.array(1.0))`` is pi**2/6."""
    if n == 0:
        return digamma(x)
    x, dtype = as_float(x)
    s = n + 1
    pole = (x <= 0) & (x == np.round(x))
    start = np.where(pole | ~np.isfinite(x), 1.0, x)
    # Hurwitz zeta(s, x) by Euler-Maclaurin after shifting x past 10 + n
    z, acc = _shift(start, 10.0 + n, lambda z: z ** -s)
    tail = z ** (1 - s) / (s - 1) + 0.5 * z ** -s
    factorial = 1.0
    for j, b in enumerate(_B2K, 1):
        factorial *= (2 * j - 1) * (2 * j)
        tail = tail + b / factorial * _rising(s, 2 * j - 1) * z ** (-s - 2 * j + 1)
    sign = 1.0 if n % 2 else -1.0
    out = sign * float(np.prod(np.arange(1, n + 1, dtype=np.float64))) * (acc + tail)
    out = np.where(pole, np.nan, np.where(np.isfinite(x), out, np.where(x > 0, 0.0, np.nan)))
    return out.astype(dtype)


_SQRT_2PI = 2.5066282746310002416


def _ndtri_start(q):
    """A first guess at ndtri(q) for 0 < q <= 1/2: erfinv's where 2q - 1 keeps q's digits, the tail's
    asymptotic form -sqrt(-2 log q - log(-2 log q) - log(2 pi)) below 1e-12."""
    central = erfinv(2.0 * np.maximum(q, 1e-12) - 1.0) * np.sqrt(2.0)
    t = -2.0 * np.log(np.minimum(q, 1e-12))
    tail = -np.sqrt(t - np.log(t) - np.log(2.0 * np.pi))
    return np.where(q > 1e-12, central, tail)


def ndtri(p) -> np.ndarray:
    """The standard normal quantile, accurate to rounding down to p = 1e-300: a start refined by Newton
    steps on log(ndtr(x)) = log(p), whose slope npdf / ndtr keeps its digits in the far tail.

    Example:
        >>> round(float(ndtri(np.array(1e-20))), 9)
        -9.26234009
    """
    p, dtype = as_float(p)
    inside = (p > 0) & (p < 1)
    q = np.where(inside, np.minimum(p, 1.0 - p), 0.25)   # 1 - p is exact for p >= 1/2
    x = _ndtri_start(q)
    log_q = np.log(q)
    for _ in range(4):
        cdf = 0.5 * erfc(-x * np.sqrt(0.5))
        x = x - (np.log(cdf) - log_q) * cdf * _SQRT_2PI * np.exp(0.5 * x * x)
    x = np.where(p > 0.5, -x, x)
    out = np.where(inside, x, np.where(p == 0, -np.inf, np.where(p == 1, np.inf, np.nan)))
    return out.astype(dtype)

