"""PyTorch's saved-tensor hooks tutorial, against PyTorch 2.13: the order hooks see saved tensors in,
unpacking on every `_saved_*` access, save_on_cpu, DataParallel on a CPU-only build, torch.all/any."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402

BINARY = {
    "mul": lambda t, a, b: a * b,
    "div": lambda t, a, b: a / b,
    "mm": lambda t, a, b: a @ b,
    "maximum": lambda t, a, b: t.maximum(a, b),
    "sub": lambda t, a, b: a - b,
    "mse_loss": lambda t, a, b: t.nn.functional.mse_loss(a, b),
    "exp": lambda t, a, b: t.exp(a) * b,
    "chain": lambda t, a, b: (a * b).exp().mul(b).sin(),
}


def _events(lib, build):
    """What the pack and unpack hooks saw, in order, naming each tensor by its values."""
    data = np.arange(1.0, 10.0).reshape(3, 3)
    a = lib.tensor(data / 10, requires_grad=True)
    b = lib.tensor(data / 7 + 1, requires_grad=True)
    names = [(a, "a"), (b, "b")]
    log = []

    def name(t):
        return next((n for x, n in names if x.shape == t.shape and bool(lib.equal(x.detach(), t.detach()))), "?")

    def pack(t):
        log.append("pack " + name(t))
        return t

    def unpack(t):
        log.append("unpack " + name(t))
        return t
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = build(lib, a, b)
    y.sum().backward()
    return log, a.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("name", list(BINARY))
def test_hooks_see_saved_tensors_in_torchs_order(name):
    got, want = _events(ft, BINARY[name]), _events(torch, BINARY[name])
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    np.testing.assert_allclose(got[2], want[2], rtol=1e-6)


def _double_access(lib):
    calls = []

    def unpack(packed):
        calls.append(len(calls))
        if len(calls) > 1:
            raise FileNotFoundError("the unpack hook deleted its file")
        return packed
    x = lib.ones(5, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, unpack):
        y = x.pow(2)
    first = repr(y.grad_fn._saved_self)
    with pytest.raises(FileNotFoundError):
        print(y.grad_fn._saved_self)
    return first, calls


def test_each_saved_access_calls_the_unpack_hook():
    assert _double_access(ft) == _double_access(torch)


def test_saved_result_goes_through_the_unpack_hook():
    for lib in (ft, torch):
        seen = []

        def unpack(packed, seen=seen):
            seen.append(packed[0])
            return packed[1]
        x = lib.ones(3, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: ("box", t), unpack):
            y = x.exp()
        assert y.grad_fn._saved_result.equal(y)
        assert seen == ["box"]


def _save_on_cpu_run(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Linear(6, 2))
    with lib.autograd.graph.save_on_cpu(pin_memory=True):
        loss = model(lib.ones(3, 4)).pow(2).sum()
    loss.backward()
    return [p.grad.numpy() for p in model.parameters()]


def test_save_on_cpu_gives_torchs_gradients():
    for got, want in zip(_save_on_cpu_run(ft), _save_on_cpu_run(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_data_parallel_on_a_cpu_build_wraps_and_forwards():
    for lib in (ft, torch):
        lib.manual_seed(0)
    nets = [lib.nn.DataParallel(lib.nn.Linear(3, 2)) for lib in (ft, torch)]
    assert repr(nets[0]) == repr(nets[1])
    assert nets[0].device_ids == nets[1].device_ids == []
    assert list(nets[0].state_dict()) == list(nets[1].state_dict())
    np.testing.assert_allclose(nets[0](ft.ones(4, 3)).detach().numpy(),
                               nets[1](torch.ones(4, 3)).detach().numpy(), rtol=1e-6)


TRUTH = [((), None, False), ((2, 3), None, False), ((2, 3), 1, False), ((2, 3), 0, True), ((2, 3, 2), (0, 2), False),
         ((2, 3), -1, True)]


@pytest.mark.parametrize("shape,dim,keepdim", TRUTH)
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool"])
@pytest.mark.parametrize("fn", ["all", "any"])
def test_all_any_match_torch(shape, dim, keepdim, dtype, fn):
    data = (np.arange(int(np.prod(shape))).reshape(shape) % 3 != 0).astype(np.int64)
    results = []
    for lib in (ft, torch):
        t = lib.tensor(data).to(getattr(lib, dtype))
        kwargs = {} if dim is None else {"dim": dim, "keepdim": keepdim}
        results.append((getattr(lib, fn)(t, **kwargs), getattr(t, fn)(**kwargs)))
    for got, want in zip(results[0], results[1]):
        assert str(got.dtype) == str(want.dtype)
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_all_rejects_an_out_of_range_dim_as_torch_does():
    for lib in (ft, torch):
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.all(lib.ones(2, 3), dim=2)
