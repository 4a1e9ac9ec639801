"""Special functions as primitives: erf, erfc, erfcx, erfinv, ndtri, lgamma, digamma, polygamma, the
regularized incomplete gamma and beta functions with their derivatives of every order in the shape
parameters (gammainc[k, upper], betainc[i, j]), and the Bessel functions J_n, Y_n and exp(-|x|) I_v.
One block each, every rule in it; fgrad.scipy.special builds the rest (ndtr, betaln, i0, iv, the stats
distributions) from them.

The values are SciPy's where SciPy is installed, else the pure-NumPy kernels of _special_kernels,
_incomplete_kernels and _bessel_kernels (accurate to float64 rounding): fgrad never needs SciPy to
import or to compute. On the xla backend, the orders jax has no function for (gammainc's second
a-derivative, betainc's a- and b-derivatives, J and Y beyond order 1, I_v beyond order 1) raise
MissingRuleError naming the primitive when a program needs them.

Example:
    >>> import fgrad, fgrad.scipy.special as fss
    >>> float(fgrad.grad(fss.erf)(0.0))  # 2 / sqrt(pi)
    1.1283791670955126
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Aval, Primitive, Tracer, bind
from ..errors import MissingRuleError
from ..transforms.batching import elementwise_rule
from . import _bessel_kernels as bessel
from . import _incomplete_kernels as incomplete
from . import _special_kernels as kernels
from ._base import common_shape, same_dtype
from .elementwise import exp_p, log1p_p, log_p, sign_p

SRC = "fgrad/primitives/special.py"

try:
    import scipy.special as _scipy_special
except ImportError:         # the pure-NumPy kernels stand in
    _scipy_special = None


def _impl(scipy_name: str, fallback):
    """SciPy's function where installed (its float32 stays float32), else the NumPy kernel."""
    if _scipy_special is None:
        return fallback
    scipy_fn = getattr(_scipy_special, scipy_name)

    def impl(*args):
        x, dtype = kernels.as_float(args[-1])
        return np.asarray(scipy_fn(*args[:-1], x)).astype(dtype)
    impl.__name__ = fallback.__name__
    return impl


def _special(name: str, impl, jax: str, scalar: str | None = None, **facts) -> Primitive:
    prim = Primitive(name, abstract=lambda x, **params: x, impl=impl, source=SRC, elementwise=True,
                     numpy=f"_{name}({{0}})", helpers={f"_{name}": impl}, jax=jax, scalar=scalar, **facts)
    prim.def_batch(elementwise_rule(prim))
    return prim


def _exp(x):
    return bind(exp_p, x)


_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _complex_too(scipy_name: str, real_impl):
    """`real_impl`, and SciPy's function for complex arguments (fgrad's kernels are real)."""
    def impl(x):
        if np.iscomplexobj(x) and _scipy_special is not None:
            return np.asarray(getattr(_scipy_special, scipy_name)(x)).astype(np.asarray(x).dtype)
        return real_impl(x)
    impl.__name__ = real_impl.__name__
    return impl


# --- erf: the walk-through in docs/developer/primitives.md ------------------------------------
# (erf and erfc are entire functions: their rules hold for complex arguments, evaluated by SciPy)

erf_p = _special("erf", _complex_too("erf", _impl("erf", kernels.erf)), jax="lax.erf({0})", scalar="math.erf({0})")
erf_p.def_vjp(lambda ct, x, out: [ct * (_exp(-(x * x)) * _TWO_OVER_SQRT_PI)])
erf_p.def_jvp(lambda p, t, out: t[0] * (_exp(-(p[0] * p[0])) * _TWO_OVER_SQRT_PI))

erfc_p = _special("erfc", _complex_too("erfc", _impl("erfc", kernels.erfc)), jax="lax.erfc({0})",
                  scalar="math.erfc({0})")
erfc_p.def_vjp(lambda ct, x, out: [ct * (_exp(-(x * x)) * -_TWO_OVER_SQRT_PI)])
erfc_p.def_jvp(lambda p, t, out: t[0] * (_exp(-(p[0] * p[0])) * -_TWO_OVER_SQRT_PI))

# the derivative of the inverse is 1 / erf'(erfinv(y)), written with the output
erfinv_p = _special("erfinv", _impl("erfinv", kernels.erfinv), jax="lax.erf_inv({0})")
erfinv_p.def_vjp(lambda ct, x, out: [ct * (_exp(out * out) / _TWO_OVER_SQRT_PI)])
erfinv_p.def_jvp(lambda p, t, out: t[0] * (_exp(out * out) / _TWO_OVER_SQRT_PI))

# exp(x*x) erfc(x), which neither overflows nor underflows where erfc does; d/dx = 2 x out - 2 / sqrt(pi)
erfcx_p = _special("erfcx", _impl("erfcx", kernels.erfcx), jax="jax.scipy.special.erfcx({0})")
erfcx_p.def_vjp(lambda ct, x, out: [ct * (x * out * 2.0 - _TWO_OVER_SQRT_PI)])
erfcx_p.def_jvp(lambda p, t, out: t[0] * (p[0] * out * 2.0 - _TWO_OVER_SQRT_PI))

# the normal quantile: SciPy's ndtri, or a kernel accurate down to p = 1e-300 (erfinv(2p - 1) would
# lose p's digits below 1e-12); its slope 1 / npdf(out) is written with the output. jax.scipy.special
# is loaded by `import jax` in the jax versions fgrad supports (lax has no ndtri)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
ndtri_p = _special("ndtri", _impl("ndtri", kernels.ndtri), jax="jax.scipy.special.ndtri({0})")
ndtri_p.def_vjp(lambda ct, x, out: [ct * (_exp(out * out * 0.5) * _SQRT_2PI)])
ndtri_p.def_jvp(lambda p, t, out: t[0] * (_exp(out * out * 0.5) * _SQRT_2PI))


# --- the gamma family: each derivative is the next function of the family -------------------

def _polygamma_impl(x, *, n):
    return _scipy_special.polygamma(n, x).astype(kernels.as_float(x)[1]) if _scipy_special is not None \
        else kernels.polygamma(n, x)


def polygamma(n: int, x):
    """The n-th derivative of digamma at traced `x`, one primitive."""
    return bind(polygamma_p, x, n=n)


def digamma(x):
    return bind(digamma_p, x)


_scipy_lgamma = _impl("gammaln", kernels.lgamma)


def _lgamma(x):
    # SciPy says -inf at -inf; jax's (and the kernel's) inf is the limit of log|Gamma|
    out = _scipy_lgamma(x)
    return np.where(np.isneginf(x), np.inf, out).astype(out.dtype)


# no scalar form: math.lgamma raises at the poles where NumPy's answer is inf
lgamma_p = _special("lgamma", _lgamma, jax="lax.lgamma({0})")
lgamma_p.def_vjp(lambda ct, x, out: [ct * digamma(x)])
lgamma_p.def_jvp(lambda p, t, out: t[0] * digamma(p[0]))

_scipy_digamma = _impl("digamma", kernels.digamma)


def _digamma(x):
    # SciPy says -inf at 0; jax (and the kernel) say nan at every pole, 0 included
    out = _scipy_digamma(x)
    return np.where((np.asarray(x) == 0), np.nan, out).astype(out.dtype)


digamma_p = _special("digamma", _digamma, jax="lax.digamma({0})")
digamma_p.def_vjp(lambda ct, x, out: [ct * polygamma(1, x)])
digamma_p.def_jvp(lambda p, t, out: t[0] * polygamma(1, p[0]))

polygamma_p = Primitive("polygamma", abstract=lambda x, *, n: x, impl=_polygamma_impl, source=SRC,
                        elementwise=True, numpy="_polygamma({0}, n={n})", helpers={"_polygamma": _polygamma_impl},
                        jax="lax.polygamma(jnp.full_like({0}, {n}), {0})")
polygamma_p.def_vjp(lambda ct, x, out, *, n: [ct * polygamma(n + 1, x)])
polygamma_p.def_jvp(lambda p, t, out, *, n: t[0] * polygamma(n + 1, p[0]))
polygamma_p.def_batch(elementwise_rule(polygamma_p))


# --- the incomplete gamma and beta functions: derivatives of every order in every argument ------

def _psi(n: int, x):
    """polygamma(n, x) for traced or concrete x, digamma at n = 0."""
    return digamma(x) if n == 0 else polygamma(n, x)


def _exp_partials(f, g, i: int, j: int):
    """d^i/da^i d^j/db^j of f = exp(G), where g(p, q) is d^p/da^p d^q/db^q of G (p + q >= 1):
    Leibniz's rule on f' = G' f, written in fgrad ops so that it differentiates again."""
    memo = {(0, 0): f}

    def d(p, q):
        if (p, q) not in memo:
            if p:
                memo[p, q] = sum(math.comb(p - 1, r) * math.comb(q, s) * g(r + 1, s) * d(p - 1 - r, q - s)
                                 for r in range(p) for s in range(q + 1))
            else:
                memo[p, q] = sum(math.comb(q - 1, s) * g(0, s + 1) * d(0, q - 1 - s) for s in range(q))
        return memo[p, q]
    return d(i, j)


def _log(x):
    return bind(log_p, x)


def _elementwise_abstract(name: str):
    def abstract(*avals, **params):
        return Aval(common_shape(name, avals), same_dtype(name, avals))
    return abstract


# what a user can do where jax has no function for an order the program needs
NUMPY_HAS_IT = "compile this function with the numpy backend (the default), which has every order"


def _no_xla_form(name: str, params: str):
    """The xla template of an order jax has no function for: it says so when a program needs it."""
    def template(args, avals, **kw):
        raise MissingRuleError(f"{name}[{params.format(**kw)}]", "xla (jax has no such derivative)", SRC,
                               NUMPY_HAS_IT)
    return template


def _gammainc_impl(a, x, *, k, upper):
    if k == 0 and _scipy_special is not None:
        (a, x), dtype = incomplete._floats(a, x)
        return np.asarray((_scipy_special.gammaincc if upper else _scipy_special.gammainc)(a, x)).astype(dtype)
    return incomplete.gammainc_derivative(k, upper, a, x)


def _same_dtype_args(args, avals) -> str:
    """The operands of a lax call that wants one dtype: literals converted to the arrays' dtype."""
    dtype = next((a.dtype for a in avals if a.shape), avals[-1].dtype)
    return ", ".join(f"lax.convert_element_type({arg}, jnp.{np.dtype(dtype).name})" for arg in args)


def _gammainc_jax(args, avals, *, k, upper):
    if k > 1:
        return _no_xla_form("gammainc", "k={k}, upper={upper}")(args, avals, k=k, upper=upper)
    call = ("lax.igammac" if upper else "lax.igamma") if k == 0 else "lax.igamma_grad_a"
    return f"{'-' if k and upper else ''}{call}({_same_dtype_args(args, avals)})"


def _like(v, x):
    """A concrete operand (a literal) in x's dtype, so that a float32 program stays float32."""
    if isinstance(v, Tracer):
        return v
    return np.asarray(v, dtype=x.dtype if isinstance(x, Tracer) else np.asarray(x).dtype)


def _gammainc_dx(a, x, k, upper):
    """d/dx of d^k/da^k P(a, x): the density x^(a-1) exp(-x) / Gamma(a) differentiated k times in a."""
    a = _like(a, x)
    log_x = _log(x)
    density = _exp((a - 1.0) * log_x - x - bind(lgamma_p, a))
    g = lambda p, q: log_x - digamma(a) if p == 1 else -_psi(p - 1, a)  # noqa: E731
    out = _exp_partials(density, g, k, 0)
    return -out if upper else out


# d^k/da^k of P(a, x) (of Q(a, x) = 1 - P where `upper`); its a-derivative is the next k
gammainc_p = Primitive("gammainc", abstract=_elementwise_abstract("gammainc"), impl=_gammainc_impl, source=SRC,
                       elementwise=True, numpy="_gammainc({0}, {1}, k={k}, upper={upper})",
                       helpers={"_gammainc": _gammainc_impl}, jax=_gammainc_jax)
gammainc_p.def_vjp(lambda ct, a, x, out, *, k, upper: [
    ct * bind(gammainc_p, a, x, k=k + 1, upper=upper), ct * _gammainc_dx(a, x, k, upper)])
gammainc_p.def_jvp(lambda p, t, out, *, k, upper: _tangent(
    t, [lambda: bind(gammainc_p, p[0], p[1], k=k + 1, upper=upper), lambda: _gammainc_dx(p[0], p[1], k, upper)]))
gammainc_p.def_batch(elementwise_rule(gammainc_p))


def _tangent(tangents, partials):
    """sum of t_i * d out / d in_i over the inputs whose tangent is not a symbolic zero."""
    terms = [t * partial() for t, partial in zip(tangents, partials) if t is not None]
    return sum(terms[1:], terms[0]) if terms else None


def _betainc_impl(a, b, x, *, i, j):
    if i == j == 0 and _scipy_special is not None:
        (a, b, x), dtype = incomplete._floats(a, b, x)
        return np.asarray(_scipy_special.betainc(a, b, x)).astype(dtype)
    return incomplete.betainc_derivative(i, j, a, b, x)


def _betainc_jax(args, avals, *, i, j):
    if i or j:
        return _no_xla_form("betainc", "i={i}, j={j}")(args, avals, i=i, j=j)
    return f"lax.betainc({_same_dtype_args(args, avals)})"


def _betainc_dx(a, b, x, i, j):
    """d/dx of d^i/da^i d^j/db^j I_x(a, b): the beta density differentiated in a and b."""
    a, b = _like(a, x), _like(b, x)
    log_x, log_1mx, total = _log(x), bind(log1p_p, -x), a + b
    lbeta = bind(lgamma_p, a) + bind(lgamma_p, b) - bind(lgamma_p, total)
    density = _exp((a - 1.0) * log_x + (b - 1.0) * log_1mx - lbeta)

    def g(p, q):
        if (p, q) == (1, 0):
            return log_x - digamma(a) + digamma(total)
        if (p, q) == (0, 1):
            return log_1mx - digamma(b) + digamma(total)
        out = _psi(p + q - 1, total)
        return out - _psi(p - 1, a) if q == 0 else (out - _psi(q - 1, b) if p == 0 else out)
    return _exp_partials(density, g, i, j)


# d^i/da^i d^j/db^j of the regularized incomplete beta function I_x(a, b)
betainc_p = Primitive("betainc", abstract=_elementwise_abstract("betainc"), impl=_betainc_impl, source=SRC,
                      elementwise=True, numpy="_betainc({0}, {1}, {2}, i={i}, j={j})",
                      helpers={"_betainc": _betainc_impl}, jax=_betainc_jax)
betainc_p.def_vjp(lambda ct, a, b, x, out, *, i, j: [
    ct * bind(betainc_p, a, b, x, i=i + 1, j=j), ct * bind(betainc_p, a, b, x, i=i, j=j + 1),
    ct * _betainc_dx(a, b, x, i, j)])
betainc_p.def_jvp(lambda p, t, out, *, i, j: _tangent(t, [
    lambda: bind(betainc_p, *p, i=i + 1, j=j), lambda: bind(betainc_p, *p, i=i, j=j + 1),
    lambda: _betainc_dx(*p, i, j)]))
betainc_p.def_batch(elementwise_rule(betainc_p))


# --- Bessel functions: J_n and Y_n of integer order, exp(-|x|) I_v of real order ----------------
# each derivative is a combination of neighbouring orders, so every order of derivative exists

def _order_impl(scipy_name: str, kernel):
    def impl(x, **params):
        order = next(iter(params.values()))
        if _scipy_special is None:
            return kernel(order, x)
        x, dtype = kernels.as_float(x)
        return np.asarray(getattr(_scipy_special, scipy_name)(order, x)).astype(dtype)
    impl.__name__ = kernel.__name__
    return impl


def _bessel_jax(kind: str):
    def template(args, avals, *, n):
        if abs(n) > 1:
            raise MissingRuleError(f"bessel_{kind}n[n={n}]", "xla (jax has no Bessel J or Y of this order)", SRC,
                                   NUMPY_HAS_IT)
        text = bessel.jax_text(kind, abs(n), args[0])
        return f"(-{text})" if n == -1 else text
    return template


def _over_x_limit(head, c1, x, at_zero):
    """head - c1 / x, and `at_zero` at x = 0 (its limit there) when given."""
    # the rule is written in fgrad.numpy, imported when it runs (fgrad.numpy imports this module)
    from .. import numpy as fnp
    if at_zero is None:
        return head - c1 / x
    zero = fnp.equal(x, 0)
    return fnp.where(zero, at_zero, head - c1 / fnp.where(zero, 1.0, x))


def _bessel_prim(kind: str, impl) -> Primitive:
    prim = Primitive(f"bessel_{kind}n", abstract=lambda x, *, n: x, impl=impl, source=SRC, elementwise=True,
                     numpy=f"_bessel_{kind}n({{0}}, n={{n}})", helpers={f"_bessel_{kind}n": impl},
                     jax=_bessel_jax(kind))
    def slope(x, n):
        if n == 0:
            return -bind(prim, x, n=1)
        if abs(n) == 1:      # C_1' = C_0 - C_1 / x keeps orders 0 and 1, which jax source exists for
            return _over_x_limit(bind(prim, x, n=0), bind(prim, x, n=1), x, 0.5 if kind == "j" else None) * n
        return (bind(prim, x, n=n - 1) - bind(prim, x, n=n + 1)) * 0.5
    prim.def_vjp(lambda ct, x, out, *, n: [ct * slope(x, n)])
    prim.def_jvp(lambda p, t, out, *, n: t[0] * slope(p[0], n))
    prim.def_batch(elementwise_rule(prim))
    return prim


# J_n (jv at integer order) and Y_n; d/dx is half the difference of the neighbouring orders
bessel_jn_p = _bessel_prim("j", _order_impl("jv", bessel.jn))
bessel_yn_p = _bessel_prim("y", _order_impl("yn", bessel.yn))


def _ive_jax(args, avals, *, v):
    if v not in (0.0, 1.0, -1.0):
        raise MissingRuleError(f"bessel_ive[v={v}]", "xla (jax has exp(-|x|) I_v for v = 0 and 1 only)", SRC,
                               NUMPY_HAS_IT)
    return f"lax.bessel_i{int(abs(v))}e({args[0]})"


def _ive_dx(x, v: float):
    """d/dx exp(-|x|) I_v(x) = exp(-|x|) I_v'(x) - sign(x) exp(-|x|) I_v(x), with I_v' from the
    neighbouring orders (I_{v+1} + v / x I_v where v - 1 would be a fractional negative order)."""
    here = bind(bessel_ive_p, x, v=v)
    if v == 0.0:
        return bind(bessel_ive_p, x, v=1.0) - bind(sign_p, x) * here
    if abs(v) == 1.0:        # I_1' = I_0 - I_1 / x keeps orders 0 and 1, which lax has
        return _over_x_limit(bind(bessel_ive_p, x, v=0.0), here, x, 0.5) - bind(sign_p, x) * here
    if float(v).is_integer() or v > 1:
        slope = (bind(bessel_ive_p, x, v=v - 1.0) + bind(bessel_ive_p, x, v=v + 1.0)) * 0.5
    else:
        slope = bind(bessel_ive_p, x, v=v + 1.0) + here * v / x
    return slope - bind(sign_p, x) * here


# exp(-|x|) I_v(x) for a real order v (a parameter); i0, i1, iv and their scaled forms build on it
bessel_ive_p = Primitive("bessel_ive", abstract=lambda x, *, v: x, impl=_order_impl("ive", bessel.ive), source=SRC,
                         elementwise=True, numpy="_bessel_ive({0}, v={v})",
                         helpers={"_bessel_ive": _order_impl("ive", bessel.ive)}, jax=_ive_jax)
bessel_ive_p.def_vjp(lambda ct, x, out, *, v: [ct * _ive_dx(x, v)])
bessel_ive_p.def_jvp(lambda p, t, out, *, v: t[0] * _ive_dx(p[0], v))
bessel_ive_p.def_batch(elementwise_rule(bessel_ive_p))
