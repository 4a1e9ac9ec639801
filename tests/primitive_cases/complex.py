"""Cases for the complex-number primitives (fgrad/primitives/complex.py): real, imag, conj, complex
and angle, each through functions of real arrays (the parts of a complex one) with real outputs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

import fgrad.numpy as fnp
from fgrad.core import bind
from fgrad.primitives import complex as cx


def rnd(*shape, seed=0, low=0.3, high=1.5):
    """Values away from 0, so angle and division stay smooth."""
    sign = np.where(np.random.default_rng(seed + 50).random(shape) < 0.5, -1.0, 1.0)
    return sign * np.random.default_rng(seed).uniform(low, high, shape)


def make_complex(m):
    """x + 1j * y from real parts, as the primitive complex under fgrad and lax.complex under jax."""
    if m.np.__name__.startswith("jax"):
        import jax
        return jax.lax.complex
    return lambda x, y: bind(cx.complex_p, x, y)


# one function per primitive, written once against a namespace `m` (m.np: fgrad.numpy or jax.numpy)
BUILD = {
    "complex": lambda m: lambda x, y: m.np.real(make_complex(m)(x, y) ** 2) * y,
    "real": lambda m: lambda x, y: m.np.real(m.np.sin(make_complex(m)(x, y))),
    "imag": lambda m: lambda x, y: m.np.imag(m.np.exp(make_complex(m)(x, y)) * x),
    "conj": lambda m: lambda x, y: m.np.imag(m.np.conj(make_complex(m)(x, y)) * m.np.cos(make_complex(m)(y, x))),
    "angle": lambda m: lambda x, y: m.np.angle(make_complex(m)(x, y) ** 3) + m.np.angle(x),
}

FG = SimpleNamespace(np=fnp)
DIFF = {name: [(build(FG), [rnd(2, 3), rnd(2, 3, seed=1)])] for name, build in BUILD.items()}
JVP = {name: [(build, [rnd(2, 3), rnd(2, 3, seed=1)])] for name, build in BUILD.items()}
VMAP = {name: (build, [(lambda rng, s: rng.uniform(0.3, 1.5, s), (3,))] * 2) for name, build in BUILD.items()}
XLA = {name: (build(FG), [(3, 4), (3, 4)], {"positive": True}) for name, build in BUILD.items()}
