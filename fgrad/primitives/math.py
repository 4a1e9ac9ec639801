"""Elementwise math beyond the core set: inverse trigonometric and hyperbolic functions, arctan2,
and the rounding functions (piecewise constant: no derivative). One block each, every rule in it.

The inverse functions are primitives rather than compositions because their compositions lose
digits where NumPy's do not (arccos near 1, arcsinh for large |x|); the values are NumPy's own.
"""

from __future__ import annotations

import numpy as np

from ..core import bind
from ..transforms.batching import elementwise_rule
from ._base import binary, unary
from ._tangents import jvp_from_vjp, nondiff_jvp

SRC = "fgrad/primitives/math.py"


def _sqrt(x):
    from .elementwise import sqrt_p
    return bind(sqrt_p, x)


def _unary_math(name: str, fn, derivative, scalar: str | None = None):
    """An elementwise primitive whose vjp multiplies by `derivative(x, out)`."""
    prim = unary(name, fn, source=SRC, numpy=f"np.{name}({{0}})", numpy_out=f"np.{name}({{0}}, out={{out}})",
                 jax=f"jnp.{name}({{0}})", scalar=scalar)
    prim.def_vjp(lambda ct, x, out: [ct * derivative(x, out)])
    prim.def_jvp(lambda p, t, out: t[0] * derivative(p[0], out))
    prim.def_batch(elementwise_rule(prim))
    return prim


# --- inverse trigonometric and hyperbolic functions ------------------------------------------------

arcsin_p = _unary_math("arcsin", np.arcsin, lambda x, out: 1 / _sqrt(1 - x * x), scalar="math.asin({0})")

arccos_p = _unary_math("arccos", np.arccos, lambda x, out: -1 / _sqrt(1 - x * x), scalar="math.acos({0})")

# the values are np.arcsinh's (a composition with log loses them for large |x| and for tiny |x|)
arcsinh_p = _unary_math("arcsinh", np.arcsinh, lambda x, out: 1 / _sqrt(x * x + 1), scalar="math.asinh({0})")

# sqrt(x - 1) * sqrt(x + 1) instead of sqrt(x*x - 1): no cancellation near 1
arccosh_p = _unary_math("arccosh", np.arccosh, lambda x, out: 1 / (_sqrt(x - 1) * _sqrt(x + 1)),
                        scalar="math.acosh({0})")

arctanh_p = _unary_math("arctanh", np.arctanh, lambda x, out: 1 / ((1 - x) * (1 + x)), scalar="math.atanh({0})")


# --- arctan2(y, x) -------------------------------------------------------------------------------

def _arctan2_vjp(ct, y, x, out):
    scale = ct / (x * x + y * y)
    return [scale * x, -(scale * y)]


arctan2_p = binary("arctan2", np.arctan2, source=SRC, numpy="np.arctan2({0}, {1})",
                   numpy_out="np.arctan2({0}, {1}, out={out})", jax="jnp.arctan2({0}, {1})",
                   scalar="math.atan2({0}, {1})")
arctan2_p.def_vjp(_arctan2_vjp)
arctan2_p.def_jvp(jvp_from_vjp(_arctan2_vjp))
arctan2_p.def_batch(elementwise_rule(arctan2_p))


# --- rounding: piecewise constant, so the derivative is zero (no cotangent at all) ---------------

def _no_cotangent(ct, x, out):
    return [None]


def _rounding(name: str, fn, jax_name: str):
    prim = unary(name, fn, source=SRC, numpy=f"np.{name}({{0}})", numpy_out=f"np.{name}({{0}}, out={{out}})",
                 jax=f"jnp.{jax_name}({{0}})")
    prim.def_vjp(_no_cotangent)
    prim.def_jvp(nondiff_jvp)
    prim.def_batch(elementwise_rule(prim))
    return prim


floor_p = _rounding("floor", np.floor, "floor")
ceil_p = _rounding("ceil", np.ceil, "ceil")
rint_p = _rounding("rint", np.rint, "round")        # half to even, as np.rint and jnp.round
trunc_p = _rounding("trunc", np.trunc, "trunc")
