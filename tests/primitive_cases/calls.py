"""Cases for the call-like primitives (fgrad/primitives/calls.py): custom_jvp_call, custom_vjp_call,
checkpoint, remat_barrier and name (checkpoint_name's tag). Builders take a namespace whose `np` is
fgrad.numpy or jax.numpy and build the same function with that library's custom_jvp, custom_vjp,
checkpoint and checkpoint_name.

A custom_vjp function has no forward-mode derivative (jvp raises, as in jax), so its cases apply it
where the tangent is a symbolic zero (to sign(x)); its rule is tested in test_custom_rules.
"""

from __future__ import annotations

import importlib

import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.core import Aval
from fgrad.primitives.calls import remat_barrier


def _library(m):
    if m.np is fnp:
        return fgrad
    import jax
    return jax


def softplus(m):
    lib = _library(m)
    f = lib.custom_jvp(lambda x: m.np.log(1.0 + m.np.exp(x)))
    f.defjvp(lambda p, t: (f(p[0]), t[0] * (1.0 - 1.0 / (1.0 + m.np.exp(p[0])))))
    return f


def cube_of_sign(m):
    cube = _library(m).custom_vjp(lambda x: x ** 3)
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3.0 * x ** 2 * g,))
    return lambda x: m.np.sin(x) * cube(m.np.sign(x))


def checkpointed(m):
    return _library(m).checkpoint(lambda x: m.np.sin(x) * x)


def barrier(m):
    if m.np is fnp:
        return lambda x: remat_barrier(x, x, 0) ** 2
    return lambda x: x ** 2


def named(m):
    """sin(x) named "s" inside a checkpoint that saves it (jax.ad_checkpoint.checkpoint_name)."""
    lib = _library(m)
    name = importlib.import_module(f"{lib.__name__}.ad_checkpoint").checkpoint_name
    policy = lib.checkpoint_policies.save_only_these_names("s")
    return lib.checkpoint(lambda x: m.np.cos(name(m.np.sin(x), "s")) * x, policy=policy)


def _rnd(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, shape)


_F = type("F", (), {"np": fnp})

DIFF = {
    "custom_jvp_call": [(softplus(_F), [_rnd(2, 3)])],
    "custom_vjp_call": [(cube_of_sign(_F), [_rnd(4)])],
    "checkpoint": [(checkpointed(_F), [_rnd(3)])],
    "remat_barrier": [(barrier(_F), [_rnd(3)])],
    "name": [(named(_F), [_rnd(3)])],
}

JVP = {
    "custom_jvp_call": [(softplus, [_rnd(2, 3)])],
    "custom_vjp_call": [(cube_of_sign, [_rnd(4)])],
    "checkpoint": [(checkpointed, [_rnd(3)])],
    "remat_barrier": [(barrier, [_rnd(3)])],
    "name": [(named, [_rnd(3)])],
}


def _uniform(rng, shape):
    return rng.uniform(-2.0, 2.0, shape)


def _grad_of(build):
    """A function whose IR holds the backward pass of `build` (where remat_barrier appears)."""
    return lambda m: lambda x: _library(m).grad(lambda y: m.np.sum(build(m)(y) * y))(x)


VMAP = {
    "custom_jvp_call": (softplus, [(_uniform, (3,))]),
    "custom_vjp_call": (cube_of_sign, [(_uniform, (3,))]),
    "checkpoint": (checkpointed, [(_uniform, (2, 2))]),
    "grad_of_checkpoint": (_grad_of(checkpointed), [(_uniform, (3,))]),
    "name": (named, [(_uniform, (2, 3))]),
}

XLA = {
    "custom_jvp_call": (softplus(_F), [(3, 4)], {}),
    "custom_vjp_call": (cube_of_sign(_F), [(5,)], {}),
    "checkpoint": (checkpointed(_F), [(3, 2)], {}),
    "remat_barrier": (barrier(_F), [(4,)], {}),
    "name": (named(_F), [(3, 2)], {}),
}

F64 = np.dtype(np.float64)

# their templates pass operand 0 through whatever the rule is
TEMPLATES = {name: ([Aval((3,), F64), Aval((3,), F64)], {"rule": None, "index": 0})
             for name in ("custom_jvp_call", "custom_vjp_call", "checkpoint")}
TEMPLATES["name"] = ([Aval((3,), F64)], {"name": "s"})
