"""The IR (Aval, Var, Lit, Eqn, IR), primitives, and `bind`: the one interception point.

Every operation fgrad knows is a `Primitive`. `bind(prim, *args)` either computes it eagerly with
NumPy (no tracer among the arguments) or records an equation in the innermost active trace.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._tracer_methods import TracerMethods
from .config import config
from .errors import _JAX_DIR, _PACKAGE_DIR, MissingRuleError, TracerLeakError, user_location

_SHORT = {"float64": "f64", "float32": "f32", "float16": "f16", "int64": "i64", "int32": "i32",
          "int16": "i16", "int8": "i8", "uint8": "u8", "uint32": "u32", "uint64": "u64", "bool": "bool"}


class Aval:
    """The abstract value of an array: its shape and dtype.

    Example:
        >>> Aval((3,), "float64")
        f64[3]
    """

    __slots__ = ("shape", "dtype", "_hash")

    def __init__(self, shape: tuple, dtype):
        self.shape = tuple(map(int, shape))        # map: made once per equation, so kept cheap
        self.dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
        self._hash = hash((self.shape, self.dtype))

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))

    @property
    def is_float(self) -> bool:
        """Whether values of this type carry derivatives: real or complex floating point."""
        return self.dtype.kind in "fc"

    def __eq__(self, other):
        return isinstance(other, Aval) and self.shape == other.shape and self.dtype == other.dtype

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return f"{_SHORT.get(self.dtype.name, self.dtype.name)}[{','.join(map(str, self.shape))}]"


def aval_of(x) -> Aval:
    """The Aval of a concrete value (array, NumPy scalar or Python number)."""
    if isinstance(x, (np.ndarray, np.generic)) or is_jax_array(x):
        return Aval(x.shape, x.dtype)
    return Aval((), np.asarray(x).dtype)


def is_jax_array(x) -> bool:
    """True for a jax.Array (device data the xla backend takes as is); never imports jax."""
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(x, jax.Array)


class Var:
    """A value in the IR, defined once (SSA). Identity is object identity."""

    __slots__ = ("aval",)

    def __init__(self, aval: Aval):
        self.aval = aval


class Lit:
    """A scalar literal operand (a NumPy scalar, so its dtype is explicit)."""

    __slots__ = ("val", "aval")

    def __init__(self, val):
        self.val = val if isinstance(val, np.generic) else np.asarray(val)[()]
        self.aval = _scalar_aval(self.val.dtype)

    def __repr__(self):
        return repr(self.val.item())


_SCALAR_AVALS: dict = {}     # dtype -> its 0-d Aval: literals are made by the thousand in long programs


_SHARED_AVALS: dict = {}     # (shape, dtype) -> the Aval the equations bind records share


def _share(aval: Aval) -> Aval:
    if len(_SHARED_AVALS) >= 128:           # bounded: a program uses a few types, a process may see many
        _SHARED_AVALS.clear()
    _SHARED_AVALS[aval.shape, aval.dtype] = aval
    return aval


def _scalar_aval(dtype: np.dtype) -> Aval:
    """The (immutable, shared) Aval of a 0-d value of `dtype`."""
    aval = _SCALAR_AVALS.get(dtype)
    if aval is None:
        aval = Aval((), dtype)
        if len(_SCALAR_AVALS) < 64:           # bounded: structured dtypes could be many
            _SCALAR_AVALS[dtype] = aval
    return aval


Atom = Any  # Var | Lit


class Eqn:
    """One equation `out = prim[params](*inputs)`; `origin` is the forward equation it differentiates;
    `where` the user's Site that made it, recorded only while sites are on (see `recording_sites`)."""

    __slots__ = ("prim", "inputs", "params", "out", "origin", "where")

    def __init__(self, prim: Primitive, inputs: list, params: dict, out: Var, origin: Eqn | None = None,
                 where: Site | None = None):
        self.prim, self.inputs, self.params, self.out, self.origin = prim, inputs, params, out, origin
        self.where = where


class Site(NamedTuple):
    """Where the user's code made an equation: file, line, 0-based column and function name.

    Example:
        >>> str(Site("train.py", 12, 4, "loss"))
        'train.py:12'
    """

    file: str
    line: int
    column: int
    function: str

    def __str__(self):            # file:line, as error messages give a location
        return f"{self.file}:{self.line}"


class _SiteState(threading.local):
    on = 0              # > 0: bind records each equation's Site (print_saved_residuals asks for them)
    inherited = None    # the Site of the equation eval_ir is replaying: its copy keeps it


_sites = _SiteState()


def recording_sites() -> bool:
    """Whether bind records the user's Site of each equation: while debug_nans / debug_infs is on, or
    inside `with sites_on():`. Off, bind does no more than check this."""
    return bool(_sites.on) or config.debug_nans or config.debug_infs


class sites_on:
    """`with sites_on():` records each equation's Site in this thread (for print_saved_residuals)."""

    def __enter__(self):
        _sites.on += 1

    def __exit__(self, *exc):
        _sites.on -= 1
        return False


@functools.lru_cache(maxsize=1024)
def _is_internal(filename: str) -> bool:
    path = os.path.abspath(filename)
    return path.startswith(_PACKAGE_DIR) or filename.startswith("<fgrad") or _JAX_DIR in path


def user_site() -> Site | None:
    """The Site of the innermost stack frame outside fgrad (and jax), with the column of the call."""
    frame = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return None
    code = frame.f_code
    positions = code.co_positions() if hasattr(code, "co_positions") else iter(())   # Python 3.11+
    position = next(itertools.islice(positions, frame.f_lasti // 2, None), None)
    column = position[2] if position is not None and position[2] is not None else 0
    return Site(code.co_filename, frame.f_lineno, column, getattr(code, "co_qualname", code.co_name))


class IR:
    """A closed program: typed input vars, constants, a flat list of equations, output atoms.

    `str(ir)` prints it in the form shown in the documentation:

        { lambda a:f64[3]. let
            b:f64[3] = sin a
          in (b) }
    """

    def __init__(self, in_vars: list, const_vars: list, consts: list, eqns: list, outs: list):
        self.in_vars, self.const_vars, self.consts = in_vars, const_vars, consts
        self.eqns, self.outs = eqns, outs

    def __str__(self):
        from .ir_print import format_ir
        return format_ir(self)

    __repr__ = __str__


class Primitive:
    """An operation with all of its rules and facts: shape/dtype, eager impl, vjp, jvp, batching, one
    emitter per backend, the helpers the NumPy emitter calls, and what the passes may assume of it.

    `source` names the file defining the primitive, for error messages about missing rules. Facts:
    `elementwise` (each output element depends only on the operands' elements at its position, and
    0-d operands broadcast), `weak_literals` (its templates take a bare number beside an array),
    `identity(inputs, out_aval, **params)` (the operand the equation passes through unchanged, else
    None), `fold(scalars, avals, **params)` (the value of the output when operands are splats; a
    scalar is None where the operand is not one), `numpy_broadcast` (NumPy's implicit broadcasting
    does its work), `stops_gradient`, `polynomial` (a sum, difference, product, quotient, negation or
    integer power the Horner pass may expand), `odd` (negating one operand negates the result),
    `numexpr` (its form in a fused numexpr expression, a `fgrad.backends.fusion.Fused`, else None).
    """

    def __init__(self, name: str, *, abstract: Callable, impl: Callable, source: str, elementwise: bool = False,
                 numpy: Any = None, jax: Any = None, scalar: str | None = None, numpy_out: str | None = None,
                 helpers: dict | None = None, effect: bool = False, linear_view: bool = False,
                 weak_literals: bool | None = None, identity: Callable | None = None,
                 fold: Callable | None = None, numpy_broadcast: bool = False, stops_gradient: bool = False,
                 polynomial: bool = False, odd: bool = False, numexpr: Any = None):
        if not (isinstance(name, str) and name.isidentifier() and name.isascii()):
            # names appear in printed IR and generated comments: only plain identifiers
            raise ValueError(f"a primitive's name must be an ASCII identifier, got {name!r}")
        self.name, self.abstract, self.impl, self.source = name, abstract, impl, source
        # "scalar": optional Python-float form for programs made only of float64 scalars;
        # "numpy_out": optional form writing into a dead buffer `{out}`
        self.emit = {"numpy": numpy, "xla": jax, "scalar": scalar, "numpy_out": numpy_out}
        self.helpers = dict(helpers or {})   # names the NumPy template calls -> the functions
        self.effect = effect              # never removed by dead-code elimination (guards)
        self.view = linear_view           # the NumPy result may alias the first operand's buffer
        self.elementwise = elementwise
        self.weak_literals = elementwise if weak_literals is None else weak_literals
        self.identity = identity
        self.fold = fold if fold is not None or not elementwise else _fold_elementwise(impl)
        self.numpy_broadcast, self.stops_gradient = numpy_broadcast, stops_gradient
        self.polynomial, self.odd, self.numexpr = polynomial, odd, numexpr
        self.vjp: Callable | None = None
        self.jvp: Callable | None = None
        self.batch: Callable | None = None
        REGISTRY[name] = self

    def def_vjp(self, rule: Callable) -> Callable:
        """Register `rule(ct, *primals, out=..., **params) -> [ct_in or None, ...]`."""
        self.vjp = rule
        return rule

    def def_jvp(self, rule: Callable) -> Callable:
        """Register `rule(primals, tangents, *, out, **params) -> tangent of out`; a tangent is None
        where it is a symbolic zero."""
        self.jvp = rule
        return rule

    def def_batch(self, rule: Callable) -> Callable:
        """Register `rule(args, batched, *, size, **params) -> out`: `args` carry the batch on axis 0
        where `batched[i]` is True; `out` carries it on axis 0."""
        self.batch = rule
        return rule

    def rule(self, slot: str):
        found = {"vjp": self.vjp, "jvp": self.jvp, "batch": self.batch}.get(slot, None) \
            if slot in ("vjp", "jvp", "batch") else self.emit.get(slot)
        if found is None:
            raise MissingRuleError(self.name, slot, self.source)
        return found

    def __repr__(self):
        return self.name


REGISTRY: dict[str, Primitive] = {}


def _fold_elementwise(impl: Callable) -> Callable:
    """The splat-folding rule of an elementwise primitive: its impl on the fill values."""
    def fold(scalars, avals, **params):
        return None if any(s is None for s in scalars) else impl(*scalars, **params)
    return fold


# ----------------------------------------------------------------------------------------------
# Traces and tracers
# ----------------------------------------------------------------------------------------------

class _PerThreadStack(threading.local):
    """A stack private to each thread: one thread's trace never records another thread's ops."""

    def __init__(self, *initial):
        self.items = list(initial)

    def append(self, item) -> None:
        self.items.append(item)

    def pop(self):
        return self.items.pop()

    def __getitem__(self, index):
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


_trace_stack = _PerThreadStack()
_const_collectors = _PerThreadStack()    # lists gathering the arrays traces reference as constants


class collect_consts:
    """`with collect_consts() as arrays:` gathers the arrays traces in the block reference as
    constants (read afresh by the compiled program on each call, rather than folded into it)."""

    def __enter__(self) -> list:
        self.arrays: list = []
        _const_collectors.append(self.arrays)
        return self.arrays

    def __exit__(self, *exc):
        _const_collectors.pop()
        return False
_level_counter = itertools.count(1)


class Trace:
    """Records equations. `values` holds concrete input values when the trace may read them."""

    def __init__(self, transform: str, concrete: bool):
        self.transform = transform
        self.level = next(_level_counter)
        self.concrete = concrete
        self.active = True
        self.in_vars: list[Var] = []
        self.const_vars: list[Var] = []
        self.consts: list[Any] = []         # arrays, or outer-trace tracers (lifted)
        self.eqns: list[Eqn] = []
        self.values: dict[Var, Any] = {}    # memo of concrete values, filled on demand
        self._sources: dict[Var, Callable] = {}
        self._lifted: dict[int, Var] = {}   # id(outer tracer or const array) -> const var
        self._producer: dict[Var, Eqn] = {}
        self.differentiated: set[Var] = set()   # inputs whose derivative this trace takes

    def new_arg(self, aval: Aval, source: Callable | None = None) -> Tracer:
        var = Var(aval)
        self.in_vars.append(var)
        if source is not None:
            self._sources[var] = source
        return Tracer(self, var)

    def record(self, eqn: Eqn) -> None:
        self.eqns.append(eqn)
        self._producer[eqn.out] = eqn

    def const_var(self, value) -> Var:
        """A const input for an array (or a tracer of an enclosing trace) used inside this trace."""
        key = id(value)
        var = self._lifted.get(key)
        if var is None:
            var = Var(value.aval if isinstance(value, Tracer) else aval_of(value))
            self._lifted[key] = var
            self.const_vars.append(var)
            self.consts.append(value)
            if isinstance(value, Tracer):
                self._sources[var] = value.concrete_value
            else:
                self.values[var] = value
                for seen in _const_collectors.items:
                    seen.append(value)
        return var

    def to_atom(self, x) -> Atom:
        if isinstance(x, Tracer):
            if x._trace is self:
                return x._var
            x.check_alive()
            return self.const_var(x)
        if isinstance(x, np.ndarray) or (is_jax_array(x) and x.ndim > 0):   # referenced, even 0-d:
            return self.const_var(x)                                          # it may change in place
        return Lit(x)

    def value_of(self, var: Var):
        """The concrete value of `var`, computing the equations it needs (memoised)."""
        if var in self.values:
            return self.values[var]
        pending = [var]
        while pending:
            v = pending[-1]
            if v in self.values:
                pending.pop()
                continue
            if v in self._sources:
                self.values[v] = self._sources[v]()
                pending.pop()
                continue
            eqn = self._producer[v]
            missing = [a for a in eqn.inputs if isinstance(a, Var) and a not in self.values]
            if missing:
                pending.extend(missing)
                continue
            args = [self.values[a] if isinstance(a, Var) else a.val for a in eqn.inputs]
            self.values[v] = eqn.prim.impl(*args, **eqn.params)
            pending.pop()
        return self.values[var]

    def depends_on_differentiated(self, var: Var) -> bool:
        """Whether `var` is computed from a differentiated input (not through stop_gradient)."""
        seen, pending = set(), [var]
        while pending:
            v = pending.pop()
            if v in self.differentiated:
                return True
            eqn = self._producer.get(v)
            if v in seen or eqn is None or eqn.prim.stops_gradient:
                continue
            seen.add(v)
            pending.extend(a for a in eqn.inputs if isinstance(a, Var))
        return False

    def to_ir(self, outs: list) -> IR:
        return IR(self.in_vars, self.const_vars, self.consts, self.eqns, [self.to_atom(o) for o in outs])


class Tracer(TracerMethods):
    """A value being traced: a Var of one trace. Its operators and NumPy methods (TracerMethods)
    forward to fgrad.numpy."""

    __slots__ = ("_trace", "_var")

    def __init__(self, trace: Trace, var: Var):
        self._trace, self._var = trace, var

    @property
    def aval(self) -> Aval:
        return self._var.aval

    shape = property(lambda self: self._var.aval.shape)
    dtype = property(lambda self: self._var.aval.dtype)
    ndim = property(lambda self: self._var.aval.ndim)
    size = property(lambda self: self._var.aval.size)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d traced array")
        return self.shape[0]

    def check_alive(self) -> None:
        if not self._trace.active:
            raise TracerLeakError(self._trace.transform, user_location())

    def concrete_value(self):
        """The concrete value if the trace can compute it, else raise ConcretizationError."""
        from .errors import ConcretizationError
        self.check_alive()
        trace = self._trace
        if not trace.concrete:
            raise ConcretizationError("this Python operation", repr(self.aval), user_location())
        return trace.value_of(self._var)

    def __repr__(self):
        return f"Traced<{self.aval!r}> (from {self._trace.transform})"


def shape_of(x) -> tuple:
    """The shape of an array, tracer or Python number (without NumPy's dispatch machinery)."""
    if isinstance(x, (Tracer, np.ndarray, np.generic)):
        return x.shape
    return () if type(x) in _PYTHON_SCALARS else np.shape(x)   # np.shape(0.9) makes an array


_PYTHON_SCALARS = frozenset((float, int, bool, complex))


def ndim_of(x) -> int:
    return len(shape_of(x))


def find_trace(args) -> Trace | None:
    """The innermost trace among the tracer arguments (None: compute eagerly)."""
    best = None
    for a in args:
        if isinstance(a, Tracer):
            a.check_alive()
            if best is None or a._trace.level > best.level:
                best = a._trace
    return best


def bind(prim: Primitive, *args, **params):
    """Apply `prim`: eagerly on NumPy values, or recorded in the innermost trace among the args."""
    trace = find_trace(args)
    if trace is None:
        if config.debug_nans or config.debug_infs:
            from .nan_checks import checked_impl
            return checked_impl(prim, args, params)
        return prim.impl(*args, **params)
    atoms = [trace.to_atom(a) for a in args]
    aval = prim.abstract(*[a.aval for a in atoms], **params)
    if type(aval) is Aval:            # one shared object per type: long programs hold millions of Vars
        aval = _SHARED_AVALS.get((aval.shape, aval.dtype)) or _share(aval)
    out = Var(aval)
    eqn = Eqn(prim, atoms, params, out, _current_origin.items[-1])
    if _sites.on or config.debug_nans or config.debug_infs:
        eqn.where = site_for(eqn.origin)
    trace.record(eqn)
    return Tracer(trace, out)


def site_for(origin: Eqn | None) -> Site | None:
    """The Site a new equation records while sites are on: that of the equation being replayed, of
    the forward equation it differentiates, or else the user's line running now."""
    return _sites.inherited or (origin.where if origin is not None else user_site())


# The forward equation whose vjp is being traced: tags backward equations for readable code.
_current_origin = _PerThreadStack(None)


class new_trace:
    """Context manager pushing a fresh trace: `with new_trace("grad", concrete=True) as t: ...`."""

    def __init__(self, transform: str, concrete: bool = False):
        self.trace = Trace(transform, concrete)

    def __enter__(self) -> Trace:
        _trace_stack.append(self.trace)
        return self.trace

    def __exit__(self, *exc):
        _trace_stack.pop()
        self.trace.active = False
        return False


def tracing() -> bool:
    """True while any transform is tracing (nested calls inline instead of compiling)."""
    return bool(_trace_stack)


def eval_ir(ir: IR, args: list, consts: list | None = None) -> list:
    """Evaluate `ir` by binding each equation: eager on arrays, recorded when args are tracers."""
    env: dict[Var, Any] = dict(zip(ir.in_vars, args))
    consts = ir.consts if consts is None else consts
    trace = find_trace(args)
    if trace is not None:
        # inlined into a trace: arrays stay references of that trace, so an operation on constants
        # alone is recorded too, never computed now and folded in (the array may change in place)
        consts = [Tracer(trace, trace.const_var(c)) if isinstance(c, np.ndarray) else c for c in consts]
    env.update(zip(ir.const_vars, consts))
    read = lambda a: env[a] if isinstance(a, Var) else a.val  # noqa: E731
    copies: dict = {}                     # inner eqn -> its copy, so backward comments survive
    sites, inherited = recording_sites(), _sites.inherited
    for eqn in ir.eqns:
        # an origin outside `ir` (a forward equation removed as dead) still marks a backward line
        _current_origin.append(copies.get(eqn.origin, eqn.origin))
        if sites:                         # the copy keeps the user's site of the equation replayed
            _sites.inherited = eqn.where or inherited
        try:
            out = bind(eqn.prim, *[read(a) for a in eqn.inputs], **eqn.params)
        finally:
            _current_origin.pop()
            if sites:
                _sites.inherited = inherited
        if isinstance(out, Tracer):
            copies[eqn] = out._trace._producer.get(out._var)
        env[eqn.out] = out
    return [read(o) for o in ir.outs]
