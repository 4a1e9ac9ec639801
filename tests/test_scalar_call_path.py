"""grad's hot call path: positional floats, arrays and `()` slots are keyed in one pass, and
Python floats reach the compiled program as they are. Whatever the path, results, dtypes and
cache reuse must be those of the general path (NumPy float64 scalars)."""

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy


def _loss(xp, x, data):
    return xp.sin(x ** 2) * xp.exp(-x)


@pytest.mark.parametrize("point", [0.7, np.float64(0.7), np.asarray(0.7)])
def test_float_inputs_share_one_program_and_match_jax(point):
    g = fgrad.grad(lambda x, d: _loss(fnp, x, d))
    want = jax.grad(lambda x, d: _loss(jnp, x, d))(0.7, ())
    for x in (0.7, point, 0.7):
        got = g(x, ())
        assert type(got) is np.ndarray and got.shape == () and got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-14)
    assert g.cache_info()["misses"] == 1


def test_value_and_grad_of_a_float_matches_jax():
    vg = fgrad.value_and_grad(lambda x: fnp.sin(x) * x)
    value, grad = vg(0.3)
    want_value, want_grad = jax.value_and_grad(lambda x: jnp.sin(x) * x)(0.3)
    np.testing.assert_allclose(value, want_value, rtol=1e-14)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-14)
    assert type(value) is np.ndarray and type(grad) is np.ndarray


@pytest.mark.parametrize("fun, x", [(fnp.exp, 1000.0), (fnp.log, 0.0)])
def test_where_math_raises_a_python_float_gets_numpys_answer(fun, x):
    """math.exp(1000.0) raises OverflowError and math.log(0.0) ValueError: the NumPy program runs."""
    with np.errstate(all="ignore"):
        got = fgrad.grad(fun)(x)
        want = fgrad.grad(fun)(np.asarray(x))
    assert got.dtype == np.float64 and got == want == np.inf


def test_a_python_float_beside_float32_is_float64_as_on_the_general_path():
    """A bare Python float would be weakly typed in NumPy: float32 would win against it."""
    g = fgrad.grad(lambda x, w: fnp.sum(x * w), argnums=(0, 1))
    w = np.arange(3, dtype=np.float32)
    fast = g(0.5, w)
    general = g(np.float64(0.5), w)
    assert fast[0].dtype == general[0].dtype == np.float64
    assert fast[1].dtype == general[1].dtype == np.float32
    np.testing.assert_array_equal(fast[0], general[0])
    np.testing.assert_array_equal(fast[1], general[1])


def test_a_changed_signature_compiles_again_and_the_old_one_is_found():
    g = fgrad.grad(lambda x, d=(): fnp.sum(x ** 2))
    g(0.5, ())
    np.testing.assert_allclose(g(np.ones(2), ()), [2.0, 2.0])
    np.testing.assert_allclose(g(0.5, ()), 1.0)
    np.testing.assert_allclose(g(0.5), 1.0)                 # no slot: another structure
    info = g.cache_info()
    assert info["misses"] == 3 and info["size"] == 3


def test_a_changed_closure_still_recompiles_on_the_hot_path():
    scale = [2.0]
    g = fgrad.grad(lambda x: scale[0] * x * x)
    assert g(1.0) == 4.0
    scale[0] = 3.0
    assert g(1.0) == 6.0


def test_a_string_in_a_differentiated_slot_is_still_a_clear_error():
    g = fgrad.grad(lambda x, y: x * 2.0)
    g(1.0, 2.0)
    with pytest.raises(TypeError, match="not an array"):
        g("a", 2.0)
