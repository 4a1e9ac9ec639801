"""Special functions as primitives: erf, erfc, erfinv, lgamma, digamma and polygamma. One block each,
every rule in it; fgrad.scipy.special builds the rest (ndtr, betaln, the stats densities) from them.

The values are SciPy's where SciPy is installed, else the pure-NumPy kernels of _special_kernels
(accurate to float64 rounding): fgrad never needs SciPy to import or to compute.

Example:
    >>> import fgrad, fgrad.scipy.special as fss
    >>> float(fgrad.grad(fss.erf)(0.0))  # 2 / sqrt(pi)
    1.1283791670955126
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Primitive, bind
from ..transforms.batching import elementwise_rule
from . import _special_kernels as kernels
from .elementwise import exp_p

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


# --- erf: the walk-through in docs/developer/primitives.md ------------------------------------

erf_p = _special("erf", _impl("erf", kernels.erf), jax="lax.erf({0})", scalar="math.erf({0})")
erf_p.def_vjp(lambda ct, x, out: [ct * (_exp(-(x * x)) * _TWO_OVER_SQRT_PI)])
erf_p.def_jvp(lambda p, t, out: t[0] * (_exp(-(p[0] * p[0])) * _TWO_OVER_SQRT_PI))

erfc_p = _special("erfc", _impl("erfc", kernels.erfc), jax="lax.erfc({0})", scalar="math.erfc({0})")
erfc_p.def_vjp(lambda ct, x, out: [ct * (_exp(-(x * x)) * -_TWO_OVER_SQRT_PI)])
erfc_p.def_jvp(lambda p, t, out: t[0] * (_exp(-(p[0] * p[0])) * -_TWO_OVER_SQRT_PI))

# the derivative of the inverse is 1 / erf'(erfinv(y)), written with the output
erfinv_p = _special("erfinv", _impl("erfinv", kernels.erfinv), jax="lax.erf_inv({0})")
erfinv_p.def_vjp(lambda ct, x, out: [ct * (_exp(out * out) / _TWO_OVER_SQRT_PI)])
erfinv_p.def_jvp(lambda p, t, out: t[0] * (_exp(out * out) / _TWO_OVER_SQRT_PI))


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
