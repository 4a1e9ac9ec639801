"""fgrad.vmap, jacrev, jacfwd and hessian against jax (float64) on both backends: every primitive's
batching rule through fgrad.numpy, random in_axes/out_axes (None and negative included), pytrees,
has_aux, composition with grad and jit, the errors, and the generated code of per-example gradients."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from assertions import close  # noqa: E402
from primitive_cases import merged  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.core import REGISTRY  # noqa: E402
from fgrad.ir_print import typecheck  # noqa: E402
from fgrad.transforms.batching import batch_ir  # noqa: E402

F = SimpleNamespace(np=fnp, nn=fgrad.nn, lax_stop=fgrad.stop_gradient, grad=fgrad.grad)
J = SimpleNamespace(np=jnp, nn=jax.nn, lax_stop=jax.lax.stop_gradient, grad=jax.grad)




def tree_close(a, b, **kw):
    a_leaves, a_tree = jax.tree_util.tree_flatten(a)
    b_leaves, b_tree = jax.tree_util.tree_flatten(b)
    assert a_tree == b_tree, (a_tree, b_tree)
    for x, y in zip(a_leaves, b_leaves):
        close(x, y, **kw)


def rnd(rng, shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, shape)


def pos(rng, shape):
    return rng.uniform(0.3, 2.5, shape)


def idx(high):
    return lambda rng, shape: rng.integers(0, high, shape)


# name -> (function of a namespace (fgrad's or jax's), per-example (maker, shape) of each argument)
R = rnd
CASES = {
    **{name: (lambda m, name=name: getattr(m.np, name), [(R, (3, 2))])
       for name in ["sin", "cos", "tanh", "exp", "expm1", "abs", "sign", "arctan", "sinh", "cosh", "negative"]},
    "tan": (lambda m: m.np.tan, [(lambda rng, s: rng.uniform(-1, 1, s), (4,))]),
    **{name: (lambda m, name=name: getattr(m.np, name), [(pos, (2, 3))]) for name in ["log", "log1p", "sqrt"]},
    "logistic": (lambda m: m.nn.sigmoid, [(R, (4,))]),
    "integer_pow": (lambda m: lambda x: x ** 3 + x ** -2, [(pos, (3,))]),
    **{name: (lambda m, name=name: getattr(m.np, name), [(R, (2, 3)), (R, (2, 3))])
       for name in ["add", "subtract", "multiply", "maximum", "minimum", "less", "less_equal", "greater",
                    "greater_equal", "equal", "not_equal"]},
    "divide": (lambda m: lambda x, y: x / y + 2.0 / y, [(R, (3,)), (pos, (3,))]),
    "power": (lambda m: m.np.power, [(pos, (3,)), (R, (3,))]),
    "scalar_and_array": (lambda m: lambda x, y: x * y + x, [(R, ()), (R, (4, 2))]),
    "logical": (lambda m: lambda x, y: m.np.logical_not(m.np.logical_or(m.np.logical_and(x > 0, y > 0), x > 1)),
                [(R, (5,)), (R, (5,))]),
    "isnan": (lambda m: lambda x: m.np.isnan(x * 2.0), [(lambda rng, s: np.where(rng.random(s) > 0.5, np.nan, 1.0),
                                                         (6,))]),
    "where": (lambda m: lambda x, y: m.np.where(x > 0, x, y), [(R, (3, 2)), (R, (3, 2))]),
    "astype": (lambda m: lambda x: (x > 0).astype(m.np.float64) * x.astype(m.np.float32), [(R, (4,))]),
    "stop_gradient": (lambda m: lambda x: m.lax_stop(x) * x, [(R, (3,))]),
    "sum": (lambda m: lambda x: m.np.sum(x, axis=1), [(R, (3, 4))]),
    "max": (lambda m: lambda x: m.np.max(x, axis=0), [(R, (3, 4))]),
    "min": (lambda m: lambda x: m.np.min(x), [(R, (3, 4))]),
    "prod": (lambda m: lambda x: m.np.prod(x, axis=(0, 2)), [(R, (2, 3, 2))]),
    "argmax": (lambda m: lambda x: m.np.argmax(x, axis=1), [(R, (3, 4))]),
    "argmin": (lambda m: lambda x: m.np.argmin(x), [(R, (3, 4))]),
    "broadcast_to": (lambda m: lambda x: m.np.broadcast_to(x, (2, 3, 4)), [(R, (3, 1))]),
    "reshape": (lambda m: lambda x: m.np.reshape(x, (-1, 2)), [(R, (3, 4))]),
    "transpose": (lambda m: lambda x: m.np.transpose(x, (2, 0, 1)), [(R, (2, 3, 4))]),
    "slices": (lambda m: lambda x: x[1:, ::2] + x[0, None, 1::2], [(R, (3, 4))]),
    "take": (lambda m: lambda x, i: x[i], [(R, (5, 2)), (idx(5), (3,))]),
    "take_columns": (lambda m: lambda x, i: x[:, i], [(R, (2, 5)), (idx(5), (2, 3))]),
    "take_apart": (lambda m: lambda x, i, j: x[i, :, j], [(R, (4, 2, 3)), (idx(4), (3,)), (idx(3), (3,))]),
    "take_newaxis": (lambda m: lambda x, i: x[None, 1, i], [(R, (2, 5)), (idx(5), (2,))]),
    "scatter_add": (lambda m: lambda x, i: m.grad(lambda x: (x[i] * x[:, i[0]].sum()).sum())(x),
                    [(R, (4, 4)), (idx(4), (3,))]),
    "scatter_add_apart": (lambda m: lambda x, i: m.grad(lambda x: (x[i, :, 1] ** 2).sum())(x),
                          [(R, (4, 2, 3)), (idx(4), (2,))]),
    "concatenate": (lambda m: lambda x, y: m.np.concatenate([x, y, x], axis=1), [(R, (2, 3)), (R, (2, 1))]),
    "stack": (lambda m: lambda x, y: m.np.stack([x, y], axis=-1), [(R, (3,)), (R, (3,))]),
    "matmul": (lambda m: m.np.matmul, [(R, (2, 3)), (R, (3, 4))]),
    "matvec": (lambda m: lambda x, y: m.np.dot(x, y), [(R, (2, 3)), (R, (3,))]),
    "batched_matmul": (lambda m: m.np.matmul, [(R, (2, 3, 4)), (R, (2, 4, 2))]),
    "outer": (lambda m: m.np.outer, [(R, (3,)), (R, (2,))]),
    "einsum": (lambda m: lambda x, y: m.np.einsum("ijk,kj->ik", x, y), [(R, (2, 3, 4)), (R, (4, 3))]),
}
CASES.update(merged("VMAP"))


def batched_inputs(rng, specs, size):
    """Random in_axes (an axis, a negative axis, or None) and inputs batched along them."""
    axes, args = [], []
    for make, shape in specs:
        choice = rng.integers(0, len(shape) + 3)
        axis = None if choice == len(shape) + 2 else int(choice) - 1 if choice else -1
        if axis is None:
            args.append(make(rng, shape))
        else:
            stacked = make(rng, (size,) + shape)
            args.append(np.moveaxis(stacked, 0, axis if axis >= 0 else len(shape) + 1 + axis))
        axes.append(axis)
    if all(a is None for a in axes):
        axes[0] = 0
        args[0] = specs[0][0](rng, (size,) + specs[0][1])
    return tuple(axes), args


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_jax(name, seed, backend):
    make, specs = CASES[name]
    rng = np.random.default_rng(seed + 101 * sorted(CASES).index(name))
    size = int(rng.integers(1, 5))
    in_axes, args = batched_inputs(rng, specs, size)
    jargs = [jnp.asarray(a) for a in args]      # an unmapped NumPy array indexed by a mapped index
    ndim = len(jax.eval_shape(jax.vmap(make(J), in_axes=in_axes), *jargs).shape)
    out_axes = int(rng.integers(-ndim, ndim))
    # under jax.jit: one XLA compile costs about half of op-by-op dispatch on these fresh shapes
    ref = jax.jit(jax.vmap(make(J), in_axes=in_axes, out_axes=out_axes))(*jargs)
    close(fgrad.vmap(make(F), in_axes=in_axes, out_axes=out_axes)(*args), ref)
    close(fgrad.jit(fgrad.vmap(make(F), in_axes=in_axes, out_axes=out_axes))(*args), ref)


def test_cases_cover_every_primitive():
    """The differential cases bind every primitive (guard: a Python branch, an error under vmap)."""
    used = set()
    for make, specs in CASES.values():
        rng = np.random.default_rng(0)
        args = [m(rng, s) for m, s in specs]
        ir = fgrad.make_ir(make(F))(*args)
        used |= {e.prim.name for e in ir.eqns}
    assert set(REGISTRY) - used <= {"guard"}, sorted(set(REGISTRY) - used)


def test_every_primitive_has_a_batching_rule():
    missing = [name for name, prim in REGISTRY.items() if prim.batch is None]
    assert not missing, f"primitives without a batching rule: {missing}"


def test_batched_ir_typechecks():
    ir = fgrad.make_ir(lambda x, y, i: fnp.sum(fnp.sin(x) @ y) + x[i, 0].sum())(
        np.ones((2, 3)), np.ones((3, 4)), np.array([0, 1]))
    bir, out_batched = batch_ir(ir, [True, False, True], 5)
    typecheck(bir)
    assert [v.aval.shape for v in bir.in_vars[-3:]] == [(5, 2, 3), (3, 4), (5, 2)] and out_batched == [True]


# --- pytrees, kwargs, axis_size --------------------------------------------------------------------

def test_pytree_in_axes_prefix_and_outputs(backend):
    rng = np.random.default_rng(3)
    params = {"w": rnd(rng, (3, 5, 4)), "b": rnd(rng, (4,))}
    xs, scale = rnd(rng, (3, 5)), rnd(rng, (5,))

    def fun(m):
        return lambda p, x, s: {"out": m.np.tanh(x @ p["w"] + p["b"]) * s, "pair": (x.sum(), p["b"])}
    axes = ({"w": 1, "b": None}, 1, 0)
    out_axes = {"out": -1, "pair": (0, None)}
    ref = jax.vmap(fun(J), in_axes=axes, out_axes=out_axes)(params, xs, scale)
    tree_close(fgrad.vmap(fun(F), in_axes=list(axes), out_axes=out_axes)(params, xs, scale), ref)


def test_kwargs_are_mapped_along_axis_0():
    x, y = np.arange(6.0).reshape(3, 2), np.arange(3.0)
    ref = jax.vmap(lambda x, y: x * y, in_axes=(None,))(x, y=y)
    close(fgrad.vmap(lambda x, y: x * y, in_axes=(None,))(x, y=y), ref)


def test_axis_size_with_nothing_mapped():
    ref = jax.vmap(lambda x: x * 2.0, in_axes=None, axis_size=3)(np.ones(2))
    close(fgrad.vmap(lambda x: x * 2.0, in_axes=None, axis_size=3)(np.ones(2)), ref)


def test_nested_vmap_and_closure_over_outer_tracer(backend):
    rng = np.random.default_rng(4)
    a, b = rnd(rng, (3, 4)), rnd(rng, (5, 4))

    def fun(m, vmap):
        return vmap(lambda x: vmap(lambda y: m.np.sum(m.np.sin(x) * y))(b))
    close(fun(F, fgrad.vmap)(a), fun(J, jax.vmap)(a))


# --- composition with grad and jit --------------------------------------------------------------

def logistic_loss(m):
    return lambda w, x, y: m.np.log1p(m.np.exp(-y * m.np.dot(x, w)))


def test_per_example_gradients(backend):
    rng = np.random.default_rng(5)
    w, xs, ys = rnd(rng, (6,)), rnd(rng, (8, 6)), np.sign(rnd(rng, (8,)))
    ref = jax.vmap(jax.grad(logistic_loss(J)), in_axes=(None, 0, 0))(w, xs, ys)
    per_example = fgrad.vmap(fgrad.grad(logistic_loss(F)), in_axes=(None, 0, 0))
    close(per_example(w, xs, ys), ref)
    close(fgrad.jit(per_example)(w, xs, ys), ref)


def test_grad_of_vmapped_sum(backend):
    rng = np.random.default_rng(6)
    w, xs, ys = rnd(rng, (6,)), rnd(rng, (8, 6)), np.sign(rnd(rng, (8,)))

    def total(m, vmap, grad):
        return grad(lambda w: m.np.sum(vmap(logistic_loss(m), in_axes=(None, 0, 0))(w, xs, ys)))
    ref = total(J, jax.vmap, jax.grad)(w)
    close(total(F, fgrad.vmap, fgrad.grad)(w), ref)
    close(fgrad.jit(total(F, fgrad.vmap, fgrad.grad))(w), ref)


def test_per_example_gradients_are_one_vectorised_program():
    w, xs, ys = np.ones(4), np.ones((16, 4)), np.ones(16)
    per_example = fgrad.vmap(fgrad.grad(logistic_loss(F)), in_axes=(None, 0, 0))
    text = fgrad.jit(per_example, backend="numpy").lower(w, xs, ys).as_text()
    assert "for " not in text and "while " not in text, text
    assert text.count("\n") < 25, text


# --- the Jacobian family ------------------------------------------------------------------------

def tree_fun(m):
    def fun(p, x):
        h = m.np.tanh(p["w"] @ x + p["b"])
        return {"h": h, "s": (m.np.sum(h ** 2) * x[0], m.np.exp(x))}
    return fun


def tree_args(seed):
    rng = np.random.default_rng(seed)
    return {"w": rnd(rng, (3, 2)), "b": rnd(rng, (3,))}, rnd(rng, (2,))


@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1,)])
@pytest.mark.parametrize("kind", ["jacrev", "jacfwd"])
def test_jacobians_of_pytrees(kind, argnums, backend):
    args = tree_args(7)
    ref = getattr(jax, kind)(tree_fun(J), argnums=argnums)(*args)
    ours = getattr(fgrad, kind)(tree_fun(F), argnums=argnums)
    tree_close(ours(*args), ref)
    tree_close(fgrad.jit(ours)(*args), ref)


@pytest.mark.parametrize("kind", ["jacrev", "jacfwd", "hessian"])
def test_jacobians_with_aux(kind, backend):
    def fun(m):
        return lambda x, y: (m.np.sum(m.np.sin(x) * y) ** 2, {"n": m.np.sum(x), "y": y})
    rng = np.random.default_rng(8)
    args = rnd(rng, (4,)), rnd(rng, (4,))
    ref = getattr(jax, kind)(fun(J), argnums=(0, 1), has_aux=True)(*args)
    tree_close(getattr(fgrad, kind)(fun(F), argnums=(0, 1), has_aux=True)(*args), ref)


def scalar_fun(m):
    return lambda x, y: m.np.sum(m.np.sin(x) ** 2 * m.np.log1p(y ** 2)) + m.np.prod(x) * m.np.max(y)


@pytest.mark.parametrize("argnums", [0, (0, 1)])
def test_hessian(argnums, backend):
    rng = np.random.default_rng(9)
    args = rnd(rng, (3,)), rnd(rng, (2, 3))
    ref = jax.hessian(scalar_fun(J), argnums=argnums)(*args)
    tree_close(fgrad.hessian(scalar_fun(F), argnums=argnums)(*args), ref)
    tree_close(fgrad.jit(fgrad.hessian(scalar_fun(F), argnums=argnums))(*args), ref)


def test_jacfwd_of_jacrev_and_jacobian_of_grad(backend):
    rng = np.random.default_rng(10)
    x, y = rnd(rng, (3,)), rnd(rng, (2, 3))
    ref = jax.jacfwd(jax.jacrev(scalar_fun(J)))(x, y)
    close(fgrad.jacfwd(fgrad.jacrev(scalar_fun(F)))(x, y), ref)
    close(fgrad.jacrev(fgrad.grad(scalar_fun(F)))(x, y), jax.jacrev(jax.grad(scalar_fun(J)))(x, y))
    close(fgrad.grad(lambda x: fgrad.jacrev(scalar_fun(F))(x, y).sum())(x),
          jax.grad(lambda x: jax.jacrev(scalar_fun(J))(x, y).sum())(x))


def test_vmap_of_jacobian(backend):
    rng = np.random.default_rng(11)
    xs = rnd(rng, (5, 3))

    def fun(m):
        return lambda x: m.np.tanh(x) * m.np.sum(x ** 2)
    close(fgrad.vmap(fgrad.jacrev(fun(F)))(xs), jax.vmap(jax.jacrev(fun(J)))(xs))
    close(fgrad.vmap(fgrad.jacfwd(fun(F)), in_axes=1)(xs.T), jax.vmap(jax.jacfwd(fun(J)), in_axes=1)(xs.T))


def test_jacobian_of_a_scalar_input():
    close(fgrad.jacrev(lambda x: fnp.sin(x) * x)(0.7), jax.jacrev(lambda x: jnp.sin(x) * x)(0.7))
    close(fgrad.jacfwd(lambda x: fnp.stack([x, x ** 2]))(0.7), jax.jacfwd(lambda x: jnp.stack([x, x ** 2]))(0.7))


# --- errors -------------------------------------------------------------------------------------

def test_inconsistent_sizes_name_the_arguments():
    def f(x, y):
        return x + y
    with pytest.raises(ValueError, match="inconsistent sizes") as info:
        fgrad.vmap(f)(np.ones(3), {"k": np.ones(4)})
    message = str(info.value)
    assert "size 3: axis 0 of argument x" in message and "size 4: axis 0 of argument y['k']" in message


def test_in_axes_out_of_range():
    with pytest.raises(ValueError, match="along axis 2, which implies that its rank should be at least 3"):
        fgrad.vmap(fnp.sin, in_axes=2)(np.ones((2, 2)))
    with pytest.raises(ValueError, match="rank should be at least 3"):
        fgrad.vmap(fnp.sin, in_axes=-3)(np.ones((2, 2)))


def test_nothing_mapped_without_axis_size():
    with pytest.raises(ValueError, match="at least one non-None value in in_axes"):
        fgrad.vmap(fnp.sin, in_axes=None)(np.ones(2))


def test_in_axes_structure_errors():
    with pytest.raises(ValueError, match=r"len\(in_axes\)=2, len\(args\)=1"):
        fgrad.vmap(fnp.sin, in_axes=(0, 0))(np.ones(2))
    with pytest.raises(ValueError, match="tree prefix"):
        fgrad.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": np.ones(2)})
    with pytest.raises(TypeError, match="vmap in_axes must be an int, None, or a tuple"):
        fgrad.vmap(fnp.sin, in_axes={"x": 0})


def test_mapped_output_with_out_axes_none():
    with pytest.raises(ValueError, match="mapped output but out_axes is None"):
        fgrad.vmap(fnp.sin, out_axes=None)(np.ones(2))
    close(fgrad.vmap(lambda x, y: (x * 2.0, y), in_axes=(0, None), out_axes=(0, None))(np.ones(2), np.ones(3))[1],
          np.ones(3))


def test_python_branch_on_a_mapped_value():
    def f(x):
        return x if x > 0 else -x
    with pytest.raises(fgrad.ConcretizationError):
        fgrad.vmap(f)(np.ones(3))


def test_cached_program_is_reused_only_while_the_closure_holds():
    scale = [2.0]
    scaled = fgrad.vmap(lambda x: x * scale[0])
    xs = np.arange(3.0)
    close(scaled(xs), xs * scale[0])
    close(scaled(xs), xs * scale[0])
    scale[0] = 3.0
    close(scaled(xs), xs * scale[0])
    assert scaled.cache.info()["misses"] == 2           # the first call and the one after the change


# --- unmapped arguments keep their values, as under jax.vmap --------------------------------------

def _branchy(x, n):
    return x * 2.0 if n > 0 else x - 1.0


@pytest.mark.parametrize("n", [3.0, -1.0, np.float64(2.0), np.array(-2.0)], ids=["pos", "neg", "np-scalar", "0-d"])
def test_python_branch_on_an_unmapped_value_matches_jax(n):
    xs = np.arange(3.0)
    close(fgrad.vmap(_branchy, in_axes=(0, None))(xs, n), jax.vmap(_branchy, in_axes=(0, None))(jnp.asarray(xs), n))


def test_a_cached_vmap_is_reused_only_on_the_same_branch():
    mapped, xs = fgrad.vmap(_branchy, in_axes=(0, None)), np.arange(3.0)
    for n in (1.0, 5.0, -1.0, 2.0):
        close(mapped(xs, n), jax.vmap(_branchy, in_axes=(0, None))(jnp.asarray(xs), n))
    assert mapped.cache.info()["misses"] == 2       # one program per branch


def test_an_unmapped_int_bounds_a_slice_as_under_jax():
    xs = np.arange(12.0).reshape(3, 4)
    f = lambda x, n: x[:n].sum()        # noqa: E731
    for n in (1, 3):
        close(fgrad.vmap(f, in_axes=(0, None))(xs, n), jax.vmap(f, in_axes=(0, None))(jnp.asarray(xs), n))


def test_unmapped_values_under_grad_and_jit_follow_the_enclosing_trace():
    xs = np.arange(3.0)
    inner = lambda y: (fgrad.vmap(_branchy, in_axes=(0, None))(xs, y) * y).sum()     # noqa: E731
    theirs = lambda y: (jax.vmap(_branchy, in_axes=(0, None))(jnp.asarray(xs), y) * y).sum()   # noqa: E731
    close(fgrad.grad(inner)(2.0), jax.grad(theirs)(2.0))
    with pytest.raises(fgrad.ConcretizationError):       # jit's values are abstract, as in jax
        fgrad.jit(lambda x, n: fgrad.vmap(_branchy, in_axes=(0, None))(x, n))(xs, 1.0)
