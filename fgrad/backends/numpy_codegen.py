"""IR -> readable Python/NumPy source -> exec -> callable.

One line per equation with stable names; backward blocks carry a comment naming the forward
equation they reverse. Constants and helpers reach the code through its namespace (never pasted as
text); only names, integers and float literals appear in the source. The source is registered with
`linecache`, so tracebacks, pdb and `inspect` show it.

Speed comes from the IR: broadcasts that NumPy would do anyway are not materialised, large dead
buffers are reused with `out=`, and large arrays are `del`-eted right after their last use.
"""

from __future__ import annotations

import itertools
import keyword
import linecache
import math
import threading
import weakref

import numpy as np

from ..core import IR, Eqn, Lit, Var
from . import blocks, fusion
from .parts import PART_LINES, Part, compile_pieces, part_functions
from .tiered import TIER_EQUATIONS, TieredProgram

BIG = 1 << 12            # arrays with at least this many elements get buffer reuse and early del
WORKSPACE_LIMIT = 1 << 29  # bytes of scratch buffers one program may keep between calls
_counter = itertools.count()
_RESERVED = {"np", "inf", "nan", "math", "program", "args", "env"} | fusion.RESERVED
_NEW_PART = object()       # the comment state at the start of a part: no block is open


def _names():
    letters = "abcdefghijklmnopqrstuvwxyz"
    for size in itertools.count(1):
        for combo in itertools.product(letters, repeat=size):
            name = "".join(combo)
            if not keyword.iskeyword(name) and name not in _RESERVED:
                yield name


class Workspace:
    """Scratch buffers a program keeps between calls (one set per thread), so large temporaries
    are not allocated afresh on every call. They never hold an output."""

    def __init__(self, specs: list):
        self.specs, self.local = specs, threading.local()

    def __call__(self) -> tuple:
        buffers = getattr(self.local, "buffers", None)
        if buffers is None:
            buffers = self.local.buffers = tuple(np.empty(shape, dtype) for shape, dtype in self.specs)
        return buffers


BASE_NAMESPACE = {"np": np, "inf": math.inf, "nan": math.nan}   # what every template may name


def namespace_for(prims) -> dict:
    """The names a program made of `prims` runs with: NumPy, inf and nan, and the helpers each
    primitive's block declares for its templates.

    Example:
        >>> from fgrad.primitives.elementwise import logistic_p
        >>> sorted(namespace_for([logistic_p]))
        ['_logistic', 'inf', 'nan', 'np']
    """
    namespace = dict(BASE_NAMESPACE)
    for prim in prims:
        namespace.update(prim.helpers)
    return namespace


def exact(value):
    """`value` rebuilt from exact Python types, read without calling any method a subclass may
    override: an int, float, str or NumPy scalar subclass from the user never runs code here, and
    its own `__repr__`/`__str__` never becomes source text. Other values (sub-programs) pass as is.

    Example:
        >>> exact((np.int64(2), np.float32(0.5), True))
        (2, 0.5, True)
    """
    if value is None or type(value) is bool:
        return value
    if isinstance(value, np.generic):
        v = np.asarray(value)[()].item()         # asarray reads the raw scalar, .item() of the base type
        return _wide_as_python(v) if isinstance(v, np.generic) else v
    if isinstance(value, int):
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, tuple):
        return tuple(exact(v) for v in tuple.__iter__(value))
    return value


def _float_text(v: float, dtype: np.dtype) -> str:
    """The shortest decimal that reads back as the same `dtype` value (repr for float64)."""
    if dtype.itemsize < 8:
        for digits in range(1, 10):
            text = float.__repr__(float(format(v, f".{digits}g")))
            if dtype.type(float(text)) == dtype.type(v):
                return text
    return float.__repr__(v)


def _wide_as_python(v: np.generic):
    """A longdouble (or clongdouble) scalar, which `.item()` leaves as it is, as the Python float
    (complex) of the same value; a value float64 cannot hold stays as it is, and `literal` refuses it."""
    py = complex(v) if np.iscomplexobj(v) else float(v)
    return py if py == v else v


def literal(value) -> str:
    """Source text for a scalar literal: a number (weakly typed, so the operand's dtype wins).

    Only exact int/float/bool values are written, never the text of the object itself.

    Example:
        >>> literal(np.float32(0.1)), literal(-2), literal(np.bool_(True))
        ('0.1', '(-2)', 'True')
    """
    dtype = np.asarray(value).dtype if isinstance(value, np.generic) else None
    v = exact(value)
    if type(v) is bool:
        return "True" if v else "False"
    if type(v) is int:
        text = int.__repr__(v)
    elif type(v) is float:
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "(-inf)"
        text = _float_text(v, dtype if dtype is not None and dtype.kind == "f" else np.dtype(np.float64))
    elif type(v) is complex:
        return f"complex({literal(v.real)}, {literal(v.imag)})"
    else:
        raise TypeError(f"a literal of type {type(value).__name__} cannot appear in generated source")
    return f"({text})" if text.startswith("-") else text


_DTYPE_NAMES = frozenset(np.dtype(t).name for t in np.sctypeDict.values() if np.dtype(t).kind in "biufc")


def _param_text(value) -> str:
    """Source text of an exact parameter (see `exact`): numbers, None, tuples, dtype names."""
    if value is None or type(value) in (bool, int, float):
        return "None" if value is None else literal(value)
    if type(value) is tuple:
        inner = ", ".join(_param_text(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if type(value) is str and value in _DTYPE_NAMES:
        return value                          # dtype names such as float32
    raise TypeError(f"a parameter of type {type(value).__name__} cannot appear in generated source")


def exact_params(params: dict) -> dict:
    """The parameters of an equation as exact values, ready for an emit template."""
    return {k: exact(v) for k, v in params.items()}


def prim_label(prim) -> str:
    """A primitive's name for a comment, when it is a plain identifier (else a neutral word)."""
    name = prim.name
    return name if type(name) is str and name.isidentifier() and name.isascii() else "primitive"


def needs_typed_literal(eqn: Eqn, lit: Lit) -> bool:
    """Whether `lit` must carry its dtype in the source: a bare number is weakly typed, so it is
    right only in an elementwise operation with an array operand of its dtype, or beside some
    array operand as float64, int64 or bool (what a bare Python number stands for)."""
    operands = [a.aval.dtype for a in eqn.inputs if isinstance(a, Var)]
    if not eqn.prim.weak_literals or not operands:
        return True
    return lit.aval.dtype not in operands and lit.aval.dtype not in _PYTHON_DTYPES


_PYTHON_DTYPES = frozenset(np.dtype(t) for t in (np.float64, np.int64, np.bool_))


class Block:
    """An emit rule writing statements rather than one expression: a loop or an `if` around the
    generated code of sub-programs. `write(emitter, eqn)` returns the lines, indented for the body
    of the program, ending with the assignment of the equation's output."""

    def __init__(self, write):
        self.write = write


class _Emitter:
    def __init__(self, ir: IR, scalar: bool = False, fuse: bool = True, aliases: dict | None = None):
        self.ir, self.scalar = ir, scalar
        self.names: dict = {}
        self.literal_texts: dict = {}  # (dtype, bytes) -> source text of a literal
        self.constants: dict = {}      # (dtype, bytes) -> (name, literal text) of a named 0-d constant
        self.gen = _names()
        self.namespace = namespace_for({e.prim for e in ir.eqns})
        self.lines: list = []
        self.aliases = self._broadcast_aliases() if aliases is None else aliases
        self.regions = blocks.plan(ir, self.aliases) if fuse and not scalar else []
        self.region_of = {i: r for r in self.regions for i in r.members}   # equation -> its block region
        self.region_code: list = []   # the region functions' sources
        blocked = frozenset(self.region_of)
        self.fusion = fusion.plan(ir, self.aliases, blocked) if fuse and not scalar else fusion.Plan({})
        self.kernels = None           # the program's fused expressions (`_ne`), once it has one
        self.reads = [self._reads(i, eqn) for i, eqn in enumerate(ir.eqns)]   # read 4 times each
        self.uses = self._uses()
        self.roots = self._roots()
        self.root_end = self._root_last_use()
        self.owned: set = set()       # buffers this program allocated (safe to overwrite)
        self.returned: set = set()    # buffers already handed out as an output
        self.out_roots = {self.roots.get(o, o) for o in ir.outs if isinstance(o, Var)}
        self.slots: list = []         # workspace buffers: (shape, dtype) each
        self.free_slots: dict = {}    # aval -> indices of workspace buffers no live value uses
        self.slot_of: dict = {}       # var -> index of the workspace buffer holding it
        self.origin = None
        self.defined = {e.out for e in ir.eqns}
        self.nested = False           # the body of a loop or branch: no workspace buffers of its own
        self.pinned: set = set()      # operands of loops and branches, whose results may alias them

    def name(self, var: Var) -> str:
        if var not in self.names:
            self.names[var] = next(self.gen)
        return self.names[var]

    def text(self, atom) -> str:
        if isinstance(atom, Lit):
            return self.literal(atom)
        return self.name(self.aliases.get(atom, atom))

    def literal(self, lit: Lit) -> str:
        """`literal(lit.val)`, written once per value: long programs repeat a few constants."""
        key = (lit.val.dtype, lit.val.tobytes())        # bytes: 0.0 and -0.0 are two texts
        text = self.literal_texts.get(key)
        if text is None:
            text = self.literal_texts[key] = literal(lit.val)
        return text

    def operand(self, eqn: Eqn, atom) -> str:
        if isinstance(atom, Lit) and not self.scalar:
            if needs_typed_literal(eqn, atom):
                return f"np.{atom.aval.dtype.name}({self.literal(atom)})"
            if 0 < eqn.out.aval.ndim and eqn.out.aval.size < BIG and atom.aval.dtype.kind in "fiu" and all(
                    a.aval.dtype == atom.aval.dtype for a in eqn.inputs if isinstance(a, Var)):
                return self.named_constant(atom)
        return self.text(atom)

    def named_constant(self, lit: Lit) -> str:
        """A number beside small arrays of its dtype, as a 0-d array named after its value and
        defined at the top of the source: NumPy would convert a bare number on every call, which
        costs as much as the operation itself on a few dozen elements. (Scalar programs keep their
        numbers: they run on Python floats, and their source is the one a first look shows.)"""
        key = (lit.val.dtype, lit.val.tobytes())
        if key not in self.constants:
            text = self.literal(lit).strip("()")
            name = "_" + text.replace("-", "m").replace(".", "_").replace("+", "")
            dtype = lit.aval.dtype
            if dtype not in _PYTHON_DTYPES:
                name = f"{name}_{dtype.name}"
            self.constants[key] = (name, text if dtype in _PYTHON_DTYPES else f"{text}, np.{dtype.name}")
        return self.constants[key][0]

    def _uses(self) -> dict:
        uses: dict = {}
        for i, reads in enumerate(self.reads):
            for a in reads:
                uses.setdefault(a, []).append(i)
        end = len(self.ir.eqns)
        for o in self.ir.outs:
            if isinstance(o, Var):
                uses.setdefault(o, []).append(end)
        return uses

    def _broadcast_aliases(self) -> dict:
        """broadcast_in_dim results that NumPy's implicit broadcasting makes unnecessary."""
        outs = {o for o in self.ir.outs if isinstance(o, Var)}
        candidates = {eqn.out: eqn for eqn in self.ir.eqns if eqn.prim.numpy_broadcast
                      and eqn.out not in outs and isinstance(eqn.inputs[0], Var)}
        consumers = {}                  # of the candidates only (most programs have few): position, eqn
        for i, eqn in enumerate(self.ir.eqns if candidates else ()):
            for a in eqn.inputs:
                if a in candidates:
                    consumers.setdefault(a, []).append((i, eqn))
        aliases = {}
        for eqn in candidates.values():
            src, shape = eqn.inputs[0].aval.shape, eqn.out.aval.shape
            lines_up = eqn.params["dims"] == tuple(range(len(shape) - len(src), len(shape)))
            if lines_up and all(c.prim.elementwise for _, c in consumers.get(eqn.out, [])):
                aliases[eqn.out] = eqn.inputs[0]
        # each consumer must still get its full output shape; dropping an alias changes what only
        # that value's consumers see, so only they are looked at again. The first look goes over
        # the readers of an alias in program order (which aliases go can depend on the order)
        first = {i: c for a in aliases for i, c in consumers.get(a, ()) if c.prim.elementwise}
        pending = [first[i] for i in sorted(first)]
        while pending:
            eqn = pending.pop()
            shape = eqn.out.aval.shape
            shapes = [aliases.get(a, a).aval.shape for a in eqn.inputs if isinstance(a, Var)]
            if not shapes or all(s == shape for s in shapes) or np.broadcast_shapes(*shapes) == shape:
                continue
            for a in eqn.inputs:
                if aliases.pop(a, None) is not None:
                    pending.extend(c for _, c in consumers.get(a, ()) if c.prim.elementwise)
        return aliases

    def _roots(self) -> dict:
        """For results that may be NumPy views, the var owning the underlying buffer."""
        roots: dict = {}
        for eqn in self.ir.eqns:
            src = eqn.inputs[0] if eqn.inputs else None
            if eqn.prim.view and isinstance(src, Var):
                roots[eqn.out] = roots.get(src, src)
        return roots

    def _root_last_use(self) -> dict:
        end: dict = {}
        for var, idx in self.uses.items():
            root = self.roots.get(var, var)
            end[root] = max(end.get(root, -1), idx[-1])
        return end

    def reusable(self, i: int, eqn: Eqn):
        """An operand whose buffer dies here and can take the result (`out=`), else None."""
        if eqn.out.aval.size < BIG:
            return None
        for a in eqn.inputs:
            if (isinstance(a, Var) and a not in self.aliases and a in self.owned and a not in self.roots
                    and a not in self.pinned
                    and a.aval == eqn.out.aval and self.root_end.get(a) == i
                    and not (a in self.slot_of and eqn.out in self.out_roots)):
                return a
        return None

    def take_slot(self, eqn: Eqn):
        """A workspace buffer for a large temporary (never for an output), else None."""
        aval = eqn.out.aval
        if aval.size < BIG or eqn.out in self.out_roots or self.nested:
            return None
        free = self.free_slots.get(aval)
        if free:
            slot = free.pop()
        else:
            used = sum(math.prod(shape) * np.dtype(dtype).itemsize for shape, dtype in self.slots)
            if used + aval.size * aval.dtype.itemsize > WORKSPACE_LIMIT:
                return None
            slot = len(self.slots)
            self.slots.append((aval.shape, aval.dtype.name))
        self.slot_of[eqn.out] = slot
        return slot

    def release_slots(self, i: int, eqn: Eqn) -> None:
        for a in self.operands(i, eqn):
            root = self.roots.get(a, a)
            if root in self.slot_of and self.root_end.get(root) == i:
                self.free_slots.setdefault(root.aval, []).append(self.slot_of.pop(root))

    def expression(self, i: int, eqn: Eqn) -> str:
        args = [self.operand(eqn, a) for a in eqn.inputs]
        params = exact_params(eqn.params)
        if self.scalar:
            return eqn.prim.emit["scalar"].format(*args, **{k: _param_text(v) for k, v in params.items()})
        if eqn.prim.numpy_broadcast and isinstance(eqn.inputs[0], Lit):
            aval = eqn.out.aval
            return f"np.full({_param_text(aval.shape)}, {args[0]}, np.{aval.dtype.name})"
        rule = eqn.prim.rule("numpy")
        if callable(rule):
            return rule(args, [a.aval for a in eqn.inputs], **params)
        texts = {k: _param_text(v) for k, v in params.items()}
        into = eqn.prim.emit["numpy_out"]
        if into is not None:
            buffer = self.reusable(i, eqn)
            if buffer is not None:
                if buffer in self.slot_of:
                    self.slot_of[eqn.out] = self.slot_of.pop(buffer)
                return into.format(*args, out=self.name(buffer), **texts)
            slot = self.take_slot(eqn)
            if slot is not None:
                return into.format(*args, out=f"_w{slot}", **texts)
        return rule.format(*args, **texts)

    def comment(self, eqn: Eqn) -> None:
        if eqn.origin is self.origin:
            return
        self.origin = eqn.origin
        if eqn.origin is None or eqn.origin.out not in self.defined:
            self.lines.append("    # forward" if eqn.origin is None else "    # backward")
            return
        o, hidden = eqn.origin, self.fusion.inner       # inside a fused expression: no name
        operands = ", ".join("..." if a in hidden else self.text(a) for a in o.inputs)
        target = "" if o.out in self.aliases or o.out in hidden else f"{self.name(o.out)} = "   # no line of its own
        self.lines.append(f"    # backward of: {target}{prim_label(o.prim)}({operands})")

    def statement(self, i: int, eqn: Eqn) -> None:
        if eqn.out in self.aliases or self.fusion.inlined(i):
            return
        region = self.region_of.get(i)
        if region is not None and i != region.members[-1]:
            return
        if region is None:
            self.comment(eqn)
        else:                  # the region function carries the comments; the next line opens its own
            self.lines.append("    # elementwise, in blocks on threads:")
            self.origin = _NEW_PART
        rule = eqn.prim.emit["numpy"]
        if region is not None:
            self.lines.append(f"    {self.region_call(region)}")
            self.owned.update(region.outputs)
            self.release_slots(i, eqn)
        elif isinstance(rule, Block):
            # the results may be the operands' own buffers: those are never overwritten nor freed
            self.lines.extend(rule.write(self, eqn))
            self.pinned.update(self.roots.get(b, b) for a in eqn.inputs if isinstance(a, Var)
                               for b in [self.aliases.get(a, a)])
        else:
            expr = self.fused(i, eqn) if i in self.fusion.roots else self.expression(i, eqn)
            self.lines.append(f"    {expr}" if eqn.prim.effect else f"    {self.name(eqn.out)} = {expr}")
            if self.scalar:
                return
            if not eqn.prim.view and eqn.out.aval.ndim:
                self.owned.add(eqn.out)
            self.release_slots(i, eqn)
        dead = [a for a in dict.fromkeys(self.operands(i, eqn))
                if self.uses[a][-1] == i and a.aval.size >= BIG and a not in self.ir.in_vars
                and a not in self.ir.const_vars]
        if dead:
            self.lines.append("    del " + ", ".join(self.name(a) for a in dead))

    def fused(self, i: int, eqn: Eqn) -> str:
        """One numexpr call computing equation `i`'s fused expression (see `fusion`)."""
        if self.kernels is None:
            self.kernels = self.namespace["_ne"] = fusion.Kernels()
        text, reads = fusion.write(self.ir, self.fusion, i, self.text, self.constant)
        self.kernels.add(text, reads)
        slot = self.take_slot(eqn)
        out = "" if slot is None else f", out=_w{slot}"
        return f'_ne("{text}", {", ".join(n for n, _ in reads)}{out})'

    def region_call(self, region: blocks.Region) -> str:
        """The line computing a block region, and its function's source (see `blocks`)."""
        name = f"_b{len(self.region_code)}"
        child = _Emitter(region.sub_ir(self.ir), fuse=False, aliases=self.aliases)
        child.gen, child.names, child.nested = self.gen, self.names, True    # the program's names
        child.constants = self.constants
        for k, eqn in enumerate(child.ir.eqns):
            child.statement(k, eqn)
        self.namespace.update(child.namespace)
        self.namespace["_blocks"] = blocks.run_in_blocks
        params = ", ".join(self.text(v) for v in region.inputs)
        outs = ", ".join(self.text(v) for v in region.outputs)
        self.region_code.append("\n".join([f"def {name}({params}):", *child.lines, f"    return ({outs},)"]) + "\n")
        return f"{outs}, = _blocks({name}, {params})"

    def constant(self, value) -> str:
        """A name in the program's namespace for `value` (numbers numexpr would misread as text)."""
        name = f"_k{sum(n.startswith('_k') for n in self.namespace)}"
        self.namespace[name] = value
        return name

    def fresh(self) -> str:
        """A new name, for the loop variables and results a `Block` writes."""
        return next(self.gen)

    def sub_program(self, ir: IR, inputs: list, depth: int) -> tuple[list, list]:
        """The lines computing `ir` (a sub-program without constants) inside a loop or branch of
        this program, `depth` levels deep, with its inputs read from the expressions `inputs`; and
        the expressions of its outputs."""
        child = _Emitter(ir, fuse=False)       # one `_ne` per program: loop bodies stay NumPy
        child.gen, child.nested, child.constants = self.gen, True, self.constants
        child.names.update(zip(ir.in_vars, inputs))
        for i, eqn in enumerate(ir.eqns):
            child.statement(i, eqn)
        self.namespace.update(child.namespace)
        outs = [f"np.{o.aval.dtype.name}({literal(o.val)})" if isinstance(o, Lit) else child.text(o) for o in ir.outs]
        return ["    " * (depth - 1) + line for line in child.lines], outs

    def output(self, o) -> str:
        if isinstance(o, Lit):
            return f"np.asarray({literal(o.val)}, np.{o.aval.dtype.name})"
        root = self.roots.get(o, o)
        fresh = root in self.owned and root not in self.ir.in_vars and root not in self.returned and not (
            o in self.roots and self._producer_is_broadcast(o))
        self.returned.add(root)           # a second output on the same buffer gets its own copy
        if not o.aval.ndim:
            return f"np.asarray({self.name(o)})"
        return self.name(o) if fresh else f"np.array({self.name(o)})"

    def _producer_is_broadcast(self, var) -> bool:
        return any(e.out is var and e.prim.numpy_broadcast for e in self.ir.eqns)

    def source(self) -> str:
        """The program's source: one function, or a driver and its parts (see `parts`)."""
        return "\n".join(self.chunks())

    def chunks(self) -> list:
        """The program's functions, one source string each, to be compiled one at a time."""
        for k, (var, value) in enumerate(zip(self.ir.const_vars, self.ir.consts)):
            self.names[var] = f"_c{k}"
            self.namespace[f"_c{k}"] = value
        params = ", ".join(self.name(v) for v in self.ir.in_vars)
        if self.scalar:                # Python floats: the math module is ~3x faster than 0-d NumPy
            self.lines.append(f"    {params}, = {', '.join(f'float({p})' for p in params.split(', '))},")
        parts = self.emit_statements()
        outs = ", ".join(self.output(o) for o in self.ir.outs)
        body = self.lines + [f"    return ({outs}{',' if len(self.ir.outs) == 1 else ''})"]
        prologue = []
        if self.slots:
            self.namespace["_ws"] = Workspace(self.slots)
            prologue = ["    " + ", ".join(f"_w{k}" for k in range(len(self.slots))) + ", = _ws()"]
        name = "program_scalar" if self.scalar else "program"
        head = self.region_code
        if self.constants:
            head = ["\n".join(f"{n} = np.asarray({text})" for n, text in self.constants.values()) + "\n\n"] + head
        if parts:
            return head + part_functions(name, params, body, parts, prologue)
        return head + ["\n".join([f"def {name}({params}):"] + prologue + body) + "\n"]

    def emit_statements(self) -> list:
        """Write every equation's lines, cutting a long program into parts of about `PART_LINES`
        lines (see `parts`); returns the parts, or [] for a program short enough to stay whole."""
        parts = [Part(0)]
        home = dict.fromkeys(self.ir.in_vars, 0)       # var -> the part that defines it
        defined = [[v for v in self.ir.in_vars if v in self.uses]]
        for i, eqn in enumerate(self.ir.eqns):
            if len(self.lines) - parts[-1].start >= PART_LINES and eqn.out not in self.aliases:
                self._close(parts[-1], defined[-1], i)
                parts.append(Part(len(self.lines)))
                defined.append([])
                self.origin = _NEW_PART            # each part opens with its own comment
            self._note_reads(parts, home, self.operands(i, eqn))
            self.statement(i, eqn)
            for var in self.defines(i, eqn):
                home[var] = len(parts) - 1
                defined[-1].append(var)
        self._note_reads(parts, home, [o for o in self.ir.outs if isinstance(o, Var)])
        self._close(parts[-1], defined[-1], len(self.ir.eqns) + 1)
        return parts if len(parts) > 1 else []

    def defines(self, i: int, eqn: Eqn) -> list:
        """The vars equation `i`'s line makes that something reads: a block region's results come
        from its last member's line."""
        region = self.region_of.get(i)
        if region is not None:
            return region.outputs if i == region.members[-1] else []
        return [eqn.out] if eqn.out not in self.aliases and eqn.out in self.uses else []

    def operands(self, i: int, eqn: Eqn) -> list:
        """The vars equation `i` reads, broadcasts NumPy does itself resolved to their sources; a
        fused expression reads its inputs where its last equation is."""
        return self.reads[i]

    def _reads(self, i: int, eqn: Eqn) -> list:
        region = self.region_of.get(i)
        if region is not None:
            return region.inputs if i == region.members[-1] else []
        if i in self.fusion.members:
            return self.fusion.inputs[i] if i in self.fusion.roots else []
        return [self.aliases.get(a, a) for a in eqn.inputs if isinstance(a, Var)]

    def _note_reads(self, parts: list, home: dict, operands: list) -> None:
        for v in operands:
            if home.get(v, 0) < len(parts) - 1 and v not in self.ir.const_vars:
                parts[-1].reads.setdefault(self.name(v), v)

    def _close(self, part: Part, defined: list, next_eqn: int) -> None:
        """Settle which values `part` takes out of `env` and which it leaves there."""
        part.reads = {n: self.uses[v][-1] < next_eqn for n, v in part.reads.items()}
        part.exports = [self.name(v) for v in defined if self.uses[v][-1] >= next_eqn]


def scalar_path_ok(ir: IR) -> bool:
    """True when every value is a float64 scalar (or a bool) and every primitive has a math form."""
    f64, ok = np.dtype(np.float64), (np.dtype(np.float64), np.dtype(np.bool_))
    return (bool(ir.in_vars) and not ir.const_vars and all(v.aval == v.aval.__class__((), f64) for v in ir.in_vars)
            and all(not e.out.aval.shape and e.out.aval.dtype in ok and e.prim.emit.get("scalar")
                    and all(not a.aval.shape for a in e.inputs) for e in ir.eqns))


_SCALAR_WRAPPER = """
def program_fast({params}):
    try:
        return program_scalar({params})
    except (ArithmeticError, ValueError):   # math raises where NumPy returns inf/nan: use NumPy
        return program({as_float64})   # every input is a float64 scalar, maybe a Python float
"""


def register_source(owner, filename: str, source: str) -> None:
    """Show `source` as `filename` in tracebacks, pdb and `inspect` while `owner` lives; the entry
    is removed when `owner` is collected, so discarded programs leave nothing behind."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    weakref.finalize(owner, linecache.cache.pop, filename, None)


def _separated(chunks: list) -> list:
    """Function sources as pieces of one text, a blank line between functions."""
    return chunks[:1] + ["\n" + c for c in chunks[1:]]


class Program:
    """A compiled IR: call it with the flat input arrays; `.source` is the generated code."""

    def __init__(self, ir: IR):
        emitter = _Emitter(ir)
        pieces = _separated(emitter.chunks())
        namespace = emitter.namespace
        if scalar_path_ok(ir):
            namespace["math"] = math
            params = [emitter.name(v) for v in ir.in_vars]     # generated names; no *args to pack
            wrapper = _SCALAR_WRAPPER.format(params=", ".join(params),
                                             as_float64=", ".join(f"np.float64({p})" for p in params))
            pieces += ["\n\n"] + _separated(_Emitter(ir, scalar=True).chunks()) + [wrapper]
        self.ir, self.source = ir, "".join(pieces)
        self.filename = f"<fgrad-program-{next(_counter)}>"
        register_source(self, self.filename, self.source)
        compile_pieces(pieces, self.filename, namespace)   # one function at a time: bounded memory
        self.fn = namespace.get("program_fast", namespace["program"])
        self.takes_python_floats = self.fn is not namespace["program"]   # for float64 scalar inputs

    def __call__(self, *args):
        return self.fn(*args)


def compile_ir(ir: IR):
    """Generate, compile and return the NumPy program for `ir` (a program of at least
    `tiered.TIER_EQUATIONS` equations is interpreted on its first call and compiled on its
    second: see `tiered`).

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> ir = fgrad.make_ir(lambda x: fnp.sin(x) * 2.0)(np.ones(3))
        >>> compile_ir(ir)(np.zeros(3))[0]
        array([0., 0., 0.])
    """
    if len(ir.eqns) >= TIER_EQUATIONS:
        return TieredProgram(ir)
    return Program(ir)
