"""What the control-flow primitives share: the type of a several-array result, sub-programs traced
into closed IRs, and those sub-programs transformed (forward mode, reverse mode, batching).

A control-flow equation has one output var whose type is a `TupleAval`; `tuple_get` equations take
its parts apart. Its (co)tangent and its batched value are `Parts`: one entry per array, None for a
symbolic zero. A sub-program held in an equation's parameters never has constants of its own: what
the traced function read from outside (arrays, outer tracers) becomes leading inputs, passed as
operands, so the enclosing program references them as it references its own constants.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import IR, Aval, Tracer, Var, eval_ir, new_trace
from ._base import full_in
from ._tangents import add_tangents


class TupleAval(Aval):
    """The type of a control-flow equation's result: several arrays.

    Example:
        >>> TupleAval([Aval((3,), "float64"), Aval((), "int64")])
        (f64[3], i64[])
    """

    __slots__ = ("avals",)

    def __init__(self, avals):
        super().__init__((), np.bool_)
        self.avals = tuple(avals)
        self._hash = hash(("tuple", self.avals))

    is_float = property(lambda self: any(a.is_float for a in self.avals))

    def __eq__(self, other):
        return isinstance(other, TupleAval) and self.avals == other.avals

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return "(" + ", ".join(map(repr, self.avals)) + ")"


class Parts:
    """The tangent, cotangent or batched value of a several-array result, part by part.

    Example:
        >>> (Parts([1.0, None]) + Parts([None, 2.0])).items
        [1.0, 2.0]
    """

    shape = ()

    def __init__(self, items):
        self.items = list(items)

    def __add__(self, other: Parts) -> Parts:
        return Parts(add_tangents(a, b) for a, b in zip(self.items, other.items))

    @staticmethod
    def one(index: int, value, n: int) -> Parts:
        return Parts(value if k == index else None for k in range(n))


def jax_type(aval: Aval) -> str:
    """An aval as jax writes it in its error messages: float64[3]."""
    return f"{aval.dtype.name}[{','.join(map(str, aval.shape))}]"


def closed_trace(fn: Callable, avals: list, transform: str) -> tuple[IR, list]:
    """Trace `fn(*tracers) -> list of leaves` into a simplified IR whose constants are leading
    inputs; returns (IR, the values of those constants)."""
    from ..transforms.simplify import simplify
    with new_trace(transform) as trace:
        args = [trace.new_arg(a) for a in avals]
        ir = simplify(trace.to_ir(list(fn(*args))))
    return IR(list(ir.const_vars) + list(ir.in_vars), [], [], ir.eqns, ir.outs), list(ir.consts)


def zeros(trace, aval: Aval) -> Tracer:
    return full_in(trace, aval.shape, 0, aval.dtype)


def as_traced(trace, value, aval: Aval):
    """`value` (a tracer, or a literal's scalar) as a tracer of `trace` with type `aval`."""
    if isinstance(value, Tracer) and value._trace is trace:
        return value
    return full_in(trace, aval.shape, value, aval.dtype)


def padded(ir: IR, before: list, after: list, n_own: int) -> IR:
    """A closed `ir` whose first `n_own` inputs are its constants, taking unused inputs of types
    `before` ahead of them and `after` behind them (the constants of sibling branches)."""
    fresh = lambda avals: [Var(a) for a in avals]  # noqa: E731
    ins = fresh(before) + ir.in_vars[:n_own] + fresh(after) + ir.in_vars[n_own:]
    return IR(ins, [], [], ir.eqns, ir.outs)


def jvp_closed(ir: IR, float_in: list, with_primals: bool = False) -> tuple[IR, list]:
    """(ins..., tangents of the ins marked in `float_in`...) -> ([outs...,] tangents of every
    floating output, zeros where symbolic), as a closed IR and its constants."""
    from ..transforms.jvp import jvp_ir
    jir, nonzero = jvp_ir(ir, float_in)
    n = len(ir.outs)
    t_avals = [v.aval for v, f in zip(ir.in_vars, float_in) if f]

    def tangents(*args):
        res = eval_ir(jir, list(args))
        found = iter(res[n:])
        t_outs = [next(found) if nz else None for nz in nonzero]
        trace = args[0]._trace
        floats = [t if t is not None else zeros(trace, o.aval)
                  for t, o in zip(t_outs, ir.outs) if o.aval.is_float]
        return (res[:n] if with_primals else []) + floats
    return closed_trace(tangents, [v.aval for v in ir.in_vars] + t_avals, "jvp")


def vjp_closed(ir: IR, wrt: list) -> tuple[IR, list]:
    """(ins..., cotangents of every output...) -> cotangents of the ins at positions `wrt`."""
    from ..transforms.ad import backward_ir
    bir = backward_ir(ir, wrt, seed="input")
    n = len(ir.outs)
    avals = [v.aval for v in ir.in_vars] + [o.aval for o in ir.outs]

    def cotangents(*args):
        return eval_ir(bir, list(args))[n:]
    return closed_trace(cotangents, avals, "grad")


def batch_closed(ir: IR, batched: list, size: int, out_batched: list | None = None) -> tuple[IR, list, list]:
    """`ir` batched on the inputs marked `batched`: (closed IR, constants, which outputs carry the
    batch). Outputs marked in `out_batched` are broadcast to carry it when they would not."""
    from ..transforms.batching import batch_ir
    bir, got = batch_ir(ir, batched, size)
    want = [g or (out_batched is not None and w) for g, w in zip(got, out_batched or got)]

    def run(*args):
        trace = args[0]._trace if args else None
        outs = eval_ir(bir, list(args))
        return [lift_batched(trace, o, size, v.aval) if w and not g else o
                for o, g, w, v in zip(outs, got, want, ir.outs)]
    closed, consts = closed_trace(run, [v.aval for v in bir.in_vars], "vmap")
    return closed, consts, want


def lift_batched(trace, x, size: int, aval: Aval):
    """An unbatched value of type `aval` broadcast to carry the batch on axis 0."""
    from ..transforms.batching import broadcast_batched
    if isinstance(x, Tracer):
        return broadcast_batched(x, size, aval.shape)
    return full_in(trace, (size,) + aval.shape, x, aval.dtype)


def outs_of(ir: IR) -> list:
    return [o.aval for o in ir.outs]
