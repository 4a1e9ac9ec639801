"""Cases for fgrad/primitives/ordering.py: cumsum (with its reversed form, the transpose) and
argsort (integer indices, no derivative; sort differentiates through the gather that follows)."""

from __future__ import annotations

import numpy as np
from operands import distinct, rnd

import fgrad.numpy as fnp
from fgrad.core import Aval, bind
from fgrad.primitives import ordering as o_p

DIFF = {
    "cumsum": [(lambda x: fnp.cumsum(x, axis=1) ** 2, [rnd(2, 4)]),
               (lambda x: bind(o_p.cumsum_p, x, axis=0, reverse=True) ** 2, [rnd(3, 2)])],
}

NONDIFF = {"argsort": ([rnd(2, 4)], {"axis": 1, "descending": False})}

JVP = {
    "cumsum": [(lambda m: lambda x: m.np.cumsum(x, axis=0) ** 2, [rnd(3, 2)]),
               (lambda m: lambda x: m.np.cumsum(x) * x.ravel(), [rnd(2, 3)])],
    "argsort": [(lambda m: lambda x: m.np.sort(x, axis=1) * x, [distinct(2, 4)]),
                (lambda m: lambda x: m.np.take_along_axis(x, m.np.argsort(x, axis=0), 0) * x, [distinct(3, 2)])],
}


def _perm(rng, shape):
    """Distinct values, so the order (and the derivative of sort) is unambiguous."""
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.25


VMAP = {
    "cumsum": (lambda m: lambda x: m.np.cumsum(x, axis=1), [(lambda rng, s: rng.standard_normal(s), (3, 4))]),
    "sort": (lambda m: lambda x: m.np.sort(x, axis=0) * 2.0, [(_perm, (4, 3))]),
    "argsort": (lambda m: lambda x: m.np.argsort(x, axis=-1, descending=True), [(_perm, (2, 5))]),
}

XLA = {
    "cumsum": (lambda x: bind(o_p.cumsum_p, x, axis=1, reverse=False) * x
               + bind(o_p.cumsum_p, x, axis=0, reverse=True), [(3, 4)], {}),
    "argsort": (lambda x: fnp.take_along_axis(x, bind(o_p.argsort_p, x, axis=1, descending=True), 1) * x,
                [(3, 5)], {}),
}

# cumsum's templates are functions (the reversed form flips around the sum)
TEMPLATES = {"cumsum": ([Aval((2, 3), np.dtype(np.float64))], {"axis": 1, "reverse": True})}
