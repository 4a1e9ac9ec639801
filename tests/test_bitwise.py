"""fgrad.numpy's bitwise functions and the `&`, `|`, `^`, `~`, `<<`, `>>` operators of traced arrays,
against jax.numpy: integers bitwise, booleans logical, floats rejected as NumPy rejects them."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp

jax.config.update("jax_enable_x64", True)

X = np.array([0, 1, 5, 12, 255, -3], np.int64)
Y = np.array([3, 6, 1, 10, 15, 2], np.int64)
P = np.array([True, False, True, False])
Q = np.array([True, True, False, False])

OPS = {
    "and": (lambda m, a, b: a & b, lambda m, a, b: m.bitwise_and(a, b)),
    "or": (lambda m, a, b: a | b, lambda m, a, b: m.bitwise_or(a, b)),
    "xor": (lambda m, a, b: a ^ b, lambda m, a, b: m.bitwise_xor(a, b)),
    "lshift": (lambda m, a, b: a << b, lambda m, a, b: m.left_shift(a, b)),
    "rshift": (lambda m, a, b: a >> b, lambda m, a, b: m.right_shift(a, b)),
    "invert": (lambda m, a, b: ~a, lambda m, a, b: m.invert(a)),
}


@pytest.mark.parametrize("form", [0, 1], ids=["operator", "function"])
@pytest.mark.parametrize("name", sorted(OPS))
def test_integers_traced_and_plain_match_jax(name, form, backend):
    op = OPS[name][form]
    ref = np.asarray(op(jnp, jnp.asarray(X), jnp.asarray(Y)))
    traced = fgrad.jit(lambda a, b: op(fnp, a, b), backend=backend)(X, Y)
    assert traced.dtype == ref.dtype and np.array_equal(traced, ref)
    assert np.array_equal(op(fnp, X, Y), ref)


@pytest.mark.parametrize("name", ["and", "or", "xor", "invert"])
def test_booleans_are_the_logical_operations(name, backend):
    op = OPS[name][0]
    ref = np.asarray(op(jnp, jnp.asarray(P), jnp.asarray(Q)))
    out = fgrad.jit(lambda a, b: op(fnp, a, b), backend=backend)(P, Q)
    assert out.dtype == np.bool_ and np.array_equal(out, ref)


def test_integer_mask_and_python_int_keep_the_integer_dtype():
    out = fgrad.jit(lambda k: (k & 1) + (k >> 2))(X)
    assert out.dtype == np.int64 and np.array_equal(out, (X & 1) + (X >> 2))


def test_a_mask_built_with_operators_routes_the_gradient():
    f = lambda m: lambda x: m.sum(m.where((x > 0) & ~(x > 2), x ** 2, 0.0))
    x = np.array([-1.0, 0.5, 1.5, 3.0])
    assert np.allclose(fgrad.grad(f(fnp))(x), jax.grad(f(jnp))(x))


@pytest.mark.parametrize("name", sorted(OPS))
def test_floating_operands_raise_type_error(name):
    op = OPS[name][0]
    with pytest.raises(TypeError, match="integer"):
        fgrad.jit(lambda a, b: op(fnp, a, b))(X * 1.0, Y)


def test_shifting_booleans_raises_type_error():
    with pytest.raises(TypeError, match="left_shift: operands must be integer"):
        fgrad.jit(lambda a, b: a << b)(P, Q)
