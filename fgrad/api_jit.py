"""jit, make_ir, show_code and lowering: abstract tracing, compiled once per input avals and static values.

Only `static_argnums`/`static_argnames` are static under `jit`, as in `jax.jit`: every other leaf is
traced (Python ints and bools as integer arrays); a leaf that is not an array (a string, a function)
is a TypeError naming its path and the static_argnums fix. Static values are keyed by type and
value, so `1`, `True` and `1.0` are three programs.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from .api import (
    _check_traceable,
    _flatten_args,
    _jax_reads_like_fgrad,
    _leaf_key,
    _leaf_value,
    _run_cached,
    _x64_on,
    trace_flat,
)
from .arguments import argnums_tuple, check_callable, resolve_argnums, static_key
from .backends import compile_ir, resolve
from .cache import CompileCache
from .captured import Captured
from .config import config
from .core import IR, Tracer, _trace_stack, collect_consts, eval_ir
from .errors import user_location
from .nan_checks import compile_checked
from .transforms.simplify import simplify
from .tree import LEAF, tree_flatten, tree_unflatten

NATIVE_MAX_EQNS = 3000     # longer xla programs are compiled in segments, outside a single jax.jit
_FAST_PATHS = "\ndef program_scalar"   # where a NumPy program's scalar fast paths start
_STATIC_HINT = "mark it static with jit(f, static_argnums=...) or static_argnames=..., or close over it"


class Lowered:
    """A traced and compiled function; `as_text()` is the code handed to the backend."""

    def __init__(self, ir: IR, program, backend: str):
        self.ir, self.program, self.backend = ir, program, backend

    def as_text(self, everything: bool = False) -> str:
        """The generated source (NumPy backend) or the jax code and StableHLO (xla backend).

        A NumPy program of scalar inputs also has fast paths: `program_scalar` (the same code on
        Python floats with `math`) and `program_fast` (the function called, which tries it first).
        They compute what `program` computes, so they are left out unless asked for.

        Parameters:
            everything: also show the scalar fast paths that follow the main program.

        Returns:
            The source text.

        Example:
            >>> import fgrad
            >>> lowered = fgrad.jit(fgrad.grad(lambda x: x * x)).lower(1.0)
            >>> "program_scalar" in lowered.as_text(), "program_scalar" in lowered.as_text(everything=True)
            (False, True)
        """
        if hasattr(self.program, "as_text"):
            return self.program.as_text()
        source = self.program.source
        fast_paths = source.find(_FAST_PATHS)
        if everything or fast_paths < 0:
            return source
        return source[:fast_paths].rstrip() + "\n"

    def compile(self):
        return self.program


def _positional_names(fun: Callable) -> list:
    """The names of `fun`'s positional parameters in order ([] where it has no signature)."""
    try:
        params = inspect.signature(fun).parameters.values()
    except (TypeError, ValueError):
        return []
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return [p.name for p in params if p.kind in kinds]


def _hashable_static(values, where: str) -> tuple:
    keys = []
    for v in values:
        try:
            hash(v)
        except TypeError:
            raise TypeError(f"jit: the static argument {where} of type {type(v).__name__} is not hashable "
                            f"(at {user_location()}); pass a tuple instead of a list, or make the "
                            "argument dynamic") from None
        keys.append(static_key(v))
    return tuple(keys)


class Jitted:
    """The function `jit` returns: traced abstractly once per input avals, compiled and cached."""

    def __init__(self, fun: Callable, static_argnums=(), backend: str | None = None, static_argnames=()):
        check_callable(fun, "jit")
        if backend is not None:
            resolve(backend)
        self.fun, self.backend = fun, backend
        self.static_argnums = argnums_tuple(static_argnums, "static_argnums") if static_argnums != () else ()
        names = (static_argnames,) if isinstance(static_argnames, str) else tuple(static_argnames)
        if any(not isinstance(n, str) for n in names):
            raise TypeError(f"jit: static_argnames must be strings, got {static_argnames!r} (at {user_location()})")
        self.static_argnames = names
        # as jax.jit: static names given alone also make their positions static, and positions alone
        # their names, read from the signature (a positional argument passed by keyword stays static)
        positional = _positional_names(fun) if names or self.static_argnums else []
        self._named_positions = tuple(i for i, n in enumerate(positional) if n in names) \
            if names and not self.static_argnums else ()
        self._argnum_names = {i: positional[i] for i in self.static_argnums if -len(positional) <= i < len(positional)}
        if self._argnum_names and not names:
            self.static_argnames = tuple(self._argnum_names.values())
        self.cache = CompileCache(f"jit({getattr(fun, '__name__', 'fun')})")
        self._native = self._x64_flag = self._staging = self._native_captured = None
        self.__name__ = f"jit_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def _with_static(self, nums: tuple, static: tuple, static_kw: dict, nargs: int) -> Callable:
        def call(*dynamic, **kwargs):
            it_static, it_dyn = iter(static), iter(dynamic)
            args = [next(it_static) if i in nums else next(it_dyn) for i in range(nargs)]
            return self.fun(*args, **kwargs, **static_kw)
        return call

    def _trace(self, args, kwargs):
        """(static key, dynamic leaves, their treedef, the function of the dynamic arguments)."""
        statics = self.static_argnums   # less those passed by keyword, static by their name
        if self._argnum_names and kwargs:
            statics = tuple(i for i in statics if self._argnum_names.get(i) not in kwargs)
        nums = resolve_argnums(statics, self.static_argnums, len(args), "static_argnums") if statics else ()
        if self._named_positions:
            nums = tuple(i for i in self._named_positions if i < len(args))
        static = tuple(args[i] for i in nums)
        dynamic = tuple(a for i, a in enumerate(args) if i not in nums)
        static_kw = {k: kwargs[k] for k in self.static_argnames if k in kwargs}
        dyn_kw = {k: v for k, v in kwargs.items() if k not in static_kw}
        key = (_hashable_static(static, "at position " + ", ".join(map(str, nums))),
               tuple((k, *_hashable_static((static_kw[k],), repr(k))) for k in sorted(static_kw)))
        leaves, treedef = tree_flatten((dynamic, dyn_kw))
        fun = self._with_static(nums, static, static_kw, len(args)) if (nums or static_kw) else self.fun
        return key, leaves, treedef, fun

    def __call__(self, *args, **kwargs):
        native = self._native
        # jax's own dispatch skips fgrad's NaN checks: while they are on, the checked program runs
        if native and not kwargs and not _trace_stack.items and self._x64_flag.value and \
                not (config.debug_nans or config.debug_infs):
            if self._native_captured is None or self._native_captured.holds():
                return self._call_native(native, args)
            native = self._native = None          # what the trace read changed: a fresh jax.jit retraces
        if native is None and self._may_go_native(kwargs) and self._short(args):
            self._native = self._native_jit(_flatten_args(args)[0])
            return self._call_native(self._native, args)
        if self.static_argnums or self._named_positions or kwargs or _trace_stack.items:
            return self._call_general(args, kwargs)
        leaves, treedef = _flatten_args(args)          # the hot path: no static args, no kwargs
        key = ((), treedef, tuple(map(_leaf_key, leaves)))
        values = [_leaf_value(x) for x in leaves]
        outs, out_tree = _run_cached(self.cache, key, values, lambda: self._compile(self.fun, treedef, values),
                                     self.fun)
        return outs[0] if out_tree is LEAF else tree_unflatten(out_tree, outs)

    def _call_native(self, native, args):
        self.cache.hits += 1
        try:
            return native(*args) if self._staging is None else self._staged(native, args)
        except TypeError:
            self.cache.hits -= 1
            if _jax_reads_like_fgrad(args):
                raise
            # pytree nodes registered with fgrad alone are opaque to jax: take the usual path
            self._native = False
            return self(*args)

    def _call_general(self, args, kwargs):
        static, leaves, treedef, fun = self._trace(args, kwargs)
        if _trace_stack.items:
            ir, out_tree = trace_flat(fun, treedef, leaves, concrete=False, transform="jit")
            return tree_unflatten(out_tree, eval_ir(simplify(ir), leaves))
        key = (static, treedef, tuple(map(_leaf_key, leaves)))
        values = [_leaf_value(x) for x in leaves]
        outs, out_tree = _run_cached(self.cache, key, values, lambda: self._compile(fun, treedef, values), self.fun)
        return tree_unflatten(out_tree, outs)

    def _compile(self, fun, treedef, values):
        _check_traceable(values, treedef, range(len(values)), "jit", _STATIC_HINT)
        ir, out_tree = trace_flat(fun, treedef, values, concrete=False, transform="jit")
        return compile_checked(simplify(ir), resolve(self.backend), outputs_only=True), out_tree

    def _may_go_native(self, kwargs) -> bool:
        no_extras = not (kwargs or self.static_argnums or self.static_argnames or _trace_stack)
        checking = config.debug_nans or config.debug_infs
        return no_extras and not checking and _x64_on() and resolve(self.backend) == "xla"

    def _short(self, args) -> bool:
        """Whether the program for these arguments is short enough for one jax.jit, and jax reads
        the arguments as fgrad does (checked once)."""
        if not _jax_reads_like_fgrad(args):
            self._native = False
            return False
        leaves, treedef = _flatten_args(args)
        values = [_leaf_value(x) for x in leaves]
        _check_traceable(values, treedef, range(len(values)), "jit", _STATIC_HINT)
        ir, _ = trace_flat(self.fun, treedef, values, concrete=False, transform="jit")
        ir = simplify(ir)
        # long (compiled in segments), guarded, or reading NumPy arrays from outside (which jax.jit
        # would fold into the executable, missing in-place changes): the usual path
        if len(ir.eqns) > NATIVE_MAX_EQNS or any(e.prim.effect for e in ir.eqns) or any(
                isinstance(c, np.ndarray) for c in ir.consts):
            self._native = False
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
            with collect_consts() as referenced:
                ir, out_tree = trace_flat(self.fun, treedef, leaves, concrete=False, transform="jit")
            self._native_captured = Captured(self.fun, (), referenced)
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
        _, leaves, treedef, fun = self._trace(args, kwargs)
        values = [_leaf_value(x) for x in leaves]
        _check_traceable(values, treedef, range(len(values)), "jit", _STATIC_HINT)
        ir, _ = trace_flat(fun, treedef, values, concrete=False, transform="jit")
        ir = simplify(ir)
        backend = resolve(self.backend)
        return Lowered(ir, compile_ir(ir, backend), backend)

    def cache_info(self) -> dict:
        """Hits, misses, size and why the last compile happened."""
        return self.cache.info()


def jit(fun: Callable, static_argnums: int | tuple[int, ...] = (), backend: str | None = None,
        static_argnames: str | tuple[str, ...] = ()) -> Jitted:
    """Compile `fun` once per input shapes/dtypes (and static argument values).

    Inside, values are abstract: Python `if` on them raises ConcretizationError (use
    fgrad.numpy.where or static_argnums).

    Parameters:
        fun: the function to compile; its arguments are arrays, numbers or pytrees of them.
        static_argnums: positional arguments passed as Python values (an int or a tuple of ints);
            each distinct value (by type and value) compiles its own program.
        backend: "numpy" (the default, `fgrad.config.backend`) or "xla".
        static_argnames: keyword arguments passed as Python values.

    Returns:
        A function of the same arguments; `.lower(*args).as_text()` shows the generated code.

    Raises:
        TypeError: `fun` is not callable, a static argument is unhashable, or a dynamic argument is
        not an array. ArgnumsError: `static_argnums` out of range. ValueError: unknown backend.

    Example:
        >>> import fgrad, numpy as np
        >>> f = fgrad.jit(lambda x: x * 2.0)
        >>> f(np.ones(2))
        array([2., 2.])
    """
    return Jitted(fun, static_argnums, backend, static_argnames)


def make_ir(fun: Callable, static_argnums: int | tuple[int, ...] = ()) -> Callable[..., IR]:
    """A function returning the IR that `fun` traces to for the given arguments.

    Parameters:
        fun: the function to trace. static_argnums: as for `jit`.

    Returns:
        A function of `fun`'s arguments returning the `IR` (print it to read it).

    Raises:
        TypeError: as for `jit`.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> print(fgrad.make_ir(fnp.sin)(np.ones(3)))
        { lambda a:f64[3]. let
            b:f64[3] = sin a
          in (b) }
    """
    jitted = Jitted(fun, static_argnums)

    def make(*args, **kwargs) -> IR:
        _, leaves, treedef, f = jitted._trace(args, kwargs)
        values = [x if isinstance(x, Tracer) else _leaf_value(x) for x in leaves]
        _check_traceable(values, treedef, range(len(values)), "make_ir", _STATIC_HINT)
        return trace_flat(f, treedef, values, concrete=False, transform="make_ir")[0]

    return make


def make_jaxpr(fun: Callable, static_argnums: int | tuple[int, ...] = ()) -> Callable[..., IR]:
    """jax.make_jaxpr's name for `make_ir`: the IR `fun` traces to, fgrad's counterpart of a jaxpr.

    The IR prints in a jaxpr's syntax, but it is fgrad's program, not jax's: fgrad's primitives and
    parameters, literals without their type, no `;` without constants, and a transformed function's
    program already simplified (dead code, common subexpressions and zeros removed), where jax shows
    the trace as made. Read it for what fgrad computes; it is not meant to equal jax's text.

    Parameters:
        fun: the function to trace. static_argnums: as for `jit`.

    Returns:
        A function of `fun`'s arguments returning the `IR`.

    Raises:
        TypeError: as for `jit`.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> print(fgrad.make_jaxpr(fgrad.grad(lambda x: fnp.log(1.0 + fnp.exp(x))))(100.0))
        { lambda a:f64[]. let
            b:f64[] = exp a
            c:f64[] = add 1.0 b
            d:f64[] = div b c
          in (d) }
    """
    return make_ir(fun, static_argnums)


def show_code(fun: Callable, *args, **kwargs) -> str:
    """The NumPy source fgrad generates for `fun` at these arguments (also printed).

    Parameters:
        fun: the function (often a transformed one, such as `fgrad.grad(f)`). args, kwargs: its arguments.

    Returns:
        The source text.

    Example:
        >>> import fgrad, numpy as np
        >>> _ = fgrad.show_code(fgrad.grad(lambda x: x * x), 1.0)  # doctest: +ELLIPSIS
        def program(a):
        ...
    """
    text = jit(fun).lower(*args, **kwargs).as_text()
    print(text)
    return text
