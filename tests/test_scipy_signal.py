"""fgrad.scipy.signal against scipy.signal and jax.scipy.signal (float64): values in every mode and
shape order, gradients against jax, finite differences to second order, autograd's generalised
convolve against sums of SciPy convolutions, both backends, vmap, and the errors."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.signal as jss
import numpy as np
import pytest
import scipy.signal as ss

import fgrad
import fgrad.numpy as fnp
import fgrad.scipy.signal as fss
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)

MODES = ["full", "valid", "same"]
# shape pairs: first larger, second larger, equal, 1-d to 3-d, and a length-1 axis
SHAPES = [((7,), (3,)), ((3,), (6,)), ((4,), (4,)), ((5, 4), (2, 3)), ((2, 3), (4, 5)), ((6, 7), (4, 1)),
          ((4, 3, 5), (2, 3, 2))]
NAMES = ["convolve", "correlate"]


def _pair(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shapes[0]), rng.normal(size=shapes[1])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_values_match_scipy(name, mode, shapes):
    a, b = _pair(shapes)
    np.testing.assert_allclose(getattr(fss, name)(a, b, mode), getattr(ss, name)(a, b, mode), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shapes", SHAPES[:6], ids=str)
def test_gradients_match_jax(name, mode, shapes):
    a, b = _pair(shapes, 1)
    w = np.random.default_rng(2).normal(size=np.shape(getattr(ss, name)(a, b, mode)))
    ours = fgrad.grad(lambda x, y: fnp.sum(getattr(fss, name)(x, y, mode) * w), (0, 1))(a, b)
    theirs = jax.grad(lambda x, y: jnp.sum(getattr(jss, name)(x, y, mode) * w), (0, 1))(a, b)
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_second_order_by_finite_differences(mode):
    a, b = _pair(((5, 3), (2, 2)), 3)
    check_grads(lambda x, y: fnp.sin(fss.convolve(x, y, mode)), (a, b), order=2, modes=("rev",))


@pytest.mark.parametrize("name", ["convolve2d", "correlate2d"])
@pytest.mark.parametrize("mode", MODES)
def test_2d_functions_match_scipy(name, mode):
    a, b = _pair(((6, 5), (3, 2)), 4)
    np.testing.assert_allclose(getattr(fss, name)(a, b, mode), getattr(ss, name)(a, b, mode), rtol=1e-12,
                               atol=1e-12)
    w = np.random.default_rng(5).normal(size=np.shape(getattr(ss, name)(a, b, mode)))
    g = fgrad.grad(lambda x: fnp.sum(getattr(fss, name)(x, b, mode) * w))(a)
    h = jax.grad(lambda x: jnp.sum(getattr(jss, name)(x, b, mode) * w))(a)
    np.testing.assert_allclose(g, h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["full", "valid"])
def test_generalised_convolve_is_a_sum_of_scipy_convolutions(mode):
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(2, 5, 4, 3)), rng.normal(size=(2, 4, 2, 3, 2))
    out = fss.convolve(a, b, axes=([1, 2], [2, 4]), dot_axes=([0, 3], [0, 3]), mode=mode)
    for k in range(2):      # b's free axis
        want = sum(ss.convolve(a[i, :, :, j], b[i, k, :, j, :], mode) for i in range(2) for j in range(3))
        np.testing.assert_allclose(out[k], want, rtol=1e-12, atol=1e-12)
    # no convolved axes: a tensordot
    np.testing.assert_allclose(fss.convolve(a[:, 0, 0], b[:, 0, 0, 0], axes=([], []), dot_axes=([0], [0])),
                               np.tensordot(a[:, 0, 0], b[:, 0, 0, 0], axes=([0], [0])), rtol=1e-12)


def test_generalised_convolve_keeps_free_axes_in_order():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(3, 5)), rng.normal(size=(4, 3))
    out = fss.convolve(a, b, axes=([1], [0]), mode="full")        # (a's 3, b's 3, conv)
    assert out.shape == (3, 3, 8)
    np.testing.assert_allclose(out[1, 2], ss.convolve(a[1], b[:, 2]), rtol=1e-12)
    # the second operand larger along the convolved axis, in 'valid' mode: the operands swap inside
    out = fss.convolve(a[:, :2], b, axes=([1], [0]), mode="valid")
    np.testing.assert_allclose(out[2, 1], ss.convolve(a[2, :2], b[:, 1], "valid"), rtol=1e-12)


def test_generalised_convolve_second_order():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(3, 3, 2)), rng.normal(size=(3, 2, 3))
    f = lambda x, y: fnp.tanh(fss.convolve(x, y, axes=([1], [1]), dot_axes=([0], [2]), mode="same"))  # noqa: E731
    check_grads(f, (a, b), order=2, modes=("rev",))


def test_both_backends_jit_and_vmap(backend):
    a, b = _pair(((4, 6), (4, 3)), 9)
    f = lambda x, y: fss.convolve(x, y, "same")  # noqa: E731
    np.testing.assert_allclose(fgrad.jit(f)(a, b), ss.convolve(a, b, "same"), rtol=1e-12)
    rows = fgrad.vmap(lambda x, y: fss.convolve(x, y, "valid"))(a, b)
    np.testing.assert_allclose(rows, [ss.convolve(x, y, "valid") for x, y in zip(a, b)], rtol=1e-12)
    g = fgrad.jit(fgrad.grad(lambda x: fnp.sum(f(x, b) ** 2)))(a)
    np.testing.assert_allclose(g, jax.grad(lambda x: jnp.sum(jss.convolve(x, b, "same") ** 2))(a), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_complex_inputs_match_scipy(name):
    rng = np.random.default_rng(10)
    a = rng.normal(size=(5, 2)) + 1j * rng.normal(size=(5, 2))
    b = rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))
    for mode in MODES:
        np.testing.assert_allclose(getattr(fss, name)(a, b, mode), getattr(ss, name)(a, b, mode), rtol=1e-12)


def test_integers_and_scalars():
    np.testing.assert_allclose(fss.convolve([1, 2, 3], [0, 1]), ss.convolve([1.0, 2, 3], [0.0, 1]))
    assert np.asarray(fss.convolve([1, 2], [3, 4])).dtype == np.float64
    assert float(fss.convolve(np.float64(2.0), np.float64(3.0))) == 6.0


@pytest.mark.parametrize("call,error,words", [
    (lambda: fss.convolve(np.ones(3), np.ones(2), "wide"), ValueError, "Acceptable mode flags"),
    (lambda: fss.convolve(np.ones(3), np.ones((2, 2))), ValueError, "same dimensionality"),
    (lambda: fss.convolve(np.ones(3), np.ones(2), method="fast"), ValueError, "Acceptable method flags"),
    (lambda: fss.correlate(np.ones(0), np.ones(2)), ValueError, "must not be empty"),
    (lambda: fss.convolve(np.ones((4, 2)), np.ones((2, 4)), "valid"), ValueError, "at least as large"),
    (lambda: fss.convolve(np.ones(3), np.ones(2), ([0], [0])), TypeError, "keyword arguments"),
    (lambda: fss.convolve(np.ones((2, 3)), np.ones((3, 3)), axes=([1], [1]), dot_axes=([0], [0])), ValueError,
     "which must match"),
    (lambda: fss.convolve(np.ones(3), np.ones(2), axes=([0], [3])), ValueError, "out of bounds"),
    (lambda: fss.convolve(np.ones(3), np.ones(3), axes=([0], [0]), dot_axes=([0], [0])), ValueError, "twice"),
    (lambda: fss.convolve2d(np.ones(3), np.ones(2)), ValueError, "2-D"),
    (lambda: fss.convolve2d(np.ones((3, 3)), np.ones((2, 2)), boundary="wrap"), NotImplementedError, "fill"),
])
def test_mistakes_are_named(call, error, words):
    with pytest.raises(error, match=words) as info:
        call()
    assert "test_scipy_signal.py" in str(info.value)      # where: the user's line
