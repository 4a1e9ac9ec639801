"""Primitives along one axis: cumsum (linear: its transpose is the reversed cumsum) and argsort
(integer indices, no derivative; sort is argsort followed by a gather, so its derivative is the
gather's)."""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ._tangents import nondiff_jvp

SRC = "fgrad/primitives/ordering.py"


def _axis_abstract(x, *, axis, **params):
    if not 0 <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for an array of shape {x.shape}")
    return x


# --- cumsum ----------------------------------------------------------------------------------------

def _cumsum_impl(x, *, axis, reverse):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)
    return np.cumsum(x, axis=axis)


def _cumsum_numpy(args, avals, *, axis, reverse):
    if reverse:
        return f"np.flip(np.cumsum(np.flip({args[0]}, {axis}), axis={axis}), {axis})"
    return f"np.cumsum({args[0]}, axis={axis})"


def _cumsum_jax(args, avals, *, axis, reverse):
    return f"lax.cumsum({args[0]}, axis={axis}, reverse={bool(reverse)})"


cumsum_p = Primitive("cumsum", abstract=_axis_abstract, impl=_cumsum_impl, source=SRC, elementwise=False,
                     numpy=_cumsum_numpy, jax=_cumsum_jax)
cumsum_p.def_vjp(lambda ct, x, out, *, axis, reverse: [cumsum(ct, axis, not reverse)])
cumsum_p.def_jvp(lambda p, t, out, *, axis, reverse: cumsum(t[0], axis, reverse))
cumsum_p.def_batch(lambda args, batched, *, size, axis, reverse: cumsum(args[0], axis + 1, reverse))


# --- argsort -------------------------------------------------------------------------------------

def _argsort_abstract(x, *, axis, descending):
    _axis_abstract(x, axis=axis)
    return Aval(x.shape, np.int64)


def _argsort_impl(x, *, axis, descending):
    if descending:       # stable among equal keys, in their original order (as jnp.argsort)
        n = np.shape(x)[axis]
        return (n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"), axis)).astype(np.int64)
    return np.argsort(x, axis=axis, kind="stable").astype(np.int64)


argsort_p = Primitive("argsort", abstract=_argsort_abstract, impl=_argsort_impl, source=SRC, elementwise=False,
                      numpy="_argsort({0}, axis={axis}, descending={descending})",
                      helpers={"_argsort": _argsort_impl},
                      jax="jnp.argsort({0}, axis={axis}, stable=True, descending={descending})")
argsort_p.def_vjp(lambda ct, x, out, *, axis, descending: [None])
argsort_p.def_jvp(nondiff_jvp)
argsort_p.def_batch(lambda args, batched, *, size, axis, descending: bind(
    argsort_p, args[0], axis=axis + 1, descending=descending))


# --- helpers (fgrad operations) ------------------------------------------------------------------

def cumsum(x, axis: int, reverse: bool = False):
    return bind(cumsum_p, x, axis=int(axis), reverse=bool(reverse))


def argsort(x, axis: int, descending: bool = False):
    return bind(argsort_p, x, axis=int(axis), descending=bool(descending))
