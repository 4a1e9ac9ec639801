"""The calls PyTorch's leaf and non-leaf tensor tutorial is about (is_leaf, requires_grad, retain_grad,
retains_grad, grad_fn, next_functions, .grad of leaves and non-leaves, detach), printed by fgrad.torch
exactly as by torch, seeds included."""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")     # object reprs: the address differs between any two runs


def _leaf_calls(lib) -> tuple:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lib.manual_seed(0)
        x = lib.ones(1, 4)
        w = lib.rand(4, 1, requires_grad=True)
        b = lib.rand(1, requires_grad=True)
        z = x @ w + b
        y = lib.nn.functional.relu(z)
        print(x.is_leaf, w.is_leaf, b.is_leaf, z.is_leaf, y.is_leaf)
        print(x.requires_grad, z.requires_grad, z.grad_fn, z.retains_grad)
        z.retain_grad()
        print(z.retains_grad, w.retains_grad)
        y.backward()
        print(w.grad, b.grad, z.grad, y.grad, sep="\n")
        print(y.grad_fn, y.grad_fn.next_functions)
        print(z.grad_fn.next_functions)
        c = lib.rand(3, requires_grad=True).detach()
        print(c.is_leaf, c.requires_grad, c.grad_fn)
        d = w.sum() * 2
        d.retain_grad()
        d.backward()
        print(d.grad, w.grad)
        w.retain_grad()
        print(w.retains_grad)
        try:
            x.retain_grad()
        except RuntimeError as e:
            print(type(e).__name__, e)
    said = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    return _ADDRESS.sub("", out.getvalue()).splitlines(), said


def test_leaf_and_non_leaf_calls_print_what_torch_prints():
    (printed, warned), (torch_printed, torch_warned) = _leaf_calls(ft), _leaf_calls(torch)
    assert printed == torch_printed
    assert warned == torch_warned and warned          # .grad of a non-leaf warns, as torch's
