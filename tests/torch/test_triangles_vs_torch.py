"""torch.triu / torch.tril (and the methods), against PyTorch 2.13: values, dtypes, grad_fn and gradients."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402

SHAPES = [(3, 3), (2, 4), (5, 2), (2, 3, 4), (1, 0, 3)]
DIAGONALS = [0, 1, -1, 2, -3, 7]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("diagonal", DIAGONALS)
@pytest.mark.parametrize("name", ["triu", "tril"])
def test_values_grad_fn_and_gradient_match_torch(shape, diagonal, name):
    data = np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape)
    weights = np.cos(data)
    results = []
    for lib in (ft, torch):
        x = lib.tensor(data, dtype=lib.float32, requires_grad=True)
        for _ in range(3):           # the later backward passes run the compiled program
            x.grad = None
            y = getattr(lib, name)(x, diagonal)
            (y * lib.tensor(weights, dtype=lib.float32)).sum().backward()
        results.append((y.detach().numpy(), type(y.grad_fn).__name__ if y.numel() else "", x.grad.numpy(),
                        getattr(x, name)(diagonal=diagonal).detach().numpy()))
    (got_y, got_fn, got_g, got_m), (want_y, want_fn, want_g, want_m) = results
    np.testing.assert_array_equal(got_y, want_y)
    np.testing.assert_array_equal(got_g, want_g)
    np.testing.assert_array_equal(got_m, want_m)
    assert got_fn == want_fn


@pytest.mark.parametrize("dtype", ["int64", "bool", "float64"])
def test_dtype_is_kept(dtype):
    got = ft.triu(ft.ones(3, 3).to(getattr(ft, dtype)), 1)
    want = torch.triu(torch.ones(3, 3).to(getattr(torch, dtype)), 1)
    assert str(got.dtype) == str(want.dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("name", ["triu", "tril"])
def test_fewer_than_two_dimensions_is_torchs_error(name):
    for lib in (ft, torch):
        with pytest.raises(RuntimeError, match=f"{name}: input tensor must have at least 2 dimensions"):
            getattr(lib, name)(lib.ones(3))
