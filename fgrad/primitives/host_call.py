"""host_call: a Python function of NumPy arrays, called by the program when it runs.

    y = host_call[call=name] x_1 ... x_k

Tracing cannot look inside such a function (HIPS autograd's `@primitive`: its body sees plain NumPy
arrays, never tracers), so the program holds it as one equation and calls it on the concrete operands
each time it runs. `call` (a `HostCall`) holds the function, the type of its one output, found when
the equation was recorded, and the object giving its derivatives: `rules.vjp(ct, primals, out)` (one
cotangent per operand, None for a zero) and `rules.jvp(primals, tangents, out)` (None tangents are
zeros). Those rules are written in fgrad operations, so they are traced like any other rule and
higher orders need nothing more.

The NumPy backend reaches the function through the program's namespace. The xla backend lowers the
equation to `jax.pure_callback`: the compiled program calls back into Python on the host, which is
correct but costs one device-to-host round trip per call. Batching calls the function once per
example and stacks the results, since nothing is known of how it treats a leading axis.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable

import numpy as np

from ..backends.numpy_codegen import Block
from ..core import Aval, Primitive, bind
from ..errors import MissingRuleError, ShapeError

SRC = "fgrad/primitives/host_call.py"

_keys = itertools.count()
# key -> HostCall, for the xla program's callback; an entry lives only as long as its equation does
_LIVE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


class HostCall:
    """A Python function of NumPy arrays with one output of type `out_aval`, and its derivatives.

    Parameters:
        fun: called as `fun(*arrays)` with the equation's operands as NumPy arrays.
        out_aval: the Aval of what it returns (its result is converted to that dtype and checked).
        name: shown in printed IR and in error messages.
        rules: an object with `vjp(ct, primals, out)` and `jvp(primals, tangents, out)`, or None
            (then differentiating the call raises MissingRuleError).

    Example:
        >>> import numpy as np
        >>> from fgrad.core import Aval
        >>> call = HostCall(np.sinh, Aval((2,), np.float64), "sinh")
        >>> call(np.zeros(2))
        array([0., 0.])
    """

    def __init__(self, fun: Callable, out_aval: Aval, name: str, rules=None):
        self.fun, self.out_aval, self.name, self.rules = fun, out_aval, name, rules
        self.key = next(_keys)
        _LIVE[self.key] = self

    def __call__(self, *arrays):
        out = np.asarray(self.fun(*arrays))
        if out.shape != self.out_aval.shape:
            raise ShapeError(f"the Python function {self.name} returned shape {out.shape} here, but "
                             f"{self.out_aval.shape} when the program was traced; a function called on "
                             "concrete arrays must return the same shape for inputs of the same shapes")
        return out.astype(self.out_aval.dtype, copy=False)

    def __repr__(self):
        return self.name

    def differentiable(self, slot: str):
        if self.rules is None:
            raise MissingRuleError(f"host_call of {self.name}", slot, SRC)
        return self.rules


def host_function(key: int) -> HostCall:
    """The live HostCall with `key` (the xla backend's generated code calls this)."""
    return _LIVE[key]


def _numpy(em, eqn) -> list:
    name = f"_host_{em.fresh()}"
    em.namespace[name] = eqn.params["call"]
    args = ", ".join(em.operand(eqn, a) for a in eqn.inputs)
    return [f"    {em.name(eqn.out)} = {name}({args})"]


def _xla(w, eqn) -> list:
    call = eqn.params["call"]
    aval, fn = call.out_aval, f"host_{w.fresh()}"
    args = "".join(f", {w.operand(eqn, a)}" for a in eqn.inputs)
    return [f"    from fgrad.primitives.host_call import host_function as {fn}",
            f"    {w.name(eqn.out)} = jax.pure_callback({fn}({call.key}), "
            f"jax.ShapeDtypeStruct({aval.shape!r}, jnp.{aval.dtype.name}){args})"]


def _batch(args, batched, *, size, call):
    from ..numpy import stack
    rows = [bind(host_call_p, *[a[i] if b else a for a, b in zip(args, batched)], call=call) for i in range(size)]
    return stack(rows)


host_call_p = Primitive("host_call", abstract=lambda *avals, call: call.out_aval,
                        impl=lambda *arrays, call: call(*arrays), source=SRC,
                        numpy=Block(_numpy), jax=Block(_xla))
host_call_p.def_vjp(lambda ct, *primals, out, call: call.differentiable("vjp").vjp(ct, list(primals), out))
host_call_p.def_jvp(lambda primals, tangents, *, out, call:
                    call.differentiable("jvp").jvp(list(primals), list(tangents), out))
host_call_p.def_batch(_batch)


def host_call(call: HostCall, *args):
    """Apply `call` to `args`: now on arrays, or as one equation when an argument is traced.

    Example:
        >>> import numpy as np
        >>> from fgrad.core import Aval
        >>> float(host_call(HostCall(np.sinh, Aval((), np.float64), "sinh"), 0.0))
        0.0
    """
    return bind(host_call_p, *args, call=call)
