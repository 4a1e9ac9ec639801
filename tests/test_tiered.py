"""Long NumPy programs: interpreted on the first call, generated code from the second, same results."""

from __future__ import annotations

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import numpy_codegen, tiered


@pytest.fixture
def short_tier(monkeypatch):
    """Every program counts as long, so small functions take the tiered path."""
    monkeypatch.setattr(numpy_codegen, "TIER_EQUATIONS", 1)


def _outputs(x, y):
    z = fnp.sin(x) * y + fnp.tanh(x) ** 2
    return x, z, z, fnp.sum(z), z.reshape(2, 3).T, fnp.where(x > 0, z, -z) / 3.0, 2.0


def _loss(x):
    s = fgrad.lax.fori_loop(0, 3, lambda i, v: v * 0.5 + fnp.cos(v), x)
    return fnp.sum(s * fnp.exp(-x * x)) + fnp.max(x)


@pytest.mark.usefixtures("short_tier")
def test_first_call_interprets_and_second_runs_the_generated_code():
    x, y = np.linspace(-1.0, 1.0, 6), np.arange(6.0)
    f = fgrad.jit(_outputs)
    first, second = f(x, y), f(x, y)
    want = _outputs(x, y)
    for a, b, w in zip(first, second, want):
        np.testing.assert_allclose(a, w, rtol=1e-14)
        np.testing.assert_allclose(b, a, rtol=1e-14)
        assert np.shape(a) == np.shape(b) and np.asarray(a).dtype == np.asarray(b).dtype


@pytest.mark.usefixtures("short_tier")
def test_interpreted_outputs_are_not_inputs_nor_each_other():
    x, y = np.linspace(-1.0, 1.0, 6), np.arange(6.0)
    out = fgrad.jit(_outputs)(x, y)
    assert out[0] is not x and not np.shares_memory(out[0], x)
    assert not np.shares_memory(out[1], out[2])
    out[0][:] = 7.0
    assert x[0] == -1.0


def test_gradient_with_a_loop_matches_the_compiled_one(monkeypatch):
    x = np.linspace(-1.5, 1.5, 5)
    want = fgrad.grad(_loss)(x)                  # a short program: compiled at once
    monkeypatch.setattr(numpy_codegen, "TIER_EQUATIONS", 1)
    g = fgrad.grad(_loss)
    first, second = g(x), g(x)
    np.testing.assert_allclose(first, want, rtol=1e-13)
    np.testing.assert_array_equal(second, want)


def test_gradient_of_a_long_chain_is_interpreted_then_compiled():
    def chain(x):
        for i in range(tiered.TIER_EQUATIONS // 8):     # about ten equations a step
            x = fnp.sin(x) * 0.9 + 0.1 * x if i % 2 else x - 0.05 * x * fnp.log1p(x * x)
        return fnp.sum(x)
    ir = fgrad.make_ir(fgrad.grad(chain))(np.ones(3))
    program = numpy_codegen.compile_ir(fgrad.transforms.simplify.simplify(ir))
    assert isinstance(program, tiered.TieredProgram)
    x = np.linspace(-1.0, 1.0, 3)
    first = program(x)
    assert program.compiled is None
    second = program(x)
    assert program.compiled is not None
    np.testing.assert_allclose(first[0], second[0], rtol=1e-13)


@pytest.mark.usefixtures("short_tier")
def test_the_shown_source_is_the_code_that_runs_from_the_second_call():
    x, y = np.linspace(-1.0, 1.0, 6), np.arange(6.0)
    lowered = fgrad.jit(_outputs).lower(x, y)
    assert isinstance(lowered.program, tiered.TieredProgram)
    text = lowered.as_text()
    assert text == lowered.program.compiled.source and "def program(" in text
    assert text == numpy_codegen.Program(lowered.program.ir).source


@pytest.mark.usefixtures("short_tier")
def test_debug_nans_checks_the_interpreted_first_call():
    f = fgrad.jit(lambda x: fnp.log(x) * 2.0)
    fgrad.config.update("debug_nans", True)
    try:
        with pytest.raises(FloatingPointError):
            f(np.array([-1.0, 1.0]))
    finally:
        fgrad.config.update("debug_nans", False)


def test_interpret_drops_values_after_their_last_use():
    ir = fgrad.make_ir(lambda x: fnp.sum(fnp.sin(x) * fnp.cos(x)) + fnp.sum(x))(np.ones(4))
    last = tiered._last_uses(ir)
    assert not set(last) & {*ir.in_vars, *ir.outs}
    assert all(last[e.out] >= i for i, e in enumerate(ir.eqns) if e.out in last)
    assert len(last) == len(ir.eqns) - 1                 # every value but the output goes
    np.testing.assert_allclose(tiered.interpret(ir, [np.ones(4)])[0], np.sum(np.sin(1.0) * np.cos(1.0)) * 4 + 4)
