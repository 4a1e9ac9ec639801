"""A node keeps only the input values its backward reads (what torch saves): the others are let go
when the node is recorded, so a long chain holds little, and every result stays PyTorch's. Functions
recorded to be replayed (torch.func, autograd.Function, forward AD) still find every value they read."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402


def test_unread_inputs_are_dropped_and_read_ones_kept():
    x = ft.tensor([0.5, -1.0, 2.0], requires_grad=True)
    s = ft.sin(x)
    y = s * 3.0 + x
    z = y * ft.tensor([1.0, 2.0, 3.0])
    assert s.grad_fn.vals[0] is x._data                     # sin's gradient reads its input
    assert y.grad_fn.vals == (None, None)                   # add reads neither operand
    assert y.grad_fn.next_functions[0][0].vals == (None,)   # nor does a product with a number
    assert z.grad_fn.vals[0] is None and z.grad_fn.vals[1] is not None   # x * c reads c only


def test_a_chain_frees_what_its_backward_does_not_read():
    x = ft.tensor(np.linspace(-1.0, 1.0, 8), requires_grad=True)
    h = x
    dropped = []
    for _ in range(50):
        a = ft.tanh(h) * 0.5                # tanh reads its result, the product nothing
        dropped.append(weakref.ref(a._data))
        h = a + 0.1 * h
    del a
    gc.collect()
    assert all(r() is None for r in dropped)
    h.sum().backward()
    tx = torch.tensor(np.linspace(-1.0, 1.0, 8), requires_grad=True)
    th = tx
    for _ in range(50):
        th = torch.tanh(th) * 0.5 + 0.1 * th
    th.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def _changes_an_unsaved_input(t):
    x = t.ones(3, requires_grad=True)
    a = x * 2.0
    b = a + 1.0                             # add saves nothing: changing a is no error
    a.mul_(5.0)
    (b * b).sum().backward()
    return x.grad


def test_changing_a_dropped_input_in_place_is_fine_as_in_torch():
    np.testing.assert_array_equal(_changes_an_unsaved_input(ft).numpy(), _changes_an_unsaved_input(torch).numpy())


def _twice(t):
    x = t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True)
    y = (t.exp(x) + x * 3.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def test_retained_graph_backward_twice_with_dropped_inputs():
    np.testing.assert_array_equal(_twice(ft).numpy(), _twice(torch).numpy())


def _outer(t):
    w = t.tensor([0.5, 1.5], requires_grad=True)
    v = w * 2.0                             # made outside the transformed function: its value is dropped
    g = t.func.grad(lambda x: (t.sin(x) + v).sum() * (x * v).sum())(t.tensor([0.3, -0.7]))
    return g


def test_torch_func_reads_values_of_outer_tensors():
    np.testing.assert_allclose(_outer(ft).detach().numpy(), _outer(torch).detach().numpy(), rtol=1e-6)


def _function(t):
    class Scale(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(w)
            return (x + w) * w

        @staticmethod
        def backward(ctx, g):
            (w,) = ctx.saved_tensors
            return g * w, None

    x = t.tensor([1.0, 2.0], requires_grad=True)
    w = t.tensor([3.0, 4.0])
    Scale.apply(x + 1.0, w).sum().backward()
    return x.grad


def test_autograd_function_replays_with_every_value():
    np.testing.assert_array_equal(_function(ft).numpy(), _function(torch).numpy())


def _dual(t):
    import importlib
    fw = importlib.import_module(t.__name__ + ".autograd.forward_ad")
    w = t.tensor([2.0, -1.0], requires_grad=True)
    with fw.dual_level():
        d = fw.make_dual(t.tensor([0.5, 0.25]), t.tensor([1.0, 3.0]))
        y = t.sin(d + w) * (w + 1.0)         # the sums drop their operands, w among them
        return fw.unpack_dual(y).tangent.detach().clone()


def test_forward_ad_reads_a_dropped_leaf_from_the_leaf():
    np.testing.assert_allclose(_dual(ft).numpy(), _dual(torch).numpy(), rtol=1e-6)
