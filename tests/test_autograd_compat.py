"""fgrad.autograd (HIPS autograd's API) against jax (float64) and finite differences: the
differential operators, @primitive with defvjp/defjvp (first and second order, forward and reverse,
under jit on both backends, vmap), notrace_primitive, vspace, builtins, flatten, const_graph,
check_grads, autograd.numpy's extras, and the errors for misuse."""

from __future__ import annotations

import warnings

import numpy as onp
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from assertions import close  # noqa: E402

import fgrad  # noqa: E402
import fgrad.autograd as autograd  # noqa: E402
import fgrad.autograd.numpy as np  # noqa: E402
import fgrad.autograd.numpy.random as npr  # noqa: E402
from fgrad.autograd import (  # noqa: E402
    checkpoint,
    deriv,
    elementwise_grad,
    grad,
    grad_and_aux,
    grad_named,
    hessian,
    hessian_tensor_product,
    holomorphic_grad,
    jacobian,
    make_ggnvp,
    make_hvp,
    make_jvp,
    make_vjp,
    multigrad_dict,
    tensor_jacobian_product,
    value_and_grad,
)
from fgrad.autograd.builtins import isinstance as ag_isinstance  # noqa: E402
from fgrad.autograd.extend import (  # noqa: E402
    defjvp,
    defvjp,
    defvjp_argnum,
    notrace_primitive,
    primitive,
    vspace,
)
from fgrad.autograd.misc import const_graph, flatten  # noqa: E402
from fgrad.autograd.test_util import check_grads  # noqa: E402
from fgrad.autograd.wrap_util import unary_to_nary  # noqa: E402

RNG = onp.random.default_rng(0)
X = RNG.standard_normal(4)
A = RNG.standard_normal((3, 4))


def loss(m):
    return lambda x: m.sum(m.tanh(m.dot(A, x)) ** 2) + m.sum(m.sin(x) * x)


# --- the differential operators against jax --------------------------------------------------------

def test_grad_value_and_grad_and_named_grads_match_jax():
    close(grad(loss(np))(X), jax.grad(loss(jnp))(X))
    value, g = value_and_grad(loss(np))(X)
    close(value, loss(jnp)(X))
    close(g, jax.grad(loss(jnp))(X))
    two = lambda x, y: np.sum(x * np.exp(y))  # noqa: E731
    close(grad(two, 1)(X, X + 1.0), jax.grad(lambda x, y: jnp.sum(x * jnp.exp(y)), 1)(X, X + 1.0))
    close(grad_named(two, "y")(X, X), jax.grad(lambda x, y: jnp.sum(x * jnp.exp(y)), 1)(X, X))
    grads = multigrad_dict(lambda a, b=2.0: a * np.sin(b))(0.5)
    assert list(grads) == ["a", "b"]
    close(grads["b"], jax.grad(lambda b: 0.5 * jnp.sin(b))(2.0))


def test_jacobian_hessian_and_products_match_jax():
    f = lambda m: lambda x: m.tanh(m.dot(A, x))  # noqa: E731
    close(jacobian(f(np))(X), jax.jacobian(f(jnp))(X))
    close(hessian(loss(np))(X), jax.hessian(loss(jnp))(X))
    v, w = RNG.standard_normal(4), RNG.standard_normal(3)
    H = jax.hessian(loss(jnp))(X)
    close(hessian_tensor_product(loss(np))(X, v), H @ v)
    close(make_hvp(loss(np))(X)[0](v), H @ v)
    close(tensor_jacobian_product(f(np))(X, w), w @ jax.jacobian(f(jnp))(X))
    close(elementwise_grad(np.sin)(X), jnp.cos(X))
    J = jax.jacobian(f(jnp))(X)
    close(make_ggnvp(f(np))(X)(v), J.T @ (J @ v))


def test_forward_mode_and_aux_and_holomorphic_match_jax():
    f = lambda m: lambda x: m.sin(x) * x ** 2  # noqa: E731
    out, tangent = make_jvp(f(np))(X)(onp.ones(4))
    ref_out, ref_t = jax.jvp(f(jnp), (X,), (jnp.ones(4),))
    close(out, ref_out)
    close(tangent, ref_t)
    close(deriv(f(np))(0.7), jax.grad(f(jnp))(0.7))
    g, aux = grad_and_aux(lambda x: (np.sum(x ** 3), x ** 2))(X)
    close(g, 3 * X ** 2)
    close(aux, X ** 2)
    z = 0.3 + 0.4j
    close(holomorphic_grad(lambda z: np.sin(z) * z)(z), jax.grad(lambda z: jnp.sin(z) * z, holomorphic=True)(z))
    close(grad(checkpoint(loss(np)))(X), jax.grad(loss(jnp))(X))


def test_make_vjp_of_containers_and_unary_to_nary():
    vjp, out = make_vjp(lambda d: {"s": np.sum(d["a"] * d["b"])})({"a": X, "b": 2.0 * X})
    cts = vjp({"s": 1.0})
    close(cts["a"], 2.0 * X)
    close(cts["b"], X)

    @unary_to_nary
    def at(fun, x):
        return fun(x) * 10.0
    assert at(lambda a, b: a - b, 1)(5.0, 2.0) == 30.0
    assert grad(lambda a, b: a * b, 1).__name__ == "grad_of_<lambda>_wrt_argnum_1"


# --- @primitive --------------------------------------------------------------------------------------

@primitive
def logsumexp(x):
    """A NumPy body: fgrad never traces it."""
    m = onp.max(x)
    return m + onp.log(onp.sum(onp.exp(x - m)))


defvjp(logsumexp, lambda ans, x: lambda g: g * np.exp(x - ans))
defjvp(logsumexp, lambda g, ans, x: np.sum(g * np.exp(x - ans)))


def jax_logsumexp(x):
    return jax.scipy.special.logsumexp(x)


def test_primitive_first_and_second_order_match_jax():
    f = lambda m, lse: lambda x: lse(m.sin(x) * 2.0) ** 2  # noqa: E731
    ours, ref = f(np, logsumexp), f(jnp, jax_logsumexp)
    close(ours(X), ref(X))
    close(grad(ours)(X), jax.grad(ref)(X))
    close(hessian(ours)(X), jax.hessian(ref)(X))
    close(make_jvp(ours)(X)(X)[1], jax.jvp(ref, (X,), (X,))[1])
    close(fgrad.jacfwd(fgrad.grad(ours))(X), jax.hessian(ref)(X))


def test_primitive_runs_when_the_program_runs():
    """A cached program calls the Python function on each call's values, not the first call's."""
    g = grad(lambda x: logsumexp(x * 3.0))
    for x in (X, X[::-1] * 2.0, onp.zeros(4)):
        close(g(x), jax.grad(lambda x: jax_logsumexp(x * 3.0))(x))


@pytest.mark.parametrize("backend", ["numpy", "xla"])
def test_primitive_under_jit(backend):
    g = fgrad.jit(fgrad.grad(lambda x: logsumexp(np.cos(x))), backend=backend)
    ref = jax.grad(lambda x: jax_logsumexp(jnp.cos(x)))
    for x in (X, 2.0 * X):
        close(g(x), ref(x))


def test_primitive_under_vmap_and_multiple_outputs():
    close(fgrad.vmap(logsumexp)(onp.stack([X, 2 * X])), jax.vmap(jax_logsumexp)(jnp.stack([X, 2 * X])))

    @primitive
    def polar(x, y):
        return onp.hypot(x, y), onp.arctan2(y, x)
    defvjp(polar, lambda ans, x, y: lambda g: g[0] * x / ans[0] - g[1] * y / ans[0] ** 2,
           lambda ans, x, y: lambda g: g[0] * y / ans[0] + g[1] * x / ans[0] ** 2)
    ref = lambda x, y: jnp.hypot(x, y) + 3.0 * jnp.arctan2(y, x)  # noqa: E731
    for argnum in (0, 1):
        ours = grad(lambda x, y: (lambda r: r[0] + 3.0 * r[1])(polar(x, y)), argnum)(0.3, 0.8)
        close(ours, jax.grad(ref, argnum)(0.3, 0.8))


def test_defvjp_argnum_linear_rules_and_deprecated_forms():
    scale = primitive(lambda x, a: x * a)
    defvjp_argnum(scale, lambda argnum, ans, args, kwargs: lambda g: g * args[1 - argnum])
    close(grad(scale, 1)(3.0, 2.0), 3.0)
    old = autograd.primitive(lambda x, y: x * y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old.defgrad(lambda ans, x, y: lambda g: y * g)
        old.defvjp(lambda g, ans, vs, gvs, x, y: x * g, argnum=1)
    assert len(caught) == 2 and "deprecated" in str(caught[0].message)
    check_grads(old, modes=["rev"])(RNG.standard_normal((2, 2)), RNG.standard_normal((2, 2)))


def test_check_grads_catches_a_wrong_rule():
    @primitive
    def double(x):
        return 2.0 * x
    defvjp(double, lambda ans, x: lambda g: g * 2.001)
    with pytest.raises(AssertionError, match=r"\(VJP\) check of double failed"):
        check_grads(double, modes=["rev"])(1.0)


def test_notrace_primitive_has_no_derivative():
    floor = notrace_primitive(onp.floor)
    close(grad(lambda x: x * floor(x))(2.5), 2.0)
    close(fgrad.jit(fgrad.grad(lambda x: x * floor(x)))(3.5), 3.0)


# --- errors ------------------------------------------------------------------------------------------

def test_missing_rules_raise_not_implemented():
    bare = primitive(lambda x: 2.0 * x)
    with pytest.raises(NotImplementedError, match="VJP of <lambda>"):
        grad(bare)(1.0)
    with pytest.raises(NotImplementedError, match="JVP of <lambda>"):
        deriv(bare)(1.0)


def test_misuse_is_reported_clearly():
    with pytest.raises(TypeError, match="made with @primitive"):
        defvjp(lambda x: x, None)
    takes_kw = primitive(lambda x, y=1.0: x * y)
    with pytest.raises(TypeError, match="keyword argument 'y'.*pass it positionally"):
        grad(lambda x: takes_kw(1.0, y=x))(2.0)
    to_text = primitive(lambda x: "text")
    with pytest.raises(TypeError, match="returned str"):
        grad(lambda x: to_text(x))(1.0)
    fussy = primitive(lambda x: onp.linalg.cholesky(x - 1.0))
    with pytest.raises(TypeError, match="output is unknown"):
        fgrad.jit(lambda x: fussy(x))(onp.eye(2) * 3.0)

    @primitive
    def grows(x):
        return onp.ones(int(onp.sum(x) > 0) + 1)
    defvjp(grows, None)
    g = grad(lambda x: np.sum(grows(x)) * x[0])
    g(onp.ones(2))
    with pytest.raises(fgrad.errors.ShapeError, match="returned shape"):
        g(-onp.ones(2))


# --- vspace, builtins, misc -------------------------------------------------------------------------

def test_vspace_of_arrays_and_containers():
    vs = vspace({"a": onp.zeros((2, 1)), "b": [1.0, 1j]})
    assert vs.size == 5 and vs.iscomplex
    basis = list(vs.standard_basis())
    assert len(basis) == vs.size
    assert all(vspace(b) == vs for b in basis)
    x, y = vs.randn(), vs.randn()
    close(vs.inner_prod(vs.add(x, y), x), vs.inner_prod(x, x) + vs.inner_prod(y, x))
    with pytest.raises(TypeError, match="Can't find vector space"):
        vspace("text")


def test_builtins_isinstance_sees_traced_arrays():
    seen = []
    grad(lambda x: seen.append(ag_isinstance(x, onp.ndarray)) or x * 2.0)(1.0)
    assert seen == [True]
    assert ag_isinstance((1.0,), autograd.tuple) and not ag_isinstance([1.0], autograd.dict)


def test_flatten_round_trip_and_gradient():
    value = (1.0, onp.arange(6.0).reshape(2, 3), [{"y": onp.ones(2), "x": 2.0}])
    vec, unflatten = flatten(value)
    assert vec.shape == (10,)
    close(flatten(unflatten(vec))[0], vec)
    close(grad(lambda x, y: np.sum(flatten([x, y])[0] ** 2), 1)(1.0, 3.0), 6.0)


def test_const_graph_runs_python_once():
    calls = []

    def f(x, y):
        calls.append(None)
        return np.sin(x) * y

    fast = const_graph(f)
    for x, y in ((0.1, 2.0), (0.5, 3.0), (0.9, 4.0)):
        close(fast(x, y), onp.sin(x) * y)
    assert len(calls) == 1


# --- autograd.numpy's extras ------------------------------------------------------------------------

def test_autograd_numpy_extras():
    assert npr is onp.random or npr.randn is onp.random.randn
    assert np.__version__ == onp.__version__
    assert np.where(True, 1, 2) == 1 and type(np.where(True, 1, 2)) is int
    assert np.where([True, False], [1, 2], [3, 4]) == [1, 4]
    assert grad(lambda x: np.sum(x ** 2))(onp.ones(3, onp.float32)).dtype.type is np.float32
    assert np.iscomplex(1j) and not np.iscomplex(1.0)
    with pytest.raises(NotImplementedError, match="VJP of"):
        grad(lambda x: np.sum(np.fmax(x, 0.0)) if not hasattr(np, "fmax") else np.sum(_nondiff(x)))(X)


_nondiff = primitive(onp.spacing)


def test_make_diagonal_and_generated_source_names_no_user_text():
    D = RNG.standard_normal((3, 4))
    A = np.make_diagonal(D, axis1=-1, axis2=-2)
    assert all(onp.allclose(onp.diag(A[i]), D[i]) for i in range(3))
    check_grads(lambda d: np.make_diagonal(d, axis1=-1, axis2=-2))(D)
    with pytest.raises(NotImplementedError, match="only supports"):
        np.make_diagonal(D)

    def double(x):
        return 2.0 * x
    double.__name__ = "evil); import os #"
    p = primitive(double)
    defvjp(p, lambda ans, x: lambda g: 2.0 * g)
    source = fgrad.jit(fgrad.grad(lambda x: p(x) * x)).lower(1.5).as_text()
    assert "evil" not in source and "host_call" in source
    close(fgrad.grad(lambda x: p(x) * x)(1.5), 6.0)


def test_adam_matches_torch_and_the_optimizers_keep_the_structure():
    torch = pytest.importorskip("torch")
    from fgrad.autograd.misc.optimizers import adam, rmsprop, sgd
    target = RNG.standard_normal(3)
    loss_grad = grad(lambda p, i: np.sum((p["w"] - target) ** 2))
    ours = adam(loss_grad, {"w": onp.zeros(3)}, num_iters=40, step_size=0.1)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1, betas=(0.9, 0.999), eps=1e-8)
    for _ in range(40):
        opt.zero_grad()
        ((w - torch.tensor(target)) ** 2).sum().backward()
        opt.step()
    close(ours["w"], w.detach().numpy(), rtol=1e-7)
    seen = []
    quadratic = grad(lambda p, i: np.sum((p[0] - 1.0) ** 2) + (p[1][0] + 2.0) ** 2)
    for optimize, kwargs in ((sgd, {"num_iters": 400}), (rmsprop, {"num_iters": 600, "step_size": 0.02})):
        out = optimize(quadratic, (onp.zeros(2), [0.0]), lambda p, i, g: seen.append(i), **kwargs)
        assert isinstance(out, tuple) and isinstance(out[1], list)
        close(out[0], onp.ones(2), rtol=1e-2, atol=1e-2)
        close(out[1][0], -2.0, rtol=1e-2)
    assert seen == list(range(400)) + list(range(600))


def test_primitive_with_a_tuple_argument_first_and_second_order():
    """Traced values inside a tuple argument are traced (autograd boxes such containers)."""
    @primitive
    def weighted_dot(pair, w):
        return onp.dot(pair[0], pair[1]) * w
    defvjp(weighted_dot, lambda ans, pair, w: lambda g: (g * w * pair[1], g * w * pair[0]),
           lambda ans, pair, w: lambda g: g * np.dot(pair[0], pair[1]))
    defjvp(weighted_dot, lambda g, ans, pair, w: (np.dot(g[0], pair[1]) + np.dot(pair[0], g[1])) * w,
           lambda g, ans, pair, w: g * np.dot(pair[0], pair[1]))
    ref = lambda x, w: jnp.dot(jnp.sin(x), x * 3.0) * w  # noqa: E731
    ours = lambda x, w: weighted_dot((np.sin(x), x * 3.0), w)  # noqa: E731
    close(grad(ours)(X, 2.0), jax.grad(ref)(X, 2.0))
    close(grad(ours, 1)(X, 2.0), jax.grad(ref, 1)(X, 2.0))
    close(hessian(ours)(X, 2.0), jax.hessian(ref)(X, 2.0))
    close(make_jvp(ours)(X, 2.0)(X)[1], jax.jvp(lambda x: ref(x, 2.0), (X,), (X,))[1])


def test_fixed_point_derivatives_to_second_order():
    from fgrad.autograd.misc.fixed_points import fixed_point

    def sqrt(a):
        return fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, 1.0, lambda x, y: np.abs(x - y), 1e-13)
    close(sqrt(2.0), onp.sqrt(2.0))
    close(grad(sqrt)(2.0), jax.grad(jnp.sqrt)(2.0), rtol=1e-8)
    close(grad(grad(sqrt))(2.0), jax.grad(jax.grad(jnp.sqrt))(2.0), rtol=1e-6)
