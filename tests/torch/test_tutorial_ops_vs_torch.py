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


INSIDE = [-0.75, -0.5, 0.25, 0.5, 0.9]          # inside (-1, 1), for the inverse trigonometric functions
POSITIVE = [1.5, 2.0, 2.5, 3.25, 7.0]
MIXED = [-2.5, -1.25, 0.5, 1.5, 2.75]
UNARY = {"asin": INSIDE, "acos": INSIDE, "atanh": INSIDE, "asinh": MIXED, "acosh": POSITIVE, "log2": POSITIVE,
         "log10": POSITIVE, "exp2": MIXED, "reciprocal": MIXED, "floor": MIXED, "ceil": MIXED, "trunc": MIXED,
         "frac": MIXED, "round": MIXED}


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_math_values_gradients_and_node_names(name):
    def run(t):
        x = t.tensor(UNARY[name], requires_grad=True)
        y = getattr(t, name)(x)
        y.sum().backward()
        return y.detach().numpy(), x.grad.numpy(), y.grad_fn.name(), str(getattr(x.detach(), name)())

    got, want = run(ft), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
    assert got[2:] == want[2:]


@pytest.mark.parametrize("name", ["floor", "ceil", "round", "trunc"])
def test_rounding_keeps_integer_tensors(name):
    assert str(getattr(ft, name)(ft.tensor([1, -2]))) == str(getattr(torch, name)(torch.tensor([1, -2])))


def test_round_half_to_even_and_decimals():
    values = [0.5, 1.5, 2.5, -0.5, -1.5, 1.2345, 2.675]
    assert str(ft.round(ft.tensor(values))) == str(torch.round(torch.tensor(values)))
    assert str(ft.round(ft.tensor(values), decimals=2)) == str(torch.round(torch.tensor(values), decimals=2))


@pytest.mark.parametrize("name", ["bitwise_xor", "bitwise_and", "bitwise_or", "logical_and", "logical_or",
                                  "logical_xor"])
def test_bitwise_and_logical_ops(name):
    def run(t):
        a, b = t.tensor([1, 5, 11, 0]), t.tensor([2, 7, 10, 0])
        return str(getattr(t, name)(a, b)), str(getattr(t, name)(a > 2, b > 2))

    assert run(ft) == run(torch)
    if name.startswith("bitwise"):
        assert_same_outcome(lambda t: getattr(t, name)(t.ones(2), t.ones(2)), ft, torch)


def test_unique_and_its_extras():
    def run(t):
        x = t.tensor([3, 1, 2, 1, 3, 3])
        return (str(t.unique(x)), str(t.unique(x, return_counts=True)), str(t.unique(x, return_inverse=True)),
                str(t.unique(t.tensor([[1.0, 2.0], [1.0, 2.0]]), dim=0)), str(x.unique()))

    assert run(ft) == run(torch)


def test_cross_values_gradients_and_default_dim_warning():
    def run(t):
        a = t.tensor([[1.0, 0.5, -2.0], [0.3, 0.2, 0.1]], requires_grad=True)
        b = t.tensor([[0.0, 1.0, 0.0], [1.0, -1.0, 2.0]])
        y = t.cross(a, b, dim=1)
        y.sum().backward()
        with pytest.warns(UserWarning, match="Using torch.cross without specifying the dim arg is deprecated"):
            default = t.cross(a.detach(), b)
        return str(y.detach()), str(a.grad), y.grad_fn.name(), str(default)

    assert run(ft) == run(torch)
    assert_same_outcome(lambda t: t.cross(t.ones(2), t.ones(2), dim=0), ft, torch)


def test_svd_prints_torch_return_type():
    def run(t):
        m = t.tensor([[2.2125, 2.4985], [2.5332, 0.8822]])
        result = t.svd(m)
        return repr(result), str(result.S), str(result.V.shape)

    got, want = run(ft), run(torch)
    assert got == want


@pytest.mark.parametrize("name", ["sin_", "exp_", "floor_", "abs_", "sqrt_", "reciprocal_", "clamp_min_"])
def test_torch_level_inplace_functions_change_their_argument(name):
    def run(t):
        x = t.tensor([0.25, 1.5, 4.0])
        args = (0.5,) if name == "clamp_min_" else ()
        result = getattr(t, name)(x, *args)
        return result is x, str(x)

    assert run(ft) == run(torch)


def test_inplace_shape_methods():
    def run(t):
        x = t.ones(3, 226, 4)
        x.unsqueeze_(0)
        y = t.ones(2, 3)
        y.t_()
        z = t.ones(1, 4, 1)
        z.squeeze_()
        w = t.ones(2, 5)
        w.transpose_(0, 1)
        a = t.ones(2, requires_grad=True) * 2
        a.unsqueeze_(0)
        a.sum().backward()
        return x.shape, y.shape, z.shape, w.shape, a.shape, a.requires_grad

    assert run(ft) == run(torch)
    assert_same_outcome(lambda t: t.ones(2, requires_grad=True).unsqueeze_(0), ft, torch)


def test_torch_functional_module_is_importable():
    import fgrad.torch.functional as ff
    assert str(ff.unique(ft.tensor([2, 1, 2]))) == str(torch.functional.unique(torch.tensor([2, 1, 2])))


def test_variable_and_typed_constructors_of_old_tutorials():
    def run(t):
        x = t.ones(2)
        v = t.autograd.Variable(x, requires_grad=True)
        w = t.autograd.Variable(x * 2)
        return (v is x, v.requires_grad, x.requires_grad, w.grad_fn, isinstance(x, t.autograd.Variable),
                str(t.LongTensor([1, 2])), str(t.FloatTensor(2, 3).shape), str(t.ByteTensor([1])),
                isinstance(t.ones(1), t.FloatTensor), isinstance(t.ones(1), t.LongTensor), repr(t.LongTensor),
                str(t.Tensor([[1.0, 2.0]])), str(t.DoubleTensor([0.5])))

    assert run(ft) == run(torch)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_optimizer_param_group_keys_in_torch_order(name):
    def run(t):
        opt = getattr(t.optim, name)([t.nn.Parameter(t.ones(1))], lr=0.1)
        return list(opt.param_groups[0]), str(opt), list(opt.state_dict()["param_groups"][0])

    assert run(ft) == run(torch)
