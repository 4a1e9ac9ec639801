"""torch.func results print the grad_fn torch shows (the node of the last operation of what the
transform computes, a view for Jacobians, an alias for jvp's output), compared with real torch."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402

X = np.array([1.0, 2.0, 3.0], np.float32)
W = np.array([0.5, -1.0, 2.0], np.float32)


def _shown(t) -> list:
    func, x = t.func, t.tensor(X, requires_grad=True)
    w = t.tensor(W, requires_grad=True)
    f = lambda v: (v.sin() * v).sum()      # noqa: E731
    results = [func.grad(f)(t.tensor(X)), func.grad(f)(x), func.grad_and_value(f)(x),
               func.grad(lambda v: (v * w).sum())(x), func.grad(lambda v: (v * v).sum())(x).sum(),
               func.vmap(lambda v: v * 2)(x), func.vmap(lambda v: v.exp())(x),
               func.jacrev(lambda v: v.sin())(x), func.jacfwd(lambda v: v.sin())(x), func.hessian(f)(x),
               func.vjp(lambda v: v.sin(), x)[0], func.vjp(lambda v: v.sin(), x)[1](t.ones(3)),
               func.jvp(lambda v: v.sin(), (x,), (t.ones(3),))]
    batch = t.ones(2, 3)
    for reduction in ("sum", "mean", "prod", "max", "min"):
        results.append(func.vmap(lambda v, r=reduction: getattr(v * w, r)())(batch))
    return [repr(r) for r in results]


def test_transform_results_name_their_grad_fn_as_torch():
    for ours, theirs in zip(_shown(ft), _shown(torch), strict=True):
        assert ours.replace("-0.0000", " 0.0000") == theirs.replace("-0.0000", " 0.0000")
