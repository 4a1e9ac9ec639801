"""torch.utils.swap_tensors (PyTorch's swap_tensors recipe), against PyTorch 2.13."""

from __future__ import annotations

import weakref

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402


def _swap_story(lib):
    t1, t2 = lib.arange(2), lib.arange(3.0, requires_grad=True)
    holder = [t1, t2]
    lib.utils.swap_tensors(t1, t2)
    return [repr(t1), repr(t2), holder[0] is t1, t1.requires_grad, t2.requires_grad, str(t1.dtype)]


def test_swap_exchanges_values_dtype_and_requires_grad():
    assert _swap_story(ft) == _swap_story(torch)


def _swap_parameter(lib):
    lib.manual_seed(0)
    mod = lib.nn.Linear(1, 2, bias=False)
    optimizer = lib.optim.SGD(mod.parameters(), lr=0.1)
    replacement = lib.nn.Parameter(2 * mod.weight.detach())
    lib.utils.swap_tensors(mod.weight, replacement)
    held = optimizer.param_groups[0]["params"][0]
    return [held is mod.weight, type(mod.weight).__name__, held.detach().numpy(), replacement.detach().numpy()]


def test_an_optimizer_sees_a_swapped_parameter():
    got, want = _swap_parameter(ft), _swap_parameter(torch)
    assert got[:2] == want[:2]
    for a, b in zip(got[2:], want[2:]):
        np.testing.assert_array_equal(a, b)


def test_swap_moves_python_attributes_and_class():
    for lib in (ft, torch):
        class Tagged(lib.nn.Parameter):
            pass
        a, b, c = Tagged(lib.ones(2)), Tagged(lib.zeros(2)), lib.full((2,), 5.0)
        a.note = "from a"
        lib.utils.swap_tensors(a, b)
        assert b.note == "from a" and not hasattr(a, "note")
        assert a.tolist() == [0.0, 0.0] and b.tolist() == [1.0, 1.0]
        d = lib.nn.Parameter(lib.zeros(2))
        lib.utils.swap_tensors(c, d)
        assert type(c).__name__ == "Parameter" and type(d) is lib.Tensor
        assert c.tolist() == [0.0, 0.0] and d.tolist() == [5.0, 5.0]


def test_swapping_a_subclass_instance_with_a_plain_tensor_says_what_fgrad_cannot_do():
    class Tagged(ft.nn.Parameter):
        pass
    with pytest.raises(RuntimeError, match="user-defined Tensor subclass"):
        ft.utils.swap_tensors(Tagged(ft.ones(2)), ft.zeros(2))


def test_a_weakly_referenced_tensor_is_refused_as_by_torch():
    for lib in (ft, torch):
        a, b = lib.ones(1), lib.zeros(1)
        ref = weakref.ref(a)
        with pytest.raises(RuntimeError, match="Cannot swap t1 because it has weakref associated with it"):
            lib.utils.swap_tensors(a, b)
        assert ref() is a


def test_a_non_tensor_is_a_clear_error():
    with pytest.raises(TypeError, match="t2 must be a Tensor"):
        ft.utils.swap_tensors(ft.ones(1), [1.0])
