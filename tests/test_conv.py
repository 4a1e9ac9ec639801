"""Convolution and pooling (fgrad.lax, fgrad.nn's conv/max_pool/avg_pool) against jax (float64): values,
gradients of both operands, second order, jit on both backends, vmap, float32, and the errors."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.lax as flax  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad import _nn_conv  # noqa: E402
from fgrad.errors import ShapeError  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402

# (input shape, kernel shape, keyword arguments of conv_general_dilated)
CONVS = [
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(window_strides=(2, 1), padding="SAME")),
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(window_strides=(1, 3), padding="SAME_LOWER")),
    ((1, 2, 8), (3, 2, 3), dict(window_strides=(3,), padding="VALID", rhs_dilation=(2,))),
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(window_strides=(1, 2), padding=((1, 2), (0, 1)), feature_group_count=2,
                                      rhs_dilation=(2, 1))),
    ((2, 3, 5, 6), (4, 3, 3, 2), dict(window_strides=(2, 1), padding=((2, -1), (1, 1)), lhs_dilation=(2, 1))),
    ((4, 3, 5), (6, 3, 2), dict(window_strides=(1,), padding="VALID", batch_group_count=2)),
    ((1, 2, 3, 4, 3), (2, 2, 2, 2, 2), dict(window_strides=(1, 2, 1), padding="SAME")),
    ((2, 6, 5, 3), (3, 2, 3, 4), dict(window_strides=(1, 1), padding="SAME",
                                      dimension_numbers=("NHWC", "HWIO", "NHWC"))),
    ((2, 5, 3, 6), (4, 3, 3, 2), dict(window_strides=(2, 1), padding="VALID",
                                      dimension_numbers=("NWCH", "OHIW", "CNHW"))),
    ((1, 3, 2, 2), (2, 3, 5, 5), dict(window_strides=(1, 1), padding="VALID")),       # no output pixels
]
IDS = [f"conv{k}" for k in range(len(CONVS))]


def _operands(x_shape, w_shape, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(x_shape).astype(dtype), rng.standard_normal(w_shape).astype(dtype)


def _pair(kw):
    return (lambda x, w: flax.conv_general_dilated(x, w, **kw)), (lambda x, w: jax.lax.conv_general_dilated(x, w, **kw))


def _close(a, b, rtol=1e-10, atol=1e-11):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("x_shape,w_shape,kw", CONVS, ids=IDS)
def test_conv_values_and_gradients_match_jax(x_shape, w_shape, kw):
    ours, theirs = _pair(kw)
    x, w = _operands(x_shape, w_shape)
    ref = theirs(x, w)
    _close(ours(x, w), ref)
    ct = np.random.default_rng(1).standard_normal(ref.shape)
    g_ours = fgrad.grad(lambda x, w: fnp.sum(ours(x, w) * ct), argnums=(0, 1))(x, w)
    g_ref = jax.grad(lambda x, w: jnp.sum(theirs(x, w) * ct), argnums=(0, 1))(x, w)
    for a, b in zip(g_ours, g_ref):
        _close(a, b)


@pytest.mark.parametrize("x_shape,w_shape,kw", CONVS[:7], ids=IDS[:7])
def test_conv_second_order_matches_jax(x_shape, w_shape, kw):
    ours, theirs = _pair(kw)
    x, w = _operands(x_shape, w_shape, seed=2)

    def outer(lib, conv):
        inner = lib.grad(lambda x, w: lib_np(lib).sum(lib_np(lib).sin(conv(x, w))), argnums=(0, 1))
        return lib.grad(lambda x, w: sum(lib_np(lib).sum(g ** 2) for g in inner(x, w)), argnums=(0, 1))
    for a, b in zip(outer(fgrad, ours)(x, w), jax.jit(outer(jax, theirs))(x, w)):
        _close(a, b, rtol=1e-9, atol=1e-10)


def lib_np(lib):
    return fnp if lib is fgrad else jnp


@pytest.mark.parametrize("k", [0, 3, 4, 5])
def test_conv_second_order_against_finite_differences(k):
    x_shape, w_shape, kw = CONVS[k]
    ours, _ = _pair(kw)
    check_grads(lambda x, w: fnp.sin(ours(x, w)), list(_operands(x_shape, w_shape, seed=4)), order=2)


@pytest.mark.parametrize("backend", ["numpy", "xla"])
@pytest.mark.parametrize("k", [0, 3, 5, 7])
def test_jitted_gradients_on_both_backends(backend, k):
    x_shape, w_shape, kw = CONVS[k]
    ours, theirs = _pair(kw)
    x, w = _operands(x_shape, w_shape, seed=5)
    loss = lambda conv, lib: lambda x, w: lib.sum(conv(x, w) ** 2)  # noqa: E731
    got = fgrad.jit(fgrad.value_and_grad(loss(ours, fnp), argnums=(0, 1)), backend=backend)(x, w)
    want = jax.value_and_grad(loss(theirs, jnp), argnums=(0, 1))(x, w)
    for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        _close(a, b, rtol=1e-9)


def test_vmap_of_a_grouped_kernel_gradient_matches_jax():
    # the kernel gradient of a grouped convolution has batch groups; vmap folds examples into them
    x_shape, w_shape, kw = CONVS[3]
    ours, theirs = _pair(kw)
    x, w = _operands((3,) + x_shape, (3,) + w_shape, seed=6)
    per_example = lambda lib, conv: lambda x, w: lib.grad(lambda w: lib_np(lib).sum(conv(x, w) ** 3))(w)  # noqa: E731
    _close(fgrad.vmap(per_example(fgrad, ours))(x, w), jax.vmap(per_example(jax, theirs))(x, w))
    _close(fgrad.vmap(ours, in_axes=(0, None))(x, w[0]), jax.vmap(theirs, in_axes=(0, None))(x, w[0]))


def test_float32_stays_float32():
    x, w = _operands((2, 3, 6, 6), (4, 3, 3, 3), dtype=np.float32)
    ours, theirs = _pair(dict(window_strides=(1, 1), padding="SAME"))
    out = ours(x, w)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, theirs(x, w), rtol=1e-4, atol=1e-5)
    grads = fgrad.grad(lambda x, w: fnp.sum(ours(x, w)), argnums=(0, 1))(x, w)
    assert [g.dtype for g in grads] == [np.float32, np.float32]


# --- reduce_window ---------------------------------------------------------------------------------

WINDOWS = [
    dict(window_dimensions=(1, 1, 2, 2), window_strides=(1, 1, 2, 2), padding="VALID"),
    dict(window_dimensions=(1, 1, 3, 3), window_strides=(1, 1, 2, 1), padding="SAME"),
    dict(window_dimensions=(2, 1, 3, 2), window_strides=(1, 1, 2, 2), padding=((0, 1), (0, 0), (1, 1), (0, 1)),
         base_dilation=(1, 1, 1, 2)),
    dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 1, 3, 1), padding=((0, 0), (1, 0), (1, 1), (0, 0))),
]


@pytest.mark.parametrize("kind", ["max", "sum"])
@pytest.mark.parametrize("k", range(len(WINDOWS)))
def test_reduce_window_matches_jax(kind, k):
    kw = WINDOWS[k]
    ours_op, their_op, init = (fnp.maximum, jax.lax.max, -np.inf) if kind == "max" else (fnp.add, jax.lax.add, 0.0)
    ours = lambda x: flax.reduce_window(x, init, ours_op, **kw)  # noqa: E731
    theirs = lambda x: jax.lax.reduce_window(x, init, their_op, **kw)  # noqa: E731
    x = np.random.default_rng(k).permutation(2 * 3 * 7 * 6).reshape(2, 3, 7, 6) * 0.1
    _close(ours(x), theirs(x))
    ct = np.random.default_rng(9).standard_normal(np.shape(theirs(x)))
    _close(fgrad.grad(lambda x: fnp.sum(ours(x) * ct))(x), jax.grad(lambda x: jnp.sum(theirs(x) * ct))(x))
    hvp = lambda lib, f: lib.grad(lambda x: lib_np(lib).sum(lib.grad(lambda x: lib_np(lib).sum(f(x) ** 3))(x) ** 2))  # noqa: E731
    _close(hvp(fgrad, ours)(x), jax.jit(hvp(jax, theirs))(x), rtol=1e-9)
    check_grads(lambda x: ours(x) ** 2, [x], order=2)


def test_window_dilation_against_finite_differences():
    # jax has no max-pool gradient with window dilation; finite differences are the oracle
    kw = dict(window_dimensions=(1, 3, 2), window_strides=(1, 1, 2), padding="SAME", window_dilation=(1, 2, 1))
    x = np.random.default_rng(3).permutation(2 * 7 * 6).reshape(2, 7, 6) * 0.1
    _close(flax.reduce_window(x, -np.inf, fnp.maximum, **kw), jax.lax.reduce_window(x, -np.inf, jax.lax.max, **kw))
    check_grads(lambda x: flax.reduce_window(x, -np.inf, fnp.maximum, **kw) ** 2, [x], order=2)
    check_grads(lambda x: flax.reduce_window(x, 0.0, fnp.add, **kw) ** 2, [x], order=2)


def test_max_pool_gradient_goes_to_the_first_maximum_of_a_tie():
    x = np.array([[1.0, 1.0, 0.0, 2.0]])
    pool = lambda x: flax.reduce_window(x, -np.inf, fnp.maximum, (1, 2), (1, 2), "VALID")  # noqa: E731
    np.testing.assert_array_equal(fgrad.grad(lambda x: fnp.sum(pool(x)))(x), [[1.0, 0.0, 0.0, 1.0]])


# --- fgrad.nn: conv, max_pool, avg_pool (channels last) ----------------------------------------------

def _flax_pool(x, init, op, window, strides, padding):
    window, strides = (1,) + window + (1,), (1,) + strides + (1,)
    if not isinstance(padding, str):
        padding = ((0, 0),) + tuple(padding) + ((0, 0),)
    return jax.lax.reduce_window(x, init, op, window, strides, padding)


@pytest.mark.parametrize("padding", ["VALID", "SAME", ((1, 0), (1, 1))])
def test_nn_pools_match_their_jax_definitions(padding):
    x = np.random.default_rng(7).permutation(2 * 5 * 6 * 3).reshape(2, 5, 6, 3) * 0.1
    window, strides = (2, 3), (2, 2)
    _close(_nn_conv.max_pool(x, window, strides, padding),
           _flax_pool(x, -np.inf, jax.lax.max, window, strides, padding))
    total = _flax_pool(x, 0.0, jax.lax.add, window, strides, padding)
    _close(_nn_conv.avg_pool(x, window, strides, padding), total / 6.0)
    counts = _flax_pool(np.ones((1, 5, 6, 1)), 0.0, jax.lax.add, window, strides, padding)
    _close(_nn_conv.avg_pool(x, window, strides, padding, count_include_pad=False), total / counts)
    g = fgrad.grad(lambda x: fnp.sum(_nn_conv.avg_pool(x, window, strides, padding, count_include_pad=False) ** 2))(x)
    _close(g, jax.grad(lambda x: jnp.sum((_flax_pool(x, 0.0, jax.lax.add, window, strides, padding) / counts) ** 2))(x))


def test_nn_conv_is_channels_last_with_a_layout_option():
    x, w = _operands((2, 6, 5, 3), (3, 2, 3, 4), seed=8)
    ref = jax.lax.conv_general_dilated(x, w, (2, 1), "SAME", rhs_dilation=(1, 2),
                                       dimension_numbers=("NHWC", "HWIO", "NHWC"))
    _close(_nn_conv.conv(x, w, strides=(2, 1), kernel_dilation=(1, 2)), ref)
    xt, wt = np.transpose(x, (0, 3, 1, 2)), np.transpose(w, (3, 2, 0, 1))
    _close(_nn_conv.conv(xt, wt, (2, 1), kernel_dilation=(1, 2), dimension_numbers=("NCHW", "OIHW", "NHWC")), ref)


# --- errors ----------------------------------------------------------------------------------------

def test_mismatched_features_are_a_shape_error():
    x, w = _operands((1, 3, 5, 5), (2, 4, 3, 3))
    with pytest.raises(ShapeError, match="input features 3 must be the kernel's input features 4"):
        flax.conv_general_dilated(x, w, (1, 1), "VALID")
    with pytest.raises(ShapeError, match="input features"):
        fgrad.jit(lambda x, w: flax.conv_general_dilated(x, w, (1, 1), "VALID"))(x, w)


@pytest.mark.parametrize("call,error,match", [
    (lambda x, w: flax.conv_general_dilated(x, w, (1,), "VALID"), ValueError, "window_strides needs 2 entries"),
    (lambda x, w: flax.conv_general_dilated(x, w, (1, 1), "FULL"), ValueError, "Unknown padding type: 'FULL'"),
    (lambda x, w: flax.conv_general_dilated(x, w, (1, 1), ((1, 1),)), ValueError, "2 \\(low, high\\) pairs"),
    (lambda x, w: flax.conv_general_dilated(x, w[0], (1, 1), "VALID"), ValueError, "same rank"),
    (lambda x, w: flax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCXW")),
     ValueError, "dimension_numbers"),
    (lambda x, w: flax.conv_general_dilated(x, w.astype(np.float32), (1, 1), "VALID"), TypeError, "dtype"),
    (lambda x, w: flax.reduce_window(x, 1.0, fnp.multiply, (1, 1, 2, 2), (1, 1, 1, 1), "VALID"),
     NotImplementedError, "monoids"),
    (lambda x, w: flax.reduce_window(x, 0.0, fnp.add, (2, 2), (1, 1), "VALID"), ValueError,
     "window_dimensions needs 4 entries"),
    (lambda x, w: _nn_conv.max_pool(x, (2, 2), (1,)), ValueError, "strides needs 2 entries"),
])
def test_user_mistakes_name_the_problem_and_the_caller(call, error, match):
    x, w = _operands((1, 3, 5, 5), (2, 3, 3, 3))
    with pytest.raises(error, match=match) as info:
        call(x, w)
    if error is not TypeError:
        assert "test_conv.py" in str(info.value)


def test_generated_source_calls_one_vectorised_helper():
    x, w = _operands((1, 3, 5, 5), (2, 3, 3, 3))
    code = fgrad.jit(lambda x, w: flax.conv_general_dilated(x, w, (1, 1), "SAME")).lower(x, w).as_text()
    assert "_conv(" in code and "for " not in code
