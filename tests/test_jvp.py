"""Forward mode: fgrad.jvp and fgrad.linearize against jax.jvp and jax.linearize (float64), for every
primitive through the fgrad.numpy functions that use it, to second order, on both backends; symbolic
zeros in the IR; pytrees, has_aux and the errors for mismatched primals and tangents."""

from __future__ import annotations

import operator
from collections import namedtuple
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from primitive_cases import merged
from test_primitives import DIFF, NONDIFF, away, distinct, pos, rnd

import fgrad
import fgrad.numpy as fnp
from fgrad import api_jvp
from fgrad.api import trace_flat
from fgrad.core import REGISTRY
from fgrad.errors import MissingRuleError
from fgrad.ir_print import typecheck
from fgrad.testing import check_grads
from fgrad.transforms.jvp import jvp_ir

jax.config.update("jax_enable_x64", True)

# the same case is written once and built against either library
FG = SimpleNamespace(np=fnp, nn=fgrad.nn, stop=fgrad.stop_gradient, jvp=fgrad.jvp, grad=fgrad.grad)
JX = SimpleNamespace(np=jnp, nn=jax.nn, stop=jax.lax.stop_gradient, jvp=jax.jvp, grad=jax.grad)

_COMPARE = [("lt", operator.lt), ("le", operator.le), ("gt", operator.gt), ("ge", operator.ge),
            ("eq", operator.eq), ("ne", operator.ne)]

# primitive -> [(build(m) -> function, args)]; the function binds that primitive under fgrad
CASES = {
    "neg": [(lambda m: m.np.negative, [rnd(3)])],
    "sin": [(lambda m: m.np.sin, [rnd(2, 3)])],
    "cos": [(lambda m: m.np.cos, [rnd(2, 3)])],
    "tan": [(lambda m: m.np.tan, [rnd(2, 3, low=-1.0, high=1.0)])],
    "tanh": [(lambda m: m.np.tanh, [rnd(2, 3)])],
    "exp": [(lambda m: m.np.exp, [rnd(2, 3)])],
    "expm1": [(lambda m: m.np.expm1, [rnd(2, 3)])],
    "log": [(lambda m: m.np.log, [pos(2, 3)])],
    "log1p": [(lambda m: m.np.log1p, [pos(2, 3)])],
    "sqrt": [(lambda m: m.np.sqrt, [pos(2, 3)])],
    "abs": [(lambda m: m.np.abs, [away(2, 3)])],
    "sign": [(lambda m: m.np.sign, [away(3)]), (lambda m: lambda x: m.np.sign(x) * x ** 2, [away(3)])],
    "arctan": [(lambda m: m.np.arctan, [rnd(2, 3)])],
    "sinh": [(lambda m: m.np.sinh, [rnd(2, 3)])],
    "cosh": [(lambda m: m.np.cosh, [rnd(2, 3)])],
    "logistic": [(lambda m: m.nn.sigmoid, [rnd(2, 3, low=-4, high=4)])],
    "integer_pow": [(lambda m: lambda x: x ** 3, [rnd(4)]), (lambda m: lambda x: x ** 2, [rnd(4)]),
                    (lambda m: lambda x: x ** -2, [pos(4)])],
    "add": [(lambda m: m.np.add, [rnd(2, 3), rnd(3, seed=1)])],
    "sub": [(lambda m: m.np.subtract, [rnd(2, 3), rnd(1, 3)])],
    "mul": [(lambda m: m.np.multiply, [rnd(2, 3), rnd(3)]), (lambda m: lambda x: x * m.np.sin(x), [rnd(3)])],
    "div": [(lambda m: m.np.divide, [rnd(2, 3), pos(2, 3)]), (lambda m: lambda x: 2.0 / x, [pos(3)])],
    "pow": [(lambda m: m.np.power, [pos(2, 3), rnd(2, 3)]), (lambda m: lambda x: 1.7 ** x, [rnd(3)]),
            (lambda m: lambda x: x ** 1.5, [pos(3)])],
    "max": [(lambda m: m.np.maximum, [distinct(2, 3), distinct(2, 3, seed=1) + 0.1]),
            (lambda m: m.np.maximum, [np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])])],   # ties
    "min": [(lambda m: m.np.minimum, [distinct(2, 3), distinct(2, 3, seed=1) + 0.1]),
            (lambda m: m.np.minimum, [np.array([1.0, 2.0]), np.array([1.0, 3.0])])],
    **{name: [(lambda m, op=op: lambda x, y: m.np.where(op(x, y), x * y, m.np.sin(y)),
               [np.array([0.5, 1.0, -2.0]), np.array([0.5, 0.0, 1.0])])] for name, op in _COMPARE},
    "and": [(lambda m: lambda x, y: m.np.where(m.np.logical_and(x > 0, y > 0), x, y), [rnd(4), rnd(4, seed=3)])],
    "or": [(lambda m: lambda x, y: m.np.where(m.np.logical_or(x > 0, y > 0), x, y), [rnd(4), rnd(4, seed=3)])],
    "not": [(lambda m: lambda x: m.np.where(m.np.logical_not(x > 0), x, x * x), [rnd(4)])],
    "isnan": [(lambda m: lambda x: m.np.where(m.np.isnan(x), 0.0, x * 2), [rnd(4)])],
    "select": [(lambda m: lambda x, y: m.np.where(x > y, x * y, m.np.sin(y)),
                [distinct(2, 3), distinct(2, 3, seed=2) + 0.1])],
    "convert_element_type": [(lambda m: lambda x: m.np.sin(m.np.astype(x, m.np.float32)) * 2, [rnd(3)])],
    "stop_gradient": [(lambda m: lambda x: m.np.sin(x) * m.stop(m.np.cos(x)), [rnd(3)])],
    "guard": [(lambda m: lambda x: x * 2 if x.sum() > 0 else -x, [pos(3)])],
    "broadcast_in_dim": [(lambda m: lambda x: m.np.broadcast_to(x, (2, 3, 4)) * rnd(2, 3, 4), [rnd(3, 1)])],
    "reshape": [(lambda m: lambda x: m.np.reshape(x, (3, 2)) ** 2, [rnd(2, 3)])],
    "transpose": [(lambda m: lambda x: m.np.transpose(x, (2, 0, 1)) ** 2, [rnd(2, 3, 4)])],
    "gather": [(lambda m: lambda x: x[1:, ::-2] ** 2, [rnd(3, 5)]),
               (lambda m: lambda x: x[np.array([0, 2, 2]), None, 1] ** 2, [rnd(3, 4)]),
               (lambda m: lambda x: x[..., -1] * x[0], [rnd(4, 4)])],
    "scatter_add": [(lambda m: lambda x, y: x.at[np.array([0, 2, 0])].add(y ** 2), [rnd(4), rnd(3)])],
    "concatenate": [(lambda m: lambda x, y: m.np.concatenate([x, y ** 2, x], axis=1), [rnd(2, 3), rnd(2, 1)])],
    "dot_general": [(lambda m: m.np.matmul, [rnd(2, 3), rnd(3, 4)]), (lambda m: m.np.dot, [rnd(3), rnd(3, seed=1)]),
                    (lambda m: lambda a, b: a @ b, [rnd(2, 2, 3), rnd(2, 3, 2)]),
                    (lambda m: lambda a, b: m.np.einsum("ijk,kj->i", a, b), [rnd(3, 2, 4), rnd(4, 2)]),
                    (lambda m: lambda a: a @ a.T, [rnd(2, 3)])],
    "reduce_sum": [(lambda m: lambda x: m.np.sum(x, axis=1), [rnd(2, 3)]),
                   (lambda m: lambda x: m.np.sum(x ** 2), [rnd(2, 3)])],
    "reduce_max": [(lambda m: lambda x: m.np.max(x, axis=0), [distinct(3, 2)]),
                   (lambda m: lambda x: m.np.max(x, axis=1), [np.array([[1.0, 1.0, 0.0], [2.0, 0.0, 2.0]])])],
    "reduce_min": [(lambda m: lambda x: m.np.min(x, axis=(0, 2)), [distinct(2, 3, 2)])],
    "reduce_prod": [(lambda m: lambda x: m.np.prod(x, axis=1), [rnd(2, 3)]),
                    (lambda m: lambda x: m.np.prod(x, axis=1), [np.array([[0.0, 1.5, 2.0], [0.0, 0.0, 1.2]])]),
                    (lambda m: lambda x: m.np.prod(x), [np.array([1.3, 0.0, -0.7])])],
    "argmax": [(lambda m: lambda x: x[m.np.argmax(x)] * x, [distinct(4)])],
    "argmin": [(lambda m: lambda x: m.np.argmin(x, axis=0), [distinct(3, 2)])],
}
CASES.update(merged("JVP"))

FLAT = [(name, k, build, tuple(args)) for name, entries in CASES.items() for k, (build, args) in enumerate(entries)]
IDS = [f"{c[0]}-{c[1]}" for c in FLAT]
# on xla (a jax.jit compile per program), linearize and second order for one case of each
# kind of rule
XLA_FULL = {"sin", "logistic", "integer_pow", "pow", "max", "select", "convert_element_type", "broadcast_in_dim",
              "gather", "scatter_add", "concatenate", "dot_general", "reduce_max", "reduce_prod"}


def directions(args, seed=5):
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal(np.shape(a)).astype(np.result_type(a)) for a in args)


def assert_trees_close(ours, theirs, rtol=1e-10):
    ours_l, ours_t = jax.tree_util.tree_flatten(ours)
    theirs_l, theirs_t = jax.tree_util.tree_flatten(theirs)
    assert ours_t == theirs_t
    for a, b in zip(ours_l, theirs_l):
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
        if a.dtype.kind in "fc":
            single = a.dtype in (np.float32, np.complex64)     # ~8 float32 ulps: pinv's SVD rounds differently
            np.testing.assert_allclose(a, b, rtol=1e-5 if single else rtol, atol=1e-6 if single else 1e-12)
        elif a.dtype.kind != "V":                   # float0 holds no values
            np.testing.assert_array_equal(a, b)


def jax_oracle(name, fn):
    """`fn` under jax.jit (one compile instead of many dispatches), except where it takes a Python
    branch on a value."""
    return fn if name == "guard" else jax.jit(fn)


def concrete_ir(f, *args):
    """The IR `f` traces to at these values, read as at top level (so a Python branch works)."""
    leaves, treedef = fgrad.tree_flatten((args, {}))
    return trace_flat(f, treedef, leaves, concrete=True, transform="test")[0]


def scalarized(m, f, w):
    return lambda *xs: m.np.sum(f(*xs) * w)


# --- every primitive against jax ---------------------------------------------------------------

def test_every_primitive_has_a_case():
    assert set(CASES) == set(REGISTRY)


@pytest.mark.parametrize("name,k,build,args", FLAT, ids=IDS)
def test_jvp_and_linearize_match_jax(name, k, build, args, monkeypatch):
    f, jf = build(FG), build(JX)
    ir = concrete_ir(f, *args)
    assert name in {e.prim.name for e in ir.eqns}, f"the case for {name} does not bind it"
    typecheck(jvp_ir(ir, [True] * len(args))[0])
    v = directions(args)
    theirs = jax_oracle(name, lambda args: (jax.jvp(jf, args, v), jax.linearize(jf, *args)[1](*v)))(args)
    for backend in ("numpy", "xla"):
        monkeypatch.setattr(fgrad.config, "backend", backend)
        assert_trees_close(fgrad.jvp(f, args, v), theirs[0])
        if backend == "numpy" or (name in XLA_FULL and not k):    # each program is a jax.jit compile
            out, f_jvp = fgrad.linearize(f, *args)
            assert_trees_close((out, f_jvp(*v)), (theirs[0][0], theirs[1]))


@pytest.mark.parametrize("name,k,build,args", FLAT, ids=IDS)
def test_float32_stays_float32(name, k, build, args):
    args32 = tuple(a.astype(np.float32) for a in args)
    v = directions(args32)
    ours = fgrad.jvp(build(FG), args32, v)
    assert_trees_close(ours, jax_oracle(name, lambda a: jax.jvp(build(JX), a, v))(args32))


# second order where the output is a float that depends on the inputs
SECOND = [c for c in FLAT if c[0] != "argmin" and (c[0], c[1]) != ("sign", 0)]


def second_order(lib, f, args, v, u, w):
    """jvp of jvp, jvp of grad (Hessian-vector products) and grad of jvp, computed with `lib`."""
    argnums = tuple(range(len(args)))
    scalar = lambda *xs: lib.np.sum(f(*xs) * w)
    return (lib.jvp(lambda *xs: lib.jvp(f, xs, v)[1], args, u),
            lib.jvp(lib.grad(scalar, argnums), args, u),
            lib.grad(lambda *xs: lib.np.sum(lib.jvp(f, xs, v)[1] * w), argnums)(*args))


SECOND_RUNS = [("numpy",) + c for c in SECOND] + [("xla",) + c for c in SECOND if c[0] in XLA_FULL and not c[1]]


@pytest.mark.parametrize("backend,name,k,build,args", SECOND_RUNS, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in SECOND_RUNS])
def test_second_order_matches_jax(backend, name, k, build, args, monkeypatch):
    monkeypatch.setattr(fgrad.config, "backend", backend)
    f, jf = build(FG), build(JX)
    v, u = directions(args, seed=6), directions(args, seed=7)
    w = np.random.default_rng(8).standard_normal(np.shape(fgrad.jvp(f, args, v)[0]))
    theirs = jax_oracle(name, lambda args: second_order(JX, jf, args, v, u, w))(args)
    assert_trees_close(second_order(FG, f, args, v, u, w), theirs, rtol=1e-9)


# --- the registry and finite differences -------------------------------------------------------

def _jvp_rule_gives_nothing(name) -> bool:
    """Whether the primitive's jvp rule returns a symbolic zero (no derivative) on sample values."""
    args, params = NONDIFF.get(name, (None, None))
    if args is None:
        return False
    out = REGISTRY[name].impl(*args, **params)
    tangents = [np.ones(np.shape(a)) for a in args]
    return REGISTRY[name].rule("jvp")(args, tangents, out=out, **params) is None


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registry_walk_against_finite_differences(name):
    if _jvp_rule_gives_nothing(name):
        return                                  # not differentiable: nothing to compare
    assert name in DIFF, f"{name} has a derivative but no finite-difference case in test_primitives.DIFF"
    for fn, args in DIFF[name]:
        check_grads(fn, args, order=2, modes=("fwd", "rev"))


def test_nondifferentiable_primitives_give_no_tangent():
    assert all(_jvp_rule_gives_nothing(name) for name in NONDIFF)


def test_every_primitive_has_a_jvp_rule():
    missing = [name for name, prim in REGISTRY.items() if prim.jvp is None]
    assert not missing, f"primitives without a jvp rule: {missing}"


def test_missing_jvp_rule_names_the_primitive_and_its_file(monkeypatch):
    monkeypatch.setattr(REGISTRY["sin"], "jvp", None)
    with pytest.raises(MissingRuleError, match=r"`sin` has no jvp rule.*fgrad/primitives/elementwise.py"):
        REGISTRY["sin"].rule("jvp")
    with pytest.raises(MissingRuleError, match="`sin`"):
        fgrad.jvp(fnp.sin, (np.ones(2),), (np.ones(2),))


def test_check_grads_forward_mode_catches_a_wrong_rule(monkeypatch):
    monkeypatch.setattr(REGISTRY["sin"], "jvp", lambda p, t, out: t[0] * fnp.sin(p[0]))
    with pytest.raises(AssertionError, match="jvp disagrees"):
        check_grads(fnp.sin, [rnd(3)], modes=("fwd",))
    check_grads(fnp.sin, [rnd(3)], modes=("rev",))       # reverse mode does not use the jvp rule


def test_check_grads_rejects_unknown_modes():
    with pytest.raises(ValueError, match="modes"):
        check_grads(fnp.sin, [rnd(3)], modes=("forward",))


# --- symbolic zeros ----------------------------------------------------------------------------

def _uses_of(ir, var) -> list:
    """The equations computed from `var`, directly or not."""
    reached, uses = {var}, []
    for eqn in ir.eqns:
        if any(a in reached for a in eqn.inputs):
            reached.add(eqn.out)
            uses.append(eqn.prim.name)
    return uses


def test_a_structurally_zero_tangent_adds_no_equations():
    c = rnd(3, seed=4)
    f = lambda x: fnp.sin(x) + fnp.exp(c) * 3.0 + fgrad.stop_gradient(fnp.cos(x) * x)
    ir = fgrad.make_ir(lambda x, t: fgrad.jvp(f, (x,), (t,)))(rnd(3), rnd(3))
    typecheck(ir)
    # the tangent is t * cos(x): the constant and the stopped branch add nothing, not even zeros
    assert _uses_of(ir, ir.in_vars[1]) == ["mul"]
    assert "broadcast_in_dim" not in str(ir)


def test_jvp_ir_takes_tangents_only_where_they_are_nonzero():
    ir = fgrad.make_ir(lambda x, y: (fnp.sin(x) * y, y * 2.0, x > 0))(rnd(3), rnd(3))
    jir, out_nonzero = jvp_ir(ir, [True, False])
    typecheck(jir)
    assert len(jir.in_vars) == 3 and out_nonzero == [True, False, False]
    assert len(jir.outs) == 3 + 1
    assert "mul" in _uses_of(jir, jir.in_vars[2]) and len(_uses_of(jir, jir.in_vars[1])) < 4


def test_zero_output_tangents_are_zeros_and_integer_ones_float0():
    x, v = rnd(3), rnd(3, seed=1)
    f = lambda x: (fnp.sin(x), fgrad.stop_gradient(x) * 2.0, fnp.argmax(x), x > 0)
    jf = lambda x: (jnp.sin(x), jax.lax.stop_gradient(x) * 2.0, jnp.argmax(x), x > 0)
    ours, theirs = fgrad.jvp(f, (x,), (v,)), jax.jvp(jf, (x,), (v,))
    assert_trees_close(ours, theirs)
    assert ours[1][2].dtype == jax.dtypes.float0 and ours[1][3].shape == (3,)
    np.testing.assert_array_equal(ours[1][1], np.zeros(3))


def test_an_integer_primal_takes_a_float0_tangent_as_jax():
    f = lambda x, n: x * n
    n = np.arange(3)
    zero = np.zeros(3, jax.dtypes.float0)
    assert_trees_close(fgrad.jvp(f, (rnd(3), n), (rnd(3, seed=2), zero)),
                       jax.jvp(f, (rnd(3), n), (rnd(3, seed=2), zero)))


# --- pytrees, has_aux, caching, composition ----------------------------------------------------

Params = namedtuple("Params", ["w", "b"])


def test_pytrees_of_primals_and_tangents():
    def loss(p, data):
        return {"out": fnp.tanh(data["x"] @ p.w + p.b), "reg": [fnp.sum(p.w ** 2)]}

    def jloss(p, data):
        return {"out": jnp.tanh(data["x"] @ p.w + p.b), "reg": [jnp.sum(p.w ** 2)]}
    primals = (Params(rnd(3, 2), rnd(2)), {"x": rnd(4, 3, seed=1)})
    tangents = (Params(rnd(3, 2, seed=2), rnd(2, seed=3)), {"x": rnd(4, 3, seed=4)})
    ours = fgrad.jvp(loss, primals, tangents)
    assert isinstance(ours[1]["reg"], list)
    out, f_jvp = fgrad.linearize(loss, *primals)
    theirs = jax.jit(lambda p, t: (jax.jvp(jloss, p, t), jax.linearize(jloss, *p)[1](*t)))(primals, tangents)
    assert_trees_close((ours, f_jvp(*tangents)), theirs)


def test_has_aux():
    f = lambda x: (fnp.sin(x) * 2.0, {"mean": fnp.mean(x), "n": 3})
    jf = lambda x: (jnp.sin(x) * 2.0, {"mean": jnp.mean(x), "n": 3})
    x, v = rnd(3), rnd(3, seed=1)
    ours = fgrad.jvp(f, (x,), (v,), has_aux=True)
    assert len(ours) == 3
    assert_trees_close(ours[:2], jax.jvp(jf, (x,), (v,), has_aux=True)[:2])
    np.testing.assert_allclose(ours[2]["mean"], np.mean(x))
    out, f_jvp, aux = fgrad.linearize(f, x, has_aux=True)
    j_out, j_f_jvp, j_aux = jax.linearize(jf, x, has_aux=True)
    assert_trees_close((out, f_jvp(v)), (j_out, j_f_jvp(v)))
    np.testing.assert_allclose(aux["mean"], j_aux["mean"])


def test_has_aux_needs_a_pair():
    with pytest.raises(TypeError, match=r"has_aux=True.*pair.*test_jvp.py"):
        fgrad.jvp(fnp.sin, (rnd(3),), (rnd(3),), has_aux=True)


def _mlp_loss(m, params, x):
    w1, w2 = params
    return m.np.sum(m.np.tanh(x @ w1) @ w2) ** 2


def test_hessian_vector_products_and_jit_on_both_backends(backend):
    params, x = (rnd(3, 4), rnd(4, seed=1)), rnd(5, 3, seed=2)
    v = (rnd(3, 4, seed=3), rnd(4, seed=4))
    hvp = lambda p, v: fgrad.jvp(fgrad.grad(lambda p: _mlp_loss(FG, p, x)), (p,), (v,))[1]
    j_hvp = jax.jit(lambda p, v: jax.jvp(jax.grad(lambda p: _mlp_loss(JX, p, x)), (p,), (v,))[1])(params, v)
    assert_trees_close(hvp(params, v), j_hvp, rtol=1e-9)
    assert_trees_close(fgrad.jit(hvp)(params, v), j_hvp, rtol=1e-9)
    jitted = fgrad.jit(lambda x, t: fgrad.jvp(fnp.sin, (x,), (t,)))
    assert_trees_close(jitted(x, x), (np.sin(x), np.cos(x) * x))
    out, f_jvp = fgrad.linearize(lambda p: _mlp_loss(FG, p, x), params)
    j_lin = jax.jit(lambda p, v: jax.linearize(lambda p: _mlp_loss(JX, p, x), p)[1](v))(params, v)
    assert_trees_close(fgrad.jit(f_jvp)(v), j_lin, rtol=1e-9)


def test_linearize_inside_grad_and_jit():
    x, v = rnd(3), rnd(3, seed=1)
    f = lambda x: fnp.sin(x) * x ** 2
    jf = lambda x: jnp.sin(x) * x ** 2
    ours = fgrad.grad(lambda x: fnp.sum(fgrad.linearize(f, x)[1](v)))(x)
    assert_trees_close(ours, jax.grad(lambda x: jnp.sum(jax.linearize(jf, x)[1](v)))(x), rtol=1e-9)
    assert_trees_close(fgrad.jit(lambda x: fgrad.linearize(f, x)[1](v))(x), jax.linearize(jf, x)[1](v))


def test_linearize_keeps_the_primal_computation_out_of_f_jvp():
    api_jvp._LINEARIZE_CACHE.clear()
    f = lambda x: fnp.sum(fnp.exp(fnp.sin(x)))
    out, f_jvp = fgrad.linearize(f, rnd(3))
    (variant,) = next(iter(api_jvp._LINEARIZE_CACHE.entries.values()))
    _, tangent_ir, _ = variant[1]                   # (primal program, (tangent program, its IR, meta))
    assert {e.prim.name for e in tangent_ir.eqns} <= {"mul", "reduce_sum"}
    np.testing.assert_allclose(f_jvp(np.ones(3)), jax.linearize(lambda x: jnp.sum(jnp.exp(jnp.sin(x))), rnd(3))[1](
        np.ones(3)))


def test_top_level_programs_are_cached_and_guarded():
    api_jvp._JVP_CACHE.clear()
    f = lambda x: fnp.sin(x) if float(fnp.sum(fgrad.stop_gradient(x))) > 0 else x ** 3
    for x in (pos(3), pos(3, seed=1), -pos(3)):
        assert_trees_close(fgrad.jvp(f, (x,), (x,)),
                           (np.sin(x), np.cos(x) * x) if x.sum() > 0 else (x ** 3, 3 * x ** 2 * x))
    assert api_jvp._JVP_CACHE.info()["size"] == 1 and api_jvp._JVP_CACHE.info()["hits"] >= 2


def test_python_branch_under_jit_is_a_concretization_error():
    f = lambda x: fnp.sin(x) if fnp.sum(x) > 0 else x
    with pytest.raises(fgrad.ConcretizationError):
        fgrad.jit(lambda x: fgrad.jvp(f, (x,), (x,)))(rnd(3))


# --- mistakes --------------------------------------------------------------------------------

@pytest.mark.parametrize("primals,tangents,error,match", [
    ((np.ones(3),), (np.ones(2),), ValueError, r"shapes must be equal.*\(3,\).*\(2,\)"),
    ((np.ones(3),), (np.ones(3, np.float32),), TypeError, "dtypes must be equal.*float64.*float32"),
    ((np.float32(1.0),), (1.0,), TypeError, "dtypes must be equal"),
    ((np.arange(3),), (np.ones(3),), TypeError, "int64.*floating-point"),
    ((np.ones(3), np.ones(3)), (np.ones(3),), TypeError, "same tree structure"),
    ([np.ones(3)], (np.ones(3),), TypeError, "same tree structure"),
    (np.ones(3), np.ones(3), TypeError, "tuples or lists.*ndarray"),
])
def test_mismatched_primals_and_tangents_raise_as_jax(primals, tangents, error, match):
    f = lambda *xs: sum(fnp.sin(x) for x in xs)
    jf = lambda *xs: sum(jnp.sin(x) for x in xs)
    with pytest.raises(error):
        jax.jvp(jf, primals, tangents)
    with pytest.raises(error, match=match) as info:
        fgrad.jvp(f, primals, tangents)
    assert "test_jvp.py" in str(info.value)


def test_f_jvp_checks_its_tangents():
    out, f_jvp = fgrad.linearize(lambda x, y: x * y, rnd(3), rnd(3))
    with pytest.raises(TypeError, match=r"structure of the primals.*test_jvp.py"):
        f_jvp(rnd(3))
    with pytest.raises(ValueError, match=r"shapes must be equal.*test_jvp.py"):
        f_jvp(rnd(2), rnd(3))
    with pytest.raises(TypeError, match="floating-point"):
        fgrad.linearize(lambda n: n * 2.0, np.arange(3))


def test_values_that_are_not_float_arrays_are_clear_errors():
    with pytest.raises(TypeError, match=r"primal leaf 0 is a str, not an array.*test_jvp.py"):
        fgrad.jvp(lambda s: s, ("text",), ("text",))
    with pytest.raises(TypeError, match="complex"):      # NumPy's clongdouble: wider than jax's complex dtypes
        fgrad.linearize(lambda z: z * 2, np.ones(2, np.clongdouble))
    with pytest.raises(TypeError, match="callable"):
        fgrad.jvp(np.ones(2), (np.ones(2),), (np.ones(2),))


def test_a_changed_closure_is_traced_again():
    scale = [2.0]
    f = lambda x: fnp.sin(x) * scale[0]
    x = rnd(3)
    assert_trees_close(fgrad.jvp(f, (x,), (x,)), (np.sin(x) * 2.0, np.cos(x) * x * 2.0))
    scale[0] = 3.0
    assert_trees_close(fgrad.jvp(f, (x,), (x,)), (np.sin(x) * 3.0, np.cos(x) * x * 3.0))
    y, f_jvp = fgrad.linearize(f, x)
    np.testing.assert_allclose(f_jvp(x), np.cos(x) * x * 3.0)


def test_a_scalar_operand_tangent_takes_the_output_shape():
    from fgrad.core import bind
    from fgrad.primitives import elementwise as ew
    c = rnd(2, 3)
    f = lambda s: bind(ew.mul_p, bind(ew.add_p, c, s), 2.0)      # a 0-d operand broadcast by add
    out, t = fgrad.jvp(f, (np.float64(0.5),), (np.float64(3.0),))
    np.testing.assert_allclose(out, (c + 0.5) * 2.0)
    assert t.shape == (2, 3)
    np.testing.assert_allclose(t, np.full((2, 3), 6.0))
