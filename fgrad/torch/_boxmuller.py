"""The arithmetic of PyTorch's CPU samplers, reproduced to the last bit over NumPy arrays.

PyTorch's CPU kernels are compiled with floating-point contraction, so `a * b + c` is one fused
multiply-add; float32 FMAs are exact here through float64 (the product of two floats is exact in a
double), float64 ones through an error-free product and sum. Its float32 normal kernel for 16 or more
contiguous elements evaluates log and sincos with the Cephes polynomials of avx_mathfun (not libm), so
those are written out below in float32 steps; its float64 kernels call libm, so Python's `math` (the
same libm) is used element by element rather than NumPy's vectorised log/cos, which differ in the last bit.

Example:
    >>> import numpy as np
    >>> float(fma32(np.float32([0.1]), np.float32(3), np.float32(1))[0]) == float(np.float32(1.3))
    True
"""

from __future__ import annotations

import math

import numpy as np

_F = np.float32
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)
_SPLIT = 134217729.0                 # 2**27 + 1, Dekker's splitter for float64


def fma32(a, b, c) -> np.ndarray:
    """float32 a*b+c rounded once (to within a double rounding that needs a 2**-29 coincidence)."""
    return (np.asarray(a, np.float64) * np.float64(b) + np.asarray(c, np.float64)).astype(_F)


def _two_prod(a, b):
    p = a * b
    a_hi = a * _SPLIT - (a * _SPLIT - a)
    b_hi = b * _SPLIT - (b * _SPLIT - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def fma64(a, b, c) -> np.ndarray:
    """float64 a*b+c as one rounding (error-free product and sum, then one final addition)."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    p, err = _two_prod(a, b)
    s = p + c
    bp = s - p
    s_err = (p - (s - bp)) + (c - bp)
    return s + (s_err + err)


# --- avx_mathfun's float32 log and sincos (the steps PyTorch's AVX2 normal kernel runs) ------------

def _log_ps(x: np.ndarray) -> np.ndarray:
    bits = np.maximum(x, np.float32(1.1754944e-38)).view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(_F) + _F(1)
    x = ((bits & ~0x7F800000) | np.float32(0.5).view(np.int32)).view(_F)
    small = x < _F(0.707106781186547524)
    x = (x - _F(1)) + np.where(small, x, _F(0))
    e = e - np.where(small, _F(1), _F(0))
    z = x * x
    y = np.full_like(x, _F(_LOG_P[0]))
    for coef in _LOG_P[1:]:
        y = fma32(y, x, _F(coef))
    y = fma32(y * x, z, e * _F(-2.12194440e-4))
    y = fma32(z, _F(-0.5), y)
    return fma32(e, _F(0.693359375), x + y)


def _sincos_ps(x: np.ndarray):
    sign_sin = np.signbit(x)
    x = np.abs(x)
    j = ((x * _F(1.27323954473516)).astype(np.int32) + 1) & ~1
    y = j.astype(_F)
    for dp in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma32(y, _F(dp), x)
    sign_sin ^= (j & 4) != 0
    sign_cos = ((j - 2) & 4) == 0
    z = x * x
    yc = fma32(fma32(np.full_like(x, _F(2.443315711809948e-5)), z, _F(-1.388731625493765e-3)), z,
               _F(4.166664568298827e-2))
    yc = fma32(yc * z, z, -(z * _F(0.5))) + _F(1)
    ys = fma32(fma32(np.full_like(x, _F(-1.9515295891e-4)), z, _F(8.3321608736e-3)), z, _F(-1.6666654611e-1))
    ys = fma32(ys * z, x, x)
    first = (j & 2) == 0
    s, c = np.where(first, ys, yc), np.where(first, yc, ys)
    return np.where(sign_sin, -s, s), np.where(sign_cos, -c, c)


def _fill16_float(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    u = u.reshape(-1, 2, 8)
    radius = np.sqrt(_F(-2) * _log_ps(_F(1) - u[:, 0]))
    s, c = _sincos_ps(_F(2.0 * math.pi) * u[:, 1])
    out = np.stack([radius * c, radius * s], 1).reshape(-1)
    return fma32(out, _F(std), _F(mean))


LOG, LOG1P, EXP, TAN, _COS, _SIN = (np.frompyfunc(f, 1, 1) for f in (math.log, math.log1p, math.exp, math.tan,
                                                                          math.cos, math.sin))


def _fill16_double(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    u = u.reshape(-1, 2, 8)
    radius = np.sqrt(-2 * LOG(1 - u[:, 0]).astype(np.float64))
    theta = (2.0 * math.pi) * u[:, 1]
    cos, sin = _COS(theta).astype(np.float64), _SIN(theta).astype(np.float64)
    out = np.stack([radius * cos, radius * sin], 1).reshape(-1)
    return fma64(out, std, mean)


def fill_normal(uniforms, n: int, single: bool, mean: float, std: float, whole_blocks_first: bool = False
                ) -> np.ndarray:
    """PyTorch's `normal_fill` for n >= 16: `uniforms(k)` draws k uniforms of the tensor's dtype.

    All n uniforms are drawn and transformed in blocks of 16; when n is not a multiple of 16 the last
    16 values are drawn again and transformed as one more block, as PyTorch does. Its float16 kernel
    (`whole_blocks_first`) first draws only the uniforms of the whole blocks.
    """
    fill = _fill16_float if single else _fill16_double
    full = n - n % 16
    out = np.empty(n, np.float32 if single else np.float64)
    out[:full] = fill(uniforms(full if whole_blocks_first else n)[:full], mean, std)
    if n % 16:
        out[n - 16:] = fill(uniforms(16), mean, std)
    return out


def box_muller_pair(u1: float, u2: float) -> tuple[float, float]:
    """The scalar path's pair from two double uniforms: (the value returned, the value cached)."""
    r = math.sqrt(-2.0 * math.log1p(-u2))
    theta = 2.0 * math.pi * u1
    return r * math.cos(theta), r * math.sin(theta)
