"""Fused elementwise code (numexpr, the `fgrad[fast]` extra): fused programs agree with the plain
NumPy ones in value and dtype, fuse only float64 arithmetic (what numexpr computes as NumPy does and
faster), above the size where it pays, and the plain program is what runs without numexpr."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import fusion, numpy_codegen
from fgrad.backends.fusion import BOOL, F64
from fgrad.core import REGISTRY, Aval
from fgrad.errors import ShapeError

numexpr = pytest.importorskip("numexpr")


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """numexpr fuses what would otherwise run on one thread: with more, block regions take the
    elementwise chains (tests/test_blocks.py)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def compiled(fn, args, *, fused: bool, monkeypatch, grad: bool = False):
    """fn (or its gradient) compiled by the NumPy backend, with every large-enough chain fused or
    with numexpr hidden as if it were not installed."""
    ir = fgrad.make_ir(fgrad.grad(fn) if grad else fn)(*args)
    with monkeypatch.context() as m:
        if fused:
            m.setattr(fusion, "FUSE_MIN", 0)
        else:
            m.setitem(sys.modules, "numexpr", None)      # `import numexpr` now raises ImportError
        return numpy_codegen.compile_ir(ir)


def assert_agree(fn, args, monkeypatch, grad=False, must_fuse=True):
    plain = compiled(fn, args, fused=False, monkeypatch=monkeypatch, grad=grad)
    fused = compiled(fn, args, fused=True, monkeypatch=monkeypatch, grad=grad)
    assert "_ne(" not in plain.source
    if must_fuse:
        assert "_ne(" in fused.source, fused.source
    flat = fgrad.tree_flatten(args)[0]
    for want, got in zip(plain(*flat), fused(*flat)):
        assert got.dtype == want.dtype and got.shape == want.shape
        tol = 1e-4 if want.dtype == np.float32 else 1e-10
        finite = np.abs(want[np.isfinite(want)]) if want.dtype.kind == "f" else np.zeros(0)
        scale = float(np.max(finite, initial=1.0))
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)
    return fused.source


# --- random elementwise programs ------------------------------------------------------------------

STEPS = [
    lambda u, v: u + v, lambda u, v: u - v, lambda u, v: u * v, lambda u, v: u / (v * v + 1.0),
    lambda u, v: -u, lambda u, v: fnp.abs(u) * 0.1, lambda u, v: u ** 2 * 0.5, lambda u, v: u ** 3 - 2.5,
    lambda u, v: fnp.where(u > 0.3, u, v), lambda u, v: fnp.maximum(u, v), lambda u, v: fnp.minimum(u, 0.5),
    lambda u, v: fnp.where((u > 0) & (v < 1.0), u * 3.0, v), lambda u, v: fnp.sqrt(fnp.abs(u) + 1.0),
    lambda u, v: fnp.sin(u) + v, lambda u, v: (1.0 - u) * (v + 0.7), lambda u, v: 0.25 * u + v / 3.0,
]


def random_program(seed: int, steps: int = 9):
    """A program of `steps` random elementwise steps, each reading two earlier values."""
    rng = np.random.default_rng(seed)
    picks = [(rng.integers(len(STEPS)), rng.integers(1 << 20), rng.integers(1 << 20)) for _ in range(steps)]

    def program(x, y, row):
        values = [x, y, x * row]                     # row: (n,) broadcast against (m, n)
        for step, i, j in picks:
            values.append(STEPS[step](values[i % len(values)], values[j % len(values)]))
        return fnp.sum(values[-1] + 0.5 * values[-2])
    return program


def random_args(seed: int, dtype):
    rng = np.random.default_rng(seed + 1000)
    return tuple(rng.uniform(-1.5, 1.5, shape).astype(dtype) for shape in ((30, 20), (30, 20), (20,)))


@pytest.mark.parametrize("seed", range(16))
def test_random_programs_agree(seed, monkeypatch):
    program, args = random_program(seed), random_args(seed, np.float64)
    assert_agree(program, args, monkeypatch, must_fuse=False)
    assert_agree(program, args, monkeypatch, grad=True)


@pytest.mark.parametrize("seed", range(0, 16, 3))
def test_comments_name_only_values_the_program_defines(seed, monkeypatch):
    # a value computed inside a fused expression has no name: comments write it as ...
    source = compiled(fgrad.grad(random_program(seed)), random_args(seed, np.float64), fused=True,
                      monkeypatch=monkeypatch).source
    defined = set(re.findall(r"^\s+(\w+) = ", source, re.M)) | {"a", "b", "c", "inf", "nan"}
    for line in source.splitlines():
        if "# backward of:" in line:
            target, _, call = line.split("of:")[1].rpartition(" = ")
            operands = re.findall(r"(?<![\w.])[a-z]+\b", call.split("(", 1)[1])
            assert set(operands + target.split()) <= defined, line


def test_float64_arithmetic_is_numpys_bit_for_bit(monkeypatch):
    # + - * / in the order the parentheses give are NumPy's own IEEE operations
    x = np.random.default_rng(0).uniform(-3, 3, 5000)
    fn = lambda x: ((x * 0.1 + 0.7) * x - 1.3) / (x * x + 2.0) - (-x)  # noqa: E731
    plain = compiled(fn, (x,), fused=False, monkeypatch=monkeypatch)
    fused = compiled(fn, (x,), fused=True, monkeypatch=monkeypatch)
    assert fused.source.count("_ne(") == 1
    np.testing.assert_array_equal(fused(x)[0], plain(x)[0])


@pytest.mark.parametrize("seed", range(4))
def test_float32_stays_numpy(seed, monkeypatch):
    # numexpr computes float32 right but slower than NumPy at every size measured
    program, args = random_program(seed), random_args(seed, np.float32)
    assert "_ne(" not in assert_agree(program, args, monkeypatch, grad=True, must_fuse=False)


def test_literals_numexpr_would_misread_are_named(monkeypatch):
    x = np.linspace(-2, 2, 3000)
    fn = lambda x: fnp.where(x > 0.5, x * -0.0, fnp.minimum(x * 3.0, -np.inf) + x)  # noqa: E731
    source = assert_agree(fn, (x,), monkeypatch)
    assert "inf" not in source.split("_ne(")[1].split(")")[0]


def test_integers_are_never_fused(monkeypatch):
    rng = np.random.default_rng(3)
    for dtype in (np.int32, np.int64):
        x, y = (rng.integers(-1000, 1000, 4000).astype(dtype) for _ in range(2))
        fn = lambda x, y: (x * y + 7) * (x - y) + x // (fnp.abs(y) + 1)  # noqa: E731
        plain = compiled(fn, (x, y), fused=False, monkeypatch=monkeypatch)
        fused = compiled(fn, (x, y), fused=True, monkeypatch=monkeypatch)
        assert "_ne(" not in fused.source
        np.testing.assert_array_equal(fused(x, y)[0], plain(x, y)[0])


def test_bool_logic_fuses_exactly(monkeypatch):
    x, y = np.random.default_rng(4).standard_normal((2, 4000))
    fn = lambda x, y: fnp.where(((x > 0) & (y < 0.5)) | ~(x > y), x * y, y - x)  # noqa: E731
    plain = compiled(fn, (x, y), fused=False, monkeypatch=monkeypatch)
    fused = compiled(fn, (x, y), fused=True, monkeypatch=monkeypatch)
    assert "_ne(" in fused.source
    np.testing.assert_array_equal(fused(x, y)[0], plain(x, y)[0])



def test_bitwise_operators_on_booleans_fuse_as_logic(monkeypatch):
    # `&`, `|`, `^` and `~` of traced booleans bind the bitwise primitives, which fuse like and/or/not
    x, y = np.random.default_rng(6).standard_normal((2, 4000))
    fn = lambda x, y: fnp.where(((x > 0) ^ (y < 0.5)) | ~(x > y) & (x < 2.0), x * y, y - x)  # noqa: E731
    plain = compiled(fn, (x, y), fused=False, monkeypatch=monkeypatch)
    fused = compiled(fn, (x, y), fused=True, monkeypatch=monkeypatch)
    (line,) = [ln for ln in fused.source.splitlines() if "_ne(" in ln]
    assert all(op in line for op in (" ^ ", " | ", " & ", "~(")), line
    np.testing.assert_array_equal(fused(x, y)[0], plain(x, y)[0])


def test_bitwise_operators_on_integers_stay_numpy(monkeypatch):
    x, y = np.random.default_rng(7).integers(-1000, 1000, (2, 4000))
    fn = lambda x, y: ((x & y) | (x ^ 7)) + ~y  # noqa: E731
    plain = compiled(fn, (x, y), fused=False, monkeypatch=monkeypatch)
    fused = compiled(fn, (x, y), fused=True, monkeypatch=monkeypatch)
    assert "_ne(" not in fused.source
    np.testing.assert_array_equal(fused(x, y)[0], plain(x, y)[0])

def test_transcendentals_stay_numpy(monkeypatch):
    x = np.linspace(-1, 1, 3000)
    source = assert_agree(lambda x: fnp.exp(x * 2.0 + 1.0) * fnp.tanh(x) * 3.0 - 1.0, (x,), monkeypatch)
    assert "np.exp(" in source and "np.tanh(" in source
    assert all("exp" not in line and "tanh" not in line for line in source.splitlines() if "_ne(" in line)


# --- where it pays: sizes, the generated line ---------------------------------------------------------

def test_only_large_arrays_fuse():
    fn = lambda x: fnp.sum((x * 2.0 + 1.0) * x)  # noqa: E731
    small, large = np.ones(fusion.FUSE_MIN // 2), np.ones(fusion.FUSE_MIN)
    assert "_ne(" not in fgrad.jit(fgrad.grad(fn)).lower(small).as_text()
    assert "_ne(" in fgrad.jit(fgrad.grad(fn)).lower(large).as_text()
    np.testing.assert_allclose(fgrad.grad(fn)(large), 4 * large + 1)


def test_the_fused_line_reads_as_the_math():
    x = np.random.default_rng(5).standard_normal(fusion.FUSE_MIN)
    loss = lambda x: fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))  # noqa: E731
    source = fgrad.jit(fgrad.grad(loss)).lower(x).as_text()
    (line,) = [ln for ln in source.splitlines() if "_ne(" in ln]
    assert line.split(" = ")[1].startswith('_ne("e * (1.0 - b * (a * 2.0 + b)) + a * 2.0 / (c + 1.0)"')
    t, e = np.tanh(x), np.exp(-x ** 2)
    np.testing.assert_allclose(fgrad.grad(loss)(x), e * (1 - t * t) - 2 * x * t * e + 2 * x / (1 + x ** 2),
                               rtol=1e-12, atol=1e-14)


def test_without_numexpr_the_plain_program_runs(monkeypatch):
    monkeypatch.setitem(sys.modules, "numexpr", None)
    assert fusion.numexpr() is None
    x = np.linspace(-1, 1, fusion.FUSE_MIN)
    g = fgrad.grad(lambda x: fnp.sum((x * 2.0 + 1.0) * x))
    assert "_ne(" not in fgrad.jit(g).lower(x).as_text()
    np.testing.assert_allclose(g(x), 4 * x + 1)


# --- buffers, threads, user text ------------------------------------------------------------------

def test_fused_results_survive_later_calls_and_threads(monkeypatch):
    monkeypatch.setattr(fusion, "FUSE_MIN", 0)
    g = fgrad.grad(lambda x: fnp.sum((x * x - 3.0 * x) * (x + 0.5) / (x * x + 1.0)))
    want = lambda x: ((2 * x - 3) * (x + 0.5) + (x * x - 3 * x)) / (x * x + 1) \
        - (x * x - 3 * x) * (x + 0.5) * 2 * x / (x * x + 1) ** 2  # noqa: E731
    inputs = [np.linspace(-2 + k, 2 + k, 20000) for k in range(4)]
    first = g(inputs[0])
    kept = first.copy()
    results = [None] * len(inputs)

    def work(k):
        for _ in range(10):
            results[k] = g(inputs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(first, kept)
    for x, r in zip(inputs, results):
        np.testing.assert_allclose(r, want(x), rtol=1e-10, atol=1e-12)


def test_hostile_constants_never_reach_the_fused_text(monkeypatch):
    payload = "__import__('os').environ.__setitem__('FGRAD_PWNED', '1')"

    def text(self, *spec):
        return f"({payload}) or 1"
    hostile = type("HostileFloat", (float,), {"__repr__": text, "__str__": text, "__format__": text})
    x = np.linspace(-1, 1, 3000)
    source = assert_agree(lambda x: (x * hostile(0.3) + hostile(2.0)) * x, (x,), monkeypatch)
    assert payload not in source and "FGRAD_PWNED" not in os.environ


def test_threads_follow_numexprs_environment(monkeypatch):
    before = numexpr.get_num_threads()
    assert_agree(lambda x: (x * 2.0 + 1.0) * x, (np.ones(3000),), monkeypatch)
    assert numexpr.get_num_threads() == before           # fgrad never sets numexpr's threads
    code = ("import numpy as np, fgrad, fgrad.numpy as fnp, numexpr\n"
            "from fgrad.backends import fusion\n"
            "x = np.ones(fusion.FUSE_MIN)\n"
            "g = fgrad.grad(lambda x: fnp.sum((x * 2.0 + 1.0) * x))\n"
            "assert '_ne(' in fgrad.jit(g).lower(x).as_text()\n"
            "g(x)\n"
            "print(numexpr.get_num_threads())\n")
    env = dict(os.environ, NUMEXPR_NUM_THREADS="1", NUMEXPR_MAX_THREADS="1")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"


# --- fusion with the rest of the backend: long expressions, parts, loops ---------------------------

def test_long_chains_split_into_readable_expressions(monkeypatch):
    def long_chain(x):
        y = x
        for k in range(150):
            y = (y * 0.75 + x) - 0.125 * k
        return y

    x = np.linspace(-1, 1, 3000)
    source = assert_agree(long_chain, (x,), monkeypatch)
    lines = [ln for ln in source.splitlines() if "_ne(" in ln]
    assert len(lines) >= 300 // fusion.MAX_NODES
    assert all(ln.count("*") + ln.count("+") + ln.count(" - ") <= fusion.MAX_NODES for ln in lines)


def test_fused_programs_in_parts(monkeypatch):
    monkeypatch.setattr(numpy_codegen, "PART_LINES", 12)
    x = np.linspace(-2, 2, 3000)
    fn = lambda x: fnp.sum(fnp.tanh(((x * 0.5 + 1.0) * x - 0.25) * fnp.sin(x * 2.0 - 1.0) + x))  # noqa: E731

    def many(x):
        for _ in range(12):
            x = x + 0.1 * (x * x - 1.0) * fnp.cos(x)
        return fn(x)
    source = assert_agree(many, (x,), monkeypatch, grad=True)
    assert source.count("def _program_part") >= 3


def test_loop_bodies_stay_numpy(monkeypatch):
    from fgrad import lax

    def looped(x):
        return lax.fori_loop(0, 3, lambda i, y: (y * 0.5 + x) * 0.9 - 0.1, x * 2.0 + 1.0) * x + x

    x = np.linspace(-1, 1, 3000)
    source = assert_agree(looped, (x,), monkeypatch, must_fuse=False)
    body = [ln for ln in source.splitlines() if ln.startswith(" " * 8)]
    assert body and not any("_ne(" in ln for ln in body)
    assert source.count("_ne(") == 2                     # before and after the loop


def test_expressions_read_a_bounded_number_of_arrays(monkeypatch):
    xs = tuple(np.random.default_rng(k).standard_normal(3000) for k in range(40))

    def weighted(*xs):
        total = xs[0] * 0.5
        for k, x in enumerate(xs[1:]):
            total = total + x * (0.25 + k)
        return total

    source = assert_agree(weighted, xs, monkeypatch)
    lines = [ln for ln in source.splitlines() if "_ne(" in ln]
    assert len(lines) >= 2
    assert all(len(ln.split('", ')[1].split(",")) <= fusion.MAX_INPUTS for ln in lines)


# --- the numexpr form is a fact of each primitive's own block ------------------------------------

FUSED = [p for p in REGISTRY.values() if p.numexpr is not None]
PARAMS = {"integer_pow": ({"n": 3}, {"n": -2})}        # example parameters of the forms that take them
SIGNATURES = ((F64,), (F64, F64), (BOOL,), (BOOL, BOOL), (BOOL, F64, F64))


def _arity(template: str) -> int:
    return 1 + max(int(k) for k in re.findall(r"\{(\d+)\}", template))


def _accepts(prim, dtypes, params) -> bool:
    """Whether the primitive takes operands of `dtypes` and its numexpr form fuses them."""
    try:
        out = prim.abstract(*[Aval((4,), d) for d in dtypes], **params).dtype
    except (TypeError, ShapeError):       # the primitive's own shape rule refuses these operands
        return False
    return prim.numexpr.dtypes(list(dtypes), out, **params)


def test_every_fusing_primitive_is_one_the_engine_fuses():
    names = {p.name for p in FUSED}
    assert {"add", "sub", "mul", "div", "pow", "neg", "integer_pow", "abs", "sqrt", "max", "min", "select",
            "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"} <= names
    assert {"bitwise_and", "bitwise_or", "bitwise_xor", "invert"} <= names
    assert not names & {"sin", "exp", "tanh", "log", "left_shift", "convert_element_type"}


@pytest.mark.parametrize("prim", FUSED, ids=lambda p: p.name)
def test_numexpr_form_calls_only_numexpr_functions(prim):
    form = prim.numexpr
    assert isinstance(form, fusion.Fused) and callable(form.dtypes)
    assert form.precedence in range(fusion.CMP, fusion.ATOM + 1)
    text = re.sub(r"\{(\d+)\}", r"a\1", form.template)
    tree = ast.parse(re.sub(r"\{\w+\}", "2", text), mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert names - {f"a{k}" for k in range(_arity(form.template))} <= fusion.RESERVED, prim.name


@pytest.mark.parametrize("prim", FUSED, ids=lambda p: p.name)
def test_numexpr_form_computes_what_the_primitive_does(prim):
    # the dtypes a form accepts are those in which numexpr gives NumPy's result to the last bit,
    # powers to the last bit but one (numexpr multiplies small integer powers out)
    rng = np.random.default_rng(8)
    arity, checked = _arity(prim.numexpr.template), 0
    for params in PARAMS.get(prim.name, ({},)):
        for dtypes in (sig for sig in SIGNATURES if len(sig) == arity):
            if not _accepts(prim, dtypes, params):
                continue
            args = [rng.uniform(-2, 2, 500) if d == F64 else rng.random(500) < 0.5 for d in dtypes]
            text = prim.numexpr.template.format(*[f"a{k}" for k in range(arity)],
                                                **{k: numpy_codegen.literal(v) for k, v in params.items()})
            got = numexpr.evaluate(text, local_dict={f"a{k}": a for k, a in enumerate(args)})
            with np.errstate(invalid="ignore"):        # sqrt and pow of negative numbers: nan
                want = prim.impl(*args, **params)
            assert got.dtype == want.dtype, (prim.name, dtypes)
            if want.dtype == BOOL:
                np.testing.assert_array_equal(got, want)
            else:
                np.testing.assert_array_max_ulp(got, want, maxulp=1 if prim.numexpr.precedence == fusion.POW else 0)
            checked += 1
    assert checked, f"{prim.name}'s numexpr form accepts none of {SIGNATURES}"


@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex128])
def test_numexpr_forms_refuse_other_dtypes(dtype):
    dtype = np.dtype(dtype)
    for prim in FUSED:
        for params in PARAMS.get(prim.name, ({},)):
            assert not _accepts(prim, [dtype] * _arity(prim.numexpr.template), params), (prim.name, dtype)
