"""Every primitive in the registry: vjp (and vjp of vjp) against finite differences, and the IR of
every transform typechecks. Adding a primitive without adding it here fails `test_registry_is_covered`."""

from __future__ import annotations

import numpy as np
import pytest
from operands import away, distinct, pos, rnd
from primitive_cases import merged

import fgrad
import fgrad.numpy as fnp
from fgrad.core import REGISTRY, bind
from fgrad.ir_print import typecheck
from fgrad.primitives import elementwise as ew
from fgrad.primitives import linalg, reductions
from fgrad.primitives import shape as sh
from fgrad.testing import check_grads

# name -> list of (function of float64 arrays, args); each function must bind that primitive
DIFF = {
    "neg": [(lambda x: -x, [rnd(3)])],
    "sin": [(fnp.sin, [rnd(2, 3)])],
    "cos": [(fnp.cos, [rnd(2, 3)])],
    "tan": [(fnp.tan, [rnd(2, 3, low=-1.0, high=1.0)])],
    "tanh": [(fnp.tanh, [rnd(2, 3)])],
    "exp": [(fnp.exp, [rnd(2, 3)])],
    "expm1": [(fnp.expm1, [rnd(2, 3)])],
    "log": [(fnp.log, [pos(2, 3)])],
    "log1p": [(fnp.log1p, [pos(2, 3)])],
    "sqrt": [(fnp.sqrt, [pos(2, 3)])],
    "abs": [(fnp.abs, [away(2, 3)])],
    "arctan": [(fnp.arctan, [rnd(2, 3)])],
    "sinh": [(fnp.sinh, [rnd(2, 3)])],
    "cosh": [(fnp.cosh, [rnd(2, 3)])],
    "logistic": [(fgrad.nn.sigmoid, [rnd(2, 3, low=-4, high=4)])],
    "integer_pow": [(lambda x: x ** 3, [rnd(4)]), (lambda x: x ** 2, [rnd(4)]),
                    (lambda x: x ** -2, [pos(4)]), (lambda x: bind(ew.integer_pow_p, x, n=5), [rnd(4)])],
    "add": [(fnp.add, [rnd(3), rnd(3, seed=1)]), (lambda x, y: x + y, [rnd(2, 3), rnd(3)])],
    "sub": [(fnp.subtract, [rnd(2, 3), rnd(1, 3)])],
    "mul": [(fnp.multiply, [rnd(2, 3), rnd(3)]), (lambda x: x * fnp.sin(x), [rnd(3)])],
    "div": [(fnp.divide, [rnd(2, 3), pos(2, 3)]), (lambda x: x / x, [pos(3)])],
    "pow": [(fnp.power, [pos(2, 3), rnd(2, 3)]), (lambda x: 1.7 ** x, [rnd(3)]),
            (lambda x: x ** 1.5, [pos(3)])],
    "max": [(fnp.maximum, [distinct(2, 3), distinct(2, 3, seed=1) + 0.1])],
    "min": [(fnp.minimum, [distinct(2, 3), distinct(2, 3, seed=1) + 0.1])],
    "select": [(lambda x, y: fnp.where(x > y, x * y, fnp.sin(y)), [distinct(2, 3), distinct(2, 3, seed=2) + 0.1])],
    "convert_element_type": [(lambda x: bind(ew.convert_p, x, dtype="float64") ** 2, [rnd(3)])],
    "broadcast_in_dim": [(lambda x: fnp.broadcast_to(x, (2, 3, 4)) * rnd(2, 3, 4), [rnd(3, 1)]),
                         (lambda x: bind(sh.broadcast_in_dim_p, x, shape=(3, 2, 2), dims=(0,)) ** 2,
                          [rnd(3)])],
    "reshape": [(lambda x: fnp.reshape(x, (3, 2)) ** 2, [rnd(2, 3)])],
    "transpose": [(lambda x: fnp.transpose(x, (2, 0, 1)) ** 2, [rnd(2, 3, 4)])],
    "gather": [(lambda x: x[1:, ::-2] ** 2, [rnd(3, 5)]),
               (lambda x: x[np.array([0, 2, 2]), None, 1] ** 2, [rnd(3, 4)]),
               (lambda x: x[..., -1] * x[0], [rnd(4, 4)])],
    "scatter_add": [(lambda x: sh.scatter_add(x ** 2, [np.array([0, 2, 0])], (("array", 0),), (4,)), [rnd(3)]),
                    (lambda x: sh.scatter_add(x ** 2, [], (("slice", 1, None, 2),), (5,)), [rnd(2)])],
    "concatenate": [(lambda x, y: fnp.concatenate([x, y ** 2, x], axis=1), [rnd(2, 3), rnd(2, 1)])],
    "dot_general": [(fnp.matmul, [rnd(2, 3), rnd(3, 4)]), (fnp.dot, [rnd(3), rnd(3, seed=1)]),
                    (lambda a, b: a @ b, [rnd(2, 2, 3), rnd(2, 3, 2)]),
                    (lambda a, b: linalg.dot_general(a, b, ((0,), (1,)), ((2,), (0,))), [rnd(3, 2, 4), rnd(4, 3)]),
                    (lambda a, b: linalg.dot_general(a, b, ((), ())), [rnd(2), rnd(3)]),
                    (lambda a: a @ a.T, [rnd(2, 3)])],
    "reduce_sum": [(lambda x: fnp.sum(x, axis=1), [rnd(2, 3)]), (lambda x: fnp.sum(x ** 2), [rnd(2, 3)])],
    "reduce_max": [(lambda x: fnp.max(x, axis=0), [distinct(3, 2)])],
    "reduce_min": [(lambda x: fnp.min(x, axis=(0, 2)), [distinct(2, 3, 2)])],
    "reduce_prod": [(lambda x: fnp.prod(x, axis=1), [rnd(2, 3)]),
                    (lambda x: fnp.prod(x, axis=1), [np.array([[0.0, 1.5, 2.0], [0.0, 0.0, 1.2]])]),
                    (lambda x: fnp.prod(x), [np.array([1.3, 0.0, -0.7])]),
                    (lambda x: fnp.prod(x, axis=(0, 2)), [rnd(3, 2, 5)]),
                    (lambda x: fnp.prod(x, axis=0), [np.array([[0.0, 0.0, 2.0], [1.1, 0.0, 0.0], [0.0, 0.9, 1.4]])])],
}
DIFF.update(merged("DIFF"))

# no derivative: their vjp returns no cotangent at all
NONDIFF = {
    "sign": ([rnd(3)], {}), "lt": ([rnd(3), rnd(3)], {}), "le": ([rnd(3), rnd(3)], {}),
    "gt": ([rnd(3), rnd(3)], {}), "ge": ([rnd(3), rnd(3)], {}), "eq": ([rnd(3), rnd(3)], {}),
    "ne": ([rnd(3), rnd(3)], {}), "and": ([np.array([True, False])] * 2, {}),
    "or": ([np.array([True, False])] * 2, {}), "not": ([np.array([True, False])], {}),
    "isnan": ([rnd(3)], {}), "stop_gradient": ([rnd(3)], {}), "guard": ([np.True_], {"expected": True}),
    "argmax": ([rnd(2, 3)], {"axis": 1}), "argmin": ([rnd(2, 3)], {"axis": 0}),
}
NONDIFF.update(merged("NONDIFF"))


def test_registry_is_covered():
    assert not set(DIFF) & set(NONDIFF)
    assert set(DIFF) == set(REGISTRY) - set(NONDIFF), (
        f"untested primitives: {sorted(set(REGISTRY) - set(DIFF) - set(NONDIFF))}, "
        f"stale entries: {sorted((set(DIFF) | set(NONDIFF)) - set(REGISTRY))}")


@pytest.mark.parametrize("name", sorted(NONDIFF))
def test_nondifferentiable_rule_gives_no_cotangent(name):
    prim = REGISTRY[name]
    args, params = NONDIFF[name]
    out = prim.impl(*args, **params)
    cts = prim.rule("vjp")(np.ones(np.shape(out)), *args, out=out, **params)
    assert list(cts) == [None] * len(args)


CASES = [(name, k, fn, args) for name, entries in DIFF.items() for k, (fn, args) in enumerate(entries)]


def _primitives_in(ir) -> set:
    return {e.prim.name for e in ir.eqns}


@pytest.mark.parametrize("name,k,fn,args", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_vjp_against_finite_differences(name, k, fn, args):
    assert name in _primitives_in(fgrad.make_ir(fn)(*args)), f"the test for {name} does not bind it"
    check_grads(fn, args, order=2)


@pytest.mark.parametrize("name,k,fn,args", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_ir_typechecks_after_every_transform(name, k, fn, args):
    w = np.random.default_rng(1).standard_normal(np.shape(fn(*args)))
    argnums = tuple(range(len(args)))
    scalar = lambda *a: fnp.sum(fn(*a) * w)
    first = fgrad.grad(scalar, argnums=argnums)
    vs = [np.random.default_rng(2 + i).standard_normal(np.shape(a)) for i, a in enumerate(args)]
    second = fgrad.grad(lambda *a: sum(fnp.sum(g * v) for g, v in zip(first(*a), vs)), argnums=argnums)
    for f in (fn, scalar, first, second):
        ir = fgrad.make_ir(f)(*args)
        typecheck(ir)
        assert ir.eqns or not _primitives_in(ir)
    vjp_ir = fgrad.make_ir(lambda *a: fgrad.vjp(fn, *a)[1](fn(*a)))(*args)
    typecheck(vjp_ir)


def test_typecheck_rejects_a_wrong_type():
    ir = fgrad.make_ir(lambda x: fnp.sin(x) * 2.0)(rnd(3))
    ir.eqns[0].out.aval = fgrad.core.Aval((4,), np.float64)
    with pytest.raises(TypeError, match="sin"):
        typecheck(ir)


def test_check_grads_catches_a_wrong_rule(monkeypatch):
    monkeypatch.setattr(ew.sin_p, "vjp", lambda ct, x, out: [ct * ew.sin(x)])
    with pytest.raises(AssertionError):
        check_grads(fnp.sin, [rnd(3)], order=1)


def test_reductions_helpers_bind_their_primitives():
    ir = fgrad.make_ir(lambda x: reductions.reduce_sum(x, (0,)) + reductions.reduce_prod(x, (0,)))(rnd(3, 2))
    assert _primitives_in(ir) == {"reduce_sum", "reduce_prod", "add"}
