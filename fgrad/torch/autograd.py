"""backward() and autograd.grad(): the recorded graph's nodes differentiated by fgrad, in two tiers.

Each node's op is traced and differentiated with `fgrad.transforms.ad.backward_ir` once per node
signature (`_node_backward`). A graph structure's first backward calls run eagerly: a reverse sweep
calling each signature's small compiled program. When the same structure comes back again (a
training loop's third step), the per-node backward IRs are stitched together in one trace whose
inputs are the recorded tensor values (so the forward is never recomputed beyond a node's own
internals), simplified, and compiled by the selected backend; that program is cached by graph
structure. Both tiers run the same equations in the same order and give the same bits.

Example:
    >>> import fgrad.torch as torch
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> (x ** 3).backward()
    >>> x.grad
    tensor(12.)
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
import threading
from collections.abc import Sequence

import numpy as np

from ..backends import compile_ir
from ..cache import CompileCache
from ..config import config
from ..core import IR, Aval, Var, eval_ir, new_trace
from ..primitives import elementwise as ew
from ..primitives import linalg as lin
from ..primitives import reductions as red
from ..primitives import shape as sh
from ..primitives._base import full_in
from ..transforms.simplify import dce, simplify
from . import _errors as E
from ._errors import torch_error
from ._graph import ANOMALY, LAST_INPLACE, MODE, USED, Node, Op, changes_since, counter_of
from ._graph import enable_grad as enable_grad  # noqa: F401  (torch.autograd.* names)
from ._graph import is_grad_enabled as is_grad_enabled  # noqa: F401
from ._graph import no_grad as no_grad  # noqa: F401
from ._graph import set_grad_enabled as set_grad_enabled  # noqa: F401
from ._lru import LRU
from ._node_backward import REBUILD_SUMS, node_backward, run_eagerly, sweep, traced_functions
from ._quiet import enter, leave
from .anomaly import checker
from .saved import unpack

Tensor = None      # set by fgrad.torch.tensor (it imports this module)
_BACKEND: list = [None]   # None: follow fgrad.config.backend


def set_backend(name: str | None) -> None:
    """Choose the backend compiling backward programs: "numpy", "xla", or None (fgrad.config.backend).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.set_backend("numpy")
        >>> torch.set_backend(None)
    """
    if name is not None and name not in ("numpy", "xla"):
        raise ValueError(f"unknown backend {name!r}; choose 'numpy' or 'xla'")
    _BACKEND[0] = name
    clear_cache()


CACHE = CompileCache("fgrad.torch backward", maxsize=128)   # keyed by graph structure
_CACHE_LOCK = threading.Lock()       # CompileCache is not thread-safe; compiling happens outside it
# A structure's first backward calls run eagerly; the next one compiles its whole-graph program.
# Compiling costs about ten eager calls, so a structure seen only twice (a check, one step of a
# loop) never pays for it, while a loop gets its program from the third step.
EAGER_RUNS_BEFORE_COMPILING = 2
# hash of a structure run eagerly -> [how many times]; a hash collision only compiles a structure
# early (the program cache itself compares whole keys)
_SEEN_ONCE = LRU(1024)
_EAGER_RUNS = [0]        # backward calls the eager tier answered (cache_info's "eager")


def cache_info() -> dict:
    """Hits, misses (= compiles) and size of the backward-program cache, and how many backward
    calls ran eagerly instead (a structure's first EAGER_RUNS_BEFORE_COMPILING).

    Example:
        >>> import fgrad.torch as torch
        >>> sorted(torch.autograd.cache_info())
        ['eager', 'hits', 'maxsize', 'misses', 'size']
    """
    info = {k: v for k, v in CACHE.info().items() if k != "last_miss_reason"}
    info["eager"] = _EAGER_RUNS[0]
    return info


def clear_cache(maxsize: int | None = None) -> None:
    """Empty the backward-program cache and the record of structures seen once (optionally resizing
    the cache), so every structure starts in the eager tier again. Example: ``clear_cache(16)``."""
    CACHE.clear()
    _SEEN_ONCE.clear()
    _EAGER_RUNS[0] = 0
    if maxsize is not None:
        CACHE.maxsize = maxsize


# --- per-node reverse mode ---------------------------------------------------------------------

def node_needs(node: Node) -> tuple:
    """Positions of the inputs whose values the node's gradients read (what torch saves)."""
    return node_backward(node).needs


# --- in-place changes ----------------------------------------------------------------------------

def check_versions(nodes: list) -> None:
    """torch's error when a tensor a node needs for its gradient was changed in place since it was saved."""
    for n in reversed(nodes):
        if n.outver is not None:
            counter, value = n.outver
            late = changes_since(counter, n.seq)
            if late:
                _stale(value, counter[0], counter[0] - late, n.op.name)
        if not n.op.saves:
            continue
        fresh = getattr(n, "fresh", None)
        for k in reversed(node_needs(n)):     # torch reads the second operand first (mul, div, mm)
            if k == fresh:
                continue
            counter = counter_of(n.vals[k])
            late = changes_since(counter, n.seq)
            if late:
                _stale(n.vals[k], counter[0], counter[0] - late, _producer(n.srcs[k], n.vals[k], counter))


def _producer(src, value: np.ndarray, counter: list) -> str | None:
    """The node torch names for a changed tensor: the one that rebound it last, else its own, and a
    view's node is remade as AsStrided after the change."""
    if not isinstance(src, Node):
        return None
    if value.base is not None:
        return "AsStridedBackward0"
    return counter[1] or src.name()


def _stale(value: np.ndarray, now: int, then: int, producer: str | None) -> None:
    origin = ""
    if producer is not None:     # torch names the producing node without its "Backward<n>" suffix
        name = "torch::autograd::CopySlices" if producer == "CopySlices" else _SUFFIX.sub("", producer)
        origin = f", which is output 0 of {name},"
    kind = f"torch.{E.SCALAR_NAMES[value.dtype.name]}Tensor"
    raise torch_error(E.INPLACE_VERSION[0].format(kind=kind, shape=list(value.shape), origin=origin, now=now,
                                                  then=then), E.INPLACE_VERSION[1])


_SUFFIX = re.compile(r"Backward\d+$")


# --- collecting the graph ----------------------------------------------------------------------

_EPOCH = itertools.count(1)          # next() is atomic: concurrent walks get distinct epochs


def _collect(roots: list) -> list:
    """Nodes reachable from `roots`, inputs before users (creation order is a topological order).

    Nodes are marked with the walk's epoch instead of being put in a set: big graphs walk faster.
    """
    epoch = next(_EPOCH)
    nodes = []
    stack = list(roots)
    pop, push, keep, node_class = stack.pop, stack.append, nodes.append, Node
    while stack:
        node = pop()
        if node.mark == epoch:
            continue
        if node.freed:
            raise torch_error(*E.SECOND_BACKWARD)
        node.mark = epoch
        keep(node)
        for s in node.srcs:
            if isinstance(s, node_class) and s.mark != epoch:
                push(s)
    nodes.sort(key=_SEQ)
    return nodes


_SEQ = operator.attrgetter("seq")


class Plan:
    """The structure of one backward call: what is cached (key) and what is fed (values).

    The key lists, per node, its signature then (value slot, gradient route) per input; the slot is
    -1 for an input the node's backward does not read; a route is the producing node's index,
    -2 - k for the k-th leaf, or -1 for a constant. `starts[i]` is
    where node i's part of the key begins (one more entry ends the key).
    """

    def __init__(self, nodes: list):
        self.nodes = nodes
        self.epoch = nodes[0].mark if nodes else 0
        vals, srcs, leaves, key, starts = [], [], [], [], []
        by_array: dict = {}                # id(value) -> its first slot
        by_pair: dict = {}                 # (id(value), id(source)) -> slot, for a value's other sources
        leaf_index: dict = {}
        first_slot, push, start, node_class = by_array.get, key.append, starts.append, Node
        for i, n in enumerate(nodes):
            n.idx = i                      # a node's sources come before it: their indices are set
            start(len(key))
            push(n.sig)
            needs = node_backward(n).needs
            for j, (v, s) in enumerate(zip(n.vals, n.srcs)):
                k = first_slot(id(v)) if j in needs else -1     # -1: the backward does not read it
                if k is None:
                    k = by_array[id(v)] = len(vals)
                    vals.append(v)
                    srcs.append(s)
                elif k >= 0 and srcs[k] is not s:
                    k = by_pair.get((id(v), id(s)))
                    if k is None:
                        k = by_pair[(id(v), id(s))] = len(vals)
                        vals.append(v)
                        srcs.append(s)
                push(k)
                if s is None:
                    push(-1)
                elif isinstance(s, node_class):
                    push(s.idx)
                else:
                    r = leaf_index.get(id(s))
                    if r is None:
                        r = leaf_index[id(s)] = -2 - len(leaves)
                        leaves.append(s)
                    push(r)
            if n.op.saves_out:             # its backward reads its result: an input slot of n's own
                v = n.result
                k = first_slot(id(v))
                if k is None or srcs[k] is not n:
                    k = by_pair.get((id(v), id(n))) if k is not None else None
                    if k is None:
                        k = by_pair[(id(v), id(n))] = len(vals)
                        by_array.setdefault(id(v), k)
                        vals.append(v)
                        srcs.append(n)
                push(k)
                push(-1)
        start(len(key))
        self.key, self.vals, self.slot_srcs, self.leaves, self.leaf_index = tuple(key), vals, srcs, leaves, leaf_index
        self.starts = starts

    def route(self, tensor, root: bool = False) -> int | None:
        """Where a tensor's gradient collects: its node's index, its leaf index, or None if absent."""
        node = tensor.grad_fn
        if node is not None:
            return node.idx if node.mark == self.epoch and node.idx < len(self.nodes) \
                and self.nodes[node.idx] is node else None
        r = self.leaf_index.get(id(tensor))
        if r is None and root and tensor._rg:      # backward() called on a leaf itself
            r = self.leaf_index[id(tensor)] = -2 - len(self.leaves)
            self.leaves.append(tensor)
        return r


class _Shape:
    """What the stitched program needs besides the node wiring: roots, seeds, requested gradients.

    roots: (route, seed index or None, (shape, dtype)); targets: (route or None, (shape, dtype)).
    """

    def __init__(self, plan: Plan, roots: list, targets: list, observers: list, seed_avals: list):
        self.plan = plan
        self.roots, self.targets, self.observers = roots, targets, observers
        self.seed_avals = seed_avals

    @property
    def nodes(self) -> list:
        return self.plan.nodes

    @functools.cached_property
    def slot_avals(self) -> list:
        return [(v.shape, v.dtype) for v in self.plan.vals]


def _requested(shape: _Shape, cts: dict, zeros) -> list:
    """The gradients asked for (None where a target is absent), then the retained ones."""
    outs = []
    for route, aval in shape.targets:
        c = cts.get(route) if route is not None else None
        outs.append(zeros(aval) if c is None and route is not None else c)
    return outs + [cts[i] for i in shape.observers]


class _Entry:
    """A compiled backward program, its IR, and (made on demand) the ops that differentiate it again."""

    def __init__(self, shape: _Shape, backend):
        self.n_slots = len(shape.slot_avals)
        self.present = [r is not None for r, _ in shape.targets] + [True] * len(shape.observers)
        with new_trace("fgrad.torch.backward") as trace:
            slots = [trace.new_arg(Aval(*a)) for a in shape.slot_avals]
            seeds = [trace.new_arg(Aval(*a)) for a in shape.seed_avals]
            cts = sweep(shape, slots, seeds, lambda aval: full_in(trace, aval[0], 1, aval[1]),
                        traced_functions(shape.nodes))
            outs = [o for o in _requested(shape, cts, lambda aval: full_in(trace, aval[0], 0, aval[1]))
                    if o is not None]
            self.ir = simplify(trace.to_ir(outs), horner=REBUILD_SUMS)
        self.program = compile_ir(self.ir, backend)
        self.grad_ops: list | None = None

    def differentiable_ops(self) -> list:
        """For create_graph: per output, (Op evaluating its IR, the input positions it reads)."""
        if self.grad_ops is None:
            self.grad_ops = [_output_op(self.ir, j) for j in range(len(self.ir.outs))]
        return self.grad_ops


# torch's node for a derivative whose last operation is this primitive (others: MulBackward0)
_NAMES = {ew.mul_p: "MulBackward0", ew.add_p: "AddBackward0", ew.sub_p: "SubBackward0", ew.div_p: "DivBackward0",
          ew.neg_p: "NegBackward0", sh.reshape_p: "ViewBackward0", sh.broadcast_in_dim_p: "ExpandBackward0",
          lin.dot_general_p: "MmBackward0", ew.select_p: "WhereBackward0", ew.integer_pow_p: "PowBackward0",
          red.reduce_sum_p: "SumBackward1", sh.transpose_p: "PermuteBackward0"}


def _output_op(ir: IR, j: int):
    """An Op computing output j of `ir` from the inputs it uses, named after its last operation."""
    out = ir.outs[j]
    one = dce(IR(ir.in_vars, ir.const_vars, ir.consts, ir.eqns, [out]))
    used = {a for e in one.eqns for a in e.inputs if isinstance(a, Var)} | {out}
    positions = [k for k, v in enumerate(ir.in_vars) if v in used]
    sub = IR([ir.in_vars[k] for k in positions], one.const_vars, one.consts, one.eqns, [out])
    last = next((e.prim for e in one.eqns if e.out is out), None)
    return Op(_NAMES.get(last, "MulBackward0"), lambda *args: eval_ir(sub, list(args))[0]), positions


# --- the engine --------------------------------------------------------------------------------

def _seeds(tensors, grads, create_graph: bool):
    """Check the roots and their gradients; returns (seed arrays, seed sources, per-root seed index)."""
    seeds, srcs, index = [], [], []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if not t._rg:
            raise torch_error(E.NO_GRAD[0].format(i=i), E.NO_GRAD[1])
        if g is None:
            if t._data.size != 1:
                raise torch_error(*E.NON_SCALAR)
            if not create_graph:        # a literal one: the simplifier folds it away
                index.append(None)
                continue
            g = np.ones_like(t._data)
        if isinstance(g, Tensor):
            if g._data.shape != t._data.shape:
                raise torch_error(E.GRAD_SHAPE[0].format(i=i, got=g.shape, want=t.shape), E.GRAD_SHAPE[1])
            srcs.append(g.grad_fn or (g if g._rg else None))
            g = g._data
        else:
            srcs.append(None)
        index.append(len(seeds))
        seeds.append(np.asarray(g, t._data.dtype))
    return seeds, srcs, index


def run_backward(tensors: Sequence, grads: Sequence, retain_graph: bool | None, create_graph: bool,
                 inputs: Sequence | None = None, allow_unused: bool = False):
    """The engine behind Tensor.backward (inputs=None: accumulate into leaves) and autograd.grad."""
    if retain_graph is None:
        retain_graph = create_graph
    seeds, seed_srcs, seed_index = _seeds(tensors, grads, create_graph)
    nodes = _collect([t.grad_fn for t in tensors if t.grad_fn is not None])
    if USED.packed:
        unpack(nodes)                    # values kept by saved_tensors_hooks
    plan = Plan(nodes)
    if plan.nodes and LAST_INPLACE[0] > plan.nodes[0].seq:     # something changed in place since
        check_versions(plan.nodes)
    roots = [(plan.route(t, root=True), s, (t._data.shape, t._data.dtype)) for t, s in zip(tensors, seed_index)]
    wanted = plan.leaves[:] if inputs is None else list(inputs)
    targets = [(plan.route(t), (t._data.shape, t._data.dtype)) for t in wanted]
    for i, (route, _) in enumerate(targets):
        if route is None and not allow_unused:
            raise torch_error(E.UNUSED[0].format(i=i), E.UNUSED[1])
    observers = [i for i, n in enumerate(plan.nodes) if n.retained is not None] if USED.retained else []
    shape = _Shape(plan, roots, targets, observers, [(s.shape, s.dtype) for s in seeds])
    if (USED.hooks and any(n.hooks for n in plan.nodes)) or \
            (ANOMALY.enabled and ANOMALY.check_nan and not create_graph):
        outs = _run_eagerly(shape, plan, seeds)
    else:
        outs = _run_compiled(shape, plan, seeds, seed_srcs, create_graph)
    if not retain_graph:
        for n in plan.nodes:
            if n.op.saves:
                n.freed, n.vals, n.outver, n.result = True, None, None, None
    grads_out = outs[:len(targets)]
    for i, g in zip(observers, outs[len(targets):]):
        t = plan.nodes[i].retained()
        if t is not None:              # torch adds to a retained .grad, as to a leaf's
            g = g if isinstance(g, Tensor) else Tensor._wrap(np.array(g))
            t._grad = g if t._grad is None else t._grad + g
    if inputs is not None:
        return tuple(g if g is None or isinstance(g, Tensor) else Tensor._wrap(np.array(g)) for g in grads_out)
    for leaf, g in zip(wanted, grads_out):
        _accumulate(leaf, g)
    return None


def _run_compiled(shape: _Shape, plan: Plan, seeds: list, seed_srcs: list, create_graph: bool) -> list:
    """The structure's whole-graph program, or in its first calls (NumPy backend) the eager tier.

    create_graph needs the whole-graph IR (its gradients are recorded as ops over it), and XLA's
    results differ from NumPy's in the last bits, so those compile at once as before.
    """
    backend = _BACKEND[0] or config.backend
    key = (plan.key, tuple(shape.roots), tuple(shape.targets), tuple(shape.observers),
           tuple(shape.seed_avals), backend)
    token = enter()                      # torch computes inf and nan silently (constant folding too)
    try:
        with _CACHE_LOCK:
            found = CACHE.get(key)
        if found is None and backend == "numpy" and not create_graph and _run_eagerly_again(key):
            _EAGER_RUNS[0] += 1
            return _owned(_requested(shape, run_eagerly(shape, plan.vals, seeds), _zeros), seeds)
        entry = found[0] if found else _compile(key, shape, backend)
        values = entry.program(*plan.vals, *seeds)
    finally:
        leave(token)
    it = iter(values)
    outs = [next(it) if p else None for p in entry.present]
    if not create_graph:
        return outs
    return _with_graph(entry, plan, seeds, seed_srcs, outs)


def _run_eagerly_again(key: tuple) -> bool:
    """Whether the structure `key` has run eagerly fewer than EAGER_RUNS_BEFORE_COMPILING times
    (counting this call)."""
    h = hash(key)
    runs = _SEEN_ONCE.get(h)
    if runs is None:
        _SEEN_ONCE.put(h, [1])
        return True
    if runs[0] < EAGER_RUNS_BEFORE_COMPILING:
        runs[0] += 1
        return True
    return False


def _compile(key: tuple, shape: _Shape, backend: str) -> _Entry:
    entry = _Entry(shape, backend)
    with _CACHE_LOCK:
        CACHE.add(key, entry)
    return entry


def _zeros(aval: tuple) -> np.ndarray:
    return np.zeros(aval[0], aval[1])


def _owned(outs: list, seeds: list) -> list:
    """Eager gradients as arrays of their own, as the compiled program returns them: an array that
    reaches two outputs, or a gradient the caller passed in, is copied (a leaf's .grad is later
    added to in place)."""
    seen = {id(s) for s in seeds}
    made = []
    for g in outs:
        if isinstance(g, np.ndarray):
            if id(g) in seen:
                g = g.copy()
            seen.add(id(g))
        made.append(g)
    return made


def _with_graph(entry: _Entry, plan: Plan, seeds: list, seed_srcs: list, outs: list) -> list:
    """create_graph: each gradient is a tensor recorded as an op over the values it was computed from."""
    srcs = plan.slot_srcs + seed_srcs
    args = plan.vals + seeds
    made, ops = [], iter(entry.differentiable_ops())
    for value in outs:
        if value is None:
            made.append(None)
            continue
        op, positions = next(ops)
        made.append(_differentiable(op, [args[k] for k in positions], [srcs[k] for k in positions], value))
    return made


def _differentiable(op: Op, vals: list, srcs: list, value) -> object:
    out = Tensor._wrap(np.array(value))
    if any(s is not None for s in srcs):
        out.grad_fn = op.node_cls(op, (), tuple(vals), tuple(srcs), out._data)
        out._rg = True
    return out


def _run_eagerly(shape: _Shape, plan: Plan, seeds: list) -> list:
    """With hooks on intermediate tensors or anomaly detection: the same sweep on arrays, calling the
    hooks (and checking each node's gradients) in between."""
    def hook(i, ct):
        node = plan.nodes[i]
        for fn in node.hooks or ():
            replaced = fn(Tensor._wrap(ct))
            if replaced is not None:
                ct = _checked_hook_result(fn, ct, replaced)._data
        return ct

    check = checker(plan.nodes) if ANOMALY.enabled and ANOMALY.check_nan else None
    token = enter()
    try:
        cts = run_eagerly(shape, plan.vals, seeds, hook, check)
    finally:
        leave(token)
    return _requested(shape, cts, _zeros)


def _checked_hook_result(fn, grad, replaced):
    """torch's errors when a hook returns something other than a gradient of the same size and type."""
    name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(replaced, Tensor):
        raise TypeError(f"expected Tensor or None (got {type(replaced).__name__})")
    old = grad._data if isinstance(grad, Tensor) else grad
    if replaced._data.shape != old.shape:
        raise torch_error(f"hook '{name}' has changed the size of value",
                          "a gradient hook must return a tensor shaped like the gradient it was given, or None")
    if replaced._data.dtype != old.dtype:
        raise torch_error(f"hook '{name}' has changed the type of value (was torch.{E.SCALAR_NAMES[old.dtype.name]}"
                          f"Tensor got torch.{E.SCALAR_NAMES[replaced._data.dtype.name]}Tensor)",
                          "return the gradient in its own dtype, e.g. g.to(grad.dtype)")
    return replaced


def _accumulate(leaf, g) -> None:
    """Add a gradient into leaf.grad after the leaf's hooks, in place when possible (as torch does)."""
    if leaf._hooks:
        for fn in leaf._hooks:
            replaced = fn(g if isinstance(g, Tensor) else Tensor._wrap(np.array(g)))
            if replaced is not None:
                g = _checked_hook_result(fn, g, replaced)
    if isinstance(g, Tensor) and g.grad_fn is not None:
        leaf._grad = g if leaf._grad is None else leaf._grad + g
        return
    data = g._data if isinstance(g, Tensor) else g
    data = np.asarray(data, leaf._data.dtype)
    if leaf._grad is None:
        if data.base is not None or not data.flags.writeable or data is leaf._data:
            data = data.copy()
        leaf._grad = Tensor._wrap(data)
    elif leaf._grad._data.shape == data.shape and leaf._grad._data.flags.writeable:
        leaf._grad._data += data
    else:
        leaf._grad = Tensor._wrap(leaf._grad._data + data)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs=None) -> None:
    """torch.autograd.backward: accumulate d(sum of tensors * grad_tensors)/d(leaf) into leaf.grad.

    Example:
        >>> import fgrad.torch as torch
        >>> x = torch.ones(2, requires_grad=True)
        >>> torch.autograd.backward([(x * 3).sum()])
        >>> x.grad
        tensor([3., 3.])
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = [grad_tensors] * len(tensors) if grad_tensors is None else [grad_tensors]
    with _GradEnabled(create_graph):
        run_backward(tensors, list(grad_tensors), retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool | None = None, materialize_grads: bool = False) -> tuple:
    """torch.autograd.grad: the gradients of `outputs` with respect to `inputs` (not accumulated).

    With create_graph=True the results are themselves differentiable, so second derivatives work.

    Example:
        >>> import fgrad.torch as torch
        >>> x = torch.tensor(2.0, requires_grad=True)
        >>> (g,) = torch.autograd.grad(x ** 3, x, create_graph=True)
        >>> torch.autograd.grad(g, x)[0]
        tensor(12.)
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs] * len(outputs) if grad_outputs is None else [grad_outputs]
    with _GradEnabled(create_graph):
        out = run_backward(outputs, list(grad_outputs), retain_graph, create_graph, inputs,
                           bool(allow_unused) or materialize_grads)
    if materialize_grads:
        out = tuple(Tensor._wrap(np.zeros_like(t._data)) if g is None else g for g, t in zip(out, inputs))
    return out


class _GradEnabled:
    """Record the gradient computation only when create_graph asks for it."""

    def __init__(self, create_graph: bool):
        self.mode = create_graph

    def __enter__(self):
        self.prev = MODE.enabled
        MODE.enabled = self.mode

    def __exit__(self, *exc):
        MODE.enabled = self.prev
        return False
