"""Reductions over a static tuple of axes: sum, max, min, prod, argmax, argmin."""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ._base import splat
from .elementwise import eq_p, select
from .shape import broadcast_in_dim

SRC = "fgrad/primitives/reductions.py"


def _reduce_abstract(x, *, axes):
    for ax in axes:
        if not 0 <= ax < x.ndim:
            raise ValueError(f"reduction axis {ax} is out of range for an array of shape {x.shape}")
    return Aval(tuple(d for i, d in enumerate(x.shape) if i not in axes), x.dtype)


def _kept_dims(ndim, axes):
    return tuple(i for i in range(ndim) if i not in axes)


def _expand(ct, x, axes):
    """Broadcast a reduced cotangent back to the operand's shape."""
    return broadcast_in_dim(ct, x.shape, _kept_dims(x.ndim, axes))


def reducer(name: str, fn, method: str, jnp_fn: str) -> Primitive:
    return Primitive(name, abstract=_reduce_abstract, source=SRC,
                     impl=lambda x, *, axes: fn(x, axis=axes),
                     numpy="np.%s({0}, axis={axes})" % method, jax="jnp.%s({0}, axis={axes})" % jnp_fn)


reduce_sum_p = reducer("reduce_sum", np.sum, "sum", "sum")
reduce_sum_p.def_vjp(lambda ct, x, out, *, axes: [_expand(ct, x, axes)])


def _chooser_vjp(ct, x, out, *, axes):
    # ties share the cotangent equally (jax's convention for max/min reductions)
    hits = bind(eq_p, x, _expand(out, x, axes)).astype(x.dtype)
    counts = reduce_sum(hits, axes)
    return [_expand(ct / counts, x, axes) * hits]


reduce_max_p = reducer("reduce_max", np.max, "max", "max")
reduce_max_p.def_vjp(_chooser_vjp)

reduce_min_p = reducer("reduce_min", np.min, "min", "min")
reduce_min_p.def_vjp(_chooser_vjp)


reduce_prod_p = reducer("reduce_prod", np.prod, "prod", "prod")


@reduce_prod_p.def_vjp
def _prod_vjp(ct, x, out, *, axes):
    # product of the other elements, without dividing by zero: with one zero in a group, its
    # gradient is the product of the non-zero others; with two or more, everything is zero.
    is_zero = x == 0
    safe = select(is_zero, splat(x, 1), x)
    nonzero_prod = _expand(reduce_prod(safe, axes), x, axes)
    zeros = _expand(reduce_sum(is_zero.astype(x.dtype), axes), x, axes)
    others = select(zeros == 0, nonzero_prod / safe,
                    select(is_zero & (zeros == 1), nonzero_prod, splat(x, 0)))
    return [_expand(ct, x, axes) * others]


def _arg_abstract(x, *, axis):
    return Aval(tuple(d for i, d in enumerate(x.shape) if i != axis), np.int64)


def _arg_primitive(name, fn):
    prim = Primitive(name, abstract=_arg_abstract, impl=lambda x, *, axis: fn(x, axis=axis), source=SRC,
                     numpy="np.%s({0}, axis={axis})" % name, jax="jnp.%s({0}, axis={axis})" % name)
    prim.def_vjp(lambda ct, x, out, *, axis: [None])
    return prim


argmax_p = _arg_primitive("argmax", np.argmax)
argmin_p = _arg_primitive("argmin", np.argmin)


def reduce_sum(x, axes):
    return bind(reduce_sum_p, x, axes=tuple(axes))


def reduce_prod(x, axes):
    return bind(reduce_prod_p, x, axes=tuple(axes))

