"""Bitwise primitives on integers and booleans: and, or, xor, invert and the two shifts.

On booleans the first four are the logical operations, which is why the operators `&`, `|`, `^`
and `~` of a traced array bind them, as NumPy's and jax's arrays do. They have no derivative (their
operands are never floating point) and reject floating operands as NumPy does.
"""

from __future__ import annotations

import numpy as np

from ..backends.fusion import AND, OR, UNARY, XOR, Fused, logic
from ..core import Aval, Primitive
from ..transforms.batching import elementwise_rule
from ._base import common_shape, same_dtype
from ._tangents import nondiff_jvp, nondiff_vjp

SRC = "fgrad/primitives/bitwise.py"


def _integer_dtype(name: str, avals, *, bool_ok: bool = True) -> np.dtype:
    dtype = same_dtype(name, avals)
    if not (dtype.kind in "iu" or (bool_ok and dtype.kind == "b")):
        allowed = "integer or boolean" if bool_ok else "integer"
        raise TypeError(f"{name}: operands must be {allowed}, got {dtype.name}; "
                        f"cast with astype, or use the logical_* functions for conditions on floats")
    return dtype


def _bitwise(name: str, fn, op: str, *, bool_ok: bool = True, fused: Fused | None = None) -> Primitive:
    def abstract(x, y):
        return Aval(common_shape(name, (x, y)), _integer_dtype(name, (x, y), bool_ok=bool_ok))
    prim = Primitive(name, abstract=abstract, impl=fn, source=SRC, elementwise=True,
                     numpy="{0} %s {1}" % op, numpy_out=f"np.{fn.__name__}({{0}}, {{1}}, out={{out}})",
                     jax="{0} %s {1}" % op, numexpr=fused)
    prim.def_vjp(nondiff_vjp)
    prim.def_jvp(nondiff_jvp)
    prim.def_batch(elementwise_rule(prim))
    return prim


# fused on booleans only (the logical forms); integers stay NumPy's, as in every fused form
bitwise_and_p = _bitwise("bitwise_and", np.bitwise_and, "&", fused=Fused("{0} & {1}", AND, logic))
bitwise_or_p = _bitwise("bitwise_or", np.bitwise_or, "|", fused=Fused("{0} | {1}", OR, logic))
bitwise_xor_p = _bitwise("bitwise_xor", np.bitwise_xor, "^", fused=Fused("{0} ^ {1}", XOR, logic))
left_shift_p = _bitwise("left_shift", np.left_shift, "<<", bool_ok=False)
right_shift_p = _bitwise("right_shift", np.right_shift, ">>", bool_ok=False)

invert_p = Primitive("invert", abstract=lambda x: Aval(x.shape, _integer_dtype("invert", (x,))), impl=np.invert,
                     source=SRC, elementwise=True, numpy="~{0}", numpy_out="np.invert({0}, out={out})",
                     jax="~{0}", numexpr=Fused("~{0}", UNARY, logic))
invert_p.def_vjp(nondiff_vjp)
invert_p.def_jvp(nondiff_jvp)
invert_p.def_batch(elementwise_rule(invert_p))
