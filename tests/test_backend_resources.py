"""The backends reference arrays instead of copying them, and keep memory bounded.

- A closed-over or global NumPy array changed in place (`X[:] = next_batch`) is read afresh by the
  next call of a compiled program, on both backends.
- A compiled program's linecache entry leaves with the program; compiling many programs through
  `fgrad.jit(fgrad.grad(f))` keeps memory flat.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import linecache
import sys
import tracemalloc

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import compile_ir
from fgrad.transforms.simplify import simplify

HAS_JAX = importlib.util.find_spec("jax") is not None
BACKENDS = ["numpy", pytest.param("xla", marks=pytest.mark.skipif(not HAS_JAX, reason="jax is not installed"))]
GLOBAL_BATCH = np.zeros(3)


NO_JAX = pytest.mark.skipif(not HAS_JAX, reason="jax is not installed")
# (backend, jax's x64 mode): xla programs take different paths with x64 off and on
MODES = [pytest.param("numpy", False, id="numpy"), pytest.param("xla", False, id="xla-x32", marks=NO_JAX),
         pytest.param("xla", True, id="xla-x64", marks=NO_JAX)]


@contextlib.contextmanager
def x64_mode(on: bool):
    if not HAS_JAX:
        yield
        return
    import jax
    before = bool(jax.config.jax_enable_x64)
    jax.config.update("jax_enable_x64", on)
    try:
        yield
    finally:
        jax.config.update("jax_enable_x64", before)


def _batches(array, check):
    for batch in ([0.0, 1.0, 2.0], [5.0, -6.0, 7.0], [0.5, 0.25, -1.0]):
        array[:] = batch
        check()


@pytest.mark.parametrize("backend,x64", MODES)
def test_closed_over_array_changed_in_place_is_read_afresh(backend, x64):
    x_batch = np.zeros(3)
    w = np.array([0.5, 1.0, 2.0])
    value = fgrad.jit(lambda w: fnp.sum(w * x_batch), backend=backend)
    grad = fgrad.jit(fgrad.grad(lambda w: fnp.sum(w * w * x_batch)), backend=backend)
    eager = fgrad.grad(lambda w: fnp.sum(fnp.sin(w) * x_batch))

    def check():
        np.testing.assert_allclose(float(np.asarray(value(w))), np.sum(w * x_batch))
        np.testing.assert_allclose(np.asarray(grad(w)), 2 * w * x_batch)
        np.testing.assert_allclose(eager(w), np.cos(w) * x_batch)
    with x64_mode(x64):
        _batches(x_batch, check)


@pytest.mark.parametrize("backend,x64", MODES)
def test_global_array_changed_in_place_is_read_afresh(backend, x64):
    w = np.array([0.5, 1.0, 2.0])
    grad = fgrad.jit(fgrad.grad(lambda w: fnp.sum(fnp.tanh(w) * GLOBAL_BATCH)), backend=backend)
    with x64_mode(x64):
        _batches(GLOBAL_BATCH, lambda: np.testing.assert_allclose(
            np.asarray(grad(w)), (1 - np.tanh(w) ** 2) * GLOBAL_BATCH))


@pytest.mark.parametrize("backend", BACKENDS)
def test_compiled_program_holds_the_array_itself(backend):
    batch = np.arange(4.0)
    ir = fgrad.make_ir(lambda w: w * batch)(np.ones(4))
    assert any(c is batch for c in ir.consts)
    program = compile_ir(ir, backend)
    batch[:] = 9.0
    np.testing.assert_allclose(np.asarray(program(np.ones(4))[0]), np.full(4, 9.0))


def test_zero_dimensional_array_is_referenced():
    scale = np.array(2.0)
    f = fgrad.jit(lambda w: w * scale)
    f(np.ones(2))
    scale[()] = 3.0
    np.testing.assert_allclose(f(np.ones(2)), np.full(2, 3.0))


def test_gradient_made_of_constants_alone_is_read_afresh():
    batch = np.ones(3)
    grad = fgrad.jit(fgrad.grad(lambda w: fnp.sum(w * batch) * 2.0))
    grad(np.ones(3))
    batch[:] = 4.0
    np.testing.assert_allclose(grad(np.ones(3)), np.full(3, 8.0))


@pytest.mark.parametrize("backend", BACKENDS)
def test_linecache_entry_leaves_with_its_program(backend):
    program = compile_ir(fgrad.make_ir(lambda x: fnp.sin(x) * 2.0)(np.ones(2)), backend)
    name = program.filename
    assert "".join(linecache.getlines(name)) == program.source       # tracebacks and pdb show it
    del program
    gc.collect()
    assert name not in linecache.cache


def test_thousands_of_programs_keep_memory_flat():
    """2,800 programs compiled and dropped: no linecache entry, workspace or object stays behind;
    after the first 800, fewer than 0.24 allocated blocks a program remain. (Allocated blocks are
    counted, which costs nothing, where tracemalloc would triple the time.)"""
    ir = simplify(fgrad.make_ir(fgrad.grad(lambda x: fnp.sum(fnp.sin(x) * x)))(np.ones(1 << 13)))
    entries = len(linecache.cache)

    def compile_many(count):
        for _ in range(count):
            compile_ir(ir, "numpy")(np.ones(1 << 13))
        gc.collect()
        return sys.getallocatedblocks()

    compile_many(300)                          # warm-up: interned names, caches at their bounds
    after_few = compile_many(500)
    after_many = compile_many(2000)
    assert len(linecache.cache) <= entries + 1
    assert after_many - after_few < 470, f"{after_many - after_few} blocks more after 2000 more programs"


def test_jit_of_grad_over_many_shapes_keeps_memory_flat():
    """Distinct shapes through jit(grad(f)): each is a new program, and memory stays flat."""
    f = fgrad.jit(fgrad.grad(lambda x: fnp.sum(fnp.sin(x) * x)))

    def compile_shapes(start, stop):
        for n in range(start, stop):
            f(np.ones(n))
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    compile_shapes(1, 101)                     # warm-up: the compile cache reaches its bound
    tracemalloc.start()
    try:
        after_few = compile_shapes(101, 201)
        after_many = compile_shapes(201, 401)
    finally:
        tracemalloc.stop()
    assert after_many - after_few < 256 << 10, f"memory grew by {(after_many - after_few) / 1e3:.0f} kB"
