"""Nothing a user passes becomes source text: generated code holds only names fgrad made and numbers
written from exact int/float/bool values, on both backends.

Every hostile object here has a `__repr__`/`__str__`/`__format__` that returns code which, if it
were pasted into a program and run, would set the environment variable FGRAD_PWNED. Each test
checks the results are right, that the variable stays unset, and that the text is not in the source.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.core import REGISTRY, Primitive, bind

PAYLOAD = "__import__('os').environ.__setitem__('FGRAD_PWNED', '1')"
BACKENDS = ["numpy", pytest.param("xla", marks=pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="jax is not installed"))]


def _hostile(base):
    """A subclass of `base` whose text is code (and, for ints, whose `__index__` is its value)."""
    def text(self, *spec):
        return f"({PAYLOAD}) or 1"
    return type(f"Hostile{base.__name__}", (base,), {"__repr__": text, "__str__": text, "__format__": text})


HInt, HFloat = _hostile(int), _hostile(float)
HF64, HF32, HI64 = _hostile(np.float64), _hostile(np.float32), _hostile(np.int64)


@pytest.fixture(autouse=True)
def no_payload_ran():
    os.environ.pop("FGRAD_PWNED", None)
    yield
    assert "FGRAD_PWNED" not in os.environ, "user text was executed as generated code"


def _source(fn, *args, backend):
    return fgrad.jit(fn, backend=backend).lower(*args).as_text()


def _check(fn, args, want, backend, grad_want=None):
    """fn under jit and grad on `backend` gives `want` (and `grad_want`), with no user text in the source."""
    got = fgrad.jit(fn, backend=backend)(*args)
    np.testing.assert_allclose(np.asarray(got), want)
    assert PAYLOAD not in _source(fn, *args, backend=backend)
    if grad_want is not None:
        scalar = lambda *a: fnp.sum(fn(*a))  # noqa: E731
        np.testing.assert_allclose(fgrad.jit(fgrad.grad(scalar), backend=backend)(*args), grad_want)
        np.testing.assert_allclose(fgrad.grad(scalar)(*args), grad_want)
        assert PAYLOAD not in _source(fgrad.grad(scalar), *args, backend=backend)


X = np.arange(6.0).reshape(2, 3) + 1.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_ints_as_shapes(backend):
    _check(lambda x: fnp.reshape(x, (HInt(3), HInt(2))) * 2.0, [X], X.reshape(3, 2) * 2, backend,
           np.full((2, 3), 2.0))
    _check(lambda x: fnp.broadcast_to(x, (HInt(2), HInt(2), HInt(3))), [X], np.broadcast_to(X, (2, 2, 3)), backend,
           np.full((2, 3), 2.0))
    ones = fnp.ones((HInt(2), HInt(3)))
    _check(lambda x: x * ones + fnp.zeros((HInt(3),)), [X], X, backend, np.ones((2, 3)))
    _check(lambda x: x.reshape(HInt(6)) ** 2, [X], X.reshape(6) ** 2, backend, 2 * X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_ints_as_axes(backend):
    _check(lambda x: fnp.sum(x ** 2, axis=HInt(1)), [X], (X ** 2).sum(1), backend, 2 * X)
    _check(lambda x: fnp.expand_dims(x, HInt(0)) * x, [X], (X * X)[None], backend, 2 * X)
    _check(lambda x: fnp.concatenate([x, x * 3.0], axis=HInt(1)), [X], np.concatenate([X, 3 * X], 1), backend,
           np.full((2, 3), 4.0))
    _check(lambda x: fnp.transpose(x, (HInt(1), HInt(0))) ** 2, [X], (X ** 2).T, backend, 2 * X)
    _check(lambda x: fnp.max(x, axis=(HInt(0),), keepdims=True), [X], X.max(0, keepdims=True), backend,
           np.array([[0.0] * 3, [1.0] * 3]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_ints_as_indices_and_slice_bounds(backend):
    _check(lambda x: x[HInt(1)] ** 2, [X], X[1] ** 2, backend, np.array([[0.0] * 3, 2 * X[1]]))
    _check(lambda x: x[:, HInt(2):HInt(0):-HInt(1)] * 2.0, [X], X[:, 2:0:-1] * 2, backend,
           np.array([[0.0, 2, 2], [0, 2, 2]]))
    _check(lambda x: x.at[HInt(0), HInt(1)].add(5.0), [X], X + np.array([[0, 5, 0], [0, 0, 0]]), backend,
           np.ones((2, 3)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_exponents(backend):
    _check(lambda x: x ** HInt(3), [X], X ** 3, backend, 3 * X ** 2)
    _check(lambda x: x ** HFloat(2.0), [X], X ** 2, backend, 2 * X)
    _check(lambda x: fnp.power(x, HI64(2)), [X], X ** 2, backend, 2 * X)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_scalars_as_literals(backend):
    for k in (HF64(0.5), HFloat(0.5), HInt(2), HI64(2)):
        _check(lambda x, k=k: x * k + k, [X], X * float(k) + float(k), backend, np.full((2, 3), float(k)))
    x32 = X.astype(np.float32)
    got = fgrad.jit(lambda x: x * HF32(0.5), backend=backend)(x32)
    assert np.asarray(got).dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), x32 * np.float32(0.5))
    assert PAYLOAD not in _source(lambda x: x * HF32(0.5), x32, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_scalars_returned_from_a_transformed_function(backend):
    for k in (HF64(1.5), HF32(1.5), HI64(7), HFloat(2.5), HInt(4)):
        value, extra = fgrad.jit(lambda x, k=k: (fnp.sum(x), k), backend=backend)(X)
        assert float(np.asarray(extra)) == float(k)
        assert PAYLOAD not in _source(lambda x, k=k: (fnp.sum(x), k), X, backend=backend)
        (v, aux), g = fgrad.value_and_grad(lambda x, k=k: (fnp.sum(x * k), k), has_aux=True)(X)
        assert float(np.asarray(aux)) == float(k)
        np.testing.assert_allclose(g, np.full((2, 3), float(k)))


@pytest.fixture
def badly_named_primitive():
    """A primitive whose name holds a newline and code (built under a plain name, then renamed, so
    the test does not rely on Primitive rejecting such names)."""
    prim = Primitive("fgrad_test_double", abstract=lambda x: x, impl=lambda x: x * 2, source=__file__,
                     numpy="{0} * 2", jax="{0} * 2")
    prim.def_vjp(lambda ct, x, out: [ct * 2])
    del REGISTRY["fgrad_test_double"]            # keeps the registry to the library's own primitives
    prim.name = f"double\n    {PAYLOAD}\n    #"
    return prim


@pytest.mark.parametrize("backend", BACKENDS)
def test_primitive_name_never_reaches_source(badly_named_primitive, backend):
    fn = lambda x: fnp.sin(bind(badly_named_primitive, x))  # noqa: E731
    _check(fn, [X], np.sin(2 * X), backend, 2 * np.cos(2 * X))
    assert "\n    " + PAYLOAD not in _source(fgrad.grad(lambda x: fnp.sum(fn(x))), X, backend=backend)
