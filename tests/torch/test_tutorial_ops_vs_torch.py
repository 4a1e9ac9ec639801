"""What PyTorch's tutorials call, against PyTorch 2.13: linspace's values, out=, layouts, class names."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402

LINSPACE = [(0.0, 2 * math.pi, 25), (-math.pi, math.pi, 2000), (0, 1, 5), (-1, 1, 7), (5, -3, 77), (0, 1, 1),
            (0, 1, 0), (-3.5, 9.2, 13), (1e-3, 7.7, 333), (0, 100, 40000)]


@pytest.mark.parametrize("start,end,steps", LINSPACE)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_is_bit_exact(start, end, steps, dtype):
    got = ft.linspace(start, end, steps, dtype=getattr(ft, dtype)).numpy()
    want = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_linspace_random_ends_are_bit_exact():
    rng = np.random.default_rng(0)
    for _ in range(200):
        a, b, n = float(rng.normal() * 10), float(rng.normal() * 10), int(rng.integers(2, 3000))
        np.testing.assert_array_equal(ft.linspace(a, b, n).numpy(), torch.linspace(a, b, n).numpy())


OUT_CASES = {
    "matmul": lambda t, out: t.matmul(t.ones(4, 4), t.ones(4, 4).T, out=out),
    "mul": lambda t, out: t.mul(t.ones(4, 4), t.full((4, 4), 3.0), out=out),
    "add_scalar": lambda t, out: t.add(t.ones(4, 4), 2, out=out),
    "sub": lambda t, out: t.sub(t.ones(4, 4), t.ones(4), out=out),
}


@pytest.mark.parametrize("name", list(OUT_CASES))
def test_out_writes_into_the_given_tensor_and_returns_it(name):
    for lib in (ft, torch):
        out = lib.zeros(4, 4)
        result = OUT_CASES[name](lib, out)
        assert result is out
    np.testing.assert_array_equal(OUT_CASES[name](ft, ft.zeros(4, 4)).numpy(),
                                  OUT_CASES[name](torch, torch.zeros(4, 4)).numpy())


def test_out_of_another_shape_or_dtype_is_resized_or_cast_as_torch_does():
    for lib in (ft, torch):
        grown = lib.empty(0)
        lib.add(lib.ones(3), 1, out=grown)
        assert tuple(grown.shape) == (3,)
        double = lib.empty(2, dtype=lib.float64)
        lib.mul(lib.ones(2), 3, out=double)
        assert double.dtype == lib.float64 and double.tolist() == [3.0, 3.0]


def test_out_errors_match_torch():
    def needs_grad(t):
        return t.add(t.ones(2, requires_grad=True), 1, out=t.empty(2))

    def float_into_long(t):
        return t.add(t.ones(2), 1.5, out=t.empty(2, dtype=t.long))

    for fn in (needs_grad, float_into_long):
        assert_same_outcome(fn, ft, torch)


def test_rand_out_draws_the_same_numbers_into_the_tensor():
    got, want = ft.zeros(2, 3), torch.zeros(2, 3)
    ft.manual_seed(3)
    torch.manual_seed(3)
    assert ft.rand(2, 3, out=got) is got and torch.rand(2, 3, out=want) is want
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_conv_and_pool_outputs_can_be_viewed_flat_as_in_lenet():
    def lenet_features(t):
        t.manual_seed(0)
        conv = t.nn.Conv2d(1, 6, 5)
        x = t.nn.functional.max_pool2d(t.nn.functional.relu(conv(t.randn(2, 1, 12, 12))), 2)
        return x.view(-1, 6 * 4 * 4).is_contiguous(), conv(t.randn(1, 1, 6, 6)).view(-1).shape[0]

    assert_same_outcome(lenet_features, ft, torch)


def test_classes_print_under_torch_names():
    assert repr(type(ft.ones(1))) == repr(type(torch.ones(1))) == "<class 'torch.Tensor'>"
    assert repr(ft.Tensor) == repr(torch.Tensor)
    assert repr(type(ft.nn.Parameter(ft.ones(1)))) == repr(type(torch.nn.Parameter(torch.ones(1))))

    class Mine(ft.Tensor):
        pass
    assert repr(Mine).endswith(".Mine'>")
