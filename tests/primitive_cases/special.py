"""Cases for fgrad/primitives/special.py: erf, erfc, erfinv, lgamma, digamma, polygamma."""

from __future__ import annotations

import jax.scipy.special as jss
from operands import pos, rnd

import fgrad.numpy as fnp
import fgrad.scipy.special as fss
from fgrad.core import bind
from fgrad.primitives import special as s_p

_INNER = rnd(2, 3, low=-0.9, high=0.9)        # inside (-1, 1): erfinv
_POS = pos(2, 3) + 0.5                        # away from the poles of the gamma family
# past 2, away from digamma's zero at 1.46 too, where jax's float32 digamma keeps few digits
_PAST_TWO = pos(2, 3) + 2.0


def _sp(m):
    """The special-function module of the side `m` stands for: fgrad's or jax's."""
    return fss if m.np is fnp else jss


DIFF = {
    "erf": [(fss.erf, [rnd(2, 3)])],
    "erfc": [(fss.erfc, [rnd(2, 3)])],
    "erfinv": [(fss.erfinv, [_INNER])],
    "lgamma": [(fss.gammaln, [_POS]), (fss.gammaln, [rnd(3, low=-2.9, high=-2.1)])],
    "digamma": [(fss.digamma, [_POS])],
    "polygamma": [(lambda x: fss.polygamma(1, x), [_POS]), (lambda x: fss.polygamma(3, x), [_POS])],
}

JVP = {
    "erf": [(lambda m: _sp(m).erf, [rnd(2, 3)])],
    "erfc": [(lambda m: _sp(m).erfc, [rnd(2, 3)])],
    "erfinv": [(lambda m: _sp(m).erfinv, [_INNER])],
    "lgamma": [(lambda m: _sp(m).gammaln, [_PAST_TWO])],
    "digamma": [(lambda m: _sp(m).digamma, [_PAST_TWO])],
    "polygamma": [(lambda m: lambda x: _sp(m).polygamma(2, x), [_POS])],
}


def _any(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _inner(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _positive(rng, shape):
    return rng.uniform(0.5, 4.0, shape)


VMAP = {
    "erf": (lambda m: _sp(m).erf, [(_any, (3, 2))]),
    "erfc": (lambda m: _sp(m).erfc, [(_any, (3, 2))]),
    "erfinv": (lambda m: _sp(m).erfinv, [(_inner, (3, 2))]),
    "lgamma": (lambda m: _sp(m).gammaln, [(_positive, (3, 2))]),
    "digamma": (lambda m: _sp(m).digamma, [(_positive, (3, 2))]),
    "polygamma": (lambda m: lambda x: _sp(m).polygamma(1, x), [(_positive, (3, 2))]),
}

XLA = {
    "erf": (lambda x: bind(s_p.erf_p, x), [(3, 4)], {}),
    "erfc": (lambda x: bind(s_p.erfc_p, x), [(3, 4)], {}),
    "erfinv": (lambda x: bind(s_p.erfinv_p, fnp.tanh(x)), [(3, 4)], {}),
    "lgamma": (lambda x: bind(s_p.lgamma_p, x), [(3, 4)], {"positive": True}),
    "digamma": (lambda x: bind(s_p.digamma_p, x), [(3, 4)], {"positive": True}),
    "polygamma": (lambda x: bind(s_p.polygamma_p, x, n=1), [(3, 4)], {"positive": True}),
}
