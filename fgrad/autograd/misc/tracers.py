"""autograd.misc.const_graph: trace a function once, then rerun only its recorded operations."""

from __future__ import annotations

import functools
from collections.abc import Callable

from ...api import trace_flat
from ...core import Tracer, eval_ir
from ...tree import tree_flatten, tree_unflatten


def const_graph(fun: Callable, *args, **kwargs) -> Callable:
    """`fun` with `args` and `kwargs` fixed, traced on its first call; later calls run the recorded
    program without running `fun`'s Python code again (so side effects happen once, and Python
    branches keep the path of the first call: a call that takes another path raises GuardFailure).

    Example:
        >>> calls = []
        >>> def f(x):
        ...     calls.append(x)
        ...     return x * 2.0
        >>> g = const_graph(f)
        >>> float(g(1.0)), float(g(3.0)), len(calls)
        (2.0, 6.0, 1)
    """
    partial_fun = functools.partial(fun, *args, **kwargs)
    program: list = []                          # [(IR, output tree)] once traced

    @functools.wraps(fun)
    def _fun(*call_args):
        leaves, treedef = tree_flatten((call_args, {}))
        if program:
            ir, out_tree = program[0]
            return tree_unflatten(out_tree, eval_ir(ir, leaves))
        values: list = []

        def traced(*a, **k):
            out = partial_fun(*a, **k)
            values.extend(v.concrete_value() if isinstance(v, Tracer) else v for v in tree_flatten(out)[0])
            return out
        program.append(trace_flat(traced, treedef, leaves, concrete=True, transform="const_graph"))
        return tree_unflatten(program[0][1], values)
    return _fun
