"""IR -> readable jax.numpy / jax.lax source -> `jax.jit` -> callable (the "xla" backend).

The generated code has one line per equation, with the same stable names as the NumPy backend. Only
names, integers and number literals appear in it; constants are passed to the jitted function as
arguments on every call (NumPy arrays as they are, so changes made in place are seen), so they are
neither pasted into the text nor baked into the executable. The source is registered with
`linecache` while the program lives, so tracebacks and `inspect` show it.

JAX is imported only here, on first use of this backend. Inputs may be NumPy or jax arrays; jax.jit
keeps their devices and shardings, so data-parallel work is JAX's SPMD partitioner, not ours.
Outputs are jax arrays and stay on device. NumPy inputs are copied to the device on every call (on
CPU, jax aliases them instead when they are 64-byte aligned, and `HostStaging` makes large ones so):
for large data called repeatedly, `jax.device_put` it once and pass the jax array, which makes the
call as fast as `jax.jit`'s.

64-bit programs run under `jax.enable_x64(True)`, entered only around tracing and calling a program
that holds a 64-bit value, and only when x64 is not already on: float64 stays float64 without
changing the user's global JAX settings, and float32 programs pay nothing.

Guards (Python control flow recorded while tracing on concrete values) cannot raise inside a jitted
function, so each guard becomes a boolean computed on device; the program returns their conjunction
as one extra output and the host raises `GuardFailure` after the call when it is false, which makes
the caller retrace. Only programs with guards pay for that one device-to-host read.

Very long straight-line programs (the unrolled loops of a long simulation) make XLA's compile time
grow faster than linearly. Beyond `LONG_PROGRAM` equations the program is split into segments of about
`SEGMENT` equations, each jitted on its own and called in sequence; values crossing a boundary are
passed as arguments, so compile time stays bounded at the price of one dispatch per segment.
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from typing import Any

import numpy as np

from ..core import IR, Lit, Var
from ..primitives._subprograms import TupleAval
from .numpy_codegen import (
    Block,
    _names,
    _param_text,
    exact_params,
    literal,
    needs_typed_literal,
    prim_label,
    register_source,
)

LONG_PROGRAM = 3000      # equations; longer programs are compiled in segments (measured on chain)
SEGMENT = 1000           # equations per segment
_counter = itertools.count()
_RESERVED = {"jax", "jnp", "lax", "np", "inf", "nan"}
_INSTALL = 'the "xla" backend needs JAX: pip install "fgrad[xla]"'


def load_jax():
    """Import jax on first use of the backend, with an install hint when it is missing."""
    try:
        import jax
    except ImportError as exc:
        raise ImportError(_INSTALL) from exc
    return jax


def needs_x64(ir: IR) -> bool:
    """True when any value of `ir` is 64-bit (jax would otherwise demote it to 32 bits)."""
    atoms = itertools.chain(ir.in_vars, ir.const_vars, ir.outs, (e.out for e in ir.eqns),
                            (a for e in ir.eqns for a in e.inputs))
    return any(a.aval.dtype.itemsize == 8 and a.aval.dtype.kind in "fiu" or a.aval.dtype == np.complex128
               for a in atoms)


# ----------------------------------------------------------------------------------------------
# Staging large NumPy inputs on the CPU
# ----------------------------------------------------------------------------------------------

STAGE_MIN_BYTES = 4 << 20   # below this, jax's own per-call copy was as fast or faster (measured)
ALIGN = 64                  # XLA's CPU client aliases host memory with this alignment instead of copying


def worth_staging(jax, avals) -> bool:
    """Whether inputs of these types may be big NumPy arrays that the CPU would copy on each call."""
    big = any(math.prod(a.shape) * a.dtype.itemsize >= STAGE_MIN_BYTES for a in avals)
    return big and jax.default_backend() == "cpu"


def _usable_cores() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


_COPY_THREADS = min(_usable_cores(), 8)
_copy_pool: tuple | None = None       # (pid, executor): a forked child makes its own threads


def _parallel_copy(dst: np.ndarray, src: np.ndarray) -> None:
    """np.copyto in one chunk per core: a single thread does not saturate memory bandwidth (an
    80 MB copy took 10.7 ms on one thread and 4.4 ms on two; NumPy releases the GIL while copying)."""
    global _copy_pool
    parts = min(_COPY_THREADS, len(src))
    if parts < 2:
        np.copyto(dst, src)
        return
    if _copy_pool is None or _copy_pool[0] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor
        _copy_pool = (os.getpid(), ThreadPoolExecutor(_COPY_THREADS - 1, thread_name_prefix="fgrad-staging"))
    bounds = [len(src) * k // parts for k in range(parts + 1)]
    chunks = [(dst[a:b], src[a:b]) for a, b in zip(bounds, bounds[1:])]
    pending = [_copy_pool[1].submit(np.copyto, *chunk) for chunk in chunks[1:]]
    np.copyto(*chunks[0])
    for future in pending:
        future.result()


def _aligned_empty(shape: tuple, dtype: np.dtype) -> np.ndarray:
    nbytes = math.prod(shape) * dtype.itemsize
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = -raw.ctypes.data % ALIGN
    return raw[start:start + nbytes].view(dtype).reshape(shape)


class HostStaging:
    """Reusable aligned host buffers for large NumPy inputs of a jitted program on the CPU.

    NumPy aligns data to 16 bytes; for an array that is not 64-byte aligned, jax allocates fresh
    memory and copies it on every call, and faulting in that fresh memory costs more than the copy
    itself: 37 ms for 80 MB, against 4.4 ms for a copy into a buffer kept across calls (split over
    two cores), which jax then aliases. The copy is still made on every call, so a NumPy array the
    caller changes between calls is always read afresh.

    A buffer is overwritten only once the previous call that read it has finished (its outputs are
    ready: dispatch is asynchronous), and each thread has its own buffers. Staging starts with the
    second call: a function called once gains nothing from a buffer kept for later calls.
    """

    def __init__(self, jax):
        self._jax = jax
        self._local = threading.local()
        self._called = False

    def stage(self, leaves: list) -> list:
        """`leaves` with each large, unaligned NumPy array replaced by its copy in a staging buffer
        (the same list object when nothing needed staging)."""
        if not self._called:
            self._called = True
            return leaves
        staged = leaves
        for i, x in enumerate(leaves):
            if (type(x) is np.ndarray and x.nbytes >= STAGE_MIN_BYTES and x.dtype.isnative
                    and x.dtype.kind in "biufc" and x.ctypes.data % ALIGN):
                if staged is leaves:
                    staged = list(leaves)
                    self._wait_for_readers()
                staged[i] = self._buffer(i, x)
        return staged

    def hold(self, outs) -> None:
        """Remember the outputs of the call that read the buffers, to wait for before reusing them."""
        self._local.pending = outs

    def _wait_for_readers(self) -> None:
        pending = getattr(self._local, "pending", None)
        if pending is not None:
            self._jax.block_until_ready(pending)
            self._local.pending = None

    def _buffer(self, index: int, x: np.ndarray) -> np.ndarray:
        buffers = self._local.__dict__.setdefault("buffers", {})
        buf = buffers.get(index)
        if buf is None or buf.shape != x.shape or buf.dtype != x.dtype:
            buf = buffers[index] = _aligned_empty(x.shape, x.dtype)
            np.copyto(buf, x)     # fresh memory: threads faulting it in would queue on one lock
        else:
            _parallel_copy(buf, x)
        return buf


# ----------------------------------------------------------------------------------------------
# Source generation
# ----------------------------------------------------------------------------------------------

class _Writer:
    """Names vars once for the whole program and writes functions over slices of its equations."""

    def __init__(self, ir: IR):
        self.ir = ir
        self.names: dict = {}
        self.defined = {e.out for e in ir.eqns}
        # generated names skip the modules and numbers the code refers to
        self.gen = (n for n in _names() if n not in _RESERVED)
        for k, var in enumerate(ir.const_vars):
            self.names[var] = f"_c{k}"

    def name(self, var: Var) -> str:
        if var not in self.names:
            self.names[var] = next(self.gen)
        return self.names[var]

    def text(self, atom) -> str:
        return self.name(atom) if isinstance(atom, Var) else literal(atom.val)

    def operand(self, eqn, atom) -> str:
        # a bare Python number is weakly typed, so an array operand of its dtype wins; elsewhere
        # the literal carries its dtype itself (a jax array where it is indexed or scattered)
        if isinstance(atom, Var) or not needs_typed_literal(eqn, atom):
            return self.text(atom)
        dtype, text = atom.aval.dtype.name, literal(atom.val)
        return f"np.{dtype}({text})" if eqn.prim.weak_literals else f"jnp.asarray({text}, jnp.{dtype})"

    def expression(self, eqn) -> str:
        args = [self.operand(eqn, a) for a in eqn.inputs]
        params = exact_params(eqn.params)
        rule = eqn.prim.rule("xla")
        if callable(rule):
            return rule(args, [a.aval for a in eqn.inputs], **params)
        return rule.format(*args, **{k: _param_text(v) for k, v in params.items()})

    def output(self, atom) -> str:
        if isinstance(atom, Lit):
            return f"jnp.asarray({literal(atom.val)}, jnp.{atom.aval.dtype.name})"
        return self.name(atom)

    def function(self, fname: str, params: list, eqns: list, outs: list, imports: tuple = (),
                 packs: tuple = ()) -> tuple[str, int]:
        """Source of `def fname(params): ...; return (packs..., outs..., [all guards])` and the guard
        count. `imports` are (var, pack, offset): values unpacked from a parameter holding many."""
        lines = [f"def {fname}({', '.join(params)}):"]
        for var, pack, offset in imports:
            end, shape = offset + var.aval.size, var.aval.shape
            lines.append(f"    {self.name(var)} = {pack}[{offset}:{end}].reshape({shape})")
        origin, guards = False, []
        for eqn in eqns:
            if eqn.origin is not origin:
                origin = eqn.origin
                lines.append(self._comment(origin))
            rule = eqn.prim.emit["xla"]
            if isinstance(rule, Block):
                lines.extend(rule.write(self, eqn))
            else:
                lines.append(f"    {self.name(eqn.out)} = {self.expression(eqn)}")
            if eqn.prim.effect:
                guards.append(self.name(eqn.out))
        results = [f"jnp.concatenate([{', '.join(f'{self.name(v)}.ravel()' for v in group)}])"
                   for _, group in packs] + [self.output(o) for o in outs]
        if guards:
            results.append(guards[0] if len(guards) == 1 else f"jnp.stack([{', '.join(guards)}]).all()")
        comma = "," if len(results) == 1 else ""
        lines.append(f"    return ({', '.join(results)}{comma})")
        return "\n".join(lines) + "\n", len(guards)

    def fresh(self) -> str:
        """A new name, for the nested functions and loop variables a `Block` writes."""
        return next(self.gen)

    def sub_function(self, ir: IR, fname: str) -> list:
        """The lines defining `fname`, a function nested in the program computing `ir` (a
        sub-program without constants) and returning its outputs as a tuple."""
        text, _ = self.function(fname, [self.name(v) for v in ir.in_vars], ir.eqns, list(ir.outs))
        return ["    " + line for line in text.splitlines()]

    def _comment(self, origin) -> str:
        if origin is None:
            return "    # forward"
        if origin.out not in self.defined:            # its forward equation was removed as dead
            return "    # backward"
        operands = ", ".join(self.text(a) for a in origin.inputs)
        return f"    # backward of: {self.name(origin.out)} = {prim_label(origin.prim)}({operands})"


class Segment:
    """A slice of the equations compiled on its own.

    Values read by later segments leave packed, one flat array per dtype (`packs`), and are sliced
    back out by their readers (`imports`): a boundary costs a few arguments, not one per value.
    """

    def __init__(self, index: int, eqns: list):
        self.index, self.eqns = index, eqns
        self.params: list = []          # program inputs and constants read here
        self.imports: list = []         # (var, pack name, offset) read from earlier segments
        self.packs: list = []           # (pack name, vars) exported to later segments
        self.outs: list = []            # program outputs defined here
        self.guards = 0


def split(ir: IR) -> list[Segment]:
    """The program as segments of about `SEGMENT` equations when it is longer than `LONG_PROGRAM`."""
    eqns = ir.eqns
    size = SEGMENT if len(eqns) > LONG_PROGRAM else max(len(eqns), 1)
    segments = [Segment(k, eqns[i:i + size]) for k, i in enumerate(range(0, max(len(eqns), 1), size))]
    home = {e.out: seg for seg in segments for e in seg.eqns}
    order = {e.out: k for k, e in enumerate(eqns)}
    read_later = {v for seg in segments for e in seg.eqns for v in e.inputs
                  if isinstance(v, Var) and home.get(v) is not None and home[v] is not seg}
    final = [o for o in ir.outs if isinstance(o, Var) and o in home]
    # the several-array result of a loop or branch crosses a boundary as it is, not packed
    tuples = {v for v in read_later if isinstance(v.aval, TupleAval)}
    for seg in segments:
        by_dtype: dict = {}
        for e in seg.eqns:
            if e.out in read_later and e.out not in tuples:
                by_dtype.setdefault(e.out.aval.dtype.name, []).append(e.out)
        seg.packs = [(f"_p{seg.index}_{dtype}", group) for dtype, group in by_dtype.items()]
        seg.outs = list(dict.fromkeys(o for o in final + sorted(tuples, key=order.get) if home[o] is seg))
    where = {}
    for seg in segments:
        for pack, group in seg.packs:
            offset = 0
            for v in group:
                where[v] = (pack, offset)
                offset += v.aval.size
    for seg in segments:
        read = dict.fromkeys(a for e in seg.eqns for a in e.inputs if isinstance(a, Var))
        seg.params = [v for v in read if v not in home or (v in tuples and home[v] is not seg)]
        seg.imports = [(v, *where[v]) for v in read if v in home and home[v] is not seg and v not in tuples]
    return segments


def _segment_params(writer: _Writer, seg: Segment) -> list:
    return [writer.name(v) for v in seg.params] + list(dict.fromkeys(p for _, p, _ in seg.imports))


def _driver(writer: _Writer, segments: list, ir: IR) -> str:
    """A plain Python function calling the jitted segments in order (not itself jitted)."""
    lines = [f"def program({', '.join(writer.name(v) for v in list(ir.in_vars) + list(ir.const_vars))}):"]
    oks = []
    for seg in segments:
        targets = [p for p, _ in seg.packs] + [writer.name(v) for v in seg.outs]
        targets += [f"_ok{seg.index}"] if seg.guards else []
        oks += targets[-1:] if seg.guards else []
        call = f"segment_{seg.index}({', '.join(_segment_params(writer, seg))})"
        lhs = ", ".join(targets) + ("," if len(targets) == 1 else "")
        lines.append(f"    {lhs} = {call}" if targets else f"    {call}")
    results = [writer.output(o) for o in ir.outs] + ([" & ".join(oks)] if oks else [])
    comma = "," if len(results) == 1 else ""
    lines.append(f"    return ({', '.join(results)}{comma})")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# The compiled program
# ----------------------------------------------------------------------------------------------

class _ConfigFlag:
    """jax's x64 setting read through `.value`, for releases before it became a config State."""

    def __init__(self, jax):
        self._config = jax.config

    @property
    def value(self) -> bool:
        return bool(self._config.jax_enable_x64)


def x64_switch(jax):
    """(flag, turn_on): the effective x64 setting as `flag.value`, and a context manager enabling it."""
    state = getattr(jax, "enable_x64", None)
    if state is not None and hasattr(state, "value"):          # jax >= 0.8: a config State
        return state, (lambda: state(True))
    from jax.experimental import enable_x64  # older releases
    return _ConfigFlag(jax), (lambda: enable_x64(True))


class Program:
    """A compiled IR: call it with the flat input arrays (NumPy or jax); returns a tuple of jax arrays.

    `.source` is the generated jax code; `as_text()` adds the StableHLO that XLA compiles.
    """

    def __init__(self, ir: IR):
        jax = load_jax()
        self.ir, self._jax = ir, jax
        self._x64_flag, self._x64_ctx = x64_switch(jax)
        self._x64 = needs_x64(ir)
        segments = split(ir)
        self.segments = len(segments)
        namespace = self._namespace(jax)
        self.source, guarded = self._generate(ir, segments)
        self.filename = f"<fgrad-xla-program-{next(_counter)}>"
        register_source(self, self.filename, self.source)
        exec(compile(self.source, self.filename, "exec"), namespace)  # noqa: S102 - our own generated code
        if len(segments) == 1:
            self._fn = jax.jit(namespace["program"])
        else:
            for k in range(len(segments)):
                namespace[f"segment_{k}"] = jax.jit(namespace[f"segment_{k}"])
            self._fn = namespace["program"]
        self._guarded = any(guarded)
        # segments run one after another, so one output being ready would not cover them all
        in_avals = [v.aval for v in ir.in_vars]
        self._staging = HostStaging(jax) if len(segments) == 1 and worth_staging(jax, in_avals) else None
        # constants are referenced, not copied: a NumPy array goes to jax on every call, as NumPy
        # inputs do, so one the caller changes in place is read afresh; jax arrays are immutable
        self._consts = tuple(ir.consts)

    @staticmethod
    def _namespace(jax) -> dict:
        import jax.numpy as jnp
        import jax.scipy.special  # noqa: F401 - the special functions' templates call jax.scipy.special
        from jax import lax
        return {"jax": jax, "jnp": jnp, "lax": lax, "np": np, "inf": math.inf, "nan": math.nan}

    @staticmethod
    def _generate(ir: IR, segments: list) -> tuple[str, list]:
        writer = _Writer(ir)
        if len(segments) == 1:
            params = [writer.name(v) for v in list(ir.in_vars) + list(ir.const_vars)]
            text, guards = writer.function("program", params, segments[0].eqns, list(ir.outs))
            return text, [guards]
        parts = []
        for seg in segments:
            text, seg.guards = writer.function(f"segment_{seg.index}", _segment_params(writer, seg),
                                               seg.eqns, seg.outs, seg.imports, seg.packs)
            parts.append(text)
        parts.append(_driver(writer, segments, ir))
        return "\n\n".join(parts), [seg.guards for seg in segments]

    def _scope(self):
        if self._x64 and not self._x64_flag.value:
            return self._x64_ctx()
        return _NoScope()

    def __call__(self, *args):
        staged = args if self._staging is None else self._staging.stage(args)
        if self._x64 and not self._x64_flag.value:
            with self._x64_ctx():
                outs = self._fn(*staged, *self._consts)
        else:
            outs = self._fn(*staged, *self._consts)
        if staged is not args:
            self._staging.hold(outs)
        if self._guarded:
            if not bool(outs[-1]):
                from ..errors import GuardFailure
                raise GuardFailure()
            outs = outs[:-1]
        return outs

    def stablehlo(self) -> str | None:
        """The StableHLO text of the program (None when it is compiled in segments)."""
        if self.segments != 1:
            return None
        jax = self._jax
        specs = [jax.ShapeDtypeStruct(v.aval.shape, v.aval.dtype)
                 for v in list(self.ir.in_vars) + list(self.ir.const_vars)]
        with self._scope():
            return self._fn.lower(*specs).as_text()

    def as_text(self) -> str:
        """The generated jax code, then the StableHLO it lowers to.

        Example:
            >>> import fgrad, numpy as np
            >>> text = fgrad.jit(lambda x: x * 2.0, backend="xla").lower(np.ones(2)).as_text()
            >>> "a * 2.0" in text and "stablehlo" in text
            True
        """
        hlo = self.stablehlo()
        if hlo is None:
            note = f"# compiled in {self.segments} segments, each with jax.jit; StableHLO omitted\n"
            return self.source + "\n" + note
        return self.source + "\n# StableHLO\n" + hlo


class _NoScope:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def compile_ir(ir: IR) -> Program:
    """Generate the jax code for `ir` and wrap it in `jax.jit` (compiled on the first call).

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> ir = fgrad.make_ir(lambda x: fnp.sin(x) * 2.0)(np.ones(3))
        >>> np.asarray(compile_ir(ir)(np.zeros(3))[0])
        array([0., 0., 0.])
    """
    return Program(ir)


__all__: list[Any] = ["compile_ir", "HostStaging", "Program", "load_jax", "needs_x64", "split", "worth_staging",
                   "x64_switch"]
