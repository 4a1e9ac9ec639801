"""custom_jvp and custom_vjp: functions whose derivative is a rule the user writes, as in JAX.

Called where its inputs are being differentiated (under grad, vjp, value_and_grad, jvp), a custom
function runs its rule instead of itself, as jax does: custom_jvp's jvp rule with symbolic tangents
(its primal outputs are the function's; its tangent program is kept), custom_vjp's fwd (its residuals
become operands of the markers, so fwd runs once). The rules then see the values of a concrete trace,
so Python control flow on them works as under jax.grad. Elsewhere (jit, vmap, make_ir) the function
itself is traced inline like any other. Either way each output leaf passes through a marker
primitive (fgrad/primitives/calls.py) whose rules call the user's rule, traced when a transform needs
it. Under reverse mode a custom_jvp function is differentiated by transposing its jvp rule (the vjp of
the linear map t -> jvp_rule(primals, t), taken by fgrad's own reverse mode); a custom_vjp function
runs its fwd rule and pulls the cotangent back through bwd. Called on plain arrays, outside any
transform, both just call the function.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
from collections.abc import Callable

import numpy as np

from .core import IR, Tracer, aval_of, bind, eval_ir, find_trace, new_trace, shape_of
from .primitives.calls import custom_jvp_call_p, custom_vjp_call_p
from .tree import leaf_paths, tree_flatten, tree_unflatten

_FLOAT0 = np.dtype([("float0", np.void, 0)])    # jax.dtypes.float0: the tangent type of integers
_DIFFERENTIATING = ("grad", "value_and_grad", "vjp", "jvp", "linearize")   # traces taking derivatives
REVERSE_MODE = ("grad", "value_and_grad", "vjp")


class _RuleDepth(threading.local):
    depth = 0             # > 0 while a custom rule runs where its function was called


_in_rule = _RuleDepth()


@contextlib.contextmanager
def _running_rule():
    _in_rule.depth += 1
    try:
        yield
    finally:
        _in_rule.depth -= 1


def _aval(x):
    return x.aval if isinstance(x, Tracer) else aval_of(x)


def _zeros(aval):
    """The zero tangent or cotangent of a value of type `aval` (float0 for integers, as in jax)."""
    return np.zeros(aval.shape, aval.dtype if aval.is_float else _FLOAT0)


def _name(fun) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _resolve_kwargs(fun: Callable, args: tuple, kwargs: dict) -> tuple:
    """Keyword arguments moved to their positions, as jax's custom functions take them."""
    if not kwargs:
        return args
    bound = inspect.signature(fun).bind(*args, **kwargs)
    bound.apply_defaults()
    if bound.kwargs:
        raise TypeError("keyword arguments could not be resolved to positions")
    return bound.args


class _Call:
    """One call of a custom function: its differentiated leaves, its nondiff arguments, its output."""

    def __init__(self, args: tuple, nondiff_argnums: tuple):
        self.nargs = len(args)
        for i in nondiff_argnums:
            if not -len(args) <= i < len(args):
                raise TypeError(f"nondiff_argnums={nondiff_argnums!r} names argument {i}, but the function was "
                                f"called with {len(args)} positional arguments")
        self.nondiff = {i % len(args): args[i] for i in nondiff_argnums}
        self.nondiff_values = [self.nondiff[i] for i in sorted(self.nondiff)]
        diff = tuple(a for i, a in enumerate(args) if i not in self.nondiff)
        self.leaves, self.in_tree = tree_flatten(diff)
        self.in_avals = [_aval(x) for x in self.leaves]

    def traced(self) -> bool:
        return any(isinstance(x, Tracer) for x in self.leaves)

    def args(self, leaves: list) -> tuple:
        """All positional arguments with the differentiated ones replaced by `leaves`."""
        diff = iter(tree_unflatten(self.in_tree, leaves))
        return tuple(self.nondiff[i] if i in self.nondiff else next(diff) for i in range(self.nargs))

    def diff_args(self, leaves: list) -> tuple:
        return tree_unflatten(self.in_tree, leaves)

    def differentiating(self) -> bool:
        """Whether the innermost trace takes the derivative of one of the differentiated leaves (never
        inside a rule run where it was called: what the rule computes is primal, as under jax)."""
        return not _in_rule.depth and differentiated(self.leaves)

    def mark(self, prim, out, rule_class, *rule_args, extra: list = ()):
        """`out`'s leaves passed through `prim`'s marker, each holding the rule that differentiates it;
        `extra` values of the trace (a traced rule's) follow the leaves as operands."""
        out_leaves, out_tree = tree_flatten(out)
        rule = rule_class(self, out_tree, [_aval(o) for o in out_leaves], *rule_args)
        return tree_unflatten(out_tree, [bind(prim, o, *self.leaves, *extra, rule=rule, index=i)
                                         for i, o in enumerate(out_leaves)])


def differentiated(values: list, transforms: tuple = _DIFFERENTIATING) -> bool:
    """Whether the innermost trace among `values` takes the derivative of one of them (it is a trace
    of one of `transforms`, by default grad, vjp or jvp, and the value depends on a differentiated input).

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> seen = []
        >>> _ = fgrad.grad(lambda x: seen.append(differentiated([x])) or x * 2.0)(1.0)
        >>> seen, differentiated([1.0])
        ([True], False)
    """
    trace = find_trace(values)
    if trace is None or trace.transform not in transforms:
        return False
    mine = [x._var for x in values if isinstance(x, Tracer) and x._trace is trace]
    return trace.transform == "vjp" or any(trace.depends_on_differentiated(v) for v in mine)


def _broadcast_all(args: list, batched: list, size: int) -> list:
    from .transforms.batching import broadcast_batched
    return [x if b else broadcast_batched(x, size, shape_of(x)) for x, b in zip(args, batched)]


def _batched_avals(avals: list, size: int) -> list:
    from .core import Aval
    return [Aval((size,) + a.shape, a.dtype) for a in avals]


# --- custom_jvp ----------------------------------------------------------------------------------

class _JvpRule:
    """Differentiates a custom_jvp call: `jvp_flat(primals, tangents) -> (outs, tangent outs)`."""

    def __init__(self, call: _Call, out_tree, out_avals: list, owner, jvp_flat: Callable | None = None,
                 in_avals: list | None = None):
        self.call, self.out_tree, self.out_avals, self.owner = call, out_tree, out_avals, owner
        self.in_avals = call.in_avals if in_avals is None else in_avals
        self.jvp_flat = jvp_flat or self._user_jvp

    def __repr__(self):
        return f"custom_jvp({_name(self.owner.fun)})"

    def _user_jvp(self, primals: list, tangents: list):
        return self.rule_outputs(primals, tangents)[1:]

    def rule_outputs(self, primals: list, tangents: list) -> tuple:
        """(output tree, output leaves, tangent leaves) of the user's jvp rule, checked as jax checks them."""
        tangents = [_zeros(a) if t is None else t for t, a in zip(tangents, self.in_avals)]
        rule = self.owner.jvp
        pair = rule(*self.call.nondiff_values, self.call.diff_args(primals), self.call.diff_args(tangents))
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"Custom JVP rule {_name(rule)} for function {_name(self.owner.fun)} must produce a "
                            f"pair (list or tuple of length two) representing primal and tangent outputs, but "
                            f"got {pair}.")
        outs, out_tree = tree_flatten(pair[0])
        t_outs, t_tree = tree_flatten(pair[1])
        if out_tree != t_tree:
            raise TypeError(f"Custom JVP rule {_name(rule)} for function {_name(self.owner.fun)} must produce "
                            f"primal and tangent outputs with equal container (pytree) structures, but got "
                            f"{out_tree} and {t_tree} respectively.")
        for p, t in zip(outs, t_outs):
            p_aval, t_aval = _aval(p), _aval(t)
            if p_aval.shape != t_aval.shape or (isinstance(t, (Tracer, np.ndarray)) and p_aval.dtype != t_aval.dtype
                                                and p_aval.is_float):
                raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with corresponding "
                                f"shapes and dtypes. Expected {p_aval!r} (tangent type of {p_aval!r}) but got "
                                f"{t_aval!r}.")
        return out_tree, outs, t_outs

    def jvp(self, primals: list, tangents: list, index: int):
        return self.jvp_flat(primals, tangents)[1][index]

    def vjp(self, ct, primals: list, index: int) -> list:
        """The transpose of the jvp rule's linear map of the tangents, at `ct`."""
        from .api import vjp
        floats = [i for i, a in enumerate(self.in_avals) if a.is_float]

        def linear(*ts):
            tangents = [None] * len(primals)
            for i, t in zip(floats, ts):
                tangents[i] = t
            return self.jvp_flat(primals, tangents)[1][index]

        if not floats:
            return [None] * len(primals)
        _, pullback = vjp(linear, *[_zeros(self.in_avals[i]) for i in floats])
        cts = [None] * len(primals)
        for i, c in zip(floats, pullback(ct)):
            cts[i] = c
        return cts

    def batch(self, args: list, batched: list, size: int, index: int):
        from .api_vmap import vmap
        inner, *leaves = _broadcast_all(args, batched, size)
        parent = self.jvp_flat

        def jvp_batched(primals, tangents):
            kept = [i for i, t in enumerate(tangents) if t is not None]

            def one(ps, ts):
                full = [None] * len(ps)
                for i, t in zip(kept, ts):
                    full[i] = t
                return parent(ps, full)
            return vmap(one)(primals, [tangents[i] for i in kept])

        rule = _JvpRule(self.call, self.out_tree, _batched_avals(self.out_avals, size), self.owner, jvp_batched,
                        _batched_avals(self.in_avals, size))
        return bind(custom_jvp_call_p, inner, *leaves, rule=rule, index=index)


class _TracedJvpRule(_JvpRule):
    """A custom_jvp call whose jvp rule ran where it was called: its tangent program `tangent_ir` takes
    the rule's values from the trace (the markers' operands after the leaves) and the leaves' tangents."""

    def __init__(self, call: _Call, out_tree, out_avals: list, owner, tangent_ir: IR, kept: list):
        super().__init__(call, out_tree, out_avals, owner, self._tangents)
        self.tangent_ir, self.kept, self.n = tangent_ir, kept, len(call.leaves)

    def _tangents(self, primals: list, tangents: list):
        floats = [i for i, a in enumerate(self.in_avals) if a.is_float]
        ts = [np.zeros(self.in_avals[i].shape, self.in_avals[i].dtype) if tangents[i] is None else tangents[i]
              for i in floats]
        outs = eval_ir(self.tangent_ir, list(primals[self.n:]) + ts)
        by_output = dict(zip(self.kept, outs))
        return None, [by_output.get(i) for i in range(len(self.out_avals))]

    def jvp(self, primals: list, tangents: list, index: int):
        return self._tangents(primals, tangents)[1][index]

    def batch(self, args: list, batched: list, size: int, index: int):
        # batched as a call of the user's rule on the leaves, the operands after them left out
        plain = _JvpRule(self.call, self.out_tree, self.out_avals, self.owner)
        return plain.batch(args[:1 + self.n], batched[:1 + self.n], size, index)


def _run_jvp_rule(owner, call: _Call):
    """The outputs of a custom_jvp call made by running its jvp rule on symbolic tangents (jax's order
    of calls under differentiation), marked with the tangent program the rule traced."""
    floats = [i for i, a in enumerate(call.in_avals) if a.is_float]
    with new_trace("custom_jvp") as sub, _running_rule():
        t_args = dict(zip(floats, [sub.new_arg(call.in_avals[i]) for i in floats]))
        out_tree, outs, t_outs = _JvpRule(call, None, None, owner).rule_outputs(
            call.leaves, [t_args.get(i) for i in range(len(call.leaves))])
        if any(isinstance(o, Tracer) and o._trace is sub for o in outs):
            raise TypeError(f"Custom JVP rule {_name(owner.jvp)} for function {_name(owner.fun)} computes its "
                            "primal output from the tangents; the primal output must depend on the primals only")
        kept = [k for k, o in enumerate(outs) if _aval(o).is_float]
        tir = sub.to_ir([t_outs[k] for k in kept])
    outer = [k for k, c in enumerate(tir.consts) if isinstance(c, Tracer)]
    rest = [k for k in range(len(tir.consts)) if k not in outer]
    tangent_ir = IR([tir.const_vars[k] for k in outer] + tir.in_vars, [tir.const_vars[k] for k in rest],
                    [tir.consts[k] for k in rest], tir.eqns, tir.outs)
    return call.mark(custom_jvp_call_p, tree_unflatten(out_tree, outs), _TracedJvpRule, owner, tangent_ir, kept,
                     extra=[tir.consts[k] for k in outer])


class custom_jvp:
    """A function with a forward-mode derivative rule of its own, as `jax.custom_jvp`.

    Define the rule with `defjvp(rule)`, where `rule(primals, tangents)` returns
    `(primal_out, tangent_out)`, or with `defjvps(*per_argument_rules)`. Reverse mode transposes the
    rule, so one rule serves grad, vjp, jvp, vmap and jit. Arguments at `nondiff_argnums` are passed
    to the rule first, as Python values.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> @fgrad.custom_jvp
        ... def log1pexp(x):
        ...     return fnp.log(1.0 + fnp.exp(x))
        >>> @log1pexp.defjvp
        ... def log1pexp_jvp(primals, tangents):
        ...     (x,), (t,) = primals, tangents
        ...     return log1pexp(x), t * (1.0 - 1.0 / (1.0 + fnp.exp(x)))
        >>> float(fgrad.grad(log1pexp)(100.0))
        1.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums, self.jvp = fun, tuple(nondiff_argnums), None

    def defjvp(self, jvp: Callable) -> Callable:
        """Register `jvp(*nondiff_args, primals, tangents) -> (primal_out, tangent_out)`; returns it."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One rule per argument, `rule(tangent, primal_out, *primals) -> tangent contribution`; the
        output tangent is their sum (None: the output does not depend on that argument)."""
        def jvp(primals, tangents):
            out = self(*primals)
            parts = [rule(t, out, *primals) for rule, t in zip(jvps, tangents) if rule is not None]
            return out, functools.reduce(lambda a, b: a + b, parts)
        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {_name(self.fun)} using defjvp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        call = _Call(args, self.nondiff_argnums)
        if call.differentiating():
            return _run_jvp_rule(self, call)
        out = self.fun(*args)
        return call.mark(custom_jvp_call_p, out, _JvpRule, self) if call.traced() else out


# --- custom_vjp ----------------------------------------------------------------------------------

class _VjpRule:
    """Differentiates a custom_vjp call: `fwd_flat(leaves) -> (outs, residuals)` and
    `bwd_flat(residuals, cts) -> input cotangents` (None: zero)."""

    def __init__(self, call: _Call, out_tree, out_avals: list, owner, flat: tuple | None = None):
        self.call, self.out_tree, self.out_avals, self.owner = call, out_tree, out_avals, owner
        self.fwd_flat, self.bwd_flat = flat or (self._user_fwd, self._user_bwd)

    def __repr__(self):
        return f"custom_vjp({_name(self.owner.fun)})"

    def _user_fwd(self, leaves: list):
        fwd, name = self.owner.fwd, _name(self.owner.fun)
        pair = fwd(*self.call.args(leaves))
        head = (f"Custom VJP fwd rule {_name(fwd)} for function {name} must produce a pair (list or tuple of "
                "length two) where the first element represents the primal output (equal to ")
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"{head}those of the custom_vjp-decorated function {name}) and the second element "
                            "represents residuals (i.e. values stored from the forward pass for use on the "
                            f"backward pass), but instead of a pair the fwd rule {_name(fwd)} produced {pair}.")
        outs, out_tree = tree_flatten(pair[0])
        types = [repr(_aval(o)) for o in outs]
        expected = [repr(a) for a in self.out_avals]
        if out_tree != self.out_tree or types != expected:
            what = "container/pytree structure" if out_tree != self.out_tree else "shapes/dtypes"
            raise TypeError(f"{head}the output of the custom_vjp-decorated function {name}) and the second element "
                            "represents residuals (i.e. values stored from the forward pass for use on the "
                            f"backward pass), but instead the fwd rule output's first element had {what} of:\n"
                            f"    {tree_unflatten(out_tree, types)}\nwhile the custom_vjp-decorated function "
                            f"{name} had output {what} of:\n    {tree_unflatten(self.out_tree, expected)}")
        return outs, pair[1]

    def _user_bwd(self, res, cts: list) -> list:
        cts = [_zeros(a) if c is None else c for c, a in zip(cts, self.out_avals)]
        in_cts = self.owner.bwd(*self.call.nondiff_values, res, tree_unflatten(self.out_tree, cts))
        return _flat_cotangents(in_cts, self.call.in_tree, self.call.in_avals)

    def jvp(self, primals: list, tangents: list, index: int):
        raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.")

    def vjp(self, ct, leaves: list, index: int) -> list:
        return self.vjp_joint([ct if i == index else None for i in range(len(self.out_avals))], leaves)

    def vjp_joint(self, cts: list, leaves: list) -> list:
        """The input cotangents for the cotangents of all outputs (None: zero), bwd called once."""
        _, res = self.fwd_flat(leaves)
        return self.bwd_flat(res, cts)

    def batch(self, args: list, batched: list, size: int, index: int):
        from .api_vmap import vmap
        inner, *leaves = _broadcast_all(args, batched, size)
        fwd, bwd, in_avals = self.fwd_flat, self.bwd_flat, self.call.in_avals

        def bwd_batched(res, cts):
            kept = [i for i, c in enumerate(cts) if c is not None]

            def one(r, cs):
                full = [None] * len(self.out_avals)
                for i, c in zip(kept, cs):
                    full[i] = c
                return [np.zeros(a.shape, a.dtype) if c is None and a.is_float else c
                        for c, a in zip(bwd(r, full), in_avals)]
            return vmap(one)(res, [cts[i] for i in kept])

        flat = (vmap(fwd), bwd_batched)
        rule = _VjpRule(self.call, self.out_tree, _batched_avals(self.out_avals, size), self.owner, flat)
        return bind(custom_vjp_call_p, inner, *leaves, rule=rule, index=index)


class _ResidualVjpRule(_VjpRule):
    """A custom_vjp call whose fwd rule ran where it was called: its residuals that are values of the
    trace are the markers' operands after the leaves, the others (constants) are kept here."""

    def __init__(self, call: _Call, out_tree, out_avals: list, owner, res_leaves: list, res_tree):
        super().__init__(call, out_tree, out_avals, owner)
        self.n, self.res_tree = len(call.leaves), res_tree
        self.res_consts = [None if isinstance(r, Tracer) else r for r in res_leaves]

    def vjp_joint(self, cts: list, operands: list) -> list:
        traced = iter(operands[self.n:])
        res = tree_unflatten(self.res_tree, [next(traced) if c is None else c for c in self.res_consts])
        return self.bwd_flat(res, cts) + [None] * (len(operands) - self.n)

    def batch(self, args: list, batched: list, size: int, index: int):
        # batched as a call of the user's rules on the leaves, the residual operands left out
        plain = _VjpRule(self.call, self.out_tree, self.out_avals, self.owner)
        return plain.batch(args[:1 + self.n], batched[:1 + self.n], size, index)


def _run_fwd_rule(owner, call: _Call):
    """The outputs of a custom_vjp call made by running its fwd rule (jax's order of calls under
    differentiation), marked with the residuals it returned."""
    with _running_rule():
        pair = owner.fwd(*call.args(call.leaves))
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        fwd, name = _name(owner.fwd), _name(owner.fun)
        raise TypeError(f"Custom VJP fwd rule {fwd} for function {name} must produce a pair (list or tuple of "
                        "length two) where the first element represents the primal output (equal to those of "
                        f"the custom_vjp-decorated function {name}) and the second element represents residuals "
                        "(i.e. values stored from the forward pass for use on the backward pass), but instead "
                        f"of a pair the fwd rule {fwd} produced {pair}.")
    res_leaves, res_tree = tree_flatten(pair[1])
    extra = [r for r in res_leaves if isinstance(r, Tracer)]
    return call.mark(custom_vjp_call_p, pair[0], _ResidualVjpRule, owner, res_leaves, res_tree, extra=extra)


def _flat_cotangents(in_cts, in_tree, in_avals: list) -> list:
    """The bwd rule's output as one cotangent per input leaf (None: zero), checked as jax checks it."""
    n_args = len(in_tree.children)
    if isinstance(in_cts, list) and len(in_cts) == n_args:
        in_cts = tuple(in_cts)
    flat: list = []
    ok = isinstance(in_cts, tuple) and len(in_cts) == n_args
    for arg_ct, arg_tree in zip(in_cts if ok else (), in_tree.children):
        if arg_ct is None:
            flat.extend([None] * arg_tree.num_leaves)
            continue
        leaves, tree = tree_flatten(arg_ct)
        ok = ok and tree == arg_tree
        flat.extend(leaves)
    if not ok:
        raise TypeError("Custom VJP bwd rule must produce an output with the same container (pytree) structure as "
                        "the args tuple of the primal function, and in particular must produce a tuple of length "
                        "equal to the number of arguments to the primal function, but got bwd output structure "
                        f"{tree_flatten(in_cts)[1]} for primal input structure {in_tree}.")
    paths = leaf_paths(in_tree)
    for k, (ct, aval) in enumerate(zip(flat, in_avals)):
        if ct is None or not aval.is_float:
            flat[k] = None
        elif _aval(ct).shape != aval.shape:
            raise ValueError("Custom VJP bwd rule must produce an output with the same type as the args tuple of "
                             f"the primal function, but at output{paths[k]} the bwd rule produced an output of "
                             f"type {_aval(ct)!r} corresponding to an input of type {aval!r}")
    return flat


class custom_vjp:
    """A function with a reverse-mode derivative rule of its own, as `jax.custom_vjp`.

    Define it with `defvjp(fwd, bwd)`: `fwd(*args)` returns `(out, residuals)` (residuals: any pytree
    of arrays), `bwd(residuals, ct_out)` returns a tuple with one cotangent per argument (None for a
    zero). Arguments at `nondiff_argnums` are passed to `bwd` first. Forward mode (jvp) is a TypeError,
    as in jax.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> @fgrad.custom_vjp
        ... def clip_gradient(x):
        ...     return x
        >>> clip_gradient.defvjp(lambda x: (x, None), lambda _, g: (fnp.clip(g, -1.0, 1.0),))
        >>> float(fgrad.grad(lambda x: 3.0 * clip_gradient(x))(2.0))
        1.0
    """

    def __init__(self, fun: Callable, nondiff_argnums: tuple = ()):
        functools.update_wrapper(self, fun)
        self.fun, self.nondiff_argnums = fun, tuple(nondiff_argnums)
        self.fwd = self.bwd = None

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Register the forward rule `fwd(*args) -> (out, residuals)` and `bwd(*nondiff, residuals, ct)`."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {_name(self.fun)} using defvjp.")
        args = _resolve_kwargs(self.fun, args, kwargs)
        call = _Call(args, self.nondiff_argnums)
        if call.differentiating():
            return _run_fwd_rule(self, call)
        out = self.fun(*args)
        return call.mark(custom_vjp_call_p, out, _VjpRule, self) if call.traced() else out
