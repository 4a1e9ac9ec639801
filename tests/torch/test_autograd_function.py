"""torch.autograd.Function and torch.utils.checkpoint in fgrad.torch against PyTorch 2.13: PyTorch's
documented examples (LegendrePolynomial3 from "Learning PyTorch with Examples", a custom exp, a
two-layer net with a custom ReLU, double backward of a custom cube), the ctx methods, and errors.
Printed results, grad_fn names and gradients must be torch's."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402
import fgrad.torch.utils.checkpoint  # noqa: E402,F401  (torch.utils.checkpoint)


def printed(case) -> None:
    """case(lib) returns things to print; fgrad.torch prints them as torch does (object addresses aside)."""
    got, want = case(ft), case(torch)
    assert _text(got) == _text(want), f"{case.__name__}:\nfgrad.torch: {got}\ntorch:       {want}"


def _text(values) -> str:
    import re
    return re.sub(r"0x[0-9a-f]+", "0x", repr(values))


# --- the Function classes, written once for either library -----------------------------------------

def legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002 - the tutorial's names
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors  # noqa: A001
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def custom_exp(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            result, = ctx.saved_tensors
            return grad_output * result
    return Exp


def custom_relu(lib):
    class MyReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):  # noqa: A002
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors  # noqa: A001
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input
    return MyReLU


def cube(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x):
            return x ** 3

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, grad_out):
            x, = ctx.saved_tensors
            return grad_out * 3 * x ** 2
    return Cube


# --- PyTorch's examples ------------------------------------------------------------------------------

def test_legendre_polynomial_tutorial_trains_as_in_torch():
    def train(lib):
        P3 = legendre(lib).apply
        x = lib.linspace(-math.pi, math.pi, 2000)
        y = lib.sin(x)
        a, b, c, d = (lib.full((), v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
        losses = []
        for t in range(150):
            y_pred = a + b * P3(c + d * x)
            loss = (y_pred - y).pow(2).sum()
            if t % 50 == 49:
                losses.append(loss.item())
            loss.backward()
            with lib.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-6 * p.grad
                    p.grad = None
        return losses, [p.item() for p in (b, d)], y_pred.grad_fn.next_functions[1][0].next_functions[1][0].name()
    (ours, ours_p, ours_name), (theirs, theirs_p, theirs_name) = train(ft), train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    np.testing.assert_allclose(ours_p, theirs_p, rtol=1e-5)
    assert ours_name == theirs_name == "LegendrePolynomial3Backward"


def test_custom_exp_prints_and_differentiates_twice_as_torch():
    def case(lib):
        x = lib.tensor([0.5, 1.0, -2.0], requires_grad=True)
        y = custom_exp(lib).apply(x)
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        return y, g, x.grad, type(y.grad_fn).__name__, y.grad_fn
    printed(case)


def test_two_layer_net_with_a_custom_relu_trains_as_in_torch():
    def train(lib):
        lib.manual_seed(0)
        relu = custom_relu(lib).apply
        x, y = lib.randn(16, 5), lib.randn(16, 2)
        w1 = lib.randn(5, 8, requires_grad=True)
        w2 = lib.randn(8, 2, requires_grad=True)
        losses = []
        for _ in range(20):
            y_pred = relu(x.mm(w1)).mm(w2)
            loss = (y_pred - y).pow(2).sum()
            losses.append(loss.item())
            loss.backward()
            with lib.no_grad():
                w1 -= 1e-3 * w1.grad
                w2 -= 1e-3 * w2.grad
                w1.grad.zero_()
                w2.grad.zero_()
        return losses, relu(x.mm(w1))
    (ours, h), (theirs, th) = train(ft), train(torch)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert _text(h)[:40] == _text(th)[:40] and "MyReLUBackward" in repr(h)
    # float32 products add in another order than torch's BLAS: values near zero differ by ~1e-7 absolute
    np.testing.assert_allclose(h.detach().numpy(), th.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_double_backward_of_a_custom_cube():
    def case(lib):
        x = lib.tensor([1.5, -0.5], dtype=lib.double, requires_grad=True)
        out = cube(lib).apply(x)
        gx, = lib.autograd.grad(out.sum(), x, create_graph=True)
        ggx, = lib.autograd.grad(gx.sum(), x, create_graph=True)
        gggx, = lib.autograd.grad(ggx.sum(), x)
        return out, gx, ggx, gggx
    printed(case)


# --- ctx ---------------------------------------------------------------------------------------------

def test_needs_input_grad_non_differentiable_outputs_and_none_gradients():
    def case(lib):
        seen = []

        class ScaledMax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, scale, k):
                seen.append(ctx.needs_input_grad)
                where = x.argmax()
                ctx.mark_non_differentiable(where)
                ctx.save_for_backward(x, scale)
                ctx.k = k
                return x * scale * k, where

            @staticmethod
            def backward(ctx, g, g_where):
                x, scale = ctx.saved_tensors
                seen.append(g_where is None)
                return g * scale * ctx.k, None, None

        x = lib.tensor([3.0, 1.0, 2.0], requires_grad=True)
        values, where = ScaledMax.apply(x, lib.tensor(2.0), 4)
        (values * lib.tensor([1.0, 10.0, 100.0])).sum().backward()
        return values, where, where.requires_grad, x.grad, seen
    printed(case)


def test_set_materialize_grads_false_passes_none():
    def case(lib):
        seen = []

        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, ga, gb):
                seen.append((ga is None, gb is None))
                return (0 if ga is None else ga * 2) + (0 if gb is None else gb * 3)

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a, _ = Two.apply(x)
        a.sum().backward()
        return x.grad, seen
    printed(case)


def test_once_differentiable_refuses_a_second_derivative():
    def case(lib):
        from_module = ft.autograd.function if lib is ft else torch.autograd.function

        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @from_module.once_differentiable
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g

        x = lib.tensor([1.0, 3.0], requires_grad=True)
        v = lib.tensor([1.0, 1.0], requires_grad=True)     # a gradient that requires grad: torch's case
        g, = lib.autograd.grad(Square.apply(x), x, grad_outputs=v, create_graph=True)
        g.sum().backward()
    assert_same_outcome(case, ft, torch)


def test_a_wrong_number_of_gradients_is_torch_s_error():
    def case(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x * y

            @staticmethod
            def backward(ctx, g):
                return g

        x = lib.tensor([1.0], requires_grad=True)
        Bad.apply(x, lib.tensor([2.0])).sum().backward()
    assert_same_outcome(case, ft, torch)


def test_without_inputs_requiring_grad_the_output_has_no_grad_fn():
    printed(lambda lib: custom_exp(lib).apply(lib.tensor([0.0, 1.0])))


# --- torch.utils.checkpoint --------------------------------------------------------------------------

def test_checkpoint_matches_torch():
    def case(lib):
        from_module = ft.utils.checkpoint if lib is ft else torch.utils.checkpoint
        lib.manual_seed(0)
        lin = lib.nn.Linear(3, 3)
        x = lib.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], requires_grad=True)

        def block(t):
            return lib.tanh(lin(t)) * t
        y = from_module.checkpoint(block, x, use_reentrant=False)
        z = from_module.checkpoint(block, y, use_reentrant=True)
        z.sum().backward()
        return y, z, x.grad, lin.weight.grad, lin.bias.grad
    printed(case)


def test_checkpoint_warns_as_torch_without_use_reentrant():
    def case(lib):
        from_module = ft.utils.checkpoint if lib is ft else torch.utils.checkpoint
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from_module.checkpoint(lambda t: t * 2, lib.ones(2))
        return [str(w.message) for w in caught]
    printed(case)
