"""checkpoint (remat): recompute a function's intermediate values in the backward pass instead of
keeping them from the forward pass, as `jax.checkpoint`; and `print_saved_residuals`.

The function is traced abstractly into a sub-program and inlined; each output then passes through a
`checkpoint` marker (fgrad/primitives/calls.py) whose operands are the function's inputs and the
values the policy saves. The marker's vjp rule replays the sub-program's reverse mode from the inputs
passed through a `remat_barrier` unique to the call, so merging common subexpressions cannot fold the
recomputation back into the forward pass, and the forward pass's intermediates die early.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from types import SimpleNamespace

from .core import IR, Eqn, Tracer, Var, _current_origin, bind, eval_ir, sites_on
from .primitives.calls import checkpoint_name as checkpoint_name
from .primitives.calls import checkpoint_p, name_p, remat_barrier
from .primitives.linalg import dot_general_p
from .tree import tree_flatten, tree_unflatten

_tags = itertools.count()


def nothing_saveable(prim, *avals, **params) -> bool:
    """The default policy: save no intermediate value, recompute them all."""
    return False


def everything_saveable(prim, *avals, **params) -> bool:
    """Save every intermediate value (no recomputation, as without checkpoint)."""
    return True


def dots_saveable(prim, *avals, **params) -> bool:
    """Save the results of matrix products (dot_general), recompute everything else."""
    return prim is dot_general_p


def dots_with_no_batch_dims_saveable(prim, *avals, **params) -> bool:
    """Save matrix products without batch dimensions."""
    return prim is dot_general_p and not any(params.get("batch", ((), ())))


def save_only_these_names(*names: str) -> Callable:
    """Save only the values named (with checkpoint_name) by one of `names`."""
    chosen = frozenset(names)
    return lambda prim, *avals, **params: prim is name_p and params["name"] in chosen


def save_any_names_but_these(*names: str) -> Callable:
    """Save the named values (with checkpoint_name) except those named by one of `names`."""
    refused = frozenset(names)
    return lambda prim, *avals, **params: prim is name_p and params["name"] not in refused


def save_from_both_policies(policy_1: Callable, policy_2: Callable) -> Callable:
    """Save what either policy saves."""
    return lambda prim, *avals, **params: bool(policy_1(prim, *avals, **params) or policy_2(prim, *avals, **params))


checkpoint_policies = SimpleNamespace(
    nothing_saveable=nothing_saveable, everything_saveable=everything_saveable, dots_saveable=dots_saveable,
    checkpoint_dots=dots_saveable, dots_with_no_batch_dims_saveable=dots_with_no_batch_dims_saveable,
    checkpoint_dots_with_no_batch_dims=dots_with_no_batch_dims_saveable,
    save_only_these_names=save_only_these_names, save_any_names_but_these=save_any_names_but_these,
    save_from_both_policies=save_from_both_policies)


class _RematRule:
    """Differentiates a checkpointed call by recomputing `sub` (its saved equations excepted)."""

    def __init__(self, sub: IR, saved: list[int], policy: Callable):
        self.sub, self.saved, self.policy, self.tag = sub, saved, policy, next(_tags)
        self.n_in = len(sub.in_vars)
        self._backward: dict = {}

    def __repr__(self):
        return f"remat(saved={len(self.saved)})"

    def _backward_ir(self, index: int) -> IR:
        from .transforms.ad import backward_ir
        bir = self._backward.get(index)
        if bir is None:
            sub = self.sub
            one = IR(sub.in_vars, sub.const_vars, sub.consts, sub.eqns, [sub.outs[index]])
            floats = [i for i, v in enumerate(sub.in_vars) if v.aval.is_float]
            bir = self._backward[index] = (backward_ir(one, floats, seed="input"), floats)
        return bir

    def vjp(self, ct, args: list, index: int) -> list:
        if not isinstance(self.sub.outs[index], Var) or not self.sub.outs[index].aval.is_float:
            return [None] * len(args)
        bir, floats = self._backward_ir(index)
        leaves, saved = args[:self.n_in], args[self.n_in:]
        inputs = [remat_barrier(x, ct, self.tag) if isinstance(x, Tracer) else x for x in leaves]
        # saved values pass the barrier too: what is computed from them stays in the backward pass
        known = {bir.eqns[k].out: remat_barrier(value, ct, self.tag) if isinstance(value, Tracer) else value
                 for k, value in zip(self.saved, saved)}                       # replayed in order
        grads = _eval_with(bir, inputs + [ct], known)[1:]
        cts = [None] * len(args)
        for i, g in zip(floats, grads):
            cts[i] = g
        return cts

    def jvp(self, primals: list, tangents: list, index: int):
        from .transforms.jvp import jvp_ir
        leaves, t_leaves = primals[:self.n_in], tangents[:self.n_in]
        nonzero = [t is not None and v.aval.is_float for t, v in zip(t_leaves, self.sub.in_vars)]
        jir, out_nonzero = jvp_ir(self.sub, nonzero)
        outs = eval_ir(jir, leaves + [t for t, nz in zip(t_leaves, nonzero) if nz])
        position = sum(out_nonzero[:index])
        return outs[len(self.sub.outs) + position] if out_nonzero[index] else None

    def batch(self, args: list, batched: list, size: int, index: int):
        from .transforms.batching import batch_ir, broadcast_batched
        from .transforms.simplify import simplify
        leaves, flags = args[1:1 + self.n_in], batched[1:1 + self.n_in]      # operand 0: the output
        bsub, out_batched = batch_ir(self.sub, flags, size)
        outs = _checkpointed_call(lambda *xs: eval_ir(simplify(bsub), list(xs)), leaves, self.policy)
        out = outs[index]
        return out if out_batched[index] else broadcast_batched(out, size, tuple(out.shape))


def _eval_with(ir: IR, args: list, known: dict) -> list:
    """`eval_ir`, except that equations defining a var in `known` take that value instead."""
    env = dict(zip(ir.in_vars, args))
    env.update(zip(ir.const_vars, ir.consts))
    read = lambda a: env[a] if isinstance(a, Var) else a.val  # noqa: E731
    for eqn in ir.eqns:
        if eqn.out in known:
            env[eqn.out] = known[eqn.out]
            continue
        _current_origin.append(eqn.origin if eqn.origin is not None else _current_origin[-1])
        try:
            env[eqn.out] = bind(eqn.prim, *[read(a) for a in eqn.inputs], **eqn.params)
        finally:
            _current_origin.pop()
    return [read(o) for o in ir.outs]


def _checkpointed_call(fun: Callable, leaves: list, policy: Callable) -> list:
    """`fun(*leaves)` inlined, each output marked so that its derivative recomputes `fun`."""
    from .api import trace_flat
    from .transforms.simplify import simplify
    ir, out_tree = trace_flat(lambda *xs: fun(*xs), tree_flatten((tuple(leaves), {}))[1], list(leaves),
                              concrete=False, transform="checkpoint")
    sub, leaves = _closed_over_as_inputs(simplify(ir, horner=False), list(leaves))
    saved = [k for k, e in enumerate(sub.eqns) if policy(e.prim, *[a.aval for a in e.inputs], **e.params)]
    with_saved = IR(sub.in_vars, sub.const_vars, sub.consts, sub.eqns, sub.outs + [sub.eqns[k].out for k in saved])
    results = eval_ir(with_saved, list(leaves))
    outs, saved_values = results[:len(sub.outs)], results[len(sub.outs):]
    rule = _RematRule(sub, saved, policy)
    marked = [bind(checkpoint_p, o, *leaves, *saved_values, rule=rule, index=i) for i, o in enumerate(outs)]
    return tree_unflatten(out_tree, marked)


def _closed_over_as_inputs(sub: IR, leaves: list) -> tuple[IR, list]:
    """Values of an enclosing trace that `fun` closed over become inputs of the sub-program (and
    operands of its markers): the sub-program outlives that trace, and their gradients flow back."""
    outer = [k for k, c in enumerate(sub.consts) if isinstance(c, Tracer)]
    if not outer:
        return sub, leaves
    kept = [k for k in range(len(sub.consts)) if k not in outer]
    ir = IR(sub.in_vars + [sub.const_vars[k] for k in outer], [sub.const_vars[k] for k in kept],
            [sub.consts[k] for k in kept], sub.eqns, sub.outs)
    return ir, leaves + [sub.consts[k] for k in outer]


def checkpoint(fun: Callable, *, prevent_cse: bool = True, policy: Callable | None = None,
               static_argnums: int | tuple[int, ...] = ()) -> Callable:
    """`fun`, with its intermediate values recomputed in the backward pass rather than saved.

    Parameters:
        fun: the function; it is traced abstractly (Python control flow on its arguments needs
            `static_argnums`), as under `jax.checkpoint`.
        prevent_cse: accepted for jax compatibility; the recomputation is never merged with the
            forward pass.
        policy: `policy(prim, *avals, **params) -> bool` says which intermediate values to save
            (`fgrad.checkpoint_policies.dots_saveable`: the matrix products); default: none.
        static_argnums: positional arguments passed as Python values.

    Returns:
        A function of the same arguments and outputs as `fun`; only its derivatives' memory and
        cost change.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> f = fgrad.checkpoint(lambda x: fnp.sin(fnp.sin(x)))
        >>> round(float(fgrad.grad(f)(1.0)), 6)
        0.360039
    """
    policy = policy or nothing_saveable
    statics = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)

    @functools.wraps(fun)
    def checkpointed(*args, **kwargs):
        static = {i % len(args): args[i] for i in statics}
        dynamic = tuple(a for i, a in enumerate(args) if i not in static)
        leaves, treedef = tree_flatten((dynamic, kwargs))
        if not any(isinstance(x, Tracer) for x in leaves):
            return fun(*args, **kwargs)

        def flat(*xs):
            dyn, kw = tree_unflatten(treedef, list(xs))
            it = iter(dyn)
            return fun(*[static[i] if i in static else next(it) for i in range(len(args))], **kw)
        return _checkpointed_call(flat, leaves, policy)
    return checkpointed


remat = checkpoint


def saved_residuals(fun: Callable, *args, **kwargs) -> list[tuple]:
    """The values `fgrad.vjp(fun, *args)` keeps for its backward pass: `(aval, where from)` each, in
    jax's order and words ("output of sin from file.py:3:9 (g)", "named 'a' from ...")."""
    from .api import _vjp_programs
    leaves, treedef = tree_flatten((args, kwargs))
    with sites_on():
        fwd, _, (n_out, _) = _vjp_programs(lambda *a, **k: fun(*a, **k), treedef, leaves, False, concrete=False)
    residuals = fwd.outs[n_out:]
    saved = {r for r in residuals if isinstance(r, Var)}
    names = _argument_names(fun, treedef)
    # in jax's order: literals, constants, arguments, then results in the order of the forward pass
    found = [(r.aval, "from a literal") for r in residuals if not isinstance(r, Var)]
    found += [(v.aval, "from a constant") for v in fwd.const_vars if v in saved]
    found += [(v.aval, f"from the argument {name}") for v, name in zip(fwd.in_vars, names) if v in saved]
    found += [(e.out.aval, _source(e, fwd)) for e in _forward_order(fwd) if e.out in saved]
    return found


def _forward_order(fwd: IR) -> list[Eqn]:
    """The equations in the order jax computes them: a value a derivative rule needs (cos of sin's
    operand) right after the forward operation it differentiates, as jax's forward pass has it."""
    position = {id(e): k for k, e in enumerate(fwd.eqns)}

    def key(k_eqn):
        k, eqn = k_eqn
        origin = eqn.origin
        return (position[id(origin)], 1, k) if origin is not None and id(origin) in position else (k, 0, k)
    return [e for _, e in sorted(enumerate(fwd.eqns), key=key)]


def _source(eqn: Eqn, fwd: IR) -> str:
    """'output of <primitive> from <site>' or "named '<name>' from <site>", looking through the
    markers of custom rules and checkpoint to the equation that computed the value."""
    producer = {e.out: e for e in fwd.eqns}
    while getattr(eqn.prim, "marker", False) and eqn.inputs[0] in producer:
        eqn = producer[eqn.inputs[0]]
    site = eqn.where if eqn.where is not None or eqn.origin is None else eqn.origin.where
    where = "" if site is None else f" from {site.file}:{site.line}:{site.column} ({site.function})"
    if eqn.prim is name_p:
        return f"named '{eqn.params['name']}'{where}"
    return f"output of {eqn.prim.name}{where}"


def _argument_names(fun: Callable, treedef) -> list[str]:
    """A readable name per input leaf: the parameter's name and the path inside it (`params['w']`)."""
    import inspect

    from .tree import leaf_paths
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        params = []
    names = []
    for path in leaf_paths(treedef):
        head, _, rest = path[1:].partition("]")          # "[0][1]['w']": args, position 1, ['w']
        key, _, inner = rest[1:].partition("]")
        if head == "0":
            position = int(key)
            names.append((params[position] if position < len(params) else f"args[{position}]") + inner)
        else:
            names.append(key.strip("'") + inner)
    return names


def print_saved_residuals(fun: Callable, *args, **kwargs) -> None:
    """Print what the backward pass of `fun` at `args` keeps, one line per value, as jax prints it.

    Use it to see what `checkpoint` and its policies save: each line is a value's type and where it
    comes from (an argument, or the primitive whose output it is).

    Args:
        fun: the function whose reverse mode is inspected.
        *args: the positional arguments to trace `fun` at.
        **kwargs: keyword arguments of `fun`.

    Returns:
        None; the lines are printed to standard output.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> fgrad.print_saved_residuals(lambda x: fnp.sin(fnp.sin(x)), np.ones(3))
        f64[3] output of cos...
        f64[3] output of cos...
        >>> fgrad.print_saved_residuals(fgrad.checkpoint(lambda x: fnp.sin(fnp.sin(x))), np.ones(3))
        f64[3] from the argument x
    """
    for aval, where in saved_residuals(fun, *args, **kwargs):
        print(f"{aval!r} {where}")
