"""At infinities, fgrad.torch's gradients are NaN exactly where PyTorch's are: its backward programs
keep reverse mode's order of sums instead of rebuilding them in Horner form."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from random_expressions import random_expression  # noqa: E402

import fgrad.torch as ft  # noqa: E402


def _grads(lib, expr, values):
    xs = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in values]
    expr(xs).sum().backward()
    return [None if x.grad is None else x.grad.detach().numpy() for x in xs]


# expressions whose gradients change NaN pattern at infinities when sums are rebuilt in Horner form
@pytest.mark.parametrize("seed", [46, 56, 95, 115, 125, 245, 276])
def test_gradients_are_nan_where_torch_has_nan(seed):
    rng = np.random.default_rng(seed)
    expr = random_expression(rng, 4)
    values = [rng.choice([0.0, 1.0, -2.0, 0.5, np.inf, -np.inf], 5) for _ in range(3)]
    with np.errstate(all="ignore"):
        ours, theirs = _grads(ft, expr, values), _grads(torch, expr, values)
    for a, b in zip(ours, theirs):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
            finite = np.isfinite(b)
            np.testing.assert_allclose(a[finite], b[finite], rtol=1e-12)
