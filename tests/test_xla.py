"""The xla backend agrees with the NumPy backend on every primitive and transform, and with jax.grad."""

from __future__ import annotations

import linecache
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from primitive_cases import merged  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.backends import xla  # noqa: E402
from fgrad.core import REGISTRY, bind  # noqa: E402
from fgrad.errors import GuardFailure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TOL = {np.float32: dict(rtol=2e-5, atol=1e-6), np.float64: dict(rtol=1e-12, atol=1e-13)}


def rng_arrays(seed, *shapes, positive=False):
    rng = np.random.default_rng(seed)
    out = [rng.standard_normal(s) for s in shapes]
    return [np.abs(a) + 0.5 for a in out] if positive else out


def p(name):
    return REGISTRY[name]


# --- one case per primitive: (function, argument shapes, options) -----------------------------

UNARY_FLOAT = ["neg", "sin", "cos", "tan", "tanh", "exp", "expm1", "arctan", "sinh", "cosh", "logistic",
               "abs", "sign"]
UNARY_POSITIVE = ["log", "log1p", "sqrt"]
BINARY_FLOAT = ["add", "sub", "mul", "div", "max", "min"]
COMPARE = ["lt", "le", "gt", "ge", "eq", "ne"]
IDX = np.array([2, 0, 2, 1])

CASES = {name: (lambda x, _n=name: bind(p(_n), x), [(3, 4)], {}) for name in UNARY_FLOAT}
CASES.update({name: (lambda x, _n=name: bind(p(_n), x), [(3, 4)], {"positive": True})
              for name in UNARY_POSITIVE})
CASES.update({name: (lambda x, y, _n=name: bind(p(_n), x, y), [(3, 4), (3, 4)], {})
              for name in BINARY_FLOAT})
CASES.update({name: (lambda x, y, _n=name: bind(p(_n), x, y).astype(x.dtype), [(5,), (5,)],
                     {"nondiff": True}) for name in COMPARE})
CASES.update({
    "pow": (lambda x, y: bind(p("pow"), x, y), [(3,), (3,)], {"positive": True}),
    "integer_pow": (lambda x: bind(p("integer_pow"), x, n=3), [(4,)], {}),
    "and": (lambda x, y: bind(p("and"), x > 0, y > 0).astype(x.dtype), [(6,), (6,)], {"nondiff": True}),
    "or": (lambda x, y: bind(p("or"), x > 0, y > 0).astype(x.dtype), [(6,), (6,)], {"nondiff": True}),
    "not": (lambda x: bind(p("not"), x > 0).astype(x.dtype), [(6,)], {"nondiff": True}),
    "isnan": (lambda x: bind(p("isnan"), fnp.log(x)).astype(x.dtype), [(6,)], {"nondiff": True}),
    "select": (lambda x, y: bind(p("select"), x > y, x * 2.0, y), [(3, 2), (3, 2)], {}),
    "convert_element_type": (lambda x: bind(p("convert_element_type"), x * 3.0, dtype="int32")
                             .astype(x.dtype) + x, [(5,)], {}),
    "stop_gradient": (lambda x: bind(p("stop_gradient"), x) * x, [(4,)], {}),
    "guard": (lambda x: x * 2.0 if bind(p("guard"), fnp.sum(x) > -100.0, expected=True) is not None else x,
              [(4,)], {}),
    "dot_general": (lambda a, b: bind(p("dot_general"), a, b, contract=((2,), (1,)), batch=((0,), (0,))),
                    [(2, 3, 4), (2, 4, 5)], {}),
    "reduce_sum": (lambda x: bind(p("reduce_sum"), x, axes=(0, 2)), [(2, 3, 4)], {}),
    "reduce_max": (lambda x: bind(p("reduce_max"), x, axes=(1,)), [(3, 5)], {}),
    "reduce_min": (lambda x: bind(p("reduce_min"), x, axes=(0,)), [(3, 5)], {}),
    "reduce_prod": (lambda x: bind(p("reduce_prod"), x, axes=(1,)), [(3, 4)], {}),
    "argmax": (lambda x: bind(p("argmax"), x, axis=1).astype(x.dtype), [(3, 5)], {"nondiff": True}),
    "argmin": (lambda x: bind(p("argmin"), x, axis=0).astype(x.dtype), [(3, 5)], {"nondiff": True}),
    "broadcast_in_dim": (lambda x: bind(p("broadcast_in_dim"), x, shape=(2, 3, 4), dims=(0, 2)),
                         [(2, 4)], {}),
    "reshape": (lambda x: bind(p("reshape"), x, shape=(4, 3)), [(2, 6)], {}),
    "transpose": (lambda x: bind(p("transpose"), x, perm=(2, 0, 1)), [(2, 3, 4)], {}),
    "gather": (lambda x: bind(p("gather"), x, IDX, spec=(("slice", 1, None, None), ("none",), ("array", 0)))
               * 1.5 + x[-1, ::2].sum(), [(3, 4)], {}),
    "scatter_add": (lambda u: bind(p("scatter_add"), u, IDX, spec=(("array", 0),), shape=(3, 2)),
                    [(4, 2)], {}),
    "concatenate": (lambda x, y: fnp.concatenate([x, y, x], axis=1), [(2, 3), (2, 1)], {}),
})
CASES.update(merged("XLA"))


def test_every_primitive_has_a_case_and_an_xla_rule():
    missing = sorted(set(REGISTRY) - set(CASES))
    assert not missing, f"add test cases for {missing}"
    for prim in REGISTRY.values():
        assert prim.emit["xla"] is not None, prim.name


def _args(name, dtype, seed=0):
    _, shapes, opts = CASES[name]
    return [a.astype(dtype) for a in rng_arrays(seed, *shapes, positive=opts.get("positive", False))]


def _both(fun, args, dtype):
    ours = fgrad.jit(fun, backend="xla")(*args)
    ref = fgrad.jit(fun, backend="numpy")(*args)
    assert isinstance(ours, jax.Array)
    assert ours.dtype == ref.dtype == np.result_type(ref), (ours.dtype, ref.dtype)
    np.testing.assert_allclose(np.asarray(ours), ref, **TOL[dtype])
    return ours, ref


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CASES))
def test_primitive_value(name, dtype):
    ours, ref = _both(CASES[name][0], _args(name, dtype), dtype)
    assert ours.dtype == np.dtype(dtype)


def _loss(name, weights):
    fun = CASES[name][0]
    return lambda *xs: fnp.sum(fun(*xs) * weights)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(n for n in CASES if not CASES[n][2].get("nondiff")))
def test_primitive_grad(name, dtype):
    args = _args(name, dtype)
    out_shape = np.shape(fgrad.jit(CASES[name][0])(*args))
    weights = np.random.default_rng(9).standard_normal(out_shape).astype(dtype)
    loss = _loss(name, weights)
    argnums = tuple(range(len(args)))
    for make in (fgrad.grad, fgrad.value_and_grad):
        ours = fgrad.jit(make(loss, argnums), backend="xla")(*args)
        ref = fgrad.jit(make(loss, argnums), backend="numpy")(*args)
        for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(ref)):
            assert a.dtype == np.dtype(dtype)
            np.testing.assert_allclose(np.asarray(a), b, **TOL[dtype])


SECOND_ORDER = ["sin", "tanh", "exp", "log", "sqrt", "logistic", "mul", "div", "pow", "integer_pow",
                "max", "dot_general", "reduce_max", "reduce_prod", "gather", "broadcast_in_dim"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", SECOND_ORDER)
def test_primitive_grad_of_grad(name, dtype):
    args = _args(name, dtype, seed=3)
    out_shape = np.shape(fgrad.jit(CASES[name][0])(*args))
    weights = np.random.default_rng(5).standard_normal(out_shape).astype(dtype)
    inner = fgrad.grad(_loss(name, weights))
    outer = fgrad.grad(lambda *xs: fnp.sum(fnp.sin(inner(*xs))))
    ours = fgrad.jit(outer, backend="xla")(*args)
    ref = fgrad.jit(outer, backend="numpy")(*args)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else TOL[dtype]
    np.testing.assert_allclose(np.asarray(ours), ref, **tol)


def test_vjp_with_xla_backend():
    x = rng_arrays(1, (3, 4))[0]
    fgrad.config.update("backend", "xla")
    try:
        out, pullback = fgrad.vjp(lambda a: fnp.tanh(a) @ a.T, x)
        (ct_x,) = pullback(np.ones((3, 3)))
    finally:
        fgrad.config.update("backend", "numpy")
    ref_out, ref_pullback = fgrad.vjp(lambda a: fnp.tanh(a) @ a.T, x)
    np.testing.assert_allclose(np.asarray(out), ref_out, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(ct_x), ref_pullback(np.ones((3, 3)))[0], rtol=1e-12)


# --- guards --------------------------------------------------------------------------------------

def test_guard_fails_on_host_after_the_call():
    fun = CASES["guard"][0]
    program = fgrad.jit(fun, backend="xla").lower(np.ones(4)).compile()
    assert "== True" in program.source
    np.testing.assert_allclose(np.asarray(program(np.ones(4))[0]), 2.0)
    with pytest.raises(GuardFailure):
        program(np.full(4, -1000.0))


def test_python_branches_retrace_under_xla():
    def f(x):
        return fnp.sin(x) * 3.0 if x > 0 else x ** 3

    fgrad.config.update("backend", "xla")
    try:
        g = fgrad.grad(f)
        pos, neg, pos2 = g(0.5), g(-2.0), g(0.25)
    finally:
        fgrad.config.update("backend", "numpy")
    assert isinstance(pos, jax.Array)
    np.testing.assert_allclose([float(pos), float(neg), float(pos2)],
                               [3 * np.cos(0.5), 12.0, 3 * np.cos(0.25)], rtol=1e-14)
    assert g.cache_info()["misses"] == 2


# --- dtypes, inputs, text ------------------------------------------------------------------------

def test_float64_stays_float64_without_touching_global_settings():
    # other test modules may switch x64 on globally; this test needs it off to mean anything
    with jax.enable_x64(False):
        assert not jax.config.jax_enable_x64
        out = fgrad.jit(lambda x: fnp.exp(x) + 1e-10, backend="xla")(np.zeros(3))
        assert out.dtype == np.float64
        np.testing.assert_array_equal(np.asarray(out), np.full(3, 1.0 + 1e-10))
        assert not jax.config.jax_enable_x64
        out32 = fgrad.jit(lambda x: fnp.exp(x), backend="xla")(np.zeros(3, np.float32))
        assert out32.dtype == np.float32
        assert not xla.needs_x64(fgrad.make_ir(lambda x: fnp.exp(x))(np.zeros(3, np.float32)))


def test_jax_array_inputs():
    with jax.enable_x64(True):
        x = jnp.linspace(0.0, 1.0, 5)
    g = fgrad.jit(fgrad.grad(lambda a: fnp.sum(fnp.sin(a) ** 2)), backend="xla")
    np.testing.assert_allclose(np.asarray(g(x)), np.sin(2 * np.asarray(x)), rtol=1e-14)
    assert g(x).dtype == np.float64


def test_constants_are_arguments_not_text():
    data = np.random.default_rng(0).standard_normal((50, 3))
    f = fgrad.jit(lambda w: fnp.sum((data @ w) ** 2), backend="xla")
    lowered = f.lower(np.ones(3))
    assert "_c0" in lowered.compile().source and "0." not in lowered.compile().source.split("\n")[0]
    np.testing.assert_allclose(np.asarray(f(np.ones(3))), np.sum((data @ np.ones(3)) ** 2), rtol=1e-12)


def test_as_text_has_jax_code_and_stablehlo_and_linecache():
    lowered = fgrad.jit(fgrad.grad(lambda x: fnp.sum(fnp.tanh(x))), backend="xla").lower(np.ones(3))
    text = lowered.as_text()
    assert "jnp.tanh(a)" in text and "stablehlo" in text and "tensor<3xf64>" in text
    program = lowered.compile()
    assert linecache.getline(program.filename, 1).startswith("def program(a)")


def test_missing_jax_says_how_to_install():
    code = ("import sys; sys.modules['jax'] = None\n"
            "import fgrad, numpy as np\n"
            "try:\n    fgrad.jit(lambda x: x * 2.0, backend='xla')(np.ones(2))\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert 'pip install "fgrad[xla]"' in out.stdout


# --- held-out functions against jax.grad ---------------------------------------------------------

def _mlp(np_, params, x):
    w1, b1, w2 = params
    h = np_.tanh(x @ w1 + b1)
    logits = h @ w2
    m = np_.max(logits, axis=1, keepdims=True)
    lse = np_.log(np_.sum(np_.exp(logits - m), axis=1)) + m[:, 0]
    return np_.mean(lse - logits[:, 0])


def _softplus_pow(np_, params, x):
    (w,) = params
    z = x @ w
    soft = np_.maximum(z, 0.0) + np_.log1p(np_.exp(-np_.abs(z)))
    return np_.sum(soft ** 1.5 + np_.sqrt(z * z + 1.0)) / z.shape[0]


def _trig_where(np_, params, x):
    (w,) = params
    z = np_.sin(x[:, :2] * w[:2]) * np_.cosh(w[1] * 0.1)
    return np_.sum(np_.where(z > 0, z ** 2, -z)) + np_.prod(np_.arctan(w))


HELD_OUT = {
    "mlp": (_mlp, [(4, 6), (6,), (6, 3)], (5, 4)),
    "softplus_pow": (_softplus_pow, [(4,)], (7, 4)),
    "trig_where": (_trig_where, [(3,)], (6, 3)),
}


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_held_out_against_jax_grad(name):
    fun, shapes, x_shape = HELD_OUT[name]
    params = rng_arrays(11, *shapes)
    x = rng_arrays(12, x_shape)[0]
    fgrad.config.update("backend", "xla")
    try:
        ours = fgrad.grad(lambda ps, xs: fun(fnp, ps, xs))(params, x)
        ours_vg = fgrad.value_and_grad(lambda ps, xs: fun(fnp, ps, xs))(params, x)[1]
    finally:
        fgrad.config.update("backend", "numpy")
    with jax.enable_x64(True):
        ref = jax.grad(lambda ps, xs: fun(jnp, ps, xs))([jnp.asarray(a) for a in params], jnp.asarray(x))
        ref = [np.asarray(r) for r in ref]
    for a, b, c in zip(ours, ours_vg, ref):
        assert a.dtype == np.float64
        np.testing.assert_allclose(np.asarray(a), c, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(np.asarray(b), c, rtol=1e-12, atol=1e-14)


# --- configuration, cache ------------------------------------------------------------------------

def test_config_backend_selects_xla_for_grad():
    fgrad.config.update("backend", "xla")
    try:
        g = fgrad.grad(lambda x: fnp.sum(x ** 3))(np.arange(3.0))
    finally:
        fgrad.config.update("backend", "numpy")
    assert isinstance(g, jax.Array)
    np.testing.assert_array_equal(np.asarray(g), 3 * np.arange(3.0) ** 2)
    assert not isinstance(fgrad.grad(lambda x: fnp.sum(x ** 3))(np.arange(3.0)), jax.Array)


def test_env_var_selects_xla():
    code = ("import fgrad, fgrad.numpy as fnp, numpy as np, jax\n"
            "g = fgrad.value_and_grad(lambda x: fnp.sum(x * x))(np.ones(2))\n"
            "print(fgrad.config.backend, type(g[1]).__module__.split('.')[0], g[1].dtype)\n")
    env = dict(os.environ, FGRAD_BACKEND="xla", JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True)
    assert out.stdout.split() == ["xla", "jaxlib", "float64"]


def test_compile_cache_and_explanation():
    f = fgrad.jit(fgrad.grad(lambda x: fnp.sum(fnp.sin(x))), backend="xla")
    f(np.ones(3))
    f(np.zeros(3))
    info = f.cache_info()
    assert (info["hits"], info["misses"]) == (1, 1)
    f(np.ones(4, np.float32))
    info = f.cache_info()
    assert info["misses"] == 2
    assert info["last_miss_reason"] == "input leaf 0 changed from float64[3] to float32[4]"


# --- long programs: segments ---------------------------------------------------------------------

def test_long_programs_compile_in_segments(monkeypatch):
    monkeypatch.setattr(xla, "LONG_PROGRAM", 20)
    monkeypatch.setattr(xla, "SEGMENT", 7)

    def chain(x, scale):
        for k in range(12):
            x = fnp.sin(x) * 0.9 + 0.1 * x if k % 2 else x * fnp.exp(-0.05 * (x * x))
        return fnp.sum(x * scale) if fnp.sum(scale) > 0 else fnp.sum(x)

    x, scale = rng_arrays(4, (8,), (8,))
    scale = np.abs(scale)
    fgrad.config.update("backend", "xla")
    try:
        g = fgrad.grad(chain)
        ours = g(x, scale)
        program = g.cache.entries[next(iter(g.cache.entries))][0][0]
        neg = g(x, -scale)                          # the guard fails in a segment: retrace
    finally:
        fgrad.config.update("backend", "numpy")
    assert program.segments > 2
    assert "segment_1 = " not in program.source and "= segment_1(" in program.source
    np.testing.assert_allclose(np.asarray(ours), fgrad.grad(chain)(x, scale), rtol=1e-13)
    np.testing.assert_allclose(np.asarray(neg), fgrad.grad(chain)(x, -scale), rtol=1e-13)
    assert "segments" in program.as_text()


# --- several devices -----------------------------------------------------------------------------

def _multi_device_env():
    return dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=8", JAX_PLATFORMS="cpu",
                PYTHONPATH=str(ROOT))


SHARDED = """
import jax, numpy as np, fgrad, fgrad.numpy as fnp
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
mesh = Mesh(np.array(jax.devices()), ("batch",))
rng = np.random.default_rng(0)
X, y, w = rng.standard_normal((64, 5)), rng.standard_normal(64), rng.standard_normal(5)
loss = lambda w, X, y: fnp.mean((X @ w - y) ** 2)
g = fgrad.jit(fgrad.grad(loss), backend="xla")
with jax.enable_x64(True):
    Xs = jax.device_put(X, NamedSharding(mesh, P("batch", None)))
    ys = jax.device_put(y, NamedSharding(mesh, P("batch")))
    ws = jax.device_put(w, NamedSharding(mesh, P()))
sharded, single = g(ws, Xs, ys), g(w, X, y)
print(len(jax.devices()), len(Xs.sharding.device_set), len(sharded.sharding.device_set),
      sharded.sharding.is_fully_replicated, sharded.dtype,
      float(np.max(np.abs(np.asarray(sharded) - np.asarray(single)))))
"""


def test_sharded_inputs_keep_their_sharding():
    out = subprocess.run([sys.executable, "-c", SHARDED], capture_output=True, text=True, cwd=ROOT,
                         env=_multi_device_env(), check=True)
    n, n_x, n_g, replicated, dtype, err = out.stdout.split()
    assert (n, n_x, n_g, replicated, dtype) == ("8", "8", "8", "True", "float64")
    assert float(err) < 1e-13


def test_data_parallel_example_runs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "data_parallel.py"), "--steps", "5"],
                         capture_output=True, text=True, cwd=ROOT, env=_multi_device_env(), check=True)
    text = out.stdout
    assert "8 devices" in text and "step 4" in text
    assert "matches the single-device gradient" in text


def test_native_dispatch_when_x64_is_on():
    # with 64-bit values on, short programs are dispatched by jax.jit itself on the user's arguments
    with jax.enable_x64(True):
        g = fgrad.jit(fgrad.grad(lambda x, y: fnp.sum(fnp.sin(x) * y)), backend="xla")
        x, y = np.linspace(0.0, 1.0, 5), np.arange(5.0)
        np.testing.assert_allclose(np.asarray(g(x, y)), np.cos(x) * y, rtol=1e-14)
        assert g._native
        np.testing.assert_allclose(np.asarray(g(x, y)), np.cos(x) * y, rtol=1e-14)
        assert g.cache_info()["misses"] == 1 and g.cache_info()["hits"] == 1
        assert g(np.ones(3), np.ones(3)).shape == (3,)
        assert g.cache_info()["misses"] == 2
        assert g(x, y).dtype == np.float64


def test_long_programs_skip_native_dispatch():
    def chain(x):
        for _ in range(1200):
            x = fnp.sin(x) * 0.5 + x * 0.25
        return fnp.sum(x)
    with jax.enable_x64(True):
        g = fgrad.jit(fgrad.grad(chain), backend="xla")
        got = np.asarray(g(np.linspace(-1.0, 1.0, 4)))
        assert g._native is False
    want = fgrad.grad(chain)(np.linspace(-1.0, 1.0, 4))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def unaligned_copy(a: np.ndarray) -> np.ndarray:
    """A copy of `a` whose data starts 8 bytes past a 64-byte boundary, which XLA's CPU client
    cannot alias."""
    raw = np.empty(a.nbytes + 128, np.uint8)
    start = -raw.ctypes.data % 64 + 8
    out = raw[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


@pytest.mark.parametrize("x64", [True, False], ids=["native", "program"])
def test_large_numpy_inputs_are_staged_and_read_afresh(x64):
    n = 600_000                                   # 4.8 MB per input: over the staging threshold
    x = unaligned_copy(np.linspace(-1.0, 1.0, n))
    y = unaligned_copy(np.random.default_rng(0).standard_normal(n))
    with jax.enable_x64(x64):
        g = fgrad.jit(fgrad.grad(lambda x, y: fnp.sum(fnp.sin(x) * y)), backend="xla")
        first = np.asarray(g(x, y))               # the first call is not staged
        x += 0.5                                  # changed in place: the next call must see it
        second = g(x, y)
        x -= 0.5                                  # staged: already copied, so this cannot leak in
        staging = g._staging if x64 else next(iter(g.cache.entries.values()))[0][0]._staging
        assert len(staging._local.buffers) == 2   # both inputs went through staging buffers
    np.testing.assert_allclose(first, np.cos(x) * y, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(second), np.cos(x + 0.5) * y, rtol=1e-12)
    assert second.dtype == np.float64


def test_outputs_never_alias_staging_buffers():
    a = unaligned_copy(np.arange(600_000.0))
    with jax.enable_x64(True):
        identity = fgrad.jit(lambda v: v, backend="xla")
        identity(a)                                     # compiles; the first call is not staged
        first = identity(a)                             # staged
        assert len(identity._staging._local.buffers) == 1
        identity(unaligned_copy(np.zeros(600_000)))     # overwrites the staging buffer
    np.testing.assert_array_equal(np.asarray(first), np.arange(600_000.0))


def test_staging_buffers_are_per_thread():
    from concurrent.futures import ThreadPoolExecutor
    inputs = [unaligned_copy(np.full(600_000, float(k))) for k in range(4)]
    with jax.enable_x64(True):
        g = fgrad.jit(fgrad.grad(lambda x: fnp.sum(x * x * x)), backend="xla")
        g(inputs[0])
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda k: [np.asarray(g(inputs[k]))[0] for _ in range(20)], range(4)))
    for k, values in enumerate(results):
        assert values == [3.0 * k * k] * 20


class _Affine:
    """A parameter container registered with fgrad only: jax sees it as one opaque object."""

    def __init__(self, w, b):
        self.w, self.b = w, b


fgrad.register_pytree_node(_Affine, lambda p: ([p.w, p.b], None), lambda _, c: _Affine(*c))


def test_pytree_nodes_registered_with_fgrad_alone_work_with_native_dispatch():
    from fgrad.tree import tree_leaves

    def loss(params, x):
        return sum(fnp.sum(fnp.tanh(leaf * x)) for leaf in tree_leaves(params))

    x, w, b = np.linspace(0.0, 1.0, 3), np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, 0.3])
    want = fgrad.grad(loss)((w, b), x)
    with jax.enable_x64(True):
        only_custom = fgrad.jit(fgrad.grad(loss), backend="xla")
        got = only_custom(_Affine(w, b), x)                 # first call: not handed to jax.jit
        assert only_custom._native is False
        mixed = fgrad.jit(fgrad.grad(loss), backend="xla")
        as_tuple = mixed((w, b), x)                         # handed to jax.jit
        assert mixed._native
        as_node = mixed(_Affine(w, b), x)                   # jax cannot read it: the usual path
    for result in (got, as_node):
        assert isinstance(result, _Affine)
        np.testing.assert_allclose(np.asarray(result.w), want[0], rtol=1e-12)
        np.testing.assert_allclose(np.asarray(result.b), want[1], rtol=1e-12)
    np.testing.assert_allclose(np.asarray(as_tuple[0]), want[0], rtol=1e-12)


def test_type_errors_from_the_function_still_surface_under_native_dispatch():
    with jax.enable_x64(True):
        g = fgrad.jit(lambda x: fnp.sum(x) if x.shape[0] < 3 else None + x, backend="xla")
        g(np.ones(2))
        with pytest.raises(TypeError):
            g(np.ones(4))
