"""Forward mode users call: jvp and linearize, with the signatures and semantics of jax's.

At top level the program is compiled once per input structure and avals and cached; inside another
transform it is traced and inlined, so jvp(grad(f)) (Hessian-vector products), grad of jvp and
jit(jvp) work with nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .api import _can_be_concrete, _leaf_key, _leaf_value, _run_cached, trace_flat
from .arguments import check_callable, check_float_dtype
from .cache import CompileCache
from .config import config
from .core import Tracer, aval_of, eval_ir, is_jax_array, shape_of, tracing
from .errors import user_location
from .nan_checks import compile_checked
from .primitives._base import splat
from .transforms.jvp import jvp_ir
from .transforms.partial_eval import partial_eval
from .transforms.simplify import simplify
from .tree import TreeDef, tree_flatten, tree_unflatten

# jax.dtypes.float0, the tangent type of integer and boolean values (it holds no data)
float0 = np.dtype([("float0", np.void, 0)])

_JVP_CACHE = CompileCache("jvp")
_LINEARIZE_CACHE = CompileCache("linearize")


# --- checking primals against tangents -----------------------------------------------------------

def _value(x):
    return x if isinstance(x, Tracer) else _leaf_value(x)


def _aval(x):
    return x.aval if isinstance(x, Tracer) else aval_of(x)


def _check_float(leaf: int, primal, what: str) -> None:
    dtype = _aval(primal).dtype
    check_float_dtype(dtype, what)                  # complex64 and complex128, as in jax
    if dtype.kind not in "biufc":
        raise TypeError(f"{what}: primal leaf {leaf} is a {type(primal).__name__}, not an array (at "
                        f"{user_location()}); {what} differentiates every primal: close over other values")
    if dtype.kind not in "fc":
        raise TypeError(f"{what}: primal leaf {leaf} has dtype {dtype}, and fgrad differentiates floating-point "
                        f"values only (at {user_location()}); convert it with `x.astype(float)`, or leave it "
                        "out of the primals and close over it (`lambda x: f(x, n)`)")


def _nonzero_tangent(leaf: int, primal, tangent, what: str) -> bool:
    """Whether `tangent` is a real tangent of `primal` (False: a float0 zero of an integer primal)."""
    p, t = _aval(primal), _aval(tangent)
    if not p.is_float and t.dtype == float0 and t.shape == p.shape:
        return False
    _check_float(leaf, primal, what)
    if t.dtype != p.dtype:
        raise TypeError(f"{what}: primal and tangent dtypes must be equal, but primal leaf {leaf} has dtype "
                        f"{p.dtype} and its tangent {t.dtype} (at {user_location()}); pass the tangent as "
                        f"`t.astype(np.{p.dtype})`")
    if t.shape != p.shape:
        raise ValueError(f"{what}: primal and tangent shapes must be equal, but primal leaf {leaf} has shape "
                         f"{p.shape} and its tangent {t.shape} (at {user_location()})")
    return True


def _check_jvp_args(primals, tangents):
    """Flat primals and tangents, the primals' TreeDef of (args, kwargs), and the nonzero flags."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"jvp: primals and tangents must be tuples or lists (one entry per argument of the "
                        f"function), found {type(primals).__name__} and {type(tangents).__name__} (at "
                        f"{user_location()}); write jvp(f, (x,), (v,))")
    p_leaves, p_tree = tree_flatten(primals)
    t_leaves, t_tree = tree_flatten(tangents)
    if p_tree != t_tree:
        raise TypeError(f"jvp: primals and tangents must have the same tree structure, but the primals "
                        f"have {p_tree} and the tangents {t_tree} (at {user_location()})")
    p_leaves, t_leaves = [_value(x) for x in p_leaves], [_value(x) for x in t_leaves]
    nonzero = [_nonzero_tangent(i, p, t, "jvp") for i, (p, t) in enumerate(zip(p_leaves, t_leaves))]
    return p_leaves, t_leaves, tree_flatten((tuple(primals), {}))[1], nonzero


def _inline(leaves) -> bool:
    return tracing() or any(isinstance(x, Tracer) for x in leaves)


# --- the programs --------------------------------------------------------------------------------

class _JvpMeta:
    """How many primal outputs a program returns, which tangents it returns, and their structure."""

    def __init__(self, out_tree: TreeDef, n_outs: int, out_nonzero: list[bool], has_aux: bool):
        self.out_tree, self.n_outs, self.out_nonzero, self.has_aux = out_tree, n_outs, out_nonzero, has_aux
        self.main_tree = out_tree.children[0] if has_aux else out_tree

    def finish(self, primal_outs: list, tangent_outs: list):
        """`(primals_out, tangents_out)` (+ aux), zeros where a tangent is a symbolic zero."""
        it = iter(tangent_outs)
        tangents = [next(it) if nz else _zero_tangent(o) for nz, o in zip(self.out_nonzero, primal_outs)]
        n_main = self.main_tree.num_leaves
        result = (tree_unflatten(self.main_tree, primal_outs[:n_main]), tree_unflatten(self.main_tree, tangents))
        if self.has_aux:
            return result + (tree_unflatten(self.out_tree.children[1], primal_outs[n_main:]),)
        return result


def _zero_tangent(out):
    """The tangent of an output that does not depend on the primals: zeros, float0 for integers."""
    if _aval(out).dtype.kind in "fc":
        return splat(out, 0)                    # in the output's trace when traced
    return np.zeros(shape_of(out), float0)


def _jvp_program(fun, treedef, leaves, nonzero, has_aux: bool, concrete: bool, transform: str = "jvp"):
    """The program `(primals, nonzero tangents) -> (outputs, nonzero output tangents)`."""
    ir, out_tree = trace_flat(fun, treedef, leaves, concrete=concrete, transform=transform,
                              differentiated=[i for i, nz in enumerate(nonzero) if nz])
    if has_aux and (out_tree.kind not in (tuple, list) or len(out_tree.children) != 2):
        raise TypeError(f"has_aux=True needs the function to return a pair (output, aux), got a structure "
                        f"{out_tree} (at {user_location()})")
    n_main = out_tree.children[0].num_leaves if has_aux else len(ir.outs)
    jir, out_nonzero = jvp_ir(simplify(ir), nonzero, n_main)
    return simplify(jir), _JvpMeta(out_tree, len(ir.outs), out_nonzero, has_aux)


def _linearize_programs(fun, treedef, leaves, has_aux: bool, concrete: bool):
    """The primal program (outputs + residuals) and the tangent program (residuals + tangents)."""
    nonzero = [True] * len(leaves)
    joint, meta = _jvp_program(fun, treedef, leaves, nonzero, has_aux, concrete, "linearize")
    known, unknown = partial_eval(joint, len(leaves), meta.n_outs)
    return known, unknown, meta


# --- jvp -----------------------------------------------------------------------------------------

def jvp(fun: Callable, primals: tuple | list, tangents: tuple | list, has_aux: bool = False) -> tuple:
    """Evaluate `fun(*primals)` and its derivative in the direction `tangents`, in one pass.

    `primals` and `tangents` are tuples (or lists) with one pytree per argument, of equal structure,
    shapes and dtypes. Forward mode: the cost is about one evaluation of `fun` per direction.

    Args:
        fun: the function to differentiate; its output may be any pytree of arrays.
        primals: the point, one pytree of floating-point arrays per argument of `fun`.
        tangents: the direction, shaped like `primals`.
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned undifferentiated.

    Returns:
        `(primals_out, tangents_out)`, plus `aux` as a third value with `has_aux=True`.

    Raises:
        TypeError: `primals`/`tangents` are not tuples or lists, their structures or dtypes differ,
            or a primal is not a floating-point array.
        ValueError: a primal and its tangent differ in shape.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> y, t = fgrad.jvp(fnp.sin, (np.zeros(2),), (np.array([1.0, 2.0]),))
        >>> y, t
        (array([0., 0.]), array([1., 2.]))
    """
    check_callable(fun, "jvp")
    p_leaves, t_leaves, treedef, nonzero = _check_jvp_args(primals, tangents)
    t_given = [t for t, nz in zip(t_leaves, nonzero) if nz]
    if _inline(p_leaves + t_leaves):
        jir, meta = _jvp_program(fun, treedef, p_leaves, nonzero, has_aux, _can_be_concrete(p_leaves))
        outs = eval_ir(jir, p_leaves + t_given)
    else:
        values = p_leaves + t_given
        key = (fun, has_aux, treedef, tuple(nonzero), tuple(map(_leaf_key, values)))
        build = lambda: _compiled_jvp(fun, treedef, p_leaves, nonzero, has_aux)  # noqa: E731
        outs, meta = _run_cached(_JVP_CACHE, key, values, build, fun)
    return meta.finish(list(outs[:meta.n_outs]), list(outs[meta.n_outs:]))


def _compiled_jvp(fun, treedef, values, nonzero, has_aux):
    jir, meta = _jvp_program(fun, treedef, values, nonzero, has_aux, concrete=True)
    return compile_checked(jir, config.backend), meta


# --- linearize -----------------------------------------------------------------------------------

def linearize(fun: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """Evaluate `fun(*primals)` and return `(primals_out, f_jvp)` (plus `aux` with has_aux=True).

    `f_jvp(*tangents)` takes one tangent per primal and returns the tangent of the output. The
    primal computation runs once; `f_jvp` runs only the tangent part, on saved residuals.

    Args:
        fun: the function to linearize; its output may be any pytree of arrays.
        *primals: the point, one pytree of floating-point arrays per argument of `fun`.
        has_aux: whether `fun` returns a pair `(output, aux)`; `aux` is returned undifferentiated.

    Returns:
        `(primals_out, f_jvp)`, plus `aux` as a third value with `has_aux=True`.

    Raises:
        TypeError: a primal is not a floating-point array, or `f_jvp` gets tangents whose structure
            or dtypes differ from the primals'.
        ValueError: a tangent's shape differs from its primal's.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> y, f_jvp = fgrad.linearize(fnp.sin, np.zeros(2))
        >>> f_jvp(np.array([1.0, 2.0]))
        array([1., 2.])
    """
    check_callable(fun, "linearize")
    leaves, treedef = tree_flatten((primals, {}))
    leaves = [_value(x) for x in leaves]
    for i, x in enumerate(leaves):
        _check_float(i, x, "linearize")
    if _inline(leaves):
        known, unknown, meta = _linearize_programs(fun, treedef, leaves, has_aux, _can_be_concrete(leaves))
        results, program = eval_ir(known, leaves), None
    else:
        key = (fun, has_aux, treedef, tuple(map(_leaf_key, leaves)))
        build = lambda: _compiled_linearize(fun, treedef, leaves, has_aux)  # noqa: E731
        results, (program, unknown, meta) = _run_cached(_LINEARIZE_CACHE, key, leaves, build, fun)
    outs, residuals = list(results[:meta.n_outs]), list(results[meta.n_outs:])

    def f_jvp(*tangents):
        t_leaves, t_tree = tree_flatten(tangents)
        if t_tree != treedef.children[0]:
            raise TypeError(f"f_jvp expects tangents with the structure of the primals "
                            f"{treedef.children[0]}, got {t_tree} (at {user_location()})")
        t_leaves = [_value(t) for t in t_leaves]
        for i, (p, t) in enumerate(zip(leaves, t_leaves)):
            _nonzero_tangent(i, p, t, "f_jvp")
        if program is None or any(isinstance(t, Tracer) for t in t_leaves):
            # residuals from the xla backend are jax arrays: NumPy ones become constants of the trace
            res = [np.asarray(r) if is_jax_array(r) else r for r in residuals]
            return meta.finish(outs, eval_ir(unknown, res + t_leaves))[1]
        return meta.finish(outs, program(*residuals, *t_leaves))[1]

    primal_out = tree_unflatten(meta.main_tree, outs[:meta.main_tree.num_leaves])
    if has_aux:
        return primal_out, f_jvp, tree_unflatten(meta.out_tree.children[1], outs[meta.main_tree.num_leaves:])
    return primal_out, f_jvp


def _compiled_linearize(fun, treedef, values, has_aux):
    known, unknown, meta = _linearize_programs(fun, treedef, values, has_aux, concrete=True)
    return compile_checked(known, config.backend), (compile_checked(unknown, config.backend), unknown, meta)
