"""Each recorded node's backward, and the reverse sweep over a graph's nodes that calls them.

A node's backward is fgrad's reverse mode of its op, made once per node signature: an IR from the
input values it reads (then, for an op torch defines through its result, the result the node saved)
and its output's cotangent to the cotangents of its differentiable inputs, the positions of the inputs
it reads (what torch saves), and, made on its first eager use, that IR compiled by the NumPy backend.
A node lets go of the other input values when it is recorded (`forget_unread`), as torch never saves
them, so a long graph holds only what its backward reads.

`sweep` walks the nodes from the roots back, calling one function per node: on tracers it builds the
whole-graph program `autograd` compiles; `run_eagerly` calls the compiled per-node programs on arrays
instead, so a graph seen once costs no whole-graph compile. Both run the same programs' equations in
the same order, so they give the same bits.

Example:
    >>> import fgrad.torch as torch
    >>> y = torch.sin(torch.ones(2, requires_grad=True))
    >>> node_backward(y.grad_fn).needs        # sin's gradient reads its input
    (0,)
"""

from __future__ import annotations

import numpy as np

from ..backends import compile_ir
from ..core import IR, Aval, Var, eval_ir, new_trace
from ..transforms.ad import backward_ir
from ..transforms.simplify import dce, simplify
from ._graph import KEEP_INPUTS, Node, unpack_signature
from ._lru import LRU

# Sums of products stay in the order reverse mode writes them, the order torch evaluates: the
# Horner rewrite reassociates them, which can turn torch's NaN at an infinity into a number.
REBUILD_SUMS = False
_F64 = np.dtype(np.float64)


class NodeBackward:
    """One node signature's backward: `ir` maps (the inputs it reads..., saved result if
    `op.saves_out`, cotangent) to the cotangents of the differentiable inputs; `needs` lists the
    positions of the inputs it reads; `paths()` is it compiled for NumPy."""

    __slots__ = ("ir", "needs", "keeps", "_program", "_paths")

    def __init__(self, node: Node):
        full = _grads_ir(node)
        read = {a for e in full.eqns for a in e.inputs if isinstance(a, Var)} | set(full.outs)
        inputs = full.in_vars[:len(node.vals)]
        self.needs = tuple(k for k, v in enumerate(inputs) if v in read)
        constant = [not m for m in unpack_signature(node.sigt)[4]]
        # the input values a node keeps (read, or constants), or None when it keeps them all
        keeps = tuple(k for k in range(len(inputs)) if k in self.needs or constant[k])
        self.keeps = None if len(keeps) == len(inputs) else keeps
        ins = [inputs[k] for k in self.needs] + full.in_vars[len(node.vals):]
        self.ir = IR(ins, full.const_vars, full.consts, full.eqns, full.outs)
        self._program = self._paths = None

    def paths(self) -> tuple:
        """(the compiled program's NumPy function, its math-module function or None), made once
        (a second thread racing here only compiles it twice). The program is kept with them: its
        source stays readable in tracebacks while it lives."""
        if self._paths is None:
            program = compile_ir(self.ir, "numpy")
            names = program.fn.__globals__         # the generated program's module: each path alone
            self._program, self._paths = program, (names["program"], names.get("program_scalar"))
        return self._paths


_BACKWARDS = LRU(2048)         # node signature id -> its NodeBackward


def node_backward(node: Node) -> NodeBackward:
    """The backward of `node`'s signature (made on first use, then shared by every such node)."""
    found = _BACKWARDS.get(node.sig)
    if found is None:
        found = _BACKWARDS.put(node.sig, NodeBackward(node))
    return found


def forget_unread(node: Node) -> None:
    """Drop from `node` the values of the inputs its backward never reads (None in their place).

    Those tensors are not saved by torch either: changing them in place is no error, and a chain
    of ops keeps only what its backward reads alive. Constants stay (autograd.Function compares
    them when it reuses a backward), and every value stays while a function is recorded to be
    replayed (`_graph.replayable_graph`: torch.func and autograd.Function run the nodes again) and
    in the nodes of ops whose backward is made only when needed (`Op.lazy_backward`).
    """
    if node.op.lazy_backward:
        return
    found = _BACKWARDS.get(node.sig) or node_backward(node)
    keeps = found.keeps
    if keeps is None or KEEP_INPUTS.depth:
        return
    vals = node.vals
    if keeps:
        node.vals = tuple([vals[k] if k in keeps else None for k in range(len(vals))])
    else:                                   # nothing kept: shared tuples of Nones for the usual arities
        n = len(vals)
        node.vals = _UNKEPT[n] if n < len(_UNKEPT) else (None,) * n


_UNKEPT = tuple((None,) * n for n in range(9))


def _grads_ir(node: Node) -> IR:
    op, params, shapes, dtypes, mask, out_dtype = unpack_signature(node.sigt)
    with new_trace("fgrad.torch") as trace:
        args = [trace.new_arg(Aval(s, d)) for s, d in zip(shapes, dtypes)]
        out = op.fn(*args, *params)
        if np.dtype(out.dtype) != out_dtype:
            out = out.astype(out_dtype)
        ir = trace.to_ir([out])
    wrt = [i for i, m in enumerate(mask) if m]
    full = simplify(backward_ir(ir, wrt, seed="input"), horner=REBUILD_SUMS)
    eqns, ins = full.eqns, full.in_vars
    if op.saves_out:          # the derivative reads the saved result instead of computing it again
        value = full.outs[0]
        made = isinstance(value, Var) and any(e.out is value for e in eqns)
        result = value if made else Var(ir.outs[0].aval)
        eqns = [e for e in eqns if e.out is not result]
        ins = ins[:-1] + [result, ins[-1]]
    return dce(IR(ins, full.const_vars, full.consts, eqns, full.outs[1:]))   # not the value


def sweep(shape, slot_vals: list, seed_vals: list, ones, fns: list, hook=None, check=None) -> dict:
    """Reverse sweep over `shape.nodes`: route -> cotangent for the routes `_requested` reads.

    `fns[i](*slot values, output cotangent)` returns node i's input cotangents; `hook(i, ct)` may
    replace a node's cotangent first; `check(i, gradients by input position)` sees each node's
    results (anomaly detection). A node's cotangent is dropped once used unless it is asked for,
    so an eager sweep holds only the live ones.
    """
    keep = {r for r, _ in shape.targets} | set(shape.observers)
    cts: dict = {}
    for route, seed, aval in shape.roots:
        c = ones(aval) if seed is None else seed_vals[seed]
        cts[route] = c if route not in cts else cts[route] + c
    key, starts = shape.plan.key, shape.plan.starts      # node i: key[starts[i] + 1:starts[i + 1]]
    for i in range(len(starts) - 2, -1, -1):
        ct = cts.get(i) if i in keep else cts.pop(i, None)
        if ct is None:
            continue
        if hook is not None:
            ct = hook(i, ct)
            if i in keep:
                cts[i] = ct
        first, end = starts[i] + 1, starts[i + 1]
        args = [slot_vals[k] for k in key[first:end:2] if k >= 0]      # -1: an input it does not read
        args.append(ct)
        outs = fns[i](*args)
        routes = key[first + 1:end:2]
        if check is not None:
            it = iter(outs)
            check(i, [None if r == -1 else next(it) for r in routes])
        j = 0
        for r in routes:
            if r != -1:
                c = outs[j]
                j += 1
                cts[r] = c if r not in cts else cts[r] + c
    return cts


def _per_node(nodes: list, make) -> list:
    """`make(node backward)` for each node, made once per signature."""
    made: dict = {}
    out = []
    for n in nodes:
        f = made.get(n.sig)
        if f is None:
            f = made[n.sig] = make(node_backward(n))
        out.append(f)
    return out


def traced_functions(nodes: list) -> list:
    """Per node, its backward IR inlined into the current trace (for a sweep on tracers)."""
    return _per_node(nodes, lambda b: lambda *args: eval_ir(b.ir, list(args)))


def run_eagerly(shape, slot_vals: list, seeds: list, hook=None, check=None) -> dict:
    """The sweep on arrays, calling each node signature's compiled program.

    A program whose values are all float64 scalars has a math-module path, and so has the
    whole-graph program exactly when every node's has; that one falls back to NumPy as a whole
    when math raises (where NumPy returns inf or nan), so this sweep restarts in NumPy too. With
    hooks or checks (user code between the nodes, not to be run twice) the sweep stays in NumPy.
    """
    paths = _per_node(shape.nodes, NodeBackward.paths)
    ones = lambda aval: np.ones(aval[0], aval[1])  # noqa: E731
    if hook is None and check is None and _all_scalar(paths, seeds):
        try:
            return sweep(shape, slot_vals, seeds, ones, [scalar for _, scalar in paths])
        except (ArithmeticError, ValueError):
            pass
    return sweep(shape, slot_vals, seeds, ones, [array for array, _ in paths], hook, check)


def _all_scalar(paths: list, seeds: list) -> bool:
    return all(scalar is not None for _, scalar in paths) and \
        all(s.shape == () and s.dtype == _F64 for s in seeds)
