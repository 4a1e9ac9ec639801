"""Batching (vmap) as an IR-to-IR transform.

`batch_ir(ir, batched_inputs, size)` replays `ir` into a new trace where the inputs marked batched
carry an extra leading axis of length `size`. An equation with no batched operand is copied as it
is; one with a batched operand calls its primitive's batching rule, which emits one vectorised
operation with the batch on axis 0 (never a loop over the batch). The result is again an IR of
primitives, so it can be differentiated, batched again, or compiled by either backend.

The helpers below are shared by the batching rules in fgrad/primitives/*.py.
"""

from __future__ import annotations

import numpy as np

from ..core import IR, Aval, Eqn, Tracer, Var, _current_origin, _sites, new_trace, recording_sites, shape_of


def batch_ir(ir: IR, batched_inputs: list[bool], size: int) -> tuple[IR, list[bool]]:
    """The batched program and, per output, whether it carries the batch (on axis 0).

    Inputs marked in `batched_inputs` take an extra leading axis of length `size`; the others keep
    their avals. Unbatched outputs are returned unbatched (the caller decides whether to broadcast).

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> ir = fgrad.make_ir(lambda x, y: fnp.sin(x) * y)(np.ones(3), np.ones(3))
        >>> bir, out_batched = batch_ir(ir, [True, False], 5)
        >>> bir.in_vars[0].aval, bir.outs[0].aval, out_batched
        (f64[5,3], f64[5,3], [True])
    """
    with new_trace("vmap") as trace:
        env: dict = {}
        for var, is_batched in zip(ir.in_vars, batched_inputs):
            aval = Aval((size,) + var.aval.shape, var.aval.dtype) if is_batched else var.aval
            env[var] = (trace.new_arg(aval), is_batched)
        for var, value in zip(ir.const_vars, ir.consts):
            env[var] = (Tracer(trace, trace.const_var(value)), False)
        copies: dict = {}
        sites, inherited = recording_sites(), _sites.inherited
        for eqn in ir.eqns:
            _current_origin.append(copies.get(eqn.origin, eqn.origin))
            if sites:                     # the batched equations keep the user's site of the original
                _sites.inherited = eqn.where or inherited
            try:
                out, is_batched = _batch_eqn(trace, eqn, env, size)
            finally:
                _current_origin.pop()
                if sites:
                    _sites.inherited = inherited
            copies[eqn] = trace._producer.get(out._var) if isinstance(out, Tracer) else None
            env[eqn.out] = (out, is_batched)
        outs = [env[o] if isinstance(o, Var) else (o.val, False) for o in ir.outs]
        return trace.to_ir([o for o, _ in outs]), [b for _, b in outs]


def _batch_eqn(trace, eqn: Eqn, env: dict, size: int):
    args = [env[a] if isinstance(a, Var) else (a.val, False) for a in eqn.inputs]
    batched = [b for _, b in args]
    if not any(batched):
        # copied as is (no eager evaluation, so a splat of a literal stays a splat, not a constant)
        inputs = [trace.to_atom(v) for v, _ in args]
        out = Var(eqn.out.aval)
        trace.record(Eqn(eqn.prim, inputs, eqn.params, out, _current_origin[-1], eqn.where))
        return Tracer(trace, out), False
    rule = eqn.prim.rule("batch")
    return rule([v for v, _ in args], batched, size=size, **eqn.params), True


# --- helpers for batching rules ----------------------------------------------------------------

def bdim_to_front(x, axis: int):
    """`x` with its axis `axis` moved to position 0 (a transpose, a view in NumPy)."""
    from ..primitives.shape import transpose
    if axis == 0:
        return x
    perm = [axis] + [i for i in range(len(shape_of(x))) if i != axis]
    return transpose(x, perm)


def bdim_from_front(x, axis: int):
    """`x` with its axis 0 moved to position `axis`."""
    from ..primitives.shape import transpose
    if axis == 0:
        return x
    rest = list(range(1, len(shape_of(x))))
    return transpose(x, rest[:axis] + [0] + rest[axis:])


def broadcast_batched(x, size: int, shape: tuple):
    """An unbatched `x` (per-example shape `shape`) broadcast to carry the batch on axis 0."""
    from ..primitives.shape import broadcast_in_dim
    return broadcast_in_dim(x, (size,) + tuple(shape), tuple(range(1, len(shape) + 1)))


def elementwise_rule(prim):
    """The batching rule of an elementwise primitive: operands lined up on the batch axis, then one
    call. Unbatched 0-d operands stay as they are (they broadcast); other unbatched operands get a
    `broadcast_in_dim`, which the NumPy backend leaves to NumPy's own broadcasting."""
    from ..core import bind
    from ..primitives.shape import broadcast_in_dim

    def rule(args, batched, *, size, **params):
        shapes = [shape_of(x)[1:] if b else shape_of(x) for x, b in zip(args, batched)]
        shape = next((s for s in shapes if s), ())
        lined_up = []
        for x, b, s in zip(args, batched, shapes):
            if b and s != shape:               # batched 0-d operand among n-d ones
                x = broadcast_in_dim(x, (size,) + shape, (0,))
            elif not b and s:
                x = broadcast_batched(x, size, shape)
            lined_up.append(x)
        return bind(prim, *lined_up, **params)
    return rule


def shift_axes(axes) -> tuple:
    """Per-example axis numbers as numbers of the batched array (batch on axis 0)."""
    return tuple(a + 1 for a in axes)


def batch_index(spec: tuple, idx: list, idx_batched: list, size: int, x_ndim: int):
    """Rewrite an indexing spec with integer arrays for an operand batched on axis 0.

    `x_ndim` is the per-example rank of the indexed array. Returns (spec', idx', perm): a leading
    batch index `arange(size)` pairs each example with its own index arrays (batched ones are
    broadcast to the common per-example index shape), and `perm` transposes the result of `spec'`
    into the per-example layout with the batch in front.
    """
    from ..primitives.shape import broadcast_in_dim
    bshape = tuple(np.broadcast_shapes(*[shape_of(i)[1:] if b else shape_of(i)
                                         for i, b in zip(idx, idx_batched)]))
    nb = len(bshape)
    lined_up = []
    for i, b in zip(idx, idx_batched):
        if b:
            dims = (0,) + tuple(range(2 + nb - len(shape_of(i)), 1 + nb))
            i = broadcast_in_dim(i, (size,) + bshape, dims)
        lined_up.append(i)
    batch_ids = np.arange(size, dtype=np.intp).reshape((size,) + (1,) * nb)
    new_spec = (("array", len(idx)),) + tuple(spec)
    # numpy puts an advanced-index block that starts the index first: (size, *bshape, other dims);
    # per example, an adjacent block stays where it is, after the dims of the items before it
    advanced = [k for k, item in enumerate(spec) if item[0] in ("array", "int")]
    adjacent = advanced == list(range(advanced[0], advanced[-1] + 1))
    n_before = sum(1 for item in spec[:advanced[0]] if item[0] in ("slice", "none")) if adjacent else 0
    n_out = nb + sum(1 for item in spec if item[0] in ("slice", "none")) \
        + x_ndim - sum(1 for item in spec if item[0] != "none")
    perm = ([0] + [1 + nb + k for k in range(n_before)] + list(range(1, 1 + nb))
            + list(range(1 + nb + n_before, 1 + n_out)))
    return new_spec, lined_up + [batch_ids], perm
