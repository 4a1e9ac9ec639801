"""Reverse mode as an IR-to-IR transform.

`backward_ir(ir, wrt, seed)` replays the forward equations into a new trace, then walks them
backwards calling each primitive's vjp rule on tracers of that trace. The rules are written in fgrad
operations, so the result is again an IR of primitives, and differentiating it again needs nothing
more. Zero cotangents stay symbolic: a missing entry is a zero, never an array of zeros.
"""

from __future__ import annotations

from ..core import IR, Eqn, Tracer, Var, _current_origin, new_trace
from ..primitives._base import full_in


def _replay(trace, ir: IR) -> dict:
    """Copy the forward equations into `trace`; returns old var -> new Tracer."""
    env: dict = {}
    for old, new in zip(ir.in_vars, trace.in_vars):
        env[old] = Tracer(trace, new)
    for old, value in zip(ir.const_vars, ir.consts):
        env[old] = Tracer(trace, trace.const_var(value))
    for eqn in ir.eqns:
        inputs = [env[a]._var if isinstance(a, Var) else a for a in eqn.inputs]
        out = Var(eqn.out.aval)
        copy = Eqn(eqn.prim, inputs, eqn.params, out, eqn.origin, eqn.where)
        trace.record(copy)
        env[eqn.out] = Tracer(trace, out)
    return env


def _active_vars(ir: IR, wrt: list[Var]) -> set:
    """Vars that depend on a differentiated input and can carry a (real) cotangent."""
    active = set(wrt)
    for eqn in ir.eqns:
        if eqn.out.aval.is_float and any(isinstance(a, Var) and a in active for a in eqn.inputs):
            active.add(eqn.out)
    return active


def _joint_groups(ir: IR) -> dict:
    """id(rule) -> the floating-point markers sharing it, for primitives with a `joint_vjp` (a custom_vjp
    call's outputs: its bwd takes all their cotangents at once, so it runs once, as in jax)."""
    groups: dict = {}
    for eqn in ir.eqns:
        if getattr(eqn.prim, "joint_vjp", None) is not None and eqn.out.aval.is_float:
            groups.setdefault(id(eqn.params["rule"]), []).append(eqn)
    return {key: eqns for key, eqns in groups.items() if len(eqns) > 1}


def _backward(trace, ir: IR, env: dict, cts: dict, active: set) -> dict:
    groups = _joint_groups(ir)
    for eqn in reversed(ir.eqns):
        ct = cts.pop(eqn.out, None)
        group = groups.get(id(eqn.params.get("rule"))) if groups else None
        if group is not None:          # the last of the group seen first: every cotangent is known
            ct = {e.params["index"]: ct if e is eqn else cts.pop(e.out, None) for e in group}
            ct = None if all(c is None for c in ct.values()) else ct
        if ct is None or eqn.out not in active:
            continue
        primals = [env[a] if isinstance(a, Var) else a.val for a in eqn.inputs]
        _current_origin.append(trace._producer[env[eqn.out]._var])
        try:
            rule = eqn.prim.joint_vjp if group is not None else eqn.prim.rule("vjp")
            in_cts = rule(ct, *primals, out=env[eqn.out], **eqn.params)
            for a, c in zip(eqn.inputs, in_cts):
                if c is not None and isinstance(a, Var) and a in active:
                    cts[a] = c if a not in cts else cts[a] + c
        finally:
            _current_origin.pop()
    return cts


def backward_ir(ir: IR, wrt: list[int], seed: str = "one", n_cts: int | None = None) -> IR:
    """IR computing `(outputs..., d out[0] / d inputs[wrt]...)`.

    seed="one": the first output is a scalar and its cotangent is 1 (grad).
    seed="input": one cotangent input per output (the first `n_cts` outputs, default all) is
    appended to the inputs (vjp).
    """
    with new_trace("grad") as trace:
        for v in ir.in_vars:
            trace.new_arg(v.aval)
        env = _replay(trace, ir)
        read = lambda a: env[a] if isinstance(a, Var) else a.val  # noqa: E731
        outs = [read(o) for o in ir.outs]
        cts: dict = {}
        if seed == "one":
            out0 = ir.outs[0]
            if isinstance(out0, Var):
                cts[out0] = full_in(trace, out0.aval.shape, 1, out0.aval.dtype)
        else:
            for o in ir.outs[:n_cts]:
                ct_in = trace.new_arg(o.aval)
                if isinstance(o, Var) and o.aval.is_float:
                    cts[o] = ct_in if o not in cts else cts[o] + ct_in
        wrt_vars = [ir.in_vars[i] for i in wrt]
        cts = _backward(trace, ir, env, cts, _active_vars(ir, wrt_vars))
        grads = [cts.get(v) if cts.get(v) is not None else full_in(trace, v.aval.shape, 0, v.aval.dtype)
                 for v in wrt_vars]
        return trace.to_ir(outs + grads)

