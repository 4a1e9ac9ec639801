"""Complex numbers through the engine, against jax (float64): grad of real losses of complex inputs
(jax's convention, checked against finite differences of the real parts too), holomorphic=True,
vjp/jvp of complex functions, dtype promotion, real/imag/conj/angle/abs, both backends, and how the
convention relates to PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.core import bind  # noqa: E402
from fgrad.primitives import complex as cx  # noqa: E402


def crnd(*shape, seed=0, low=0.3, high=1.5):
    """Complex values with parts away from 0 (so angle, log and division stay smooth)."""
    rng = np.random.default_rng(seed)
    sign = lambda: np.where(rng.random(shape) < 0.5, -1.0, 1.0)  # noqa: E731
    return sign() * rng.uniform(low, high, shape) + 1j * sign() * rng.uniform(low, high, shape)


def close(ours, theirs, rtol=1e-10, atol=1e-12):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype, ours.shape,
                                                                      theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


# real-valued losses of complex z, written once for either library
REAL_LOSSES = {
    "abs_squared": lambda m: lambda z: m.sum(m.abs(z) ** 2),
    "real_of_z_sin_z": lambda m: lambda z: m.sum(m.real(z * m.sin(z))),
    "angle": lambda m: lambda z: m.sum(m.angle(z) * m.arange(1.0, 4.0)),
    "imag_of_exp_over_z": lambda m: lambda z: m.sum(m.imag(m.exp(z) / z)),
    "abs_of_sum": lambda m: lambda z: m.abs(m.sum(m.sqrt(z) * m.conj(z) ** 2)),
    "complex_literal": lambda m: lambda z: m.real(m.sum(z * (0.5 - 2j))) + m.imag(m.sum(z * z * 1j)),
    "log_tanh_pow": lambda m: lambda z: m.sum(m.abs(m.log(z) + m.tanh(z) - z ** 2.5 + z ** 3)),
    "cos_cosh_matmul": lambda m: lambda z: m.real(m.sum(m.cos(z) @ m.cosh(m.reshape(z, (3, 1))))),
    "conjugate_and_cast": lambda m: lambda z: m.sum(m.abs(m.conjugate(z).astype(m.complex128) - 1.0)),
    "shape_ops": lambda m: lambda z: m.sum(m.abs(m.concatenate([z[::-1], m.transpose(m.stack([z, z * 2]))[0]]))),
}


@pytest.mark.parametrize("name", sorted(REAL_LOSSES))
def test_grad_of_a_real_loss_matches_jax(name, backend):
    z = crnd(3, seed=1)
    ours = fgrad.grad(REAL_LOSSES[name](fnp))(z)
    close(ours, jax.grad(REAL_LOSSES[name](jnp))(z))
    value, g = fgrad.value_and_grad(REAL_LOSSES[name](fnp))(z)
    close(np.asarray(value), np.asarray(REAL_LOSSES[name](jnp)(z)))
    close(g, np.asarray(ours))


@pytest.mark.parametrize("name", sorted(REAL_LOSSES))
def test_grad_is_dL_dx_minus_i_dL_dy_by_finite_differences(name):
    """jax's convention, derived from the real parts alone: no oracle library involved."""
    loss, z, eps = REAL_LOSSES[name](fnp), crnd(3, seed=2), 1e-6
    g = fgrad.grad(loss)(z)
    for k in range(3):
        step = np.zeros(3)
        step[k] = eps
        d_dx = (loss(z + step) - loss(z - step)) / (2 * eps)
        d_dy = (loss(z + 1j * step) - loss(z - 1j * step)) / (2 * eps)
        np.testing.assert_allclose(g[k], d_dx - 1j * d_dy, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["abs_squared", "real_of_z_sin_z", "angle", "abs_of_sum", "log_tanh_pow"])
def test_second_order_matches_jax(name):
    z, v = crnd(3, seed=3), crnd(3, seed=4)
    inner, j_inner = fgrad.grad(REAL_LOSSES[name](fnp)), jax.grad(REAL_LOSSES[name](jnp))
    close(fgrad.jvp(inner, (z,), (v,))[1], jax.jvp(j_inner, (z,), (v,))[1], rtol=1e-9)
    outer = fgrad.grad(lambda z: fnp.sum(fnp.abs(inner(z)) ** 2))(z)
    close(outer, jax.grad(lambda z: jnp.sum(jnp.abs(j_inner(z)) ** 2))(z), rtol=1e-9)


HOLOMORPHIC = {
    "square": lambda m: lambda z: z * z,
    "sin_exp": lambda m: lambda z: m.sin(z) * m.exp(z),
    "rational": lambda m: lambda z: z ** 3 / (z + 2.0),
    "sqrt_log_tanh": lambda m: lambda z: m.sqrt(z) + m.log(z) * m.tanh(z),
    "power": lambda m: lambda z: m.power(z, 2.5) - z ** -2,
    "sum_of_products": lambda m: lambda z: m.sum(z * m.arange(1.0, 4.0) * z[::-1]),
}


@pytest.mark.parametrize("name", sorted(HOLOMORPHIC))
def test_holomorphic_grad_matches_jax(name, backend):
    z = crnd(seed=5) if name != "sum_of_products" else crnd(3, seed=5)
    f, jf = HOLOMORPHIC[name](fnp), HOLOMORPHIC[name](jnp)
    close(fgrad.grad(f, holomorphic=True)(z), jax.grad(jf, holomorphic=True)(z))
    value, g = fgrad.value_and_grad(f, holomorphic=True)(z)
    j_value, j_g = jax.value_and_grad(jf, holomorphic=True)(z)
    close(np.asarray(value), np.asarray(j_value))
    close(g, j_g)


def test_holomorphic_grad_is_the_complex_derivative():
    z, h = crnd(seed=6), 1e-6
    f = HOLOMORPHIC["sin_exp"](fnp)
    for direction in (1.0, 1j):           # the same limit along the real and the imaginary axis
        np.testing.assert_allclose(fgrad.grad(f, holomorphic=True)(z),
                                   (f(z + h * direction) - f(z - h * direction)) / (2 * h * direction), rtol=1e-7)


@pytest.mark.parametrize("call,match", [
    (lambda: fgrad.grad(lambda z: z * 2)(1 + 2j), "grad requires real-valued outputs"),
    (lambda: fgrad.value_and_grad(lambda z: fnp.sum(z))(np.ones(2, complex)), "pass holomorphic=True"),
    (lambda: fgrad.grad(lambda z: z * 2, holomorphic=True)(1.0), "requires inputs with complex dtype"),
    (lambda: fgrad.grad(lambda z: fnp.abs(z), holomorphic=True)(1 + 1j), "requires outputs with complex dtype"),
])
def test_complex_outputs_need_holomorphic_as_in_jax(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_wider_complex_dtypes_are_refused():
    with pytest.raises(TypeError, match="complex64 and complex128"):
        fgrad.grad(lambda z: fnp.abs(z))(np.clongdouble(1 + 1j))


# --- vjp, jvp and jit of complex functions -------------------------------------------------------

COMPLEX_FUNCTIONS = {
    "mixed": lambda m: lambda z, x: m.exp(z) * x + m.conj(z) ** 2 / (x + 3.0),
    "parts": lambda m: lambda z, x: m.stack([m.real(z) * x, m.imag(z * z), m.angle(z), m.abs(z) * x]),
    "reduce_and_dot": lambda m: lambda z, x: m.sum(m.outer(z, x) @ m.reshape(z, (3, 1)), axis=0) + m.sum(z * x),
}


@pytest.mark.parametrize("name", sorted(COMPLEX_FUNCTIONS))
def test_vjp_and_jvp_match_jax(name, backend):
    z, x = crnd(3, seed=7), np.random.default_rng(8).uniform(0.5, 1.5, 3)
    f, jf = COMPLEX_FUNCTIONS[name](fnp), COMPLEX_FUNCTIONS[name](jnp)
    out, pullback = fgrad.vjp(f, z, x)
    j_out, j_pullback = jax.vjp(jf, z, x)
    close(out, j_out)
    ct = crnd(*np.shape(out), seed=9) if np.iscomplexobj(j_out) else np.ones(np.shape(out))
    for ours, theirs in zip(pullback(ct), j_pullback(ct)):
        close(ours, theirs)
    t = (crnd(3, seed=10), np.random.default_rng(11).standard_normal(3))
    close(fgrad.jvp(f, (z, x), t)[1], jax.jvp(jf, (z, x), t)[1])
    close(fgrad.jit(f)(z, x), j_out)


def test_vmap_of_a_complex_function_matches_jax():
    zs = crnd(4, 3, seed=12)
    f = lambda m: lambda z: m.sum(m.abs(z * m.conj(z[::-1]) + 1j) ** 2)  # noqa: E731
    close(fgrad.vmap(fgrad.grad(f(fnp)))(zs), jax.vmap(jax.grad(f(jnp)))(zs))


# --- dtypes and promotion -----------------------------------------------------------------------

@pytest.mark.parametrize("make,args", [
    (lambda m: lambda x, z: x + z, (np.ones(3), np.ones(3, np.complex128))),
    (lambda m: lambda x, z: x * z, (np.ones(3, np.float32), np.ones(3, np.complex64))),
    (lambda m: lambda x, z: x * z, (np.ones(3, np.float32), np.ones(3, np.complex128))),
    (lambda m: lambda x, z: x * 1j + z, (np.ones(3, np.float32), np.ones(3, np.complex64))),
    (lambda m: lambda x, z: m.abs(z) + x, (np.ones(3, np.float32), np.ones(3, np.complex64))),
    (lambda m: lambda x, z: m.real(z).astype(x.dtype) + m.angle(z) + m.imag(x), (np.ones(3, np.float32),
                                                                                np.ones(3, np.complex64))),
    (lambda m: lambda x, z: x.astype(m.complex64) * 2.0, (np.ones(3, np.float32), np.ones(3, np.complex64))),
])
def test_dtype_promotion_matches_jax(make, args, backend):
    ours = fgrad.jit(make(fnp))(*args)
    close(ours, np.asarray(jax.jit(make(jnp))(*args)))


def test_complex128_stays_double_on_xla_without_touching_global_settings():
    with jax.enable_x64(False):
        z = np.array([1 + 1e-9j, 2 - 3j])
        out = fgrad.jit(lambda z: z * z, backend="xla")(z)
        assert not jax.config.jax_enable_x64
        close(np.asarray(out), z * z, rtol=1e-15)


def test_single_precision_complex_gradients_stay_single():
    z = crnd(3, seed=13).astype(np.complex64)
    g = fgrad.grad(REAL_LOSSES["real_of_z_sin_z"](fnp))(z)
    close(g, jax.grad(REAL_LOSSES["real_of_z_sin_z"](jnp))(z), rtol=1e-5, atol=1e-6)


def test_real_imag_conj_of_real_arrays_are_as_in_jax():
    x = np.array([1.5, -2.0])
    for name in ("real", "imag", "conj", "conjugate", "angle"):
        close(getattr(fnp, name)(x), np.asarray(getattr(jnp, name)(x)))
        close(fgrad.jit(getattr(fnp, name))(x), np.asarray(getattr(jnp, name)(x)))
    assert fnp.iscomplexobj(1j) and fnp.iscomplexobj(np.ones(2, np.complex64)) and not fnp.iscomplexobj(x)
    assert fnp.isrealobj(x) and fnp.isrealobj(3) and not fnp.isrealobj(1j)
    assert fgrad.jit(lambda z: np.asarray(fnp.iscomplexobj(z)))(x) == np.asarray(False)


def test_grad_keeps_the_input_dtype():
    """autograd's test_real_type: a real input gets a real gradient, a complex one a complex one."""
    df = fgrad.grad(lambda x: fnp.sum(fnp.real(x)))
    assert fnp.isrealobj(df(2.0)) and df(2.0) == 1.0
    assert fnp.iscomplexobj(df(1.0j)) and df(1.0j) == 1.0 + 0j


# --- conventions at singular points ----------------------------------------------------------------

@pytest.mark.parametrize("fun", [lambda m: m.abs, lambda m: lambda z: m.abs(z) ** 2, lambda m: m.angle])
@pytest.mark.parametrize("z", [0j, 2.0 + 0j, -2.0 + 0j, 3j])
def test_abs_and_angle_on_the_axes_and_at_zero_match_jax(fun, z):
    ours, theirs = fgrad.grad(fun(fnp))(z), jax.grad(fun(jnp))(z)
    close(ours, theirs)


def test_real_angle_has_a_zero_derivative_as_in_jax():
    for x in (-1.5, 2.0):
        close(fgrad.grad(fnp.angle)(x), np.asarray(jax.grad(jnp.angle)(x)))
        close(fgrad.grad(fgrad.grad(fnp.angle))(x), np.asarray(jax.grad(jax.grad(jnp.angle))(x)))


def test_pytorch_gradient_is_the_conjugate_of_fgrads():
    torch = pytest.importorskip("torch")
    z = crnd(3, seed=14)
    loss = REAL_LOSSES["real_of_z_sin_z"]
    tz = torch.tensor(z, requires_grad=True)
    (tz * torch.sin(tz)).real.sum().backward()
    close(np.conj(fgrad.grad(loss(fnp))(z)), tz.grad.numpy())


def test_pytorch_rows_of_the_conventions_table():
    torch = pytest.importorskip("torch")
    for op in (torch.abs, torch.angle):
        z = torch.tensor(0j, requires_grad=True)
        op(z).backward()
        assert z.grad == 0
    x = torch.tensor(2.0, requires_grad=True)
    torch.angle(x).backward()
    assert x.grad == 0 and fgrad.grad(fnp.angle)(2.0) == 0
    with pytest.raises(RuntimeError, match="imag is not implemented"):
        torch.imag(x)


# --- the primitives' own checks ------------------------------------------------------------------

@pytest.mark.parametrize("prim", [cx.real_p, cx.imag_p, cx.conj_p])
def test_complex_only_primitives_refuse_real_operands(prim):
    with pytest.raises(TypeError, match="expects a complex operand"):
        fgrad.make_ir(lambda x: bind(prim, x))(np.ones(2))


def test_complex_needs_real_parts():
    with pytest.raises(TypeError, match="real floating-point parts"):
        fgrad.make_ir(lambda z: bind(cx.complex_p, z, z))(np.ones(2, complex))
    with pytest.raises(TypeError, match="floating-point or complex"):
        fgrad.make_ir(lambda i: bind(cx.angle_p, i))(np.ones(2, np.int64))


def test_strings_are_refused_with_the_fix():
    with pytest.raises(TypeError, match="fgrad.numpy expects arrays or numbers"):
        fnp.real("1+2j")
