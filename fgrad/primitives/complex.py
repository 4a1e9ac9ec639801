"""Complex numbers: real, imag, conj, complex (from two real parts) and angle, one block each.

Derivatives follow jax's convention. A vjp rule is the transpose of the linear map its jvp rule
applies, with no conjugation: the cotangent of a holomorphic operation is `ct * f'(z)`, the
transpose of `real` embeds a real cotangent as `ct + 0j` and that of `imag` as `-1j * ct`. So
`grad` of a real loss of complex `z` is `dL/dx - 1j * dL/dy`, as `jax.grad` returns (PyTorch's
`.grad` is its conjugate).
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ..transforms.batching import elementwise_rule
from ._base import common_shape, complex_dtype, real_dtype, same_dtype, splat

SRC = "fgrad/primitives/complex.py"


def _complex_operand(name: str, x: Aval) -> None:
    if x.dtype.kind != "c":
        raise TypeError(f"{name}: expects a complex operand, got {x.dtype}; fgrad.numpy.{name} of a real "
                        "array is the array itself (or zeros, for imag)")


def _part_abstract(name: str):
    def abstract(x):
        _complex_operand(name, x)
        return Aval(x.shape, real_dtype(x.dtype))
    return abstract


def _make_complex(x, y):
    """x + 1j * y in the complex dtype of x and y's precision, without rounding through a product."""
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    out = np.empty(shape, complex_dtype(np.result_type(x, y)))
    out.real, out.imag = x, y
    return out if shape else out[()]


# --- real and imag: the parts of a complex array -----------------------------------------------

real_p = Primitive("real", abstract=_part_abstract("real"), impl=np.real, source=SRC, elementwise=True,
                   linear_view=True, numpy="np.real({0})", jax="jnp.real({0})")
real_p.def_vjp(lambda ct, x, out: [to_complex(ct)])                        # ct + 0j
real_p.def_jvp(lambda p, t, out: real(t[0]))
real_p.def_batch(elementwise_rule(real_p))

imag_p = Primitive("imag", abstract=_part_abstract("imag"), impl=np.imag, source=SRC, elementwise=True,
                   linear_view=True, numpy="np.imag({0})", jax="jnp.imag({0})")
imag_p.def_vjp(lambda ct, x, out: [make_complex(splat(ct, 0), -ct)])      # -1j * ct
imag_p.def_jvp(lambda p, t, out: imag(t[0]))
imag_p.def_batch(elementwise_rule(imag_p))


# --- conj --------------------------------------------------------------------------------------

def _conj_abstract(x):
    _complex_operand("conj", x)
    return x


conj_p = Primitive("conj", abstract=_conj_abstract, impl=np.conjugate, source=SRC, elementwise=True,
                   numpy="np.conjugate({0})", numpy_out="np.conjugate({0}, out={out})", jax="jnp.conjugate({0})")
conj_p.def_vjp(lambda ct, x, out: [conj(ct)])
conj_p.def_jvp(lambda p, t, out: conj(t[0]))
conj_p.def_batch(elementwise_rule(conj_p))


# --- complex: x + 1j * y from real parts (lax.complex) -----------------------------------------

def _complex_abstract(x, y):
    dtype = same_dtype("complex", (x, y))
    if dtype.kind != "f":
        raise TypeError(f"complex: expects real floating-point parts, got {dtype}")
    return Aval(common_shape("complex", (x, y)), complex_dtype(dtype))


complex_p = Primitive("complex", abstract=_complex_abstract, impl=_make_complex, source=SRC, elementwise=True,
                      weak_literals=False,      # lax.complex takes no weakly typed Python number
                      numpy="_make_complex({0}, {1})", helpers={"_make_complex": _make_complex},
                      jax="lax.complex({0}, {1})")
complex_p.def_vjp(lambda ct, x, y, out: [real(ct), -imag(ct)])
complex_p.def_jvp(lambda p, t, out: make_complex(*(splat(out, 0, dtype=real_dtype(out.dtype)) if u is None else u
                                                   for u in t)))
complex_p.def_batch(elementwise_rule(complex_p))


# --- angle: the argument of a complex number (atan2(imag, real)) -------------------------------

def _angle_abstract(x):
    if x.dtype.kind not in "fc":
        raise TypeError(f"angle: expects a floating-point or complex operand, got {x.dtype}")
    return Aval(x.shape, real_dtype(x.dtype))


def _angle_vjp(ct, x, out):
    # the jvp is (a * imag(t) - b * real(t)) / |x|^2; its transpose (jax's convention, as for imag)
    if x.dtype.kind != "c":
        return [None]                  # atan2(0, x): 0 or pi, constant in x
    a, b = real(x), imag(x)
    scaled = ct / (a * a + b * b)
    return [make_complex(-(b * scaled), -(a * scaled))]


def _angle_jvp(p, t, out):
    x = p[0]
    if x.dtype.kind != "c":
        return None
    a, b = real(x), imag(x)
    return (a * imag(t[0]) - b * real(t[0])) / (a * a + b * b)


angle_p = Primitive("angle", abstract=_angle_abstract, source=SRC, elementwise=True,
                    impl=lambda x: np.angle(x).astype(real_dtype(np.result_type(x)), copy=False),
                    numpy="np.angle({0})", jax="jnp.angle({0})")
angle_p.def_vjp(_angle_vjp)
angle_p.def_jvp(_angle_jvp)
angle_p.def_batch(elementwise_rule(angle_p))


# --- helpers the rules use (fgrad operations on tracers) ---------------------------------------

def real(x):
    return bind(real_p, x)


def imag(x):
    return bind(imag_p, x)


def conj(x):
    return bind(conj_p, x)


def angle(x):
    return bind(angle_p, x)


def make_complex(x, y):
    return bind(complex_p, x, y)


def to_complex(x):
    """`x` as its complex dtype (`x + 0j`); a complex `x` is returned as it is."""
    from .elementwise import convert
    return convert(x, complex_dtype(x.dtype))

