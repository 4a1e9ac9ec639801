"""Elementwise primitives: one block each, holding every rule the primitive has.

vjp rules are written in fgrad operations (Tracer operators and the helpers below), so the backward
pass is itself IR and can be differentiated again.
"""

from __future__ import annotations

import numpy as np

from ..backends.fusion import ADD, AND, ATOM, CMP, MUL, OR, POW, UNARY, Fused, choice, floats, logic
from ..core import Aval, Lit, Primitive, Tracer, bind
from ..errors import GuardFailure
from ..transforms.batching import elementwise_rule
from . import complex as cx
from ._base import binary, common_shape, passes_as, real_dtype, same_dtype, same_type_identity, splat, unary
from ._tangents import add_tangents, jvp_from_vjp, map_tangent, nondiff_jvp, nondiff_vjp, or_zeros

SRC = "fgrad/primitives/elementwise.py"


# --- unary math --------------------------------------------------------------------------------

neg_p = unary("neg", np.negative, source=SRC, numpy="-{0}", numpy_out="np.negative({0}, out={out})", jax="-{0}",
              scalar="-{0}", polynomial=True, numexpr=Fused("-{0}", UNARY))
neg_p.def_vjp(lambda ct, x, out: [-ct])
neg_p.def_jvp(lambda p, t, out: -t[0])
neg_p.def_batch(elementwise_rule(neg_p))

sin_p = unary("sin", np.sin, source=SRC, numpy="np.sin({0})", numpy_out="np.sin({0}, out={out})", jax="jnp.sin({0})",
              scalar="math.sin({0})")
sin_p.def_vjp(lambda ct, x, out: [ct * cos(x)])
sin_p.def_jvp(lambda p, t, out: t[0] * cos(p[0]))
sin_p.def_batch(elementwise_rule(sin_p))

cos_p = unary("cos", np.cos, source=SRC, numpy="np.cos({0})", numpy_out="np.cos({0}, out={out})", jax="jnp.cos({0})",
              scalar="math.cos({0})")
cos_p.def_vjp(lambda ct, x, out: [-(ct * sin(x))])
cos_p.def_jvp(lambda p, t, out: -(t[0] * sin(p[0])))
cos_p.def_batch(elementwise_rule(cos_p))

tan_p = unary("tan", np.tan, source=SRC, numpy="np.tan({0})", numpy_out="np.tan({0}, out={out})", jax="jnp.tan({0})",
              scalar="math.tan({0})")
tan_p.def_vjp(lambda ct, x, out: [ct * (1 + out * out)])
tan_p.def_jvp(lambda p, t, out: t[0] * (1 + out * out))
tan_p.def_batch(elementwise_rule(tan_p))

tanh_p = unary("tanh", np.tanh, source=SRC, numpy="np.tanh({0})", numpy_out="np.tanh({0}, out={out})",
               jax="jnp.tanh({0})",
               scalar="math.tanh({0})")
tanh_p.def_vjp(lambda ct, x, out: [ct * (1 - out * out)])
tanh_p.def_jvp(lambda p, t, out: t[0] * (1 - out * out))
tanh_p.def_batch(elementwise_rule(tanh_p))

exp_p = unary("exp", np.exp, source=SRC, numpy="np.exp({0})", numpy_out="np.exp({0}, out={out})", jax="jnp.exp({0})",
              scalar="math.exp({0})")
exp_p.def_vjp(lambda ct, x, out: [ct * out])
exp_p.def_jvp(lambda p, t, out: t[0] * out)
exp_p.def_batch(elementwise_rule(exp_p))

expm1_p = unary("expm1", np.expm1, source=SRC, numpy="np.expm1({0})", numpy_out="np.expm1({0}, out={out})",
                jax="jnp.expm1({0})",
                scalar="math.expm1({0})")
expm1_p.def_vjp(lambda ct, x, out: [ct * (out + 1)])
expm1_p.def_jvp(lambda p, t, out: t[0] * (out + 1))
expm1_p.def_batch(elementwise_rule(expm1_p))

log_p = unary("log", np.log, source=SRC, numpy="np.log({0})", numpy_out="np.log({0}, out={out})", jax="jnp.log({0})",
              scalar="math.log({0})")
log_p.def_vjp(lambda ct, x, out: [ct / x])
log_p.def_jvp(lambda p, t, out: t[0] / p[0])
log_p.def_batch(elementwise_rule(log_p))

log1p_p = unary("log1p", np.log1p, source=SRC, numpy="np.log1p({0})", numpy_out="np.log1p({0}, out={out})",
                jax="jnp.log1p({0})",
                scalar="math.log1p({0})")
log1p_p.def_vjp(lambda ct, x, out: [ct / (x + 1)])
log1p_p.def_jvp(lambda p, t, out: t[0] / (p[0] + 1))
log1p_p.def_batch(elementwise_rule(log1p_p))

sqrt_p = unary("sqrt", np.sqrt, source=SRC, numpy="np.sqrt({0})", numpy_out="np.sqrt({0}, out={out})",
               jax="jnp.sqrt({0})",
               scalar="math.sqrt({0})", numexpr=Fused("sqrt({0})", ATOM))
sqrt_p.def_vjp(lambda ct, x, out: [ct / (out * 2)])
sqrt_p.def_jvp(lambda p, t, out: t[0] / (out * 2))
sqrt_p.def_batch(elementwise_rule(sqrt_p))



def _abs_vjp(ct, x, out):
    if x.dtype.kind == "c":      # transpose of t -> real(conj(x) t) / |x|, 0 at x == 0 (as jax)
        return [cx.to_complex(ct / _nonzero(out)) * cx.conj(x)]
    return [select(x >= 0, ct, -ct)]   # +1 at 0, as jax


def _abs_jvp(p, t, out):
    if p[0].dtype.kind == "c":
        return cx.real(cx.conj(p[0]) * t[0]) / _nonzero(out)
    return select(p[0] >= 0, t[0], -t[0])


def _nonzero(x):
    return select(x == 0, splat(x, 1), x)


abs_p = unary("abs", np.abs, source=SRC, numpy="np.abs({0})", numpy_out="np.abs({0}, out={out})",
              jax="jnp.abs({0})", scalar="abs({0})", abstract=lambda x: Aval(x.shape, real_dtype(x.dtype)),
              numexpr=Fused("abs({0})", ATOM))
abs_p.def_vjp(_abs_vjp)
abs_p.def_jvp(_abs_jvp)
abs_p.def_batch(elementwise_rule(abs_p))

sign_p = unary("sign", np.sign, source=SRC, numpy="np.sign({0})", numpy_out="np.sign({0}, out={out})",
               jax="jnp.sign({0})")
sign_p.def_vjp(nondiff_vjp)
sign_p.def_jvp(nondiff_jvp)
sign_p.def_batch(elementwise_rule(sign_p))

arctan_p = unary("arctan", np.arctan, source=SRC, numpy="np.arctan({0})", numpy_out="np.arctan({0}, out={out})",
                 jax="jnp.arctan({0})",
                   scalar="math.atan({0})")
arctan_p.def_vjp(lambda ct, x, out: [ct / (x * x + 1)])
arctan_p.def_jvp(lambda p, t, out: t[0] / (p[0] * p[0] + 1))
arctan_p.def_batch(elementwise_rule(arctan_p))

sinh_p = unary("sinh", np.sinh, source=SRC, numpy="np.sinh({0})", numpy_out="np.sinh({0}, out={out})",
               jax="jnp.sinh({0})",
               scalar="math.sinh({0})")
sinh_p.def_vjp(lambda ct, x, out: [ct * cosh(x)])
sinh_p.def_jvp(lambda p, t, out: t[0] * cosh(p[0]))
sinh_p.def_batch(elementwise_rule(sinh_p))

cosh_p = unary("cosh", np.cosh, source=SRC, numpy="np.cosh({0})", numpy_out="np.cosh({0}, out={out})",
               jax="jnp.cosh({0})",
               scalar="math.cosh({0})")
cosh_p.def_vjp(lambda ct, x, out: [ct * sinh(x)])
cosh_p.def_jvp(lambda p, t, out: t[0] * sinh(p[0]))
cosh_p.def_batch(elementwise_rule(cosh_p))


def _logistic(x):
    # 0.5 * tanh(x / 2) + 0.5 is exact to rounding and never overflows
    return np.multiply(np.tanh(np.multiply(x, 0.5)), 0.5) + np.asarray(0.5, dtype=np.result_type(x))


logistic_p = Primitive("logistic", abstract=lambda x: x, impl=_logistic, source=SRC, elementwise=True,
                       numpy="_logistic({0})", helpers={"_logistic": _logistic}, jax="jax.nn.sigmoid({0})")
logistic_p.def_vjp(lambda ct, x, out: [ct * (out * (1 - out))])
logistic_p.def_jvp(lambda p, t, out: t[0] * (out * (1 - out)))
logistic_p.def_batch(elementwise_rule(logistic_p))


def _integer_pow_abstract(x, *, n):
    return x


def _ipow(x, n, out):
    """x ** n into `out`; squares multiply (np.power has no fast path for an exponent of 2)."""
    return np.multiply(x, x, out=out) if n == 2 else np.power(x, n, out=out)


def _small_power(dtypes, out, *, n):
    # numexpr writes a constant power as repeated squarings, whose rounding drifts from NumPy's pow as n grows
    return floats(dtypes, out) and 1 <= abs(n) <= 8


integer_pow_p = Primitive("integer_pow", abstract=_integer_pow_abstract, source=SRC, elementwise=True,
                          impl=lambda x, *, n: np.power(x, n, dtype=np.result_type(x)),
                          numpy="{0} ** {n}", numpy_out="_ipow({0}, {n}, out={out})", helpers={"_ipow": _ipow},
                          jax="lax.integer_pow({0}, {n})", scalar="{0} ** {n}", polynomial=True,
                          identity=lambda inputs, aval, *, n: inputs[0] if n == 1 else None,
                          numexpr=Fused("{0}**{n}", POW, _small_power))


@integer_pow_p.def_vjp
def _integer_pow_vjp(ct, x, out, *, n):
    if n == 0:
        return [None]
    return [ct if n == 1 else ct * (x * 2) if n == 2 else ct * (integer_pow(x, n - 1) * n)]


integer_pow_p.def_jvp(jvp_from_vjp(_integer_pow_vjp))
integer_pow_p.def_batch(elementwise_rule(integer_pow_p))


# --- binary arithmetic -------------------------------------------------------------------------

add_p = binary("add", np.add, source=SRC, scalar="{0} + {1}", numpy="{0} + {1}",
               numpy_out="np.add({0}, {1}, out={out})",
               jax="{0} + {1}", units=(0, 0), polynomial=True, numexpr=Fused("{0} + {1}", ADD))
add_p.def_vjp(lambda ct, x, y, out: [ct, ct])
add_p.def_jvp(lambda p, t, out: add_tangents(*t))
add_p.def_batch(elementwise_rule(add_p))

sub_p = binary("sub", np.subtract, source=SRC, scalar="{0} - {1}", numpy="{0} - {1}",
               numpy_out="np.subtract({0}, {1}, out={out})", jax="{0} - {1}",
               units=(None, 0), polynomial=True, numexpr=Fused("{0} - {1}", ADD))
sub_p.def_vjp(lambda ct, x, y, out: [ct, -ct])
sub_p.def_jvp(lambda p, t, out: add_tangents(t[0], map_tangent(lambda u: -u, t[1])))
sub_p.def_batch(elementwise_rule(sub_p))

mul_p = binary("mul", np.multiply, source=SRC, scalar="{0} * {1}", numpy="{0} * {1}",
               numpy_out="np.multiply({0}, {1}, out={out})", jax="{0} * {1}",
               units=(1, 1), polynomial=True, odd=True, numexpr=Fused("{0} * {1}", MUL))
mul_p.def_vjp(lambda ct, x, y, out: [ct * y, ct * x])
mul_p.def_jvp(jvp_from_vjp(mul_p.vjp))   # elementwise: the vjp's partials, applied to tangents
mul_p.def_batch(elementwise_rule(mul_p))

div_p = binary("div", np.true_divide, source=SRC, scalar="{0} / {1}", numpy="{0} / {1}",
               numpy_out="np.divide({0}, {1}, out={out})", jax="{0} / {1}",
               units=(None, 1), polynomial=True, odd=True, numexpr=Fused("{0} / {1}", MUL))
div_p.def_vjp(lambda ct, x, y, out: [ct / y, -(ct * out) / y])
div_p.def_jvp(jvp_from_vjp(div_p.vjp))
div_p.def_batch(elementwise_rule(div_p))


def _pow_vjp(ct, x, y, out):
    # d/dx is 0 where y == 0 and d/dy is 0 where x == 0 (jax's convention; no 0 * inf = nan)
    if isinstance(y, Tracer):
        ct_x = ct * select(y == 0, splat(y, 0), y * power(x, y - 1))
    else:
        ct_x = None if y == 0 else ct * (y * power(x, y - 1))
    if isinstance(x, Tracer):
        safe_log = log(select(x == 0, splat(x, 1), x))
    else:
        safe_log = np.log(x if x != 0 else np.ones_like(x))
    return [ct_x, ct * (safe_log * out)]


pow_p = binary("pow", np.power, source=SRC, numpy="{0} ** {1}", numpy_out="np.power({0}, {1}, out={out})",
               jax="{0} ** {1}", numexpr=Fused("{0} ** {1}", POW))
pow_p.def_vjp(_pow_vjp)
pow_p.def_jvp(jvp_from_vjp(_pow_vjp))   # the same conventions at x == 0 and y == 0
pow_p.def_batch(elementwise_rule(pow_p))


def _chooser_vjp(ct, x, y, out):
    # ties split the cotangent evenly between both operands (jax's convention)
    x_wins = select(x == y, splat(out, 0.5), (x == out).astype(out.dtype))
    return [ct * x_wins, ct * (1 - x_wins)]


max_p = binary("max", np.maximum, source=SRC, numpy="np.maximum({0}, {1})", numpy_out="np.maximum({0}, {1}, out={out})",
               jax="jnp.maximum({0}, {1})", numexpr=Fused("maximum({0}, {1})", ATOM))
max_p.def_vjp(_chooser_vjp)
max_p.def_jvp(jvp_from_vjp(_chooser_vjp))   # ties: half of each tangent
max_p.def_batch(elementwise_rule(max_p))

min_p = binary("min", np.minimum, source=SRC, numpy="np.minimum({0}, {1})", numpy_out="np.minimum({0}, {1}, out={out})",
               jax="jnp.minimum({0}, {1})", numexpr=Fused("minimum({0}, {1})", ATOM))
min_p.def_vjp(_chooser_vjp)
min_p.def_jvp(jvp_from_vjp(_chooser_vjp))
min_p.def_batch(elementwise_rule(min_p))


# --- comparisons and logic (boolean results, no derivative) ----------------------------------

def _compare(name, fn, op, numpy_out, fused=None):
    prim = binary(name, fn, source=SRC, numpy="{0} %s {1}" % op, numpy_out=numpy_out, jax="{0} %s {1}" % op,
                  out_dtype=np.bool_, scalar="{0} %s {1}" % op if name not in ("and", "or") else None,
                  numexpr=fused or Fused("{0} %s {1}" % op, CMP))
    prim.def_vjp(nondiff_vjp)
    prim.def_jvp(nondiff_jvp)
    prim.def_batch(elementwise_rule(prim))
    return prim


lt_p = _compare("lt", np.less, "<",
                numpy_out="np.less({0}, {1}, out={out})")
le_p = _compare("le", np.less_equal, "<=",
                numpy_out="np.less_equal({0}, {1}, out={out})")
gt_p = _compare("gt", np.greater, ">",
                numpy_out="np.greater({0}, {1}, out={out})")
ge_p = _compare("ge", np.greater_equal, ">=",
                numpy_out="np.greater_equal({0}, {1}, out={out})")
eq_p = _compare("eq", np.equal, "==",
                numpy_out="np.equal({0}, {1}, out={out})")
ne_p = _compare("ne", np.not_equal, "!=",
                numpy_out="np.not_equal({0}, {1}, out={out})")
and_p = _compare("and", np.logical_and, "&",
                 numpy_out="np.logical_and({0}, {1}, out={out})", fused=Fused("{0} & {1}", AND, logic))
or_p = _compare("or", np.logical_or, "|",
                numpy_out="np.logical_or({0}, {1}, out={out})", fused=Fused("{0} | {1}", OR, logic))

not_p = unary("not", np.logical_not, source=SRC, numpy="np.logical_not({0})",
              numpy_out="np.logical_not({0}, out={out})",
              jax="jnp.logical_not({0})", numexpr=Fused("~{0}", UNARY, logic))
not_p.def_vjp(nondiff_vjp)
not_p.def_jvp(nondiff_jvp)
not_p.def_batch(elementwise_rule(not_p))

isnan_p = Primitive("isnan", abstract=lambda x: Aval(x.shape, np.bool_), impl=np.isnan, source=SRC, elementwise=True,
                    numpy="np.isnan({0})", jax="jnp.isnan({0})")
isnan_p.def_vjp(nondiff_vjp)
isnan_p.def_jvp(nondiff_jvp)
isnan_p.def_batch(elementwise_rule(isnan_p))


# --- select: where(pred, x, y) -----------------------------------------------------------------

def _select_abstract(pred, x, y):
    if pred.dtype != np.bool_:
        raise TypeError(f"select: the condition must be boolean, got {pred.dtype}")
    return Aval(common_shape("select", (pred, x, y)), same_dtype("select", (x, y)))


def _select_identity(inputs, aval):
    if inputs[1] is inputs[2]:
        return inputs[1]
    if isinstance(inputs[0], Lit):
        chosen = inputs[1] if inputs[0].val else inputs[2]
        return chosen if passes_as(chosen, aval) else None
    return None


select_p = Primitive("select", abstract=_select_abstract, impl=np.where, source=SRC, elementwise=True,
                     identity=_select_identity,
                     numpy="np.where({0}, {1}, {2})", jax="jnp.where({0}, {1}, {2})",
                     scalar="({1} if {0} else {2})", numexpr=Fused("where({0}, {1}, {2})", ATOM, choice))
select_p.def_vjp(lambda ct, p, x, y, out: [
    None, select(p, ct, splat(ct, 0)), select(p, splat(ct, 0), ct)])
select_p.def_jvp(lambda p, t, out: select(p[0], or_zeros(t[1], out), or_zeros(t[2], out)))
select_p.def_batch(elementwise_rule(select_p))


# --- dtype conversion, stop_gradient, guards ---------------------------------------------------

convert_p = Primitive("convert_element_type", abstract=lambda x, *, dtype: Aval(x.shape, dtype),
                      impl=lambda x, *, dtype: np.asarray(x, dtype=dtype) if np.ndim(x)
                      else np.dtype(dtype).type(x), source=SRC, elementwise=True, identity=same_type_identity,
                      weak_literals=False,   # the template calls a method on its operand: no bare number
                      numpy="{0}.astype(np.{dtype})", jax="{0}.astype(jnp.{dtype})")
convert_p.def_vjp(lambda ct, x, out, *, dtype: [
    convert(ct, x.dtype) if np.dtype(x.dtype).kind in "fc" else None])
convert_p.def_jvp(lambda p, t, out, *, dtype: convert(t[0], dtype))
convert_p.def_batch(elementwise_rule(convert_p))

stop_gradient_p = Primitive("stop_gradient", abstract=lambda x: x, impl=lambda x: x, source=SRC,
                            numpy="{0}", jax="lax.stop_gradient({0})", linear_view=True, stops_gradient=True,
                            elementwise=False)   # a marker the passes keep as it is
stop_gradient_p.def_vjp(nondiff_vjp)
stop_gradient_p.def_jvp(nondiff_jvp)
stop_gradient_p.def_batch(elementwise_rule(stop_gradient_p))


def check_guard(x, expected) -> None:
    """Raise GuardFailure unless the traced Python read of `x` would give `expected` again."""
    value = bool(x) if isinstance(expected, bool) else x.item() if hasattr(x, "item") else x
    if value != expected:
        raise GuardFailure()


def _guard_impl(x, *, expected):
    check_guard(x, expected)
    return np.True_


def _guard_batch(args, batched, *, size, expected):
    # a guard records a Python branch taken on a concrete value; per example there is none
    from ..errors import ConcretizationError, user_location
    raise ConcretizationError("a Python branch (if/while/bool) on a value batched by vmap",
                              repr(args[0].aval), user_location())


guard_p = Primitive("guard", abstract=lambda x, *, expected: Aval((), np.bool_), impl=_guard_impl,
                    source=SRC, numpy="_guard({0}, {expected})", helpers={"_guard": check_guard},
                    jax="({0} == {expected})", effect=True, elementwise=False)
guard_p.def_vjp(nondiff_vjp)
guard_p.def_jvp(nondiff_jvp)
guard_p.def_batch(_guard_batch)


# --- helpers the rules above use (fgrad operations on tracers) ---------------------------------

def cos(x):
    return bind(cos_p, x)


def sin(x):
    return bind(sin_p, x)


def cosh(x):
    return bind(cosh_p, x)


def sinh(x):
    return bind(sinh_p, x)


def sign(x):
    return bind(sign_p, x)


def log(x):
    return bind(log_p, x)


def integer_pow(x, n):
    return bind(integer_pow_p, x, n=n)


def power(x, y):
    return bind(pow_p, x, y)


def select(p, x, y):
    return bind(select_p, p, x, y)


def convert(x, dtype):
    """`x` as `dtype`; complex to real keeps the real part (the transpose of real to complex)."""
    if x.dtype.kind == "c" and np.dtype(dtype).kind != "c":
        x = cx.real(x)
    return x if x.dtype == dtype else bind(convert_p, x, dtype=np.dtype(dtype).name)
