"""torch.autograd.Function applies that repeat one program share it: the backward compiles once, and
gradients stay PyTorch 2.13's when applies differ (other constants, other ctx attributes, a backward
reading this apply's values as a mask) or when several applies meet in one graph."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402


def scaled_cube(lib):
    class ScaledCube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return scale * x ** 3

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 3 * ctx.scale * x ** 2 * grad, None
    return ScaledCube


def masked_relu(lib):
    class MyReLU(lib.autograd.Function):           # the two-layer-net tutorial's: a mask from saved values
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            grad = grad.clone()
            grad[x < 0] = 0
            return grad
    return MyReLU


def gradients(lib, build, inputs: list, scales: list) -> list:
    fn = build(lib)
    out = []
    for values, scale in zip(inputs, scales):
        x = lib.tensor(values, requires_grad=True)
        args = (x,) if scale is None else (x, scale)
        fn.apply(*args).sum().backward()
        out.append(x.grad.numpy().copy())
    return out


def test_repeated_applies_compile_the_backward_once():
    ft.autograd.clear_cache()
    inputs = [np.linspace(-1.0, 1.0, 4, dtype=np.float32) * k for k in (1, 2, 3, 4)]
    ours = gradients(ft, scaled_cube, inputs, [2.0] * 4)
    info = ft.autograd.cache_info()           # two applies eager, the third compiles, then reused
    assert (info["eager"], info["misses"], info["hits"]) == (2, 1, 1)
    for a, b in zip(ours, gradients(torch, scaled_cube, inputs, [2.0] * 4)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("build,scales", [(scaled_cube, [2.0, 3.0, 2.0]), (masked_relu, [None] * 3)])
def test_applies_that_differ_get_their_own_gradients(build, scales):
    inputs = [np.array([-1.0, 0.5, 2.0], np.float32), np.array([1.0, -0.5, -2.0], np.float32),
              np.array([0.3, -0.1, 1.0], np.float32)]
    for a, b in zip(gradients(ft, build, inputs, scales), gradients(torch, build, inputs, scales)):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_applies_meeting_in_one_graph():
    def run(lib):
        relu, cube = masked_relu(lib), scaled_cube(lib)
        x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        y = relu.apply(x) * relu.apply(-x) + cube.apply(x, 2.0) * cube.apply(x * 0.5, 2.0)
        y.sum().backward()
        return x.grad.numpy()
    for _ in range(2):
        np.testing.assert_allclose(run(ft), run(torch), rtol=1e-6)
