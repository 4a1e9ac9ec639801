"""Split a program into the part computable from known inputs and the part that needs the rest.

`vjp` uses it on the joint forward-and-backward program: the known part (the forward pass) runs
once when `vjp` is called and hands its residuals to the unknown part (the backward pass), which
runs on each call of the pullback, so the forward pass is never recomputed.
"""

from __future__ import annotations

from ..core import IR, Var
from .simplify import dce


def partial_eval(ir: IR, n_known_inputs: int, n_known_outputs: int) -> tuple[IR, IR]:
    """Return `(known, unknown)`.

    `known(*inputs[:n_known_inputs])` gives `outs[:n_known_outputs] + residuals`;
    `unknown(*residuals, *inputs[n_known_inputs:])` gives `outs[n_known_outputs:]`.
    Equations without variable operands (literal broadcasts) are recomputed on the unknown side
    rather than passed as residuals: they cost nothing and would otherwise be materialised arrays.
    """
    known = set(ir.in_vars[:n_known_inputs]) | set(ir.const_vars)
    free = set()                                     # defined on both sides
    known_eqns, unknown_eqns = [], []
    for eqn in ir.eqns:
        operands = [a for a in eqn.inputs if isinstance(a, Var)]
        if not operands and not eqn.prim.effect:
            known_eqns.append(eqn)
            unknown_eqns.append(eqn)
            known.add(eqn.out)
            free.add(eqn.out)
        elif all(a in known for a in operands):
            known_eqns.append(eqn)
            known.add(eqn.out)
        else:
            unknown_eqns.append(eqn)
    needed = [a for e in unknown_eqns for a in e.inputs] + list(ir.outs[n_known_outputs:])
    consts = set(ir.const_vars)
    residuals = list(dict.fromkeys(a for a in needed if isinstance(a, Var) and a in known
                                   and a not in free and a not in consts))
    known_ir = IR(ir.in_vars[:n_known_inputs], ir.const_vars, ir.consts, known_eqns,
                  list(ir.outs[:n_known_outputs]) + residuals)
    unknown_ir = IR(residuals + list(ir.in_vars[n_known_inputs:]), ir.const_vars, ir.consts, unknown_eqns,
                    list(ir.outs[n_known_outputs:]))
    return dce(known_ir), dce(unknown_ir)
