"""Reductions over a static tuple of axes: sum, max, min, prod, argmax, argmin."""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ..transforms.batching import shift_axes
from ._base import fold_first, splat
from ._tangents import nondiff_jvp
from .elementwise import eq_p
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


def reducer(name: str, fn, method: str, jnp_fn: str, **facts) -> Primitive:
    return Primitive(name, abstract=_reduce_abstract, source=SRC, elementwise=False,
                     impl=lambda x, *, axes: fn(x, axis=axes),
                     numpy="np.%s({0}, axis={axes})" % method, jax="jnp.%s({0}, axis={axes})" % jnp_fn, **facts)


def _reduce_batch(prim: Primitive):
    return lambda args, batched, *, size, axes: bind(prim, args[0], axes=shift_axes(axes))


def _sum_fold(scalars, avals, *, axes):
    # a sum of n copies of a splat is n times it
    count = np.prod([avals[0].shape[a] for a in axes], dtype=np.int64)
    return None if scalars[0] is None else scalars[0] * count


reduce_sum_p = reducer("reduce_sum", np.sum, "sum", "sum", fold=_sum_fold,
                       identity=lambda inputs, aval, *, axes: None if axes else inputs[0])
reduce_sum_p.def_vjp(lambda ct, x, out, *, axes: [_expand(ct, x, axes)])
reduce_sum_p.def_batch(_reduce_batch(reduce_sum_p))
reduce_sum_p.def_jvp(lambda p, t, out, *, axes: reduce_sum(t[0], axes))


def _chooser_vjp(ct, x, out, *, axes):
    # ties share the cotangent equally (jax's convention for max/min reductions)
    hits = bind(eq_p, x, _expand(out, x, axes)).astype(x.dtype)
    counts = reduce_sum(hits, axes)
    return [_expand(ct / counts, x, axes) * hits]


def _reduction_jvp(vjp):
    """The jvp rule of a reduction whose vjp is `expand(ct) * weights(x)`: the sum of `t * weights`.
    The vjp at ct = 1 gives the weights, so ties and zeros follow the vjp's conventions."""
    return lambda p, t, out, *, axes: reduce_sum(t[0] * vjp(splat(out, 1), p[0], out, axes=axes)[0], axes)


reduce_max_p = reducer("reduce_max", np.max, "max", "max", fold=fold_first)
reduce_max_p.def_vjp(_chooser_vjp)
reduce_max_p.def_batch(_reduce_batch(reduce_max_p))
reduce_max_p.def_jvp(_reduction_jvp(_chooser_vjp))

reduce_min_p = reducer("reduce_min", np.min, "min", "min", fold=fold_first)
reduce_min_p.def_vjp(_chooser_vjp)
reduce_min_p.def_batch(_reduce_batch(reduce_min_p))
reduce_min_p.def_jvp(_reduction_jvp(_chooser_vjp))


reduce_prod_p = reducer("reduce_prod", np.prod, "prod", "prod")


def _exclusive_cumprod(v):
    """Products of the elements before each one along the last axis, in log2(n) shifted products."""
    from .shape import concatenate_p, gather
    lead, n = tuple(v.shape[:-1]), v.shape[-1]
    keep = (("slice", None, None, None),) * len(lead)

    def shift(a, k):                        # `a` moved k places along the last axis, ones coming in
        ones = splat(v, 1, shape=lead + (min(k, n),))
        if k >= n:
            return ones
        return bind(concatenate_p, ones, gather(a, (), keep + (("slice", None, n - k, None),)), axis=len(lead))

    cum, k = shift(v, 1), 1
    while k < n:
        cum = cum * shift(cum, k)
        k *= 2
    return cum


@reduce_prod_p.def_vjp
def _prod_vjp(ct, x, out, *, axes):
    # the product of the other elements as left and right exclusive products (multiplications
    # only): no division by zero, and its own derivatives are right at zeros too
    from .shape import gather, reshape, transpose
    kept = _kept_dims(x.ndim, axes)
    moved = transpose(x, kept + tuple(axes))
    lead = tuple(moved.shape[:len(kept)])
    flat = reshape(moved, lead + (int(np.prod([x.shape[a] for a in axes], dtype=np.int64)),))
    flip = (("slice", None, None, None),) * len(lead) + (("slice", None, None, -1),)
    right = gather(_exclusive_cumprod(gather(flat, (), flip)), (), flip)
    others = reshape(_exclusive_cumprod(flat) * right, moved.shape)
    others = transpose(others, tuple(np.argsort(kept + tuple(axes)).tolist()))
    return [_expand(ct, x, axes) * others]


reduce_prod_p.def_batch(_reduce_batch(reduce_prod_p))


reduce_prod_p.def_jvp(_reduction_jvp(_prod_vjp))


def _arg_abstract(x, *, axis):
    return Aval(tuple(d for i, d in enumerate(x.shape) if i != axis), np.int64)


def _arg_primitive(name, fn):
    prim = Primitive(name, abstract=_arg_abstract, impl=lambda x, *, axis: fn(x, axis=axis), source=SRC,
                     elementwise=False,
                     numpy="np.%s({0}, axis={axis})" % name, jax="jnp.%s({0}, axis={axis})" % name)
    prim.def_vjp(lambda ct, x, out, *, axis: [None])
    prim.def_batch(lambda args, batched, *, size, axis: bind(prim, args[0], axis=axis + 1))
    prim.def_jvp(nondiff_jvp)
    return prim


argmax_p = _arg_primitive("argmax", np.argmax)
argmin_p = _arg_primitive("argmin", np.argmin)


def reduce_sum(x, axes):
    return bind(reduce_sum_p, x, axes=tuple(axes))


def reduce_prod(x, axes):
    return bind(reduce_prod_p, x, axes=tuple(axes))

