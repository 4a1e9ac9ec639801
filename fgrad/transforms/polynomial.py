"""Rebuild sums of products in Horner form: fewer passes over memory for the same polynomial.

Reverse mode adds up the contributions of each use of a value in the order of the uses, not in
the order the algebra would suggest. For `sum(tanh(x)*exp(-x**2) + log1p(x**2))` the gradient comes
out as `(1/(1+x²) - t·e)·2x + e·(1 - t²)` (with t = tanh x, e = exp(-x²)): eight equations once t, e
and x² exist. The same polynomial in the leaves t, e, x and 1/(1+x²) is
`e·(1 - t·(t + 2x)) + 2x/(1+x²)`: seven, and `2x` is computed once.

The pass expands a tree of single-use `+ - * /`, negations and small integer powers into a
polynomial over its leaves (the values it does not expand), then rebuilds it by factoring out the
leaf shared by most terms, recursively. The rebuilt tree replaces the old one only when it needs
fewer equations. Terms never cancel, a leaf never divides itself away, a quotient is never split
over a sum and literals never fold into an overflow (`x - x`, `x·y/y`, `(a + b)/y`, `x / 0.0` and
`(x * 1e308) * 10` are left alone), so those NaNs and infinities come out as written. Otherwise
this is reassociation: values agree up to rounding where they are finite, but the sign of an exact
zero can flip and an overflow can turn an infinity into NaN or the reverse. `config.horner = False`
turns the pass off.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from ..core import IR, Eqn, Lit, Var
from ..primitives import elementwise as ew

MAX_NODES = 24     # equations in one expanded tree
MAX_TERMS = 12     # terms in its polynomial
MAX_SHAPES = 4096  # tree shapes whose rewrite one pass remembers


class _GiveUp(Exception):
    """The tree is too large, or expanding it would cancel a term or a leaf."""


def _has_reciprocal(poly: dict) -> bool:
    return any(k < 0 for m in poly for _, k in m)


def _times(p: dict, q: dict) -> dict:
    if (len(p) > 1 and _has_reciprocal(q)) or (len(q) > 1 and _has_reciprocal(p)):
        raise _GiveUp                      # (a + b)/y -> a/y + b/y turns 1/0 = inf into 0/0 = NaN
    out: dict = {}
    for m, a in p.items():
        for n, b in q.items():
            powers = dict(m)
            for leaf, k in n:
                old = powers.get(leaf, 0)
                if old * k < 0:
                    raise _GiveUp          # x * (1/x): keep it, so x = 0 still gives NaN
                powers[leaf] = old + k
            _accumulate(out, tuple(sorted(powers.items())), a * b)
    return out


def _plus(p: dict, q: dict, sign: float = 1.0) -> dict:
    out = dict(p)
    for m, b in q.items():
        _accumulate(out, m, sign * b)
    return out


def _accumulate(poly: dict, monomial: tuple, coefficient: float) -> None:
    total = poly.get(monomial, 0.0) + coefficient
    if total == 0.0:
        raise _GiveUp                      # x - x: keep it, so inf - inf still gives NaN
    if not math.isfinite(total):
        raise _GiveUp                      # (x * 1e308) * 10: folding the literals would overflow
    poly[monomial] = total
    if len(poly) > MAX_TERMS:
        raise _GiveUp


class _Tree:
    """One expansion and rebuild, rooted at a sum or difference."""

    def __init__(self, root: Eqn, producer: dict, uses: Counter, order: dict):
        self.root, self.producer, self.uses, self.order = root, producer, uses, order
        self.aval, self.leaves, self.nodes = root.out.aval, {}, 0
        self.eqns: list = []
        self.memo: dict = {}

    # --- expansion -------------------------------------------------------------------------
    def expand(self, atom, top: bool = False) -> dict:
        if isinstance(atom, Lit):
            return {(): float(atom.val)}
        eqn = self.producer.get(atom)
        if eqn is None or not (top or self.uses[atom] == 1) or not _expandable(eqn, self.aval):
            return self._leaf(atom)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _GiveUp
        prim, inputs = eqn.prim, eqn.inputs
        if prim is ew.div_p:
            return self._divide(inputs)
        if prim is ew.integer_pow_p:
            base = self.expand(inputs[0])
            out = base
            for _ in range(eqn.params["n"] - 1):
                out = _times(out, base)
            return out
        if prim is ew.neg_p:
            return _plus({}, self.expand(inputs[0]), -1.0)
        x, y = (self.expand(a) for a in inputs)
        return _times(x, y) if prim is ew.mul_p else _plus(x, y, 1.0 if prim is ew.add_p else -1.0)

    def _divide(self, inputs: list) -> dict:
        numerator, denominator = inputs
        if isinstance(denominator, Lit):
            if float(denominator.val) == 0.0:
                raise _GiveUp              # x / 0.0 keeps its infinities and NaNs as written
            return _plus({}, self.expand(numerator), 1.0 / float(denominator.val))
        key = self._key(denominator)
        return _times(self.expand(numerator), {((key, -1),): 1.0})

    def _leaf(self, var: Var) -> dict:
        return {((self._key(var), 1),): 1.0}

    def _key(self, var: Var) -> int:
        key = self.order[var]
        self.leaves[key] = var
        return key

    # --- rebuild ---------------------------------------------------------------------------
    def rebuild(self, poly: dict) -> tuple:
        """(atom, negated): the polynomial's value is `atom`, or `-atom` when negated."""
        if len(poly) == 1:
            return self._monomial(*next(iter(poly.items())))
        scales = {abs(c) for c in poly.values()}
        if len(scales) == 1 and 1.0 not in scales:           # 0.4·l - 0.4·f -> (l - f)·0.4
            scale = scales.pop()
            value, negated = self.rebuild({m: c / scale for m, c in poly.items()})
            return self._emit(ew.mul_p, [value, self._lit(scale)]), negated
        counts = Counter(leaf for m in poly for leaf, k in m if k > 0)
        best, shared = max(counts.items(), key=lambda kv: (kv[1], -kv[0]), default=(None, 0))
        if shared < 2:
            return self._sum([self._monomial(m, c) for m, c in poly.items()])
        inner, rest = {}, {}
        for m, c in poly.items():
            powers = dict(m)
            if powers.get(best, 0) > 0:
                powers[best] -= 1
                inner[tuple(sorted((k, v) for k, v in powers.items() if v))] = c
            else:
                rest[m] = c
        # the remainder first: its operands are then free to be overwritten by the factored part
        remainder = self.rebuild(rest) if rest else None
        q, negated = self.rebuild(inner)
        term = (self._emit(ew.mul_p, [self.leaves[best], q]), negated)
        return self._sum([term, remainder]) if remainder else term

    def _monomial(self, monomial: tuple, coefficient: float) -> tuple:
        value = None
        for leaf, k in monomial:
            if k > 0:
                power = self._power(leaf, k)
                value = power if value is None else self._emit(ew.mul_p, [value, power])
        scale = abs(coefficient)
        if value is None:
            value = self._lit(scale)
        elif scale != 1.0:
            value = self._emit(ew.mul_p, [value, self._lit(scale)])
        for leaf, k in monomial:
            if k < 0:
                value = self._emit(ew.div_p, [value, self._power(leaf, -k)])
        return value, coefficient < 0

    def _power(self, leaf: int, k: int):
        var = self.leaves[leaf]
        return var if k == 1 else self._emit(ew.integer_pow_p, [var], n=k)

    def _sum(self, terms: list) -> tuple:
        terms = sorted(terms, key=lambda t: t[1])              # positive terms first
        value, negated = terms[0]
        for atom, minus in terms[1:]:
            if negated == minus:
                value = self._emit(ew.add_p, [value, atom])
            elif minus:
                value = self._emit(ew.sub_p, [value, atom])
            else:
                value, negated = self._emit(ew.sub_p, [atom, value]), False
        return value, negated

    def _lit(self, value: float) -> Lit:
        dtype = self.aval.dtype
        if abs(value) > _largest(dtype):
            raise _GiveUp                  # finite in float64, not in this dtype (float32)
        return Lit(dtype.type(value))

    def _emit(self, prim, inputs: list, **params) -> Var:
        key = (prim, tuple([a if isinstance(a, Var) else ("lit", a.val.item()) for a in inputs]),
               tuple(sorted(params.items())) if params else ())
        if key not in self.memo:
            out = Var(self.aval)
            self.eqns.append(Eqn(prim, inputs, params, out, self.root.origin, self.root.where))
            self.memo[key] = out
        return self.memo[key]


def _expandable(eqn: Eqn, aval) -> bool:
    """Whether the tree of type `aval` expands `eqn` (else its value is a leaf)."""
    if not eqn.prim.polynomial or not (eqn.out.aval is aval or eqn.out.aval == aval):
        return False
    if eqn.prim is ew.integer_pow_p and eqn.params["n"] not in (2, 3):
        return False
    for a in eqn.inputs:
        if not (type(a) is Lit or a.aval is aval or a.aval == aval):
            return False
    return True


def _largest(dtype: np.dtype) -> float:
    """The largest finite value of a real floating dtype (NumPy caches finfo)."""
    return float(np.finfo(dtype).max)


def _facts(ir: IR) -> tuple:
    """What the pass reads of the program, gathered in one loop over it: each value's producing
    equation, its number of uses, its (last) consumer and its position in the program."""
    producer, consumer, uses = {}, {}, Counter()
    order = {v: k for k, v in enumerate([*ir.in_vars, *ir.const_vars])}
    base = len(order)
    for k, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            if type(a) is not Lit:
                uses[a] += 1
                consumer[a] = eqn
        producer[eqn.out] = eqn
        order[eqn.out] = base + k
    uses.update(o for o in ir.outs if type(o) is not Lit)
    return producer, uses, consumer, order


def _is_root(eqn: Eqn, uses: Counter, consumer: dict, producer: dict) -> bool:
    """An arithmetic equation whose value is not itself expanded into a larger tree."""
    if not eqn.prim.polynomial or eqn.out.aval.dtype.kind != "f":
        return False
    for a in eqn.inputs[:1] if eqn.prim is ew.div_p else eqn.inputs:
        below = producer.get(a) if type(a) is not Lit and uses[a] == 1 else None
        if below is not None and below.prim.polynomial:
            break
    else:
        return False                       # one equation over leaves: nothing to rebuild
    parent = consumer.get(eqn.out)
    inside = (uses[eqn.out] == 1 and parent is not None and parent.prim.polynomial
              and parent.out.aval == eqn.out.aval and not (parent.prim is ew.div_p
                                                           and parent.inputs[1] is eqn.out))
    return not inside


class _Shapes:
    """The rewrites one pass has worked out, by the shape of their tree.

    A long program is mostly the same few trees over and over (an unrolled loop, the backward
    blocks of repeated steps), and expanding and rebuilding a polynomial costs far more than
    reading the tree's shape. What `_rewrite` makes of a tree depends only on its shape: the
    equations and their parameters and literals, which operands are the same leaf, the program
    order of the leaves (it breaks ties between factors) and the type. So each shape is worked out
    once and its result replayed on the leaves of every later tree of that shape.
    """

    def __init__(self, producer: dict, uses: Counter, order: dict):
        self.producer, self.uses, self.order = producer, uses, order
        self.known: dict = {}        # shape -> equation templates, or None (left as it is)

    def rewrite(self, root: Eqn) -> list | None:
        """What `_rewrite(root, ...)` gives, from the remembered result of the same shape."""
        leaves: dict = {}            # leaf var -> its index, in the order the expansion meets them
        try:
            shape = self._shape(root.out, leaves, [0], root.out.aval, top=True)
        except _GiveUp:
            return None              # larger than the expansion takes
        ranks = sorted(range(len(leaves)), key=[self.order[v] for v in leaves].__getitem__)
        key = (root.out.aval, shape, tuple(ranks))
        if key in self.known:
            template = self.known[key]
            return None if template is None else _replay(template, root, list(leaves))
        eqns = _rewrite(root, self.producer, self.uses, self.order)
        if len(self.known) >= MAX_SHAPES:
            self.known.clear()
        self.known[key] = None if eqns is None else _template(eqns, leaves)
        return eqns

    def _shape(self, atom, leaves: dict, nodes: list, aval, top: bool = False):
        """The shape of the tree below `atom`, walked as `_Tree.expand` walks it."""
        if type(atom) is Lit:
            return _literal_shape(atom)
        eqn = self.producer.get(atom)
        if eqn is None or not (top or self.uses[atom] == 1) or not _expandable(eqn, aval):
            return leaves.setdefault(atom, len(leaves))
        nodes[0] += 1
        if nodes[0] > MAX_NODES:
            raise _GiveUp
        prim, inputs = eqn.prim, eqn.inputs
        if prim is ew.div_p:
            numerator, denominator = inputs       # a divisor is never expanded: a literal or a leaf
            below = _literal_shape(denominator) if type(denominator) is Lit else \
                leaves.setdefault(denominator, len(leaves))
            return prim, self._shape(numerator, leaves, nodes, aval), below
        if prim is ew.integer_pow_p:
            return prim, eqn.params["n"], self._shape(inputs[0], leaves, nodes, aval)
        if len(inputs) == 2:
            return prim, self._shape(inputs[0], leaves, nodes, aval), self._shape(inputs[1], leaves, nodes, aval)
        return (prim, *[self._shape(a, leaves, nodes, aval) for a in inputs])


def _literal_shape(lit: Lit) -> tuple:
    value = float(lit.val)
    return value, math.copysign(1.0, value)       # 0.0 and -0.0 are different shapes


def _template(eqns: list, leaves: dict) -> list | None:
    """`eqns` with each operand as a literal or the index of a leaf or of an earlier equation's
    result (None where an operand is neither, which `_Shapes` then does not remember)."""
    index = dict(leaves)
    template = []
    for k, eqn in enumerate(eqns):
        refs = []
        for a in eqn.inputs:
            if type(a) is not Lit and a not in index:
                return None
            refs.append(a if type(a) is Lit else index[a])
        template.append((eqn.prim, eqn.params, refs))
        index[eqn.out] = len(leaves) + k
    return template


def _replay(template: list, root: Eqn, leaves: list) -> list:
    """The equations of `template` on `leaves`, the last one defining `root`'s result."""
    values, eqns, aval = leaves, [], root.out.aval
    for prim, params, refs in template:
        out = Var(aval)
        eqns.append(Eqn(prim, [r if type(r) is Lit else values[r] for r in refs], params, out,
                        root.origin, root.where))
        values.append(out)
    eqns[-1].out = root.out
    return eqns


def _rewrite(root: Eqn, producer: dict, uses: Counter, order: dict) -> list | None:
    """Equations computing `root.out` in Horner form, or None when that would not be shorter."""
    tree = _Tree(root, producer, uses, order)
    try:
        value, negated = tree.rebuild(tree.expand(root.out, top=True))
    except _GiveUp:
        return None
    if negated:
        value = tree._emit(ew.neg_p, [value])
    if not tree.eqns or tree.eqns[-1].out is not value or len(tree.eqns) >= tree.nodes:
        return None
    tree.eqns[-1].out = root.out
    return tree.eqns


def horner(ir: IR) -> IR:
    """Rewrite sum-of-products trees that Horner form computes in fewer equations; the caller
    removes the dead equations of the old trees.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> ir = fgrad.make_ir(lambda a, b: a * b + a * a)(np.ones(3), np.ones(3))
        >>> [e.prim.name for e in horner(ir).eqns if e.prim.name in ("add", "mul")][-2:]
        ['add', 'mul']
    """
    producer, uses, consumer, order = _facts(ir)
    shapes = _Shapes(producer, uses, order)
    eqns: list = []
    for eqn in ir.eqns:
        new = shapes.rewrite(eqn) if _is_root(eqn, uses, consumer, producer) else None
        eqns.extend(new or [eqn])
    return IR(ir.in_vars, ir.const_vars, ir.consts, eqns, ir.outs)
