"""Cases for host_call (fgrad/primitives/host_call.py): NumPy functions called by the running program,
with derivative rules written in fgrad ops. Builders take a namespace whose `np` is fgrad.numpy or
jax.numpy; on jax's side the same function is the jax.numpy operation itself, the oracle.
"""

from __future__ import annotations

import numpy as np

import fgrad.numpy as fnp
from fgrad.core import Aval
from fgrad.primitives.host_call import HostCall, host_call


class _SinhRules:
    def vjp(self, ct, primals, out):
        return [ct * fnp.cosh(primals[0])]

    def jvp(self, primals, tangents, out):
        return None if tangents[0] is None else tangents[0] * fnp.cosh(primals[0])


class _HypotRules:
    """hypot(x, y) = sqrt(x**2 + y**2): two operands, each with its own cotangent."""

    def vjp(self, ct, primals, out):
        return [ct * p / out for p in primals]

    def jvp(self, primals, tangents, out):
        parts = [t * p / out for p, t in zip(primals, tangents) if t is not None]
        return sum(parts[1:], parts[0]) if parts else None


def _on_host(fun, rules):
    return lambda *xs: host_call(HostCall(fun, Aval(xs[0].shape, xs[0].dtype), fun.__name__, rules), *xs)


def sinh(m):
    return _on_host(np.sinh, _SinhRules()) if m.np is fnp else m.np.sinh


def hypot(m):
    host = _on_host(np.hypot, _HypotRules()) if m.np is fnp else m.np.hypot
    return lambda x, y: host(x * 1.0, y + 0.5)


def _rnd(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape)


_F = type("F", (), {"np": fnp})

DIFF = {"host_call": [(sinh(_F), [_rnd(2, 3)]), (hypot(_F), [_rnd(4), _rnd(4, seed=1)])]}

JVP = {"host_call": [(sinh, [_rnd(2, 3)]), (hypot, [_rnd(4), _rnd(4, seed=1)])]}


def _uniform(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


VMAP = {"host_call": (hypot, [(_uniform, (3,)), (_uniform, (3,))])}

XLA = {"host_call": (hypot(_F), [(3, 2), (3, 2)], {})}
