"""Cases for fgrad/primitives/special.py: erf, erfc, erfinv, lgamma, digamma, polygamma, the incomplete
gamma and beta functions and the Bessel functions."""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
from operands import pos, rnd

import fgrad.numpy as fnp
import fgrad.scipy.special as fss
from fgrad.core import Aval, bind
from fgrad.primitives import _bessel_kernels
from fgrad.primitives import special as s_p

_INNER = rnd(2, 3, low=-0.9, high=0.9)        # inside (-1, 1): erfinv
_POS = pos(2, 3) + 0.5                        # away from the poles of the gamma family
# past 2, away from digamma's zero at 1.46 too, where jax's float32 digamma keeps few digits
_PAST_TWO = pos(2, 3) + 2.0


_UNIT = rnd(2, 3, low=0.15, high=0.85)       # inside (0, 1): betainc's x
_F64 = np.dtype(np.float64)


def _sp(m):
    """The special-function module of the side `m` stands for: fgrad's or jax's."""
    return fss if m.np is fnp else jss


def _jax_bessel(kind, n):
    """jax has no J or Y: its side evaluates the xla backend's jax.numpy form of the same
    approximation, which jax differentiates itself, so the recurrence rules are checked against it."""
    text = _bessel_kernels.jax_text(kind, n, "x")
    return lambda x: eval(text, {"jnp": jnp, "x": x})  # noqa: S307 - our own generated source


def _bessel(kind, n):
    return lambda m: (lambda x: getattr(fss, f"{kind}n")(n, x)) if m.np is fnp else _jax_bessel(kind, n)


DIFF = {
    "erf": [(fss.erf, [rnd(2, 3)])],
    "erfc": [(fss.erfc, [rnd(2, 3)])],
    "erfinv": [(fss.erfinv, [_INNER])],
    "ndtri": [(fss.ndtri, [_UNIT])],
    "erfcx": [(fss.erfcx, [rnd(2, 3, low=-3.0, high=8.0)])],
    "lgamma": [(fss.gammaln, [_POS]), (fss.gammaln, [rnd(3, low=-2.9, high=-2.1)])],
    "digamma": [(fss.digamma, [_POS])],
    "polygamma": [(lambda x: fss.polygamma(1, x), [_POS]), (lambda x: fss.polygamma(3, x), [_POS])],
    "gammainc": [(fss.gammainc, [_POS + 0.5, _POS]), (fss.gammaincc, [_POS, _POS + 1.5])],
    "betainc": [(fss.betainc, [_POS, _POS + 0.3, _UNIT])],
    "bessel_jn": [(fss.j0, [rnd(2, 3, low=-6.0, high=6.0)]), (lambda x: fss.jn(3, x), [_POS * 3.0])],
    "bessel_yn": [(fss.y1, [_POS * 3.0]), (lambda x: fss.yn(4, x), [_POS + 6.0])],
    "bessel_ive": [(fss.i0e, [rnd(2, 3, low=-9.0, high=9.0)]), (lambda x: fss.ive(2.7, x), [_POS * 3.0]),
                   (lambda x: fss.ive(0.4, x), [_POS])],
}

JVP = {
    "erf": [(lambda m: _sp(m).erf, [rnd(2, 3)])],
    "erfc": [(lambda m: _sp(m).erfc, [rnd(2, 3)])],
    "erfinv": [(lambda m: _sp(m).erfinv, [_INNER])],
    "ndtri": [(lambda m: _sp(m).ndtri, [_UNIT])],
    "erfcx": [(lambda m: _sp(m).erfcx, [rnd(2, 3, low=-3.0, high=8.0)])],
    "lgamma": [(lambda m: _sp(m).gammaln, [_PAST_TWO])],
    "digamma": [(lambda m: _sp(m).digamma, [_PAST_TWO])],
    "polygamma": [(lambda m: lambda x: _sp(m).polygamma(2, x), [_POS])],
    # jax differentiates gammainc once in a (igamma_grad_a has no derivative): a is fixed here
    "gammainc": [(lambda m: lambda x: _sp(m).gammainc(2.5, x), [_POS]),
                 (lambda m: lambda x: _sp(m).gammaincc(0.8, x), [_POS + 1.0])],
    "betainc": [(lambda m: lambda x: _sp(m).betainc(1.5, 2.5, x), [_UNIT])],
    "bessel_jn": [(_bessel("j", 0), [rnd(2, 3, low=-6.0, high=6.0)])],
    "bessel_yn": [(_bessel("y", 0), [_POS * 3.0])],
    # (its derivative cancels for large |x|: float32 keeps few digits there)
    "bessel_ive": [(lambda m: _sp(m).i1e, [rnd(2, 3, low=-3.0, high=3.0)])],
}


def _any(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _inner(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 4.0, shape)


def _unit(rng, shape):
    return rng.uniform(0.1, 0.9, shape)


VMAP = {
    "erf": (lambda m: _sp(m).erf, [(_any, (3, 2))]),
    "erfc": (lambda m: _sp(m).erfc, [(_any, (3, 2))]),
    "erfinv": (lambda m: _sp(m).erfinv, [(_inner, (3, 2))]),
    "ndtri": (lambda m: _sp(m).ndtri, [(_unit, (3, 2))]),
    "erfcx": (lambda m: _sp(m).erfcx, [(_any, (3, 2))]),
    "lgamma": (lambda m: _sp(m).gammaln, [(_positive, (3, 2))]),
    "digamma": (lambda m: _sp(m).digamma, [(_positive, (3, 2))]),
    "polygamma": (lambda m: lambda x: _sp(m).polygamma(1, x), [(_positive, (3, 2))]),
    "gammainc": (lambda m: _sp(m).gammainc, [(_positive, (3, 2)), (_positive, (3, 2))]),
    "betainc": (lambda m: _sp(m).betainc, [(_positive, (3, 2)), (_positive, (3, 2)), (_unit, (3, 2))]),
    "bessel_jn": (_bessel("j", 1), [(_any, (3, 2))]),
    "bessel_yn": (_bessel("y", 1), [(_positive, (3, 2))]),
    "bessel_ive": (lambda m: _sp(m).i0e, [(_any, (3, 2))]),
}

XLA = {
    "erf": (lambda x: bind(s_p.erf_p, x), [(3, 4)], {}),
    "erfc": (lambda x: bind(s_p.erfc_p, x), [(3, 4)], {}),
    "erfinv": (lambda x: bind(s_p.erfinv_p, fnp.tanh(x)), [(3, 4)], {}),
    "ndtri": (lambda x: bind(s_p.ndtri_p, fnp.tanh(x) * 0.45 + 0.5), [(3, 4)], {}),
    "erfcx": (lambda x: bind(s_p.erfcx_p, x * 3.0), [(3, 4)], {}),
    "lgamma": (lambda x: bind(s_p.lgamma_p, x), [(3, 4)], {"positive": True}),
    "digamma": (lambda x: bind(s_p.digamma_p, x), [(3, 4)], {"positive": True}),
    "polygamma": (lambda x: bind(s_p.polygamma_p, x, n=1), [(3, 4)], {"positive": True}),
    "gammainc": (lambda a, x: bind(s_p.gammainc_p, a, x, k=0, upper=False), [(3, 4), (3, 4)], {"positive": True}),
    "betainc": (lambda x: bind(s_p.betainc_p, fnp.full_like(x, 2.0), fnp.full_like(x, 3.0), fnp.tanh(x) ** 2,
                               i=0, j=0), [(3, 4)], {"positive": True}),
    "bessel_jn": (lambda x: bind(s_p.bessel_jn_p, x * 4.0, n=0), [(3, 4)], {}),
    "bessel_yn": (lambda x: bind(s_p.bessel_yn_p, x * 4.0, n=0), [(3, 4)], {"positive": True}),
    "bessel_ive": (lambda x: bind(s_p.bessel_ive_p, x * 4.0, v=0.0), [(3, 4)], {}),
}

# operands and parameters for the templates that are functions
TEMPLATES = {
    "gammainc": ([Aval((3,), _F64), Aval((3,), _F64)], {"k": 1, "upper": True}),
    "betainc": ([Aval((3,), _F64)] * 3, {"i": 0, "j": 0}),
    "bessel_jn": ([Aval((3,), _F64)], {"n": 1}),
    "bessel_yn": ([Aval((3,), _F64)], {"n": 0}),
    "bessel_ive": ([Aval((3,), _F64)], {"v": 1.0}),
}
