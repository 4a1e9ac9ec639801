"""The passes' shortcuts for long programs give what the general path gives."""

from __future__ import annotations

import numpy as np
import pytest
from random_expressions import random_expression

import fgrad
import fgrad.numpy as fnp
from fgrad.transforms import polynomial
from fgrad.transforms.ad import backward_ir
from fgrad.transforms.simplify import dce, simplify


def _steps(x, n):
    for i in range(n):          # the repeated trees of an unrolled loop, and their backward blocks
        x = fnp.sin(x) * 0.9 + 0.1 * x if i % 2 else x - 0.05 * x * fnp.log1p(x * x)
    return fnp.sum(x)


def _programs(seed: int) -> list:
    rng = np.random.default_rng(seed)
    expr = random_expression(rng, 4)
    inputs = [rng.uniform(-2.0, 2.0, 5) for _ in range(3)]
    # one tree shape, its leaves in several program orders
    forward = fgrad.make_ir(lambda a, b, c: fnp.sum(expr([a, b, c]) + expr([c, a, b]) * expr([b, c, a])
                                                    - expr([a, b, c]) * 2.0))(*inputs)
    return [forward, simplify(backward_ir(simplify(forward, horner=False), [0, 1]), horner=False)]


def _general(self, root):       # what the pass does without remembering shapes
    return polynomial._rewrite(root, self.producer, self.uses, self.order)


@pytest.mark.parametrize("seed", range(40))
def test_remembered_horner_rewrites_equal_worked_out_ones(seed, monkeypatch):
    programs = _programs(seed)
    remembered = [str(dce(polynomial.horner(ir))) for ir in programs]
    monkeypatch.setattr(polynomial._Shapes, "rewrite", _general)
    assert remembered == [str(dce(polynomial.horner(ir))) for ir in programs]


def test_a_repeated_loop_body_is_worked_out_once(monkeypatch):
    ir = simplify(fgrad.make_ir(fgrad.grad(lambda x: _steps(x, 60)))(np.linspace(-1.0, 1.0, 4)), horner=False)
    worked = []
    monkeypatch.setattr(polynomial, "_rewrite", lambda root, *rest: worked.append(root) or None)
    polynomial.horner(ir)
    producer, uses, consumer, _ = polynomial._facts(ir)
    roots = sum(polynomial._is_root(e, uses, consumer, producer) for e in ir.eqns)
    assert 0 < len(worked) <= 12 < roots          # a few shapes, sixty steps of each


def test_gradient_of_a_long_chain_matches_the_unremembered_pass(monkeypatch):
    x = np.linspace(-1.5, 1.5, 6)
    want = fgrad.grad(lambda x: _steps(x, 40))(x)
    monkeypatch.setattr(polynomial._Shapes, "rewrite", _general)
    np.testing.assert_array_equal(fgrad.grad(lambda x: _steps(x, 40))(x), want)


def test_literals_zero_and_minus_zero_are_not_merged():
    x = np.array([1.0, -2.0])
    got = fgrad.jit(lambda x: (x * 0.0, x * -0.0, x - 0.0, x - -0.0))(x)
    for g, w in zip(got, (x * 0.0, x * -0.0, x - 0.0, x - -0.0)):
        np.testing.assert_array_equal(np.signbit(g), np.signbit(w))
