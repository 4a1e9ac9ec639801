"""Grad mode and the recorded graph: `Op` (what a torch op is, in fgrad terms) and `Node` (one use of it).

A node keeps the op, its static parameters, the NumPy values of its tensor inputs (once recorded,
only those its backward reads and constants: `_node_backward.forget_unread`), and where each input
came from (the producing node, the leaf tensor that requires grad, or None for a constant).
It has no derivative code: `backward()` differentiates `op.fn` with fgrad's reverse mode.

Example:
    >>> import fgrad.torch as torch
    >>> y = torch.ones(2, requires_grad=True) * 2
    >>> y.grad_fn.name()
    'MulBackward0'
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _errors as E
from ._errors import torch_error
from ._lru import LRU


class _Mode(threading.local):
    """Grad mode, per thread as in torch: a new thread starts with recording enabled."""

    enabled = True


# read on every op as MODE.enabled; no_grad() in one thread leaves the others recording
MODE = _Mode()


class _Anomaly(threading.local):
    """Anomaly detection (fgrad.torch.anomaly), per thread like grad mode."""

    enabled = False
    check_nan = True


ANOMALY = _Anomaly()


class _SavedHooks(threading.local):
    """The saved_tensors_hooks in effect (fgrad.torch.saved), innermost last, per thread."""

    stack: tuple = ()


SAVED_HOOKS = _SavedHooks()


class _KeepInputs(threading.local):
    """How many `replayable_graph` blocks are open in this thread: inside one, new nodes keep every input
    value (the recorded function is replayed from them), not only those their backward reads."""

    depth = 0


KEEP_INPUTS = _KeepInputs()


class _Used:
    """Node features backward() has to look for on every node: each is marked the first time any
    node gets it and stays marked, so a program that never uses one skips that pass over its graph."""

    hooks = False         # a hook registered on a non-leaf tensor (Node.hooks)
    retained = False      # retain_grad() on a non-leaf tensor (Node.retained)
    packed = False        # values packed by saved_tensors_hooks (Node.packed)


USED = _Used()


class _GradMode:
    """A context manager and decorator setting grad mode, restoring the previous mode on exit."""

    mode = True

    def __enter__(self):
        self._prev = MODE.enabled
        MODE.enabled = self.mode
        return None

    def __exit__(self, *exc):
        MODE.enabled = self._prev
        return False

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__() if type(self) is not set_grad_enabled else set_grad_enabled(self.mode):
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):  # noqa: N801 - torch's name
    """Disable recording: `with torch.no_grad(): w -= lr * w.grad` (also a decorator).

    Example:
        >>> import fgrad.torch as torch
        >>> with torch.no_grad():
        ...     print((torch.ones(1, requires_grad=True) * 2).requires_grad)
        False
    """

    mode = False


class enable_grad(_GradMode):  # noqa: N801
    """Re-enable recording inside a no_grad block (also a decorator).

    Example:
        >>> import fgrad.torch as torch
        >>> with torch.no_grad(), torch.enable_grad():
        ...     print(torch.is_grad_enabled())
        True
    """

    mode = True


class set_grad_enabled(_GradMode):  # noqa: N801
    """Set grad mode now (as torch does), or for a `with` block / decorated function.

    Example:
        >>> import fgrad.torch as torch
        >>> with torch.set_grad_enabled(False):
        ...     print(torch.is_grad_enabled())
        False
    """

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self._prev = MODE.enabled
        MODE.enabled = self.mode

    def __enter__(self):
        return None

    def __call__(self, fn: Callable) -> Callable:
        MODE.enabled = self._prev             # as a decorator it only applies inside the function
        return super().__call__(fn)


class replayable_graph(enable_grad):  # noqa: N801 - used as torch's grad-mode managers are
    """enable_grad for running a function whose graph is then replayed (torch.func, autograd.Function):
    the nodes made inside keep all their input values, as the replay reads them.

    Example:
        >>> import fgrad.torch as torch
        >>> from fgrad.torch._graph import replayable_graph
        >>> with replayable_graph():
        ...     y = torch.ones(2, requires_grad=True) + 1
        >>> y.grad_fn.vals[0] is not None
        True
    """

    def __enter__(self):
        KEEP_INPUTS.depth += 1
        return super().__enter__()

    def __exit__(self, *exc):
        KEEP_INPUTS.depth -= 1
        return super().__exit__(*exc)


def is_grad_enabled() -> bool:
    """Whether ops are being recorded. Example: ``torch.is_grad_enabled()`` is ``True`` by default."""
    return MODE.enabled


class Op:
    """One torch operation: the grad_fn name torch shows, and its definition in fgrad.numpy operations.

    `fn(*input_values, *params)` must return what the eager computation returns; reverse mode
    differentiates it. `saves` says whether torch's node keeps tensors (then a second backward
    without retain_graph is an error, as in torch, and in-place changes to them are detected);
    `saves_out` that torch's node keeps its result (exp, tanh, sigmoid, ...), so changing the result
    in place is an error too. `lazy_backward`: its backward is made only when a backward pass reaches
    it (its definition runs user code, as autograd.Function's does, or a whole replay), so its nodes
    keep every input instead of the ones the backward reads.
    """

    __slots__ = ("name", "fn", "saves", "scalar_edge", "saves_out", "node_cls", "lazy_backward")

    def __init__(self, name: str, fn: Callable, saves: bool = True, scalar_edge: bool = False,
                 saves_out: bool = False, lazy_backward: bool = False):
        # scalar_edge: torch wraps the Python number operand in a tensor, shown as (None, 0)
        self.name, self.fn, self.saves, self.scalar_edge = name, fn, saves, scalar_edge
        self.saves_out, self.lazy_backward = saves_out, lazy_backward
        self.node_cls = node_class(name)

    def __repr__(self):
        return f"Op({self.name})"


_seq = itertools.count(1)
# node signature -> (small int id, signature); ids are never reused, so an evicted signature only
# costs a new id (and a recompile) the next time it is seen
_SIG_INDEX = LRU(4096)
_sig_ids = itertools.count()
# a clock reading (a node seq number) taken at the latest in-place change of any tensor: nodes made
# after it cannot hold a changed value, so backward() checks versions only when it is recent
LAST_INPLACE = [0]
_inplace_lock = threading.Lock()
# Version counters belong to memory, as torch's belong to storage: one per root NumPy array (views
# share it), made at the first in-place change. A counter is [version, name of the node that last
# rebound the tensor (or None), clock readings of the latest changes...]; a node made at time s finds
# the changes since among the readings, so recording an op stores nothing extra.
_COUNTERS: dict = {}          # id(root array) -> counter; an entry leaves with its array
_HISTORY = 16                 # changes remembered per counter (an older one still counts as "changed")


def _root(a: np.ndarray) -> np.ndarray:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def counter_of(a: np.ndarray | None) -> list | None:
    """The version counter of the memory `a` views, or None if it was never changed in place."""
    return None if a is None else _COUNTERS.get(id(_root(a)))


def _attach(a: np.ndarray, counter: list) -> None:
    root = _root(a)
    if id(root) not in _COUNTERS:
        weakref.finalize(root, _COUNTERS.pop, id(root), None)
    _COUNTERS[id(root)] = counter


def bump_version(t) -> None:
    """Record an in-place change of `t` (and so of every view of its memory)."""
    if t._ver is False:                 # torch's .data: changes through it are not counted
        return
    with _inplace_lock:
        counter = counter_of(t._data)
        if counter is None:
            counter = [0, None]
            _attach(t._data, counter)
        LAST_INPLACE[0] = now = next(_seq)
        counter[0] += 1
        counter.append(now)
        if len(counter) > 2 + _HISTORY:
            del counter[2]
    for owner in (t, t._base):          # a node that saved its result (exp, sigmoid, ...) now holds a stale one
        node = owner.grad_fn if owner is not None else None
        if node is not None and node.op.saves_out and node.outver is None:
            node.outver = (counter, owner._data)


def rebound(t, old: np.ndarray) -> None:
    """An in-place op in the graph gave `t` a new array: the new memory shares the old one's counter.

    The op's own node keeps the old array as its value of `t` (as torch keeps the original), and
    `t` never writes into it again, so that input is exempt from the node's version check.
    """
    node = t.grad_fn
    node.fresh = next((k for k, v in enumerate(node.vals) if v is old), None)
    counter = counter_of(old)
    if counter is not None:
        with _inplace_lock:
            counter[1] = node.name()
            _attach(t._data, counter)


def changes_since(counter: list | None, seq: int) -> int:
    """How many in-place changes `counter` saw after clock reading `seq` (0 for no counter)."""
    if counter is None or len(counter) == 2 or counter[-1] < seq:
        return 0
    return sum(1 for s in counter[2:] if s > seq)


def check_inplace(t) -> None:
    """torch's refusal to change a leaf that requires grad, or a view of one, in place while recording."""
    if MODE.enabled:
        if t._rg and t.grad_fn is None:
            raise torch_error(*E.LEAF_INPLACE)
        base = t._base
        if base is not None and t.grad_fn is not None and base._rg and base.grad_fn is None:
            raise torch_error(*E.VIEW_INPLACE)


def unpack_signature(sig: tuple) -> tuple:
    """(op, params, input shapes, input dtypes, differentiable mask, output dtype) of a signature."""
    op, params, shapes, dtypes, mask, out_dtype = sig
    if isinstance(dtypes, str):
        shapes, dtypes, mask = (shapes,), (dtypes,), (mask,)
    return op, params, shapes, [np.dtype(d) for d in dtypes], mask, np.dtype(out_dtype)


def intern_signature(sig: tuple) -> tuple:
    """(a small int standing for `sig`, the one stored copy of `sig`): cache keys of big graphs are
    tuples of ints, and nodes share the stored copy instead of keeping their own."""
    found = _SIG_INDEX.get(sig)
    if found is None:
        return _SIG_INDEX.put(sig, (next(_sig_ids), sig))
    _SIG_INDEX.touch(sig)
    return found


class Node:
    """A recorded op application (a tensor's `grad_fn`); its class is named as torch names it.

    `outver`: (version counter, value) of its result once that was changed in place, for ops that
    save their result (see bump_version); `fresh` (set only by in-place ops, see rebound): the input
    exempt from version checks.
    """

    __slots__ = ("op", "vals", "srcs", "sig", "sigt", "seq", "freed", "hooks", "retained", "mark", "idx",
                 "outver", "fresh", "stack", "result", "packed", "__weakref__")

    def __init__(self, op: Op, params: tuple, vals: tuple, srcs: tuple, out):
        self.op, self.vals, self.srcs = op, vals, srcs
        self.seq = next(_seq)
        self.freed = False
        self.hooks = self.retained = self.outver = None
        # the forward call's stack, for anomaly detection's warning (fgrad.torch.anomaly)
        self.stack = _forward_stack() if ANOMALY.enabled else None
        self.mark = self.idx = 0             # scratch for the backward walk (see autograd._collect)
        # the signature decides the node's backward IR; one-input nodes (most) get a flat, cheaper key
        if len(vals) == 1:
            v = vals[0]
            sig = (op, params, v.shape, v.dtype.char, srcs[0] is not None, out.dtype.char)
        else:
            sig = (op, params, tuple([v.shape for v in vals]), tuple([v.dtype.char for v in vals]),
                   tuple([s is not None for s in srcs]), out.dtype.char)
        self.sig, self.sigt = _SIG_INDEX.get(sig) or intern_signature(sig)
        self.result = out if op.saves_out else None      # grad_fn._saved_result
        self.packed = _packed(self, out) if SAVED_HOOKS.stack else None

    def name(self) -> str:
        """torch's class name of this node, e.g. 'MulBackward0'."""
        return self.op.name

    @property
    def next_functions(self) -> tuple:
        """((grad_fn or AccumulateGrad or None, 0), ...) for each tensor input, as in torch."""
        edges = tuple((edge_of(s), 0) for s in self.srcs)
        return edges + ((None, 0),) if self.op.scalar_edge else edges

    @property
    def metadata(self) -> dict:
        return {}

    @property
    def _saved_self(self):
        from .saved import saved_input
        return saved_input(self, 0, "_saved_self")

    @property
    def _saved_other(self):
        from .saved import saved_input
        return saved_input(self, 1, "_saved_other")

    @property
    def _saved_result(self):
        from .saved import saved_result
        return saved_result(self)

    def register_hook(self, fn: Callable) -> None:
        raise NotImplementedError("grad_fn.register_hook is not supported; use tensor.register_hook")

    def __repr__(self):
        return f"<{self.op.name} object at {hex(id(self))}>"


def _forward_stack() -> str:
    from .anomaly import forward_stack
    return forward_stack()


def _packed(node: Node, out) -> list:
    from .saved import pack
    USED.packed = True
    return pack(node, out)


_NODE_CLASSES = LRU(1024)


def node_class(name: str) -> type:
    """The Node subclass called `name` (made once per name), so type(y.grad_fn).__name__ is torch's."""
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        # torch's node classes live in no module: repr(type(grad_fn)) is "<class 'MulBackward0'>"
        cls = _NODE_CLASSES.put(name, type(name, (Node,), {"__slots__": (), "__module__": "builtins"}))
    return cls


class AccumulateGrad:
    """The node torch shows for a leaf that requires grad; `.variable` is the leaf."""

    __slots__ = ("variable", "__weakref__")

    def __init__(self, variable):
        self.variable = variable

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {hex(id(self))}>"


def edge_of(src) -> Any:
    """What next_functions shows for an input source."""
    if src is None or isinstance(src, Node):
        return src
    if src._accum is None:
        src._accum = AccumulateGrad(src)
    return src._accum
