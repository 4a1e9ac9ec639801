"""fgrad.numpy functions whose complex behaviour is NumPy's: var and std of complex arrays (real,
|x - mean|²), vdot (the first argument conjugated), real_if_close, iscomplex and isreal; against NumPy
for values and jax (float64) for gradients. Also gradient's tuple and __version__."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.errors import ConcretizationError  # noqa: E402

RNG = np.random.default_rng(11)


def crand(*shape):
    return RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("axis, ddof", [(None, 0), (0, 1), (1, 0)])
def test_var_and_std_of_complex_arrays(backend, name, axis, ddof):
    x = crand(3, 4)
    ours = getattr(fnp, name)
    expected = getattr(np, name)(x, axis=axis, ddof=ddof)
    value = fgrad.jit(lambda v: ours(v, axis=axis, ddof=ddof))(x)
    assert np.asarray(value).dtype == np.float64
    np.testing.assert_allclose(value, expected, rtol=1e-12)
    loss = lambda m: lambda v: m.sum(getattr(m, name)(v, axis=axis, ddof=ddof) ** 2)
    np.testing.assert_allclose(fgrad.grad(loss(fnp))(x), jax.grad(loss(jnp))(x), rtol=1e-10)
    t = crand(3, 4)
    np.testing.assert_allclose(fgrad.jvp(loss(fnp), (x,), (t,))[1], jax.jvp(loss(jnp), (x,), (t,))[1], rtol=1e-10)


def test_vdot_conjugates_its_first_argument(backend):
    a, b = crand(2, 3), crand(3, 2)
    np.testing.assert_allclose(fgrad.jit(fnp.vdot)(a, b), np.vdot(a, b), rtol=1e-12)
    np.testing.assert_allclose(fnp.vdot([1j, 2.0], [1j, 3.0]), np.vdot([1j, 2.0], [1j, 3.0]))
    loss = lambda m: lambda u, v: m.real(m.vdot(u, v)) + m.imag(m.vdot(u, v)) ** 2
    for ours, theirs in zip(fgrad.grad(loss(fnp), argnums=(0, 1))(a, b), jax.grad(loss(jnp), argnums=(0, 1))(a, b)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    real_a, real_b = a.real, b.real
    np.testing.assert_allclose(fgrad.grad(lambda u: fnp.vdot(u, real_b))(real_a), np.reshape(real_b, (2, 3)))


def test_real_if_close_follows_numpy_and_reads_values():
    nearly = np.array([2.1 + 4e-14j, 5.2 + 3e-15j])
    for x in [nearly, np.array([1.0 + 0.1j, 2.0]), np.array([1.0, 2.0]), nearly * 1e-5]:
        for tol in (100, 1e-20, 0.5):
            ours, theirs = fnp.real_if_close(x, tol), np.real_if_close(x, tol)
            assert ours.dtype == theirs.dtype
            np.testing.assert_array_equal(ours, theirs)
    # grad traces with the values at hand, so the dtype the values choose carries the derivative
    g = fgrad.grad(lambda v: fnp.sum(fnp.real(fnp.real_if_close(v) * v)))(np.array([1.0 + 0.1j, 2.0]))
    np.testing.assert_allclose(g, jax.grad(lambda v: jnp.sum(jnp.real(v * v)))(np.array([1.0 + 0.1j, 2.0])))
    assert fgrad.grad(lambda v: fnp.sum(fnp.real_if_close(v)))(np.array([1.0 + 0j, 2.0])).dtype == np.complex128
    with pytest.raises(ConcretizationError):
        fgrad.jit(fnp.real_if_close)(nearly)


@pytest.mark.parametrize("x", [np.array([1 + 1j, 1 + 0j, 0j]), np.array([1.0, 2.0]), 3.0, 2j, [1j, 2.0]])
def test_iscomplex_and_isreal_match_numpy(x):
    for ours, theirs in [(fnp.iscomplex, np.iscomplex), (fnp.isreal, np.isreal)]:
        np.testing.assert_array_equal(ours(x), theirs(x))
        if np.ndim(x):
            np.testing.assert_array_equal(fgrad.jit(ours)(np.asarray(x)), theirs(x))


def test_gradient_over_several_axes_is_a_tuple_when_traced():
    x = RNG.standard_normal((4, 5))
    traced = fgrad.jit(fnp.gradient)(x)
    assert isinstance(traced, tuple) and isinstance(np.gradient(x), tuple)
    for ours, theirs in zip(traced, np.gradient(x)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_version_is_numpys():
    assert fnp.__version__ == np.__version__
