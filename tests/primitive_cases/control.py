"""Cases for fgrad/primitives/control.py: cond, while_loop, scan and tuple_get."""

from __future__ import annotations

import importlib

import numpy as np
from operands import rnd

import fgrad.lax as flax
import fgrad.numpy as fnp


def _lax(m):
    """fgrad.lax for fgrad's namespace in a differential test, jax.lax for jax's."""
    return flax if m.np is fnp else importlib.import_module("jax.lax")


def _cond(m):
    return lambda x, y: _lax(m).cond(m.np.sum(x) > 0, lambda a, b: m.np.sin(a) * b, lambda a, b: a * a - b, x, y)


def _switch(m):
    branches = [lambda a: a * 2.0, lambda a: m.np.cos(a), lambda a: a ** 3]
    return lambda x: _lax(m).switch((m.np.sum(x) > 0).astype("int32") + 1, branches, x)


def _scan(m):
    def f(w, xs):
        def step(c, x):
            c = m.np.tanh(c * w + x)
            return c, c * x
        return _lax(m).scan(step, w * 0.5, xs)
    return f


def _scan_both(m):
    """The stacked outputs and the final carry in one array."""
    return lambda w, xs: (lambda c, ys: ys + c)(*_scan(m)(w, xs))


def _scan_reverse(m):
    return lambda xs: _lax(m).scan(lambda c, x: (c * x + 1.0, m.np.sin(c)), xs[0] * 0.0, xs, reverse=True)[1]


def _fori(m):
    return lambda x: _lax(m).fori_loop(0, 3, lambda i, c: m.np.sin(c) * x + c, x)


def _while_count(m):
    """The number of doublings until a value passes 3: piecewise constant, so its derivative is
    zero and reverse mode never reaches the loop."""
    count = lambda x: _lax(m).while_loop(lambda c: c[1] < 3.0, lambda c: (c[0] + 1, c[1] * 2.0), (0, x))[0]
    return lambda x: x * count(m.np.abs(m.np.sum(x)) + 0.1).astype(x.dtype)   # ends for any x


def _while_power(m):
    return lambda x: _lax(m).while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, c[1] * x), (0, x))[1]


F = type("F", (), {"np": fnp})       # fgrad's namespace for the finite-difference cases

DIFF = {
    "cond": [(_cond(F), [rnd(3), rnd(3, seed=1)]), (_cond(F), [-abs(rnd(3)), rnd(3, seed=1)]),
             (_switch(F), [rnd(2, 2)])],
    "scan": [(lambda w, xs: _scan(F)(w, xs)[1], [rnd(3), rnd(4, 3, seed=1)]),
             (_scan_reverse(F), [rnd(5, 2)]), (_fori(F), [rnd(2)])],
    "tuple_get": [(lambda w, xs: _scan(F)(w, xs)[0], [rnd(3), rnd(4, 3, seed=1)])],
    "while_loop": [(_while_count(F), [np.array([0.1, 0.2, 0.3])])],   # 0.7: 3 doublings, away from 0.75
}

JVP = {
    "cond": [(_cond, [rnd(3), rnd(3, seed=1)]), (_switch, [rnd(2, 2)])],
    "scan": [(_scan_both, [rnd(3), rnd(4, 3, seed=1)]), (_scan_reverse, [rnd(5, 2)]), (_fori, [rnd(2)])],
    "tuple_get": [(lambda m: lambda w, xs: _scan(m)(w, xs)[0], [rnd(3), rnd(4, 3, seed=1)])],
    # reverse mode does not reach the loop here (second order includes grad); forward mode
    # through a differentiable loop is in test_control_flow.py
    "while_loop": [(_while_count, [np.array([0.1, 0.2, 0.3])])],
}


def _normal(rng, shape):
    return rng.standard_normal(shape)


VMAP = {
    "cond": (_cond, [(_normal, (3,)), (_normal, (3,))]),
    "switch": (_switch, [(_normal, (2, 2))]),
    "scan": (_scan_both, [(_normal, (3,)), (_normal, (4, 3))]),
    "scan_reverse": (_scan_reverse, [(_normal, (5, 2))]),
    "fori_loop": (_fori, [(_normal, (2,))]),
    "while_loop": (_while_power, [(_normal, (3,))]),
    "while_loop_batched_predicate": (
        lambda m: lambda x: _lax(m).while_loop(lambda c: m.np.sum(c) < 4.0, lambda c: c * 1.5 + 0.5, x),
        [(lambda rng, s: rng.uniform(0.1, 2.0, s), (2,))]),
}

XLA = {
    "cond": (_cond(F), [(3,), (3,)], {}),
    "scan": (lambda w, xs: _scan(F)(w, xs)[1], [(3,), (4, 3)], {}),
    "tuple_get": (lambda w, xs: _scan(F)(w, xs)[0], [(3,), (4, 3)], {}),
    "while_loop": (_while_count(F), [(3,)], {}),
}
