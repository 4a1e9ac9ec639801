"""grad, value_and_grad, vjp, jit: semantics as in JAX, errors, caching, and the seed examples."""

from __future__ import annotations

import os
from collections import namedtuple

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import (
    ConcretizationError,
    IntegerInputError,
    NonScalarOutputError,
    TracerArrayConversionError,
    TracerLeakError,
)
from fgrad.errors import ArgnumsError

HERE = os.path.basename(__file__)


def lineno_of(marker: str) -> int:
    with open(__file__) as f:
        for i, line in enumerate(f, 1):
            if marker in line and "lineno_of" not in line:
                return i
    raise AssertionError(marker)


# --- the seed examples ---------------------------------------------------------------------------

def test_polynomial():
    assert float(fgrad.grad(lambda x: 2 * x ** 2 + 3)(2.0)) == 8.0


def test_sin_of_square():
    g = fgrad.grad(lambda x: fnp.sin(x ** 2))(3.0)
    assert g == pytest.approx(2 * 3.0 * np.cos(9.0), rel=1e-14)
    assert g == pytest.approx(-5.4668, abs=1e-4)


def test_bce_neuron_float32():
    def loss(w, b, x, y):
        p = fgrad.nn.sigmoid(w * x + b)
        return -(y * fnp.log(p) + (1 - y) * fnp.log(1 - p))

    f32 = np.float32
    gw, gb = fgrad.grad(loss, argnums=(0, 1))(f32(1.0), f32(0.0), f32(6.7), f32(0.0))
    assert gw.dtype == np.float32 and gb.dtype == np.float32
    assert float(gw) == pytest.approx(6.6918, abs=1e-3)
    assert float(gb) == pytest.approx(0.9988, abs=1e-4)


def test_mean_of_squares():
    g = fgrad.grad(lambda x: fnp.mean(x ** 2))(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, [2 / 3, 4 / 3, 2.0], rtol=1e-14)


# --- argnums, has_aux, value_and_grad -------------------------------------------------------------

def f3(x, y, z):
    return x * y ** 2 + fnp.sin(z) * x


def test_argnums_int_and_tuple():
    x, y, z = 1.5, 2.0, 0.3
    assert fgrad.grad(f3)(x, y, z) == pytest.approx(y ** 2 + np.sin(z))
    assert fgrad.grad(f3, argnums=1)(x, y, z) == pytest.approx(2 * x * y)
    gx, gz = fgrad.grad(f3, argnums=(0, 2))(x, y, z)
    assert (gx, gz) == (pytest.approx(y ** 2 + np.sin(z)), pytest.approx(np.cos(z) * x))
    (gy,) = fgrad.grad(f3, argnums=(1,))(x, y, z)
    assert gy == pytest.approx(2 * x * y)
    assert fgrad.grad(f3, argnums=-1)(x, y, z) == pytest.approx(np.cos(z) * x)


@pytest.mark.parametrize("argnums", [3, (0, 5), -4, ()])
def test_bad_argnums(argnums):
    with pytest.raises(ArgnumsError, match="argnums"):
        fgrad.grad(f3, argnums=argnums)(1.0, 2.0, 3.0)


def test_has_aux():
    def f(x):
        return fnp.sum(x ** 2), {"norm": fnp.sqrt(fnp.sum(x ** 2)), "n": 3}

    x = np.array([1.0, 2.0, 2.0])
    g, aux = fgrad.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(g, 2 * x)
    assert float(aux["norm"]) == pytest.approx(3.0) and int(aux["n"]) == 3
    (value, aux2), g2 = fgrad.value_and_grad(f, has_aux=True)(x)
    assert float(value) == pytest.approx(9.0) and float(aux2["norm"]) == pytest.approx(3.0)
    np.testing.assert_allclose(g2, 2 * x)


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match="pair"):
        fgrad.grad(lambda x: x * 2.0, has_aux=True)(1.0)


def test_value_and_grad():
    v, g = fgrad.value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(3.0, 4.0)
    assert float(v) == 16.0 and (float(g[0]), float(g[1])) == (4.0, 4.0)


# --- pytrees ---------------------------------------------------------------------------------------

Params = namedtuple("Params", ["w", "b"])


class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b


fgrad.register_pytree_node(Pair, lambda p: ([p.a, p.b], None), lambda _, c: Pair(*c))


def test_dict_of_params():
    params = {"w": np.array([1.0, 2.0]), "b": 0.5}
    x = np.array([3.0, -1.0])
    g = fgrad.grad(lambda p, x: (fnp.dot(p["w"], x) + p["b"]) ** 2)(params, x)
    assert set(g) == {"w", "b"}
    r = 2 * (1 * 3 - 2 + 0.5)
    np.testing.assert_allclose(g["w"], r * x)
    assert float(g["b"]) == pytest.approx(r)


def test_list_tuple_namedtuple_none():
    p = [np.array([1.0, 2.0]), (3.0, None), Params(w=np.array([2.0]), b=1.0)]

    def f(p):
        a, (s, nothing), prm = p
        assert nothing is None
        return fnp.sum(a * s) + fnp.sum(prm.w * prm.b) ** 2

    g = fgrad.grad(f)(p)
    assert isinstance(g, list) and isinstance(g[1], tuple) and isinstance(g[2], Params) and g[1][1] is None
    np.testing.assert_allclose(g[0], [3.0, 3.0])
    assert float(g[1][0]) == 3.0
    np.testing.assert_allclose(g[2].w, [2 * 2.0 * 1.0])
    assert float(g[2].b) == pytest.approx(2 * 2.0 * 2.0)


def test_registered_custom_node():
    g = fgrad.grad(lambda p: p.a * p.b ** 2)(Pair(2.0, 3.0))
    assert isinstance(g, Pair) and float(g.a) == 9.0 and float(g.b) == 12.0


def test_pytree_outputs_of_jit_and_vjp():
    out = fgrad.jit(lambda d: {"s": d["x"] * 2.0, "t": (d["x"], None)})({"x": np.ones(2)})
    np.testing.assert_allclose(out["s"], [2.0, 2.0])
    assert out["t"][1] is None
    primal, pullback = fgrad.vjp(lambda p: {"a": p[0] * p[1], "b": fnp.sin(p[0])}, (2.0, 3.0))
    assert float(primal["a"]) == 6.0
    (ct,) = pullback({"a": 1.0, "b": 0.0})
    assert (float(ct[0]), float(ct[1])) == (3.0, 2.0)


def test_kwargs():
    f = lambda x, scale=1.0, *, shift: fnp.sum((x * scale + shift) ** 2)
    x = np.array([1.0, 2.0])
    g = fgrad.grad(f)(x, scale=2.0, shift=1.0)
    np.testing.assert_allclose(g, 2 * (2 * x + 1) * 2)
    np.testing.assert_allclose(fgrad.jit(f)(x, shift=1.0, scale=2.0), np.sum((2 * x + 1) ** 2))


def test_vjp_basic_and_has_aux():
    x = np.array([1.0, 2.0])
    out, pullback = fgrad.vjp(lambda x: x * 3.0 + x ** 2, x)
    np.testing.assert_allclose(out, [4.0, 10.0])
    (ct,) = pullback(np.array([1.0, -1.0]))
    np.testing.assert_allclose(ct, [5.0, -7.0])
    out, pullback, aux = fgrad.vjp(lambda x, y: (x * y, {"y2": y * y}), x, 3.0, has_aux=True)
    assert float(aux["y2"]) == 9.0
    np.testing.assert_allclose(out, [3.0, 6.0])
    cx, cy = pullback(np.ones(2))
    np.testing.assert_allclose(cx, [3.0, 3.0])
    assert float(cy) == 3.0


@pytest.mark.parametrize("backend", ["numpy", "xla"])
def test_a_pullback_made_outside_composes_with_jit_and_grad(backend):
    x = np.array([0.0, 1.0, 2.0])
    _, pullback = fgrad.vjp(lambda x: fnp.sin(x) * 2.0, x)
    ct = np.array([1.0, -2.0, 0.5])
    want = 2.0 * np.cos(x) * ct
    np.testing.assert_allclose(fgrad.jit(pullback, backend=backend)(ct)[0], want, rtol=1e-12)
    # the pullback is linear in ct: the gradient of |pullback(ct)|^2 is 2 (2 cos x)^2 ct
    grad = fgrad.grad(lambda c: fnp.sum(pullback(c)[0] ** 2))(ct)
    np.testing.assert_allclose(grad, 2.0 * (2.0 * np.cos(x)) ** 2 * ct, rtol=1e-12)


# --- dtypes and input errors ---------------------------------------------------------------------

def test_python_floats_are_float64_and_float32_stays():
    assert np.asarray(fgrad.grad(lambda x: x * x)(1.5)).dtype == np.float64
    g32 = fgrad.grad(lambda x: fnp.sum(x * 2.0))(np.ones(3, np.float32))
    assert g32.dtype == np.float32
    g = fgrad.grad(lambda x, y: fnp.sum(x * y), argnums=(0, 1))(np.ones(2, np.float32), np.ones(2))
    assert g[0].dtype == np.float32 and g[1].dtype == np.float64


@pytest.mark.parametrize("value,dtype", [(3, "int64"), (np.arange(3), "int64"), (True, "bool"),
                                         (np.int32(2), "int32")])
def test_integer_inputs_raise(value, dtype):
    with pytest.raises(IntegerInputError, match=dtype) as info:
        fgrad.grad(lambda x: fnp.sum(x * 1.0))(value)
    assert HERE in str(info.value)


def test_integer_argument_not_differentiated_is_fine():
    assert float(fgrad.grad(lambda x, n: x * n)(2.0, 3)) == 3.0


def test_non_scalar_output():
    with pytest.raises(NonScalarOutputError) as info:
        fgrad.grad(lambda x: x * 2.0)(np.ones((2, 3)))
    message = str(info.value)
    assert "(2, 3)" in message and ".sum()" in message and "vjp" in message
    assert HERE in message


# --- Python control flow ----------------------------------------------------------------------------

def branchy(x):
    if x > 0:
        return x ** 2
    return -(x ** 3)


def test_if_under_grad_takes_each_path():
    g = fgrad.grad(branchy)
    assert float(g(1.0)) == 2.0
    assert float(g(-1.0)) == -3.0            # not the cached x > 0 program
    assert float(g(3.0)) == 6.0
    assert float(g(-2.0)) == -12.0


def test_while_under_grad():
    def f(x):
        n = 0
        while x < 10.0:
            x = x * 2.0
            n += 1
        return x

    g = fgrad.grad(f)
    assert float(g(3.0)) == 4.0              # 3 -> 6 -> 12: two doublings
    assert float(g(0.5)) == 32.0             # five doublings, a different trace
    assert float(g(3.0)) == 4.0


def test_branch_on_array_element_under_grad():
    g = fgrad.grad(lambda x: fnp.sum(x * 2.0) if x[0] > x[1] else fnp.sum(x ** 2))
    np.testing.assert_allclose(g(np.array([2.0, 1.0])), [2.0, 2.0])
    np.testing.assert_allclose(g(np.array([1.0, 2.0])), [2.0, 4.0])


def test_concretization_error_under_jit():
    def f(x):
        if x > 0:  # CONCRETIZE-HERE
            return x
        return -x

    with pytest.raises(ConcretizationError) as info:
        fgrad.jit(f)(1.0)
    message = str(info.value)
    assert f"{HERE}:{lineno_of('CONCRETIZE-HERE')}" in message
    assert "where" in message and "static_argnums" in message


def test_static_argnums_allow_branches():
    f = fgrad.jit(lambda x, flag: x * 2.0 if flag else x * 3.0, static_argnums=1)
    assert float(f(1.0, True)) == 2.0 and float(f(1.0, False)) == 3.0


_leaked = []


def test_leaked_tracer():
    def f(x):
        _leaked.append(x)
        return x * 2.0

    fgrad.grad(f)(1.0)
    with pytest.raises(TracerLeakError) as info:
        _leaked[0] + 1.0  # LEAK-USE
    message = str(info.value)
    assert "grad" in message and f"{HERE}:{lineno_of('LEAK-USE')}" in message
    with pytest.raises(TracerLeakError):
        fnp.sin(_leaked[0])
    _leaked.clear()


def test_numpy_on_a_tracer_is_a_clear_error():
    with pytest.raises((TracerArrayConversionError, TypeError)) as info:
        fgrad.jit(lambda x: np.asarray(x) * 2)(np.ones(2))
    assert "fgrad.numpy" in str(info.value)
    sin_result = None
    try:
        sin_result = fgrad.grad(lambda x: np.sin(x))(1.0)
    except (TracerArrayConversionError, TypeError) as e:
        assert "fgrad.numpy" in str(e) or "np.sin" in str(e)
    else:                                       # forwarded to fgrad.numpy: then it must be right
        assert float(sin_result) == pytest.approx(np.cos(1.0))


# --- composition ---------------------------------------------------------------------------------------

def test_higher_order():
    d3 = fgrad.grad(fgrad.grad(fgrad.grad(lambda x: x ** 4)))
    assert float(d3(2.0)) == 48.0
    assert float(fgrad.grad(fgrad.grad(fgrad.grad(fnp.sin)))(0.7)) == pytest.approx(-np.cos(0.7), rel=1e-14)
    assert float(fgrad.grad(fgrad.grad(lambda x: fnp.exp(x * x)))(0.5)) == pytest.approx(
        (2 + 4 * 0.25) * np.exp(0.25))


def test_jit_of_grad_and_grad_of_jit():
    f = lambda x: fnp.sum(fnp.tanh(x) * x)
    x = np.array([0.3, -1.2, 2.0])
    want = np.tanh(x) + x * (1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(fgrad.jit(fgrad.grad(f))(x), want, rtol=1e-14)
    np.testing.assert_allclose(fgrad.grad(fgrad.jit(f))(x), want, rtol=1e-14)
    np.testing.assert_allclose(fgrad.jit(fgrad.grad(fgrad.jit(f)))(x), want, rtol=1e-14)


def test_closure_over_outer_tracer():
    assert float(fgrad.grad(lambda x: fgrad.grad(lambda y: x * y)(1.0))(2.0)) == 1.0
    # d/dx [d/dy (x*y^2) at y=x] = d/dx [2 x^2] = 4x
    assert float(fgrad.grad(lambda x: fgrad.grad(lambda y: x * y ** 2)(x))(3.0)) == 12.0


def test_stop_gradient():
    assert float(fgrad.grad(lambda x: x * fgrad.stop_gradient(x))(3.0)) == 3.0
    assert float(fgrad.grad(lambda x: fgrad.stop_gradient(x * x))(3.0)) == 0.0
    assert float(fgrad.grad(fgrad.grad(lambda x: x ** 2 * fgrad.stop_gradient(x)))(2.0)) == 4.0


# --- the compile cache ---------------------------------------------------------------------------------

def test_repeated_calls_hit_the_cache():
    g = fgrad.grad(lambda x: fnp.sum(fnp.sin(x)))
    x = np.ones(3)
    g(x)
    info = g.cache_info()
    assert info["misses"] == 1 and info["hits"] == 0
    for _ in range(3):
        np.testing.assert_allclose(g(x + 1.0), np.cos(x + 1.0))
    assert g.cache_info()["hits"] == 3 and g.cache_info()["misses"] == 1


def test_new_shape_recompiles_with_a_reason():
    f = fgrad.jit(lambda x: x * 2.0)
    f(np.ones(3))
    f(np.ones(3))
    assert f.cache_info()["hits"] == 1
    np.testing.assert_allclose(f(np.ones((2, 2))), np.full((2, 2), 2.0))
    info = f.cache_info()
    assert info["misses"] == 2
    reason = info["last_miss_reason"]
    assert "[3]" in reason and "[2, 2]" in reason
    f(np.ones(3, np.float32))
    assert "float32" in f.cache_info()["last_miss_reason"]


def test_cache_is_bounded():
    old = fgrad.config.cache_size
    fgrad.config.update("cache_size", 2)
    try:
        f = fgrad.jit(lambda x: x + 1.0)
        for n in range(1, 6):
            np.testing.assert_allclose(f(np.zeros(n)), np.ones(n))
        assert f.cache_info()["size"] == 2
        g = fgrad.grad(lambda x: fnp.sum(x * x))
        for n in range(1, 5):
            g(np.ones(n))
        assert g.cache_info()["size"] <= 2
        f(np.zeros(5))
        assert f.cache_info()["misses"] == 5    # the newest shape is still cached
    finally:
        fgrad.config.update("cache_size", old)


def test_concrete_value_read_under_grad_is_not_reused():
    g = fgrad.grad(lambda x: x * float(fgrad.stop_gradient(x)))      # d/dx = the constant float(x)
    assert float(g(2.0)) == 2.0
    assert float(g(3.0)) == 3.0
    assert float(g(2.0)) == 2.0
    with pytest.raises(TracerArrayConversionError):      # would drop the derivative silently
        fgrad.grad(lambda x: x * float(x))(2.0)


def test_gradient_of_an_unused_input_is_zero():
    gx, gy = fgrad.grad(lambda x, y: fnp.sum(x * 2.0), argnums=(0, 1))(np.ones(2), np.ones((2, 3), np.float32))
    np.testing.assert_array_equal(gx, [2.0, 2.0])
    assert gy.shape == (2, 3) and gy.dtype == np.float32 and not gy.any()


def test_outputs_are_writable_arrays():
    g = fgrad.grad(lambda x, y: fnp.sum(x) + fnp.sum(y * 0.0), argnums=(0, 1))(np.ones(3), np.ones(3))
    for a in g:
        a += 1.0
    np.testing.assert_array_equal(g[0], [2.0, 2.0, 2.0])
