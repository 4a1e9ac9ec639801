"""Cases for fgrad/primitives/math.py: the inverse trigonometric and hyperbolic functions, arctan2
and the rounding functions (no derivative)."""

from __future__ import annotations

from operands import pos, rnd

import fgrad.numpy as fnp
from fgrad.core import bind
from fgrad.primitives import math as m_p

_INNER = rnd(2, 3, low=-0.9, high=0.9)       # inside (-1, 1): arcsin, arccos, arctanh
_ABOVE_ONE = pos(2, 3) + 1.0                 # above 1: arccosh

DIFF = {
    "arcsin": [(fnp.arcsin, [_INNER])],
    "arccos": [(fnp.arccos, [_INNER])],
    "arcsinh": [(fnp.arcsinh, [rnd(2, 3, low=-3, high=3)])],
    "arccosh": [(fnp.arccosh, [_ABOVE_ONE])],
    "arctanh": [(fnp.arctanh, [_INNER])],
    "arctan2": [(fnp.arctan2, [rnd(2, 3), rnd(2, 3, seed=1)]), (lambda y: fnp.arctan2(y, -2.0), [rnd(3)])],
}

# rounding functions: piecewise constant, no cotangent
NONDIFF = {name: ([rnd(2, 3) * 3], {}) for name in ("floor", "ceil", "rint", "trunc")}

JVP = {
    "arcsin": [(lambda m: m.np.arcsin, [_INNER])],
    "arccos": [(lambda m: m.np.arccos, [_INNER])],
    "arcsinh": [(lambda m: m.np.arcsinh, [rnd(2, 3, low=-3, high=3)])],
    "arccosh": [(lambda m: m.np.arccosh, [_ABOVE_ONE])],
    "arctanh": [(lambda m: m.np.arctanh, [_INNER])],
    "arctan2": [(lambda m: m.np.arctan2, [rnd(2, 3), rnd(2, 3, seed=1)])],
    "floor": [(lambda m: lambda x: m.np.floor(3 * x) * x, [rnd(4)])],
    "ceil": [(lambda m: lambda x: m.np.ceil(3 * x) * x, [rnd(4)])],
    "rint": [(lambda m: lambda x: m.np.rint(3 * x) * x, [rnd(4)])],
    "trunc": [(lambda m: lambda x: m.np.trunc(3 * x) * x, [rnd(4)])],
}


def _inner(rng, shape):
    return rng.uniform(-0.9, 0.9, shape)


def _above_one(rng, shape):
    return rng.uniform(1.2, 3.0, shape)


def _any(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


VMAP = {
    **{name: (lambda m, name=name: getattr(m.np, name), [(_inner, (3, 2))])
       for name in ("arcsin", "arccos", "arctanh")},
    "arcsinh": (lambda m: m.np.arcsinh, [(_any, (3, 2))]),
    "arccosh": (lambda m: m.np.arccosh, [(_above_one, (3, 2))]),
    "arctan2": (lambda m: m.np.arctan2, [(_any, (2, 3)), (_any, (2, 3))]),
    "rounding": (lambda m: lambda x: m.np.floor(x) + m.np.ceil(x) + m.np.rint(x) + m.np.trunc(x),
                 [(_any, (4,))]),
}


def _bound(name):
    return lambda x: bind(getattr(m_p, f"{name}_p"), x)


XLA = {
    "arcsinh": (_bound("arcsinh"), [(3, 4)], {}),
    **{name: (lambda x, _n=name: bind(getattr(m_p, f"{_n}_p"), fnp.tanh(x)), [(3, 4)], {})
       for name in ("arcsin", "arccos", "arctanh")},
    "arccosh": (lambda x: bind(m_p.arccosh_p, x + 1.0), [(3, 4)], {"positive": True}),
    "arctan2": (lambda y, x: bind(m_p.arctan2_p, y, x), [(3, 4), (3, 4)], {}),
    **{name: (lambda x, _n=name: bind(getattr(m_p, f"{_n}_p"), x * 3.0) * x, [(3, 4)], {})
       for name in ("floor", "ceil", "rint", "trunc")},
}
