"""IR clean-up after a transform: constants folded, identities removed, common subexpressions merged,
dead code dropped.

"Splats" (a scalar literal broadcast to a shape, e.g. the cotangent 1 of `sum`) are tracked
symbolically: an elementwise use of a splat becomes a use of the scalar literal, so `ct * cos(x)`
with ct = ones becomes `cos(x)` and no array of ones is ever made.
"""

from __future__ import annotations

import numpy as np

from ..config import config
from ..core import IR, Eqn, Lit, Var
from ..primitives import elementwise as ew
from ..primitives import shape as sh
from .polynomial import horner as rebuild_sums


def _is_value(atom, value) -> bool:
    return isinstance(atom, Lit) and atom.val == value


def _identity(eqn: Eqn, inputs: list):
    """The operand an equation merely passes through (x*1, x+0, ...), else None: the primitive's
    `identity` fact says which."""
    rule = eqn.prim.identity
    return None if rule is None else rule(inputs, eqn.out.aval, **eqn.params)


class _Simplifier:
    def __init__(self):
        self.subst: dict = {}           # Var -> replacement atom
        self.splat: dict = {}           # Var -> NumPy scalar it is filled with
        self.seen: dict = {}            # CSE key -> Var
        self.negated: dict = {}         # output of a neg -> its operand
        self.emitted: dict = {}         # Var -> the kept equation defining it
        self.eqns: list = []

    def atom(self, a):
        while isinstance(a, Var) and a in self.subst:
            a = self.subst[a]
        return a

    def splat_eqn(self, eqn: Eqn, value) -> None:
        value = np.dtype(eqn.out.aval.dtype).type(value)
        if not eqn.out.aval.shape:
            self.subst[eqn.out] = Lit(value)
            return
        self.splat[eqn.out] = value
        params = {"shape": eqn.out.aval.shape, "dims": ()}
        self.emit(Eqn(sh.broadcast_in_dim_p, [Lit(value)], params, eqn.out, eqn.origin, eqn.where))

    def fold(self, eqn: Eqn, inputs: list) -> bool:
        """Constant-fold equations whose operands are literals or splats, by the primitive's `fold` fact
        (called where one operand at least is one, or where there are none)."""
        if eqn.prim.fold is None or eqn.prim.effect:
            return False
        splat = self.splat
        scalars = [a.val if type(a) is Lit else splat.get(a) for a in inputs]
        value = eqn.prim.fold(scalars, [a.aval for a in inputs], **eqn.params)
        if value is None:
            return False
        self.splat_eqn(eqn, value)
        return True

    def operands(self, eqn: Eqn) -> tuple[list, bool]:
        """The equation's operands after the replacements so far (a splat beside an array becomes
        its scalar), and whether one of them is a literal or a splat, so that folding can apply.
        One loop over the operands: this runs for every equation of every program."""
        subst, splat = self.subst, self.splat
        inputs, scalar, splatted, array = [], False, False, False
        for a in eqn.inputs:
            a = subst.get(a, a)                 # replacements are final: no chains
            inputs.append(a)
            if type(a) is Lit:
                scalar = True
            elif a in splat:
                scalar = splatted = True
            else:
                array = True
        if splatted and array and eqn.prim.elementwise:
            inputs = [Lit(splat[a]) if a in splat else a for a in inputs]
        return inputs, scalar or not inputs

    def visit(self, eqn: Eqn) -> None:
        inputs, foldable = self.operands(eqn)
        origin = eqn.origin
        if origin is not None:          # backward comments point at the kept forward equations
            kept = self.emitted.get(self.atom(origin.out), origin)
            if kept is not origin:
                eqn = Eqn(eqn.prim, eqn.inputs, eqn.params, eqn.out, kept, eqn.where)
        if foldable and self.fold(eqn, inputs):
            return
        same = _identity(eqn, inputs)
        if same is not None:
            self.subst[eqn.out] = same
            return
        eqn, inputs = _minus_one_to_neg(eqn, inputs)
        if self.fold_negation(eqn, inputs) or self.push_negation(eqn, inputs):
            return
        # an unchanged equation is kept as it is (equations are never changed in place): long
        # programs are mostly unchanged, and a copy of each would double their memory
        self.emit(eqn if inputs == eqn.inputs else Eqn(eqn.prim, inputs, eqn.params, eqn.out, eqn.origin, eqn.where))

    def fold_negation(self, eqn: Eqn, inputs: list) -> bool:
        """-(-x) -> x, x + (-y) -> x - y, (-x) + y -> y - x, x - (-y) -> x + y."""
        prim, neg = eqn.prim, self.negated
        if not neg or (prim is not ew.neg_p and prim is not ew.add_p and prim is not ew.sub_p):
            return False
        negs = [a if isinstance(a, Var) and a in neg else None for a in inputs]
        if prim is ew.neg_p and negs[0] is not None:
            self.subst[eqn.out] = neg[negs[0]]
            return True
        if prim not in (ew.add_p, ew.sub_p) or not any(n is not None for n in negs):
            return False
        x, y = inputs
        if negs[1] is not None:
            prim, operands = (ew.sub_p if prim is ew.add_p else ew.add_p), [x, neg[y]]
        elif prim is ew.add_p:
            prim, operands = ew.sub_p, [y, neg[x]]
        else:
            return False
        self.emit(Eqn(prim, operands, {}, eqn.out, eqn.origin, eqn.where))
        return True

    def push_negation(self, eqn: Eqn, inputs: list) -> bool:
        """(-x) * y -> -(x * y), so the negation can fold into a later add or sub."""
        if not eqn.prim.odd or len(inputs) != 2:
            return False
        negs = [a in self.negated for a in inputs]     # a literal is never a key: no type test
        if negs[0] == negs[1]:
            return False
        plain = [self.negated[a] if n else a for a, n in zip(inputs, negs)]
        product = Var(eqn.out.aval)
        self.emit(Eqn(eqn.prim, plain, eqn.params, product, eqn.origin, eqn.where))
        self.emit(Eqn(ew.neg_p, [self.atom(product)], {}, eqn.out, eqn.origin, eqn.where))
        return True

    def emit(self, eqn: Eqn) -> None:
        if not eqn.prim.effect:
            key = (eqn.prim, tuple([a if type(a) is not Lit else _atom_key(a) for a in eqn.inputs]),
                   tuple(sorted(eqn.params.items())) if eqn.params else ())
            found = self.seen.get(key)
            if found is not None:
                self.subst[eqn.out] = found
                return
            self.seen[key] = eqn.out
        if eqn.prim is ew.neg_p:
            self.negated[eqn.out] = eqn.inputs[0]
        self.emitted[eqn.out] = eqn
        self.eqns.append(eqn)


def _minus_one_to_neg(eqn: Eqn, inputs: list):
    """x * -1 becomes -x, which the negation rules can then fold away."""
    if eqn.prim is ew.mul_p:
        for lit, other in ((inputs[0], inputs[1]), (inputs[1], inputs[0])):
            if _is_value(lit, -1) and isinstance(other, Var) and other.aval == eqn.out.aval:
                return Eqn(ew.neg_p, [other], {}, eqn.out, eqn.origin, eqn.where), [other]
    return eqn, inputs


def _atom_key(a):
    # the bytes, not the value: 0.0 == -0.0, and x * 0.0 must not stand for x * -0.0
    return ("lit", a.val.tobytes(), a.val.dtype) if type(a) is Lit else a    # a Var hashes by identity


def dce(ir: IR) -> IR:
    """Drop equations whose results are not needed by an output or an effect (guards)."""
    live = {o for o in ir.outs if isinstance(o, Var)}
    kept = []
    for eqn in reversed(ir.eqns):
        if eqn.out in live or eqn.prim.effect:
            kept.append(eqn)
            live.update(eqn.inputs)     # literals too: harmless, and cheaper than filtering them out
    kept.reverse()
    used = [(v, c) for v, c in zip(ir.const_vars, ir.consts) if v in live]
    return IR(ir.in_vars, [v for v, _ in used], [c for _, c in used], kept, ir.outs)


def simplify(ir: IR, horner: bool | None = None) -> IR:
    """Fold constants and identities, merge duplicates, remove dead code; then, when `horner` (by
    default `config.horner`), rebuild sums of products in Horner form where that is shorter.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> ir = fgrad.make_ir(lambda x: fnp.sum(x * 1.0))(np.ones(2))
        >>> [e.prim.name for e in simplify(ir).eqns]       # the multiplication by 1 is gone
        ['reduce_sum']
    """
    s = _Simplifier()
    for eqn in ir.eqns:
        s.visit(eqn)
    outs = [s.atom(o) for o in ir.outs]
    cleaned = dce(IR(ir.in_vars, ir.const_vars, ir.consts, s.eqns, outs))
    return dce(rebuild_sums(cleaned)) if (config.horner if horner is None else horner) else cleaned

