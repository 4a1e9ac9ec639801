"""autograd.tracer on fgrad: `primitive`, `notrace_primitive`, `Box`, `isbox`, `getval`.

A function decorated with `@primitive` works on plain NumPy arrays; fgrad's tracers never reach its
body. Called with traced arguments, it runs once on their concrete values (to learn its output's
shape and dtype, and to give the trace that value) and is recorded as one `host_call` equation per
output leaf (fgrad/primitives/host_call.py), which the compiled program calls again on each run.
Its derivatives are the rules given to `defvjp`/`defjvp` (fgrad/autograd/core.py), traced when a
transform needs them, so rules written with `fgrad.autograd.numpy` differentiate to any order.

Positional arguments are traced, and so are the values inside list, tuple and dict arguments (the
containers autograd boxes); keyword arguments never are, as in autograd.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from ..core import Tracer, aval_of
from ..errors import ConcretizationError, user_location
from ..primitives.host_call import HostCall, host_call
from ..tree import tree_flatten, tree_unflatten

Box = Tracer
"""The type of a traced value (autograd's Box; here fgrad's Tracer)."""


def isbox(x) -> bool:
    """Whether `x` is a traced value.

    Example:
        >>> import fgrad
        >>> float(fgrad.grad(lambda x: x * isbox(x))(1.0))
        1.0
    """
    return isinstance(x, Tracer)


def getval(x):
    """The concrete value of a traced `x` (read now, so it carries no derivative); `x` itself otherwise.

    Example:
        >>> getval(2.0)
        2.0
    """
    return x.concrete_value() if isinstance(x, Tracer) else x


def subvals(args: tuple, pairs) -> tuple:
    """`args` with `args[i]` replaced by `v` for each `(i, v)` in `pairs`.

    Example:
        >>> subvals((1, 2, 3), [(0, 9)])
        (9, 2, 3)
    """
    out = list(args)
    for i, v in pairs:
        out[i] = v
    return tuple(out)


def _name(fun) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _wrap(wrapper: Callable, fun: Callable) -> Callable:
    # name and docs only: copying __dict__ would copy another primitive's rules
    functools.update_wrapper(wrapper, fun, assigned=("__module__", "__name__", "__qualname__", "__doc__"),
                             updated=())
    return wrapper


def primitive(fun: Callable) -> Callable:
    """Make `fun`, a function of NumPy arrays, an autograd primitive: its derivative is what
    `defvjp`/`defjvp` say, and fgrad's transforms call it on concrete arrays.

    Parameters:
        fun: a Python function; its positional arguments may be traced, its keyword arguments not.

    Returns:
        The wrapped function (call it as `fun`; `.fun` is the original).

    Raises:
        TypeError: when called on abstract values (under fgrad.jit), which it cannot compute on.
        NotImplementedError: when differentiated without a rule for that argument.

    Example:
        >>> import numpy as np
        >>> from fgrad.autograd import grad
        >>> from fgrad.autograd.extend import defvjp
        >>> @primitive
        ... def logsumexp(x):
        ...     return np.log(np.sum(np.exp(x)))
        >>> defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
        >>> grad(logsumexp)(np.zeros(2))
        array([0.5, 0.5])
    """
    def f_wrapped(*args, **kwargs):
        layout = _traced_layout(f_wrapped, args, kwargs)
        if layout is None:
            return fun(*args, **kwargs)
        return _Site(f_wrapped, layout, kwargs).outputs()

    f_wrapped.fun = fun
    f_wrapped._is_autograd_primitive = True
    f_wrapped._vjp_argnums = f_wrapped._jvp_argnums = None
    return _wrap(f_wrapped, fun)


def notrace_primitive(fun: Callable) -> Callable:
    """A function whose result carries no derivative: it is called on the arguments' values.

    A result made of arrays and floats is computed by the running program (one `host_call`, with a
    zero derivative); any other result (shapes, dtypes, Python ints and bools) is computed once,
    when the function is traced, so it must depend on the arguments' shapes and dtypes only.

    Example:
        >>> import numpy as np
        >>> from fgrad.autograd import grad
        >>> floor = notrace_primitive(np.floor)
        >>> float(grad(lambda x: x * floor(x))(2.5))
        2.0
    """
    def f_wrapped(*args, **kwargs):
        layout = _traced_layout(f_wrapped, args, kwargs)
        if layout is None:
            return fun(*args, **kwargs)
        example, concrete = _example(f_wrapped, layout, kwargs)
        leaves, _ = tree_flatten(example)
        if not leaves or not all(isinstance(v, (np.ndarray, np.generic, float, complex)) for v in leaves):
            return example
        return _Site(f_wrapped, layout, kwargs, (example, concrete)).outputs()

    f_wrapped.fun = fun
    f_wrapped._is_autograd_primitive = True
    f_wrapped._vjp_argnums = lambda argnums, *_: lambda g: [None] * len(argnums)
    f_wrapped._jvp_argnums = lambda *_: None
    return _wrap(f_wrapped, fun)


def _traced_layout(prim, args: tuple, kwargs: dict):
    """The layout of the traced values among `args` (None: there are none)."""
    _refuse_traced_kwargs(prim, kwargs)
    if not any(isinstance(a, (Tracer, list, tuple, dict)) for a in args):
        return None
    layout = _Layout(args)
    return layout if layout.tracers else None


def _refuse_traced_kwargs(prim, kwargs: dict) -> None:
    for key, value in kwargs.items():
        if isinstance(value, Tracer):
            raise TypeError(f"the autograd primitive {_name(prim)} got a traced value for its keyword argument "
                            f"{key!r} at {user_location()}; keyword arguments of a primitive are not "
                            "differentiated (as in autograd): pass it positionally")


class _Layout:
    """Where the traced values sit among a call's positional arguments: an argument that is traced,
    or a list, tuple or dict holding traced values (what autograd boxes as a container)."""

    def __init__(self, args: tuple):
        self.template, self.parts, self.tracers = list(args), [], []
        for i, a in enumerate(args):
            if not isinstance(a, (Tracer, list, tuple, dict)):
                continue
            leaves, tree = tree_flatten(a)
            slots = [k for k, v in enumerate(leaves) if isinstance(v, Tracer)]
            if slots:
                self.tracers += [leaves[k] for k in slots]
                # kept without the tracers, so a program holding this layout keeps no trace alive
                self.parts.append((i, tree, [None if k in slots else v for k, v in enumerate(leaves)], slots))
                self.template[i] = None
        self.owner = [i for i, _, _, slots in self.parts for _ in slots]   # argnum of each traced value

    def fill(self, values) -> tuple:
        """The positional arguments with the traced values replaced by `values`, in order."""
        it, args = iter(values), list(self.template)
        for i, tree, leaves, slots in self.parts:
            new = list(leaves)
            for k in slots:
                new[k] = next(it)
            args[i] = tree_unflatten(tree, new)
        return tuple(args)

    def split(self, flat: list) -> dict:
        """argnum -> the values of `flat` (one per traced value) that belong to that argument."""
        out: dict = {}
        for argnum, v in zip(self.owner, flat):
            out.setdefault(argnum, []).append(v)
        return out

    def tangent(self, argnum: int, values: list):
        """Argument `argnum` made of the tangents `values` (None: zero), zeros elsewhere."""
        i, tree, leaves, slots = next(p for p in self.parts if p[0] == argnum)
        new = [np.zeros(np.shape(v), np.result_type(v)) if isinstance(v, (np.ndarray, np.generic, float, complex))
               else v for v in leaves]
        for k, v, t in zip(slots, values, (self.tracers[j] for j, o in enumerate(self.owner) if o == argnum)):
            new[k] = np.zeros(t.shape, t.dtype) if v is None else v
        return tree_unflatten(tree, new)

    def cotangents(self, argnum: int, ct) -> list:
        """The cotangent `ct` of argument `argnum` as one entry per traced value in it."""
        i, tree, leaves, slots = next(p for p in self.parts if p[0] == argnum)
        if ct is None:
            return [None] * len(slots)
        ct_leaves, ct_tree = tree_flatten(ct)
        if ct_tree != tree:
            raise TypeError(f"a vjp rule returned a cotangent of structure {ct_tree} for argument {argnum}, whose "
                            f"structure is {tree} (at {user_location()}); return one of the argument's structure")
        return [ct_leaves[k] for k in slots]


def _example(prim, layout: _Layout, kwargs: dict) -> tuple:
    """`(prim.fun's output on example values of the traced arguments, whether those were their
    concrete values)`. Under an abstract trace (fgrad.jit, or a derivative rule being traced) the
    examples are arrays of ones, then of zeros, of the right shapes: only the output's structure,
    shapes and dtypes are used then."""
    try:
        values = [t.concrete_value() for t in layout.tracers]
        return prim.fun(*layout.fill(values), **kwargs), True
    except ConcretizationError:
        pass
    for fill in (np.ones, np.zeros):
        try:
            with np.errstate(all="ignore"):
                return prim.fun(*layout.fill([fill(t.shape, t.dtype) for t in layout.tracers]), **kwargs), False
        except Exception:  # noqa: BLE001, S112 - a probe: any failure means trying the next fill
            continue
    raise TypeError(f"the autograd primitive {_name(prim)} runs its Python body on concrete NumPy arrays; at "
                    f"{user_location()} it got abstract traced arrays {[t.aval for t in layout.tracers]} (inside "
                    "fgrad.jit, or in a derivative rule), and it fails on arrays of ones and of zeros of those shapes, "
                    "so the shape of its output is unknown. Call it outside fgrad.jit, or write it with fgrad.numpy "
                    "operations (or fgrad.custom_vjp) so that it can be traced")


class _Site:
    """One call of a primitive on traced arguments: where they sit, and the output's structure."""

    def __init__(self, prim, layout: _Layout, kwargs: dict, example: tuple | None = None):
        self.prim, self.layout, self.kwargs = prim, layout, kwargs
        self.tracers = layout.tracers
        # the values whose cotangents are wanted: a rule is needed for those only, as autograd
        # asks for the rules of boxed arguments only (a trace marking none differentiates all)
        self.needed = [not t._trace.differentiated or t._trace.depends_on_differentiated(t._var)
                       for t in self.tracers]
        # the output on example values, and whether those were the concrete values
        example, self.concrete = example or _example(prim, layout, kwargs)
        self.leaves, self.tree = tree_flatten(example)
        try:
            self.avals = [aval_of(np.asarray(v)) for v in self.leaves]
            numeric = all(a.dtype.kind in "biufc" for a in self.avals)
        except TypeError:
            numeric = False
        if not numeric:
            raise TypeError(f"the autograd primitive {_name(prim)} returned {type(example).__name__} at "
                            f"{user_location()}; a primitive returns arrays, numbers, or lists, tuples and dicts "
                            "of them")
        from .core import PrimitiveRules
        self.calls = [HostCall(self._leaf_fun(j), aval, _name(prim), PrimitiveRules(self, j))
                      for j, aval in enumerate(self.avals)]

    def args(self, values: list) -> tuple:
        """The positional arguments with the traced values replaced by `values`."""
        return self.layout.fill(values)

    def _leaf_fun(self, j: int) -> Callable:
        def run(*arrays):
            return tree_flatten(self.prim.fun(*self.args(list(arrays)), **self.kwargs))[0][j]
        return run

    def outputs(self):
        outs = []
        for call, value in zip(self.calls, self.leaves):
            out = host_call(call, *self.tracers)
            if self.concrete:   # the trace already knows this value: never compute it twice
                out._trace.values[out._var] = np.asarray(value, call.out_aval.dtype)
            outs.append(out)
        return tree_unflatten(self.tree, outs)

    def output_tree(self, primals: list, j: int, out):
        """The whole output at `primals`, leaf `j` being `out` (the others recorded again)."""
        leaves = [out if k == j else host_call(c, *primals) for k, c in enumerate(self.calls)]
        return tree_unflatten(self.tree, leaves)
