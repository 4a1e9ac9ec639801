"""nn.ModuleDict against PyTorch 2.13: printing, order, registered parameters, and the dict methods."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402


def _story(lib):
    lib.manual_seed(0)
    layers = lib.nn.ModuleDict({"conv": lib.nn.Linear(2, 3), "act": lib.nn.ReLU()})
    layers.update([("out", lib.nn.Linear(3, 1)), ("extra", lib.nn.Tanh())])
    layers["head"] = lib.nn.Linear(1, 1)
    seen = [repr(layers), list(layers), len(layers), "act" in layers, "nope" in layers]
    popped = layers.pop("extra")
    del layers["act"]
    seen += [type(popped).__name__, list(layers.keys()), [type(m).__name__ for m in layers.values()],
             [k for k, _ in layers.items()], list(layers.state_dict()), [n for n, _ in layers.named_parameters()]]

    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.blocks = layers

        def forward(self, x):
            return self.blocks["head"](self.blocks["out"](self.blocks["conv"](x)))
    net = Net()
    out = net(lib.ones(4, 2))
    out.sum().backward()
    seen += [repr(net), list(net.state_dict())]
    grads = [p.grad.numpy() for p in net.parameters()]
    layers.clear()
    seen += [len(layers), list(net.state_dict())]
    return seen, out.detach().numpy(), grads


def test_module_dict_matches_torch():
    got, want = _story(ft), _story(torch)
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    assert len(got[2]) == len(want[2]) == 6
    for a, b in zip(got[2], want[2]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_missing_key_is_a_key_error_as_in_torch():
    for lib in (ft, torch):
        with pytest.raises(KeyError):
            lib.nn.ModuleDict()["missing"]
