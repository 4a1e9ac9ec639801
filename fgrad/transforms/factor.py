"""Factor a shared multiplicand out of a sum: a*u + a*v*w -> a*(u + v*w).

Reverse mode produces such sums whenever a value feeds two uses: the cotangent of `tanh(x)*0.8 +
0.2*x` is `ct*0.2 + (ct*0.8)*(1 - y*y)`, four passes over the data, while `ct*(0.2 + 0.8*(1 - y*y))`
needs three. Only products whose intermediate results are used nowhere else are rewritten, and only
when the rewrite needs fewer equations, so no work is ever added. Literal factors are multiplied
together first.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..core import IR, Eqn, Lit, Var
from ..primitives import elementwise as ew

MAX_DEPTH = 4      # products are looked into this many multiplications deep (bounded work per sum)


def _factors(atom, producer: dict, uses: Counter, depth: int = 0) -> list:
    """The leaves of the product tree under `atom`, descending through single-use `mul`s."""
    eqn = producer.get(atom) if isinstance(atom, Var) else None
    if eqn is None or eqn.prim is not ew.mul_p or uses[atom] != 1 or depth >= MAX_DEPTH:
        return [atom]
    return [f for a in eqn.inputs for f in _factors(a, producer, uses, depth + 1)]


def _product(factors: list, like: Var, origin, out: list) -> object:
    """Emit equations multiplying `factors` (literals folded into one); return the result atom."""
    scalar = np.dtype(like.aval.dtype).type(1)
    for f in factors:
        if isinstance(f, Lit):
            scalar = scalar * f.val
    result = None
    for f in (f for f in factors if not isinstance(f, Lit)):
        result = f if result is None else _emit(ew.mul_p, [result, f], like, origin, out)
    if result is None:
        return Lit(scalar)
    return result if scalar == 1 else _emit(ew.mul_p, [result, Lit(scalar)], like, origin, out)


def _emit(prim, inputs, like: Var, origin, out: list, var: Var | None = None) -> Var:
    var = var or Var(like.aval)
    out.append(Eqn(prim, inputs, {}, var, origin))
    return var


def _cost(factors: list) -> int:
    """Equations needed to multiply `factors` (a lone literal needs none)."""
    variables = sum(1 for f in factors if not isinstance(f, Lit))
    return 0 if not variables else variables - 1 + (len(factors) > variables)


def _rewrite(eqn: Eqn, producer: dict, uses: Counter, out: list) -> bool:
    x, y = eqn.inputs
    if not (isinstance(x, Var) and isinstance(y, Var)) or x.aval != eqn.out.aval or y.aval != eqn.out.aval:
        return False
    fx, fy = _factors(x, producer, uses), _factors(y, producer, uses)
    common = next((f for f in fx if isinstance(f, Var) and any(f is g for g in fy)), None)
    if common is None or (len(fx) == 1 and len(fy) == 1):
        return False
    rest_x = [f for i, f in enumerate(fx) if i != next(k for k, g in enumerate(fx) if g is common)]
    rest_y = [f for i, f in enumerate(fy) if i != next(k for k, g in enumerate(fy) if g is common)]
    before = _cost(fx) + _cost(fy) + 1
    after = _cost(rest_x) + _cost(rest_y) + 2
    if after >= before or (not rest_x and not rest_y):
        return False
    left = _product(rest_x, eqn.out, eqn.origin, out)
    right = _product(rest_y, eqn.out, eqn.origin, out)
    total = _emit(eqn.prim, [left, right], eqn.out, eqn.origin, out)
    _emit(ew.mul_p, [common, total], eqn.out, eqn.origin, out, var=eqn.out)
    return True


def _merge_literals(eqn: Eqn, producer: dict, uses: Counter, out: list) -> bool:
    """(x * 2.0) * 0.25 -> x * 0.5: one multiplication per product for all its literal factors."""
    factors = [f for a in eqn.inputs for f in _factors(a, producer, uses, 1)]
    if sum(isinstance(f, Lit) for f in factors) < 2 or any(f.aval.shape for f in factors if isinstance(f, Lit)):
        return False
    result = _product(factors, eqn.out, eqn.origin, out)
    last = out[-1] if out and isinstance(result, Var) and out[-1].out is result else None
    if last is None:
        return False            # everything folded to a literal: leave it to the simplifier
    last.out = eqn.out
    return True


def factor_sums(ir: IR) -> IR:
    """Rewrite sums and differences of products sharing a factor; the caller removes dead code."""
    producer = {e.out: e for e in ir.eqns}
    uses = Counter(a for e in ir.eqns for a in e.inputs if isinstance(a, Var))
    uses.update(o for o in ir.outs if isinstance(o, Var))
    eqns: list = []
    for eqn in ir.eqns:
        if eqn.prim in (ew.add_p, ew.sub_p) and _rewrite(eqn, producer, uses, eqns):
            continue
        if eqn.prim is ew.mul_p and _merge_literals(eqn, producer, uses, eqns):
            continue
        eqns.append(eqn)
    return IR(ir.in_vars, ir.const_vars, ir.consts, eqns, ir.outs)
