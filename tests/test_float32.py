"""float32 stays float32: a derivative rule's constants take the dtype of their operand, so values and
gradients of a float32 program are float32 at every order, on both backends, as in jax.

Every primitive in the registry is walked through the examples of tests/test_primitives.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_primitives import DIFF, NONDIFF

import fgrad
import fgrad.numpy as fnp
from fgrad.core import REGISTRY
from fgrad.errors import MissingRuleError

BACKENDS = ["numpy", pytest.param("xla", marks=pytest.mark.skipif(
    __import__("importlib").util.find_spec("jax") is None, reason="jax is not installed"))]
CASES = [(name, k, fn, args) for name, entries in DIFF.items() for k, (fn, args) in enumerate(entries)]


def test_every_primitive_is_walked():
    assert set(DIFF) | set(NONDIFF) == set(REGISTRY)


def _gradients(fn, args, backend, orders=2):
    """First and second order gradients (or the first only) of a scalar reduction of `fn`, compiled
    for `backend`."""
    w = np.random.default_rng(1).standard_normal(np.shape(fn(*args))).astype(np.float32)
    argnums = tuple(range(len(args)))
    scalar = lambda *a: fnp.sum(fn(*a) * w)  # noqa: E731
    first = fgrad.grad(scalar, argnums=argnums)
    vs = [np.random.default_rng(2 + i).standard_normal(np.shape(a)).astype(np.float32) for i, a in enumerate(args)]
    second = fgrad.grad(lambda *a: sum(fnp.sum(g * v) for g, v in zip(first(*a), vs)), argnums=argnums)
    return [fgrad.jit(f, backend=backend)(*args) for f in (first, second)[:orders]]


def _xla_gradients(fn, args):
    """The xla backend's gradients, to the highest order jax has rules for (fgrad's numpy backend
    has them all): some special functions' higher orders (Bessel functions of other orders, the
    incomplete gamma and beta functions in their shape parameters) raise MissingRuleError there."""
    for orders in (2, 1):
        try:
            return _gradients(fn, args, "xla", orders=orders)
        except MissingRuleError as err:
            if "xla (jax has" not in str(err):
                raise
            reason = str(err).splitlines()[0]
    pytest.skip(f"jax has no rule for this case: {reason}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name,k,fn,args", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_float32_gradients_stay_float32(name, k, fn, args, backend):
    args32 = [a.astype(np.float32) for a in args]
    assert name in {e.prim.name for e in fgrad.make_ir(fn)(*args32).eqns}, f"the example does not bind {name}"
    got = _gradients(fn, args32, backend) if backend == "numpy" else _xla_gradients(fn, args32)
    want = _gradients(fn, args, "numpy", orders=len(got))
    for order, grads, wants in zip(("first", "second"), got, want):
        for i, (g, w) in enumerate(zip(grads, wants)):
            assert np.asarray(g).dtype == np.float32, f"{name}: {order}-order gradient {i} is {np.asarray(g).dtype}"
            np.testing.assert_allclose(np.asarray(g), w, rtol=2e-3, atol=2e-3 * max(1, np.abs(w).max()))


X32 = np.array([1.0, -2.0, 3.0, 0.5], np.float32)
KNOWN = {
    "abs": lambda x: fnp.sum(fnp.abs(x)),
    "linalg.norm": lambda x: fnp.linalg.norm(x),
    "where over sqrt": lambda x: fnp.sum(fnp.where(x > 0, fnp.sqrt(fnp.abs(x)), x)),
    "max with a Python float": lambda x: fnp.sum(fnp.maximum(x, 0.7) ** 2),
    "mean": lambda x: fnp.mean(x * x),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_float32_gradients(name, backend):
    f = KNOWN[name]
    for g in (fgrad.jit(fgrad.grad(f), backend=backend)(X32), fgrad.grad(f)(X32),
              fgrad.jit(fgrad.grad(lambda x: fnp.sum(fgrad.grad(f)(x) * x)), backend=backend)(X32)):
        assert np.asarray(g).dtype == np.float32, f"{name} ({backend}): {np.asarray(g).dtype}"
    value, grad = fgrad.value_and_grad(f)(X32)
    assert np.asarray(value).dtype == np.float32 and grad.dtype == np.float32
    np.testing.assert_allclose(grad, fgrad.grad(f)(X32.astype(np.float64)), rtol=1e-6)
