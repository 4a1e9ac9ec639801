"""Block regions (fgrad/backends/blocks.py): elementwise chains on large arrays run piece by piece on
threads and give NumPy's own bits, close before anything outside reads them, carry the caller's
NumPy error state, and are not made where the program would run on one thread."""

from __future__ import annotations

import re

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import blocks, numpy_codegen


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Regions from 64 elements, pieces of 23 (unaligned starts, a ragged last piece), three threads."""
    monkeypatch.setattr(blocks, "REGION_MIN", 64)
    monkeypatch.setattr(blocks, "BLOCK", 23)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")


def compiled(fn, *args, threads: str, monkeypatch, grad=False):
    ir = fgrad.make_ir(fgrad.grad(fn) if grad else fn)(*args)
    with monkeypatch.context() as m:
        m.setenv("OMP_NUM_THREADS", threads)
        return numpy_codegen.compile_ir(ir)


def assert_same_bits(fn, *args, monkeypatch, grad=False):
    blocked = compiled(fn, *args, threads="3", monkeypatch=monkeypatch, grad=grad)
    plain = compiled(fn, *args, threads="1", monkeypatch=monkeypatch, grad=grad)
    assert "_blocks(" in blocked.source and "_blocks(" not in plain.source
    for got, want in zip(blocked(*args), plain(*args), strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want, strict=True)
    return blocked


RNG = np.random.default_rng(0)
X = RNG.uniform(0.1, 2.0, 1000)


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "tanh", "exp", "expm1", "log", "log1p", "sqrt",
                                  "cbrt", "arctan", "arcsinh", "sinh", "cosh", "abs", "sign", "floor",
                                  "reciprocal", "square", "exp2", "log2", "log10"])
def test_unary_functions_give_numpys_bits(name, monkeypatch):
    op = getattr(fnp, name)
    assert_same_bits(lambda x: op(x) * 0.5 + x, X, monkeypatch=monkeypatch)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128, np.int64])
def test_dtypes_give_numpys_bits(dtype, monkeypatch):
    x = (X * 3).astype(dtype)
    assert_same_bits(lambda a: a * a - (a + 2) * a, x, monkeypatch=monkeypatch)


def test_gradient_of_a_chain_gives_numpys_bits(monkeypatch):
    def loss(x):
        return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))
    program = assert_same_bits(loss, X, monkeypatch=monkeypatch, grad=True)
    assert re.search(r"def _b0\(a\):\n    b = np\.tanh\(a", program.source)


def test_two_dimensional_transposed_input_and_scalar_operand(monkeypatch):
    x = RNG.standard_normal((40, 30)).T          # not C-contiguous
    assert_same_bits(lambda a, s: fnp.where(a > s, fnp.exp(a) * s, -a), x, np.float64(0.3),
                     monkeypatch=monkeypatch)


def test_region_closes_before_an_outside_reader(monkeypatch):
    """The mean reads the first chain; the second chain reads the mean: two regions, in order."""
    def f(x):
        y = fnp.sin(x) * 2.0
        m = fnp.mean(y)
        return fnp.cos(y - m) + x, y
    program = assert_same_bits(f, X, monkeypatch=monkeypatch)
    assert program.source.count("= _blocks(") == 2


def test_values_read_by_later_code_leave_the_region(monkeypatch):
    def f(x):
        a = fnp.exp(x)
        b = fnp.sum(a)                     # reads a: a is a result of the region
        return fnp.log(a) * b
    assert_same_bits(f, X, monkeypatch=monkeypatch)


def test_value_and_grad_results(monkeypatch):
    def loss(x):
        return fnp.sum(fnp.sin(x) ** 3)
    ir = fgrad.make_ir(fgrad.value_and_grad(loss))(X)
    with monkeypatch.context() as m:
        m.setenv("OMP_NUM_THREADS", "3")
        program = numpy_codegen.compile_ir(ir)
    value, grad = program(X)
    np.testing.assert_allclose(value, np.sum(np.sin(X) ** 3), rtol=1e-13)
    np.testing.assert_array_equal(grad, 3 * np.sin(X) ** 2 * np.cos(X))


def test_numpy_error_state_reaches_every_piece(monkeypatch):
    x = X.copy()
    x[-1] = -1.0                          # the last piece (a worker thread's) takes log of -1
    program = compiled(lambda a: fnp.log(a) * 2.0, x, threads="3", monkeypatch=monkeypatch)
    assert "_blocks(" in program.source
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        program(x)
    with np.errstate(invalid="ignore"):
        assert np.isnan(program(x)[0][-1])


def test_one_thread_or_small_arrays_make_no_region(monkeypatch):
    small = compiled(lambda a: fnp.exp(a) * 2.0, X[:10], threads="3", monkeypatch=monkeypatch)
    assert "_blocks(" not in small.source
    assert blocks.thread_count() == 3
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert blocks.thread_count() == 1


def test_long_program_in_parts(monkeypatch):
    """A program cut into parts (fgrad/backends/parts.py) with regions on both sides of a cut."""
    monkeypatch.setattr(numpy_codegen, "PART_LINES", 8)
    monkeypatch.setattr(blocks, "MAX_MEMBERS", 5)

    def f(x):
        for k in range(12):
            x = fnp.sin(x) * 0.9 + fnp.sum(x) * 1e-4 if k % 3 == 0 else fnp.tanh(x) + 0.1
        return fnp.sum(x)
    program = assert_same_bits(f, X, monkeypatch=monkeypatch, grad=True)
    assert "# part 2 of" in program.source


def test_jit_runs_regions_and_checks_nans(monkeypatch):
    f = fgrad.jit(lambda a: fnp.sqrt(a) * 3.0)
    np.testing.assert_array_equal(f(X), np.sqrt(X) * 3.0)
    assert "_blocks(" in f.lower(X).as_text()
    with fgrad.debug_nans(True), pytest.raises(FloatingPointError, match="sqrt"):
        f(-X)


def test_elementwise_helper_and_the_torch_faces_unary_ops(monkeypatch):
    """fgrad.torch computes a large tensor's unary function in pieces on threads: NumPy's bits,
    recorded for backward as before."""
    import fgrad.torch as torch
    np.testing.assert_array_equal(blocks.elementwise(np.add, X, X[:1]), X + X[:1])   # two shapes: one call
    np.testing.assert_array_equal(blocks.elementwise(np.arctan2, X, X[::-1]), np.arctan2(X, X[::-1]))
    x = torch.tensor(X, requires_grad=True)
    y = torch.tanh(x)
    np.testing.assert_array_equal(y.detach().numpy(), np.tanh(X))
    assert y.grad_fn.name() == "TanhBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), 1 - np.tanh(X) ** 2)


@pytest.mark.parametrize("kind", ["add", "sub", "mul", "div", "pow"])
def test_the_torch_faces_arithmetic_on_large_tensors(kind, monkeypatch):
    """Tensor-tensor and tensor-number arithmetic on large tensors, in pieces: NumPy's bits and
    dtype (float32 stays float32), both operand orders."""
    import operator

    import fgrad.torch as torch
    op = getattr(operator, {"div": "truediv"}.get(kind, kind))
    for dtype in (np.float64, np.float32):
        a, b = X.astype(dtype), X[::-1].astype(dtype)
        ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
        for got, want in [(op(ta, tb), op(a, b)), (op(ta, 1.5), op(a, dtype(1.5))), (op(2.5, ta), op(dtype(2.5), a))]:
            assert got.dtype == torch.from_numpy(want).dtype
            np.testing.assert_array_equal(got.numpy(), want)


def _region_in_child(x):
    y, = blocks.run_in_blocks(lambda a: (np.sin(a),), x)
    raise SystemExit(0 if np.array_equal(y, np.sin(x)) else 1)


def test_a_forked_child_gets_threads_of_its_own(monkeypatch):
    """The pool's threads do not exist in a forked child (a full pool would wait on them forever):
    another process id gets a pool of its own, and a forked child runs regions."""
    import multiprocessing
    import os
    blocks.run_in_blocks(lambda a: (np.sin(a),), X)          # the parent's pool exists
    parents = blocks._POOL.get(2)
    assert blocks._POOL.get(2) is parents
    with monkeypatch.context() as m:
        m.setattr(os, "getpid", lambda: -1)
        assert blocks._POOL.get(2) is not parents
    child = multiprocessing.get_context("fork").Process(target=_region_in_child, args=(X,))
    child.start()
    child.join(120)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0


def test_results_are_arrays_of_their_own():
    """No base: fgrad.torch keeps a gradient without copying it only when nothing else shares it."""
    y, = blocks.run_in_blocks(lambda a: (np.sin(a),), X.reshape(40, 25))
    z = blocks.elementwise(np.cos, X.reshape(40, 25))
    assert y.base is None and z.base is None and y.shape == z.shape == (40, 25)
    np.testing.assert_array_equal(y, np.sin(X.reshape(40, 25)))
    np.testing.assert_array_equal(z, np.cos(X.reshape(40, 25)))
