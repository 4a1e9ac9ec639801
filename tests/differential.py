"""One differential check shared by the hypothesis tests: a function built once with fgrad's modules and
once with jax's agrees in value, in the gradient of a random weighting of its output, and in a
Hessian-vector product (the gradient of that gradient against a random direction)."""

from __future__ import annotations

import jax
import numpy as np
from hypothesis import HealthCheck, settings

import fgrad

jax.config.update("jax_enable_x64", True)

# bounded runs: both hypothesis files together stay within a few minutes on one core
bounded = settings(max_examples=10, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _close(ours, theirs, rtol, atol, what):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=what)


def _derivatives(fn, grad, sum_, args, argnums, w, vs):
    """(value, gradient of sum(fn * w), Hessian-vector product against vs), written with one library."""
    scalar = lambda *a: sum_(fn(*a) * w)
    first = grad(scalar, argnums=argnums)
    hvp = grad(lambda *a: sum(sum_(g * v) for g, v in zip(first(*a), vs)), argnums=argnums)
    return fn(*args), first(*args), hvp(*args)


def agree(ours_fn, theirs_fn, args, *, seed=0, rtol=1e-9, atol=1e-10, argnums=None):
    """Assert `ours_fn` (fgrad) and `theirs_fn` (jax) agree on `args` in value, gradient and
    Hessian-vector product. jax's side runs under one jax.jit, so each example compiles once.

    Example: agree(lambda x: fnp.sin(x), lambda x: jnp.sin(x), [np.ones(3)])
    """
    args = [np.asarray(a) for a in args]
    if argnums is None:
        argnums = tuple(i for i, a in enumerate(args) if a.dtype.kind == "f")
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(np.shape(jax.eval_shape(theirs_fn, *args)))
    vs = [rng.standard_normal(args[i].shape) for i in argnums]
    theirs = jax.jit(lambda *a: _derivatives(theirs_fn, jax.grad, jax.numpy.sum, a, argnums, w, vs))(*args)
    ours = _derivatives(ours_fn, fgrad.grad, fgrad.numpy.sum, args, argnums, w, vs)
    _close(ours[0], theirs[0], rtol, atol, "value")
    for order, scale in ((1, 10), (2, 100)):
        for k, (g, h) in enumerate(zip(ours[order], theirs[order])):
            _close(g, h, rtol * scale, atol * scale, f"derivative {order} in argument {k}")
