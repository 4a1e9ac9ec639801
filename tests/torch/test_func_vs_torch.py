"""torch.func, torch.autograd.functional and torch.autograd.forward_ad in fgrad.torch against PyTorch:
values, printed results and errors on misuse, for each transform alone and composed."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch.autograd.forward_ad as ft_fwad  # noqa: E402
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402

X = np.array([0.5, -1.25, 2.0], np.float32)
M = np.array([[1.0, 2.0, -1.0], [0.5, 0.25, 3.0]], np.float32)


def _leaves(r) -> list:
    if isinstance(r, (tuple, list)):
        return [x for item in r for x in _leaves(item)]
    if isinstance(r, dict):
        return [x for k in sorted(r) for x in _leaves(r[k])]
    return [r]


def _unsigned_zeros(r, lib):
    """`r` with -0.0 printed as 0.0: which zeros of a Jacobian are negative depends on the order of the
    products that make them (0 * -c or -c * 0), not on the math, so it is not compared."""
    if isinstance(r, dict):
        return {k: _unsigned_zeros(v, lib) for k, v in r.items()}
    if isinstance(r, (tuple, list)):
        items = [_unsigned_zeros(x, lib) for x in r]
        return type(r)(*items) if hasattr(r, "_fields") else type(r)(items)
    if isinstance(r, lib.Tensor) and r.dtype.is_floating_point:
        with lib.no_grad():
            return r + 0.0
    return r


def _same(case) -> None:
    """case(lib) gives equal values, dtypes, shapes, printed form and grad_fn presence with fgrad.torch and
    torch."""
    got, want = case(ft), case(torch)
    shown, expected = repr(_unsigned_zeros(got, ft)), repr(_unsigned_zeros(want, torch))
    assert shown == expected, f"{case.__name__}:\nfgrad.torch: {got!r}\ntorch:       {want!r}"
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        if isinstance(w, torch.Tensor):
            assert (g.grad_fn is None) == (w.grad_fn is None)
            assert g.shape == tuple(w.shape) and str(g.dtype) == str(w.dtype)
            np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-6)
        else:
            assert g == w


def _f(lib, x):
    return (lib.sin(x) * x ** 2).sum()


# --- torch.func -------------------------------------------------------------------------------------

def grad_one(t):
    return t.func.grad(lambda x: _f(t, x))(t.tensor(X))


def grad_argnums_aux(t):
    def f(x, y):
        return (x * y.exp()).sum(), {"norm": x.norm(), "y": y}
    return t.func.grad(f, argnums=(0, 1), has_aux=True)(t.tensor(X), t.tensor(X[::-1].copy()))


def grad_and_value_aux(t):
    return t.func.grad_and_value(lambda x: ((x ** 3).mean(), x * 2), has_aux=True)(t.tensor(X))


def grad_second_argument(t):
    return t.func.grad(lambda x, y: (x @ y * 0.25).tanh(), argnums=1)(t.tensor(X), t.tensor(X))


def vjp_pair(t):
    out, f_vjp = t.func.vjp(lambda x, y: (x * y, x.sum()), t.tensor(X), t.tensor(M[0]))
    return out, f_vjp((t.ones(3), t.tensor(2.0)))


def vjp_aux(t):
    out, f_vjp, aux = t.func.vjp(lambda x: (x.sigmoid(), x.max()), t.tensor(X), has_aux=True)
    return out, f_vjp(t.tensor(M[1])), aux


def jvp_pair(t):
    return t.func.jvp(lambda x, y: (x * y).log1p(), (t.tensor(X ** 2), t.tensor(M[1])),
                      (t.ones(3), t.tensor(X)))


def jvp_aux(t):
    return t.func.jvp(lambda x: (x.cos(), x.sum()), (t.tensor(X),), (t.tensor(M[0]),), has_aux=True)


def jacrev_matrix(t):
    return t.func.jacrev(lambda x: t.tanh(t.tensor(M) @ x * 0.2))(t.tensor(X))


def jacfwd_argnums(t):
    return t.func.jacfwd(lambda x, y: x.unsqueeze(1) * y, argnums=(0, 1))(t.tensor(X[:2]), t.tensor(X))


def jacrev_aux(t):
    return t.func.jacrev(lambda x: (x.exp(), x.sum()), has_aux=True)(t.tensor(X))


def hessian_one(t):
    return t.func.hessian(lambda x: _f(t, x))(t.tensor(X))


def vmap_in_dims(t):
    return t.func.vmap(lambda x, w: (x * w).sum(), in_dims=(1, None))(t.tensor(M), t.tensor(M[0, :2]))


def vmap_out_dims(t):
    return t.func.vmap(lambda x: t.stack([x.exp(), x]), out_dims=1)(t.tensor(M))


def vmap_kwargs(t):
    return t.func.vmap(lambda x, scale=1.0: x * scale)(t.tensor(M), scale=t.tensor(X))


def vmap_nested_in_dims(t):
    return t.func.vmap(lambda p, x: (p["w"] * x).sum() + p["b"], in_dims=({"w": None, "b": 0}, 0))(
        {"w": t.tensor(X), "b": t.tensor(M[:, 0])}, t.tensor(M))


def vmap_mask(t):
    # the where mask is computed outside differentiable ops, so it differs per sample
    return t.func.vmap(lambda x: t.where(x > 0, x, x * 0.5).sum())(t.tensor(M))


def vmap_chunked(t):
    return t.func.vmap(t.dot, chunk_size=1)(t.tensor(M), t.tensor(M))


def vmap_of_grad(t):
    return t.func.vmap(t.func.grad(lambda x: _f(t, x)))(t.tensor(M))


def jacrev_of_jacrev(t):
    return t.func.jacrev(t.func.jacrev(lambda x: (x.sin() * x.sum()).sum()))(t.tensor(X))


def jvp_of_grad(t):
    return t.func.jvp(t.func.grad(lambda x: _f(t, x)), (t.tensor(X),), (t.tensor(M[0]),))


def jacfwd_of_jacrev(t):
    return t.func.jacfwd(t.func.jacrev(lambda x, y: (x * y).sum() ** 2, argnums=1))(t.tensor(X), t.tensor(M[1]))


def grad_of_grad(t):
    return t.func.grad(t.func.grad(lambda x: x.sin() * x ** 3))(t.tensor(0.75))


def _linear(t):
    model = t.nn.Linear(3, 2)
    with t.no_grad():
        model.weight.copy_(t.tensor(M))
        model.bias.copy_(t.tensor([0.1, -0.2]))
    return model


def per_sample_grads(t):
    """The torch.func tutorial's per-sample gradients: vmap over grad of a functional_call loss."""
    model = _linear(t)
    params = {k: v.detach() for k, v in model.named_parameters()}

    def loss(p, x, y):
        out = t.func.functional_call(model, p, (x.unsqueeze(0),))
        return t.nn.functional.mse_loss(out, y.unsqueeze(0))
    xs = t.tensor(np.stack([X, X[::-1], X * 2]))
    ys = t.tensor(np.stack([M[:, 0], M[:, 1], M[:, 2]]))
    return t.func.vmap(t.func.grad(loss), in_dims=(None, 0, 0))(params, xs, ys)


def functional_call_buffers(t):
    model = _linear(t)
    return t.func.functional_call(model, ({"weight": t.ones(2, 3)}, {"bias": t.zeros(2)}), t.tensor(X)), \
        model(t.tensor(X)).detach()


def vmap_model_backward(t):
    """vmap over a module whose parameters require grad: the result joins their graph."""
    model = _linear(t)
    out = t.func.vmap(t.nn.Sequential(model, t.nn.Tanh()))(t.tensor(np.stack([X, -X, X * 0.5])))
    (out ** 2).sum().backward()
    return out, model.weight.grad, model.bias.grad


def grad_then_backward(t):
    x = t.tensor(X, requires_grad=True)
    g = t.func.grad(lambda x: _f(t, x))(x)
    g.sum().backward()
    return g.detach(), x.grad


FUNC_CASES = [grad_one, grad_argnums_aux, grad_and_value_aux, grad_second_argument, vjp_pair, vjp_aux,
              jvp_pair, jvp_aux, jacrev_matrix, jacfwd_argnums, jacrev_aux, hessian_one, vmap_in_dims,
              vmap_out_dims, vmap_kwargs, vmap_nested_in_dims, vmap_mask, vmap_chunked, vmap_of_grad,
              jacrev_of_jacrev, jvp_of_grad, jacfwd_of_jacrev, grad_of_grad, per_sample_grads,
              functional_call_buffers, vmap_model_backward, grad_then_backward]


@pytest.mark.parametrize("case", FUNC_CASES, ids=lambda c: c.__name__)
def test_func_matches_torch(case):
    _same(case)


@pytest.mark.parametrize("lib", [ft, torch], ids=["fgrad", "torch"])
def test_jacrev_of_a_module_reaches_its_parameters(lib):
    """jacrev(model)(x) depends on the weights: its backward fills their .grad (d sum(J) / dW = 1)."""
    model = _linear(lib)
    jac = lib.func.jacrev(model)(lib.tensor(X))
    assert jac.grad_fn is not None
    jac.sum().backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), np.ones((2, 3)))
    assert model.bias.grad is None or not model.bias.grad.numpy().any()


def test_func_results_print_without_grad_fn():
    got = ft.func.grad(lambda x: (x ** 2).sum())(ft.tensor(X))
    assert got.grad_fn is None and not got.requires_grad
    assert ft.func.vmap(ft.func.grad(lambda x: (x ** 2).sum()))(ft.tensor(M)).grad_fn is None


# --- torch.autograd.functional ------------------------------------------------------------------------

def _g(lib, x, y):
    return (x.unsqueeze(1) * y).tanh(), (x ** 2).sum()


def jacobian_tensor(t):
    return t.autograd.functional.jacobian(lambda x: x.exp() * x.sum(), t.tensor(X))


def jacobian_tuples(t):
    return t.autograd.functional.jacobian(lambda x, y: _g(t, x, y), (t.tensor(X[:2]), t.tensor(X)))


def jacobian_tuple_out(t):
    return t.autograd.functional.jacobian(lambda x: (x.sin(), x.sum()), t.tensor(X))


def jacobian_forward(t):
    return t.autograd.functional.jacobian(lambda x, y: _g(t, x, y), (t.tensor(X[:2]), t.tensor(X)),
                                          vectorize=True, strategy="forward-mode")


def hessian_tensor(t):
    return t.autograd.functional.hessian(lambda x: _f(t, x), t.tensor(X))


def hessian_tuple(t):
    return t.autograd.functional.hessian(lambda x, y: (x * y.sin()).sum(), (t.tensor(X), t.tensor(M[0])))


def functional_vjp(t):
    return t.autograd.functional.vjp(lambda x, y: _g(t, x, y), (t.tensor(X[:2]), t.tensor(X)),
                                     (t.tensor(M), t.tensor(3.0)))


def functional_vjp_scalar(t):
    return t.autograd.functional.vjp(lambda x: _f(t, x), t.tensor(X))


def functional_jvp(t):
    return t.autograd.functional.jvp(lambda x: (x.sin(), x.sum()), t.tensor(X), t.tensor(M[1]))


def functional_hvp(t):
    return t.autograd.functional.hvp(lambda x: _f(t, x), t.tensor(X), t.tensor(M[0]))


def functional_vhp_tuple(t):
    return t.autograd.functional.vhp(lambda x, y: (x * y.exp()).sum(), (t.tensor(X), t.tensor(M[1])),
                                     (t.ones(3), t.tensor(M[0])))


def functional_vjp_detached(t):
    x = t.tensor(X, requires_grad=True)
    out, v = t.autograd.functional.vjp(lambda x: x ** 2, x, t.ones(3))
    return out, v, out.requires_grad, v.requires_grad


FUNCTIONAL_CASES = [jacobian_tensor, jacobian_tuples, jacobian_tuple_out, jacobian_forward, hessian_tensor,
                    hessian_tuple, functional_vjp, functional_vjp_scalar, functional_jvp, functional_hvp,
                    functional_vhp_tuple, functional_vjp_detached]


@pytest.mark.parametrize("case", FUNCTIONAL_CASES, ids=lambda c: c.__name__)
def test_autograd_functional_matches_torch(case):
    _same(case)


@pytest.mark.parametrize("lib", [ft, torch], ids=["fgrad", "torch"])
def test_create_graph_joins_the_graph(lib):
    """With create_graph=True and an input that requires grad, the Hessian can be differentiated again
    (third derivative of sum(x**4) is 24 x on the diagonal)."""
    x = lib.tensor(X, requires_grad=True)
    h = lib.autograd.functional.hessian(lambda x: (x ** 4).sum(), x, create_graph=True)
    assert h.grad_fn is not None
    (h * lib.eye(3)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 24 * X, rtol=1e-5)


@pytest.mark.parametrize("fn", ["vjp", "jvp", "hvp", "vhp", "jacobian", "hessian"])
def test_create_graph_results_have_grad_fn_as_in_torch(fn):
    """With create_graph=True torch's results have a grad_fn even for inputs that do not require grad."""
    def run(lib):
        f = getattr(lib.autograd.functional, fn)
        scalar = (lambda x: (x ** 3).sum()) if fn in ("hvp", "vhp", "hessian") else (lambda x: x ** 3)
        args = (lib.tensor(X),) if fn in ("jacobian", "hessian") else (lib.tensor(X), lib.ones(3))
        out = f(scalar, *args, create_graph=True)
        return [(t.grad_fn is None, t.detach().numpy()) for t in (out if isinstance(out, tuple) else (out,))]
    got, want = run(ft), run(torch)
    assert [g[0] for g in got] == [w[0] for w in want]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g[1], w[1], rtol=1e-5)


# --- torch.autograd.forward_ad ------------------------------------------------------------------------

def _fwad(t):
    return ft_fwad if t is ft else torch.autograd.forward_ad


def forward_ad_chain(t):
    fwad = _fwad(t)
    with fwad.dual_level():
        d = fwad.make_dual(t.tensor(X), t.tensor(M[0]))
        y = (d * d).sin() + d.exp().sum()
        return fwad.unpack_dual(y), fwad.unpack_dual(d).tangent, fwad.unpack_dual(t.ones(2))


def forward_ad_two_duals(t):
    fwad = _fwad(t)
    with fwad.dual_level() as level:
        a = fwad.make_dual(t.tensor(X), t.ones(3))
        b = fwad.make_dual(t.tensor(M[1]), t.tensor(X))
        return level, fwad.unpack_dual(t.matmul(a, b) * a).tangent, type(fwad.unpack_dual(a)).__name__


def forward_ad_after_exit(t):
    fwad = _fwad(t)
    with fwad.dual_level():
        d = fwad.make_dual(t.tensor(X), t.ones(3))
    return fwad.unpack_dual(d), d, d.requires_grad


@pytest.mark.parametrize("case", [forward_ad_chain, forward_ad_two_duals, forward_ad_after_exit],
                         ids=lambda c: c.__name__)
def test_forward_ad_matches_torch(case):
    _same(case)


# --- misuse -----------------------------------------------------------------------------------------

def grad_non_scalar(t):
    t.func.grad(lambda x: x ** 2)(t.tensor(X))


def grad_non_tensor(t):
    t.func.grad(lambda x: 3.0)(t.tensor(X))


def grad_bad_argnums(t):
    t.func.grad(lambda x: x.sum(), argnums=3)(t.tensor(X))


def grad_aux_not_pair(t):
    t.func.grad(lambda x: x.sum(), has_aux=True)(t.tensor(X))


def vmap_sizes(t):
    t.func.vmap(lambda a, b: a * b)(t.ones(2, 3), t.ones(3, 3))


def vmap_randomness(t):
    t.func.vmap(lambda x: x, randomness="x")(t.tensor(X))


def vmap_in_dim_range(t):
    t.func.vmap(lambda x: x, in_dims=2)(t.tensor(M))


def jvp_not_tuple(t):
    t.func.jvp(lambda x: x, t.tensor(X), t.tensor(X))


def jvp_tangent_shape(t):
    t.func.jvp(lambda x: x, (t.tensor(X),), (t.ones(2),))


def jacobian_strategy(t):
    t.autograd.functional.jacobian(lambda x: x, t.tensor(X), strategy="bad")


def jacobian_forward_unvectorized(t):
    t.autograd.functional.jacobian(lambda x: x, t.tensor(X), strategy="forward-mode")


def jacobian_non_tensor_input(t):
    t.autograd.functional.jacobian(lambda x: x, 1.0)


def jacobian_non_tensor_output(t):
    t.autograd.functional.jacobian(lambda x: 3.0, t.tensor(X))


def jacobian_strict(t):
    t.autograd.functional.jacobian(lambda x: t.ones(2), t.tensor(X), strict=True)


def hessian_vector_output(t):
    t.autograd.functional.hessian(lambda x: x, t.tensor(X))


def hessian_tuple_output(t):
    t.autograd.functional.hessian(lambda x: (x, x), t.tensor(X))


def vjp_v_none(t):
    t.autograd.functional.vjp(lambda x: x, t.tensor(X))


def vjp_v_shape(t):
    t.autograd.functional.vjp(lambda x: x, t.tensor(X), t.ones(2))


def jvp_v_none(t):
    t.autograd.functional.jvp(lambda x: x, t.tensor(X))


def hvp_v_shape(t):
    t.autograd.functional.hvp(lambda x: x.sum(), t.tensor(X), t.ones(2))


def make_dual_no_level(t):
    _fwad(t).make_dual(t.tensor(X), t.ones(3))


def make_dual_shape(t):
    with _fwad(t).dual_level():
        _fwad(t).make_dual(t.tensor(X), t.ones(2))


def make_dual_int(t):
    with _fwad(t).dual_level():
        _fwad(t).make_dual(t.tensor([1, 2]), t.ones(2))


def nested_dual_level(t):
    with _fwad(t).dual_level(), _fwad(t).dual_level():
        pass


def grad_int_input(t):
    t.func.grad(lambda x: (x * 2).sum())(t.tensor([1, 2]))


def jacrev_int_input(t):
    t.func.jacrev(lambda x: x * 2)(t.tensor([1, 2]))


def jacobian_int_input(t):
    t.autograd.functional.jacobian(lambda x: x * 2, t.tensor([1, 2]))


def vmap_number_output(t):
    t.func.vmap(lambda x: 3.0)(t.ones(2))


def vmap_number_mapped(t):
    t.func.vmap(lambda x, n: x * n, in_dims=(0, 0))(t.ones(2), 3.0)


def vmap_in_dims_none(t):
    t.func.vmap(lambda x: x, in_dims=None)(t.ones(2))


def vjp_cotangent_shape(t):
    t.func.vjp(lambda x: x * 2, t.ones(2))[1](t.ones(3))


def grad_aux_number(t):
    t.func.grad(lambda x: (x.sum(), 3.0), has_aux=True)(t.ones(2))


MISUSE = [grad_int_input, jacrev_int_input, jacobian_int_input, vmap_number_output, vmap_number_mapped,
          vmap_in_dims_none, vjp_cotangent_shape, grad_aux_number,
          grad_non_scalar, grad_non_tensor, grad_bad_argnums, grad_aux_not_pair, vmap_sizes, vmap_randomness,
          vmap_in_dim_range, jvp_not_tuple, jvp_tangent_shape, jacobian_strategy, jacobian_forward_unvectorized,
          jacobian_non_tensor_input, jacobian_non_tensor_output, jacobian_strict, hessian_vector_output,
          hessian_tuple_output, vjp_v_none, vjp_v_shape, jvp_v_none, hvp_v_shape, make_dual_no_level,
          make_dual_shape, make_dual_int, nested_dual_level]


@pytest.mark.parametrize("case", MISUSE, ids=lambda c: c.__name__)
def test_misuse_raises_as_torch(case):
    assert_same_outcome(case, ft, torch)


def _counting(fn):
    calls = []

    def counted(*args):
        calls.append(1)
        return fn(*args)
    return counted, calls


def test_vmap_of_grad_is_batched():
    """Per-sample gradients run the function twice (first and last samples), then one batched program."""
    model = _linear(ft)
    params = {k: v.detach() for k, v in model.named_parameters()}
    loss, calls = _counting(lambda p, x: ft.func.functional_call(model, p, (x,)).square().sum())
    ft.func.vmap(ft.func.grad(loss), in_dims=(None, 0))(params, ft.tensor(np.tile(X, (5, 1))))
    assert len(calls) == 2


def test_vmap_with_a_mask_runs_each_sample():
    """A mask computed from the sample, equal on the first and last samples only, still gives each
    sample its own mask."""
    f, calls = _counting(lambda x: ft.where(x > 0, x, ft.zeros_like(x)))
    xs = np.array([[1.0, -1.0], [-1.0, 1.0], [1.0, -1.0]], np.float32)
    got = ft.func.vmap(f)(ft.tensor(xs))
    np.testing.assert_array_equal(got.numpy(), np.where(xs > 0, xs, 0))
    assert len(calls) == 2 + 3


def test_dual_tensors_can_print_as_torch_prints_them():
    """repr_state gives what Tensor.__repr__ needs to print a dual tensor as torch does (a tangent item,
    no grad_fn coming from the dual tensors alone)."""
    from fgrad.torch._printing import format_tensor
    with torch.autograd.forward_ad.dual_level():
        d = torch.autograd.forward_ad.make_dual(torch.tensor(M), torch.ones(2, 3))
        want = [repr(d), repr(d * 3)]
    with ft_fwad.dual_level():
        d = ft_fwad.make_dual(ft.tensor(M), ft.ones(2, 3))
        got = []
        for t in (d, d * 3):
            dual_only, tangent = ft_fwad.repr_state(t)
            assert dual_only
            got.append(format_tensor(t._data, dtype=t.dtype.name, suffixes=[("tangent", repr(tangent))]))
    assert got == want
    assert ft_fwad.repr_state(ft.ones(2)) == (False, None)
