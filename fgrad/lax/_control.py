"""jax.lax's structured control flow: cond, switch, while_loop, fori_loop, scan, map, select.

Each function traces the functions it is given into sub-programs (abstractly: a Python `if` on a
traced value inside them is a ConcretizationError, as in jax) and binds one primitive of
fgrad/primitives/control.py, so the loop stays a loop in the IR, under every transform and in the
generated code.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..arguments import check_outputs
from ..core import Aval, Tracer, aval_of, bind
from ..custom import REVERSE_MODE, differentiated
from ..errors import user_location
from ..primitives import control
from ..primitives._subprograms import closed_trace, jax_type
from ..primitives.elementwise import convert, select_p
from ..tree import TreeDef, leaf_paths, tree_flatten, tree_unflatten


def _avals(leaves: list) -> list:
    return [x.aval if isinstance(x, Tracer) else aval_of(x) for x in leaves]


def _trace_tree(fun: Callable, args: tuple, what: str):
    """Trace `fun(*args)`, `args` a pytree of avals; returns ((IR, consts), the outputs' avals, the
    outputs' TreeDef)."""
    leaves, treedef = tree_flatten(args)
    box: dict = {}

    def flat(*tracers):
        out = fun(*tree_unflatten(treedef, list(tracers)))
        out_leaves, box["tree"] = tree_flatten(out)
        check_outputs(out_leaves, box["tree"], what, fun)
        return out_leaves
    closed = closed_trace(flat, leaves, what)
    return closed, [o.aval for o in closed[0].outs], box["tree"]


def _aval_tree(tree) -> tuple[Any, list, TreeDef]:
    leaves, treedef = tree_flatten(tree)
    avals = _avals(leaves)
    return tree_unflatten(treedef, avals), leaves, treedef


def _name(fun) -> str:
    return getattr(fun, "__name__", type(fun).__name__)


def _check_carry(what: str, fun: Callable, in_tree: TreeDef, in_avals: list, out_tree: TreeDef,
                 out_avals: list, carry_arg: int = 0) -> None:
    """jax's TypeErrors for a body whose carry output differs from its carry input."""
    try:
        params = list(inspect.signature(fun).parameters)
        carry = params[carry_arg]
    except (IndexError, TypeError, ValueError):
        carry = ""
    if in_tree != out_tree:
        raise TypeError(
            f"{what} function carry input and carry output must have the same pytree structure, but they "
            f"differ:\n\nThe input carry {carry} has structure {in_tree} but the carry output has structure "
            f"{out_tree} (at {user_location()}).\n\nRevise the function so that the carry output has the "
            "same pytree structure as the carry input.")
    diffs = [f"{f'the input carry component {carry}{path}' if path else f'the input carry {carry}'} has "
             f"type {jax_type(a)} but the corresponding "
             f"output carry component has type {jax_type(b)}, so "
             f"{'the shapes do not match' if a.shape != b.shape else 'the dtypes do not match'}"
             for path, a, b in zip(leaf_paths(in_tree), in_avals, out_avals) if a != b]
    if diffs:
        listed = diffs[0][0].upper() + diffs[0][1:] + ".\n" if len(diffs) == 1 else \
            "".join(f"  * {d};\n" for d in diffs)
        raise TypeError(f"{what} function carry input and carry output must have equal types, but they "
                        f"differ:\n\n{listed}\nRevise the function so that all output types match the "
                        f"corresponding input types (at {user_location()}).")


# --- cond and switch ---------------------------------------------------------------------------

def cond(pred, true_fun: Callable, false_fun: Callable, *operands):
    """`true_fun(*operands)` if `pred` else `false_fun(*operands)`, as jax.lax.cond: both branches
    are traced and the choice is made when the program runs, so `pred` may be traced.

    Only the chosen branch runs; gradients flow through it alone.

    Args:
        pred: a scalar bool or number (nonzero is true), concrete or traced.
        true_fun: called as `true_fun(*operands)` when `pred` is true.
        false_fun: called as `false_fun(*operands)` otherwise.
        *operands: the arguments of both branches (pytrees of arrays).

    Returns:
        The chosen branch's output; both branches must return the same structure, shapes and dtypes.

    Raises:
        TypeError: `pred` is not a scalar bool or number, or the branches' outputs differ in
            structure, shape or dtype.

    Example:
        >>> import fgrad, fgrad.lax
        >>> f = lambda x: fgrad.lax.cond(x > 0, lambda x: x * 2.0, lambda x: -x, x)
        >>> float(fgrad.grad(f)(3.0)), float(fgrad.jit(f)(-1.5))
        (2.0, 1.5)
    """
    shape = np.shape(pred) if not isinstance(pred, Tracer) else pred.shape
    if shape != ():
        raise TypeError(f"Pred must be a scalar, got {pred!r} of shape {shape} (at {user_location()}).")
    dtype = pred.dtype if isinstance(pred, Tracer) else np.asarray(pred).dtype
    if dtype.kind not in "biuf":
        raise TypeError(f"Pred type must be either boolean or number, got {dtype} (at {user_location()}).")
    if isinstance(pred, Tracer):
        index = convert(pred if dtype.kind == "b" else pred != 0, np.int32)
    else:
        index = np.int32(bool(pred))
    return _switch(index, [false_fun, true_fun], operands, "cond", ["false_fun", "true_fun"], [1, 0])


def switch(index, branches: Sequence[Callable], *operands):
    """`branches[index](*operands)`, as jax.lax.switch: `index` is clamped to the valid range.

    Args:
        index: a scalar integer, concrete or traced; out-of-range values are clamped.
        branches: a non-empty sequence of functions of `*operands`.
        *operands: the arguments of every branch (pytrees of arrays).

    Returns:
        The chosen branch's output; every branch must return the same structure, shapes and dtypes.

    Raises:
        ValueError: `branches` is empty.
        TypeError: a traced `index` is not a scalar integer, or the branches' outputs differ in
            structure, shape or dtype.

    Example:
        >>> import fgrad.lax, numpy as np
        >>> fns = [lambda x: x + 1.0, lambda x: x * 10.0, lambda x: -x]
        >>> [float(fgrad.lax.switch(i, fns, 2.0)) for i in (-5, 1, 7)]
        [3.0, 20.0, -2.0]
    """
    branches = list(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    if len(branches) == 1:
        return branches[0](*operands)
    if isinstance(index, Tracer):
        if index.shape != () or index.dtype.kind not in "iu":
            raise TypeError(f"Branch index must be scalar integer, got {index!r} (at {user_location()}).")
        from ..numpy import clip
        index = convert(clip(index, 0, len(branches) - 1), np.int32)
    else:
        index = np.int32(np.clip(int(index), 0, len(branches) - 1))
    n = len(branches)
    return _switch(index, branches, operands, "switch", [f"branch {k}" for k in range(n)], list(range(n)))


def _switch(index, branches: list, operands: tuple, what: str, labels: list, order: list):
    """Bind `cond` on the traced branches; `order` is the order in which errors name them."""
    avals, leaves, _ = _aval_tree(operands)
    traced = [_trace_tree(fn, avals, what) for fn in branches]
    first = order[0]
    for k in order[1:]:
        _check_branches(what, [labels[first], labels[k]], [branches[first], branches[k]],
                        [traced[first][2], traced[k][2]], [traced[first][1], traced[k][1]])
    outs = control.cond_bind(index, [closed for closed, _, _ in traced], leaves)
    return tree_unflatten(traced[0][2], outs)


def _check_branches(what: str, labels: list, fns: list, trees: list, avals: list) -> None:
    """jax's TypeErrors for two branches whose outputs differ in structure or type."""
    (one, other), (tree0, tree_k) = labels, trees
    where = f"\n\n{one} is {_name(fns[0])}\n{other} is {_name(fns[1])}\n\n"
    if tree0 != tree_k:
        raise TypeError(f"{what} branch outputs must have the same pytree structure, but they differ:{where}"
                        f"{one} output is {tree0} but {other} output is {tree_k} (at {user_location()})."
                        f"\n\nRevise {one} and/or {other} so that they have the same pytree structure.")
    for a, b in zip(*avals):
        if a != b:
            problem = "the shapes do not match" if a.shape != b.shape else "the dtypes do not match"
            raise TypeError(f"{what} branches must have equal output types but they differ.{where}"
                            f"The output of {one} has type {jax_type(a)} but the corresponding output "
                            f"of {other} has type {jax_type(b)}, so {problem} (at {user_location()})."
                            f"\n\nRevise {one} and/or {other} so that all output types match.")


# --- while_loop and fori_loop ------------------------------------------------------------------

def while_loop(cond_fun: Callable, body_fun: Callable, init_val):
    """Repeat `val = body_fun(val)` while `cond_fun(val)`, as jax.lax.while_loop. Forward mode
    and vmap work; reverse mode does not (use scan or fori_loop with static bounds).

    Args:
        cond_fun: `val -> bool scalar`: whether to run the body again.
        body_fun: `val -> val`, keeping the structure, shapes and dtypes of `val`.
        init_val: the initial value, a pytree of arrays.

    Returns:
        The value when `cond_fun` first returns false.

    Raises:
        TypeError: `cond_fun` does not return a boolean scalar, or `body_fun` changes the structure,
            shapes or dtypes of the value.

    Example:
        >>> import fgrad.lax
        >>> int(fgrad.lax.while_loop(lambda v: v < 100, lambda v: v * 2, 3))
        192
    """
    avals, leaves, treedef = _aval_tree(init_val)
    cond_closed, pred_avals, _ = _trace_tree(cond_fun, (avals,), "while_loop")
    if len(pred_avals) != 1 or pred_avals[0] != Aval((), np.bool_):
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"{[jax_type(a) for a in pred_avals]} (at {user_location()}).")
    body_closed, out_avals, out_tree = _trace_tree(body_fun, (avals,), "while_loop")
    _check_carry("while_loop body", body_fun, treedef, _avals(leaves), out_tree, out_avals)
    return tree_unflatten(treedef, control.while_bind(cond_closed, body_closed, leaves))


def fori_loop(lower, upper, body_fun: Callable, init_val, *, unroll: int | bool | None = None):
    """`val = body_fun(i, val)` for i in range(lower, upper), as jax.lax.fori_loop. With bounds
    known while tracing (Python or NumPy integers) it is a scan, so reverse mode works; with traced
    bounds it is a while_loop.

    Args:
        lower: the first index (int, or a traced integer scalar).
        upper: one past the last index (int, or a traced integer scalar).
        body_fun: `(i, val) -> val`, keeping the structure, shapes and dtypes of `val`.
        init_val: the initial value, a pytree of arrays.
        unroll: with static bounds, how many iterations each loop step runs (as scan's `unroll`).

    Returns:
        The value after the last iteration (`init_val` when `upper <= lower`).

    Raises:
        TypeError: `body_fun` changes the structure, shapes or dtypes of the value.

    Example:
        >>> import fgrad, fgrad.lax
        >>> f = lambda x: fgrad.lax.fori_loop(0, 3, lambda i, v: v * x, 1.0)
        >>> float(f(2.0)), float(fgrad.grad(f)(2.0))
        (8.0, 12.0)
    """
    dtype = np.result_type(*[b.dtype if isinstance(b, Tracer) else np.asarray(b).dtype for b in (lower, upper)])
    x_avals, _, x_tree = _aval_tree(init_val)
    x_avals = tree_flatten(x_avals)[0]

    def step(i, x):
        new = body_fun(i, x)
        new_leaves, new_tree = tree_flatten(new)
        _check_carry("fori_loop body", body_fun, x_tree, x_avals, new_tree, _avals(new_leaves), carry_arg=1)
        return new
    if not isinstance(lower, Tracer) and not isinstance(upper, Tracer):
        start, trips = int(lower), max(int(upper) - int(lower), 0)
        (_, out), _ = _scan(lambda c, _: ((c[0] + 1, step(*c)), None), (dtype.type(start), init_val), None,
                            trips, False, 1 if unroll is None else unroll, "fori_loop body", body_fun)
        return out
    bounds = [convert(b, dtype) if isinstance(b, Tracer) else dtype.type(b) for b in (lower, upper)]
    _, _, out = while_loop(lambda c: c[0] < c[1], lambda c: (c[0] + 1, c[1], step(c[0], c[2])),
                           (bounds[0], bounds[1], init_val))
    return out


# --- scan and map ------------------------------------------------------------------------------

def scan(f: Callable, init, xs=None, length: int | None = None, reverse: bool = False,
         unroll: int | bool = 1):
    """`carry, y = f(carry, x)` over the leading axis of `xs`, as jax.lax.scan: returns the final
    carry and the `y`s stacked. Pytrees of carries and xs, `xs=None` with `length`, `reverse`.

    The body is traced once and run as a loop (never unrolled into the program); reverse mode
    keeps each step's carry rather than recomputing it.

    Args:
        f: `(carry, x) -> (carry, y)`, keeping the structure, shapes and dtypes of `carry`.
        init: the initial carry, a pytree of arrays.
        xs: a pytree of arrays sharing a leading axis to scan over, or None (then give `length`).
        length: the number of steps; must agree with the leading axis of `xs` when both are given.
        reverse: scan from the last slice to the first (the `y`s keep their positions).
        unroll: how many iterations each loop step runs (True: all of them).

    Returns:
        `(final_carry, ys)` with `ys` the `y`s stacked along a new leading axis.

    Raises:
        TypeError: `f` does not return a pair, or changes the carry's structure, shapes or dtypes.
        ValueError: the leaves of `xs` have no or different leading axes, `length` disagrees with
            them, or neither `xs` nor `length` is given.

    Example:
        >>> import fgrad.lax, numpy as np
        >>> total, partial = fgrad.lax.scan(lambda c, x: (c + x, c + x), 0.0, np.arange(4.0))
        >>> float(total), partial.tolist()
        (6.0, [0.0, 1.0, 3.0, 6.0])
    """
    return _scan(f, init, xs, length, reverse, unroll, "scan body", f)


def _scan_length(x_leaves: list, length) -> int:
    shapes = [x.shape if isinstance(x, Tracer) else np.shape(x) for x in x_leaves]
    for shape in shapes:
        if not shape:
            raise ValueError(f"scan got value with no leading axis to scan over: {shape} (at {user_location()}).")
    sizes = sorted({shape[0] for shape in shapes})
    if length is None and not sizes:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    if len(sizes) > 1:
        raise ValueError(f"scan got values with different leading axis sizes: {', '.join(str(s) for s in sizes)}.")
    if length is not None and sizes and int(length) != sizes[0]:
        raise ValueError(f"scan got `length` argument of {length} which disagrees with leading axis sizes "
                         f"{sizes}.")
    return int(length) if length is not None else sizes[0]


def _scan(f, init, xs, length, reverse, unroll, what: str, named: Callable):
    carry_avals, carry_leaves, carry_tree = _aval_tree(init)
    carry_avals = tree_flatten(carry_avals)[0]
    x_leaves, x_tree = tree_flatten(xs)
    n = _scan_length(x_leaves, length)
    x_avals = [Aval(a.shape[1:], a.dtype) for a in _avals(x_leaves)]
    box: dict = {}

    def flat(*tracers):
        out = f(tree_unflatten(carry_tree, list(tracers[:len(carry_avals)])),
                tree_unflatten(x_tree, list(tracers[len(carry_avals):])))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"scan body output must be a pair, got {out!r} (at {user_location()}).")
        c_leaves, box["carry"] = tree_flatten(out[0])
        y_leaves, box["y"] = tree_flatten(out[1])
        check_outputs(c_leaves, box["carry"], "scan", f)
        check_outputs(y_leaves, box["y"], "scan", f)
        return c_leaves + y_leaves
    body = closed_trace(flat, carry_avals + x_avals, "scan")
    outs = [o.aval for o in body[0].outs]
    _check_carry(what, named, carry_tree, carry_avals, box["carry"], outs[:len(carry_avals)])
    k, n_ys = len(carry_avals), len(outs) - len(carry_avals)
    if differentiated(carry_leaves + x_leaves + list(body[1]), REVERSE_MODE):
        body = control.saving_carries(body, k)    # reverse mode reads the carries instead of a second loop
    res = control.scan_bind(body, [], carry_leaves, x_leaves, length=n, reverse=bool(reverse), unroll=unroll)
    return tree_unflatten(carry_tree, res[:k]), tree_unflatten(box["y"], res[k:k + n_ys])


def map(f: Callable, xs, *, batch_size: int | None = None):  # noqa: A001 - jax.lax's name
    """`f` applied to each slice of `xs` along its leading axis, results stacked, as jax.lax.map
    (a scan without a carry: the loop stays a loop). With `batch_size`, each step applies
    `vmap(f)` to that many slices, and the remainder is one more `vmap(f)`, as in jax.

    Args:
        f: the function of one slice (a pytree of arrays without the leading axis).
        xs: a pytree of arrays sharing a leading axis.
        batch_size: how many slices each step maps with vmap (None: one at a time).

    Returns:
        `f`'s outputs stacked along a new leading axis.

    Raises:
        ValueError: a leaf of `xs` has no leading axis, or the leaves' leading axes differ.

    Example:
        >>> import fgrad.lax, numpy as np
        >>> fgrad.lax.map(lambda x: x.sum(), np.arange(6.0).reshape(3, 2)).tolist()
        [1.0, 5.0, 9.0]
    """
    if batch_size is None:
        return _scan(lambda _, x: ((), f(x)), (), xs, None, False, 1, "map", f)[1]
    from .. import numpy as fnp
    from ..api_vmap import vmap
    from ..tree import tree_map
    leaves, tree = tree_flatten(xs)
    n = _scan_length(leaves, None)
    size = min(int(batch_size), n)
    full = n // size * size
    blocks = [fnp.reshape(x[:full], (n // size, size) + tuple(x.shape[1:])) for x in leaves]
    ys = tree_map(lambda y: fnp.reshape(y, (full,) + tuple(y.shape[2:])), map(vmap(f), tree_unflatten(tree, blocks)))
    if full == n:
        return ys
    rest = vmap(f)(tree_unflatten(tree, [x[full:] for x in leaves]))
    return tree_map(lambda a, b: fnp.concatenate([a, b]), ys, rest)


def select(pred, on_true, on_false):
    """Elementwise `on_true` where `pred` else `on_false`, as jax.lax.select: one shape, one
    dtype, a boolean `pred`.

    Args:
        pred: a boolean array shaped like the operands.
        on_true: the values taken where `pred` is true.
        on_false: the values taken elsewhere, with `on_true`'s shape and dtype.

    Returns:
        An array of the operands' shape and dtype.

    Raises:
        ShapeError: traced operands differ in shape or dtype.
        TypeError: a traced `pred` is not boolean.

    Example:
        >>> import fgrad.lax, numpy as np
        >>> fgrad.lax.select(np.array([True, False]), np.ones(2), np.zeros(2)).tolist()
        [1.0, 0.0]
    """
    return bind(select_p, pred, on_true, on_false)
