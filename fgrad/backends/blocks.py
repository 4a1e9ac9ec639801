"""Elementwise code in blocks, on threads, for the NumPy backend.

NumPy runs each operation over the whole array on one thread: a chain of elementwise operations on
a large array makes one pass over memory per operation, and its transcendental functions (tanh,
exp, log, ...) use one core. A *block region* is a run of elementwise equations of one large shape.
The generated program computes it with a function of its own, which reads like the rest of the
program, and hands that function to `_blocks`:

    def _b0(a):
        b = np.tanh(a)
        ...
        return (f,)

    def program(a):
        f, = _blocks(_b0, a)

`_blocks` calls `_b0` on pieces of `BLOCK` elements of its inputs, on the threads the usual
environment variable gives (OMP_NUM_THREADS, else every CPU this process may use), and writes the
pieces' results into whole arrays.

- A piece fits in cache, so the chain's temporaries never go out to memory.
- The results are NumPy's own, bit for bit: an elementwise operation computes each element on its
  own, so the pieces make the numbers one call on the whole array makes. Reductions are not part of
  a region: their order of addition would change.
- Each piece runs in a copy of the caller's context, so `np.errstate` (a context variable) applies
  there as it does to the caller; an exception raised in any piece is raised by the call.

With one thread there are no regions: the program is the one-call-per-operation NumPy program.
"""

from __future__ import annotations

import contextvars
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from ..core import IR, Var

BLOCK = 1 << 16          # elements of one piece: ~512 KB of float64 per array, inside a core's L2
REGION_MIN = 1 << 17     # elements from which a region pays for its threads (two pieces at least)
MAX_MEMBERS = 400        # equations of one region function (its source stays a readable size)


def thread_count() -> int:
    """The threads a region runs on: OMP_NUM_THREADS where it is set to a positive integer, else the
    CPUs this process may run on.

    Example:
        >>> thread_count() >= 1
        True
    """
    value = os.environ.get("OMP_NUM_THREADS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class Region(NamedTuple):
    """Equations `members` (indices, in program order) computed by one function: it reads `inputs`
    (arrays of `shape` or 0-d) and returns `outputs`, the members' results read elsewhere."""

    members: list
    inputs: list
    outputs: list
    shape: tuple

    def sub_ir(self, ir: IR) -> IR:
        """The region as a program of its own."""
        return IR(list(self.inputs), [], [], [ir.eqns[i] for i in self.members], list(self.outputs))


def _blockable(eqn, aliases: dict) -> bool:
    """An elementwise equation on a large array whose operands are arrays of its shape or 0-d."""
    prim, shape = eqn.prim, eqn.out.aval.shape
    if not prim.elementwise or prim.effect or not isinstance(prim.emit["numpy"], str):
        return False
    if eqn.out in aliases or eqn.out.aval.size < REGION_MIN:
        return False
    return all(aliases.get(a, a).aval.shape in (shape, ()) for a in eqn.inputs if isinstance(a, Var))


def plan(ir: IR, aliases: dict) -> list:
    """The block regions of `ir` (none where the program would run on one thread), given the
    broadcasts the emitter leaves to NumPy. A region runs where its last member is, so it closes
    before the first equation outside it that reads one of its results."""
    if thread_count() < 2:
        return []
    groups, members, shape, made = [], [], None, set()
    for i, eqn in enumerate(ir.eqns):
        blockable = _blockable(eqn, aliases)
        if members and blockable and eqn.out.aval.shape == shape and len(members) < MAX_MEMBERS:
            members.append(i)
            made.add(eqn.out)
            continue
        reads_open = any(aliases.get(a, a) in made for a in eqn.inputs if isinstance(a, Var))
        if members and (blockable or reads_open or len(members) >= MAX_MEMBERS):
            groups.append(members)
            members, made = [], set()
        if blockable:
            members, shape, made = [i], eqn.out.aval.shape, {eqn.out}
    if members:
        groups.append(members)
    leaving = _read_elsewhere(ir, groups, aliases)
    return [_region(ir, group, aliases, leaving) for group in groups]


def _read_elsewhere(ir: IR, groups: list, aliases: dict) -> set:
    """The members' results that an equation outside their group reads, or the program returns:
    one pass over the program for all groups."""
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    made_by = {ir.eqns[i].out: g for i, g in group_of.items()}
    leaving = {o for o in ir.outs if isinstance(o, Var) and o in made_by}
    for i, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            v = aliases.get(a, a) if isinstance(a, Var) else None
            if v in made_by and group_of.get(i) != made_by[v]:
                leaving.add(v)
    return leaving


def _region(ir: IR, members: list, aliases: dict, leaving: set) -> Region:
    """A group of members with its inputs (what they read and do not make) and outputs (what they
    make and something else reads: `leaving`)."""
    made = {ir.eqns[i].out for i in members}
    inputs: dict = {}
    for i in members:
        for a in ir.eqns[i].inputs:
            if isinstance(a, Var) and aliases.get(a, a) not in made:
                inputs[aliases.get(a, a)] = None
    outputs = [ir.eqns[i].out for i in members if ir.eqns[i].out in leaving]
    return Region(members, list(inputs), outputs, ir.eqns[members[0]].out.aval.shape)


class _Pool:
    """The worker threads regions run on, made on first use and again in a forked child (whose
    copy of the parent's threads does not run)."""

    def __init__(self):
        self.lock, self.executor, self.owner, self.size = threading.Lock(), None, None, 0

    def get(self, workers: int) -> ThreadPoolExecutor:
        with self.lock:
            if self.executor is None or self.owner != os.getpid() or self.size < workers:
                if self.executor is not None and self.owner == os.getpid():
                    self.executor.shutdown(wait=False)
                self.executor = ThreadPoolExecutor(workers, thread_name_prefix="fgrad-blocks")
                self.owner, self.size = os.getpid(), workers
            return self.executor


_POOL = _Pool()


def run_in_blocks(fn, *inputs) -> tuple:
    """`fn`'s results over whole arrays, computed piece by piece on `thread_count()` threads:
    `fn` is a region function, elementwise in `inputs` (arrays of one shape, or 0-d).

    Example:
        >>> x = np.linspace(0.0, 1.0, 300_000)
        >>> y, = run_in_blocks(lambda a: (np.exp(a) * 2.0,), x)
        >>> bool(np.array_equal(y, np.exp(x) * 2.0))
        True
    """
    shape, piece = _pieces(inputs)
    first = fn(*piece(0))           # its dtypes give the results' (the first piece runs alone)
    results = [np.empty(shape, r.dtype) for r in first]     # arrays of their own (no base): callers may keep them
    outs = [r.reshape(-1) for r in results]
    for out, r in zip(outs, first):
        out[:BLOCK] = r

    def work(lo: int) -> None:
        for out, r in zip(outs, fn(*piece(lo))):
            out[lo:lo + BLOCK] = r

    _spread(work, outs[0].size)
    return tuple(results)


def elementwise(fn, *arrays):
    """`fn(*arrays)` for an elementwise NumPy function `fn` (a ufunc writes its pieces in place), in
    blocks on threads (as a region is) when the arrays are large, of one shape (or 0-d), and there
    is more than one thread.

    Example:
        >>> x = np.linspace(0.0, 1.0, 300_000)
        >>> bool(np.array_equal(elementwise(np.tanh, x), np.tanh(x)))
        True
    """
    shapes = {np.shape(a) for a in arrays} - {()}
    if len(shapes) != 1 or math.prod(next(iter(shapes))) < REGION_MIN or thread_count() < 2:
        return fn(*arrays)
    if not (isinstance(fn, np.ufunc) and fn.nout == 1):
        return run_in_blocks(lambda *pieces: (fn(*pieces),), *arrays)[0]
    shape, piece = _pieces(arrays)
    first = fn(*piece(0))
    result = np.empty(shape, first.dtype)
    out = result.reshape(-1)
    out[:BLOCK] = first
    _spread(lambda lo: fn(*piece(lo), out=out[lo:lo + BLOCK]), out.size)
    return result


def _pieces(inputs) -> tuple:
    """The inputs' common shape, and `piece(lo)`: the inputs' elements lo..lo + BLOCK (a 0-d input
    whole)."""
    whole = [np.ndim(x) > 0 for x in inputs]
    shape = np.shape(inputs[whole.index(True)])
    flat = [np.asarray(x).reshape(-1) if w else x for x, w in zip(inputs, whole)]   # any subclass: flat

    def piece(lo: int) -> list:
        return [x[lo:lo + BLOCK] if w else x for x, w in zip(flat, whole)]
    return shape, piece


def _spread(work, size: int) -> None:
    """`work(lo)` for every piece after the first, the pieces dealt in turn to `thread_count()`
    threads (this one among them); an exception from any is raised once all have finished."""
    rest = range(BLOCK, size, BLOCK)
    threads = min(thread_count(), len(rest))
    if not threads:
        return

    def share(k: int) -> None:
        for lo in rest[k::threads]:
            work(lo)

    pool = _POOL.get(threads - 1) if threads > 1 else None
    futures = [pool.submit(contextvars.copy_context().run, share, k) for k in range(1, threads)]
    try:
        share(0)
    finally:
        errors = [f.exception() for f in futures]    # waits: no piece is still written after the call
    for error in errors:
        if error is not None:
            raise error
