"""Traced arrays have the NumPy methods and operators (against jax), each forwarding to the fgrad.numpy
function of its name; one fgrad.numpy does not have yet raises a NotImplementedError naming it."""

from __future__ import annotations

import copy

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.core import Tracer
from fgrad.errors import ConcretizationError

jax.config.update("jax_enable_x64", True)

X = np.random.default_rng(0).uniform(-1.0, 1.0, (3, 4))
SQUARE = np.random.default_rng(1).uniform(-1.0, 1.0, (3, 3))

# (the fgrad.numpy function the method needs, the call, written once for jax and fgrad arrays, input)
METHODS = [
    ("swapaxes", lambda x: x.swapaxes(0, 1), X), ("cumsum", lambda x: x.cumsum(axis=1), X),
    ("cumprod", lambda x: x.cumprod(0), X), ("any", lambda x: (x > 0.5).any(axis=0), X),
    ("all", lambda x: (x > -0.5).all(), X), ("round", lambda x: x.round(1) * x, X),
    ("clip", lambda x: x.clip(-0.3, 0.4), X), ("matrix_transpose", lambda x: x.mT, X),
    ("transpose", lambda x: x.T, X), ("conj", lambda x: x.conj(), X), ("conjugate", lambda x: x.conjugate(), X),
    ("real", lambda x: x.real, X), ("imag", lambda x: x.imag + x, X), ("ptp", lambda x: x.ptp(axis=1), X),
    ("trace", lambda x: x.trace(), SQUARE), ("diagonal", lambda x: x.diagonal(1), SQUARE),
    ("repeat", lambda x: x.repeat(2, axis=0), X), ("argsort", lambda x: x.argsort(axis=1), X),
    ("sort", lambda x: x.sort(axis=0), X), ("take", lambda x: x.take(np.array([0, 2, 2]), axis=1), X),
    ("dot", lambda x: x.dot(x.T), X), ("ravel", lambda x: x.flatten(), X), ("ravel", lambda x: x.ravel(), X),
    ("squeeze", lambda x: x[None].squeeze(0), X), ("var", lambda x: x.var(axis=0, ddof=1), X),
    ("std", lambda x: x.std(), X), ("prod", lambda x: x.prod(axis=1), X), ("sum", lambda x: x.sum(0), X),
    ("mean", lambda x: x.mean(axis=1, keepdims=True), X), ("max", lambda x: x.max(axis=1), X),
    ("min", lambda x: x.min(), X), ("argmax", lambda x: x.argmax(axis=0), X), ("argmin", lambda x: x.argmin(), X),
    ("astype", lambda x: x.astype(np.float32), X), ("copy", lambda x: x.copy() * 2, X),
    ("reshape", lambda x: x.reshape(2, 6), X), ("transpose", lambda x: x.transpose(1, 0), X),
    ("searchsorted", lambda x: x[0].sort().searchsorted(np.array([0.0, 0.5])), X),
    ("compress", lambda x: x.compress(np.array([True, False, True]), axis=0), X),
]
IDS = [f"{name}-{k}" for k, (name, _, _) in enumerate(METHODS)]


def _values_and_grads(module, jit, grad, call, x):
    out = jit(call)(x)
    if np.asarray(out).dtype.kind != "f":
        return out, None
    return out, grad(lambda x: (module.sin(call(x)) * 1.5).sum())(x)


@pytest.mark.parametrize("name,call,x", METHODS, ids=IDS)
def test_method_matches_jax_or_names_the_missing_function(name, call, x):
    if not hasattr(fnp, name):
        with pytest.raises(NotImplementedError, match=rf"fgrad\.numpy\.{name}\b"):
            fgrad.jit(call)(x)
        return
    ours = _values_and_grads(fnp, fgrad.jit, fgrad.grad, call, x)
    theirs = _values_and_grads(jnp, jax.jit, jax.grad, call, x)
    np.testing.assert_allclose(np.asarray(ours[0]), np.asarray(theirs[0]), rtol=1e-6)
    assert np.asarray(ours[0]).dtype == np.asarray(theirs[0]).dtype
    if theirs[1] is not None:
        np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6, atol=1e-12)


def test_a_function_added_to_fgrad_numpy_later_is_a_method_at_once(monkeypatch):
    monkeypatch.setattr(fnp, "cumsum", lambda x, axis=None: x * 3.0 + axis, raising=False)
    out = fgrad.jit(lambda x: x.cumsum(axis=1))(np.ones(2))
    np.testing.assert_array_equal(out, [4.0, 4.0])


def test_an_operator_whose_function_is_missing_names_it(monkeypatch):
    monkeypatch.delattr(fnp, "floor_divide", raising=False)
    with pytest.raises(NotImplementedError, match=r"fgrad\.numpy\.floor_divide"):
        fgrad.jit(lambda x: x // 2.0)(np.ones(2))


def test_methods_are_defined_on_the_class_not_attached_later():
    # every operator and method lives in a class body: Tracer's own namespace or a base class's
    for name in ("__add__", "__rmatmul__", "__getitem__", "__array_ufunc__", "sum", "at", "cumsum", "mT"):
        owner = next(k for k in Tracer.__mro__ if name in vars(k))
        assert owner.__module__.startswith("fgrad."), (name, owner)
        assert getattr(vars(owner)[name], "__module__", owner.__module__) in ("fgrad._tracer_methods", None), name


def test_item_under_jit_raises_concretization_error():
    with pytest.raises(ConcretizationError, match=r"\.item\(\)"):
        fgrad.jit(lambda x: x.sum().item())(np.ones(2))


def test_item_on_an_undifferentiated_value_reads_it_under_grad():
    def f(x):
        n = (x > 0).sum().item()      # a count: no derivative to lose
        return (x * n).sum()
    np.testing.assert_allclose(fgrad.grad(f)(np.array([1.0, -1.0, 2.0])), [2.0, 2.0, 2.0])


def test_copy_and_metadata_properties():
    def f(x):
        assert x.nbytes == 8 * x.size and x.itemsize == 8 and copy.copy(x) is x and copy.deepcopy(x) is x
        return x * 2
    np.testing.assert_allclose(fgrad.jit(f)(X), X * 2)


class _Labelled:
    """A minimal array-like of another library: takes part in NumPy's ufunc protocol, wraps results."""

    __array_ufunc__ = np.ndarray.__array_ufunc__

    def __init__(self, data):
        self.data = data

    def __mul__(self, other):
        return _Labelled(self.data * other)

    __rmul__ = __mul__


def test_operators_defer_to_array_likes_of_other_libraries():
    # x * labelled is labelled's own product holding the traced result, as labelled * x is (and as jax defers)
    base = np.array([1.0, 2.0, 3.0])
    for product in (lambda x: x * _Labelled(base), lambda x: _Labelled(base) * x):
        kinds = []

        def loss(x, product=product, kinds=kinds):
            out = product(x)
            kinds.append(type(out))
            return fnp.sum(out.data)

        assert float(fgrad.grad(loss)(2.0)) == 6.0 and kinds == [_Labelled]
