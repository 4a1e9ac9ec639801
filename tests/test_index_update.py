"""`x.at[idx]` updates and boolean-mask indexing against jax: values, first and second derivatives,
repeated indices, traced indices and vmap."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 2.0, (4, 3))
# (index, shape of the values it takes): repeated arrays, basic slices, a mask, an ellipsis
INDICES = [(np.array([0, 0, 2]), (3, 3)), ((slice(1, 3), 1), (2,)), ((np.array([1, 3, 1, 1]), 2), (4,)),
           ((np.array([0, 0]), np.array([1, 1])), (2,)), (np.array([True, False, True, True]), (3, 3)),
           ((Ellipsis, np.array([2, 0, 2])), (4, 3))]
IDS = ["repeated-rows", "slices", "repeated-elements", "same-element", "mask", "ellipsis"]
OPS = ["set", "add", "subtract", "multiply", "divide", "power", "min", "max"]


def _unique(idx) -> bool:
    positions = np.arange(X.size).reshape(X.shape)[idx].ravel()
    return len(set(positions.tolist())) == positions.size


def _update(module, op, idx, **hints):
    def f(x, v):
        out = getattr(x.at[idx], op)(v, **hints)
        return (out * module.sin(out)).sum()
    return f


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("idx,vshape", INDICES, ids=IDS)
def test_updates_match_jax_to_second_order(op, idx, vshape):
    v = RNG.uniform(0.5, 2.0, vshape)
    value = fgrad.jit(lambda x, v: getattr(x.at[idx], op)(v))(X, v)
    np.testing.assert_allclose(value, getattr(jnp.asarray(X).at[idx], op)(v), rtol=1e-12)
    ours = _update(fnp, op, idx)
    if op in ("multiply", "divide", "power") and not _unique(idx):
        check_grads(fgrad.jit(ours), (X, v), order=2)    # jax differentiates these for unique indices only
        return
    hints = {"unique_indices": True} if op in ("multiply", "divide", "power") else {}
    theirs = _update(jnp, op, idx, **hints)
    jx, jv = jnp.asarray(X), jnp.asarray(v)
    for a, b in zip(fgrad.grad(ours, argnums=(0, 1))(X, v), jax.grad(theirs, argnums=(0, 1))(jx, jv)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fgrad.hessian(ours, argnums=1)(X, v), jax.hessian(theirs, argnums=1)(jx, jv),
                               rtol=1e-9, atol=1e-12)


def test_min_and_max_share_the_derivative_among_ties_as_jax():
    idx, v = np.array([0, 0, 2]), np.array([1.0, 1.0, 9.0])
    x = np.arange(1.0, 5.0)
    for op in ("min", "max"):
        ours = fgrad.grad(lambda x, v, op=op: getattr(x.at[idx], op)(v).sum(), argnums=(0, 1))(x, v)
        theirs = jax.grad(lambda x, v, op=op: getattr(x.at[idx], op)(v).sum(), argnums=(0, 1))(jnp.asarray(x), v)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("idx,vshape", INDICES, ids=IDS)
def test_apply_applies_once_per_occurrence(idx, vshape):
    f = lambda x: x.at[idx].apply(lambda y: y * 1.5 + 0.25)    # noqa: E731
    np.testing.assert_allclose(fgrad.jit(f)(X), f(jnp.asarray(X)), rtol=1e-12)
    check_grads(fgrad.jit(lambda x: x.at[idx].apply(fnp.sin)), (X,), order=2)   # jax has no derivative here


def test_set_keeps_the_last_update_of_a_repeated_index():
    out = fgrad.jit(lambda x: x.at[np.array([0, 2, 0])].set(np.array([1.0, 2.0, 3.0])))(np.zeros(3))
    np.testing.assert_array_equal(out, [3.0, 0.0, 2.0])


def test_divide_of_integers_gives_floats_as_jax():
    x = np.arange(4)
    ours = fgrad.jit(lambda x: x.at[np.array([0, 0, 2])].divide(2))(x)
    theirs = jnp.asarray(x).at[np.array([0, 0, 2])].divide(2)
    assert ours.dtype == theirs.dtype
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("op", OPS + ["get"])
def test_traced_indices_under_vmap_match_jax(op):
    x, v = RNG.uniform(0.5, 2.0, 5), RNG.uniform(0.5, 2.0, 3)
    indices = np.array([[0, 0, 2], [1, 4, 1], [3, 2, 1]])

    def f(module):
        def g(i, x, v):
            out = x.at[i].get() if op == "get" else getattr(x.at[i], op)(v)
            return (out * module.sin(out)).sum()
        return g
    in_axes = (0, None, None)
    np.testing.assert_allclose(fgrad.vmap(f(fnp), in_axes=in_axes)(indices, x, v),
                               jax.vmap(f(jnp), in_axes=in_axes)(indices, jnp.asarray(x), v), rtol=1e-12)
    ours = fgrad.vmap(fgrad.grad(f(fnp), argnums=(1, 2)), in_axes=in_axes)(indices, x, v)
    if op in ("multiply", "divide", "power"):   # jax: no derivative for possibly repeated indices
        for i in indices:
            check_grads(fgrad.jit(lambda x, v, i=i: f(fnp)(i, x, v)), (x, v), order=1)
        return
    theirs = jax.vmap(jax.grad(f(jnp), argnums=(1, 2)), in_axes=in_axes)(indices, jnp.asarray(x), jnp.asarray(v))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", OPS)
def test_vmap_over_the_updated_array_matches_jax(op):
    idx = np.array([0, 0, 2])
    xs, vs = RNG.uniform(0.5, 2.0, (4, 5)), RNG.uniform(0.5, 2.0, (4, 3))
    np.testing.assert_allclose(fgrad.vmap(lambda x, v: getattr(x.at[idx], op)(v))(xs, vs),
                               jax.vmap(lambda x, v: getattr(x.at[idx], op)(v))(jnp.asarray(xs), vs), rtol=1e-12)


def test_apply_with_traced_indices_is_a_clear_error():
    with pytest.raises(NotImplementedError, match=r"set\(func\(x\[idx\]\)\)"):
        fgrad.vmap(lambda i, x: x.at[i].apply(fnp.sin), in_axes=(0, None))(np.array([0, 1]), np.ones(3))


def test_an_unknown_mode_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="mode="):
        fgrad.jit(lambda x: x.at[0].set(1.0, mode="drop"))(np.ones(3))


# --- boolean masks -------------------------------------------------------------------------------

MASKS = [(np.array([True, False, True, True]),), (slice(None), np.array([False, True, True])),
         (X > 1.0,), (Ellipsis, np.array([True, False, True]))]


@pytest.mark.parametrize("mask", MASKS, ids=["rows", "columns", "elements", "ellipsis"])
def test_boolean_mask_gathers_the_true_positions(mask):
    idx = mask if len(mask) > 1 else mask[0]
    f = lambda m: lambda x: (m.sin(x[idx]) * x[idx]).sum()      # noqa: E731
    np.testing.assert_allclose(fgrad.jit(lambda x: x[idx])(X), X[idx])
    np.testing.assert_allclose(fgrad.grad(f(fnp))(X), jax.grad(f(jnp))(jnp.asarray(X)), rtol=1e-12)
    np.testing.assert_allclose(fgrad.hessian(f(fnp))(X), jax.hessian(f(jnp))(jnp.asarray(X)), rtol=1e-10, atol=1e-12)


def test_boolean_mask_of_the_wrong_shape_is_numpys_index_error():
    with pytest.raises(IndexError, match="boolean index did not match indexed array along axis 0"):
        fgrad.jit(lambda x: x[np.array([True, False])])(X)


def test_traced_boolean_mask_is_a_clear_error():
    with pytest.raises(IndexError, match=r"fgrad\.numpy\.where"):
        fgrad.jit(lambda x: x[x > 1.0])(X)
