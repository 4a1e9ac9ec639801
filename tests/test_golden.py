"""Golden files for the printed IR and the generated NumPy source, and properties of that source:
no user text in it, buffer reuse that never corrupts results, inputs untouched, fresh outputs.

Regenerate the golden files with FGRAD_UPDATE_GOLDEN=1 after an intended change, and review the diff.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends.numpy_codegen import BIG
from fgrad.core import eval_ir

GOLDEN = pathlib.Path(__file__).parent / "golden"
UPDATE = os.environ.get("FGRAD_UPDATE_GOLDEN", "") not in ("", "0")


def sin_x_sum(x):
    return fnp.sum(fnp.sin(x) * x)


def mlp_loss(params, x, y):
    hidden = fnp.tanh(x @ params["w1"] + params["b1"])
    pred = hidden @ params["w2"] + params["b2"]
    return fnp.mean((pred[:, 0] - y) ** 2)


def bench(x):
    return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))


def _mlp_args():
    rng = np.random.default_rng(0)
    params = {"w1": rng.standard_normal((3, 4)), "b1": np.zeros(4), "w2": rng.standard_normal((4, 1)),
              "b2": np.zeros(1)}
    return params, rng.standard_normal((5, 3)), rng.standard_normal(5)


GOLDEN_CASES = {
    "sin_x_sum": (sin_x_sum, (np.ones(3),)),
    "sin_x_sum_grad": (fgrad.grad(sin_x_sum), (np.ones(3),)),
    "mlp_loss_grad": (fgrad.grad(mlp_loss), _mlp_args()),
    "bench_value_and_grad": (fgrad.value_and_grad(bench), (np.ones(1000),)),
}


def _check_golden(path: pathlib.Path, text: str) -> None:
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
        return
    assert path.exists(), f"{path} is missing; run with FGRAD_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(), f"{path.name} changed; if intended, regenerate with FGRAD_UPDATE_GOLDEN=1"


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_ir(name):
    fn, args = GOLDEN_CASES[name]
    _check_golden(GOLDEN / f"{name}.ir.txt", str(fgrad.make_ir(fn)(*args)) + "\n")


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_source(name):
    fn, args = GOLDEN_CASES[name]
    _check_golden(GOLDEN / f"{name}.py.txt", fgrad.jit(fn).lower(*args).as_text())


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_programs_compute_the_right_thing(name):
    fn, args = GOLDEN_CASES[name]
    compiled = fgrad.jit(fn)(*args)
    ir = fgrad.make_ir(fn)(*args)
    leaves = fgrad.tree_flatten(args)[0]
    for got, want in zip(fgrad.tree_flatten(compiled)[0], eval_ir(ir, leaves)):
        np.testing.assert_allclose(got, want, rtol=1e-13)


def test_bench_gradient_value():
    x = np.linspace(-2, 2, 7)
    value, g = fgrad.value_and_grad(bench)(x)
    t, e = np.tanh(x), np.exp(-x ** 2)
    assert float(value) == pytest.approx(np.sum(t * e + np.log1p(x ** 2)), rel=1e-14)
    np.testing.assert_allclose(g, (1 - t ** 2) * e - 2 * x * t * e + 2 * x / (1 + x ** 2), rtol=1e-13)


# --- no user-controlled text in generated source --------------------------------------------------

def test_source_contains_no_user_text():
    evil = "x); import os; os.system('echo pwned') #"

    def f(d):
        return fnp.sum(d[evil] * d["b\nc"]) + fnp.sum(np.full(3, 1234.5678) * d[evil])

    f.__name__ = f.__qualname__ = "f(); import os #"
    args = ({evil: np.ones(3), "b\nc": np.arange(3.0)},)
    for fn in (f, fgrad.grad(f)):
        text = fgrad.jit(fn).lower(*args).as_text()
        assert "import" not in text and "pwned" not in text and "os" not in text.split()
        assert "b\nc" not in text and "1234.5678" not in text and "f()" not in text
    g = fgrad.grad(f)(*args)
    np.testing.assert_allclose(g[evil], np.arange(3.0) + 1234.5678)
    np.testing.assert_allclose(g["b\nc"], np.ones(3))


# --- buffer reuse, inputs and outputs ---------------------------------------------------------------

UNARY = [fnp.sin, fnp.tanh, fnp.exp, lambda a: -a, lambda a: a * 0.5, fnp.cos, lambda a: a ** 2,
         lambda a: fnp.sqrt(a * a + 1.0), fnp.arctan]
BINARY = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a / (b * b + 1.0),
          fnp.maximum, lambda a, b: fnp.where(a > b, a, b * 2.0)]


def random_program(seed: int):
    """A random straight-line program over large arrays, mixing shapes (transposes, broadcasts)."""
    rng = np.random.default_rng(seed)
    steps = [(rng.integers(3), rng.integers(10 ** 6), rng.integers(10 ** 6), rng.integers(10 ** 6))
             for _ in range(int(rng.integers(4, 14)))]
    n_out = int(rng.integers(1, 4))

    def program(x, y):
        pool = [x, y]
        for kind, i, j, k in steps:
            a, b = pool[i % len(pool)], pool[j % len(pool)]
            if kind == 0:
                pool.append(UNARY[k % len(UNARY)](a))
            elif kind == 1:
                pool.append(BINARY[k % len(BINARY)](a, b))
            else:                               # a view-producing op feeding elementwise ops
                pool.append(fnp.transpose(a).T * 1.5 + fnp.sum(b, axis=0, keepdims=True))
        return tuple(pool[-1 - m] for m in range(n_out)) + (pool[0], pool[2 % len(pool)])

    return program


SHAPE = (64, BIG // 64 + 3)


@pytest.mark.parametrize("seed", range(25))
def test_buffer_reuse_matches_eager(seed):
    program = random_program(seed)
    rng = np.random.default_rng(1000 + seed)
    x, y = rng.standard_normal(SHAPE), rng.standard_normal(SHAPE)
    x0, y0 = x.copy(), y.copy()
    want = program(x, y)
    got = fgrad.jit(program)(x, y)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    # the gradient program against the same IR evaluated one primitive at a time
    w = [rng.standard_normal(np.shape(o)) for o in want]
    loss = lambda a, b: sum(fnp.sum(o * c) for o, c in zip(program(a, b), w))
    grad = fgrad.grad(loss, argnums=(0, 1))
    compiled = grad(x, y)
    reference = eval_ir(fgrad.make_ir(grad)(x, y), [x, y])
    for g, r in zip(compiled, reference):
        np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(y, y0)
    outputs = list(got) + list(compiled)
    for k, o in enumerate(outputs):
        assert o.flags.writeable
        assert not np.shares_memory(o, x) and not np.shares_memory(o, y)
        assert not any(np.shares_memory(o, p) for p in outputs[k + 1:])


VIEWS = {
    "identity": lambda x: x,
    "reshape": lambda x: fnp.reshape(x, (-1,)),
    "transpose": lambda x: x.T,
    "slice": lambda x: x[1:, ::2],
    "broadcast": lambda x: fnp.broadcast_to(x, (2,) + x.shape),
    "expand": lambda x: x[None],
    "stop_gradient": fgrad.stop_gradient,
    "pair": lambda x: (x * 2.0, x * 3.0),
    "scalar": lambda x: fnp.sum(x),
    "constant": lambda x: fnp.ones(3) + 0.0,
    "full_like": lambda x: fnp.zeros_like(x),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
@pytest.mark.parametrize("size", [3, BIG])
def test_outputs_are_fresh_writable_arrays(name, size):
    x = np.arange(2.0 * size).reshape(2, size)
    x0 = x.copy()
    outs = fgrad.jit(VIEWS[name])(x)
    outs = outs if isinstance(outs, tuple) else (outs,)
    for k, o in enumerate(outs):
        assert isinstance(o, np.ndarray)
        assert o.flags.writeable, f"{name}: output {k} is read-only"
        assert not np.shares_memory(o, x), f"{name}: output {k} is a view of the input"
        assert not any(np.shares_memory(o, p) for p in outs[k + 1:])
        o[...] = -1.0
    np.testing.assert_array_equal(x, x0)
    again = fgrad.jit(VIEWS[name])(x)            # a cached program still gives fresh outputs
    for o in (again if isinstance(again, tuple) else (again,)):
        assert not (np.asarray(o) == -1.0).all() or name == "full_like"


ALIASED = {
    "twice": lambda x: (x * 2.0, x * 2.0),            # CSE merges them into one variable
    "same_twice": lambda x: (fnp.sin(x), fnp.sin(x)),
    "view_pair": lambda x: (x * 2.0, (x * 2.0).T),    # two views of one buffer
}


@pytest.mark.parametrize("name", sorted(ALIASED))
def test_two_outputs_never_share_a_buffer(name):
    x = np.arange(6.0).reshape(2, 3)
    first, second = fgrad.jit(ALIASED[name])(x)
    first[...] = -1.0
    assert not (second == -1.0).any(), "writing one output changed the other"


@pytest.mark.parametrize("size", [3, BIG])
def test_gradient_outputs_are_fresh(size):
    x = np.ones(size)
    g1 = fgrad.grad(lambda x: fnp.sum(x))(x)
    g1 += 5.0
    g2 = fgrad.grad(lambda x: fnp.sum(x))(x)
    np.testing.assert_array_equal(g2, np.ones(size))
    gx, gy = fgrad.grad(lambda x, y: fnp.sum(x + y), argnums=(0, 1))(x, x)
    assert gx.flags.writeable and gy.flags.writeable and not np.shares_memory(gx, gy)
