"""The transforms users call: grad, value_and_grad, vjp, jit, make_ir.

Called at top level, a transformed function looks its compiled program up in a bounded cache keyed
by the input structure and avals; called inside another transform, it traces and inlines instead,
which is what makes grad(grad(f)) and jit(grad(f)) work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import numpy as np

from .backends import compile_ir, resolve
from .cache import CompileCache
from .config import config
from .core import IR, Tracer, _trace_stack, aval_of, eval_ir, is_jax_array, new_trace, tracing
from .errors import ArgnumsError, GuardFailure, IntegerInputError, NonScalarOutputError, user_location
from .transforms.ad import backward_ir
from .transforms.partial_eval import partial_eval
from .transforms.simplify import dce, simplify
from .tree import LEAF, TreeDef, tree_flatten, tree_unflatten

_F64 = np.dtype(np.float64)
_FLOAT_KEY = ((), _F64)


# --- leaves: cache keys and values ---------------------------------------------------------------

def _leaf_key(x):
    t = type(x)
    if t is np.ndarray:
        return (x.shape, x.dtype)
    if t is float:
        return _FLOAT_KEY
    if isinstance(x, np.generic):
        return ((), x.dtype)
    if is_jax_array(x):
        return (x.shape, x.dtype)
    if isinstance(x, Tracer):
        x.check_alive()               # a tracer outside any trace leaked from a finished one
    a = np.asarray(x)
    return (a.shape, a.dtype)


def _leaf_value(x):
    t = type(x)
    if t is np.ndarray or isinstance(x, np.generic):
        return x
    if t is float:
        return np.float64(x)
    if is_jax_array(x):
        return x              # kept on its devices, with its sharding, for the xla backend
    a = np.asarray(x)
    if a.dtype == object:
        raise TypeError(f"fgrad cannot use a value of type {type(x).__name__} as an array "
                        f"(at {user_location()}); pass arrays, numbers, or lists/tuples/dicts of them")
    return a[()] if a.ndim == 0 else a


_WITHOUT_KWARGS: dict = {}
NATIVE_MAX_EQNS = 3000     # longer xla programs are compiled in segments, outside a single jax.jit


def _x64_on() -> bool:
    """Whether jax is loaded with 64-bit values enabled (then jax.jit keeps float64 as is)."""
    jax = sys.modules.get("jax")
    return jax is not None and bool(jax.config.jax_enable_x64)


def _jax_reads_like_fgrad(args: tuple) -> bool:
    """Whether jax flattens `args` into the same leaves as fgrad does: a pytree node registered
    with fgrad alone is one opaque leaf to jax."""
    from jax import tree_util
    jax_leaves, leaves = tree_util.tree_leaves(args), _flatten_args(args)[0]
    return len(jax_leaves) == len(leaves) and all(a is b for a, b in zip(jax_leaves, leaves))


def _flatten_args(args: tuple):
    """tree_flatten((args, {})) without walking the empty kwargs: the common, hot case."""
    leaves, args_tree = tree_flatten(args)
    treedef = _WITHOUT_KWARGS.get(args_tree)
    if treedef is None:
        treedef = _WITHOUT_KWARGS[args_tree] = tree_flatten((args, {}))[1]
    return leaves, treedef


# --- tracing -------------------------------------------------------------------------------------

def trace_flat(fun: Callable, treedef: TreeDef, leaves: list, *, concrete: bool, transform: str,
               traced: list[int] | None = None, differentiated: list[int] = ()):
    """Trace `fun(*args, **kwargs)` with the flat `leaves`; returns (IR, output TreeDef).

    Only the leaves at positions `traced` (default: all) become IR inputs; the others are passed to
    `fun` as they are. `differentiated` marks inputs whose derivative is taken, so reading one as a
    Python number (which would drop the derivative) is an error.
    """
    with new_trace(transform, concrete=concrete) as trace:
        tracers = list(leaves)
        for i in (range(len(leaves)) if traced is None else traced):
            leaf = leaves[i]
            if isinstance(leaf, Tracer):
                source = leaf.concrete_value
            else:
                source = (lambda v=leaf: v)
            tracers[i] = trace.new_arg(leaf.aval if isinstance(leaf, Tracer) else aval_of(leaf),
                                       source if concrete else None)
        trace.differentiated = {tracers[i]._var for i in differentiated}
        args, kwargs = tree_unflatten(treedef, tracers)
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree_flatten(out)
        return trace.to_ir(out_leaves), out_tree


def _can_be_concrete(leaves) -> bool:
    return all(not isinstance(x, Tracer) or x._trace.concrete for x in leaves)


def select_outputs(ir: IR, keep: list[int]) -> IR:
    return dce(IR(ir.in_vars, ir.const_vars, ir.consts, ir.eqns, [ir.outs[i] for i in keep]))


# --- the compile cache ---------------------------------------------------------------------------

def _run_cached(cache: CompileCache, key, values: list, build: Callable):
    variants = cache.get(key)
    for program, meta in variants or ():
        try:
            return program(*values), meta
        except GuardFailure:
            continue
    program, meta = build()
    cache.add(key, (program, meta))
    return program(*values), meta


# --- grad and value_and_grad ---------------------------------------------------------------------

def _normalize_argnums(argnums, nargs: int) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(not isinstance(i, int) or not -nargs <= i < nargs for i in nums):
        raise ArgnumsError(argnums, nargs, user_location())
    return tuple(i % nargs for i in nums)


class _GradMeta:
    """What a gradient program returns and how to rebuild the user's structures from it."""

    def __init__(self, n_value: int, value_tree, grad_tree: TreeDef):
        self.n_value, self.value_tree, self.grad_tree = n_value, value_tree, grad_tree


class GradFunction:
    """The function `grad`/`value_and_grad` return; compiled programs are cached per input avals."""

    def __init__(self, fun: Callable, argnums, has_aux: bool, with_value: bool):
        self.fun, self.argnums, self.has_aux, self.with_value = fun, argnums, has_aux, with_value
        self.transform = "value_and_grad" if with_value else "grad"
        self._argnums: dict = {}
        self.cache = CompileCache(f"{self.transform}({getattr(fun, '__name__', 'fun')})")
        self.__name__ = f"{self.transform}_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)

    def __call__(self, *args, **kwargs):
        # The hot path of every training step: kept free of avoidable Python calls.
        argnums = self._argnums.get(len(args))
        if argnums is None:
            argnums = self._argnums[len(args)] = _normalize_argnums(self.argnums, len(args))
        leaves, treedef = tree_flatten((args, kwargs)) if kwargs else _flatten_args(args)
        if _trace_stack:
            return self._inline(leaves, treedef, argnums)
        key = (argnums, treedef, tuple(map(_leaf_key, leaves)))
        values = [_leaf_value(x) for x in leaves]
        outs, meta = _run_cached(self.cache, key, values, lambda: self._compile(values, treedef, argnums))
        return self._finish(outs, meta)

    def _wrt(self, treedef: TreeDef, argnums: tuple) -> tuple[list[int], TreeDef]:
        arg_trees = treedef.children[0].children
        starts = np.cumsum([0] + [t.num_leaves for t in arg_trees]).tolist()
        wrt = [i for a in argnums for i in range(starts[a], starts[a + 1])]
        grad_tree = arg_trees[argnums[0]] if isinstance(self.argnums, int) else \
            TreeDef(tuple, None, tuple(arg_trees[a] for a in argnums))
        return wrt, grad_tree

    def _gradient_ir(self, leaves: list, treedef: TreeDef, argnums: tuple, concrete: bool, traced=None):
        """The gradient program; with `traced` (inline use), only those leaves are its inputs."""
        wrt, grad_tree = self._wrt(treedef, argnums)
        for i in wrt:
            dtype = leaves[i].dtype if isinstance(leaves[i], Tracer) else aval_of(leaves[i]).dtype
            if dtype.kind != "f":
                raise IntegerInputError(dtype, f"input leaf {i} of argnums={self.argnums!r}", user_location())
        ir, out_tree = trace_flat(self.fun, treedef, leaves, concrete=concrete, transform=self.transform,
                                  traced=traced, differentiated=wrt)
        if traced is not None:
            wrt = [traced.index(i) for i in wrt]
        value_tree, n_main = out_tree, 1
        if self.has_aux:
            if out_tree.kind is not tuple or len(out_tree.children) != 2:
                raise TypeError(f"has_aux=True needs the function to return a pair (output, aux), "
                                f"got a structure {out_tree} (at {user_location()})")
            n_main = out_tree.children[0].num_leaves
        main = ir.outs[0].aval if ir.outs else None
        if n_main != 1 or main is None or main.shape:
            shape = main.shape if n_main == 1 and main is not None else f"a {out_tree}"
            raise NonScalarOutputError(shape, user_location())
        if not main.is_float:
            raise TypeError(f"grad requires a real floating-point output, got {main.dtype} "
                            f"(at {user_location()}); compute the loss in floating point")
        gir = backward_ir(simplify(ir), wrt)   # merged duplicates accumulate one cotangent
        n_value = len(ir.outs) if self.with_value else len(ir.outs) - 1
        keep = list(range(len(ir.outs) - n_value, len(gir.outs)))
        return simplify(select_outputs(gir, keep)), _GradMeta(n_value, value_tree, grad_tree)

    def _compile(self, values, treedef, argnums):
        gir, meta = self._gradient_ir(values, treedef, argnums, concrete=True)
        return compile_ir(gir, config.backend), meta

    def _inline(self, leaves, treedef, argnums):
        # as in jax, arguments that are not differentiated reach the function untouched
        traced = sorted(self._wrt(treedef, argnums)[0])
        inputs = [leaves[i] for i in traced]
        gir, meta = self._gradient_ir(leaves, treedef, argnums, _can_be_concrete(inputs), traced)
        return self._finish(eval_ir(gir, inputs), meta)

    def _finish(self, outs, meta: _GradMeta):
        n = meta.n_value
        grads = outs[n] if meta.grad_tree is LEAF else tree_unflatten(meta.grad_tree, outs[n:])
        if n == 0:
            return grads
        value_and_aux = tree_unflatten(meta.value_tree, outs[:n]) if self.with_value else None
        if not self.with_value:                    # grad with has_aux: (grads, aux)
            return grads, tree_unflatten(meta.value_tree.children[1], outs[:n])
        return value_and_aux, grads

    def cache_info(self) -> dict:
        """Hits, misses, size and why the last compile happened."""
        return self.cache.info()


def grad(fun: Callable, argnums=0, has_aux: bool = False) -> GradFunction:
    """The gradient of a scalar function, as a function of the same arguments.

    Example:
        >>> import fgrad
        >>> float(fgrad.grad(lambda x: 2 * x ** 2 + 3)(2.0))
        8.0
    """
    return GradFunction(fun, argnums, has_aux, with_value=False)


def value_and_grad(fun: Callable, argnums=0, has_aux: bool = False) -> GradFunction:
    """A function returning `(fun(*args), grad(fun)(*args))`, computed in one program.

    Example:
        >>> import fgrad
        >>> value, g = fgrad.value_and_grad(lambda x: x ** 2)(3.0)
        >>> float(value), float(g)
        (9.0, 6.0)
    """
    return GradFunction(fun, argnums, has_aux, with_value=True)


# --- vjp -----------------------------------------------------------------------------------------

def _check_float_inputs(leaves, what: str) -> None:
    for i, x in enumerate(leaves):
        dtype = x.dtype if isinstance(x, Tracer) else aval_of(x).dtype
        if dtype.kind != "f":
            raise IntegerInputError(dtype, f"{what} leaf {i}", user_location())


def vjp(fun: Callable, *primals, has_aux: bool = False):
    """Evaluate `fun(*primals)` and return `(out, vjp_fn)` (plus `aux` with has_aux=True).

    `vjp_fn(ct)` takes a cotangent shaped like `out` and returns a tuple with one cotangent per
    primal. The forward pass runs once; `vjp_fn` runs only the backward pass, on saved residuals.

    Example:
        >>> import fgrad, numpy as np
        >>> out, pullback = fgrad.vjp(lambda x: x * 3.0, np.ones(2))
        >>> pullback(np.array([1.0, 2.0]))
        (array([3., 6.]),)
    """
    leaves, treedef = tree_flatten((primals, {}))
    _check_float_inputs(leaves, "primal")
    if tracing() or any(isinstance(x, Tracer) for x in leaves):
        fwd, bwd, meta = _vjp_programs(fun, treedef, leaves, has_aux, _can_be_concrete(leaves))
        results, run_bwd = eval_ir(fwd, leaves), (lambda args: eval_ir(bwd, args))
    else:
        values = [_leaf_value(x) for x in leaves]
        key = (fun, has_aux, treedef, tuple(map(_leaf_key, values)))
        build = lambda: _compiled_vjp(fun, treedef, values, has_aux)  # noqa: E731
        results, (bwd, meta) = _run_cached(_VJP_CACHE, key, values, build)
        run_bwd = lambda args: bwd(*[_leaf_value(a) for a in args])  # noqa: E731
    n_out, out_tree = meta
    outs, residuals = results[:n_out], list(results[n_out:])
    main_tree = out_tree.children[0] if has_aux else out_tree
    n_main = main_tree.num_leaves

    def vjp_fn(ct):
        ct_leaves, ct_tree = tree_flatten(ct)
        if ct_tree != main_tree:
            raise TypeError(f"vjp_fn expects a cotangent with the structure of the output {main_tree}, "
                            f"got {ct_tree} (at {user_location()})")
        for c, o in zip(ct_leaves, outs):
            if np.shape(c) != np.shape(o):
                raise TypeError(f"vjp_fn: cotangent of shape {np.shape(c)} for an output of shape "
                                f"{np.shape(o)} (at {user_location()})")
        return tree_unflatten(treedef.children[0], run_bwd(residuals + ct_leaves))

    primal_out = tree_unflatten(main_tree, outs[:n_main])
    if has_aux:
        return primal_out, vjp_fn, tree_unflatten(out_tree.children[1], outs[n_main:])
    return primal_out, vjp_fn


_VJP_CACHE = CompileCache("vjp")


def _vjp_programs(fun, treedef, leaves, has_aux: bool, concrete: bool):
    """The forward program (outputs + residuals) and the backward program (residuals + cts)."""
    ir, out_tree = trace_flat(fun, treedef, leaves, concrete=concrete, transform="vjp")
    ir = simplify(ir)
    n_main = out_tree.children[0].num_leaves if has_aux else len(ir.outs)
    joint = simplify(backward_ir(ir, list(range(len(leaves))), seed="input", n_cts=n_main))
    fwd, bwd = partial_eval(joint, len(leaves), len(ir.outs))
    return fwd, bwd, (len(ir.outs), out_tree)


def _compiled_vjp(fun, treedef, values, has_aux):
    fwd, bwd, meta = _vjp_programs(fun, treedef, values, has_aux, concrete=True)
    return compile_ir(fwd, config.backend), (compile_ir(bwd, config.backend), meta)


# --- jit, make_ir, lower -------------------------------------------------------------------------

class Lowered:
    """A traced and compiled function; `as_text()` is the code handed to the backend."""

    def __init__(self, ir: IR, program, backend: str):
        self.ir, self.program, self.backend = ir, program, backend

    def as_text(self) -> str:
        """The generated source (NumPy backend) or the jax code and StableHLO (xla backend)."""
        return self.program.as_text() if hasattr(self.program, "as_text") else self.program.source

    def compile(self):
        return self.program


def _split_static(args: tuple, static_argnums: tuple):
    static = tuple(args[i] for i in static_argnums)
    dynamic = tuple(a for i, a in enumerate(args) if i not in static_argnums)
    try:
        hash(static)
    except TypeError:
        raise TypeError(f"static arguments must be hashable (at {user_location()}); pass tuples "
                        "instead of lists, or make the argument dynamic") from None
    return static, dynamic


class Jitted:
    """The function `jit` returns: traced abstractly once per input avals, compiled and cached."""

    def __init__(self, fun: Callable, static_argnums=(), backend: str | None = None):
        self.fun, self.backend = fun, backend
        self.static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        self.cache = CompileCache(f"jit({getattr(fun, '__name__', 'fun')})")
        self._native = self._x64_flag = self._staging = None
        self.__name__ = f"jit_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)

    def _with_static(self, static: tuple, nargs: int) -> Callable:
        def call(*dynamic, **kwargs):
            it_static, it_dyn = iter(static), iter(dynamic)
            args = [next(it_static) if i in self.static_argnums else next(it_dyn) for i in range(nargs)]
            return self.fun(*args, **kwargs)
        return call

    def _trace(self, args, kwargs):
        static, dynamic = _split_static(args, self.static_argnums)
        leaves, treedef = tree_flatten((dynamic, kwargs))
        fun = self._with_static(static, len(args))
        return static, leaves, treedef, fun

    def __call__(self, *args, **kwargs):
        native = self._native
        if native and not kwargs and not _trace_stack and self._x64_flag.value:
            self.cache.hits += 1
            try:
                return native(*args) if self._staging is None else self._staged(native, args)
            except TypeError:
                self.cache.hits -= 1
                if _jax_reads_like_fgrad(args):
                    raise
                # pytree nodes registered with fgrad alone are opaque to jax: take the usual path
        elif native is None and self._may_go_native(kwargs) and self._short(args):
            self._native = self._native_jit(_flatten_args(args)[0])
            return self(*args)
        if self.static_argnums or kwargs or _trace_stack:
            return self._call_general(args, kwargs)
        leaves, treedef = _flatten_args(args)          # the hot path: no static args, no kwargs
        key = ((), treedef, tuple(map(_leaf_key, leaves)))
        values = [_leaf_value(x) for x in leaves]
        outs, out_tree = _run_cached(self.cache, key, values, lambda: self._compile(self.fun, treedef, values))
        return outs[0] if out_tree is LEAF else tree_unflatten(out_tree, outs)

    def _call_general(self, args, kwargs):
        static, leaves, treedef, fun = self._trace(args, kwargs)
        if _trace_stack:
            ir, out_tree = trace_flat(fun, treedef, leaves, concrete=False, transform="jit")
            return tree_unflatten(out_tree, eval_ir(simplify(ir), leaves))
        key = (static, treedef, tuple(map(_leaf_key, leaves)))
        values = [_leaf_value(x) for x in leaves]
        outs, out_tree = _run_cached(self.cache, key, values, lambda: self._compile(fun, treedef, values))
        return tree_unflatten(out_tree, outs)

    def _compile(self, fun, treedef, values):
        ir, out_tree = trace_flat(fun, treedef, values, concrete=False, transform="jit")
        return compile_ir(simplify(ir), resolve(self.backend)), out_tree

    def _may_go_native(self, kwargs) -> bool:
        no_extras = not (kwargs or self.static_argnums or _trace_stack)
        return no_extras and _x64_on() and resolve(self.backend) == "xla"

    def _short(self, args) -> bool:
        """Whether the program for these arguments is short enough for one jax.jit, and jax reads
        the arguments as fgrad does (checked once)."""
        if not _jax_reads_like_fgrad(args):
            self._native = False
            return False
        leaves, treedef = _flatten_args(args)
        values = [_leaf_value(x) for x in leaves]
        ir, _ = trace_flat(self.fun, treedef, values, concrete=False, transform="jit")
        eqns = simplify(ir).eqns
        if len(eqns) > NATIVE_MAX_EQNS or any(e.prim.effect for e in eqns):
            self._native = False             # long (compiled in segments) or guarded: the usual path
            return False
        return True

    def _native_jit(self, leaves: list):
        """xla backend: jax.jit on the user's own arguments, so a steady-state call is jax's own
        dispatch; fgrad traces and generates code only while jax traces (once per input avals)."""
        import jax

        from .backends.xla import HostStaging, worth_staging, x64_switch
        self._x64_flag = x64_switch(jax)[0]
        if worth_staging(jax, [x for x in leaves if isinstance(x, np.ndarray)]):
            self._staging = HostStaging(jax)

        def body(*args):
            self.cache.hits -= 1                      # this call is a compile, not a hit
            leaves, treedef = _flatten_args(args)
            self.cache.add((("native",), treedef, tuple((x.shape, np.dtype(x.dtype)) for x in leaves)), None)
            if self._staging is None and worth_staging(jax, leaves):
                self._staging = HostStaging(jax)
            ir, out_tree = trace_flat(self.fun, treedef, leaves, concrete=False, transform="jit")
            return tree_unflatten(out_tree, list(compile_ir(simplify(ir), "xla")(*leaves)))
        return jax.jit(body)

    def _staged(self, native, args):
        """A native call with large NumPy inputs copied into reusable aligned buffers first."""
        leaves, treedef = _flatten_args(args)
        staged = self._staging.stage(leaves)
        if staged is leaves:
            return native(*args)
        outs = native(*tree_unflatten(treedef, staged)[0])
        self._staging.hold(outs)
        return outs

    def lower(self, *args, **kwargs) -> Lowered:
        """Trace and compile for these arguments; `.as_text()` shows the generated code."""
        static, leaves, treedef, fun = self._trace(args, kwargs)
        values = [_leaf_value(x) for x in leaves]
        ir, _ = trace_flat(fun, treedef, values, concrete=False, transform="jit")
        ir = simplify(ir)
        backend = resolve(self.backend)
        return Lowered(ir, compile_ir(ir, backend), backend)

    def cache_info(self) -> dict:
        """Hits, misses, size and why the last compile happened."""
        return self.cache.info()


def jit(fun: Callable, static_argnums=(), backend: str | None = None) -> Jitted:
    """Compile `fun` once per input shapes/dtypes (and static argument values).

    Inside, values are abstract: Python `if` on them raises ConcretizationError (use
    fgrad.numpy.where or static_argnums). `backend` is "numpy" (default) or "xla".

    Example:
        >>> import fgrad, numpy as np
        >>> f = fgrad.jit(lambda x: x * 2.0)
        >>> f(np.ones(2))
        array([2., 2.])
    """
    return Jitted(fun, static_argnums, backend)


def make_ir(fun: Callable, static_argnums=()) -> Callable[..., IR]:
    """A function returning the IR that `fun` traces to for the given arguments.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> print(fgrad.make_ir(fnp.sin)(np.ones(3)))
        { lambda a:f64[3]. let
            b:f64[3] = sin a
          in (b) }
    """
    jitted = Jitted(fun, static_argnums)

    def make(*args, **kwargs) -> IR:
        static, leaves, treedef, f = jitted._trace(args, kwargs)
        values = [x if isinstance(x, Tracer) else _leaf_value(x) for x in leaves]
        return trace_flat(f, treedef, values, concrete=False, transform="make_ir")[0]

    return make


def show_code(fun: Callable, *args, **kwargs) -> str:
    """The NumPy source fgrad generates for `fun` at these arguments (also printed).

    Example:
        >>> import fgrad, numpy as np
        >>> _ = fgrad.show_code(fgrad.grad(lambda x: x * x), 1.0)  # doctest: +ELLIPSIS
        def program(a):
        ...
    """
    text = jit(fun).lower(*args, **kwargs).as_text()
    print(text)
    return text

