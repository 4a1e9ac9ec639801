"""vmap and the Jacobian family: jacrev (vmap of vjp), jacfwd (vmap of jvp), hessian.

Called at top level, each traces abstractly (as jit does), transforms the IR, compiles it with the
configured backend and caches the program per input structure and avals. Called inside another
transform, it traces, transforms and evaluates the result into the enclosing trace, so vmap(grad(f)),
grad(vmap(f)), jacfwd(jacrev(f)) and jit of any of them compose.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import numpy as np

from .api import _leaf_key, _leaf_value, _normalize_argnums, _run_cached, trace_flat
from .cache import CompileCache
from .config import config
from .core import Tracer, _trace_stack, aval_of, eval_ir
from .errors import user_location
from .nan_checks import compile_checked
from .transforms.batching import batch_ir, bdim_from_front, bdim_to_front, broadcast_batched
from .transforms.simplify import simplify
from .tree import TreeDef, _node_type, leaf_paths, tree_flatten, tree_unflatten


def _staged_call(cache: CompileCache, key, leaves: list, flat_fun: Callable, transform: str, fun: Callable,
                 concrete: bool = False):
    """Run `flat_fun(*leaves)` (a pytree out) as a cached compiled program traced abstractly (or with
    concrete values the trace may read, guarded); what the user's `fun` reads from outside its
    arguments is checked before a cached program is reused."""
    values = [_leaf_value(x) for x in leaves]

    def build():
        in_tree = tree_flatten((tuple(values), {}))[1]
        ir, out_tree = trace_flat(flat_fun, in_tree, values, concrete=concrete, transform=transform)
        return compile_checked(simplify(ir), config.backend), out_tree

    outs, out_tree = _run_cached(cache, key, values, build, fun)
    return tree_unflatten(out_tree, outs)


# --- axes specifications -------------------------------------------------------------------------

def _is_axis(spec) -> bool:
    return spec is None or (isinstance(spec, int) and not isinstance(spec, bool))


def _broadcast_prefix(spec, td: TreeDef, what: str) -> list:
    """One axis per leaf of `td`, from `spec`, a tree prefix of it (an int or None covers a subtree)."""
    if _is_axis(spec):
        return [spec] * td.num_leaves
    node = _node_type(spec)
    children, aux = node.flatten(spec) if node is not None else (None, None)
    if td.kind is None or type(spec) is not td.kind or aux != td.aux or len(children) != len(td.children):
        raise ValueError(f"vmap {what} specification must be a tree prefix of the corresponding value, "
                         f"got specification {spec!r} for value tree {td} (at {user_location()}); give one "
                         "int or None per leaf, or one for a whole subtree")
    return [axis for c, t in zip(children, td.children) for axis in _broadcast_prefix(c, t, what)]


def _leaf_names(fun: Callable, td: TreeDef) -> list[str]:
    """Readable names of the argument leaves (`x`, `params['w']`, `args[1][0]`) for messages."""
    try:
        params = [p.name for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    args_td, kwargs_td = td.children
    names = [params[i] if i < len(params) else f"args[{i}]" for i in range(len(args_td.children))]
    named = list(zip(names, args_td.children))
    named += [(str(k), sub) for k, sub in zip(kwargs_td.aux or (), kwargs_td.children)]
    return [name + path for name, sub in named for path in leaf_paths(sub)]


def _size_error(fun: Callable, td: TreeDef, mapped: list, axis_size) -> ValueError:
    names = _leaf_names(fun, td)
    by_size: dict = {}
    for i, axis, aval in mapped:
        by_size.setdefault(aval.shape[axis], []).append(f"axis {axis} of argument {names[i]} of type {aval!r}")
    lines = []
    for size, where in sorted(by_size.items(), key=lambda kv: -len(kv[1])):
        head = "one axis" if len(where) == 1 else f"most axes ({len(where)} of them)"
        lines.append(f"  * {head} had size {size}: {where[0]}" if len(where) == 1
                     else f"  * {head} had size {size}, e.g. {where[0]}")
    if axis_size is not None:
        lines.append(f"  * the axis_size argument was {axis_size}")
    return ValueError("vmap got inconsistent sizes for array axes to be mapped:\n" + ";\n".join(lines)
                      + f"\n(at {user_location()}) give every mapped axis the same length, or map the odd "
                      "argument with None")


_MAX_LAYOUTS = 256


class VmapFunction:
    """The function `vmap` returns; compiled programs are cached per input structure, avals, axes."""

    def __init__(self, fun: Callable, in_axes, out_axes, axis_size: int | None):
        if isinstance(in_axes, list):          # as in jax: a list of per-argument axes is a tuple
            in_axes = tuple(in_axes)
        if not _is_axis(in_axes) and not isinstance(in_axes, tuple):
            raise TypeError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to "
                            f"the positional arguments passed to the function, but got {in_axes!r} "
                            f"(at {user_location()})")
        self.fun, self.in_axes, self.out_axes, self.axis_size = fun, in_axes, out_axes, axis_size
        self.cache = CompileCache(f"vmap({getattr(fun, '__name__', 'fun')})")
        self._layouts: dict = {}               # (structure, avals) -> (mapped axis per leaf, size)
        self.__name__ = f"vmap_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def __call__(self, *args, **kwargs):
        leaves, treedef = tree_flatten((args, kwargs))
        if _trace_stack:
            return self._apply(leaves, treedef, *self._axes(leaves, treedef, len(args)))
        avals = tuple(map(_leaf_key, leaves))
        layout = self._layouts.get((treedef, avals))
        if layout is None:                     # checked once per input structure and avals
            if len(self._layouts) >= _MAX_LAYOUTS:
                self._layouts.clear()
            layout = self._layouts[treedef, avals] = self._axes(leaves, treedef, len(args))
        axes, size = layout
        key = (treedef, avals, axes)
        # unmapped arguments keep their values, as under jax.vmap: Python `if`s on them work (guarded)
        return _staged_call(self.cache, key, leaves, lambda *flat: self._apply(list(flat), treedef, axes, size),
                            "vmap", self.fun, concrete=None in axes)

    def _axes(self, leaves: list, treedef: TreeDef, nargs: int) -> tuple[tuple, int]:
        """The mapped axis of every leaf (normalised, None where unmapped) and the batch size."""
        if isinstance(self.in_axes, tuple) and len(self.in_axes) != nargs:
            raise ValueError(f"vmap in_axes must be an int, None, or a tuple of entries corresponding to the "
                             f"positional arguments passed to the function, but got len(in_axes)="
                             f"{len(self.in_axes)}, len(args)={nargs} (at {user_location()}); give one entry "
                             "per positional argument")
        axes = _broadcast_prefix((self.in_axes, 0), treedef, "in_axes")
        normalized, mapped = [], []
        for i, (leaf, axis) in enumerate(zip(leaves, axes)):
            if axis is not None:
                aval = leaf.aval if isinstance(leaf, Tracer) else aval_of(leaf)
                if not -aval.ndim <= axis < aval.ndim:
                    raise ValueError(f"vmap was requested to map its argument along axis {axis}, which implies "
                                     f"that its rank should be at least {axis + 1 if axis >= 0 else -axis}, "
                                     f"but is only {aval.ndim} (its shape is {aval.shape}): argument "
                                     f"{_leaf_names(self.fun, treedef)[i]} (at {user_location()}); "
                                     "name an axis it has in in_axes")
                axis %= aval.ndim
                mapped.append((i, axis, aval))
            normalized.append(axis)
        sizes = {aval.shape[axis] for _, axis, aval in mapped} | (
            set() if self.axis_size is None else {self.axis_size})
        if not sizes:
            raise ValueError("vmap must have at least one non-None value in in_axes, or be given axis_size "
                             f"(got in_axes={self.in_axes!r} and {len(leaves)} argument leaves, at "
                             f"{user_location()})")
        if len(sizes) > 1:
            raise _size_error(self.fun, treedef, mapped, self.axis_size)
        return tuple(normalized), sizes.pop()

    def _apply(self, leaves: list, treedef: TreeDef, axes: tuple, size: int):
        """Trace one example, batch the IR, and evaluate it on `leaves` (in the enclosing trace, if any).

        Unmapped leaves reach the function as they are (a value, or a tracer of the enclosing trace), so
        reading one concretely works wherever the enclosing trace allows it, as in jax."""
        examples, mapped = list(leaves), [i for i, axis in enumerate(axes) if axis is not None]
        for i in mapped:
            aval = leaves[i].aval if isinstance(leaves[i], Tracer) else aval_of(leaves[i])
            shape = aval.shape[:axes[i]] + aval.shape[axes[i] + 1:]
            examples[i] = np.broadcast_to(np.zeros((), aval.dtype), shape)   # an aval, no data
        ir, out_tree = trace_flat(self.fun, treedef, examples, concrete=False, transform="vmap", traced=mapped)
        bir, out_batched = batch_ir(simplify(ir), [True] * len(mapped), size)
        outs = eval_ir(bir, [bdim_to_front(leaves[i], axes[i]) for i in mapped])
        out_axes = _broadcast_prefix(self.out_axes, out_tree, "out_axes")
        return tree_unflatten(out_tree, [self._place(o, b, a, size) for o, b, a in zip(outs, out_batched, out_axes)])

    @staticmethod
    def _place(out, batched: bool, axis, size: int):
        if axis is None:
            if batched:
                raise ValueError(f"vmap has mapped output but out_axes is None (at {user_location()}); map "
                                 "that output with an int axis, or make it independent of the mapped inputs")
            return out
        shape = tuple(np.shape(out))
        if not batched:                           # as in jax: an unmapped output is broadcast
            out, shape = broadcast_batched(out, size, shape), (size,) + shape
        if not -len(shape) <= axis < len(shape):
            raise ValueError(f"vmap out_axes={axis} is out of range for an output of rank {len(shape)} "
                             f"(shape {shape} with the mapped axis, at {user_location()}); use an axis in "
                             f"range({-len(shape)}, {len(shape)})")
        return bdim_from_front(out, axis % len(shape))


def vmap(fun: Callable, in_axes=0, out_axes=0, axis_size: int | None = None) -> VmapFunction:
    """Vectorise `fun` over an axis of its inputs, as jax.vmap does.

    `in_axes` (an int, None, or a tuple with one tree-prefix entry per positional argument) names the
    mapped axis of each input (None: not mapped; negative axes count from the end); keyword arguments
    are mapped along axis 0. `out_axes` places the mapped axis in the outputs. `axis_size` gives the
    size when no input is mapped. The batch axis is moved by each primitive's batching rule, so the
    result is one vectorised program, not a Python loop.

    Args:
        fun: the function to vectorise; it sees one slice of each mapped input.
        in_axes: the mapped axis of each input: an int, None, or a tuple (a tree prefix per argument).
        out_axes: where the mapped axis goes in each output: an int, None, or a tree prefix.
        axis_size: the mapped size, needed only when no input is mapped.

    Returns:
        A function of the same arguments returning `fun`'s outputs stacked along `out_axes`.

    Raises:
        TypeError: `in_axes` is neither an int, None nor a tuple.
        ValueError: `in_axes`/`out_axes` do not fit the arguments or outputs (wrong length, not a
            tree prefix, axis out of range), mapped inputs disagree in size, or nothing is mapped
            and `axis_size` is missing.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> fgrad.vmap(lambda x, y: fnp.dot(x, y), in_axes=(0, None))(np.ones((3, 2)), np.arange(2.0))
        array([1., 1., 1.])
    """
    return VmapFunction(fun, in_axes, out_axes, axis_size)


# --- the Jacobian family -------------------------------------------------------------------------

class JacobianFunction:
    """The function jacrev/jacfwd return: `body(args, kwargs)` staged and cached at top level."""

    def __init__(self, body: Callable, transform: str, fun: Callable):
        self.body, self.transform, self.fun = body, transform, fun
        self.cache = CompileCache(f"{transform}({getattr(fun, '__name__', 'fun')})")
        self.__name__ = f"{transform}_{getattr(fun, '__name__', 'fun')}"
        self.__doc__ = getattr(fun, "__doc__", None)
        self.__wrapped__ = fun

    def __call__(self, *args, **kwargs):
        if _trace_stack:
            return self.body(args, kwargs)
        leaves, treedef = tree_flatten((args, kwargs))
        key = (treedef, tuple(map(_leaf_key, leaves)))
        return _staged_call(self.cache, key, leaves,
                            lambda *flat: self.body(*tree_unflatten(treedef, flat)), self.transform, self.fun)


def _split_args(fun: Callable, argnums, args: tuple, kwargs: dict):
    """(the differentiated arguments, fun as a function of them alone)."""
    nums = _normalize_argnums(argnums, len(args))

    def partial(*dyn):
        full = list(args)
        for i, a in zip(nums, dyn):
            full[i] = a
        return fun(*full, **kwargs)
    return tuple(args[i] for i in nums), partial


def _basis(leaves: list) -> tuple[list, list]:
    """Rows of the identity over all elements of `leaves`, one block per leaf shaped (n, *leaf shape),
    and each leaf's (start, stop) among the n elements."""
    sizes = [int(np.prod(np.shape(x), dtype=np.int64)) for x in leaves]
    n, starts = sum(sizes), np.cumsum([0] + sizes).tolist()
    blocks = [np.eye(n, dtype=_aval(x).dtype)[:, a:b].reshape((n,) + tuple(np.shape(x)))
              for x, a, b in zip(leaves, starts, starts[1:])]
    return blocks, list(zip(starts, starts[1:]))


def _aval(x):
    return x.aval if isinstance(x, Tracer) else aval_of(x)


def jacrev(fun: Callable, argnums=0, has_aux: bool = False) -> JacobianFunction:
    """The Jacobian of `fun` by reverse mode: vmap of vjp over the rows of the identity, as in jax.

    The result has the output's structure outside and the input's inside: leaf `[out][in]` has shape
    `out.shape + in.shape`. `argnums` is an int or a tuple (then the inner structure is a tuple).
    One backward pass per output element; prefer it when outputs are fewer than inputs.

    Args:
        fun: the function to differentiate; its output may be any pytree of arrays.
        argnums: the positional argument(s) to differentiate: an int or a tuple of ints.
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned undifferentiated.

    Returns:
        A function of `fun`'s arguments returning the Jacobian (and `aux` with `has_aux=True`).

    Raises:
        ArgnumsError: `argnums` is not an int or tuple of ints, or is out of range.
        IntegerInputError: a differentiated input has an integer or bool dtype.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> fgrad.jacrev(lambda x: x ** 2)(np.array([1.0, 2.0]))
        array([[2., 0.],
               [0., 4.]])
    """
    from .api import vjp

    def body(args, kwargs):
        dyn, partial = _split_args(fun, argnums, args, kwargs)
        y, pullback, *aux = vjp(partial, *dyn, has_aux=has_aux)
        y_leaves, y_tree = tree_flatten(y)
        blocks, spans = _basis(y_leaves)
        cts = vmap(pullback)(tree_unflatten(y_tree, blocks))
        inner = cts[0] if isinstance(argnums, int) else cts
        in_leaves, in_tree = tree_flatten(inner)
        jac = tree_unflatten(y_tree, [tree_unflatten(in_tree, [
            c[a:b].reshape(tuple(np.shape(out)) + tuple(c.shape[1:])) for c in in_leaves])
            for out, (a, b) in zip(y_leaves, spans)])
        return (jac, aux[0]) if has_aux else jac
    return JacobianFunction(body, "jacrev", fun)


def jacfwd(fun: Callable, argnums=0, has_aux: bool = False) -> JacobianFunction:
    """The Jacobian of `fun` by forward mode: vmap of jvp over the columns of the identity, as in jax.

    Shaped as jacrev's: the output's structure outside, the input's inside, leaf `[out][in]` of shape
    `out.shape + in.shape`. One forward pass per input element; prefer it for tall Jacobians.

    Args:
        fun: the function to differentiate; its output may be any pytree of arrays.
        argnums: the positional argument(s) to differentiate: an int or a tuple of ints.
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned undifferentiated.

    Returns:
        A function of `fun`'s arguments returning the Jacobian (and `aux` with `has_aux=True`).

    Raises:
        ArgnumsError: `argnums` is not an int or tuple of ints, or is out of range.
        TypeError: a differentiated input is not a floating-point array.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> fgrad.jacfwd(lambda x: x ** 2)(np.array([1.0, 2.0]))
        array([[2., 0.],
               [0., 4.]])
    """
    from .api_jvp import jvp

    def body(args, kwargs):
        dyn, partial = _split_args(fun, argnums, args, kwargs)
        main = (lambda *d: partial(*d)[0]) if has_aux else partial
        in_leaves, in_tree = tree_flatten(dyn)
        blocks, spans = _basis(in_leaves)
        push = lambda *t: jvp(main, dyn, tree_unflatten(in_tree, t))[1]  # noqa: E731
        tangents = vmap(push, out_axes=-1)(*blocks)
        t_leaves, t_tree = tree_flatten(tangents)
        args_tree = in_tree.children[0] if isinstance(argnums, int) else in_tree
        jac = tree_unflatten(t_tree, [tree_unflatten(args_tree, [
            t[..., a:b].reshape(tuple(t.shape[:-1]) + tuple(np.shape(x))) for x, (a, b) in zip(in_leaves, spans)])
            for t in t_leaves])
        return (jac, partial(*dyn)[1]) if has_aux else jac
    return JacobianFunction(body, "jacfwd", fun)


def hessian(fun: Callable, argnums=0, has_aux: bool = False) -> JacobianFunction:
    """The Hessian of a scalar `fun`: jacfwd(jacrev(fun)), as in jax.

    Args:
        fun: a function returning a scalar.
        argnums: the positional argument(s) to differentiate: an int or a tuple of ints (then the
            result is nested: `[i][j]` is the block of arguments i and j).
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned undifferentiated.

    Returns:
        A function of `fun`'s arguments returning the Hessian, of shape `x.shape + x.shape`.

    Raises:
        ArgnumsError: `argnums` is not an int or tuple of ints, or is out of range.
        TypeError: a differentiated input is not a floating-point array.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> fgrad.hessian(lambda x: (x ** 3).sum())(np.array([1.0, 2.0]))
        array([[ 6.,  0.],
               [ 0., 12.]])
    """
    return jacfwd(jacrev(fun, argnums, has_aux), argnums, has_aux)
