"""The two tiers of backward(): a structure's first backward runs eagerly (each node signature's own
compiled program), later ones run the structure's whole-graph program. The same loop must give the
same bits in every iteration, and torch's gradients (to rounding) in all of them."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from workloads import chain  # noqa: E402

import fgrad.torch as ft  # noqa: E402
from fgrad.torch import autograd  # noqa: E402


def _mlp(lib, params, data):
    w1, b1, w2 = params
    x, onehot = data
    h = lib.tanh(x @ w1 + b1)
    logits = h @ w2
    logp = logits - lib.logsumexp(logits, dim=1, keepdim=True)
    return -(logp * onehot).sum() / x.shape[0]


def _scalar(lib, params, data):
    (x,) = params
    return lib.sin(x ** 2) * lib.exp(-x) + lib.tanh(x) * 3.0 - lib.sigmoid(x / 2)


def _broadcast(lib, params, data):
    w, b = params
    (x,) = data
    y = lib.relu(x * w + b).clamp(max=2.0)
    return (y.mean(dim=0) ** 2).sum() + lib.where(y > 1.0, y, 0.5 * y).max()


def _setup(kind, rng):
    """(loss, parameter arrays, data arrays) for one workload."""
    if kind == "chain":
        return (lambda lib, p, d: chain(lib, p[0])), [rng.uniform(-2, 2, 64)], []
    if kind == "chain32":
        return (lambda lib, p, d: chain(lib, p[0])), [rng.uniform(-2, 2, 64).astype(np.float32)], []
    if kind == "scalar":
        return _scalar, [np.array(0.7)], []
    if kind == "mlp32":
        f32 = np.float32
        params = [rng.normal(0, 0.3, (20, 16)).astype(f32), np.zeros(16, f32), rng.normal(0, 0.3, (16, 5)).astype(f32)]
        onehot = np.eye(5, dtype=f32)[rng.integers(0, 5, 12)]
        return _mlp, params, [rng.normal(0, 1, (12, 20)).astype(f32), onehot]
    return _broadcast, [rng.normal(0, 1, (3,)), rng.normal(0, 1, (3,))], [rng.normal(0, 1, (8, 3))]


def _loop(lib, loss, params, data, steps=4):
    """Each step's gradients (copies), the parameters unchanged between steps."""
    leaves = [lib.from_numpy(p.copy()).requires_grad_(True) for p in params]
    consts = [lib.from_numpy(d) for d in data]
    grads = []
    for _ in range(steps):
        for leaf in leaves:
            leaf.grad = None
        loss(lib, leaves, consts).backward()
        grads.append([leaf.grad.numpy().copy() for leaf in leaves])
    return grads


@pytest.mark.parametrize("kind", ["chain", "chain32", "scalar", "mlp32", "broadcast"])
def test_every_step_of_a_loop_gives_the_same_bits_and_torchs_gradients(kind):
    loss, params, data = _setup(kind, np.random.default_rng(3))
    autograd.clear_cache()
    steps = _loop(ft, loss, params, data)
    info = autograd.cache_info()
    assert (info["eager"], info["misses"], info["hits"]) == (2, 1, 1)   # two eager steps, a compile, a reuse
    first, *later = steps
    for grads in later:
        for a, b in zip(first, grads):
            assert a.dtype == b.dtype and np.array_equal(a, b), kind
    (want,) = _loop(torch, loss, params, data, steps=1)
    rtol = 1e-5 if first[0].dtype == np.float32 else 1e-12
    for a, b in zip(first, want):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol)


def test_scalar_graph_where_math_raises_falls_back_as_the_compiled_program_does():
    # math.log(0) raises where NumPy returns -inf: the eager sweep restarts in NumPy as a whole
    def grads(lib):
        x = lib.tensor(0.0, dtype=lib.float64, requires_grad=True)
        out = []
        for _ in range(3):
            x.grad = None
            (lib.log(x) * 2.0 + lib.tanh(x + 0.3)).backward()
            out.append(x.grad.item())
        return out

    autograd.clear_cache()
    ours = grads(ft)
    assert (autograd.cache_info()["eager"], autograd.cache_info()["misses"]) == (2, 1)
    assert ours == [ours[0]] * 3 and ours == grads(torch)


def test_eager_gradients_are_arrays_of_their_own():
    a = ft.ones(3, requires_grad=True)
    b = ft.ones(3, requires_grad=True)
    seed = ft.full((3,), 2.0)
    autograd.clear_cache()
    (a + b).backward(seed)                        # both leaves receive the seed itself
    assert autograd.cache_info()["eager"] == 1
    a.grad += 1.0
    assert b.grad.tolist() == [2.0, 2.0, 2.0] and seed.tolist() == [2.0, 2.0, 2.0]


def test_retained_and_requested_gradients_match_between_tiers():
    def run(lib):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        out = []
        for _ in range(3):
            h = lib.sin(x) * x
            h.retain_grad()
            y = (h ** 2).sum()
            (gh, gx) = lib.autograd.grad(y, [h, x], retain_graph=True)
            y.backward()
            out.append((gh.numpy().copy(), gx.numpy().copy(), h.grad.numpy().copy()))
            x.grad = None
        return out

    autograd.clear_cache()
    first, _, compiled = run(ft)
    assert autograd.cache_info()["misses"] == 2      # autograd.grad's and backward's structures
    want = run(torch)[0]
    for a, b, c in zip(first, compiled, want):
        assert np.array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-13)


def test_a_long_graph_seen_once_builds_no_whole_graph_program():
    x = ft.tensor(np.linspace(-1.0, 1.0, 16), requires_grad=True)
    autograd.clear_cache()
    chain(ft, x, steps=4000).backward()
    info = autograd.cache_info()
    assert (info["eager"], info["misses"], info["size"]) == (1, 0, 0)
    xt = torch.tensor(np.linspace(-1.0, 1.0, 16), requires_grad=True)
    chain(torch, xt, steps=4000).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
