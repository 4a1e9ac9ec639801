"""Misuse of the transforms: each mistake is a clear error naming the user's line, never an internal one;
arguments that are not differentiated reach the function as they are (as under jax.grad)."""

import os

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import ArgnumsError, IntegerInputError, NonScalarOutputError

HERE = os.path.basename(__file__)

jax = pytest.importorskip("jax")
jnp = jax.numpy
jax.config.update("jax_enable_x64", True)


def _raises(cls, fn, *words):
    with pytest.raises(cls) as info:
        fn()
    text = str(info.value)
    assert HERE in text, f"the message does not name the user's file: {text}"
    for word in words:
        assert word in text, f"{word!r} missing from: {text}"
    return info.value


# --- non-differentiated arguments stay what they are -------------------------------------------

X = np.arange(6.0).reshape(2, 3)


def _both(fn, jfn, *args, **kwargs):
    got = fgrad.grad(fn)(*args, **kwargs)
    want = jax.grad(jfn)(*args, **kwargs)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_axis_given_positionally_and_by_keyword():
    _both(lambda x, a: fnp.sum(fnp.sum(x, axis=a) ** 2), lambda x, a: jnp.sum(jnp.sum(x, axis=a) ** 2), X, 0)
    _both(lambda x, axis: fnp.sum(fnp.sum(x, axis=axis) ** 2),
          lambda x, axis: jnp.sum(jnp.sum(x, axis=axis) ** 2), X, axis=1)


def test_int_used_as_a_slice_bound():
    _both(lambda x, i: fnp.sum(x[i:] ** 2), lambda x, i: jnp.sum(x[i:] ** 2), np.arange(4.0), 1)


def test_shape_string_and_type_arguments():
    _both(lambda x, s: fnp.sum(fnp.broadcast_to(x, s) ** 2), lambda x, s: jnp.sum(jnp.broadcast_to(x, s) ** 2),
          np.ones(3), (2, 3))
    _both(lambda x, sub: fnp.einsum(sub, x, x), lambda x, sub: jnp.einsum(sub, x, x), np.arange(3.0), "i,i->")
    assert float(fgrad.grad(lambda x, t: t(2) * x)(1.0, float)) == 2.0


def test_none_and_flags_reach_the_function():
    def f(x, scale=None, square=False):
        y = x * (1.0 if scale is None else scale)
        return y ** 2 if square else y
    assert float(fgrad.grad(f)(3.0)) == 1.0
    assert float(fgrad.grad(f)(3.0, None, True)) == 6.0
    assert float(fgrad.grad(f)(3.0, square=True, scale=2.0)) == 24.0
    assert float(fgrad.value_and_grad(f)(3.0, square=True)[1]) == 6.0


def test_argnums_of_numpy_integer_type():
    assert float(fgrad.grad(lambda x, y: x * y, argnums=np.int64(1))(2.0, 3.0)) == 2.0


def test_grad_of_a_non_callable():
    _raises(TypeError, lambda: fgrad.grad(3.0), "callable")
    _raises(TypeError, lambda: fgrad.jit("f"), "callable")
    _raises(TypeError, lambda: fgrad.vjp(None, 1.0), "callable")


@pytest.mark.parametrize("argnums", [0.0, None, "0", (0, 0), (), [0.5]])
def test_bad_argnums(argnums):
    err = _raises(ArgnumsError, lambda: fgrad.grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0), "argnums")
    assert isinstance(err, TypeError) and isinstance(err, ValueError)


def test_argnums_out_of_range():
    _raises(ArgnumsError, lambda: fgrad.grad(lambda x: x, argnums=3)(1.0), "range(1)")
    _raises(ArgnumsError, lambda: fgrad.grad(lambda x: x, argnums=(0, -1))(1.0), "twice")


def test_static_argnums_out_of_range():
    _raises(ArgnumsError, lambda: fgrad.jit(lambda x, n: x, static_argnums=5)(1.0, 2), "static_argnums")


def test_unhashable_static_argument():
    _raises(TypeError, lambda: fgrad.jit(lambda x, n: x, static_argnums=1)(1.0, [1, 2]), "hashable")


def test_string_argument_under_jit_names_its_path():
    _raises(TypeError, lambda: fgrad.jit(lambda x, mode: x)(1.0, "fast"), "args[1]", "static_argnums")
    _raises(TypeError, lambda: fgrad.jit(lambda x, mode: x)(1.0, mode="fast"), "kwargs['mode']")


def test_static_argnames():
    f = fgrad.jit(lambda x, mode: x * 2.0 if mode == "double" else x, static_argnames="mode")
    assert float(f(1.0, mode="double")) == 2.0
    assert float(f(1.0, mode="same")) == 1.0


def _repeat_sin(m):
    def f(x, n):
        for _ in range(n):          # a Python loop over a static count
            x = m.sin(x)
        return x
    return f


@pytest.mark.parametrize("static", [{"static_argnames": "n"}, {"static_argnums": 1},
                                    {"static_argnums": (1,), "static_argnames": ("n",)}],
                         ids=["names", "nums", "both"])
def test_static_by_position_or_name_either_way_as_jax(static):
    import jax
    import jax.numpy as jnp
    ours, ref = fgrad.jit(_repeat_sin(fnp), **static), jax.jit(_repeat_sin(jnp), **static)
    for args, kwargs in [((1.0, 3), {}), ((1.0,), {"n": 2}), ((), {"x": 1.0, "n": 4})]:
        assert np.isclose(ours(*args, **kwargs), ref(*args, **kwargs))


def test_differentiating_a_string_or_an_int():
    _raises(TypeError, lambda: fgrad.grad(lambda s: 1.0)("abc"), "not an array")
    _raises(IntegerInputError, lambda: fgrad.grad(lambda n: n * 1.0)(3), "int64")


# --- outputs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("out", [lambda x: (x, x), lambda x: [x * 2.0], lambda x: {"a": x}, lambda x: None])
def test_structured_output_without_has_aux(out):
    _raises(NonScalarOutputError, lambda: fgrad.grad(out)(1.0), "has_aux")
    _raises(NonScalarOutputError, lambda: fgrad.value_and_grad(out)(1.0), "has_aux")


def test_has_aux_is_never_guessed():
    g, aux = fgrad.grad(lambda x: (x * x, x + 1.0), has_aux=True)(3.0)
    assert float(g) == 6.0 and float(aux) == 4.0


def test_non_array_outputs_under_jit():
    _raises(TypeError, lambda: fgrad.jit(lambda x: (x, lambda: 1))(1.0), "output[1]", "function")
    _raises(TypeError, lambda: fgrad.jit(lambda x: {"a": object()})(1.0), "output['a']")
    _raises(TypeError, lambda: fgrad.jit(lambda x: "text")(1.0), "str")


def test_generator_function():
    def gen(x):
        yield x * 2.0
    _raises(TypeError, lambda: fgrad.grad(gen)(1.0), "generator")
    _raises(TypeError, lambda: fgrad.jit(gen)(1.0), "generator")


def test_complex_inputs_follow_jax():
    _raises(TypeError, lambda: fgrad.grad(lambda z: z * 1.0)(np.array(1 + 2j)), "holomorphic=True")
    _raises(TypeError, lambda: fgrad.grad(lambda z: z, holomorphic=True)(1.0), "complex dtype")
    _raises(TypeError, lambda: fgrad.jit(lambda z: z)(np.ones(2, np.clongdouble)), "complex128")


# --- pytrees -----------------------------------------------------------------------------------

class Pair:
    def __init__(self, a, b):
        self.a, self.b = a, b


def test_pytree_with_dict_aux_data():
    fgrad.register_pytree_node(Pair, lambda p: ([p.a, p.b], {"kind": "pair"}), lambda aux, c: Pair(*c))
    g = fgrad.jit(fgrad.grad(lambda p: p.a * p.b))(Pair(2.0, 3.0))
    assert (float(g.a), float(g.b)) == (3.0, 2.0)


def test_flatten_returning_the_wrong_structure():
    class Bad:
        def __init__(self, v):
            self.v = v
    fgrad.register_pytree_node(Bad, lambda b: [b.v], lambda aux, c: Bad(*c))
    with pytest.raises(TypeError, match="flatten function registered for Bad"):
        fgrad.grad(lambda b: b.v)(Bad(1.0))


def test_dict_keys_of_mixed_types_are_sorted():
    leaves, _ = fgrad.tree_flatten({"a": 1.0, 2: 2.0, 1: 3.0})
    assert leaves == [3.0, 2.0, 1.0]               # ints first (by type name), then strings
    g = fgrad.grad(lambda d: d[1] * d["a"])({"a": 2.0, 1: 3.0})
    assert float(g[1]) == 2.0 and float(g["a"]) == 3.0


def test_unsortable_dict_keys_say_why():
    with pytest.raises(ValueError, match="sorted order"):
        fgrad.tree_flatten({object(): 1.0, object(): 2.0})


def test_primitive_names_are_identifiers():
    from fgrad.core import Primitive
    with pytest.raises(ValueError, match="identifier"):
        Primitive("bad\nname", abstract=lambda x: x, impl=lambda x: x, source="here")
