"""F.pad in reflect, replicate and circular mode, and Conv1d/Conv2d padding_mode, against PyTorch 2.13."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402

PADS = [((1, 2, 5), (2, 1)), ((2, 5), (1, 3)), ((1, 2, 4, 4), (1, 2, 3, 0)), ((2, 3, 3), (1, 1, 2, 2)),
        ((1, 1, 2, 3, 3), (1, 1, 1, 1, 1, 1)), ((1, 2, 5), (-1, 2)), ((1, 2, 5), (0, 0))]


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PADS)
def test_pad_values_gradients_and_node_names(mode, shape, pad):
    def run(t):
        x = t.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
        y = t.nn.functional.pad(x, pad, mode=mode)
        (y * y).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), y.grad_fn.name()

    got, want = run(ft), run(torch)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] == want[2]


@pytest.mark.parametrize("case", [((1, 2, 3), (3, 0), "reflect"), ((1, 2, 3, 3), (1, 1, 3, 0), "reflect"),
                                  ((3,), (1, 1), "reflect"), ((2, 3), (1, 1, 1, 1), "replicate"),
                                  ((1, 2, 3), (4, 0), "circular"), ((1, 2, 3), (1, 1), "bogus")])
def test_pad_errors_match_torch(case):
    shape, pad, mode = case
    assert_same_outcome(lambda t: t.nn.functional.pad(t.ones(shape), pad, mode=mode), ft, torch)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular", "zeros"])
@pytest.mark.parametrize("dims,kernel,padding", [(1, 3, 2), (2, 3, 1), (2, 3, (1, 2)), (2, (3, 4), "same"),
                                                 (1, 3, "valid")])
def test_conv_padding_modes(mode, dims, kernel, padding):
    def run(t):
        t.manual_seed(0)
        cls = t.nn.Conv1d if dims == 1 else t.nn.Conv2d
        conv = cls(2, 3, kernel, padding=padding, padding_mode=mode)
        x = t.randn(*((1, 2, 7) if dims == 1 else (1, 2, 6, 7)), requires_grad=True)
        y = conv(x)
        y.square().sum().backward()
        return y.detach().numpy(), x.grad.numpy(), conv.weight.grad.numpy(), repr(conv)

    got, want = run(ft), run(torch)
    for a, b in zip(got[:3], want[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert got[3] == want[3]
