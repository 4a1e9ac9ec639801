"""Shape primitives: broadcast_in_dim, reshape, transpose, gather/scatter_add (indexing), concatenate.

An index is a static `spec`, a tuple of items ("slice", start, stop, step) | ("int", i) |
("none",) | ("array", k), where k numbers the integer index arrays passed as operands after the
indexed array. Only integers ever reach generated source.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind, shape_of
from ..transforms.batching import batch_index, broadcast_batched, shift_axes
from ._base import fold_first, passes_as, same_type_identity
from ._tangents import or_zeros

SRC = "fgrad/primitives/shape.py"
_ALL = ("slice", None, None, None)       # the `:` index item, which keeps the batch axis


# --- broadcast_in_dim --------------------------------------------------------------------------

def _bcast_abstract(x, *, shape, dims):
    if len(dims) != x.ndim or any(x.shape[i] not in (1, shape[d]) for i, d in enumerate(dims)):
        raise ValueError(f"cannot broadcast an array of shape {x.shape} to {shape} along dims {dims}")
    return Aval(shape, x.dtype)


def expanded_shape(x_shape, shape, dims) -> tuple:
    """`x_shape` with 1s inserted so that it has `len(shape)` axes and lines up with `dims`."""
    full = [1] * len(shape)
    for i, d in enumerate(dims):
        full[d] = x_shape[i]
    return tuple(full)


def _bcast_impl(x, *, shape, dims):
    return np.broadcast_to(np.reshape(x, expanded_shape(shape_of(x), shape, dims)), shape)


def _bcast_emit(args, avals, *, shape, dims):
    in_shape = avals[0].shape
    full = expanded_shape(in_shape, shape, dims)
    if full[len(full) - len(in_shape):] == tuple(in_shape):       # numpy's own rule lines them up
        return f"np.broadcast_to({args[0]}, {shape})"
    return f"np.broadcast_to(np.reshape({args[0]}, {full}), {shape})"


broadcast_in_dim_p = Primitive("broadcast_in_dim", abstract=_bcast_abstract, impl=_bcast_impl,
                               source=SRC, numpy=_bcast_emit, linear_view=True, elementwise=False,
                               jax="lax.broadcast_in_dim({0}, {shape}, {dims})", numpy_broadcast=True,
                               identity=same_type_identity, fold=fold_first)


@broadcast_in_dim_p.def_vjp
def _bcast_vjp(ct, x, out, *, shape, dims):
    from .reductions import reduce_sum
    summed = [d for d in range(len(shape)) if d not in dims]
    summed += [d for i, d in enumerate(dims) if shape_of(x)[i] == 1 and shape[d] != 1]
    reduced = reduce_sum(ct, tuple(sorted(summed))) if summed else ct
    return [reshape(reduced, shape_of(x))]


broadcast_in_dim_p.def_batch(lambda args, batched, *, size, shape, dims: bind(
    broadcast_in_dim_p, args[0], shape=(size,) + shape, dims=(0,) + shift_axes(dims)))


broadcast_in_dim_p.def_jvp(lambda p, t, out, *, shape, dims: broadcast_in_dim(t[0], shape, dims))


# --- reshape, transpose ------------------------------------------------------------------------

def _reshape_abstract(x, *, shape):
    if int(np.prod(shape, dtype=np.int64)) != x.size:
        raise ValueError(f"cannot reshape an array of shape {x.shape} ({x.size} elements) into {shape}")
    return Aval(shape, x.dtype)


reshape_p = Primitive("reshape", abstract=_reshape_abstract, impl=lambda x, *, shape: np.reshape(x, shape),
                      source=SRC, numpy="np.reshape({0}, {shape})", jax="jnp.reshape({0}, {shape})",
                      linear_view=True, elementwise=False, identity=same_type_identity, fold=fold_first)
reshape_p.def_vjp(lambda ct, x, out, *, shape: [reshape(ct, shape_of(x))])
reshape_p.def_batch(lambda args, batched, *, size, shape: bind(reshape_p, args[0], shape=(size,) + shape))
reshape_p.def_jvp(lambda p, t, out, *, shape: reshape(t[0], shape))


def _transpose_abstract(x, *, perm):
    if sorted(perm) != list(range(x.ndim)):
        raise ValueError(f"transpose: {perm} is not a permutation of the axes of shape {x.shape}")
    return Aval(tuple(x.shape[p] for p in perm), x.dtype)


transpose_p = Primitive("transpose", abstract=_transpose_abstract, source=SRC,
                        impl=lambda x, *, perm: np.transpose(x, perm),
                        numpy="np.transpose({0}, {perm})", jax="jnp.transpose({0}, {perm})",
                        linear_view=True, elementwise=False, fold=fold_first,
                        identity=lambda inputs, aval, *, perm: same_type_identity(inputs, aval)
                        if perm == tuple(range(aval.ndim)) else None)
transpose_p.def_vjp(lambda ct, x, out, *, perm: [transpose(ct, tuple(np.argsort(perm).tolist()))])
transpose_p.def_batch(lambda args, batched, *, size, perm: bind(transpose_p, args[0], perm=(0,) + shift_axes(perm)))
transpose_p.def_jvp(lambda p, t, out, *, perm: transpose(t[0], perm))


# --- indexing: gather and its transpose scatter_add -------------------------------------------

def build_index(spec, arrays) -> tuple:
    """The NumPy index tuple a spec stands for."""
    out = []
    for item in spec:
        kind = item[0]
        out.append(slice(*item[1:]) if kind == "slice" else item[1] if kind == "int"
                   else None if kind == "none" else arrays[item[1]])
    return tuple(out)


def index_source(spec, names) -> str:
    """The same index as source text: only integers and operand names appear."""
    parts = []
    for item in spec:
        kind = item[0]
        if kind == "slice":
            start, stop, step = ("" if v is None else int.__repr__(int(v)) for v in item[1:])
            parts.append(f"{start}:{stop}" + (f":{step}" if step else ""))
        elif kind == "int":
            parts.append(int.__repr__(int(item[1])))
        elif kind == "none":
            parts.append("None")
        else:
            parts.append(names[item[1]])
    return ", ".join(parts) + ("," if len(parts) == 1 else "")


def _gather_shape(x_shape, idx_avals, spec) -> tuple:
    dummy = np.broadcast_to(np.zeros((), np.bool_), x_shape)
    arrays = [np.zeros(a.shape, np.intp) for a in idx_avals]
    return dummy[build_index(spec, arrays)].shape


def _gather_abstract(x, *idx, spec):
    return Aval(_gather_shape(x.shape, idx, spec), x.dtype)


gather_p = Primitive("gather", abstract=_gather_abstract, source=SRC,
                     impl=lambda x, *idx, spec: x[build_index(spec, idx)],
                     numpy=lambda args, avals, *, spec: f"{args[0]}[{index_source(spec, args[1:])}]",
                     jax=lambda args, avals, *, spec: f"{args[0]}[{index_source(spec, args[1:])}]",
                     linear_view=True, elementwise=False, fold=fold_first,
                     identity=lambda inputs, aval, *, spec: inputs[0] if passes_as(inputs[0], aval)
                     and is_full_slice(aval.shape, inputs[1:], spec) else None)
gather_p.def_vjp(lambda ct, x, *idx, out, spec: [scatter_add(ct, idx, spec, shape_of(x))]
                 + [None] * len(idx))


def _keeps_batch_in_front(spec, idx_batched) -> bool:
    """Whether prepending `:` to `spec` indexes a batched operand right: no index array is batched
    and the advanced items are adjacent, so numpy keeps their block in place after the batch axis."""
    advanced = [k for k, item in enumerate(spec) if item[0] in ("array", "int")]
    arrays = any(item[0] == "array" for item in spec)
    return not any(idx_batched) and (not arrays or advanced == list(range(advanced[0], advanced[-1] + 1)))


@gather_p.def_batch
def _gather_batch(args, batched, *, size, spec):
    x, idx = args[0], list(args[1:])
    if _keeps_batch_in_front(spec, batched[1:]):
        return bind(gather_p, x, *idx, spec=(_ALL,) + spec)
    if not batched[0]:
        x = broadcast_batched(x, size, shape_of(x))
    new_spec, new_idx, perm = batch_index(spec, idx, batched[1:], size, len(shape_of(x)) - 1)
    return transpose(bind(gather_p, x, *new_idx, spec=new_spec), perm)
gather_p.def_jvp(lambda p, t, out, *, spec: gather(t[0], p[1:], spec))


def _scatter_abstract(upd, *idx, spec, shape):
    want = _gather_shape(shape, idx, spec)
    if upd.shape != want:
        raise ValueError(f"scatter_add: updates of shape {upd.shape} do not fit the index ({want})")
    return Aval(shape, upd.dtype)


def scatter_add_to_zeros(updates, index: tuple, shape) -> np.ndarray:
    """Zeros of `shape` with `updates` added at `index` (repeated integer indices add up)."""
    out = np.zeros(shape, np.result_type(updates))
    if any(isinstance(i, np.ndarray) for i in index):
        np.add.at(out, index, updates)
    else:
        out[index] = updates             # basic indexing never repeats an element
    return out


def _scatter_impl(upd, *idx, spec, shape):
    return scatter_add_to_zeros(upd, build_index(spec, [np.asarray(i) for i in idx]), shape)


def pad_plan(spec, shape):
    """A scatter_add at a basic index (slices, integers, None) as reshape, reverse and pad:
    `(shape before padding, axes to reverse, (low, high, interior) per axis)`, the way jax
    transposes slicing; None when the index holds arrays."""
    if any(item[0] == "array" for item in spec):
        return None
    items = [item for item in spec if item[0] != "none"]
    items += [("slice", None, None, None)] * (len(shape) - len(items))
    counts, rev, pads = [], [], []
    for axis, (item, size) in enumerate(zip(items, shape)):
        if item[0] == "int":
            start = item[1] % size
            counts.append(1)
            pads.append((start, size - start - 1, 0))
            continue
        start, stop, step = slice(*item[1:]).indices(size)
        picked = range(start, stop, step)
        counts.append(len(picked))
        if step < 0:
            rev.append(axis)
        if not picked:
            pads.append((0, size, 0))
            continue
        low = min(picked[0], picked[-1])
        pads.append((low, size - low - 1 - (len(picked) - 1) * abs(step), abs(step) - 1))
    return tuple(counts), tuple(rev), tuple(pads)


def _scatter_jax(args, avals, *, spec, shape):
    plan = pad_plan(spec, shape)
    if plan is None:
        return f"jnp.zeros({shape}, {args[0]}.dtype).at[{index_source(spec, args[1:])}].add({args[0]})"
    counts, rev, pads = plan
    upd = f"jnp.reshape({args[0]}, {counts})"
    upd = f"lax.rev({upd}, {rev})" if rev else upd
    return f"lax.pad({upd}, jnp.zeros((), {args[0]}.dtype), {pads})"


scatter_add_p = Primitive("scatter_add", abstract=_scatter_abstract, impl=_scatter_impl, source=SRC,
                          numpy=lambda args, avals, *, spec, shape: (
                              f"_scatter_add({args[0]}, np.s_[{index_source(spec, args[1:])}], {shape})"),
                          jax=_scatter_jax, helpers={"_scatter_add": scatter_add_to_zeros}, elementwise=False)
scatter_add_p.def_vjp(lambda ct, upd, *idx, out, spec, shape: [gather(ct, idx, spec)] + [None] * len(idx))


@scatter_add_p.def_batch
def _scatter_batch(args, batched, *, size, spec, shape):
    # the transpose of _gather_batch: the same index, the updates in that index's layout
    upd, idx = args[0], list(args[1:])
    if not batched[0]:
        upd = broadcast_batched(upd, size, shape_of(upd))
    if _keeps_batch_in_front(spec, batched[1:]):
        return bind(scatter_add_p, upd, *idx, spec=(_ALL,) + spec, shape=(size,) + shape)
    new_spec, new_idx, perm = batch_index(spec, idx, batched[1:], size, len(shape))
    upd = transpose(upd, tuple(np.argsort(perm).tolist()))
    return bind(scatter_add_p, upd, *new_idx, spec=new_spec, shape=(size,) + shape)
scatter_add_p.def_jvp(lambda p, t, out, *, spec, shape: scatter_add(t[0], p[1:], spec, shape))


# --- concatenate -------------------------------------------------------------------------------

def _concat_abstract(*xs, axis):
    first = xs[0]
    for x in xs[1:]:
        if x.ndim != first.ndim or x.dtype != first.dtype or any(
                a != b for i, (a, b) in enumerate(zip(x.shape, first.shape)) if i != axis):
            raise ValueError(f"concatenate: shapes {[x.shape for x in xs]} do not match off axis {axis}")
    shape = list(first.shape)
    shape[axis] = sum(x.shape[axis] for x in xs)
    return Aval(shape, first.dtype)


concatenate_p = Primitive("concatenate", abstract=_concat_abstract, source=SRC,
                          impl=lambda *xs, axis: np.concatenate(xs, axis=axis),
                          numpy=lambda args, avals, *, axis: f"np.concatenate([{', '.join(args)}], axis={axis})",
                          jax=lambda args, avals, *, axis: f"jnp.concatenate([{', '.join(args)}], axis={axis})",
                          elementwise=False)


@concatenate_p.def_vjp
def _concat_vjp(ct, *xs, out, axis):
    cts, start = [], 0
    for x in xs:
        size = shape_of(x)[axis]
        spec = tuple(("slice", None, None, None) for _ in range(axis)) + (("slice", start, start + size, None),)
        cts.append(gather(ct, (), spec))
        start += size
    return cts


concatenate_p.def_batch(lambda args, batched, *, size, axis: bind(concatenate_p, *[
    x if b else broadcast_batched(x, size, shape_of(x)) for x, b in zip(args, batched)], axis=axis + 1))


concatenate_p.def_jvp(lambda p, t, out, *, axis: bind(concatenate_p, *map(or_zeros, t, p), axis=axis))


# --- helpers (fgrad operations) ----------------------------------------------------------------

def broadcast_in_dim(x, shape, dims):
    shape, dims = tuple(shape), tuple(dims)
    if shape_of(x) == shape and dims == tuple(range(len(shape))):
        return x
    return bind(broadcast_in_dim_p, x, shape=shape, dims=dims)


def reshape(x, shape):
    shape = tuple(shape)
    return x if shape_of(x) == shape else bind(reshape_p, x, shape=shape)


def transpose(x, perm):
    perm = tuple(perm)
    return x if perm == tuple(range(len(perm))) else bind(transpose_p, x, perm=perm)


def is_full_slice(x_shape, idx, spec) -> bool:
    """Whether the index takes every element in order (`x[:]`, `x[0:n]`): an identity."""
    return not idx and all(item[0] == "slice" and item[3] in (None, 1) for item in spec) and \
        _gather_shape(x_shape, (), spec) == tuple(x_shape)


def gather(x, idx, spec):
    spec = tuple(spec)
    if is_full_slice(shape_of(x), idx, spec):
        return x
    return bind(gather_p, x, *idx, spec=spec)


def scatter_add(upd, idx, spec, shape):
    return bind(scatter_add_p, upd, *idx, spec=tuple(spec), shape=tuple(shape))
