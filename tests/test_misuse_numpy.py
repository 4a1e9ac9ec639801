"""fgrad.numpy on bad input gives the error NumPy or jax.numpy gives (class and meaning), saying where and
how to fix it; the forms NumPy accepts (einsum's, concatenate(axis=None), pytrees in stop_gradient) work,
with values and gradients checked against jax in float64."""

import os
import subprocess
import sys
from collections import namedtuple

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.errors import AxisError, ShapeError, TracerArrayConversionError

jax.config.update("jax_enable_x64", True)

HERE = os.path.basename(__file__)
RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 3))


def _rand(*shape):
    return RNG.normal(size=shape)


def _error_of(fn, *args):
    try:
        fn(*args)
    except Exception as err:  # noqa: BLE001 - the oracle's class is what is being read
        return err
    return None


def _transformed(kind, body):
    """`body` run on a traced value, under grad or under jit."""
    if kind == "grad":
        return lambda x: fgrad.grad(lambda t: fnp.sum(body(fnp, t)) * 1.0)(x)
    return lambda x: fgrad.jit(lambda t: body(fnp, t))(x)


# --- 1. axis arguments: errors, never wrapped around --------------------------------------------

AXIS_CASES = {
    "expand_dims": lambda m, x: m.expand_dims(x, 7),
    "expand_dims_repeated": lambda m, x: m.expand_dims(x, (0, 0)),
    "transpose": lambda m, x: m.transpose(x, (0, 5)),
    "transpose_repeated": lambda m, x: m.transpose(x, (0, 0)),
    "transpose_short": lambda m, x: m.transpose(x, (0,)),
    "swapaxes": lambda m, x: m.swapaxes(x, 0, 4),
    "squeeze": lambda m, x: m.squeeze(x, 5),
    "squeeze_not_one": lambda m, x: m.squeeze(x, 0),
    "sum": lambda m, x: m.sum(x, axis=2),
    "sum_repeated": lambda m, x: m.sum(x, axis=(1, -1)),
    "mean": lambda m, x: m.mean(x, axis=-3),
    "var": lambda m, x: m.var(x, axis=(0, 2)),
    "max": lambda m, x: m.max(x, axis=2),
    "min": lambda m, x: m.min(x, axis=-5),
    "prod": lambda m, x: m.prod(x, axis=3),
    "concatenate": lambda m, x: m.concatenate([x, x], axis=2),
    "concatenate_negative": lambda m, x: m.concatenate([x, x], axis=-3),
    "stack": lambda m, x: m.stack([x, x], axis=3),
    "argmax": lambda m, x: m.argmax(x, axis=2),
    "argmin": lambda m, x: m.argmin(x, axis=-3),
}


@pytest.mark.parametrize("kind", ["grad", "jit"])
@pytest.mark.parametrize("case", sorted(AXIS_CASES))
def test_bad_axes_raise_what_numpy_raises(case, kind):
    body = AXIS_CASES[case]
    oracle = _error_of(body, np, X)
    assert oracle is not None and _error_of(body, jnp, jnp.asarray(X)) is not None
    with pytest.raises(type(oracle)) as info:
        _transformed(kind, body)(X)
    assert isinstance(info.value, ShapeError)
    assert f"{HERE}:" in str(info.value)          # the user's line, not fgrad's


@pytest.mark.parametrize("case", ["expand_dims", "transpose", "swapaxes", "sum", "concatenate", "argmax"])
def test_out_of_range_axis_is_numpys_axis_error(case):
    with pytest.raises(np.exceptions.AxisError) as info:
        _transformed("grad", AXIS_CASES[case])(X)
    assert isinstance(info.value, AxisError) and isinstance(info.value, IndexError)
    assert "out of bounds for array of dimension" in str(info.value) and "range(" in str(info.value)


def test_a_float_axis_is_a_type_error():
    with pytest.raises(TypeError, match="axis must be an integer"):
        _transformed("grad", lambda m, x: m.sum(x, axis=1.0))(X)


def test_axes_in_range_still_work_with_negative_values():
    def body(m, x):
        y = m.expand_dims(m.swapaxes(x, 0, -1), -1)
        return m.concatenate([m.transpose(y, (2, -3, 1)), y.reshape(1, 3, 2)], axis=-3).sum(axis=(-1, 0))
    np.testing.assert_allclose(fgrad.grad(lambda x: fnp.sum(body(fnp, x) ** 2))(X),
                               jax.grad(lambda x: jnp.sum(body(jnp, x) ** 2))(X), rtol=1e-12)


# --- 2. concatenate(axis=None) flattens; stack's edge cases ------------------------------------

def _same_grad(body, *args, argnums=0):
    got = fgrad.grad(lambda *a: fnp.sum(body(fnp, *a) ** 2), argnums=argnums)(*args)
    want = jax.grad(lambda *a: jnp.sum(body(jnp, *a) ** 2), argnums=argnums)(*args)
    for g, w in zip(got if isinstance(argnums, tuple) else [got], want if isinstance(argnums, tuple) else [want]):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)


def test_concatenate_axis_none_flattens_one_rank():
    x = _rand(4, 1)
    out = fgrad.jit(lambda t: fnp.concatenate([t, t], axis=None))(x)
    assert out.shape == (8,)
    np.testing.assert_array_equal(out, jnp.concatenate([x, x], axis=None))


def test_concatenate_axis_none_flattens_mixed_ranks():
    body = lambda m, x, y: m.concatenate([x, y, m.sin(x)], axis=None)  # noqa: E731
    _same_grad(body, _rand(2, 3), _rand(4), argnums=(0, 1))


def test_var_of_flattened_concatenation_has_jax_gradient():
    x = _rand(1, 3, 1)
    got = fgrad.grad(lambda t: fnp.var(fnp.concatenate([t, t * t], axis=None), axis=0))(x)
    want = jax.grad(lambda t: jnp.var(jnp.concatenate([t, t * t], axis=None), axis=0))(x)
    assert np.abs(want).max() > 0.1
    np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("body", [
    lambda m, x: m.concatenate([x[0, 0], x[0, 1]]),
    lambda m, x: m.concatenate([x, x[0]], axis=0),
    lambda m, x: m.concatenate([x, x[:, :2]], axis=0),
    lambda m, x: m.stack([x, x[:, :2]]),
], ids=["zero-d", "ranks", "sizes", "stack-shapes"])
def test_arrays_that_do_not_join_are_value_errors(body):
    assert isinstance(_error_of(body, np, X), ValueError)
    with pytest.raises(ShapeError) as info:
        _transformed("grad", body)(X)
    assert f"{HERE}:" in str(info.value)


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
def test_stack_of_scalars_vectors_and_constants(axis):
    body = lambda m, x: m.stack([x, m.cos(x), np.ones(3)], axis=axis)  # noqa: E731
    _same_grad(body, _rand(3))
    _same_grad(lambda m, x: m.stack([x[0], x[1] * 2.0, 1.5]), _rand(3))


# --- 3. .tolist() and item assignment on traced values ------------------------------------------

def test_tolist_on_a_traced_value_names_the_fix():
    with pytest.raises(TracerArrayConversionError) as info:
        fgrad.grad(lambda x: sum(x.tolist()))(X)
    assert ".tolist()" in str(info.value) and f"{HERE}:" in str(info.value)


@pytest.mark.parametrize("idx, shown", [(0, "0"), ((0, slice(1, None)), "0, 1:"), ((Ellipsis, 1), "..., 1"),
                                        (slice(None, None, 2), "::2"), (np.array([1]), "idx")])
def test_item_assignment_is_a_type_error_like_jax(idx, shown):
    def f(x):
        x[idx] = 1.0
        return x.sum()
    with pytest.raises(TypeError) as oracle:
        jax.grad(f)(X)
    with pytest.raises(TypeError) as info:
        fgrad.grad(f)(X)
    assert "immutable" in str(oracle.value) and "immutable" in str(info.value)
    assert f"x.at[{shown}].set(" in str(info.value) and f"{HERE}:" in str(info.value)


def test_the_suggested_at_set_works():
    def body(m, x):
        return x.at[0, 1:].set(m.sin(x[1, :2]))
    _same_grad(body, X)


# --- 4. reshape errors show the shape asked for ------------------------------------------------

@pytest.mark.parametrize("shape, words", [((4, -1), "cannot reshape array of size 6 into shape (4, -1)"),
                                          ((-1, -1), "can only specify one unknown dimension"),
                                          ((4,), "cannot reshape array of size 6 into shape (4,)"),
                                          ((-2, 4), "cannot reshape array of size 6 into shape (-2, 4)")])
def test_reshape_errors(shape, words):
    assert isinstance(_error_of(np.reshape, X, shape), ValueError)
    with pytest.raises(ShapeError) as info:
        fgrad.grad(lambda x: fnp.reshape(x, shape).sum())(X)
    assert words in str(info.value) and f"{HERE}:" in str(info.value)


def test_reshape_with_a_float_dimension_is_a_type_error():
    with pytest.raises(TypeError, match="integer"):
        fgrad.grad(lambda x: x.reshape(2.0, 3).sum())(X)


# --- 5. einsum in all its forms, against jax ----------------------------------------------------

EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(5, 1, 2, 3), (4, 3, 2)]),
    ("i...->...", [(3, 4, 5)]),
    ("...i->i", [(3, 4, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ji", [(3, 3, 2)]),
    ("ii,i->i", [(3, 3), (3,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,jk,kl", [(2, 3), (3, 4), (4, 5)]),
    ("i,i,i->", [(3,), (3,), (3,)]),
    ("ab,bC", [(2, 3), (3, 4)]),
    ("ij,ij->ij", [(2, 1), (2, 3)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,ji", [(3, 3), (3, 3)]),
    (",ij->ji", [(), (2, 3)]),
]


def _check_einsum(call, shapes):
    ops = [_rand(*s) for s in shapes]
    value = fgrad.jit(lambda *o: call(fnp, *o))(*ops)
    np.testing.assert_allclose(value, call(jnp, *ops), rtol=1e-12, atol=1e-12)
    _same_grad(call, *ops, argnums=tuple(range(len(ops))))


@pytest.mark.parametrize("subscripts, shapes", EINSUMS, ids=[s for s, _ in EINSUMS])
def test_einsum_forms_match_jax(subscripts, shapes):
    _check_einsum(lambda m, *ops: m.einsum(subscripts, *ops), shapes)


def test_einsum_interleaved_form():
    _check_einsum(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), [(2, 3), (3, 4)])
    _check_einsum(lambda m, x, y: m.einsum(x, [Ellipsis, 0], y, [0, 1]), [(5, 2, 3), (3, 4)])
    _check_einsum(lambda m, x: m.einsum(x, [0, 0]), [(3, 3)])


@pytest.mark.parametrize("idx", [np.array([0, 3, 1]), np.array([2, 2]), slice(1, 3)], ids=str)
def test_einsum_after_a_gather(idx):
    x = _rand(2, 3)
    _check_einsum(lambda m, v: m.einsum("ab,ca->bac", x, v[idx]), [(4, 2)])


def test_einsum_with_a_traced_index():
    x, v = _rand(2, 3), _rand(4, 2)
    got = fgrad.grad(lambda v: fnp.einsum("ab,ca->bac", x, v[fnp.argmax(v, axis=0)]).sum())(v)
    want = jax.grad(lambda v: jnp.einsum("ab,ca->bac", x, v[jnp.argmax(v, axis=0)]).sum())(v)
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("args", [
    ("i1", [(2, 3)]), ("i.j", [(2, 3)]), ("ij->k", [(2, 3)]), ("ij->ii", [(2, 3)]), ("ij,jk", [(2, 3)]),
    ("ij", [(2, 3), (2, 3)]), ("ijk", [(2, 3)]), ("i", [(2, 3)]), ("ij->i->j", [(2, 3)]),
    ("ij,jk->ik", [(2, 3), (2, 3)]), ("ii->i", [(2, 3)]), ("......", [(2, 3)]),
], ids=lambda a: a[0])
def test_bad_einsum_subscripts_are_value_errors(args):
    subscripts, shapes = args
    ops = [_rand(*s) for s in shapes]
    assert isinstance(_error_of(np.einsum, subscripts, *ops), ValueError)
    with pytest.raises(ValueError) as info:
        fgrad.grad(lambda x: fnp.einsum(subscripts, x, *ops[1:]).sum())(ops[0])
    assert f"{HERE}:" in str(info.value)


def test_bad_interleaved_sublists():
    with pytest.raises(TypeError, match="integer or an ellipsis"):
        fgrad.grad(lambda x: fnp.einsum(x, [0, 1.5]).sum())(X)
    with pytest.raises(ValueError, match="valid range"):
        fgrad.grad(lambda x: fnp.einsum(x, [0, 60]).sum())(X)


# --- 6. matmul of batched arrays, against jax ---------------------------------------------------

MATMULS = [((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (4,)),
           ((4,), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((4,), (4,)), ((3, 4), (4,))]


@pytest.mark.parametrize("shapes", MATMULS, ids=str)
def test_matmul_batches_and_vectors_match_jax(shapes):
    _check_einsum(lambda m, a, b: m.matmul(a, b), list(shapes))
    _check_einsum(lambda m, a, b: m.sin(a) @ b, list(shapes))


def test_matmul_second_order_matches_jax():
    a, b = _rand(2, 3, 3), _rand(2, 3, 3)
    got = fgrad.grad(lambda a: fnp.sum(fgrad.grad(lambda a: fnp.sum((a @ b @ a) ** 2))(a) ** 2))(a)
    want = jax.grad(lambda a: jnp.sum(jax.grad(lambda a: jnp.sum((a @ b @ a) ** 2))(a) ** 2))(a)
    np.testing.assert_allclose(got, want, rtol=1e-10)


@pytest.mark.parametrize("shapes", [((2, 3, 4), (3, 4, 5)), ((2, 3), (2, 3)), ((2, 3, 3), (3, 3, 2))], ids=str)
def test_matmul_shapes_that_do_not_fit(shapes):
    a, b = (_rand(*s) for s in shapes)
    assert isinstance(_error_of(np.matmul, a, b), ValueError)
    with pytest.raises(ShapeError) as info:
        fgrad.grad(lambda a: (a @ b).sum())(a)
    assert f"{HERE}:" in str(info.value)


# --- 7. stop_gradient on pytrees ------------------------------------------------------------------

Pair = namedtuple("Pair", "a b")


def _stopped(m, stop):
    def f(x):
        t = stop({"a": x, "b": (x * 2, None, [3.0, x]), "c": Pair(x, 1)})
        return m.sum(t["a"] * x) + m.sum(t["b"][0] * x) + m.sum(t["b"][2][1] * x) + m.sum(t["c"].a * x)
    return f


def test_stop_gradient_takes_pytrees():
    x = _rand(3)
    np.testing.assert_allclose(fgrad.grad(_stopped(fnp, fgrad.stop_gradient))(x),
                               jax.grad(_stopped(jnp, jax.lax.stop_gradient))(x), rtol=1e-12)
    assert fgrad.stop_gradient(None) is None
    assert fgrad.stop_gradient({"w": 1.0, "b": (2, None)}) == {"w": 1.0, "b": (2, None)}


# --- 8. configuration values -------------------------------------------------------------------

@pytest.mark.parametrize("name, value, cls", [("cache_size", "128", TypeError), ("cache_size", 0, ValueError),
                                              ("cache_size", -4, ValueError), ("cache_size", True, TypeError),
                                              ("cache_size", 2.0, TypeError), ("backend", "cuda", ValueError),
                                              ("backend", None, TypeError), ("horner", 1, TypeError),
                                              ("explain_cache_misses", "yes", TypeError)])
def test_bad_config_values_are_refused_where_set(name, value, cls):
    before = getattr(fgrad.config, name)
    with pytest.raises(cls) as info:
        fgrad.config.update(name, value)
    assert repr(name) in str(info.value) and f"{HERE}:" in str(info.value)
    assert getattr(fgrad.config, name) == before


def test_unknown_config_option():
    with pytest.raises(ValueError, match="options are"):
        fgrad.config.update("cache", 3)


def _import_with(variable, value):
    env = dict(os.environ, **{variable: value})
    code = "import fgrad; c = fgrad.config; print(c.backend, c.cache_size, c.horner, c.explain_cache_misses)"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("variable, value", [("FGRAD_CACHE_SIZE", "abc"), ("FGRAD_CACHE_SIZE", "0"),
                                             ("FGRAD_BACKEND", "cuda"), ("FGRAD_HORNER", "maybe"),
                                             ("FGRAD_EXPLAIN_CACHE_MISSES", "2")])
def test_malformed_environment_variables_name_themselves(variable, value):
    done = _import_with(variable, value)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError") and f"{variable}={value!r}" in last and "takes" in last


@pytest.mark.parametrize("variable, value, shown", [("FGRAD_CACHE_SIZE", "12", "numpy 12 True False"),
                                                    ("FGRAD_HORNER", "off", "numpy 64 False False"),
                                                    ("FGRAD_EXPLAIN_CACHE_MISSES", "true", "numpy 64 True True")])
def test_wellformed_environment_variables(variable, value, shown):
    done = _import_with(variable, value)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == shown


# --- 9. other misuse of fgrad.numpy and the traced-array methods --------------------------------

@pytest.mark.parametrize("body", [lambda x: fnp.add(x, ["a", "b", "c"]), lambda x: fnp.where(x > 0, x, [object()] * 3)],
                         ids=["strings", "objects"])
def test_strings_and_objects_as_operands_are_type_errors(body):
    assert _error_of(jnp.add, jnp.ones(2), "a") is not None
    with pytest.raises(TypeError) as info:
        fgrad.grad(lambda x: body(x).sum())(X)
    assert f"{HERE}:" in str(info.value)


@pytest.mark.parametrize("shape", [(-1, 2), (3, -2), -1, (6,)], ids=str)
def test_reshape_infers_a_negative_entry_as_numpy_does(shape):
    np.testing.assert_array_equal(fgrad.jit(lambda x: fnp.reshape(x, shape))(X), np.reshape(X, shape))


class _JnpWithLists:
    """jax.numpy refuses lists as operands; the oracle converts them as NumPy (and fgrad.numpy) do."""

    def __getattr__(self, name):
        fn = getattr(jnp, name)
        return lambda *args: fn(*[jnp.asarray(a) if isinstance(a, (list, tuple)) else a for a in args])


_JNP_WITH_LISTS = _JnpWithLists()


@pytest.mark.parametrize("body", [lambda m, x: m.divide(x, [1.0, 2.0, 4.0]), lambda m, x: m.dot(x, (1.0, 2.0, 3.0)),
                                  lambda m, x: m.matmul([[1.0, 2.0]], x), lambda m, x: m.logaddexp([0.5, 1.0, 2.0], x)],
                         ids=["divide", "dot", "matmul", "logaddexp"])
def test_lists_and_tuples_are_arrays_in_binary_functions(body):
    got = fgrad.grad(lambda x: fnp.sum(body(fnp, x) ** 2))(X)
    want = jax.grad(lambda x: jnp.sum(body(_JNP_WITH_LISTS, x) ** 2))(X)
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("body, cls", [
    (lambda x: fnp.broadcast_to(x, (7,)), ShapeError), (lambda x: fnp.broadcast_to(x, []), ShapeError),
    (lambda x: fnp.broadcast_to(x, (2.5, 3)), TypeError), (lambda x: x.astype(str), TypeError),
    (lambda x: fnp.zeros_like(x, dtype="U3"), TypeError), (lambda x: fnp.full_like(x, "a"), TypeError),
    (lambda x: fnp.einsum(x, 7), TypeError), (lambda x: fgrad.nn.one_hot(x, 2.5), TypeError),
    (lambda x: x[np.array([0, 5])], IndexError), (lambda x: x[:, np.array([-4])], IndexError),
    (lambda x: x.at[np.array([7])].add(1.0), IndexError), (lambda x: x.at[0].set(np.ones(4)), ShapeError),
], ids=["broadcast-size", "broadcast-rank", "broadcast-float", "astype-str", "zeros-like-str", "full-like-str",
        "einsum-sublist", "one-hot-float", "gather-bounds", "gather-negative", "scatter-bounds", "at-set-shape"])
@pytest.mark.parametrize("kind", ["grad", "jit"])
def test_other_misuse_names_the_users_line(body, cls, kind):
    with pytest.raises(cls) as info:
        _transformed(kind, lambda m, x: body(x))(X)
    assert f"{HERE}:" in str(info.value)


def test_full_like_with_an_array_of_fill_values():
    fill = np.array([1.0, 2.0, 3.0])
    got = fgrad.jit(lambda x: fnp.full_like(x, fill) * x)(X)
    np.testing.assert_array_equal(got, jnp.full_like(X, fill) * X)


@pytest.mark.parametrize("name, q", [("percentile", 150.0), ("percentile", -1.0), ("quantile", 1.5)])
def test_quantile_levels_out_of_range_give_numpys_message(name, q):
    with pytest.raises(ValueError) as plain:
        getattr(np, name)(X, q)
    with pytest.raises(ValueError) as traced:
        fgrad.grad(lambda x: getattr(fnp, name)(x, q))(X)
    assert str(traced.value) == str(plain.value)
