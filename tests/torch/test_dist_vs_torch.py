"""torch.dist against PyTorch 2.13: values, dtypes, grad_fn, gradients (0 at zero distance) and errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402

PS = [2, 1, 3, 0.5, float("inf"), -1]
CASES = {
    "same_shape": (np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]]), np.array([[0.0, 1.0, 1.0], [2.0, 0.0, 1.0]])),
    "broadcast": (np.array([[1.0, -2.0, 3.0], [0.5, 0.25, -1.5]]), np.array([0.3, -0.7, 2.0])),
    "zero_distance": (np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
}


def _run(lib, a, b, p, dtype):
    x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
    y = lib.tensor(b, dtype=getattr(lib, dtype), requires_grad=True)
    d = lib.dist(x, y, p)
    d.backward()
    return d.detach().numpy(), str(d.dtype), type(d.grad_fn).__name__, x.grad.numpy(), y.grad.numpy()


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dist_matches_torch(case, p, dtype):
    a, b = CASES[case]
    if p == -1 and case == "zero_distance":
        pytest.skip("a negative p at a zero difference is infinite in both")
    got, want = _run(ft, a, b, p, dtype), _run(torch, a, b, p, dtype)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(got[0], want[0], rtol=rtol)
    assert got[1:3] == want[1:3]
    np.testing.assert_allclose(got[3], want[3], rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(got[4], want[4], rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("case", list(CASES))
def test_p_zero_counts_differences_and_contributes_no_gradient(case):
    a, b = CASES[case]
    results = []
    for lib in (ft, torch):
        x = lib.tensor(a, requires_grad=True)
        d = lib.dist(x, lib.tensor(b), 0)
        d.backward()
        results.append((float(d), type(d.grad_fn).__name__, x.grad))
    assert results[0][:2] == results[1][:2]
    # torch leaves the gradient undefined (None); fgrad accumulates zeros, the same contribution
    assert results[1][2] is None
    np.testing.assert_array_equal(results[0][2].numpy(), np.zeros_like(a, dtype=np.float32))


def test_errors_match_torch():
    for lib in (ft, torch):
        with pytest.raises(TypeError, match="argument 'other' \\(position 2\\) must be Tensor"):
            lib.dist(lib.ones(2), 1.0)
        with pytest.raises(RuntimeError, match="input dtype should be either floating point or complex. Got Long"):
            lib.dist(lib.ones(2, dtype=lib.int64), lib.zeros(2, dtype=lib.int64))
        with pytest.raises(RuntimeError):
            lib.dist(lib.ones(2), lib.ones(3))
