"""Forward mode as an IR-to-IR transform.

`jvp_ir(ir, nonzero)` copies the primal equations into a new trace, then walks them forwards calling
each primitive's jvp rule on tracers of that trace. The rules are written in fgrad operations, so
the result is again an IR of primitives: jvp of grad, grad of jvp and jvp of jvp need nothing more.
Zero tangents stay symbolic: a tangent is None, never an array of zeros, and an equation whose
operands all have zero tangents adds no tangent equations at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core import IR, Var, new_trace
from ..primitives.shape import broadcast_in_dim
from .ad import _replay


def _needed(ir: IR, n_tangent_outs: int) -> set:
    """The vars whose tangents the outputs' tangents need. A marker of a custom rule or checkpoint never
    reads its operand 0's tangent, so the inlined function under it (a custom_jvp rule's own primal
    call, say) gets none: its user rules are not called for nothing."""
    needed = {o for o in ir.outs[:n_tangent_outs] if isinstance(o, Var)}
    for eqn in reversed(ir.eqns):
        if eqn.out in needed:
            operands = eqn.inputs[1:] if getattr(eqn.prim, "marker", False) else eqn.inputs
            needed.update(a for a in operands if isinstance(a, Var))
    return needed


def _tangents(ir: IR, env: dict, tangents: dict, needed: set) -> dict:
    """Fill `tangents` (var -> tracer) equation by equation; symbolic zeros are absent."""
    for eqn in ir.eqns:
        ins = [tangents.get(a) if isinstance(a, Var) else None for a in eqn.inputs]
        if eqn.out not in needed or not eqn.out.aval.is_float or all(t is None for t in ins):
            continue
        primals = [env[a] if isinstance(a, Var) else a.val for a in eqn.inputs]
        out = env[eqn.out]
        t_out = eqn.prim.rule("jvp")(primals, ins, out=out, **eqn.params)
        if t_out is None:
            continue
        if t_out.shape != out.shape:     # a 0-d operand's tangent, broadcast by the primitive
            t_out = broadcast_in_dim(t_out, out.shape, ())
        tangents[eqn.out] = t_out
    return tangents


def jvp_ir(ir: IR, nonzero: Sequence[bool], n_tangent_outs: int | None = None) -> tuple[IR, list[bool]]:
    """IR computing `(outputs..., tangents of outputs...)` from `(inputs..., tangents...)`.

    There is one tangent input for each input with `nonzero[i]` True (the others are symbolic
    zeros) and one tangent output for each of the first `n_tangent_outs` outputs (default all)
    whose tangent is not a symbolic zero; the returned flags say which those are.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> ir = fgrad.make_ir(lambda x, c: fnp.sin(x) * c)(np.ones(2), np.ones(2))
        >>> jir, out_nonzero = jvp_ir(ir, [True, False])
        >>> len(jir.in_vars), out_nonzero
        (3, [True])
    """
    n_tangent_outs = len(ir.outs) if n_tangent_outs is None else n_tangent_outs
    with new_trace("jvp") as trace:
        for v in ir.in_vars:
            trace.new_arg(v.aval)
        t_ins = {v: trace.new_arg(v.aval) for v, nz in zip(ir.in_vars, nonzero) if nz}
        env = _replay(trace, ir)
        tangents = _tangents(ir, env, t_ins, _needed(ir, n_tangent_outs))
        read = lambda a: env[a] if isinstance(a, Var) else a.val  # noqa: E731
        t_outs = [tangents.get(o) if isinstance(o, Var) else None for o in ir.outs[:n_tangent_outs]]
        out_nonzero = [t is not None for t in t_outs]
        outs = [read(o) for o in ir.outs] + [t for t in t_outs if t is not None]
        return trace.to_ir(outs), out_nonzero
