"""Generated NumPy code: workspace buffers reused across calls never leak into results, and long
programs run as a chain of part-functions compiled one at a time."""

import re
import threading
import traceback
import tracemalloc

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from workloads import chain

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import numpy_codegen
from fgrad.backends.numpy_codegen import BIG

jax.config.update("jax_enable_x64", True)


def loss(x):
    return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))


def expected_grad(x):
    t, e = np.tanh(x), np.exp(-x ** 2)
    return e * (1 - t * t) - 2 * x * t * e + 2 * x / (1 + x ** 2)


def test_large_temporaries_use_a_workspace():
    source = fgrad.jit(fgrad.grad(loss)).lower(np.ones(BIG)).as_text()
    assert "= _ws()" in source and "out=_w0" in source


def test_results_survive_later_calls():
    g = fgrad.grad(loss)
    x1, x2 = np.linspace(-2, 2, BIG), np.linspace(-1, 3, BIG)
    first = g(x1)
    kept = first.copy()
    second = g(x2)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(second, expected_grad(x2), rtol=1e-12, atol=1e-14)
    assert not np.shares_memory(first, second)


def test_threads_get_their_own_workspace():
    g = fgrad.grad(loss)
    inputs = [np.linspace(-2 + k, 2 + k, BIG * 4) for k in range(4)]
    g(inputs[0])
    results = [None] * len(inputs)

    def work(k):
        for _ in range(20):
            results[k] = g(inputs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, r in zip(inputs, results):
        np.testing.assert_allclose(r, expected_grad(x), rtol=1e-12, atol=1e-14)


# --- long programs: a chain of part-functions, each compiled on its own ---------------------------


@pytest.fixture
def short_parts(monkeypatch):
    """Parts of 60 lines, so a program of a few hundred equations is cut into several."""
    monkeypatch.setattr(numpy_codegen, "PART_LINES", 60)
    return 60


@pytest.mark.parametrize("size", [(), (7,), (BIG,)])
def test_parts_agree_with_jax(short_parts, size):
    x = np.random.default_rng(1).uniform(-2, 2, size)
    vg = fgrad.value_and_grad(lambda x: chain(fnp, x, 60))
    value, grad = vg(x)
    want_value, want_grad = jax.value_and_grad(lambda x: chain(jnp, x, 60))(x)
    np.testing.assert_allclose(value, want_value, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-14)
    source = fgrad.jit(vg).lower(x).as_text()
    functions = source.split("\ndef ")
    assert sum(f.startswith("_program_part") for f in functions) > 3
    # each part holds at most PART_LINES lines of equations, plus its header, reads and exports
    assert max(len(f.splitlines()) for f in functions) < short_parts + 30


def test_parts_keep_results_and_workspace_apart(short_parts):
    g = fgrad.grad(lambda x: chain(fnp, x, 40))
    x1, x2 = np.linspace(-2, 2, BIG), np.linspace(-1, 1.5, BIG)
    first = g(x1)
    kept = first.copy()
    second = g(x2)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(second, jax.grad(lambda x: chain(jnp, x, 40))(x2), rtol=1e-10, atol=1e-14)


def test_parts_point_tracebacks_at_the_source(short_parts):
    ir = fgrad.make_ir(lambda x: fnp.log(chain(fnp, x, 40) - 100.0))(np.ones(3))
    program = numpy_codegen.compile_ir(ir)
    assert program.source.count("def _program_part") >= 3
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError) as info:
        program(np.ones(3))
    frame = traceback.extract_tb(info.value.__traceback__)[-1]
    assert frame.filename == program.filename
    assert program.source.splitlines()[frame.lineno - 1].strip() == frame.line
    assert "np.log(" in frame.line


def test_parts_bound_compile_memory(monkeypatch):
    def steps(x):
        for _ in range(3000):
            x = x * 1.0001 + 0.5
        return x

    x = np.ones(3)
    ir = fgrad.make_ir(steps)(x)

    def peak(lines):
        monkeypatch.setattr(numpy_codegen, "PART_LINES", lines)
        tracemalloc.start()
        try:
            program = numpy_codegen.Program(ir)
            return tracemalloc.get_traced_memory()[1], program
        finally:
            tracemalloc.stop()

    whole, one = peak(10 ** 9)
    parted, many = peak(500)
    assert "_program_part" not in one.source and many.source.count("def _program_part") >= 10
    np.testing.assert_allclose(many(x)[0], one(x)[0], rtol=1e-14)
    assert parted < whole / 2, (parted, whole)


def test_longdouble_gradients_keep_their_dtype_and_inexact_constants_are_refused():
    y = np.linspace(-1.0, 1.0, 6).astype(np.longdouble)
    g = fgrad.grad(lambda x: fnp.sum(x ** 2))(y)
    assert g.dtype == np.longdouble and np.array_equal(g, 2 * y)
    assert numpy_codegen.literal(np.longdouble(0.5)) == "0.5"
    with pytest.raises(TypeError, match="longdouble cannot appear"):
        numpy_codegen.literal(np.longdouble(1) / 3)     # float64 cannot hold it: never silently rounded


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.uint8])
def test_numbers_beside_small_arrays_are_named_constants(dtype):
    """A number meeting small arrays of its dtype is a 0-d array defined once at the top of the
    source (NumPy would convert a bare number on every call): same values, same dtype."""
    x = np.arange(1, 9).astype(dtype)
    f = fgrad.jit(lambda a: (a * 3 + 2) - a * 0 if np.dtype(dtype).kind != "f" else a * -0.0 + a * 0.0 - 2.5)
    source = f.lower(x).as_text()
    assert re.search(r"^_\w+ = np\.asarray\(", source, re.M)
    got = f(x)
    want = (x * 3 + 2) - x * 0 if np.dtype(dtype).kind != "f" else x * -0.0 + x * 0.0 - dtype(2.5)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want, strict=True)
    if np.dtype(dtype).kind == "f":
        assert "_m0_0" in source and "_0_0" in source      # -0.0 and 0.0 stay two constants
