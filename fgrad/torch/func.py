"""torch.func on fgrad's transforms: grad, grad_and_value, vjp, jvp, vmap, jacrev, jacfwd, hessian.

Design (one engine): the shim's ops compute eagerly with NumPy, so a function of Tensors is not run on
tracers. Instead it is run once on fresh leaf tensors that require grad, which records its graph; each
recorded node holds its op's definition in fgrad operations, so the graph replays as a pure function of
arrays (`Recording.replay`). fgrad's own transforms (fgrad.grad, fgrad.vjp, fgrad.jvp, fgrad.vmap,
fgrad.jacrev, ...) run on that replay; there are no derivative rules here. vmap records the function on
one sample (torch's vmap, like jax's, runs it per sample) and batches the replay (fgrad.torch._func_vmap
says when it runs the samples one by one instead).

A result is a plain tensor (no grad_fn, as torch.func shows it) unless a tensor it depends on requires
grad while recording is on (an argument, or something the function read from outside: a module's
parameters, an earlier result): then it is recorded as a node whose definition is the transformed
replay of all of them, so a transform of a transform (vmap(grad(f)), jacrev(jacrev(f)), jvp(grad(f)))
replays the inner transform inside the outer one, and backward() through a result reaches the
parameters. Each call records and compiles afresh (the recording is what the program is made from).

Example:
    >>> import fgrad.torch as torch
    >>> torch.func.grad(lambda x: (x ** 2).sum())(torch.tensor([1., 2.]))
    tensor([2., 4.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import api, api_jit, api_jvp, api_vmap
from ..errors import user_location
from ..tree import tree_flatten, tree_unflatten
from . import ops
from ._errors import torch_error
from ._graph import MODE, Node, Op, replayable_graph, unpack_signature
from ._graph import _seq as _graph_clock  # the clock that numbers nodes: what was made before a recording
from .autograd import _output_op as output_op  # names a program's output after its last operation
from .tensor import Tensor

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "stack_module_state",
           "vjp", "vmap"]


# --- recording a function and replaying its graph --------------------------------------------------

def fresh_leaf(x):
    """A new leaf holding `x`'s values, requiring grad when it can (floating point), else `x` itself."""
    if not isinstance(x, Tensor):
        return x
    t = ops.wrap(x._data)
    t._rg = x._data.dtype.kind == "f"
    return t


def topological_nodes(roots: list, start: int = 0) -> list:
    """The nodes `roots` depend on that were made at clock reading `start` or later, inputs first
    (iterative: deep graphs do not hit the recursion limit)."""
    order, seen, stack = [], set(), [(r, False) for r in roots if isinstance(r, Node) and r.seq >= start]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((s, False) for s in node.srcs if isinstance(s, Node) and s.seq >= start and id(s) not in seen)
    return order


class Recording:
    """The graph from `leaves` (Tensors) to `outputs` (a pytree), replayable as a function of arrays.

    `positions`: where the leaves are among the flattened arguments of `replay` (default: all of them).
    `start`: the clock reading when recording began; what the graph reads from before it (tensors from
    outside the function that require grad, such as a module's parameters, and nodes made earlier) are
    its outer sources: constants of `replay`, inputs of `replay_with`, so results can stay connected to them.
    """

    def __init__(self, leaves: list, outputs: Any, positions: list[int] | None = None, start: int = 0):
        self.leaves, self.positions, self.outputs = leaves, positions, outputs
        self.out_leaves, self.out_tree = tree_flatten(outputs)
        self.order = topological_nodes([o.grad_fn for o in self.out_leaves if isinstance(o, Tensor)], start)
        self.outer = _outer_sources(self.order, {id(t) for t in leaves}, start) if start else {}

    def outer_tensors(self) -> list:
        """A Tensor standing for each outer source (the leaf itself, or a stand-in with the node as grad_fn)."""
        return [src if isinstance(src, Tensor) else _stand_in(src, value) for src, value in self.outer.values()]

    def replay(self, *args) -> Any:
        """The outputs computed from `args` (arrays where the leaves were) by the nodes' fgrad definitions."""
        return self._run(args, ())

    def replay_with(self, outer_arrays: tuple) -> Callable:
        """`replay` reading `outer_arrays` (one per outer source) instead of the recorded values."""
        return lambda *args: self._run(args, outer_arrays)

    def _run(self, args: tuple, outer_arrays: tuple) -> Any:
        flat = tree_flatten(args)[0]
        arrays = flat if self.positions is None else [flat[i] for i in self.positions]
        env = {id(t): a for t, a in zip(self.leaves, arrays)}
        env.update(zip(self.outer, outer_arrays))
        for node in self.order:
            op, params, _, _, _, out_dtype = unpack_signature(node.sigt)
            args = [env[id(s)] if s is not None and id(s) in env else _recorded(node, k)
                    for k, s in enumerate(node.srcs)]
            out = op.fn(*args, *params)
            env[id(node)] = out if np.dtype(out.dtype) == out_dtype else out.astype(out_dtype)
        return tree_unflatten(self.out_tree, [_replayed(o, env) for o in self.out_leaves])


def _recorded(node: Node, k: int):
    """The value of input k when `node` was made; a node made outside a `replayable_graph` block dropped
    the inputs its backward does not read, and such an input that is a leaf is read from the leaf."""
    value = node.vals[k]
    if value is None and isinstance(node.srcs[k], Tensor):
        return node.srcs[k]._data
    return value


def _outer_sources(order: list, leaf_ids: set, start: int) -> dict:
    """{id(source): (source, the value the graph read)} for the sources from before the recording."""
    found: dict = {}
    for node in order:
        for s, v in zip(node.srcs, node.vals):
            outside = s.seq < start if isinstance(s, Node) else s is not None and id(s) not in leaf_ids
            if outside and id(s) not in found:
                found[id(s)] = (s, v)
    return found


def _stand_in(node: Node, value) -> Tensor:
    t = ops.wrap(value)
    t.grad_fn, t._rg = node, True
    return t


def _replayed(out, env: dict):
    if not isinstance(out, Tensor):
        return out
    src = out.grad_fn if out.grad_fn is not None else out
    return env.get(id(src), out._data)


def record_call(fn: Callable, args: tuple, kwargs: dict | None = None) -> tuple[Recording, Any]:
    """Run `fn(*args)` on fresh leaves standing for the Tensors in `args`: (its Recording, its outputs).

    The replay takes `args` with arrays in place of its Tensors.
    """
    leaves, tree = tree_flatten(args)
    fresh = [fresh_leaf(x) for x in leaves]
    start = next(_graph_clock)
    with replayable_graph():           # the replay reads every input value
        out = fn(*ordered_like(tree_unflatten(tree, fresh), args), **(kwargs or {}))
    positions = [i for i, x in enumerate(leaves) if isinstance(x, Tensor)]
    return Recording([fresh[i] for i in positions], out, positions, start), out


def arrays_like(args: Any, arrays: list) -> Any:
    """`args` with its Tensors replaced, in order, by `arrays` (other leaves kept)."""
    leaves, tree = tree_flatten(args)
    it = iter(arrays)
    return tree_unflatten(tree, [next(it) if isinstance(x, Tensor) else x for x in leaves])


def ordered_like(result: Any, template: Any) -> Any:
    """`result` with its dicts in `template`'s key order (fgrad's pytrees sort keys; torch keeps them)."""
    if isinstance(result, dict) and isinstance(template, dict) and result.keys() == template.keys():
        return type(result)((k, ordered_like(result[k], template[k])) for k in template)
    if isinstance(result, (tuple, list)) and isinstance(template, (tuple, list)) and len(result) == len(template):
        items = [ordered_like(r, t) for r, t in zip(result, template)]
        return type(result)(*items) if hasattr(result, "_fields") else type(result)(items)
    return result


def tensors_of(tree: Any) -> list:
    """The Tensors among a pytree's leaves, in order."""
    return [x for x in tree_flatten(tree)[0] if isinstance(x, Tensor)]


class EmittedOp(Op):
    """The op of a transform's result: `origin` names the transform and function that made it, `recording`
    the function's Recording (or None), so two of them can be told to be the same program."""

    __slots__ = ("origin", "recording")


def emit(name: str | list | Callable, inputs: list, on_arrays: Callable, origin: tuple | None = None,
         recording: Recording | None = None) -> Any:
    """`on_arrays(*input arrays)` (a pytree of arrays) as Tensors; each is recorded as a node named
    `name` (or `name[k]` for leaf k, or `name(on_arrays, arrays)[k]`; its definition reruns `on_arrays`)
    when an input requires grad and recording is on."""
    arrays = [t._data for t in inputs]
    values = on_arrays(*arrays)
    leaves, tree = tree_flatten(values)
    attach = MODE.enabled and any(t._rg for t in inputs)
    if attach and callable(name):
        name = name(on_arrays, arrays)
    made = (name, inputs, on_arrays, origin, recording)
    return tree_unflatten(tree, [_emit_leaf(made, k, v, attach) for k, v in enumerate(leaves)])


def _emit_leaf(made: tuple, k: int, value, attach: bool):
    name, inputs, on_arrays, origin, recording = made
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if not attach:
        return ops.wrap(np.asarray(value))
    op = EmittedOp(name if isinstance(name, str) else name[k], lambda *a: tree_flatten(on_arrays(*a))[0][k],
                   lazy_backward=True)
    op.origin, op.recording = (origin, k), recording
    return ops.record(op, tuple(inputs), (), np.asarray(value))


# --- the grad_fn names torch shows on transform results ---------------------------------------------

def last_op_names(on_arrays: Callable, arrays: list) -> list:
    """The grad_fn name of each output of `on_arrays`: its last operation's, as torch's transforms show
    the node of the last operation of the derivative they compute (and backward(create_graph=True) does)."""
    ir = api_jit.make_ir(on_arrays)(*arrays)
    return [output_op(ir, j)[0].name for j in range(len(ir.outs))]


def own_names(rec: Recording) -> list:
    """The grad_fn name of each output the recorded function returned (None where it has none)."""
    return [o.grad_fn.name() if isinstance(o, Tensor) and o.grad_fn is not None else None for o in rec.out_leaves]


def _names(first: Callable | list, then: Callable | list) -> Callable:
    """A naming for emit: `first`'s names (a list, or computed like last_op_names), then `then`'s for
    the remaining leaves; a None falls back to the last operation's name."""
    def names(on_arrays: Callable, arrays: list) -> list:
        computed = last_op_names(on_arrays, arrays)
        head = first(on_arrays, arrays) if callable(first) else list(first)
        tail = then(on_arrays, arrays) if callable(then) else list(then)
        return [n if n is not None else c for n, c in zip(head + tail, computed)] + computed[len(head + tail):]
    return names


# --- argument checks with torch's wording ------------------------------------------------------------

def misuse(kind: type, message: str, hint: str) -> Exception:
    """torch's exception `kind` with torch's `message`, then an fgrad hint naming the user's line.

    Example:
        >>> str(misuse(RuntimeError, "bad", "do this")).splitlines()[0]
        'bad'
    """
    return torch_error(message, f"{hint} (at {user_location()})", kind)


def _check_argnums(argnums, nargs: int) -> None:
    for a in argnums if isinstance(argnums, tuple) else (argnums,):
        if not isinstance(a, int) or isinstance(a, bool):
            raise misuse(RuntimeError,
                f"argnums must be int or Tuple[int, ...], got: {type(argnums)}",
                "pass argnums as an int or a tuple of ints")
        if not -nargs <= a < nargs:
            raise misuse(RuntimeError,
                f"Got argnum={a}, but only {nargs} positional inputs",
                "argnums counts the positional arguments from 0; pass one that the call has")


def _main_output(out, has_aux: bool, api_name: str):
    """The differentiated output of `f`, checked as torch checks it."""
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise misuse(RuntimeError,
                f"{api_name}(f)(*args): output of function f should be a tuple: (output, aux) "
                "if has_aux is True",
                "with has_aux=True the function returns (output, aux); return a pair or drop has_aux")
        for leaf in tree_flatten(out[1])[0]:
            if not isinstance(leaf, Tensor):
                raise misuse(RuntimeError, f"Expected tensors, got unsupported type {type(leaf)}",
                             "return only Tensors (in tuples, lists or dicts) as aux; wrap numbers in torch.tensor")
        out = out[0]
    return out


def check_float(tensors: list) -> None:
    """torch's refusal to differentiate with respect to a tensor that is not floating point."""
    for t in tensors:
        if t._data.dtype.kind != "f":
            raise misuse(RuntimeError, "only Tensors of floating point dtype can require gradients",
                         f"the input of dtype {t.dtype} cannot be differentiated; convert it first (x.float())")


def _wrt(args: tuple, argnums):
    return tuple(args[a] for a in argnums) if isinstance(argnums, tuple) else args[argnums]


def _check_scalar(out) -> None:
    if not isinstance(out, Tensor):
        raise misuse(RuntimeError,
            f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}",
            "return a 0-d Tensor from the function, e.g. loss.sum() or loss.mean()")
    if out.dim() != 0:
        raise misuse(RuntimeError,
            f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
            f"with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?",
            "reduce the output to one element (e.g. .sum()), or use torch.func.vjp or jacrev for a vector output")


# --- the transforms ------------------------------------------------------------------------------------

def _transformed(name: str, fn: Callable, args: tuple, kwargs: dict, core: Callable, spec: tuple,
                 check=None) -> Any:
    """Record `fn(*args)`, run the Jacobian transform `core(replay)` on the arrays of `args`, and return
    Tensors; `spec` (the transform's options) with `name` and `fn` says which transform made them."""
    rec, out = record_call(fn, args, kwargs)
    if check is not None:
        check(out)
    # torch's jacrev, jacfwd and hessian reshape their result last: a view
    return emit_transformed("ViewBackward0", rec, args, core, (name, fn, spec))


def emit_transformed(name: str | list, rec: Recording, args: Any, core: Callable, origin: tuple) -> Any:
    """`core(replay)(*args)` as Tensors (see emit), whose inputs are the Tensors of `args` and the
    recording's outer sources, so results stay connected to parameters the function read."""
    inputs = tensors_of(args)
    n = len(inputs)

    def on_arrays(*arrays):
        return core(rec.replay_with(arrays[n:]))(*arrays_like(args, list(arrays[:n])))
    return emit(name, inputs + rec.outer_tensors(), on_arrays, origin, rec)


def grad_and_value(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """A function returning (gradient, value) of `func` (with has_aux: (gradient, (value, aux))).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.grad_and_value(lambda x: (x ** 2).sum())(torch.tensor([3.]))
        (tensor([6.]), tensor(9.))
    """
    def wrapper(*args, **kwargs):
        _check_argnums(argnums, len(args))
        check_float(tensors_of(_wrt(args, argnums)))

        def check(out):
            _check_scalar(_main_output(out, has_aux, "grad_and_value"))

        def core(replay):
            vg = api.value_and_grad(replay, argnums=argnums, has_aux=has_aux)
            return lambda *a: _swap(vg(*a))
        rec, out = record_call(func, args, kwargs)
        check(out)
        names = _names(lambda f, a: last_op_names(f, a)[:len(tensors_of(_wrt(args, argnums)))], own_names(rec))
        g, value = emit_transformed(names, rec, args, core, ("GradAndValueBackward", func, (argnums, has_aux)))
        return ordered_like(g, _wrt(args, argnums)), value
    return wrapper


def _swap(value_grad):
    value, g = value_grad
    return g, value


def grad(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of scalar-valued `func` (with has_aux: (gradient, aux)).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.grad(lambda x: x.sin().sum())(torch.tensor([0.]))
        tensor([1.])
    """
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func: Callable, *primals, has_aux: bool = False) -> tuple:
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangents) gives one cotangent per primal.

    Example:
        >>> import fgrad.torch as torch
        >>> out, f_vjp = torch.func.vjp(torch.sin, torch.tensor([0.]))
        >>> f_vjp(torch.tensor([2.]))
        (tensor([2.]),)
    """
    check_float(tensors_of(primals))
    rec, out = record_call(func, primals)
    _main_output(out, has_aux, "vjp")
    values = ordered_like(emit_transformed(_names(own_names(rec), []), rec, primals, lambda f: f,
                                           ("VjpBackward", func, ())), out)
    primal_out = values[0] if has_aux else values

    def vjp_fn(cotangents, *rest):
        cts = (cotangents, *rest) if rest else cotangents
        _check_cotangents(cts, primal_out)

        def on_arrays(*arrays):
            p = arrays_like(primals, list(arrays[:len(rec.leaves)]))
            _, pullback = api.vjp(_main_only(rec.replay, has_aux), *p)
            return pullback(arrays_like(cts, list(arrays[len(rec.leaves):])))
        return ordered_like(emit(last_op_names, tensors_of(primals) + tensors_of(cts), on_arrays), primals)
    return (primal_out, vjp_fn, values[1]) if has_aux else (primal_out, vjp_fn)


def _check_cotangents(cts, outputs) -> None:
    """torch's error for a cotangent shaped unlike its output."""
    for i, (ct, out) in enumerate(zip(tensors_of(cts), tensors_of(outputs))):
        if ct.shape != out.shape:
            raise misuse(RuntimeError, f"Mismatch in shape: grad_output[{i}] has a shape of {ct.shape} and "
                                       f"output[{i}] has a shape of {out.shape}.",
                         "give each cotangent the shape of the output it pairs with")


def _main_only(fn: Callable, has_aux: bool) -> Callable:
    return (lambda *a: fn(*a)[0]) if has_aux else fn


def _check_jvp_args(primals, tangents) -> None:
    for what, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, tuple):
            raise misuse(RuntimeError,
                f"jvp(f, primals, tangents): Expected {what} to be a tuple. "
                "E.g. it should be valid to call f(*primals).",
                "pass tuples, e.g. jvp(f, (x,), (t,))")
    p, t = tensors_of(primals), tensors_of(tangents)
    if len(p) != len(t) or tree_flatten(primals)[1] != tree_flatten(tangents)[1]:
        raise misuse(RuntimeError,
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
            f"Got primals with structure {tree_flatten(primals)[1]} and tangents with structure "
            f"{tree_flatten(tangents)[1]}",
            "give one tangent per primal, in the same nesting")
    for a, b in zip(p, t):
        if tuple(a.shape) != tuple(b.shape):
            raise misuse(RuntimeError,
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(a.shape)} while "
                f"the given forward gradient is of size {list(b.shape)}.",
                "each tangent has its primal's shape")


def jvp(func: Callable, primals: tuple, tangents: tuple, *, has_aux: bool = False) -> tuple:
    """(func(*primals), the directional derivative along `tangents`[, aux]).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.jvp(torch.sin, (torch.tensor([0.]),), (torch.tensor([3.]),))
        (tensor([0.]), tensor([3.]))
    """
    _check_jvp_args(primals, tangents)
    rec, out = record_call(func, primals)
    _main_output(out, has_aux, "jvp")
    n = len(rec.leaves)

    def on_arrays(*arrays):
        p, t = arrays_like(primals, list(arrays[:n])), arrays_like(tangents, list(arrays[n:]))
        return api_jvp.jvp(rec.replay, p, t, has_aux=has_aux)
    # torch's jvp returns its output through an alias; the tangent shows its last operation
    names = _names(["AliasBackward0"] * len(tensors_of(out[0] if has_aux else out)), [])
    return tuple(emit(names, tensors_of(primals) + tensors_of(tangents), on_arrays))


def jacrev(func: Callable, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False) -> Callable:
    """The Jacobian of `func` by reverse mode (out.shape + in.shape; tuples for tuple argnums).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.jacrev(lambda x: x ** 2)(torch.tensor([1., 2.]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    return _jacobian("jacrev", api_vmap.jacrev, func, argnums, has_aux)


def jacfwd(func: Callable, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False) -> Callable:
    """The Jacobian of `func` by forward mode (same layout as jacrev).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.jacfwd(lambda x: x.sum() * x)(torch.tensor([1.]))
        tensor([[2.]])
    """
    return _jacobian("jacfwd", api_vmap.jacfwd, func, argnums, has_aux)


def _jacobian(name: str, core_jac: Callable, func: Callable, argnums, has_aux: bool) -> Callable:
    def wrapper(*args, **kwargs):
        _check_argnums(argnums, len(args))
        check_float(tensors_of(_wrt(args, argnums)))

        def check(out):
            _main_output(out, has_aux, name)

        def core(replay):
            return core_jac(replay, argnums=argnums, has_aux=has_aux)
        return _transformed(name, func, args, kwargs, core, (argnums, has_aux), check)
    return wrapper


def hessian(func: Callable, argnums: int | tuple[int, ...] = 0) -> Callable:
    """The Hessian of `func` (jacfwd of jacrev, as torch.func computes it).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.hessian(lambda x: (x ** 3).sum())(torch.tensor([1., 2.]))
        tensor([[ 6.,  0.],
                [ 0., 12.]])
    """
    def wrapper(*args, **kwargs):
        _check_argnums(argnums, len(args))
        check_float(tensors_of(_wrt(args, argnums)))
        return _transformed("hessian", func, args, kwargs,
                            lambda replay: api_vmap.hessian(replay, argnums=argnums), (argnums,))
    return wrapper


from ._func_vmap import functional_call, stack_module_state, vmap  # noqa: E402,F401  (vmap builds on the recording above)
