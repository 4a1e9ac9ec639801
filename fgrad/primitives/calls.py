"""Call-like primitives: custom_jvp_call, custom_vjp_call and checkpoint (and name, checkpoint_name's tag).

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
    prim = Primitive(name, abstract=_passthrough_abstract, impl=_passthrough_impl, source=SRC,
                     numpy=_passthrough_emit, jax=_passthrough_emit, linear_view=True)
    prim.marker = True        # derivatives come from the rule, never from operand 0 (read by jvp and remat)
    return prim


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


def _joint_vjp(cts: dict, inner, *args, rule, index, **_):
    """Reverse mode hands the cotangents of all of a call's outputs ({index: ct}) to this at once."""
    return [None, *rule.vjp_joint([cts.get(i) for i in range(len(rule.out_avals))], list(args))]


custom_vjp_call_p.joint_vjp = _joint_vjp
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


# --- name ----------------------------------------------------------------------------------------
# name[name="a"](x) is x, tagged for checkpoint policies (save_only_these_names, ...) and for
# print_saved_residuals ("named 'a'"), as jax.ad_checkpoint.checkpoint_name.

def _name_batch(args, batched, *, size, name):
    return checkpoint_name(args[0], name)


def _name_emit(args, avals, *, name):
    return args[0]                  # a callable template: the user's name never reaches the source


name_p = Primitive("name", abstract=lambda x, *, name: x, impl=lambda x, *, name: x, source=SRC,
                   numpy=_name_emit, jax=_name_emit, linear_view=True)
name_p.def_vjp(lambda ct, x, out, *, name: [ct])
name_p.def_jvp(lambda primals, tangents, *, out, name: tangents[0])
name_p.def_batch(_name_batch)


def checkpoint_name(x, name: str):
    """`x`, named `name` for checkpoint policies and print_saved_residuals (jax.ad_checkpoint's name).

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> f = fgrad.checkpoint(lambda x: fnp.sin(checkpoint_name(fnp.sin(x), "s")),
        ...                      policy=fgrad.checkpoint_policies.save_only_these_names("s"))
        >>> fgrad.print_saved_residuals(f, 1.0)  # doctest: +ELLIPSIS
        f64[] from the argument x
        f64[] named 's' from ...
    """
    if not isinstance(name, str):
        from ..errors import user_location
        raise TypeError(f"checkpoint_name: name must be a str, got {type(name).__name__} (at {user_location()})")
    return bind(name_p, x, name=name)
