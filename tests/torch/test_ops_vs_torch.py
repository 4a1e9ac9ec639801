"""Every fgrad.torch op against PyTorch: values, gradients and grad_fn names, float32 and float64."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402

# (id, fn(lib, *tensors), input shapes, domain) ; domain "pos" keeps inputs away from 0
OPS = [
    ("add", lambda t, a, b: a + b, [(3, 4), (4,)], None),
    ("add_scalar", lambda t, a: a + 1.5, [(3,)], None),
    ("radd", lambda t, a: 2 + a, [(3,)], None),
    ("torch.add_alpha", lambda t, a, b: t.add(a, b, alpha=2), [(3,), (3,)], None),
    ("sub", lambda t, a, b: a - b, [(2, 3), (2, 3)], None),
    ("rsub", lambda t, a: 1 - a, [(3,)], None),
    ("mul", lambda t, a, b: a * b, [(2, 3), (2, 1)], None),
    ("mul_scalar", lambda t, a: a * 2, [(3,)], None),
    ("div", lambda t, a, b: a / b, [(2, 3), (3,)], "pos"),
    ("div_scalar", lambda t, a: a / 2, [(3,)], None),
    ("rdiv", lambda t, a: 2 / a, [(3,)], "pos"),
    ("neg", lambda t, a: -a, [(3,)], None),
    ("pow2", lambda t, a: a ** 2, [(3,)], None),
    ("pow3", lambda t, a: a ** 3, [(3,)], None),
    ("pow_half", lambda t, a: a ** 0.5, [(3,)], "pos"),
    ("pow_tensor", lambda t, a, b: a ** b, [(3,), (3,)], "pos"),
    ("rpow", lambda t, a: 2 ** a, [(3,)], None),
    ("square", lambda t, a: t.square(a), [(3,)], None),
    ("exp", lambda t, a: t.exp(a), [(2, 3)], None),
    ("log", lambda t, a: t.log(a), [(3,)], "pos"),
    ("log1p", lambda t, a: t.log1p(a), [(3,)], "pos"),
    ("sin", lambda t, a: t.sin(a), [(3,)], None),
    ("cos", lambda t, a: a.cos(), [(3,)], None),
    ("tanh", lambda t, a: t.tanh(a), [(3,)], None),
    ("sigmoid", lambda t, a: t.sigmoid(a), [(3,)], None),
    ("relu", lambda t, a: t.relu(a), [(5,)], None),
    ("abs", lambda t, a: t.abs(a), [(5,)], None),
    ("sqrt", lambda t, a: t.sqrt(a), [(3,)], "pos"),
    ("clamp", lambda t, a: t.clamp(a, -0.5, 0.5), [(6,)], None),
    ("clamp_min_kw", lambda t, a: a.clamp(min=0.0), [(6,)], None),
    ("clamp_min", lambda t, a: t.clamp_min(a, 0.0), [(6,)], None),
    ("clamp_max", lambda t, a: t.clamp_max(a, 0.0), [(6,)], None),
    ("where", lambda t, a, b: t.where(a > 0, a, b), [(4,), (4,)], None),
    ("where_scalar", lambda t, a: t.where(a > 0, a, 0.0), [(4,)], None),
    ("max", lambda t, a: a.max(), [(3, 4)], None),
    ("max_dim", lambda t, a: a.max(1)[0], [(3, 4)], None),
    ("max_dim_keep", lambda t, a: t.max(a, dim=0, keepdim=True).values, [(3, 4)], None),
    ("min", lambda t, a: t.min(a), [(3, 4)], None),
    ("min_dim", lambda t, a: a.min(0)[0], [(3, 4)], None),
    ("maximum", lambda t, a, b: t.maximum(a, b), [(3,), (3,)], None),
    ("minimum", lambda t, a, b: t.minimum(a, b), [(3,), (3,)], None),
    ("max_binary", lambda t, a, b: t.max(a, b), [(3,), (3,)], None),
    ("amax", lambda t, a: t.amax(a, dim=1, keepdim=True), [(3, 4)], None),
    ("sum", lambda t, a: t.sum(a), [(3, 4)], None),
    ("sum_dim", lambda t, a: a.sum(0), [(3, 4)], None),
    ("sum_keep", lambda t, a: t.sum(a, dim=1, keepdim=True), [(3, 4)], None),
    ("sum_dims", lambda t, a: a.sum((0, 1)), [(3, 4)], None),
    ("mean", lambda t, a: a.mean(), [(3, 4)], None),
    ("mean_dim", lambda t, a: t.mean(a, dim=1, keepdim=True), [(3, 4)], None),
    ("var", lambda t, a: a.var(), [(5,)], None),
    ("std_dim", lambda t, a: a.std(0), [(3, 4)], None),
    ("norm", lambda t, a: a.norm(), [(3, 4)], None),
    ("prod", lambda t, a: a.prod(), [(4,)], None),
    ("softmax", lambda t, a: t.softmax(a, 1), [(3, 4)], None),
    ("log_softmax", lambda t, a: t.log_softmax(a, dim=1), [(3, 4)], None),
    ("logsumexp", lambda t, a: t.logsumexp(a, 1), [(3, 4)], None),
    ("mm", lambda t, a, b: a @ b, [(3, 4), (4, 2)], None),
    ("matmul", lambda t, a, b: t.matmul(a, b), [(3, 4), (4, 2)], None),
    ("mv", lambda t, a, b: a @ b, [(3, 4), (4,)], None),
    ("dot", lambda t, a, b: a @ b, [(4,), (4,)], None),
    ("vm", lambda t, a, b: a @ b, [(4,), (4, 2)], None),
    ("bmm", lambda t, a, b: a @ b, [(2, 3, 4), (2, 4, 2)], None),
    ("batched_2d", lambda t, a, b: a @ b, [(2, 3, 4), (4, 2)], None),
    ("select", lambda t, a: a[0], [(3, 4)], None),
    ("select2", lambda t, a: a[1, 2], [(3, 4)], None),
    ("select_col", lambda t, a: a[:, 1], [(3, 4)], None),
    ("slice", lambda t, a: a[1:], [(3, 4)], None),
    ("slice_step", lambda t, a: a[::2, 1:3], [(3, 4)], None),
    ("index_none", lambda t, a: a[:, None], [(3, 4)], None),
    ("index_list", lambda t, a: a[[0, 2, 0]], [(3, 4)], None),
    ("index_mask", lambda t, a: a[a > 0], [(3, 4)], None),
    ("t", lambda t, a: a.t(), [(3, 4)], None),
    ("T", lambda t, a: a.T, [(3, 4)], None),
    ("view", lambda t, a: a.view(12), [(3, 4)], None),
    ("view_infer", lambda t, a: a.view(-1, 2), [(3, 4)], None),
    ("reshape", lambda t, a: a.reshape(4, 3), [(3, 4)], None),
    ("reshape_copy", lambda t, a: a.t().reshape(12), [(3, 4)], None),
    ("flatten", lambda t, a: a.flatten(), [(3, 4)], None),
    ("squeeze", lambda t, a: a.squeeze(), [(3, 1, 4)], None),
    ("squeeze_dim", lambda t, a: a.squeeze(1), [(3, 1, 4)], None),
    ("unsqueeze", lambda t, a: a.unsqueeze(0), [(3, 4)], None),
    ("permute", lambda t, a: a.permute(2, 0, 1), [(2, 3, 4)], None),
    ("transpose", lambda t, a: a.transpose(0, 1), [(3, 4)], None),
    ("expand", lambda t, a: a.expand(3, 4), [(4,)], None),
    ("clone", lambda t, a: a.clone(), [(3,)], None),
    ("double", lambda t, a: a.double() * 2, [(3,)], None),
    ("cat", lambda t, a, b: t.cat([a, b], dim=0), [(2, 3), (1, 3)], None),
    ("cat1", lambda t, a, b: t.cat([a, b], 1), [(2, 3), (2, 2)], None),
    ("stack", lambda t, a, b: t.stack([a, b]), [(3,), (3,)], None),
    ("stack1", lambda t, a, b: t.stack([a, b], dim=1), [(3,), (3,)], None),
    ("linear", lambda t, x, w, b: t.nn.functional.linear(x, w, b), [(5, 3), (2, 3), (2,)], None),
    ("linear_1d", lambda t, x, w, b: t.nn.functional.linear(x, w, b), [(3,), (2, 3), (2,)], None),
    ("chain", lambda t, a: t.sin(a ** 2) * t.exp(-a) + t.tanh(a) * 0.5, [(4,)], None),
]


def _inputs(shapes, domain, dtype, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for s in shapes:
        a = rng.standard_normal(s)
        if domain == "pos":
            a = np.abs(a) + 0.5
        out.append(a.astype(dtype))
    return out


def _run(lib, fn, arrays, weight_seed=1):
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    w = np.random.default_rng(weight_seed).standard_normal(tuple(out.shape)).astype(arrays[0].dtype)
    (out * lib.tensor(w)).sum().backward()
    grads = [None if x.grad is None else x.grad.detach().numpy().copy() for x in xs]
    name = out.grad_fn.name() if out.grad_fn is not None else None
    return out.detach().numpy().copy(), grads, name, out.dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", OPS, ids=[c[0] for c in OPS])
def test_op_matches_torch(case, dtype):
    _, fn, shapes, domain = case
    arrays = _inputs(shapes, domain, dtype)
    got, got_grads, got_name, got_dtype = _run(ft, fn, arrays)
    want, want_grads, want_name, want_dtype = _run(torch, fn, arrays)
    tol = dict(rtol=2e-5, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    assert str(got_dtype) == str(want_dtype)
    np.testing.assert_allclose(got, want, **tol)
    assert got_name == want_name
    for g, w in zip(got_grads, want_grads):
        assert (g is None) == (w is None)
        if w is not None:
            assert g.dtype == w.dtype
            np.testing.assert_allclose(g, w, **tol)


def test_every_case_differentiates_each_input():
    # a case whose output ignores an input would hide a missing gradient path
    for name, fn, shapes, domain in OPS:
        _, grads, _, _ = _run(torch, fn, _inputs(shapes, domain, np.float64))
        assert all(g is not None for g in grads), name


SINGULAR = [
    ("abs_at_0", lambda t, a: t.abs(a), [0.0, -1.0, 2.0]),
    ("relu_at_0", lambda t, a: t.relu(a), [0.0, -1.0, 2.0]),
    ("clamp_at_bounds", lambda t, a: t.clamp(a, -1.0, 1.0), [-1.0, 1.0, 0.0, 2.0]),
    ("clamp_min_at_bound", lambda t, a: t.clamp_min(a, 0.0), [0.0, 1.0]),
    ("max_ties", lambda t, a: t.max(a), [1.0, 3.0, 3.0]),
    ("max_dim_ties", lambda t, a: t.max(a, 0)[0], [3.0, 1.0, 3.0]),
    ("amax_ties", lambda t, a: t.amax(a, 0), [3.0, 1.0, 3.0]),
    ("min_ties", lambda t, a: t.min(a), [0.0, 0.0, 1.0]),
    ("maximum_tie", lambda t, a: t.maximum(a, t.ones(3)), [1.0, 0.0, 2.0]),
    ("sqrt_at_0", lambda t, a: t.sqrt(a), [0.0, 4.0]),
    ("pow_at_0", lambda t, a: a ** 2 + a ** 0.5 + a ** 0, [0.0, 1.0]),
    ("norm_at_0", lambda t, a: a.norm(), [0.0, 0.0]),
    ("std_constant", lambda t, a: a.std(), [1.0, 1.0, 1.0]),
    ("bce_log_clamp", lambda t, a: t.nn.functional.binary_cross_entropy(a, t.tensor([1.0, 0.0, 1.0])),
     [0.0, 0.0, 1.0]),
    ("sigmoid_saturated", lambda t, a: t.sigmoid(a), [-100.0, 100.0]),
]


@pytest.mark.parametrize("case", SINGULAR, ids=[c[0] for c in SINGULAR])
def test_singular_points_match_torch(case):
    _, fn, values = case
    results = []
    for lib in (ft, torch):
        x = lib.tensor(values, requires_grad=True)
        out = fn(lib, x)
        out.sum().backward()
        results.append((out.detach().numpy().copy(), x.grad.numpy().copy()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)


@pytest.mark.parametrize("expr", [
    "torch.tensor([1, 2])", "torch.tensor([1, 2.])", "torch.tensor(True)", "torch.tensor([[1, 2], [3, 4]]) / 2",
    "torch.tensor([1, 2]) * 2.5", "torch.arange(5)", "torch.arange(0., 1, 0.25)", "torch.linspace(0, 1, 5)",
    "torch.eye(2)", "torch.full((2,), 3.)", "torch.full((2,), 3)", "torch.tensor(3)",
    "torch.tensor(3.5, dtype=torch.float64)", "torch.zeros(2, dtype=torch.int64)", "torch.tensor([True, False])",
    "torch.ones(2) > 0", "torch.tensor([1, 2]) + torch.tensor(1.5, dtype=torch.float64)",
    "torch.tensor([1., 2.]) + torch.tensor(1.5, dtype=torch.float64)",
    "torch.tensor([1., 2.], dtype=torch.float64) * torch.tensor([1., 2.])", "torch.tensor([1, 2]) + True",
    "torch.ones(2, 3).sum(dim=1)", "torch.tensor([1, 2]).sum()", "torch.zeros(0)",
    "torch.tensor([1., 2.], requires_grad=True) * 1", "torch.ones(2, 2, requires_grad=True).shape",
    "torch.ones(2, 3).size()", "torch.ones(2, 3).dtype", "torch.Size([2, 3])", "torch.tensor([[1., 2.]]).T",
    "torch.tensor([1.5, 2.5]).tolist()", "torch.tensor(2.).item()", "torch.tensor([3, 1]).argmax()",
    "torch.max(torch.tensor([[1., 5.], [7., 2.]]), 1)", "torch.tensor([2, 3]) // 2",
    "torch.nn.Parameter(torch.ones(2))", "torch.ones(3).numel()", "torch.ones(2, 3).ndim",
])
def test_creation_dtypes_and_reprs_match_torch(expr):
    assert repr(eval(expr, {"torch": ft})) == repr(eval(expr, {"torch": torch}))
