"""torch.autograd.Function on fgrad's custom_vjp: no derivative rules here.

`apply` runs the user's `forward` once, on fresh leaves standing for its tensor arguments, which
records its graph (fgrad.torch.func.Recording). Each output becomes a tensor whose node's definition
is an fgrad.custom_vjp function of the input arrays: its primal replays the recorded forward; its
backward rule records the user's `backward` on stand-ins for the saved tensors and the incoming
gradients (when a backward pass first needs it) and replays that recording on fgrad's tracers. So
`backward()` differentiates the graph with fgrad's reverse mode as usual, and a `backward` written in
differentiable ops differentiates again (create_graph=True).

Example:
    >>> import fgrad.torch as torch
    >>> class Cube(torch.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 3 * x ** 2 * grad
    >>> x = torch.tensor(2.0, requires_grad=True)
    >>> Cube.apply(x).backward()
    >>> x.grad
    tensor(12.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .. import custom
from ..core import Tracer
from ..numpy import astype
from ..tree import tree_flatten, tree_unflatten
from . import ops
from ._errors import torch_error
from ._graph import MODE, Node, Op, replayable_graph
from ._lru import LRU
from .func import Recording, fresh_leaf, ordered_like
from .func import _graph_clock as _clock
from .tensor import Tensor


class FunctionCtx:
    """The `ctx` a Function's forward and backward share (torch.autograd.function.FunctionCtx)."""

    def __init__(self, needs_input_grad: tuple):
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved: tuple = ()
        self._non_differentiable: set = set()
        self._stand_ins: tuple | None = None       # what saved_tensors gives while backward is recorded

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or None) for backward; read them there as `ctx.saved_tensors`."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {tensors.index(t)} is "
                                f"not a Variable")
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        return self._saved if self._stand_ins is None else self._stand_ins

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (their requires_grad is False)."""
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """With False, backward gets None (not zeros) for outputs that received no gradient."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """Accepted for compatibility: in-place changes of inputs are tracked by their version counters."""


def once_differentiable(fn: Callable) -> Callable:
    """Mark a backward as not differentiable again: differentiating its result raises torch's error."""
    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        return fn(ctx, *grads)
    wrapper.once_differentiable = True
    return wrapper


def _twice(_, g):
    raise torch_error("trying to differentiate twice a function that was marked with @once_differentiable",
                      "remove @once_differentiable from the backward, or do not use create_graph=True through it")


_once = custom.custom_vjp(lambda x: x)
_once.defvjp(lambda x: (x, None), _twice)


class _FunctionMeta(type):
    """Gives each Function subclass the node class torch shows for its outputs (`MyReLUBackward`)."""

    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        node = type(f"{name}Backward", (Node,), {"__slots__": (), "__module__": "torch.autograd.function",
                                                  "__repr__": _node_repr})
        cls._node_cls = node


def _node_repr(self) -> str:
    return f"<torch.autograd.function.{self.op.name} object at {hex(id(self))}>"


class Function(metaclass=_FunctionMeta):
    """A differentiable operation with its own forward and backward, as torch.autograd.Function.

    Subclass it with static `forward(ctx, *args)` (or `forward(*args)` with `setup_context(ctx,
    inputs, output)`) and `backward(ctx, *grad_outputs)` returning one gradient (or None) per input;
    call it with `MyFunction.apply(*args)`.
    """

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it "
                                  "with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and return its outputs, connected to the graph through backward."""
        ctx = FunctionCtx(tuple(isinstance(a, Tensor) and a.requires_grad for a in args))
        leaves = [fresh_leaf(a) if isinstance(a, Tensor) else a for a in args]
        start = next(_clock)
        with replayable_graph():           # the replay reads every input value
            out = cls._forward(ctx, leaves, kwargs)
        out_leaves, out_tree = tree_flatten(out)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        inputs = [args[i] for i in positions]
        if not (MODE.enabled and any(t.requires_grad for t in inputs)):
            return tree_unflatten(out_tree, [_plain(o) for o in out_leaves])
        rule = _Rule(cls, ctx, [leaves[i] for i in positions], out_leaves, start, len(args), positions)
        key = _apply_key(rule, args, kwargs, out_tree)
        shared = _RULES.get(key) if key is not None else None
        if shared is not None:            # an apply like an earlier one reuses its rule and its nodes' ops,
            rule = shared                 # so backward() finds its compiled program
        else:
            rule.key = key                # shared once its backward is known to read no recorded values
        made = [_plain(o) if not isinstance(o, Tensor) or id(o) in ctx._non_differentiable or o._data.dtype.kind != "f"
                else rule.output(k, inputs, o._data) for k, o in enumerate(out_leaves)]
        return ordered_like(tree_unflatten(out_tree, made), out)

    @classmethod
    def _forward(cls, ctx, args: list, kwargs: dict):
        if cls.setup_context is not Function.setup_context:
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, tuple(args), out)
            return out
        return cls.forward(ctx, *args, **kwargs)


def _as_gradient(value, like: Tensor, once: bool):
    if value is None:
        return None
    value = astype(value, like._data.dtype)
    return _once(value) if once else value


def _plain(o):
    return ops.wrap(o._data) if isinstance(o, Tensor) else o


class _Rule:
    """One application of a Function as an fgrad custom_vjp function of its input arrays."""

    def __init__(self, cls, ctx: FunctionCtx, leaves: list, out_leaves: list, start: int, nargs: int,
                 positions: list):
        self.cls, self.ctx, self.out_leaves, self.nargs, self.positions = cls, ctx, out_leaves, nargs, positions
        self.inputs = dict(zip(positions, leaves))
        saved = [t for t in ctx._saved if t is not None]
        self.forward = Recording(leaves, (list(out_leaves), saved), start=start)
        self.op_name = f"{cls.__name__}Backward"
        fn = custom.custom_vjp(lambda *arrays: self.forward.replay(*arrays)[0])
        fn.defvjp(lambda *arrays: self.forward.replay(*arrays), self._bwd)
        self.fn, self.ops, self.key = fn, {}, None
        self.tangent_fn = self._tangent_function() if cls.jvp is not Function.jvp else None
        self.tangent_recording: Recording | None = None

    def _tangent_function(self) -> custom.custom_jvp:
        """The forward as an fgrad custom_jvp function whose rule replays the user's `jvp` (forward mode)."""
        fn = custom.custom_jvp(lambda *arrays: tuple(self.forward.replay(*arrays)[0]))
        fn.defjvp(lambda primals, tangents: (fn.fun(*primals), self._jvp(tangents)))
        return fn

    def _jvp(self, tangents: list) -> tuple:
        """The user's jvp, recorded once on stand-ins for the input tangents (it may free what it reads
        from ctx, as torch's tutorials do) and replayed on `tangents`; what it reads from the forward
        enters at this apply's values."""
        if self.tangent_recording is None:
            stand_ins = [fresh_leaf(self.inputs[i]) for i in self.positions]
            it = iter(stand_ins)
            given = [next(it) if i in self.inputs else None for i in range(self.nargs)]
            start = next(_clock)
            with replayable_graph():           # the replay reads every input value
                result = self.cls.jvp(self.ctx, *given)
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(self.out_leaves):
                raise torch_error(f"function {self.cls.__name__}_jvp returned an incorrect number of outputs "
                                  f"(expected {len(self.out_leaves)}, got {len(result)})",
                                  "return one tangent per output of forward")
            self.tangent_recording = Recording(stand_ins, list(result), start=start)
        values = self.tangent_recording.replay(*tangents)
        return tuple(astype(v, o._data.dtype) for v, o in zip(values, self.out_leaves))

    def _call(self, arrays: tuple) -> tuple:
        """The outputs for `arrays`: through the user's jvp under forward mode when it has one, else
        through its backward."""
        if self.tangent_fn is not None and custom.differentiated(list(arrays), ("jvp", "linearize")):
            return self.tangent_fn(*arrays)
        return self.fn(*arrays)

    def output(self, k: int, inputs: list, value) -> Tensor:
        """Output `k` (its value computed by this apply) as a tensor whose node's op is this rule's."""
        op = self.ops.get(k)
        if op is None:
            op = self.ops[k] = Op(self.op_name, lambda *arrays: self._call(arrays)[k], lazy_backward=True)
            op.node_cls = self.cls._node_cls
        return ops.record(op, tuple(inputs), (), np.array(value))

    def _bwd(self, saved: list, cts: list) -> tuple:
        """The user's backward, recorded on stand-ins, replayed on the residuals and cotangents (a
        cotangent that is not a tracer is custom_vjp's zero for an output that got no gradient)."""
        ctx = self.ctx
        stand_ins = [fresh_leaf(t) for t in ctx._saved if t is not None]
        it = iter(stand_ins)
        ctx._stand_ins = tuple(next(it) if t is not None else None for t in ctx._saved)
        given = [isinstance(c, Tracer) or ctx.materialize_grads for c in cts]
        grads_in = [fresh_leaf(ops.wrap(np.ones_like(o._data))) if g else None for g, o in zip(given, self.out_leaves)]
        start = next(_clock)
        try:
            with replayable_graph():           # the replay reads every input value
                result = self.cls.backward(ctx, *grads_in)
        finally:
            ctx._stand_ins = None
        grads = self._check(result if isinstance(result, tuple) else (result,))
        recording = Recording(stand_ins + [g for g in grads_in if g is not None], grads, start=start)
        if self.key is not None and _reads_only_its_inputs(recording):
            _RULES.put(self.key, self)
        replay = recording.replay
        values = replay(*saved, *[c for c, g in zip(cts, given) if g])
        once = getattr(self.cls.backward, "once_differentiable", False)
        return tuple(_as_gradient(values[i], self.inputs[i], once) for i in self.positions)

    def _check(self, grads: tuple) -> list:
        if len(grads) != self.nargs:
            raise torch_error(f"function {self.op_name} returned an incorrect number of gradients (expected "
                              f"{self.nargs}, got {len(grads)})",
                              "return one gradient (or None) per argument of forward")
        return [g if isinstance(g, Tensor) or g is None else ops.wrap(np.asarray(g)) for g in grads]

# (Function class, what its recorded forward and ctx depend on) -> the _Rule of the first such apply
_RULES = LRU(256)
_CTX_OWN = frozenset(vars(FunctionCtx(())))        # ctx's own attributes; the others are the user's
_SMALL = 256                                       # constants compared by value up to this many elements


def _apply_key(rule: _Rule, args: tuple, kwargs: dict, out_tree) -> tuple | None:
    """What an apply's rule depends on, or None when something cannot be compared (a tensor from
    outside the forward, a large constant, an unhashable argument or ctx attribute): the forward's
    nodes (signatures, wiring, constant operands), its outputs and saved tensors, the non-tensor
    arguments, and ctx's settings and user attributes, which the backward may read."""
    recording, ctx = rule.forward, rule.ctx
    if recording.outer:
        return None
    refs = {id(t): ("leaf", i) for i, t in enumerate(recording.leaves)}
    refs.update((id(n), ("node", k)) for k, n in enumerate(recording.order))
    try:
        nodes = tuple((n.sig, tuple(_value_key(v) if s is None else refs[id(s)] for s, v in zip(n.srcs, n.vals)))
                      for n in recording.order)
        outs = tuple(refs[id(o.grad_fn if o.grad_fn is not None else o)] if isinstance(o, Tensor) else _value_key(o)
                     for o in recording.out_leaves)
        plain = tuple(_value_key(a) for a in args if not isinstance(a, Tensor))
        named = tuple(sorted((k, _value_key(v)) for k, v in kwargs.items()))
        attrs = tuple(sorted((k, _value_key(v)) for k, v in vars(ctx).items() if k not in _CTX_OWN))
        dropped = tuple(k for k, o in enumerate(rule.out_leaves) if id(o) in ctx._non_differentiable)
        key = (rule.cls, nodes, outs, recording.out_tree, plain, named, attrs, out_tree, ctx.needs_input_grad,
               ctx.materialize_grads, dropped, tuple(rule.positions), rule.nargs)
        hash(key)
    except (_Uncomparable, KeyError, TypeError):
        return None
    return key


def _reads_only_its_inputs(recording: Recording) -> bool:
    """Whether a recorded backward computes everything from its inputs (the saved tensors and the
    gradients) through recorded operations: no array operand was taken as it was (a mask such as
    `grad[input < 0] = 0` is, from this apply's values), nothing from outside. Only such a backward is
    shared by later applies; a Python branch on a saved value it cannot see (see the docs)."""
    if recording.outer:
        return False
    return all(s is not None or np.ndim(v) == 0 for n in recording.order for s, v in zip(n.srcs, n.vals))


class _Uncomparable(Exception):
    pass


def _value_key(v):
    """A hashable stand-in for a constant, equal for equal values; _Uncomparable when there is none."""
    if isinstance(v, np.ndarray) or isinstance(v, np.generic):
        if v.size > _SMALL:
            raise _Uncomparable
        return ("array", v.shape, v.dtype.str, v.tobytes())
    if isinstance(v, Tensor) or isinstance(v, Tracer):
        raise _Uncomparable
    return (type(v), v)


def _attach() -> None:
    """torch.autograd.Function, gradcheck, gradgradcheck, detect_anomaly and set_detect_anomaly,
    torch.is_anomaly_enabled, and the modules torch.autograd.function, torch.autograd.gradcheck and
    torch.autograd.graph (saved_tensors_hooks)
    (modules of their own here, as autograd is a module too)."""
    import sys

    from . import anomaly, autograd, gradcheck, saved
    autograd.Function, autograd.function = Function, sys.modules[__name__]
    autograd.detect_anomaly, autograd.set_detect_anomaly = anomaly.detect_anomaly, anomaly.set_detect_anomaly
    torch = sys.modules[__package__]
    torch.is_anomaly_enabled, torch.is_anomaly_check_nan_enabled = (anomaly.is_anomaly_enabled,
                                                                    anomaly.is_anomaly_check_nan_enabled)
    torch.set_anomaly_enabled = anomaly.set_anomaly_enabled
    autograd.gradcheck, autograd.gradgradcheck = gradcheck.gradcheck, gradcheck.gradgradcheck
    sys.modules[autograd.__name__ + ".function"] = sys.modules[__name__]
    sys.modules[autograd.__name__ + ".gradcheck"] = gradcheck
    autograd.graph = saved
    sys.modules[autograd.__name__ + ".graph"] = saved


_attach()
