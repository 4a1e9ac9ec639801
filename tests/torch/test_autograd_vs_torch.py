"""fgrad.torch's autograd behaviour against PyTorch: errors, accumulation, retain_graph, higher order,
hooks, retain_grad, grad modes, in-place updates, graph introspection, and the compile cache."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402
from fgrad.torch import autograd as fautograd  # noqa: E402


def _both(fn):
    """Run fn(lib) with fgrad.torch and torch; return both results."""
    return fn(ft), fn(torch)


def _error(fn, lib):
    try:
        fn(lib)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return type(exc), str(exc)
    return None, None


def _backward_twice(t):
    x = t.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _inplace_leaf(t):
    x = t.ones(3, requires_grad=True)
    x.add_(1)


def _inplace_leaf_op(t):
    x = t.ones(3, requires_grad=True)
    x += 1


def _bad_gradient_shape(t):
    x = t.ones(3, requires_grad=True)
    (x * 2).backward(t.ones(2))


ERRORS = {
    "non_scalar": lambda t: (t.ones(3, requires_grad=True) * 2).backward(),
    "backward_twice": _backward_twice,
    "no_grad_fn": lambda t: t.ones(3).sum().backward(),
    "inplace_leaf": _inplace_leaf,
    "inplace_leaf_operator": _inplace_leaf_op,
    "int_requires_grad": lambda t: t.tensor([1, 2], requires_grad=True),
    "int_requires_grad_": lambda t: t.tensor([1, 2]).requires_grad_(),
    "numpy_requires_grad": lambda t: t.ones(3, requires_grad=True).numpy(),
    "item_many": lambda t: t.ones(3).item(),
    "bce_range": lambda t: t.nn.BCELoss()(t.tensor([1.5]), t.tensor([1.0])),
    "gradient_shape": _bad_gradient_shape,
    "unused_input": lambda t: t.autograd.grad((t.ones(2, requires_grad=True) * 2).sum(),
                                             t.ones(1, requires_grad=True)),
    "mm_shapes": lambda t: t.ones(2, 3) @ t.ones(2, 3),
    "broadcast": lambda t: t.ones(2, 3) + t.ones(3, 2),
    "view_size": lambda t: t.ones(3).view(2, 2),
    "dim_range": lambda t: t.ones(2, 3).sum(2),
    "index_range": lambda t: t.ones(2, 3)[5],
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_use_torch_type_and_wording_plus_one_hint(name):
    got_type, got_text = _error(ERRORS[name], ft)
    want_type, want_text = _error(ERRORS[name], torch)
    assert want_type is not None
    assert got_type is want_type, (got_type, got_text)
    lines = got_text.split("\n")
    assert lines[0] == want_text
    assert len(lines) <= 2 and (len(lines) == 1 or lines[1].startswith("fgrad hint: "))


def test_hinted_errors_have_the_hint_line():
    for name in ("non_scalar", "backward_twice", "no_grad_fn", "inplace_leaf", "int_requires_grad",
                 "numpy_requires_grad", "item_many", "bce_range", "gradient_shape"):
        _, text = _error(ERRORS[name], ft)
        assert text.split("\n")[1].startswith("fgrad hint: "), name


def test_backward_twice_allowed_when_no_node_saved_tensors():
    def run(t):
        x = t.ones(3, requires_grad=True)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad.tolist()
    assert _both(run)[0] == _both(run)[1] == [2.0, 2.0, 2.0]


def test_accumulation_retain_graph_and_zero():
    def run(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (x ** 3).sum()
        y.backward(retain_graph=True)
        first = x.grad.clone()
        y.backward()
        out = [first.tolist(), x.grad.tolist()]
        x.grad.zero_()
        (x * 2).sum().backward()
        return out + [x.grad.tolist()]
    got, want = _both(run)
    assert got == want


def test_gradient_argument_and_non_scalar_backward():
    def run(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x ** 2
        y.backward(t.tensor([1.0, 0.5]))
        return x.grad.tolist()
    assert _both(run)[0] == _both(run)[1]


@pytest.mark.parametrize("fn,point,d1,d2", [
    (lambda t, x: x ** 3, 2.0, 12.0, 12.0),
    (lambda t, x: t.sin(x), 0.7, None, None),
    (lambda t, x: t.exp(x) * x, 0.3, None, None),
    (lambda t, x: t.sigmoid(x) * t.tanh(x), -0.4, None, None),
])
def test_second_derivatives_with_create_graph(fn, point, d1, d2):
    def run(t):
        x = t.tensor(point, requires_grad=True)
        (g,) = t.autograd.grad(fn(t, x), x, create_graph=True)
        (h,) = t.autograd.grad(g, x)
        return g.item(), h.item(), g.requires_grad
    got, want = _both(run)
    np.testing.assert_allclose(got[:2], want[:2], rtol=1e-5)
    assert got[2] == want[2]
    if d1 is not None:
        assert got[:2] == (d1, d2)


def test_third_derivative_and_backward_with_create_graph():
    def run(t):
        x = t.tensor(1.5, requires_grad=True)
        (g,) = t.autograd.grad(t.sin(x) * x ** 2, x, create_graph=True)
        (h,) = t.autograd.grad(g, x, create_graph=True)
        h.backward()
        return g.item(), h.item(), x.grad.item()
    got, want = _both(run)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_create_graph_grad_fn_and_constant_gradient():
    def run(t):
        x = t.tensor(2.0, requires_grad=True)
        (g,) = t.autograd.grad(x ** 3, x, create_graph=True)
        (c,) = t.autograd.grad(x * 2, x, create_graph=True)
        return repr(g), repr(c)
    got, want = _both(run)
    assert got == want


def test_autograd_grad_multiple_inputs_and_grad_outputs():
    def run(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.tensor([3.0, -1.0], requires_grad=True)
        y = a * b + a ** 2
        ga, gb = t.autograd.grad(y, (a, b), grad_outputs=t.tensor([1.0, 2.0]))
        return ga.tolist(), gb.tolist(), a.grad
    got, want = _both(run)
    assert got == want


def test_grad_with_respect_to_an_intermediate_and_allow_unused():
    def run(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        h = x * 3
        y = (h ** 2).sum()
        unused = t.ones(1, requires_grad=True)
        gh, gu = t.autograd.grad(y, [h, unused], allow_unused=True)
        return gh.tolist(), gu
    got, want = _both(run)
    assert got == want


def test_hooks_and_retain_grad():
    def run(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g: seen.append(g.tolist()))
        h = x * 2
        h.retain_grad()
        handle = h.register_hook(lambda g: g * 10)
        y = (h ** 2).sum()
        y.backward()
        out = [seen, h.grad.tolist(), x.grad.tolist(), h.is_leaf, h.retains_grad]
        handle.remove()
        x.grad = None
        (x * 2 * 2).sum().backward()
        return out + [x.grad.tolist()]
    got, want = _both(run)
    assert got == want


def test_grad_modes():
    def run(t):
        x = t.ones(2, requires_grad=True)
        out = []
        with t.no_grad():
            out.append((x * 2).requires_grad)
            with t.enable_grad():
                out.append((x * 2).requires_grad)
            out.append(t.is_grad_enabled())
        with t.set_grad_enabled(False):
            out.append((x * 2).requires_grad)
        out.append(t.is_grad_enabled())

        @t.no_grad()
        def f(v):
            return v * 2
        out.append(f(x).requires_grad)
        t.set_grad_enabled(False)
        out.append(t.is_grad_enabled())
        t.set_grad_enabled(True)
        return out
    got, want = _both(run)
    assert got == want


def test_inplace_updates_under_no_grad_and_views():
    def run(t):
        w = t.tensor([1.0, 2.0], requires_grad=True)
        (w ** 2).sum().backward()
        d = w.detach()
        with t.no_grad():
            w -= 0.1 * w.grad
            w.add_(1.0)
            w.mul_(2)
        y = t.ones(3)
        v = y[1:]
        v.fill_(5.0)
        z = t.ones(2, requires_grad=True) * 1
        z += 1
        z.mul_(3)
        return repr(w), repr(d), repr(y), repr(z), w.is_leaf, z.grad_fn.name()
    got, want = _both(run)
    assert got == want


def test_inplace_on_non_leaf_is_differentiated():
    def run(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y *= x
        y[0] = y[1] * 3
        y.sum().backward()
        return x.grad.tolist(), y.tolist()
    got, want = _both(run)
    assert got == want


def test_graph_introspection():
    def run(t):
        x = t.ones(2, requires_grad=True)
        y = (x * 2).sum()
        nf = y.grad_fn.next_functions
        inner = nf[0][0].next_functions
        return (y.grad_fn.name(), nf[0][0].name(), inner[0][0].name(), inner[0][0].variable is x, inner[1][0],
                x.grad_fn, x.is_leaf, y.is_leaf, repr(y.grad_fn).split(" object")[0])
    got, want = _both(run)
    assert got == want


def test_detach_requires_grad_flags():
    def run(t):
        x = t.tensor(2.0, requires_grad=True)
        y = x ** 2
        d = y.detach()
        x2 = x.detach().requires_grad_()
        return d.requires_grad, d.is_leaf, x2.is_leaf, x2.requires_grad, repr(x.data), repr(x.requires_grad_(False))
    got, want = _both(run)
    assert got == want


def test_backward_compile_cache_hits_on_a_repeated_graph():
    fautograd.clear_cache()
    w = ft.tensor([0.5, -0.5], requires_grad=True)
    x = ft.tensor([[1.0, 2.0], [3.0, 4.0]])
    for _ in range(5):
        w.grad = None
        loss = ((x @ w - 1.0) ** 2).mean()
        loss.backward()
    info = fautograd.cache_info()
    # the first two steps run eagerly, the third compiles the structure, the rest reuse that program
    assert (info["eager"], info["misses"], info["hits"]) == (2, 1, 2)
    # a different graph (another op) runs eagerly twice, compiles once more, then hits again
    for _ in range(4):
        (ft.sin(x @ w)).sum().backward()
    info = fautograd.cache_info()
    assert (info["eager"], info["misses"], info["hits"]) == (4, 2, 3)


def test_backward_cache_is_a_bounded_lru():
    fautograd.clear_cache(maxsize=3)
    try:
        x = ft.tensor([1.0, 2.0], requires_grad=True)
        for k in range(1, 6):
            for _ in range(fautograd.EAGER_RUNS_BEFORE_COMPILING):
                (x ** k).sum().backward()         # each structure's first times: eager
            (x ** k).sum().backward()             # then compiled and cached
        assert fautograd.cache_info()["size"] == 3
        (x ** 5).sum().backward()                 # still cached
        assert fautograd.cache_info()["hits"] == 1
        (x ** 1).sum().backward()                 # evicted long ago
        assert fautograd.cache_info()["misses"] == 6
    finally:
        fautograd.clear_cache(maxsize=128)


def test_backend_switch_is_validated():
    with pytest.raises(ValueError):
        ft.set_backend("cuda")
    ft.set_backend("numpy")
    x = ft.tensor([1.0, 2.0], requires_grad=True)
    (x ** 2).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    ft.set_backend(None)


def test_xla_backend_gives_the_same_gradients():
    pytest.importorskip("jax")
    grads = []
    for backend in ("numpy", "xla"):
        ft.set_backend(backend)
        try:
            x = ft.tensor([0.5, -1.0, 2.0], requires_grad=True)
            w = ft.tensor([[1.0, 0.5, -0.5], [0.2, 0.1, 0.3]], requires_grad=True)
            (ft.sigmoid(w @ x).sum() + (x ** 2).mean()).backward()
            grads.append((x.grad.numpy().copy(), w.grad.numpy().copy()))
        finally:
            ft.set_backend(None)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-6)
