"""fgrad.lax's control flow (cond, switch, while_loop, fori_loop, scan, map, select) against
jax.lax (float64) under jit, grad, jvp and vmap on both backends; loops that stay loops in the IR
and in the generated code; nested control flow; the errors."""

from __future__ import annotations

import re

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from assertions import close  # noqa: E402

import fgrad  # noqa: E402
import fgrad.lax as flax  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.ir_print import typecheck  # noqa: E402


def lax_of(np_module):
    return flax if np_module is fnp else jax.lax


def tree_close(ours, theirs, rtol=1e-9):
    a, ta = jax.tree_util.tree_flatten(ours)
    b, tb = jax.tree_util.tree_flatten(theirs)
    assert ta == tb, (ta, tb)
    for x, y in zip(a, b):
        close(x, y, rtol=rtol)


# --- cases: (function of a numpy module, arguments, differentiable in reverse mode) --------------

def _cond(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.cond(m.sum(x) > 0, lambda a, b: m.sin(a * b), lambda a, b: b * 2.0 - a, w, x))


def _switch(m):
    lax = lax_of(m)
    branches = [lambda v: v + 1.0, lambda v: m.cos(v) * v, lambda v: v ** 3]
    return lambda w, x: m.sum(lax.switch(m.argmax(x) - 1, branches, w * x))     # -1 is clamped to 0


def _while(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, m.sin(c[1]) * w + x),
                                             (0, x))[1])


def _fori(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.fori_loop(0, 4, lambda i, c: m.tanh(c * w + i * 0.1) + x, x))


def _scan_tree(m):
    lax = lax_of(m)

    def f(w, x):
        def step(carry, xs):
            h, (total, k) = carry
            h = m.tanh(h * w + xs["u"])
            return (h, (total + m.sum(h), k + 1)), {"y": h * xs["v"], "k": k}
        xs = {"u": m.stack([x, x * 2.0, -x]), "v": m.stack([w, -w, w * 0.5])}
        (h, (total, k)), ys = lax.scan(step, (x, (0.0, 0)), xs, reverse=True)
        return m.sum(h) + total + m.sum(ys["y"]) + k
    return f


def _scan_no_xs(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.scan(lambda c, _: (c * w, m.sin(c)), x, None, length=4)[1])


def _scan_length_forward(m):
    lax = lax_of(m)

    def f(w, x):
        def step(carry, xs):
            a, b = xs
            carry = {"h": m.sin(carry["h"] * a) + b * w, "n": carry["n"] * 0.5}
            return carry, (carry["h"] * carry["n"], m.sum(a))
        xs = (m.stack([w, x, w * x]), m.stack([x, -x, w]))
        carry, (ys, zs) = lax.scan(step, {"h": x, "n": 1.0}, xs, length=3)
        return m.sum(carry["h"]) + carry["n"] + m.sum(ys) + m.sum(zs)
    return f


def _map(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.map(lambda r: m.exp(r) * w, m.stack([x, x * x])))


def _select(m):
    lax = lax_of(m)
    return lambda w, x: m.sum(lax.select(x > 0, w * x, m.sin(w)))


def _scan_in_cond(m):
    lax = lax_of(m)

    def f(w, x):
        inner = lambda v: lax.scan(lambda c, e: (c + m.sum(m.sin(e * w)), c), 0.0, v)[0]
        return lax.cond(m.sum(w) > 0, inner, lambda v: m.sum(v * w), x)
    return f


def _fori_of_scan(m):
    lax = lax_of(m)

    def f(w, x):
        step = lambda i, c: c + lax.scan(lambda s, e: (s * w + e, None), c, x)[0] * 0.1
        return m.sum(lax.fori_loop(0, 3, step, w))
    return f


CASES = {"cond": (_cond, True), "switch": (_switch, True), "while_loop": (_while, False),
         "fori_loop": (_fori, True), "scan_pytrees_reverse": (_scan_tree, True), "scan_no_xs": (_scan_no_xs, True),
         "scan_length_forward": (_scan_length_forward, True),
         "map": (_map, True), "select": (_select, True), "scan_in_cond": (_scan_in_cond, True),
         "fori_loop_of_scan": (_fori_of_scan, True)}
W, X = np.array([0.3, -0.8, 0.5]), np.array([0.6, -0.2, 0.9])


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_grad_and_jvp_match_jax(name, backend):
    build, reverse = CASES[name]
    ours, theirs = build(fnp), build(jnp)
    for w in (W, -W) if backend == "numpy" else (W,):      # each xla program is a jax.jit compile
        tree_close(fgrad.jit(ours)(w, X), theirs(w, X))
        tree_close(fgrad.jvp(ours, (w, X), (X, W)), jax.jvp(theirs, (w, X), (X, W)))
        if reverse:
            tree_close(fgrad.grad(ours, argnums=(0, 1))(w, X), jax.grad(theirs, argnums=(0, 1))(w, X))
            tree_close(fgrad.jit(fgrad.grad(ours, argnums=(0, 1)))(w, X), jax.grad(theirs, argnums=(0, 1))(w, X))


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_jax(name, backend):
    build, _ = CASES[name]
    ours, theirs = build(fnp), build(jnp)
    ws = np.random.default_rng(3).standard_normal((4, 3))
    for axes in ((0, None), (None, 0), (0, 0)):
        args = (ws if axes[0] == 0 else W, ws[::-1] if axes[1] == 0 else X)
        tree_close(fgrad.vmap(ours, in_axes=axes)(*args), jax.vmap(theirs, in_axes=axes)(*args))


@pytest.mark.parametrize("name", ["cond", "fori_loop", "scan_pytrees_reverse", "fori_loop_of_scan"])
def test_second_order_matches_jax(name):
    build, _ = CASES[name]
    ours, theirs = build(fnp), build(jnp)
    tree_close(fgrad.hessian(ours)(W, X), jax.hessian(theirs)(W, X), rtol=1e-8)
    tree_close(fgrad.jacfwd(fgrad.grad(ours, argnums=1))(W, X), jax.jacfwd(jax.grad(theirs, argnums=1))(W, X))


def test_transformed_programs_typecheck():
    for build, reverse in CASES.values():
        f = build(fnp)
        typecheck(fgrad.make_ir(f)(W, X))
        typecheck(fgrad.make_ir(lambda w, x, f=f: fgrad.jvp(f, (w, x), (x, w))[1])(W, X))
        typecheck(fgrad.make_ir(fgrad.vmap(f, in_axes=(0, None)))(np.stack([W, W]), X))
        if reverse:
            typecheck(fgrad.make_ir(fgrad.grad(f))(W, X))


# --- semantics at the edges ----------------------------------------------------------------------

def test_switch_clamps_its_index_as_jax():
    fns = [lambda v: v + 1.0, lambda v: v * 10.0, lambda v: -v]
    for i in (-3, 0, 1, 2, 9):
        close(flax.switch(i, fns, 2.0), jax.lax.switch(i, fns, 2.0))
        close(fgrad.jit(lambda i, v: flax.switch(i, fns, v))(i, 2.0), jax.lax.switch(i, fns, 2.0))


def test_batched_while_predicate_stops_each_example_on_its_own(backend):
    def f(m):
        return lambda x: lax_of(m).while_loop(lambda c: c[1] < 10.0, lambda c: (c[0] + 1, c[1] * 2.0 + x), (0, x))
    xs = np.array([0.5, 1.0, 3.0, 7.0, 12.0])
    ours, theirs = fgrad.vmap(f(fnp))(xs), jax.vmap(f(jnp))(xs)
    tree_close(ours, theirs)
    assert len(set(np.asarray(ours[0]).tolist())) > 2          # the trip counts differ per example


def test_batched_predicate_of_cond_selects_between_both_branches():
    f = lambda x: flax.cond(x > 0, lambda v: fnp.log(v), lambda v: v * 2.0, x)
    ir = fgrad.make_ir(fgrad.vmap(f))(np.array([1.0, -1.0]))
    assert "cond" not in {e.prim.name for e in ir.eqns} and "select" in {e.prim.name for e in ir.eqns}
    with np.errstate(invalid="ignore"):
        close(fgrad.vmap(f)(np.array([1.5, -1.0])), jax.vmap(lambda x: jax.lax.cond(
            x > 0, jnp.log, lambda v: v * 2.0, x))(np.array([1.5, -1.0])))


def test_fori_loop_with_traced_bounds_is_a_while_loop_that_reverse_mode_refuses():
    f = lambda n, x: flax.fori_loop(0, n, lambda i, c: c * x, 1.0)
    assert "while_loop" in {e.prim.name for e in fgrad.make_ir(f)(3, 2.0).eqns}
    assert "scan" in {e.prim.name for e in fgrad.make_ir(lambda x: f(3, x))(2.0).eqns}
    close(fgrad.jit(f)(5, 1.5), 1.5 ** 5)
    close(fgrad.jvp(lambda x: f(4, x), (1.5,), (1.0,))[1], 4 * 1.5 ** 3)
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop"):
        fgrad.grad(lambda x: f(x.astype(int), x))(3.0)


@pytest.mark.parametrize("batch_size", [1, 3, 7, 10])
def test_map_with_a_batch_size_matches_jax(batch_size):
    xs = np.arange(14.0).reshape(7, 2)
    f = lambda m: lambda w, xs: lax_of(m).map(lambda r: {"a": m.sum(m.sin(r * w)), "b": r * 2.0}, xs,
                                              batch_size=batch_size)
    tree_close(fgrad.jit(f(fnp))(0.3, xs), f(jnp)(0.3, xs))
    tree_close(fgrad.grad(lambda w: fnp.sum(f(fnp)(w, xs)["a"]))(0.3),
               jax.grad(lambda w: jnp.sum(f(jnp)(w, xs)["a"]))(0.3))


def test_eager_calls_compute_directly():
    total, partial = flax.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0))
    ref = jax.lax.scan(lambda c, x: (c + x, c * x), 0.0, np.arange(4.0))
    tree_close((total, partial), ref)
    assert int(flax.while_loop(lambda v: v < 100, lambda v: v * 2, 3)) == 192
    close(flax.fori_loop(2, 5, lambda i, v: v + i, 0), 9)


# --- loops stay loops ----------------------------------------------------------------------------

def _long_scan(n):
    def f(w, x0):
        def step(c, _):
            c = fnp.tanh(c * w + 0.1)
            return c, fnp.sum(c)
        c, ys = flax.scan(step, x0, None, length=n)
        return fnp.sum(c) + fnp.sum(ys) * 1e-3
    return f


def _unrolled(n):
    def f(w, c):
        total = 0.0
        for _ in range(n):
            c = fnp.tanh(c * w + 0.1)
            total = total + fnp.sum(c)
        return fnp.sum(c) + total * 1e-3
    return f


def test_generated_numpy_code_is_a_loop_with_preallocated_outputs():
    text = fgrad.jit(_long_scan(1000)).lower(W, X).as_text()
    assert "for " in text and "range(1000)" in text and "np.empty((1000,), np.float64)" in text
    assert text.count("np.tanh") == 1
    grad_text = fgrad.jit(fgrad.grad(_long_scan(1000))).lower(W, X).as_text()
    assert "range(999, -1, -1)" in grad_text                      # the backward pass runs in reverse
    cond_text = fgrad.jit(_cond(fnp)).lower(W, X).as_text()
    assert "if " in cond_text and "else:" in cond_text
    while_text = fgrad.jit(_while(fnp)).lower(W, X).as_text()
    assert "while True:" in while_text and "break" in while_text


def _without_the_length(text: str, n: int) -> str:
    """`text` with the numbers an n-step loop writes (n, n - 1) replaced and `del` lines dropped (arrays
    are freed early only above a size)."""
    text = re.sub(rf"\b{n}\b", "N", re.sub(rf"\b{n - 1}\b", "N-1", text))
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("del "))


@pytest.mark.parametrize("transform", ["jit", "grad"])
def test_a_10000_step_scan_is_the_program_of_a_10_step_one(transform):
    # what compiling costs is the program's size: the same program for any length costs the same
    # (benchmarks/scan_compile.py measures it)
    wrap = fgrad.grad if transform == "grad" else (lambda f: f)
    irs = {n: fgrad.make_ir(wrap(_long_scan(n)))(W, X) for n in (10, 10_000)}
    assert len(irs[10].eqns) == len(irs[10_000].eqns) < 20
    assert _without_the_length(str(irs[10]), 10) == _without_the_length(str(irs[10_000]), 10_000)
    sources = {n: fgrad.jit(wrap(_long_scan(n))).lower(W, X).as_text() for n in (10, 10_000)}
    assert _without_the_length(sources[10], 10) == _without_the_length(sources[10_000], 10_000)


def test_gradient_of_a_long_scan_equals_the_unrolled_one():
    n = 10_000
    ours = fgrad.jit(fgrad.grad(_long_scan(n), argnums=(0, 1)))(W, X)
    unrolled = fgrad.grad(_unrolled(n), argnums=(0, 1))(W, X)
    tree_close(ours, unrolled, rtol=1e-10)
    tree_close(fgrad.jit(fgrad.grad(_long_scan(n), argnums=(0, 1)), backend="xla")(W, X), unrolled, rtol=1e-9)
    assert len(fgrad.make_ir(fgrad.grad(_long_scan(n)))(W, X).eqns) < 20     # a loop, not 10,000 copies


# --- constants, caching, printing ----------------------------------------------------------------

def test_arrays_read_by_a_body_are_referenced_and_changes_are_seen(backend):
    table = np.array([1.0, 2.0, 3.0])
    f = fgrad.jit(lambda x: flax.scan(lambda c, t: (c * x + t, None), 0.0, table)[0])
    close(f(2.0), 1.0 * 4 + 2.0 * 2 + 3.0)
    table[:] = [0.0, 0.0, 1.0]
    close(f(2.0), 1.0)
    assert f.cache_info()["misses"] == 1


SCALE = 2.0


def test_a_rebound_global_read_by_a_branch_retraces():
    global SCALE
    f = fgrad.jit(lambda x: flax.cond(x > 0, lambda v: v * SCALE, lambda v: v, x))
    close(f(1.0), 2.0)
    SCALE = 5.0
    try:
        close(f(1.0), 5.0)
    finally:
        SCALE = 2.0


def test_printed_ir_nests_the_sub_programs_as_a_jaxpr_does():
    text = str(fgrad.make_ir(_cond(fnp))(W, X))
    assert "cond[\n" in text and "branches=(\n" in text and text.count("{ lambda") == 3
    scan_text = str(fgrad.make_ir(_scan_no_xs(fnp))(W, X))
    assert "scan[\n" in scan_text and "body={ lambda" in scan_text and "length=4" in scan_text


# --- errors --------------------------------------------------------------------------------------

def test_carry_type_mismatch_names_the_component():
    with pytest.raises(TypeError, match=r"scan body function carry input and carry output must have equal types"
                       r"(.|\n)*component c\[1\] has type float64\[\] but the corresponding output carry "
                       r"component has type int32\[\]"):
        flax.scan(lambda c, x: ((c[0], c[1].astype(np.int32)), x), (1.0, 2.0), np.ones(3))
    with pytest.raises(TypeError, match="fori_loop body function carry input and carry output must have equal"):
        flax.fori_loop(0, 3, lambda i, x: x.astype(np.float32), np.ones(2))
    with pytest.raises(TypeError, match="the same pytree structure"):
        flax.while_loop(lambda c: c < 3.0, lambda c: (c, c), 1.0)


def test_branch_mismatch_and_bad_predicates():
    with pytest.raises(TypeError, match=r"cond branches must have equal output types(.|\n)*float64\[\](.|\n)*int32"):
        flax.cond(True, lambda x: x, lambda x: x.astype(np.int32), np.float64(1.0))
    with pytest.raises(TypeError, match="branch outputs must have the same pytree structure"):
        flax.cond(True, lambda x: x, lambda x: (x, x), 1.0)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        flax.cond(np.array([True, False]), lambda x: x, lambda x: x, 1.0)
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        flax.while_loop(lambda c: c, lambda c: c, 1.0)
    with pytest.raises(ValueError, match="different leading axis sizes: 2, 3"):
        flax.scan(lambda c, x: (c, None), 0.0, (np.ones(2), np.ones(3)))
    with pytest.raises(ValueError, match="no values to scan over and `length` not provided"):
        flax.scan(lambda c, x: (c, None), 0.0, None)


def test_python_control_flow_on_a_traced_value_points_at_lax():
    def f(x):
        while x > 0:
            x = x - 1.0
        return x
    with pytest.raises(fgrad.ConcretizationError, match=r"fgrad\.lax\.while_loop") as info:
        fgrad.jit(f)(2.0)
    assert "fgrad.lax.cond" in str(info.value) and "test_control_flow.py" in str(info.value)
    with pytest.raises(fgrad.ConcretizationError, match=r"fgrad\.lax\.cond"):
        fgrad.grad(lambda x: flax.cond(x > 0, lambda v: v if v > 1 else -v, lambda v: v, x))(2.0)


@pytest.mark.parametrize("read", ["bool", "and", "float", "int", "index", "item", "complex"])
def test_reading_a_traced_value_starts_with_jax_s_words(read):
    reads = {"bool": lambda x: 1.0 if x > 0 else 0.0, "and": lambda x: (x > 0) and (x < 3),
             "float": float, "int": int, "index": lambda i: [1.0, 2.0, 3.0][i], "item": lambda x: x.item(),
             "complex": complex}
    arg = np.int64(2) if read in ("int", "index") else 2.0
    with pytest.raises(TypeError) as theirs:
        jax.jit(reads[read])(arg)
    with pytest.raises(fgrad.ConcretizationError) as ours:
        fgrad.jit(reads[read])(arg)
    assert str(ours.value).splitlines()[0] == str(theirs.value).splitlines()[0]
    assert "test_control_flow.py" in str(ours.value).splitlines()[1]      # then where, and the fix


def test_a_traced_shape_is_a_type_error_at_the_user_s_line():
    def example_fun(length, val):                       # jax's control-flow page
        return fnp.ones((length,)) * val
    line = example_fun.__code__.co_firstlineno + 1
    with pytest.raises(TypeError, match=rf"at .*test_control_flow.py:{line}, "):
        fgrad.jit(example_fun)(10, 4)
    with pytest.raises(TypeError):
        jax.jit(lambda length, val: jnp.ones((length,)) * val)(10, 4)
    close(fgrad.jit(example_fun, static_argnums=0)(10, 4), jnp.ones(10) * 4)


def test_a_loop_result_crosses_xla_segments_unpacked(monkeypatch):
    from fgrad.backends import xla
    monkeypatch.setattr(xla, "LONG_PROGRAM", 3)
    monkeypatch.setattr(xla, "SEGMENT", 2)

    def f(w, x):
        c, ys = flax.scan(lambda c, e: (c * w + e, c), x, fnp.stack([x, x]))
        a = flax.cond(fnp.sum(c) > 0, lambda v: v * 2.0, lambda v: v, c)
        return fnp.sum(a) + fnp.sum(ys) + fnp.sum(c * w)
    assert fgrad.jit(f, backend="xla").lower(W, X).program.segments > 1
    close(fgrad.jit(f, backend="xla")(W, X), fgrad.jit(f, backend="numpy")(W, X))
    close(fgrad.jit(fgrad.grad(f), backend="xla")(W, X), fgrad.grad(f)(W, X))


def _scan_loss(np_, lax):
    def body(c, x):
        c = np_.sin(c) * x + c
        return c, c * 2.0
    return lambda c0, xs: np_.sum(lax.scan(body, c0, xs)[1]) + lax.scan(body, c0, xs, unroll=2)[0]


def _scans(ir) -> list:
    return [e for e in ir.eqns if e.prim.name == "scan"]


@pytest.mark.parametrize("transform", ["value_and_grad", "vjp"])
def test_reverse_mode_of_a_scan_runs_the_forward_loop_once(transform, backend):
    xs = np.linspace(0.1, 1.0, 6)
    f = _scan_loss(fnp, flax)
    if transform == "vjp":
        (value, pullback), ir = fgrad.vjp(f, 0.5, xs), fgrad.make_ir(lambda c, x: fgrad.vjp(f, c, x)[1](1.0))(0.5, xs)
        grads = pullback(1.0)
    else:
        value, grads = fgrad.value_and_grad(f, argnums=(0, 1))(0.5, xs)
        ir = fgrad.make_ir(fgrad.value_and_grad(f, argnums=(0, 1)))(0.5, xs)
    forward = [e for e in _scans(ir) if not e.params["reverse"]]
    assert len(forward) == 2 and len(_scans(ir)) == 4          # each of the two scans: one loop each way
    assert [e.params["unroll"] for e in forward] == [1, 2]
    want_value, want_grads = jax.value_and_grad(_scan_loss(jnp, jax.lax), argnums=(0, 1))(0.5, xs)
    close(value, want_value)
    for a, b in zip(grads, want_grads):
        close(a, b)
