"""Fused elementwise arithmetic for the NumPy backend, evaluated in one pass by numexpr.

With the `fgrad[fast]` extra (numexpr) installed, a chain of elementwise arithmetic on large arrays
becomes one line of the generated program, the math still readable in it:

    m = _ne("e * (1.0 - b * (a * 2.0 + b)) + a * 2.0 / (c + 1.0)", a, b, c, e)

numexpr evaluates the expression block by block, so the chain makes one pass over memory instead
of one per operation, on the threads numexpr's own environment variables give it
(NUMEXPR_MAX_THREADS, NUMEXPR_NUM_THREADS, OMP_NUM_THREADS); fgrad never sets them. Without
numexpr the program is the plain NumPy one.

A primitive fuses when its block gives it a numexpr form, `numexpr=Fused(template, precedence,
dtypes)`; this module only reads those facts, puts the parentheses and groups the equations.
What fuses is chosen by measurement (benchmarks/fusion.py) and by dtype:

- only arithmetic, comparisons, logic (and, or, xor, not of booleans), where, abs and (float64)
  sqrt, max and min: NumPy's SIMD sin, exp, tanh, log... are 2-20x faster than numexpr's without
  Intel's VML, so they stay NumPy calls and their results are the fused expression's inputs;
- only float64 values (and bool conditions on them): numexpr computes those exactly as NumPy
  does (powers within an ulp: it multiplies small integer powers out). Never integers (numexpr
  divides and overflows differently), complex or float16; and not float32, which numexpr
  computes right but 1.3-4x slower than NumPy's passes at every size measured;
- only chains of at least two operations whose result has at least `FUSE_MIN` elements: below
  that, the arrays sit in cache, NumPy's SIMD loops win and numexpr's call overhead adds to it.

inf and nan, which numexpr cannot read as text, reach the expression as named constants.

A value joins the expression that reads it when every reader is in that same expression (numexpr
computes a repeated subexpression once); otherwise it is computed on its own line.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from ..core import Lit, Var

FUSE_MIN = 1 << 18     # elements: the measured size from which one numexpr pass beats NumPy's passes
MAX_NODES = 48         # operations in one expression (the text stays readable, numexpr's registers few)
MIN_VERSION = (2, 14)  # the numexpr whose compiled-expression call `Kernels` makes (older: plain NumPy)
MAX_INPUTS = 24        # arrays one expression reads (numexpr iterates them together)

F64, BOOL = np.dtype(np.float64), np.dtype(np.bool_)
FLOATS = frozenset((F64,))     # the dtypes whose arithmetic fuses (see above for float32)

# Python's precedence (numexpr parses as Python does), loosest first: how tightly a form binds
CMP, OR, XOR, AND, ADD, MUL, UNARY, POW, ATOM = range(9)


def floats(dtypes: list, out: np.dtype, **params) -> bool:
    """The dtype rule of arithmetic and comparisons: float64 operands, a float64 or bool result."""
    return set(dtypes) <= FLOATS and out in FLOATS | {BOOL}


def logic(dtypes: list, out: np.dtype, **params) -> bool:
    """The dtype rule of and, or, xor and not: bool operands and result."""
    return set(dtypes) == {BOOL} and out == BOOL


def choice(dtypes: list, out: np.dtype, **params) -> bool:
    """The dtype rule of where: a bool condition choosing between float64 values."""
    return dtypes[0] == BOOL and out in FLOATS and set(dtypes[1:]) == {out}


class Fused(NamedTuple):
    """A primitive's numexpr form, its `numexpr=` fact: `template` is numexpr text with `{0}`,
    `{1}`... for the operands and `{name}` for an (integer) parameter, `precedence` how tightly the
    text binds (ATOM for a call), `dtypes(operand_dtypes, out_dtype, **params)` whether numexpr
    computes the equation exactly as NumPy does.

    Operands are parenthesized by `write`: a call's arguments never; otherwise an operand that binds
    less tightly than the form, or as tightly unless it opens a left-associative form.

    Example:
        >>> Fused("{0} + {1}", ADD, floats).template.format("a", "b")
        'a + b'
    """

    template: str
    precedence: int
    dtypes: Callable[..., bool] = floats


# numexpr's own names: a program variable must not be called like one of them
RESERVED = frozenset({
    "abs", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "where", "real", "imag",
    "complex", "conj", "copy", "sum", "prod", "min", "max", "ceil", "floor", "round", "trunc", "sign",
    "fmod", "hypot", "isnan", "isinf", "contains", "maximum", "minimum", "arcsin", "arccos", "arctan",
    "log1p", "log10", "log2", "expm1", "arctan2", "arcsinh", "arccosh", "arctanh", "copysign", "isfinite",
    "signbit", "nextafter", "ones_like", "int", "long", "float", "double", "bool", "bytes", "str"})


def numexpr():
    """The numexpr module, or None where it is not installed (fusion is then off).

    Example:
        >>> numexpr() is None or hasattr(numexpr(), "NumExpr")
        True
    """
    try:
        module = importlib.import_module("numexpr")
    except ImportError:
        return None
    version = tuple(int(part) for part in module.__version__.split(".")[:2] if part.isdigit())
    return module if version >= MIN_VERSION else None


def fusible(eqn) -> bool:
    """Whether numexpr computes `eqn` exactly as NumPy would: its primitive has a numexpr form
    (`Primitive.numexpr`), in the dtypes that form's rule accepts."""
    form = eqn.prim.numexpr
    return form is not None and form.dtypes([a.aval.dtype for a in eqn.inputs], eqn.out.aval.dtype, **eqn.params)


class Plan:
    """Which equations of an IR fuse: `members[i]` is the index of the equation whose expression
    computes equation i's result (i itself for the last one, the root); `roots` lists the roots,
    `inputs[root]` the arrays its expression reads, `inner` the values computed inside an
    expression (they have no line, no name of their own)."""

    def __init__(self, members: dict, inputs: dict | None = None, inner: frozenset = frozenset()):
        self.members, self.inputs, self.inner = members, inputs or {}, inner
        self.roots = {r for r in members.values()}
        self.group: dict = {}
        for i, r in members.items():
            self.group.setdefault(r, []).append(i)

    def inlined(self, i: int) -> bool:
        return i in self.members and self.members[i] != i


def plan(ir, aliases: dict, skip: frozenset = frozenset()) -> Plan:
    """The fused groups of `ir` (see the module's description), given the broadcasts the emitter
    leaves to NumPy and the equations computed otherwise (`skip`: block regions)."""
    candidates = {i for i, e in enumerate(ir.eqns)
                  if i not in skip and e.out not in aliases and e.out.aval.size >= FUSE_MIN and fusible(e)}
    if not candidates or numexpr() is None:        # small arrays never look for numexpr
        return Plan({})
    readers: dict = {}
    for i, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            if isinstance(a, Var):
                readers.setdefault(aliases.get(a, a), set()).add(i)
    outs = {o for o in ir.outs if isinstance(o, Var)}
    forced: set = set()
    while True:
        members = _assign(ir, candidates, readers, outs, forced)
        oversized = _split_points(ir, members)
        if not oversized:
            break
        forced |= oversized
    sizes: dict = {}
    for r in members.values():
        sizes[r] = sizes.get(r, 0) + 1
    fused = {i: r for i, r in members.items() if sizes[r] >= 2}
    inner = frozenset(ir.eqns[i].out for i, r in fused.items() if i != r)
    return Plan(fused, _inputs(ir, fused, inner, aliases), inner)


def _assign(ir, candidates: set, readers: dict, outs: set, forced: set) -> dict:
    """Each candidate's root, from the last equation back: a value joins its readers' expression
    when all of them are in one expression of the same shape."""
    members: dict = {}
    for i in sorted(candidates, reverse=True):
        out = ir.eqns[i].out
        roots = {members.get(j) for j in readers.get(out, ())}
        root = roots.pop() if len(roots) == 1 else None
        joins = (root is not None and i not in forced and out not in outs
                 and ir.eqns[root].out.aval.shape == out.aval.shape)
        members[i] = root if joins else i
    return members


def _split_points(ir, members: dict) -> set:
    """The members to compute on lines of their own so that no expression has more than
    `MAX_NODES` operations or `MAX_INPUTS` inputs: from the first member up, a member whose
    expression would grow too long leaves its largest operands to lines of their own."""
    by_out = {ir.eqns[i].out: i for i, r in members.items() if i != r}
    size, leaves, split = {}, {}, set()
    for i in sorted(members):
        root, inner, reads = members[i], [], set()
        for a in ir.eqns[i].inputs:
            j = by_out.get(a) if isinstance(a, Var) else None
            if j is not None and members[j] == root:
                inner.append(j)
            elif isinstance(a, Var):
                reads.add(a)
        while inner and (1 + sum(size[j] for j in inner) > MAX_NODES
                         or len(reads.union(*(leaves[j] for j in inner))) > MAX_INPUTS):
            cut = max(inner, key=size.get)
            split.add(cut)
            inner = [j for j in inner if j != cut]
            reads.add(ir.eqns[cut].out)
        size[i] = 1 + sum(size[j] for j in inner)
        leaves[i] = reads.union(*(leaves[j] for j in inner))
    return split


def _inputs(ir, members: dict, inner: frozenset, aliases: dict) -> dict:
    """Each root's input arrays: what its members read that no other member computes."""
    inputs: dict = {}
    for i, r in members.items():
        for a in ir.eqns[i].inputs:
            if isinstance(a, Var) and a not in inner:
                inputs.setdefault(r, {})[aliases.get(a, a)] = None
    return {r: list(vs) for r, vs in inputs.items()}


class Kernels:
    """The `_ne` of a program: its fused expressions compiled once, called by their text.

    Example:
        >>> ne = Kernels()
        >>> ne.add("a * b + 1", [("a", np.dtype("float64")), ("b", np.dtype("float64"))])
        >>> ne("a * b + 1", np.arange(3.0), np.full(3, 2.0))
        array([1., 3., 5.])
    """

    def __init__(self):
        self.compiled: dict = {}

    def add(self, text: str, signature: list) -> None:
        if text in self.compiled:          # the same text reads the same names: compiled already
            return
        ne = numexpr()
        types = [(name, ne.necompiler.getType(np.empty(0, dtype))) for name, dtype in signature]
        _, uses_vml = ne.necompiler.getExprNames(text, ne.necompiler.getContext({}))
        self.compiled[text] = (ne.NumExpr(text, signature=types), uses_vml)

    def __call__(self, text: str, *arrays, out=None):
        kernel, uses_vml = self.compiled[text]
        return kernel(*arrays, out=out, order="K", casting="safe", ex_uses_vml=uses_vml)


def write(ir, plan: Plan, root: int, name, constant) -> tuple:
    """The numexpr text of `root`'s expression and the (name, dtype) of what it reads, in order:
    `name(var)` is an input's name in the program, `constant(value)` the name of a named constant."""
    by_out = {ir.eqns[i].out: i for i in plan.group[root] if i != root}
    read: dict = {}

    def atom(a):
        if isinstance(a, Lit):
            return _literal(a, constant, read)
        if a in by_out:
            return node(by_out[a])
        read[name(a)] = a.aval.dtype
        return name(a), ATOM

    def node(i):
        eqn = ir.eqns[i]
        return _form(eqn, [atom(a) for a in eqn.inputs])

    text, _ = node(root)
    return text, list(read.items())


def _wrap(arg: tuple, prec: int, strict: bool) -> str:
    text, own = arg
    return f"({text})" if own < prec or (strict and own == prec) else text


def _form(eqn, args: list) -> tuple:
    """The text of one equation from its operands' (text, precedence), and the text's precedence."""
    from .numpy_codegen import exact, literal
    template, prec = eqn.prim.numexpr.template, eqn.prim.numexpr.precedence
    if prec == ATOM:                          # a call: its arguments sit between commas
        texts = [text for text, _ in args]
    else:                                     # a < b < c and a ** b ** c mean something else
        left_assoc = prec not in (CMP, POW)
        texts = [_wrap(arg, prec, not (k == 0 and left_assoc and template.startswith("{0}")))
                 for k, arg in enumerate(args)]
    params = {k: literal(v) for k, v in eqn.params.items() if type(exact(v)) is int}
    return template.format(*texts, **params), prec


def _literal(lit, constant, read: dict) -> tuple:
    """A literal as numexpr reads it; a named constant for inf and nan, which it cannot."""
    from .numpy_codegen import exact, literal
    v, dtype = exact(lit.val), lit.aval.dtype
    if type(v) is bool or dtype == BOOL:
        return ("True" if v else "False"), ATOM
    v = float(v)
    if math.isfinite(v):
        return literal(v), ATOM
    text = constant(np.asarray(v, dtype))
    read[text] = dtype
    return text, ATOM
