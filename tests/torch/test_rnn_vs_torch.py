"""torch.nn.LSTM against PyTorch 2.13: initial draws, outputs, final states, gradients, printing."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402


@pytest.mark.parametrize("kwargs,shape", [({}, (5, 2, 3)), ({"num_layers": 2}, (4, 1, 3)),
                                          ({"batch_first": True}, (2, 5, 3)), ({"bias": False}, (3, 2, 3)),
                                          ({}, (6, 3))])
def test_lstm_matches_torch(kwargs, shape):
    def run(t):
        t.manual_seed(1)
        lstm = t.nn.LSTM(3, 4, **kwargs)
        x = t.randn(*shape, requires_grad=True)
        out, (h, c) = lstm(x)
        (out.square().sum() + h.sum() + 2 * c.sum()).backward()
        grads = [p.grad.numpy() for p in lstm.parameters()]
        return out.detach().numpy(), h.detach().numpy(), c.detach().numpy(), x.grad.numpy(), grads, \
            [n for n, _ in lstm.named_parameters()], repr(lstm), out.grad_fn.name(), h.grad_fn.name()

    got, want = run(ft), run(torch)
    for a, b in zip(got[:4], want[:4]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(got[4], want[4]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    assert got[5:] == want[5:]


def test_lstm_with_given_state_continues_a_sequence():
    def run(t):
        t.manual_seed(1)
        lstm = t.nn.LSTM(3, 3)
        inputs = [t.randn(1, 3) for _ in range(5)]
        hidden = (t.randn(1, 1, 3), t.randn(1, 1, 3))
        for i in inputs:
            out, hidden = lstm(i.view(1, 1, -1), hidden)
        return str(out), str(hidden)

    assert run(ft) == run(torch)


@pytest.mark.parametrize("ndim", [1, 2, 3, 4])
def test_softmax_without_dim_picks_torchs_axis_and_warns(ndim):
    def run(t):
        x = t.arange(float(2 ** ndim)).reshape((2,) * ndim)
        with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
            a = t.nn.functional.log_softmax(x)
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            b = t.nn.Softmax()(x)
        return str(a), str(b)

    assert run(ft) == run(torch)
