"""Cases for fgrad/primitives/bitwise.py: and, or, xor, invert and the shifts of integers and booleans
(no derivative; the forward-mode cases route a float through a mask the bitwise result decides)."""

from __future__ import annotations

import numpy as np
from operands import rnd

from fgrad.core import bind
from fgrad.primitives import bitwise as b_p

_INTS = (np.arange(6) * 7 % 11).astype(np.int64)
_SHIFTS = np.array([0, 1, 2, 3, 1, 0], np.int64)

NONDIFF = {
    "bitwise_and": ([_INTS, _INTS[::-1].copy()], {}),
    "bitwise_or": ([_INTS, _SHIFTS], {}),
    "bitwise_xor": ([np.array([True, False, True]), np.array([True, True, False])], {}),
    "invert": ([_INTS], {}),
    "left_shift": ([_INTS, _SHIFTS], {}),
    "right_shift": ([_INTS, _SHIFTS], {}),
}


def _bits(m, x):
    """Small integers made from a float, the same way under jax.numpy and fgrad.numpy."""
    return m.np.floor(m.np.abs(x) * 8).astype(m.np.int64)


def _masked(op):
    return lambda m: lambda x: m.np.where(op(m, _bits(m, x)) % 2 == 1, x * x, -x)


JVP = {
    "bitwise_and": [(_masked(lambda m, k: k & 5), [rnd(6)])],
    "bitwise_or": [(_masked(lambda m, k: m.np.bitwise_or(k, 2)), [rnd(6)])],
    "bitwise_xor": [(lambda m: lambda x: m.np.where((x > 0) ^ (x < 0.5), x, 2 * x), [rnd(6)])],
    "invert": [(_masked(lambda m, k: ~k), [rnd(6)]),
               (lambda m: lambda x: m.np.where(~(x > 0), x, 3 * x), [rnd(6)])],
    "left_shift": [(_masked(lambda m, k: m.np.left_shift(k, 1) + 1), [rnd(6)])],
    "right_shift": [(_masked(lambda m, k: k >> 1), [rnd(6)])],
}


def _ints(rng, shape):
    return rng.integers(0, 64, shape)


def _small(rng, shape):
    return rng.integers(0, 4, shape)


VMAP = {
    "bitwise_and": (lambda m: lambda x, y: x & y, [(_ints, (3,)), (_ints, (3,))]),
    "bitwise_or": (lambda m: lambda x, y: m.np.bitwise_or(x, y), [(_ints, (2, 3)), (_ints, (3,))]),
    "bitwise_xor": (lambda m: lambda x, y: x ^ y, [(_ints, (4,)), (_ints, (4,))]),
    "invert": (lambda m: lambda x: ~x, [(_ints, (2, 2))]),
    "left_shift": (lambda m: lambda x, y: x << y, [(_ints, (3,)), (_small, (3,))]),
    "right_shift": (lambda m: lambda x, y: m.np.right_shift(x, y), [(_ints, (3,)), (_small, (3,))]),
}


def _xla(prim):
    def case(x, y):
        k = (abs(x) * 8).astype(np.int64)
        shift = (abs(y) * 3).astype(np.int64)
        return bind(prim, k, shift).astype(x.dtype)
    return (case, [(6,), (6,)], {"nondiff": True})


XLA = {name: _xla(getattr(b_p, f"{name}_p"))
       for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift")}
XLA["invert"] = (lambda x: bind(b_p.invert_p, (abs(x) * 8).astype(np.int64)).astype(x.dtype), [(6,)],
                 {"nondiff": True})
