"""Dual tensors (torch.autograd.forward_ad) print as PyTorch prints them: `tangent=` instead of a
grad_fn that comes from the dual tensors alone; compared with real torch, text for text."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch.autograd.forward_ad as ft_fwad  # noqa: E402

import fgrad.torch as ft  # noqa: E402

X = np.array([0.5, -1.25, 2.0], np.float32)


def _fwad(t):
    return ft_fwad if t is ft else torch.autograd.forward_ad


def _inside_level(t) -> list:
    fwad = _fwad(t)
    with fwad.dual_level():
        d = fwad.make_dual(t.tensor(X), t.ones(3))
        wide = fwad.make_dual(t.tensor(X, dtype=t.float64), t.tensor(X, dtype=t.float64))
        p = t.tensor([1.0, 3.0, -2.0], requires_grad=True)
        shown = [d, d * 2, d.sin(), (d ** 2).sum(), wide, wide.exp(), t.tensor(1.5) + d, p * 3,
                 fwad.unpack_dual(d * d).primal, fwad.unpack_dual(d * d).tangent]
        return [repr(x) for x in shown]


def _after_level(t) -> list:
    fwad = _fwad(t)
    with fwad.dual_level():
        d = fwad.make_dual(t.tensor(X), t.ones(3))
        y = (d * 2).exp()
    return [repr(d), repr(y), repr(y.sum())]


@pytest.mark.parametrize("case", [_inside_level, _after_level], ids=["inside", "after"])
def test_dual_tensors_print_as_torch(case):
    for ours, theirs in zip(case(ft), case(torch), strict=True):
        assert ours == theirs


def test_a_dual_tensor_mixed_with_one_requiring_grad_shows_both_items():
    def shown(t):
        fwad = _fwad(t)
        with fwad.dual_level():
            p = t.tensor([1.0, 3.0], requires_grad=True)
            z = fwad.make_dual(t.ones(2), t.ones(2)) * p
            return repr(z).startswith("tensor([1., 3.], grad_fn=<MulBackward0>,"), "tangent=tensor([1., 3.]" in repr(z)
    assert shown(ft) == shown(torch) == (True, True)    # the tangent's own grad_fn item is not matched


def test_zero_dim_tensors_format_as_their_number():
    for spec in ("", ".2f", ">8"):
        assert format(ft.tensor(2.5), spec) == format(torch.tensor(2.5), spec)
    assert f"{ft.tensor([1.0])}" == f"{torch.tensor([1.0])}"
    with pytest.raises(TypeError):
        format(ft.tensor([1.0, 2.0]), ".2f")
    with pytest.raises(TypeError):
        format(torch.tensor([1.0, 2.0]), ".2f")
