"""The Horner pass: fewer equations, the same values, the same infinities and NaNs."""

from __future__ import annotations

import numpy as np
import pytest
from random_expressions import random_expression

import fgrad
import fgrad.numpy as fnp
from fgrad.core import eval_ir
from fgrad.ir_print import typecheck
from fgrad.transforms.polynomial import horner
from fgrad.transforms.simplify import dce, simplify


def bench(x):
    return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))


def _arithmetic(ir) -> list:
    return [e.prim.name for e in ir.eqns if e.prim.name in ("add", "sub", "mul", "div", "neg", "integer_pow")]


def test_gradient_of_the_elementwise_benchmark_takes_the_short_form():
    ir = simplify(fgrad.make_ir(fgrad.grad(bench))(np.ones(4)))
    # tanh, x², -x², exp, 1 + x², 2x, 2x/(1 + x²), 2x + t, t·(..), 1 - (..), e·(..), the sum
    assert len(ir.eqns) == 12
    x = np.linspace(-3.0, 3.0, 101)
    t, e = np.tanh(x), np.exp(-x * x)
    np.testing.assert_allclose(eval_ir(ir, [x])[0], e * (1 - t * (t + 2 * x)) + 2 * x / (1 + x * x),
                               rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("seed", range(200))
def test_random_sums_of_products_keep_their_values(seed):
    rng = np.random.default_rng(seed)
    expr = random_expression(rng, 4)
    inputs = [rng.uniform(-2.0, 2.0, 7) for _ in range(3)]
    ir = fgrad.make_ir(lambda a, b, c: expr([a, b, c]) + expr([c, a, b]) * 1.0)(*inputs)
    rewritten = dce(horner(ir))
    typecheck(rewritten)
    assert len(rewritten.eqns) <= len(ir.eqns)
    want, got = eval_ir(ir, inputs)[0], eval_ir(rewritten, inputs)[0]
    scale = np.max(np.abs(want)) + 1.0
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * scale)


def test_terms_that_cancel_leaves_that_divide_away_and_quotients_of_sums_are_kept():
    x = np.array([np.inf, 0.0, 1.0])
    for fun in (lambda x, y: x * y + x - x * y, lambda x, y: (x * y) / x + y * x,
                lambda x, y: -(y * y) * -((4.0 + x) / x ** 3)):          # no (4 + x)/x³ -> 4/x³ + x/x³
        ir = fgrad.make_ir(fun)(x, np.ones(3))
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(eval_ir(dce(horner(ir)), [x, np.ones(3)])[0],
                                          eval_ir(ir, [x, np.ones(3)])[0])


def test_rewrites_only_when_shorter():
    ir = fgrad.make_ir(lambda a, b: a * b + a)(np.ones(3), np.ones(3))       # a·(b + 1): no gain
    assert _arithmetic(dce(horner(ir))) == _arithmetic(ir)
    ir = fgrad.make_ir(lambda a, b, c: a * b + a * c + a * a)(np.ones(3), np.ones(3), np.ones(3))
    assert len(_arithmetic(dce(horner(ir)))) == 3                              # a·(b + c + a)


def test_shared_values_and_other_shapes_are_leaves():
    def fun(a, s):
        shared = a * a
        return shared + a * s, shared                # `shared` is an output: not expanded
    ir = fgrad.make_ir(fun)(np.arange(3.0), np.float64(2.0))
    rewritten = dce(horner(ir))
    typecheck(rewritten)
    np.testing.assert_allclose(eval_ir(rewritten, [np.arange(3.0), 2.0])[0], np.arange(3.0) ** 2 + 2 * np.arange(3.0))


def test_float32_programs_stay_float32():
    ir = fgrad.make_ir(lambda a, b: a * b + a * a * 3.0)(np.ones(3, np.float32), np.ones(3, np.float32))
    rewritten = dce(horner(ir))
    typecheck(rewritten)
    assert eval_ir(rewritten, [np.ones(3, np.float32)] * 2)[0].dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_literals_that_would_overflow_or_divide_by_zero_are_left_alone(dtype):
    x = np.array([1e-10, 1e-30, 0.0], dtype)
    cases = (lambda x: x / 0.0 + x, lambda x: x * 1e308 * 10.0 + x * x, lambda x: x * 3e38 * 10.0 + x * x)
    for fun in cases:
        ir = fgrad.make_ir(fun)(x)
        with np.errstate(all="ignore"):          # same infinities; finite values up to rounding
            np.testing.assert_allclose(eval_ir(dce(horner(ir)), [x])[0], eval_ir(ir, [x])[0], rtol=1e-6)
            np.testing.assert_allclose(fgrad.jit(fun)(x), fun(x), rtol=1e-6)


def test_the_rewrite_can_be_switched_off():
    fgrad.config.update("horner", False)
    try:
        ir = simplify(fgrad.make_ir(fgrad.grad(bench))(np.ones(4)))
    finally:
        fgrad.config.update("horner", True)
    assert len(ir.eqns) > 12
    assert len(simplify(fgrad.make_ir(fgrad.grad(bench))(np.ones(4))).eqns) == 12


@pytest.mark.parametrize("seed", range(100))
def test_random_sums_at_zeros_keep_their_values(seed):
    # with infinite inputs the rewrite can move NaNs (it reassociates); fgrad.torch does not use it
    rng = np.random.default_rng(1000 + seed)
    expr = random_expression(rng, 4)
    inputs = [rng.choice([0.0, 1.0, -2.0, 0.5, 3.0], 7) for _ in range(3)]
    ir = fgrad.make_ir(lambda a, b, c: expr([a, b, c]) - expr([b, c, a]) * 0.5)(*inputs)
    with np.errstate(all="ignore"):
        want, got = eval_ir(ir, inputs)[0], eval_ir(dce(horner(ir)), inputs)[0]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=1e-9, atol=1e-9)
