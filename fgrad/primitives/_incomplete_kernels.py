"""Pure-NumPy kernels of the regularized incomplete gamma and beta functions and of their derivatives
of any order in the shape parameters.

P(a, x) = gammainc, Q(a, x) = gammaincc and I_x(a, b) = betainc are evaluated by the classic series
and continued fractions (Numerical Recipes' gser/gcf/betacf), run in truncated Taylor arithmetic in
the shape parameters: every number is a small array of Taylor coefficients in (da, db), so the same
loop that gives the value gives d^i/da^i d^j/db^j of it, to float64 rounding, without differencing.
The loops run on the elements that have not converged only, on the branch that converges fast for
them (the series below x = a + 1, the fraction above; betainc's symmetry at its mean).

Example:
    >>> round(float(gammainc(np.array(1.0), np.array(1.0))), 12)  # 1 - exp(-1)
    0.632120558829
"""

from __future__ import annotations

import math

import numpy as np

from . import _special_kernels as kernels

try:
    import scipy.special as _scipy_special
except ImportError:         # the pure-NumPy kernels stand in
    _scipy_special = None

_EPS = 1e-16
_MAX_ITER = 20000


# --- truncated Taylor series in two variables: arrays of shape (i + 1, j + 1, n) -----------------

def _mul(p, q):
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape))
    ni, nj = out.shape[:2]
    for i in range(ni):
        for j in range(nj):
            out[i, j] = sum(p[k, m] * q[i - k, j - m] for k in range(i + 1) for m in range(j + 1))
    return out


def _div(p, q):
    out = np.zeros(np.broadcast_shapes(p.shape, q.shape))
    ni, nj = out.shape[:2]
    for i in range(ni):
        for j in range(nj):
            acc = p[i, j] - sum(q[k, m] * out[i - k, j - m] for k in range(i + 1) for m in range(j + 1)
                                if (k, m) != (0, 0))
            out[i, j] = acc / q[0, 0]
    return out


def _exp(p):
    """exp of a series: exp(p00) times the finite sum of powers of the nilpotent rest."""
    rest = p.copy()
    rest[0, 0] = 0.0
    out, power = np.zeros_like(p), np.zeros_like(p)
    out[0, 0] = power[0, 0] = 1.0
    for m in range(1, sum(p.shape[:2]) - 1):
        power = _mul(power, rest) / m
        out = out + power
    return out * np.exp(p[0, 0])


def _plus(p, c):
    """p + c for a number c: only the constant coefficient moves."""
    out = p.copy()
    out[0, 0] = out[0, 0] + c
    return out


def _const(value, orders):
    out = np.zeros(orders + np.shape(np.atleast_1d(value)))     # a scalar broadcasts on the last axis
    out[0, 0] = value
    return out


def _linear(value, orders, da=0.0, db=0.0):
    """value + da * eps_a + db * eps_b as a series."""
    out = _const(value, orders)
    if orders[0] > 1:
        out[1, 0] = da
    if orders[1] > 1:
        out[0, 1] = db
    return out


def _psi(n: int, x):
    return kernels.polygamma(n, x) if _scipy_special is None else _scipy_special.polygamma(n, x)


def _lgamma_series(s, orders, in_a: bool, in_b: bool):
    """lgamma(s + [eps_a] + [eps_b]) as a series: coefficient (i, j) is psi^(i+j-1)(s) / (i! j!)."""
    out = _const(kernels.lgamma(s) if _scipy_special is None else _scipy_special.gammaln(s), orders)
    for i in range(orders[0] if in_a else 1):
        for j in range(orders[1] if in_b else 1):
            if i + j:
                out[i, j] = _psi(i + j - 1, s) / (math.factorial(i) * math.factorial(j))
    return out


def _converged(step, total):
    # every coefficient, or (for a derivative that happens to be near 0) far below the value's scale
    small = np.abs(step) <= _EPS * np.maximum(np.abs(total), 1e-3 * np.abs(total[0, 0]))
    return np.all(small, axis=(0, 1))


def _iterate(state, update, done):
    """Run `update(state, n, live)` until `done(state)` holds for every element, shrinking the live
    set as elements converge; the result holds every element's converged state."""
    n_all = state[0].shape[-1]
    result = [s.copy() for s in state]
    live = np.arange(n_all)
    for n in range(1, _MAX_ITER):
        state = update(state, n, live)
        finished = done(state)
        if finished.any():
            idx = live[finished]
            for r, s in zip(result, state):
                r[..., idx] = s[..., finished]
            live = live[~finished]
            state = [s[..., ~finished] for s in state]
        if live.size == 0:
            return result
    for r in result:                                  # not converged: nan, never a wrong number
        r[..., live] = np.nan
    return result


# --- the incomplete gamma function -------------------------------------------------------------

def _gamma_series(a, x, orders):
    """P(a, x) = exp(a log x - x - lgamma(a + 1)) * sum_n prod_{j<=n} x / (a + j), for x < a + 1."""
    def update(state, n, live):
        term, total = state
        inv = _div(_const(1.0, orders), _linear(a[live] + n, orders, 1.0))
        term = _mul(term, inv) * x[live]
        return [term, total + term]

    def done(state):
        return _converged(state[0], state[1])

    start = _const(np.ones_like(x), orders)
    _, total = _iterate([start, start.copy()], update, done)
    head = _linear(a * np.log(x) - x, orders, np.log(x)) - _lgamma_series(a + 1.0, orders, True, False)
    return _mul(_exp(head), total)


def _gamma_fraction(a, x, orders):
    """Q(a, x) by Lentz's method on Legendre's continued fraction, for x >= a + 1."""
    def update(state, n, live):
        c, d, h, b = state
        an = _linear(-n * (n - a[live]), orders, float(n))
        b = _plus(b, 2.0)
        d = _div(_const(1.0, orders), _mul(an, d) + b)
        c = b + _div(an, c)
        step = _mul(d, c)
        return [c, d, _mul(h, step), b, step]

    def done(state):
        step = state[4].copy()
        step[0, 0] -= 1.0
        return _converged(step, state[4])

    b = _linear(x + 1.0 - a, orders, -1.0)
    d = _div(_const(1.0, orders), b)
    big = _const(np.full_like(x, 1e300), orders)
    state = _iterate([big, d, d.copy(), b, d.copy()], lambda s, n, live: update(s[:4], n, live), done)
    head = _linear(a * np.log(x) - x, orders, np.log(x)) - _lgamma_series(a, orders, True, False)
    return _mul(_exp(head), state[2])


def gammainc_derivative(k: int, upper: bool, a, x) -> np.ndarray:
    """d^k/da^k of P(a, x) (Q(a, x) where `upper`), elementwise. Example in the module docstring."""
    (a, x), dtype = _floats(a, x)
    shape = np.broadcast_shapes(a.shape, x.shape)
    a, x = (np.broadcast_to(v, shape).ravel() for v in (a, x))
    out = np.full(a.shape, np.nan)
    orders = (k + 1, 1)
    valid = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
    for region, fn, flip in ((valid & (x < a + 1.0), _gamma_series, upper),
                             (valid & (x >= a + 1.0), _gamma_fraction, not upper)):
        if region.any():
            series = fn(a[region], x[region], orders)
            value = series[k, 0] * math.factorial(k)
            out[region] = (1.0 - value if k == 0 else -value) if flip else value
    edge = 0.0 if k else 1.0
    out = np.where((a > 0) & (x == 0), 0.0 if (k or not upper) else 1.0, out)
    out = np.where((a > 0) & np.isposinf(x), 0.0 if (k or upper) else edge, out)
    out = np.where((a == 0) & (x > 0) & (k == 0), 0.0 if upper else 1.0, out)
    return out.reshape(shape).astype(dtype)


def gammainc(a, x) -> np.ndarray:
    """The regularized lower incomplete gamma function P(a, x). Example in the module docstring."""
    return gammainc_derivative(0, False, a, x)


def gammaincc(a, x) -> np.ndarray:
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x), keeping Q's digits."""
    return gammainc_derivative(0, True, a, x)


# --- the incomplete beta function ------------------------------------------------------------------

def _beta_fraction(a, b, x, orders):
    """I_x(a, b) = x^a (1 - x)^b / (a B(a, b)) * betacf, for x below the mean (a + 1) / (a + b + 2)."""
    one = _const(1.0, orders)
    sa, sb = _linear(a, orders, 1.0), _linear(b, orders, 0.0, 1.0)

    def coefficient(m, live, odd):
        aa, bb = sa[..., live], sb[..., live]
        if odd:       # -(a + m)(a + b + m) x / ((a + 2m)(a + 1 + 2m))
            num = -_mul(_plus(aa, m), _plus(aa + bb, m)) * x[live]
            return _div(num, _mul(_plus(aa, 2 * m), _plus(aa, 1 + 2 * m)))
        num = _plus(bb, -m) * (m * x[live])               # m (b - m) x / ((a - 1 + 2m)(a + 2m))
        return _div(num, _mul(_plus(aa, 2 * m - 1), _plus(aa, 2 * m)))

    def update(state, m, live):
        c, d, h, _ = state
        for odd in (False, True):
            aa = coefficient(m, live, odd)
            d = _div(one, one + _mul(aa, d))
            c = one + _div(aa, c)
            step = _mul(d, c)
            h = _mul(h, step)
        return [c, d, h, step]

    def done(state):
        step = state[3].copy()
        step[0, 0] -= 1.0
        return _converged(step, state[3])

    d = _div(one, one - _div((sa + sb) * x, _plus(sa, 1.0)))
    c = _const(np.ones_like(x), orders)
    _, _, h, _ = _iterate([c, d, d.copy(), d.copy()], update, done)
    head = (sa * np.log(x) + sb * np.log1p(-x) - _lgamma_series(a, orders, True, False)
            - _lgamma_series(b, orders, False, True) + _lgamma_series(a + b, orders, True, True))
    return _mul(_exp(head - _log_series(a, orders)), h)


def _log_series(a, orders):
    out = _const(np.log(a), orders)
    for i in range(1, orders[0]):
        out[i, 0] = (-1.0) ** (i + 1) / (i * a ** i)
    return out


def betainc_derivative(i: int, j: int, a, b, x) -> np.ndarray:
    """d^i/da^i d^j/db^j of I_x(a, b), elementwise.

    Example:
        >>> float(betainc_derivative(0, 0, np.array(1.0), np.array(1.0), np.array(0.25)))
        0.25
    """
    (a, b, x), dtype = _floats(a, b, x)
    shape = np.broadcast_shapes(a.shape, b.shape, x.shape)
    a, b, x = (np.broadcast_to(v, shape).ravel() for v in (a, b, x))
    out = np.full(a.shape, np.nan)
    valid = (a > 0) & (b > 0) & (x > 0) & (x < 1) & np.isfinite(a) & np.isfinite(b)
    a_safe, b_safe = np.where(valid, a, 1.0), np.where(valid, b, 1.0)
    low = valid & (x < (a_safe + 1.0) / (a_safe + b_safe + 2.0))
    scale = math.factorial(i) * math.factorial(j)
    if low.any():
        out[low] = _beta_fraction(a[low], b[low], x[low], (i + 1, j + 1))[i, j] * scale
    high = valid & ~low
    if high.any():           # I_x(a, b) = 1 - I_{1-x}(b, a): the roles, and the series axes, swap
        value = _beta_fraction(b[high], a[high], 1.0 - x[high], (j + 1, i + 1))[j, i] * scale
        out[high] = 1.0 - value if i + j == 0 else -value
    inside = (a > 0) & (b > 0)
    out = np.where(inside & (x == 0), 0.0, out)
    out = np.where(inside & (x == 1), 1.0 if i + j == 0 else 0.0, out)
    out = np.where((a == 0) & (b > 0) & (x >= 0) & (x <= 1) & (i + j == 0), 1.0, out)
    out = np.where((b == 0) & (a > 0) & (x >= 0) & (x < 1) & (i + j == 0), 0.0, out)
    return out.reshape(shape).astype(dtype)


def betainc(a, b, x) -> np.ndarray:
    """The regularized incomplete beta function I_x(a, b). Example: betainc(1, 1, x) is x."""
    return betainc_derivative(0, 0, a, b, x)


def _floats(*args):
    """The operands as float64 arrays, and the result dtype: Python numbers (literals) are weak, as in
    the traced program, so a float32 array with a literal beside it stays float32."""
    arrays = [kernels.as_float(v) for v in args]
    strong = [d for v, (_, d) in zip(args, arrays) if not isinstance(v, (int, float))]
    return [v for v, _ in arrays], np.result_type(*strong) if strong else np.dtype(np.float64)
