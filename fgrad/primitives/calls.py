"""Call-like primitives: custom_jvp_call, custom_vjp_call and checkpoint.

A function with a rule of its own (fgrad.custom_jvp, fgrad.custom_vjp, fgrad.checkpoint) is traced
inline, as any function is, and each of its output leaves then passes through one of these markers:

    y = custom_vjp_call[rule=..., index=i] out_i x_1 ... x_k

Operand 0 is the output leaf as the function computed it; the others are the function's flat inputs
(and, for checkpoint, the intermediate values its policy saves). The marker passes operand 0 through
(a name binding in generated code, no copy), so both backends run the inlined equations as they are.
Transforms do not look inside: the marker's vjp, jvp and batching rules ask the `rule` object in its
parameters (fgrad/custom.py, fgrad/remat.py), and give operand 0 no cotangent, so the inlined
equations are never differentiated themselves.
"""

from __future__ import annotations

from ..core import Primitive, bind

SRC = "fgrad/primitives/calls.py"


def _passthrough_abstract(out, *args, rule, index):
    return out


def _passthrough_impl(out, *args, rule, index):
    return out


def _passthrough_emit(args, avals, **params):
    return args[0]


def _call_primitive(name: str) -> Primitive:
    # linear_view: the result is operand 0's buffer, so the NumPy backend never writes into it
    return Primitive(name, abstract=_passthrough_abstract, impl=_passthrough_impl, source=SRC,
                     numpy=_passthrough_emit, jax=_passthrough_emit, linear_view=True)


def _vjp(ct, inner, *args, rule, index, **_):
    return [None, *rule.vjp(ct, list(args), index)]


def _jvp(primals, tangents, *, rule, index, **_):
    return rule.jvp(list(primals[1:]), list(tangents[1:]), index)


def _batch(args, batched, *, size, rule, index):
    return rule.batch(list(args), list(batched), size, index)


# --- custom_jvp_call -----------------------------------------------------------------------------

custom_jvp_call_p = _call_primitive("custom_jvp_call")
custom_jvp_call_p.def_vjp(_vjp)
custom_jvp_call_p.def_jvp(_jvp)
custom_jvp_call_p.def_batch(_batch)


# --- custom_vjp_call -----------------------------------------------------------------------------

custom_vjp_call_p = _call_primitive("custom_vjp_call")
custom_vjp_call_p.def_vjp(_vjp)
custom_vjp_call_p.def_jvp(_jvp)
custom_vjp_call_p.def_batch(_batch)


# --- checkpoint ----------------------------------------------------------------------------------

checkpoint_p = _call_primitive("checkpoint")
checkpoint_p.def_vjp(_vjp)
checkpoint_p.def_jvp(_jvp)
checkpoint_p.def_batch(_batch)


# --- remat_barrier -------------------------------------------------------------------------------
# remat_barrier(x, ct) is x. The recomputation of a checkpointed function starts from its inputs
# passed through it, with a `tag` unique per checkpointed call, so its equations have operands of
# their own and merging common subexpressions never folds them back into the forward pass. Its second
# operand, the cotangent being pulled back, makes the recomputation depend on the backward pass: vjp's
# partial evaluation then leaves it in the backward program instead of saving its results.

def _barrier_impl(x, dependency, *, tag):
    return x


def _barrier_batch(args, batched, *, size, tag):
    from ..transforms.batching import broadcast_batched
    from .calls import remat_barrier
    x = args[0] if batched[0] else broadcast_batched(args[0], size, tuple(args[0].shape))
    return remat_barrier(x, args[1], tag)


remat_barrier_p = Primitive("remat_barrier", abstract=lambda x, dependency, *, tag: x, impl=_barrier_impl,
                            source=SRC, numpy="{0}", jax="{0}", linear_view=True)
remat_barrier_p.def_vjp(lambda ct, x, dependency, out, *, tag: [ct, None])
remat_barrier_p.def_jvp(lambda primals, tangents, *, out, tag: tangents[0])
remat_barrier_p.def_batch(_barrier_batch)


def remat_barrier(x, dependency, tag: int):
    """`x`, through a barrier that no other equation shares and that runs after `dependency` (see above)."""
    return bind(remat_barrier_p, x, dependency, tag=tag)
