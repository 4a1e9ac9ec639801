"""fgrad.numpy.fft against jax.numpy.fft (float64) and numpy.fft: values for every function with
n/axis/axes/s/norm, on eager arrays and under jit on both backends; gradients, vjp and jvp against
jax; a Fourier-domain loss to second order against finite differences; shifts, frequencies and
the errors."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.errors import AxisError  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402


def rnd(*shape, seed=0, complex_=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if complex_ else x


def close(ours, theirs, rtol=1e-10, atol=1e-12):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, (ours.dtype, theirs.dtype, ours.shape,
                                                                      theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


# (function name, keyword arguments, input shape, complex input); irfft* take half spectra
CALLS = [
    ("fft", {}, (5,), False), ("fft", {"n": 3}, (4, 5), True), ("fft", {"n": 8, "axis": 0}, (4, 5), False),
    ("fft", {"norm": "ortho"}, (3, 4), True), ("fft", {"norm": "forward", "axis": -2}, (3, 4), True),
    ("ifft", {}, (6,), True), ("ifft", {"n": 4, "axis": 1, "norm": "ortho"}, (2, 6), True),
    ("ifft", {"norm": "forward"}, (2, 3), False),
    ("rfft", {}, (6,), False), ("rfft", {"n": 5}, (3, 4), False), ("rfft", {"axis": 0, "norm": "ortho"}, (5, 2), False),
    ("irfft", {}, (4,), True), ("irfft", {"n": 7}, (3, 4), True), ("irfft", {"n": 4, "axis": 0}, (3, 2), True),
    ("irfft", {"norm": "forward"}, (2, 5), True),
    ("fft2", {}, (3, 4), True), ("fft2", {"s": (2, 6)}, (2, 3, 4), False), ("ifft2", {"axes": (0, 2)}, (3, 2, 4), True),
    ("rfft2", {}, (4, 6), False), ("rfft2", {"s": (3, 5), "norm": "ortho"}, (2, 4, 4), False),
    ("irfft2", {}, (4, 3), True), ("irfft2", {"s": (3, 6)}, (2, 4, 3), True),
    ("fftn", {}, (2, 3, 4), True), ("fftn", {"axes": (2, 0)}, (2, 3, 4), False),
    ("fftn", {"s": (3, 3)}, (2, 4, 2), True),
    ("ifftn", {"s": (2, 5), "axes": (0, 1)}, (3, 4), True), ("ifftn", {}, (2, 2, 2, 2), True),
    ("rfftn", {}, (2, 3, 4), False), ("rfftn", {"axes": (0,)}, (4, 3), False), ("rfftn", {}, (2, 2, 3, 2, 4), False),
    ("irfftn", {}, (2, 3, 3), True), ("irfftn", {"s": (4, 4), "axes": (1, 0)}, (3, 4), True),
    ("irfftn", {}, (2, 2, 2, 3, 3), True), ("fftn", {}, (2, 2, 1, 2, 3), True),
]
IDS = [f"{name}-{k}" for k, (name, *_rest) in enumerate(CALLS)]


def _input(shape, is_complex, seed=0):
    return rnd(*shape, seed=seed, complex_=is_complex)


@pytest.mark.parametrize("name,kwargs,shape,is_complex", CALLS, ids=IDS)
def test_values_match_jax_and_numpy(name, kwargs, shape, is_complex):
    x = _input(shape, is_complex)
    ours, theirs = getattr(fnp.fft, name)(x, **kwargs), getattr(jnp.fft, name)(x, **kwargs)
    close(ours, theirs)
    if "axes" in kwargs or "s" not in kwargs or name.endswith("2"):   # NumPy 2 deprecates s without axes
        close(ours, getattr(np.fft, name)(x, **kwargs))
    for backend in ("numpy", "xla"):
        close(fgrad.jit(lambda a: getattr(fnp.fft, name)(a, **kwargs), backend=backend)(x), theirs)


@pytest.mark.parametrize("name,kwargs,shape,is_complex", CALLS[::3], ids=IDS[::3])
def test_float32_stays_single_precision(name, kwargs, shape, is_complex):
    x = _input(shape, is_complex).astype(np.complex64 if is_complex else np.float32)
    ours = fgrad.jit(lambda a: getattr(fnp.fft, name)(a, **kwargs))(x)
    theirs = getattr(jnp.fft, name)(x, **kwargs)
    close(ours, theirs, rtol=2e-5, atol=2e-5)


def _weighted(lib, name, kwargs, out_shape):
    """A real loss of the transform: its real and imaginary parts against fixed weights."""
    w1, w2 = rnd(*out_shape, seed=7), rnd(*out_shape, seed=8)
    f = getattr(lib.fft, name)
    return lambda a: lib.sum(lib.real(f(a, **kwargs)) * w1 + lib.imag(f(a, **kwargs)) * w2 ** 2)


@pytest.mark.parametrize("name,kwargs,shape,is_complex", CALLS, ids=IDS)
def test_gradients_match_jax(name, kwargs, shape, is_complex):
    x = _input(shape, is_complex, seed=1)
    out_shape = np.shape(getattr(fnp.fft, name)(x, **kwargs))
    ours = fgrad.grad(_weighted(fnp, name, kwargs, out_shape))(x)
    theirs = jax.grad(_weighted(jnp, name, kwargs, out_shape))(x)
    close(ours, theirs, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name,kwargs,shape,is_complex", CALLS[::2], ids=IDS[::2])
def test_vjp_and_jvp_of_the_complex_outputs_match_jax(name, kwargs, shape, is_complex):
    x = _input(shape, is_complex, seed=2)
    f, jf = (lambda a: getattr(fnp.fft, name)(a, **kwargs)), (lambda a: getattr(jnp.fft, name)(a, **kwargs))
    out, pullback = fgrad.vjp(f, x)
    j_out, j_pullback = jax.vjp(jf, x)
    ct = rnd(*np.shape(out), seed=3, complex_=np.iscomplexobj(j_out))
    close(out, j_out)
    close(pullback(ct)[0], j_pullback(ct)[0], rtol=1e-9, atol=1e-10)
    t = _input(shape, is_complex, seed=4)
    close(fgrad.jvp(f, (x,), (t,))[1], jax.jvp(jf, (x,), (t,))[1], rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("backend", ["numpy", "xla"])
def test_gradients_agree_on_both_backends(backend):
    x = rnd(3, 8, seed=5)
    loss = lambda lib: lambda a: lib.sum(lib.abs(lib.fft.fft2(a, s=(4, 6))) ** 3)  # noqa: E731
    ours = fgrad.jit(fgrad.grad(loss(fnp)), backend=backend)(x)
    close(np.asarray(ours), np.asarray(jax.grad(loss(jnp))(x)), rtol=1e-9)


# --- a Fourier-domain loss -----------------------------------------------------------------------

def power_spectrum_loss(lib, target):
    """The mean squared mismatch between the power spectrum of a real signal and a target."""
    def loss(x):
        power = lib.abs(lib.fft.rfft(x, norm="ortho")) ** 2
        return lib.mean((power - target) ** 2)
    return loss


def test_power_spectrum_loss_differentiates_to_jax_numbers():
    x = rnd(32, seed=11)
    target = np.abs(np.fft.rfft(rnd(32, seed=12), norm="ortho")) ** 2
    value, g = fgrad.value_and_grad(power_spectrum_loss(fnp, target))(x)
    j_value, j_g = jax.value_and_grad(power_spectrum_loss(jnp, target))(x)
    close(np.asarray(value), np.asarray(j_value))
    close(g, j_g, rtol=1e-10)
    hvp = fgrad.jvp(fgrad.grad(power_spectrum_loss(fnp, target)), (x,), (rnd(32, seed=13),))[1]
    j_hvp = jax.jvp(jax.grad(power_spectrum_loss(jnp, target)), (x,), (rnd(32, seed=13),))[1]
    close(hvp, j_hvp, rtol=1e-9)


def test_power_spectrum_loss_against_finite_differences_to_second_order():
    target = np.abs(np.fft.rfft(rnd(9, seed=12))) ** 2
    check_grads(power_spectrum_loss(fnp, target), (rnd(9, seed=14),), order=2)
    check_grads(lambda x: fnp.sum(fnp.fft.irfft2(fnp.fft.rfft2(x) * np.arange(1.0, 4.0)) ** 2), (rnd(3, 4),),
                order=2)


def test_gradient_descent_on_the_spectrum_follows_jax():
    target = np.abs(np.fft.rfft(np.sin(np.arange(16.0)), norm="ortho")) ** 2
    step = fgrad.jit(lambda x: x - 0.05 * fgrad.grad(power_spectrum_loss(fnp, target))(x))
    j_step = jax.jit(lambda x: x - 0.05 * jax.grad(power_spectrum_loss(jnp, target))(x))
    x = j_x = rnd(16, seed=21)
    for _ in range(100):
        x, j_x = step(x), j_step(j_x)
    close(x, np.asarray(j_x), rtol=1e-8, atol=1e-10)
    assert power_spectrum_loss(fnp, target)(x) < 0.05 * power_spectrum_loss(fnp, target)(rnd(16, seed=21))


# --- vmap ----------------------------------------------------------------------------------------

def test_vmap_of_a_transform_matches_jax():
    xs = rnd(4, 3, 6, seed=6)
    f = lambda lib: lambda a: lib.fft.rfft2(a, s=(2, 6), norm="ortho")  # noqa: E731
    for axis in (0, 1, 2):
        close(fgrad.vmap(f(fnp), in_axes=axis)(xs), jax.vmap(f(jnp), in_axes=axis)(xs))


# --- shifts and frequencies ----------------------------------------------------------------------

@pytest.mark.parametrize("shape,axes", [((5,), None), ((4, 5), None), ((4, 5), 0), ((3, 4, 5), (2, 0)),
                                        ((3, 4), (-1,))])
@pytest.mark.parametrize("name", ["fftshift", "ifftshift"])
def test_shifts_match_numpy_and_jax(name, shape, axes):
    x, w = rnd(*shape, seed=9), rnd(*shape, seed=10)
    ours = getattr(fnp.fft, name)(x, axes=axes)
    close(ours, getattr(np.fft, name)(x, axes=axes))
    close(fgrad.jit(lambda a: getattr(fnp.fft, name)(a, axes=axes))(x), np.asarray(ours))
    g = fgrad.grad(lambda a: fnp.sum(getattr(fnp.fft, name)(a, axes=axes) * w))(x)
    close(g, jax.grad(lambda a: jnp.sum(getattr(jnp.fft, name)(a, axes=axes) * w))(x))


@pytest.mark.parametrize("n,d", [(1, 1.0), (4, 1.0), (7, 0.25), (10, 3.0)])
def test_frequencies_match_numpy(n, d):
    close(fnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d))
    close(fnp.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d))
    for dtype, rtol in ((np.float32, 1e-6), (np.float64, 1e-15)):     # XLA's float32 division: 1 ulp
        close(fnp.fft.fftfreq(n, d, dtype=dtype), np.asarray(jnp.fft.fftfreq(n, d, dtype=dtype)), rtol=rtol)
        close(fnp.fft.rfftfreq(n, d, dtype=dtype), np.asarray(jnp.fft.rfftfreq(n, d, dtype=dtype)), rtol=rtol)


def test_integer_inputs_are_transformed_as_float64():
    close(fnp.fft.fft(np.arange(4)), jnp.fft.fft(np.arange(4)))
    close(fnp.fft.rfft([1, 2, 3]), jnp.fft.rfft(jnp.asarray([1, 2, 3])))


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("call,error,match", [
    (lambda: fnp.fft.fft(np.ones(4), norm="unitary"), ValueError, "Invalid norm value 'unitary'"),
    (lambda: fnp.fft.fftn(np.ones((2, 2)), axes=(0, 0)), ValueError, "does not support repeated axes"),
    (lambda: fnp.fft.fftn(np.ones((2, 2)), s=(2,), axes=(0, 1)), ValueError, "different lengths"),
    (lambda: fnp.fft.fft(np.ones(4), n=0), ValueError, "lengths must be positive"),
    (lambda: fnp.fft.rfft(np.ones(4) + 1j), ValueError, "only real valued inputs supported for rfft"),
    (lambda: fnp.fft.fft(np.ones(4), axis=3), AxisError, "axis 3 is out of bounds"),
    (lambda: fnp.fft.irfft(np.ones(1, complex)), ValueError, "pass n"),
    (lambda: fnp.fft.fftn(np.ones(2), s=(2, 2)), ValueError, "more lengths than the array"),
    (lambda: fnp.fft.fft(np.array(["a"])), TypeError, "numeric array"),
])
def test_mistakes_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
    with pytest.raises(error, match=match):
        fgrad.grad(lambda x: fnp.sum(fnp.real(call())) * x)(1.0)


def test_a_misshapen_operand_of_the_primitive_names_the_lengths():
    from fgrad.core import bind
    from fgrad.errors import ShapeError
    from fgrad.primitives import fft
    with pytest.raises(ShapeError, match="fft lengths"):
        fgrad.make_ir(lambda z: bind(fft.fft_p, z, lengths=(3,)))(np.ones(4, complex))
    with pytest.raises(TypeError, match="real floating-point operand"):
        fgrad.make_ir(lambda z: bind(fft.rfft_p, z, lengths=(4,)))(np.ones(4, complex))
