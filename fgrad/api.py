"""The transforms users call: grad, value_and_grad and vjp here, jit and make_ir in api_jit.

Called at top level, a transformed function looks its compiled program up in a bounded cache keyed
by the input structure, avals and static values, and reuses it only while what its trace read from
outside the arguments still holds (`fgrad.captured`); called inside another transform, it traces and
inlines instead, which is what makes grad(grad(f)) and jit(grad(f)) work.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import numpy as np

from .arguments import (
    argnums_tuple,
    check_callable,
    check_float_dtype,
    check_outputs,
    is_static_leaf,
    resolve_argnums,
    static_key,
)
from .cache import CompileCache
from .captured import Captured
from .config import config
from .core import IR, Aval, Tracer, _trace_stack, aval_of, collect_consts, eval_ir, is_jax_array, new_trace, tracing
from .errors import IntegerInputError, NonScalarOutputError, user_location
from .nan_checks import compile_checked
from .transforms.ad import backward_ir
from .transforms.partial_eval import partial_eval
from .transforms.simplify import dce, simplify
from .tree import LEAF, LEAF_TYPES, MAX_TREEDEFS, TreeDef, leaf_paths, tree_flatten, tree_unflatten

_F64 = np.dtype(np.float64)
_FLOAT_KEY = ((), _F64)
_F64_SCALAR = Aval((), _F64)


# --- leaves: cache keys and values ---------------------------------------------------------------

def _leaf_key(x):
    """The cache key of a traced leaf: its shape and dtype."""
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
        return (x.shape, x.dtype)
    a = np.asarray(x)
    return (a.shape, a.dtype) if a.dtype != object else static_key(x)


def _grad_leaf_key(x):
    """Under grad, leaves that are not arrays are static: keyed by type and value."""
    t = type(x)
    if t is np.ndarray:
        return (x.shape, x.dtype)
    if t is float:
        return _FLOAT_KEY
    if is_static_leaf(x):
        return static_key(x)
    return _leaf_key(x)


def _grad_leaves(leaves: list) -> tuple[tuple, list]:
    """The cache keys and the values of `grad`'s leaves, in one pass (every call makes them)."""
    keys, values = [], []
    for x in leaves:
        t = type(x)
        if t is np.ndarray:
            keys.append((x.shape, x.dtype))
            values.append(x)
        elif t is float:
            keys.append(_FLOAT_KEY)
            values.append(np.float64(x))
        else:
            keys.append(_grad_leaf_key(x))
            values.append(_grad_leaf_value(x))
    return tuple(keys), values


def _leaf_value(x):
    t = type(x)
    if t is np.ndarray or isinstance(x, np.generic):
        return x
    if t is float:
        return np.float64(x)
    if is_jax_array(x) or isinstance(x, Tracer):
        return x              # kept on its devices, with its sharding, for the xla backend
    a = np.asarray(x)
    if a.dtype.kind not in "biufc":
        return x              # not an array: rejected (or passed on as static) where it is used
    return a[()] if a.ndim == 0 else a


def _grad_leaf_value(x):
    t = type(x)
    if t is float:
        return np.float64(x)
    if t is np.ndarray or isinstance(x, np.generic):
        return x
    return x if is_static_leaf(x) else _leaf_value(x)


def _check_traceable(values: list, treedef: TreeDef, positions, transform: str, hint: str) -> None:
    """Every traced leaf must be a real or integer array: name the argument path otherwise."""
    paths = None
    for i in positions:
        dtype = getattr(values[i], "dtype", None)
        if dtype is not None and np.dtype(dtype).kind in "biufc":
            check_float_dtype(dtype, transform)
            continue
        paths = paths or leaf_paths(treedef)
        raise TypeError(f"{transform}: the argument at {_arg_path(paths[i])} is {type(values[i]).__name__} "
                        f"{_short_repr(values[i])}, not an array (at {user_location()}); {hint}")


def _arg_path(path: str) -> str:
    """`[0][1]['w']` (args, kwargs tree) as `args[1]['w']` / `kwargs['w']`."""
    head, _, rest = path[1:].partition("]")
    return ("args" if head == "0" else "kwargs") + rest


def _short_repr(value) -> str:
    text = repr(value) if isinstance(value, (str, int, float, bool)) else ""
    return f"({text[:40]})" if text else ""


_WITHOUT_KWARGS: dict = {}
_FLAT_ARGS: dict = {}         # count of leaf arguments, or which are (), -> the TreeDef of (args, {})
_NO_LEAVES = ()


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
    """tree_flatten((args, {})) without walking the empty kwargs: the common, hot case. Positional
    arguments that are all leaves (arrays, numbers) or empty tuples (a `data=()` slot) have one
    structure per pattern, looked up by it without walking them."""
    empty = False
    for a in args:
        if type(a) not in LEAF_TYPES:
            if a is not _NO_LEAVES:           # CPython's one empty tuple; any other goes the long way
                return _flatten_nested(args)
            empty = True
    if empty:
        pattern = tuple([a is _NO_LEAVES for a in args])
        leaves = [a for a in args if a is not _NO_LEAVES]
    else:
        pattern, leaves = len(args), list(args)
    treedef = _FLAT_ARGS.get(pattern)
    if treedef is None:
        treedef = tree_flatten((args, {}))[1]
        if len(_FLAT_ARGS) < MAX_TREEDEFS:
            _FLAT_ARGS[pattern] = treedef
    return leaves, treedef


def _flatten_nested(args: tuple):
    """`_flatten_args` for positional arguments with nested structure."""
    leaves, args_tree = tree_flatten(args)
    treedef = _WITHOUT_KWARGS.get(args_tree)
    if treedef is None:
        if len(_WITHOUT_KWARGS) >= MAX_TREEDEFS:
            _WITHOUT_KWARGS.clear()
        treedef = _WITHOUT_KWARGS[args_tree] = tree_flatten((args, {}))[1]
    return leaves, treedef


# --- tracing -------------------------------------------------------------------------------------

def trace_flat(fun: Callable, treedef: TreeDef, leaves: list, *, concrete: bool, transform: str,
               traced: list[int] | None = None, differentiated: list[int] = ()):
    """Trace `fun(*args, **kwargs)` with the flat `leaves`; returns (IR, output TreeDef).

    Only the leaves at positions `traced` (default: all) become IR inputs; the others are passed to
    `fun` as they are. `differentiated` marks inputs whose derivative is taken, so reading one as a
    Python number (which would drop the derivative) is an error. Outputs that are not arrays or
    numbers are a TypeError naming their path.
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
        check_outputs(out_leaves, out_tree, transform, fun)
        return trace.to_ir(out_leaves), out_tree


def _can_be_concrete(leaves) -> bool:
    return all(not isinstance(x, Tracer) or x._trace.concrete for x in leaves)


def select_outputs(ir: IR, keep: list[int]) -> IR:
    return dce(IR(ir.in_vars, ir.const_vars, ir.consts, ir.eqns, [ir.outs[i] for i in keep]))


# --- the compile cache ---------------------------------------------------------------------------

def _run_cached(cache: CompileCache, key, values: list, build: Callable, fun: Callable | None = None):
    """Run the cached program for `key`, or build (trace and compile) one.

    A variant is reused only while what its trace read from outside the arguments still holds
    (`Captured`: closure cells, globals, defaults and attributes reached from `fun` and from the
    static leaves among `values`) and its guards (Python branches taken on concrete values) pass.
    """
    found = cache.run(key, values)
    if found is not None:
        return found
    return _build_and_run(cache, key, values, build, fun)


def _build_and_run(cache: CompileCache, key, values: list, build: Callable, fun: Callable | None):
    """Trace and compile a new variant for `key`, keep it, and run it."""
    variants = cache.entries.get(key)
    reason = next((c.changed() for _, _, c in variants or () if c is not None and not c.holds()), None)
    with collect_consts() as referenced:
        program, meta = build()
    captured = Captured(fun, [v for v in values if is_static_leaf(v)], referenced) if fun is not None else None
    cache.add(key, (program, meta, captured), reason)
    return program(*values), meta


def _entry_point(program):
    """The function a compiled program calls: a NumPy program's generated function is called
    directly, one Python frame fewer on every call (the caller keeps the program itself alive)."""
    return getattr(program, "fn", program)


def _floats_as_float64(program, positions: list[int]):
    """`program` given NumPy float64 scalars where its caller may pass Python floats (at `positions`):
    a bare Python float is weakly typed in NumPy and jax and would let a float32 operand win."""
    if not positions:
        return program

    def run(*values):
        values = list(values)
        for k in positions:
            if type(values[k]) is float:
                values[k] = np.float64(values[k])
        return program(*values)
    return run


def _only(program, positions: list[int]):
    """`program` called with the leaves at `positions` (the others were static)."""
    return lambda *values: program(*[values[i] for i in positions])


# --- grad and value_and_grad ---------------------------------------------------------------------

def _normalize_argnums(argnums, nargs: int) -> tuple:
    return resolve_argnums(argnums_tuple(argnums), argnums, nargs)


class _GradMeta:
    """What a gradient program returns and how to rebuild the user's structures from it."""

    def __init__(self, n_value: int, value_tree, grad_tree: TreeDef):
        self.n_value, self.value_tree, self.grad_tree = n_value, value_tree, grad_tree
        self.program = None        # the compiled program, kept alive with its generated source


class GradFunction:
    """The function `grad`/`value_and_grad` return; compiled programs are cached per input avals."""

    def __init__(self, fun: Callable, argnums, has_aux: bool, with_value: bool, holomorphic: bool = False):
        self.transform = "value_and_grad" if with_value else "grad"
        check_callable(fun, self.transform)
        self.fun, self.argnums, self.has_aux, self.with_value = fun, argnums, has_aux, with_value
        self.holomorphic = bool(holomorphic)
        self._nums = argnums_tuple(argnums)
        self._argnums: dict = {}
        self._last_signature: tuple = (None, None)     # (signature, key) of the last flat call
        self.cache = CompileCache(f"{self.transform}({getattr(fun, '__name__', 'fun')})")
        self.__name__ = f"{self.transform}_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def __call__(self, *args, **kwargs):
        # The hot path of every training step: kept free of avoidable Python calls. Positional
        # floats, arrays and `()` slots (the common call) are keyed in one pass, without flattening;
        # Python floats reach the program as they are (see `_compile`).
        if kwargs or _trace_stack.items:
            return self._call_general(args, kwargs)
        signature, values = [], []
        for a in args:
            t = type(a)
            if t is float:
                signature.append(_FLOAT_KEY)
            elif t is np.ndarray:
                signature.append((a.shape, a.dtype))
            elif a is _NO_LEAVES:
                signature.append(None)
                continue
            else:
                return self._call_general(args, kwargs)
            values.append(a)
        last = self._last_signature
        key = last[1] if last[0] == signature else self._flat_key(signature, args)
        found = self.cache.run(key, values)
        if found is None:            # a partial, not a lambda: a closure would make cells on every call
            found = _build_and_run(self.cache, key, values, functools.partial(self._compile, values, key[1], key[0]),
                                   self.fun)
        outs, meta = found
        if meta.n_value == 0 and meta.grad_tree is LEAF:
            return outs[0]                 # grad of one array: no structure to rebuild
        return self._finish(outs, meta)

    def _flat_key(self, signature: list, args: tuple) -> tuple:
        """The cache key of a call whose positional arguments are floats, arrays and `()` slots (their
        `signature`: one leaf key each, None for a slot), kept for the next call with the same one."""
        key = (self._resolved_argnums(len(args)), _flatten_args(args)[1],
               tuple([k for k in signature if k is not None]))
        self._last_signature = (signature, key)
        return key

    def _resolved_argnums(self, nargs: int) -> tuple:
        argnums = self._argnums.get(nargs)
        if argnums is None:
            argnums = resolve_argnums(self._nums, self.argnums, nargs)
            if len(self._argnums) < 64:
                self._argnums[nargs] = argnums
        return argnums

    def _call_general(self, args: tuple, kwargs: dict):
        """A call with keyword arguments, other leaves or nested structures, or inside a trace."""
        argnums = self._resolved_argnums(len(args))
        leaves, treedef = tree_flatten((args, kwargs)) if kwargs else _flatten_args(args)
        if _trace_stack.items:
            return self._inline(leaves, treedef, argnums)
        leaf_keys, values = _grad_leaves(leaves)
        key = (argnums, treedef, leaf_keys)
        found = _run_cached(self.cache, key, values, functools.partial(self._compile, values, treedef, argnums),
                            self.fun)
        outs, meta = found
        return outs[0] if meta.n_value == 0 and meta.grad_tree is LEAF else self._finish(outs, meta)

    def _wrt(self, treedef: TreeDef, argnums: tuple) -> tuple[list[int], TreeDef]:
        arg_trees = treedef.children[0].children
        starts = np.cumsum([0] + [t.num_leaves for t in arg_trees]).tolist()
        wrt = [i for a in argnums for i in range(starts[a], starts[a + 1])]
        grad_tree = arg_trees[argnums[0]] if not isinstance(self.argnums, (tuple, list)) else \
            TreeDef(tuple, None, tuple(arg_trees[a] for a in argnums))
        return wrt, grad_tree

    def _check_wrt(self, leaves: list, wrt: list[int]) -> None:
        for i in wrt:
            leaf = leaves[i]
            if is_static_leaf(leaf) and not isinstance(leaf, (bool, int)):
                raise TypeError(f"{self.transform} differentiates argnums={self.argnums!r}, but input leaf {i} "
                                f"is a {type(leaf).__name__}, not an array (at {user_location()}); pass "
                                "float arrays or numbers there, or leave the argument out of argnums")
            dtype = leaf.dtype if isinstance(leaf, Tracer) else aval_of(leaf).dtype
            check_float_dtype(dtype, self.transform)
            if self.holomorphic and dtype.kind != "c":
                raise TypeError(f"{self.transform} with holomorphic=True requires inputs with complex dtype, but "
                                f"got {dtype} (at {user_location()}); pass x.astype(np.complex128)")
            if dtype.kind not in "fc":
                raise IntegerInputError(dtype, f"input leaf {i} of argnums={self.argnums!r}", user_location())

    def _main_output(self, ir: IR, out_tree: TreeDef):
        """The differentiated output's aval, after checking the output's structure."""
        if self.has_aux:
            if out_tree.kind not in (tuple, list) or len(out_tree.children) != 2:
                raise TypeError(f"has_aux=True needs the function to return a pair (output, aux), "
                                f"got a structure {out_tree} (at {user_location()})")
            main_tree = out_tree.children[0]
        else:
            main_tree = out_tree
        if main_tree is not LEAF:
            what = "nothing (None)" if main_tree.num_leaves == 0 and main_tree.kind is type(None) else \
                f"a {main_tree.kind.__name__} with {main_tree.num_leaves} array(s), structure {main_tree}"
            raise NonScalarOutputError(None, user_location(), structure=what)
        main = ir.outs[0].aval
        if main.shape:
            raise NonScalarOutputError(main.shape, user_location())
        if self.holomorphic or main.dtype.kind == "c":
            _check_complex_output(main.dtype, self.transform, self.holomorphic)
        elif main.dtype.kind != "f":
            raise TypeError(f"grad requires a real floating-point output, got {main.dtype} "
                            f"(at {user_location()}); compute the loss in floating point")
        return main

    def _gradient_ir(self, leaves: list, treedef: TreeDef, argnums: tuple, concrete: bool, traced=None):
        """The gradient program; with `traced`, only those leaves are its inputs."""
        wrt, grad_tree = self._wrt(treedef, argnums)
        self._check_wrt(leaves, wrt)
        ir, out_tree = trace_flat(self.fun, treedef, leaves, concrete=concrete, transform=self.transform,
                                  traced=traced, differentiated=wrt)
        if traced is not None:
            wrt = [traced.index(i) for i in wrt]
        self._main_output(ir, out_tree)
        gir = backward_ir(simplify(ir), wrt)   # merged duplicates accumulate one cotangent
        n_value = len(ir.outs) if self.with_value else len(ir.outs) - 1
        keep = list(range(len(ir.outs) - n_value, len(gir.outs)))
        return simplify(select_outputs(gir, keep)), _GradMeta(n_value, out_tree, grad_tree)

    def _compile(self, values, treedef, argnums):
        values = [np.float64(v) if type(v) is float else v for v in values]    # traced as float64
        traced = [i for i, v in enumerate(values) if not is_static_leaf(v)]
        _check_traceable(values, treedef, traced, self.transform, "pass arrays or numbers")
        partial = len(traced) < len(values)
        gir, meta = self._gradient_ir(values, treedef, argnums, concrete=True, traced=traced if partial else None)
        meta.program = program = compile_checked(gir, config.backend)
        run = _entry_point(program)
        if not getattr(program, "takes_python_floats", False):
            run = _floats_as_float64(run, [k for k, v in enumerate(gir.in_vars) if v.aval == _F64_SCALAR])
        return (_only(run, traced) if partial else run), meta

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
        if not self.with_value:                    # grad with has_aux: (grads, aux)
            return grads, tree_unflatten(meta.value_tree.children[1], outs[:n])
        return (outs[0] if meta.value_tree is LEAF else tree_unflatten(meta.value_tree, outs[:n])), grads

    def cache_info(self) -> dict:
        """Hits, misses, size and why the last compile happened."""
        return self.cache.info()


def _check_complex_output(dtype, transform: str, holomorphic: bool) -> None:
    """jax's rule: a complex output needs holomorphic=True, which needs a complex output."""
    if holomorphic and dtype.kind != "c":
        raise TypeError(f"{transform} with holomorphic=True requires outputs with complex dtype, but got "
                        f"{dtype} (at {user_location()})")
    if not holomorphic:
        raise TypeError(f"{transform} requires real-valued outputs (output dtype that is a sub-dtype of "
                        f"np.floating), but got {dtype} (at {user_location()}). For holomorphic "
                        "differentiation, pass holomorphic=True. For differentiation of non-holomorphic "
                        "functions involving complex outputs, use fgrad.vjp directly.")


def grad(fun: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False,
         holomorphic: bool = False) -> GradFunction:
    """The gradient of a scalar function, as a function of the same arguments.

    Arguments that are not differentiated reach `fun` as they are when they are not arrays (ints,
    strings, None, types: an axis, a flag), as under `jax.grad`; keyword arguments too.

    Parameters:
        fun: a function returning a real scalar (or `(scalar, aux)` with `has_aux=True`).
        argnums: the positional argument(s) to differentiate: an int or a tuple of ints.
        has_aux: whether `fun` returns a pair `(output, aux)` whose `aux` is passed through.
        holomorphic: whether `fun` is holomorphic, with complex inputs and a complex output; the
            gradient is then its complex derivative. Without it a complex input of a real output
            gets jax's gradient, `dL/dx - 1j * dL/dy` (the conjugate of PyTorch's).

    Returns:
        A function of the same arguments returning the gradient (shaped like the argument, or a tuple
        of them when `argnums` is a tuple), and `aux` as a second value with `has_aux=True`.

    Raises:
        TypeError: `fun` is not callable; a complex output without `holomorphic=True`; with
            `has_aux=True`, `fun` does not return a pair.
        ArgnumsError: `argnums` is not an int or tuple of ints, or is out of range.
        NonScalarOutputError: the output is not one real scalar (its shape is named).
        IntegerInputError: a differentiated input has an integer or bool dtype.

    Example:
        >>> import fgrad
        >>> float(fgrad.grad(lambda x: 2 * x ** 2 + 3)(2.0))
        8.0
    """
    return GradFunction(fun, argnums, has_aux, with_value=False, holomorphic=holomorphic)


def value_and_grad(fun: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False,
                   holomorphic: bool = False) -> GradFunction:
    """A function returning `(fun(*args), grad(fun)(*args))`, computed in one program.

    Args:
        fun: a function returning a real scalar (or `(scalar, aux)` with `has_aux=True`).
        argnums: the positional argument(s) to differentiate: an int or a tuple of ints.
        has_aux: whether `fun` returns a pair `(output, aux)` whose `aux` is passed through.
        holomorphic: whether `fun` is holomorphic (complex inputs and output), as for `grad`.

    Returns:
        A function returning `(value, gradient)`, or `((value, aux), gradient)` with `has_aux=True`.

    Raises:
        TypeError: `fun` is not callable, or its output is complex without `holomorphic=True`.
        ArgnumsError: `argnums` is not an int or tuple of ints, or is out of range.
        NonScalarOutputError: the output is not one real scalar.
        IntegerInputError: a differentiated input has an integer or bool dtype.

    Example:
        >>> import fgrad
        >>> value, g = fgrad.value_and_grad(lambda x: x ** 2)(3.0)
        >>> float(value), float(g)
        (9.0, 6.0)
    """
    return GradFunction(fun, argnums, has_aux, with_value=True, holomorphic=holomorphic)


# --- vjp -----------------------------------------------------------------------------------------

def _check_float_inputs(leaves, what: str) -> None:
    for i, x in enumerate(leaves):
        if is_static_leaf(x) and not isinstance(x, (bool, int)):
            raise TypeError(f"vjp: {what} leaf {i} is a {type(x).__name__}, not an array (at {user_location()}); "
                            "vjp differentiates every primal: close over other values instead")
        dtype = x.dtype if isinstance(x, Tracer) else aval_of(x).dtype
        check_float_dtype(dtype, "vjp")
        if dtype.kind not in "fc":
            raise IntegerInputError(dtype, f"{what} leaf {i}", user_location())


def vjp(fun: Callable, *primals, has_aux: bool = False):
    """Evaluate `fun(*primals)` and return `(out, vjp_fn)` (plus `aux` with has_aux=True).

    `vjp_fn(ct)` takes a cotangent shaped like `out` and returns a tuple with one cotangent per
    primal. The forward pass runs once; `vjp_fn` runs only the backward pass, on saved residuals.
    Unlike `grad`, the output may have any shape (and be a pytree).

    Args:
        fun: the function to differentiate; every argument is differentiated.
        *primals: the point to evaluate at, one pytree of floating-point arrays per argument.
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned, not differentiated.

    Returns:
        `(out, vjp_fn)`, or `(out, vjp_fn, aux)` with `has_aux=True`.

    Raises:
        TypeError: `fun` is not callable; a primal is not an array; `vjp_fn` gets a cotangent whose
            structure or shape differs from the output's; with `has_aux=True`, `fun` returns no pair.
        IntegerInputError: a primal has an integer or bool dtype.

    Example:
        >>> import fgrad, numpy as np
        >>> out, pullback = fgrad.vjp(lambda x: x * 3.0, np.ones(2))
        >>> pullback(np.array([1.0, 2.0]))
        (array([3., 6.]),)
    """
    check_callable(fun, "vjp")
    leaves, treedef = tree_flatten((primals, {}))
    _check_float_inputs(leaves, "primal")
    if tracing() or any(isinstance(x, Tracer) for x in leaves):
        fwd, bwd, meta = _vjp_programs(fun, treedef, leaves, has_aux, _can_be_concrete(leaves))
        results, run_bwd = eval_ir(fwd, leaves), (lambda args: eval_ir(bwd, args))
    else:
        values = [_leaf_value(x) for x in leaves]
        key = (fun, has_aux, treedef, tuple(map(_leaf_key, values)))
        build = lambda: _compiled_vjp(fun, treedef, values, has_aux)  # noqa: E731
        results, (bwd, bwd_ir, meta) = _run_cached(_VJP_CACHE, key, values, build, fun)
        run_bwd = functools.partial(_run_backward, bwd, bwd_ir)
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
    if has_aux and (out_tree.kind not in (tuple, list) or len(out_tree.children) != 2):
        raise TypeError(f"vjp with has_aux=True needs the function to return a pair (output, aux), "
                        f"got a structure {out_tree} (at {user_location()})")
    ir = simplify(ir)
    n_main = out_tree.children[0].num_leaves if has_aux else len(ir.outs)
    joint = simplify(backward_ir(ir, list(range(len(leaves))), seed="input", n_cts=n_main))
    fwd, bwd = partial_eval(joint, len(leaves), len(ir.outs))
    return fwd, bwd, (len(ir.outs), out_tree)


def _compiled_vjp(fun, treedef, values, has_aux):
    fwd, bwd, meta = _vjp_programs(fun, treedef, values, has_aux, concrete=True)
    return compile_checked(fwd, config.backend), (compile_checked(bwd, config.backend), bwd, meta)


def _run_backward(compiled, ir, args):
    """The backward program on `args`; cotangents traced by an enclosing transform (`jit(vjp_fn)`)
    are recorded into that trace from its IR instead of running the compiled program."""
    if any(isinstance(a, Tracer) for a in args):
        return eval_ir(ir, args)
    return compiled(*[_leaf_value(a) for a in args])
