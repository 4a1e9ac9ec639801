"""A catalogue of user mistakes: fgrad.torch raises what PyTorch raises, with PyTorch's message.

Each snippet runs with real PyTorch and with fgrad.torch; the exception types must be the same and
the messages equal up to fgrad's hint line. Snippets that succeed return plain values to compare.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome, outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


# --- dtype mismatches ----------------------------------------------------------------------------
@case
def f64_matmul_f32(t): t.ones(2, 3, dtype=t.float64) @ t.ones(3, 2)
@case
def int_matmul_float(t): t.ones(2, 3, dtype=t.int64) @ t.ones(3, 2)
@case
def mm_dtype(t): t.mm(t.ones(2, 3, dtype=t.float64), t.ones(3, 2))
@case
def matmul_mv_dtype(t): t.matmul(t.ones(2, 3, dtype=t.float64), t.ones(3))
@case
def mv_dtype(t): t.mv(t.ones(2, 3, dtype=t.float64), t.ones(3))
@case
def dot_dtype(t): t.dot(t.ones(3, dtype=t.float64), t.ones(3))
@case
def bmm_dtype(t): t.bmm(t.ones(2, 2, 3, dtype=t.float64), t.ones(2, 3, 2))
@case
def batched_dtype(t): t.ones(2, 2, 3, dtype=t.float64) @ t.ones(3, 2)
@case
def vector_batch_dtype(t): t.ones(3, dtype=t.float64) @ t.ones(2, 3, 2)
@case
def linear_f64_input(t): t.nn.Linear(3, 2)(t.ones(4, 3, dtype=t.float64))
@case
def linear_f64_vector(t): t.nn.Linear(3, 2)(t.ones(3, dtype=t.float64))
@case
def linear_f64_no_bias(t): t.nn.Linear(3, 2, bias=False)(t.ones(4, 3, dtype=t.float64))
@case
def linear_int_input(t): t.nn.functional.linear(t.ones(2, 3, dtype=t.int64), t.ones(4, 3))
@case
def bce_f64_target(t): t.nn.BCELoss()(t.full((3,), 0.5), t.ones(3, dtype=t.float64))
@case
def bce_f32_target(t): t.nn.BCELoss()(t.full((3,), 0.5, dtype=t.float64), t.ones(3))
@case
def bce_int_target(t): t.nn.BCELoss()(t.full((3,), 0.5), t.ones(3, dtype=t.int64))
@case
def bce_nan_input(t): t.nn.BCELoss()(t.tensor([0.5, float("nan")]), t.ones(2))
@case
def bce_above_one(t): t.nn.BCELoss()(t.tensor([0.5, 1.5]), t.ones(2))
@case
def inplace_int_add_float(t):
    x = t.ones(2, dtype=t.int64)
    x += t.ones(2)
@case
def inplace_int_mul_float(t):
    x = t.ones(2, dtype=t.int64)
    x *= 1.5
@case
def inplace_int_div(t):
    x = t.ones(2, dtype=t.int64)
    x /= 2


# --- backward, hooks, .grad --------------------------------------------------------------------
@case
def backward_list_gradient(t): (t.ones(2, requires_grad=True) * 2).backward([1., 1.])
@case
def backward_float_gradient(t): (t.ones(1, requires_grad=True) * 2).backward(2.0)
@case
def backward_wrong_gradient_shape(t): (t.ones(2, requires_grad=True) * 2).backward(t.ones(3))
@case
def hook_changes_size(t):
    x = t.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: t.ones(2))
    y.sum().backward()
@case
def leaf_hook_changes_size(t):
    x = t.ones(3, requires_grad=True)
    x.register_hook(lambda g: t.ones(2))
    (x * 2).sum().backward()
@case
def hook_changes_dtype(t):
    x = t.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: t.ones(3, dtype=t.float64))
    y.sum().backward()
@case
def assign_grad_wrong_size(t): t.ones(3, requires_grad=True).grad = t.ones(2)
@case
def assign_grad_wrong_dtype(t): t.ones(3, requires_grad=True).grad = t.ones(3, dtype=t.float64)
@case
def assign_grad_int(t): t.ones(3, requires_grad=True).grad = t.ones(3, dtype=t.int64)
@case
def assign_grad_list(t): t.ones(3, requires_grad=True).grad = [1.0, 1.0, 1.0]
@case
def assign_grad_ok(t):
    x = t.ones(3, requires_grad=True)
    x.grad = t.full((3,), 2.0)
    return x.grad.tolist()


# --- optimizers ----------------------------------------------------------------------------------
def _w(t):
    return t.ones(2, requires_grad=True)


@case
def sgd_of_a_tensor(t): t.optim.SGD(_w(t), lr=0.1)
@case
def sgd_of_non_leaf(t): t.optim.SGD([_w(t) * 2], lr=0.1)
@case
def sgd_of_a_number(t): t.optim.SGD([1.0], lr=0.1)
@case
def sgd_empty(t): t.optim.SGD([], lr=0.1)
@case
def sgd_negative_lr(t): t.optim.SGD([_w(t)], lr=-1)
@case
def sgd_negative_momentum(t): t.optim.SGD([_w(t)], lr=0.1, momentum=-0.5)
@case
def sgd_negative_weight_decay(t): t.optim.SGD([_w(t)], lr=0.1, weight_decay=-1)
@case
def sgd_nesterov_without_momentum(t): t.optim.SGD([_w(t)], lr=0.1, nesterov=True)
@case
def adam_negative_lr(t): t.optim.Adam([_w(t)], lr=-0.1)
@case
def adam_negative_eps(t): t.optim.Adam([_w(t)], eps=-1e-8)
@case
def adam_beta1_one(t): t.optim.Adam([_w(t)], betas=(1.0, 0.999))
@case
def adam_beta2_negative(t): t.optim.Adam([_w(t)], betas=(0.9, -0.1))
@case
def adam_negative_weight_decay(t): t.optim.Adam([_w(t)], weight_decay=-0.1)
@case
def adamw_negative_weight_decay(t): t.optim.AdamW([_w(t)], weight_decay=-0.1)


# --- creating tensors, integer division, in place through views ----------------------------------
@case
def tensor_with_none(t): t.tensor([1., None])
@case
def tensor_with_str(t): t.tensor([1., "a"])
@case
def tensor_ragged(t): t.tensor([[1., 2.], [3.]])
@case
def tensor_ragged_deeper(t): t.tensor([[[1], [2]], [[3], [4, 5]]])
@case
def zeros_negative(t): t.zeros(2, -3)
@case
def ones_negative(t): t.ones(2, -3)
@case
def randn_negative(t): t.randn(-1)
@case
def int_floordiv_zero(t): t.tensor([1, 2]) // 0
@case
def int_floordiv_zero_tensor(t): t.tensor([1, 2]) // t.tensor([1, 0])
@case
def int_mod_zero(t): t.tensor([1, 2]) % 0
@case
def int_div_floor_zero(t): t.div(t.tensor([1, 2]), 0, rounding_mode="floor")
@case
def float_floordiv_zero(t): return (t.tensor([1., -1.]) // 0).tolist()
@case
def inplace_on_view_of_leaf(t): t.ones(3, requires_grad=True)[0:2].add_(1)
@case
def inplace_on_view_of_leaf_view(t): t.ones(3, requires_grad=True).view(3).mul_(1)
@case
def setitem_on_view_of_leaf(t):
    v = t.ones(3, requires_grad=True)[0:2]
    v[0] = 5
@case
def setitem_on_leaf(t): t.ones(3, requires_grad=True).__setitem__(0, 5.)
@case
def grad_fn_class_names(t):
    x = t.ones(2, 2, requires_grad=True)
    ys = [(x * 2).sum(), x * 2, x.exp(), x @ x, x.t(), x[0], x.sum(1), x.sigmoid(), x.view(4)]
    return [type(y.grad_fn).__name__ for y in ys] + [repr(type(ys[0].grad_fn))]


# --- shapes: losses, broadcasting, views, dims, indexing, joining, products -----------------------
@case
def linear_shape(t): t.nn.Linear(4, 5)(t.ones(2, 3))
@case
def linear_shape_vector(t): t.nn.Linear(4, 5)(t.ones(3))
@case
def linear_shape_batched(t): t.nn.Linear(4, 5)(t.ones(2, 2, 3))
@case
def linear_no_bias_shape(t): t.nn.Linear(4, 5, bias=False)(t.ones(2, 3))
@case
def cross_entropy_float_target_shape(t): t.nn.CrossEntropyLoss()(t.ones(2, 3), t.ones(2, 4))
@case
def cross_entropy_float_target_batch(t): t.nn.CrossEntropyLoss()(t.ones(2, 3), t.ones(3))
@case
def cross_entropy_target_batch(t): t.nn.CrossEntropyLoss()(t.ones(2, 3), t.tensor([0, 1, 2]))
@case
def cross_entropy_target_out_of_range(t): t.nn.CrossEntropyLoss()(t.ones(2, 3), t.tensor([0, 3]))
@case
def cross_entropy_int32_target(t): t.nn.CrossEntropyLoss()(t.ones(2, 3), t.tensor([0, 1], dtype=t.int32))
@case
def cross_entropy_1d_input(t): t.nn.CrossEntropyLoss()(t.ones(3), t.tensor([0, 1]))
@case
def nll_float_target(t): t.nn.functional.nll_loss(t.ones(2, 3), t.ones(2))
@case
def broadcast_add(t): t.ones(2, 3) + t.ones(4)
@case
def broadcast_mul(t): t.ones(2, 3) * t.ones(2)
@case
def broadcast_3d(t): t.ones(2, 3, 4) - t.ones(5, 4)
@case
def broadcast_where(t): t.where(t.ones(2, dtype=t.bool), t.ones(3), t.ones(2))
@case
def broadcast_maximum(t): t.maximum(t.ones(2), t.ones(3))
@case
def broadcast_compare(t): return t.ones(2) < t.ones(3)
@case
def broadcast_inplace(t):
    x = t.ones(2, 3)
    x += t.ones(3, 3)
@case
def broadcast_inplace_grows(t):
    x = t.ones(3)
    x += t.ones(2, 3)
@case
def add_a_list(t): t.ones(2) + [1., 2., 3.]
@case
def view_bad_size(t): t.ones(6).view(4)
@case
def view_bad_inferred(t): t.ones(6).view(-1, 4)
@case
def view_two_inferred(t): t.ones(6).view(-1, -1)
@case
def view_negative(t): t.ones(6).view(-2, 3)
@case
def view_non_contiguous(t): t.ones(2, 3).t().view(6)
@case
def reshape_bad_size(t): t.ones(2, 3).reshape(5)
@case
def sum_dim_5(t): t.ones(2, 3).sum(dim=5)
@case
def mean_dim_minus_3(t): t.ones(2, 3).mean(dim=-3)
@case
def softmax_dim(t): t.ones(2, 3).softmax(dim=2)
@case
def squeeze_dim(t): t.ones(2, 3).squeeze(4)
@case
def unsqueeze_dim(t): t.ones(2, 3).unsqueeze(4)
@case
def transpose_dim(t): t.ones(2, 3).transpose(0, 3)
@case
def permute_dim(t): t.ones(2, 3).permute(0, 2)
@case
def permute_length(t): t.ones(2, 3).permute(0)
@case
def permute_duplicate(t): t.ones(2, 3).permute(0, 0)
@case
def size_dim(t): t.ones(2, 3).size(2)
@case
def argmax_dim(t): t.ones(2, 3).argmax(dim=2)
@case
def max_dim(t): t.ones(2, 3).max(dim=2)
@case
def flatten_dim(t): t.ones(2, 3).flatten(0, 4)
@case
def index_out_of_range(t): t.ones(3)[5]
@case
def index_out_of_range_2d(t): t.ones(2, 3)[0, 3]
@case
def index_negative(t): t.ones(3)[-4]
@case
def too_many_indices(t): t.ones(3)[0, 0]
@case
def index_tensor_out_of_range(t): t.ones(3)[t.tensor([0, 5])]
@case
def index_with_floats(t): t.ones(3)[t.tensor([0., 1.])]
@case
def mask_shape(t): t.ones(3)[t.tensor([True, False])]
@case
def mask_shape_second_axis(t): t.ones(2, 3)[:, t.tensor([True, False])]
@case
def mask_shape_2d(t): t.ones(2, 3)[t.ones(2, 2, dtype=t.bool)]
@case
def setitem_out_of_range(t): t.ones(3).__setitem__(5, 1.)
@case
def setitem_wrong_shape(t): t.ones(3).__setitem__(slice(0, 2), t.ones(3))
@case
def cat_sizes(t): t.cat([t.ones(2, 3), t.ones(2, 4)])
@case
def cat_sizes_dim1(t): t.cat([t.ones(2, 3), t.ones(3, 4)], dim=1)
@case
def cat_ranks(t): t.cat([t.ones(2, 3), t.ones(3)])
@case
def cat_dim(t): t.cat([t.ones(2, 3), t.ones(2, 3)], dim=2)
@case
def cat_nothing(t): t.cat([])
@case
def stack_sizes(t): t.stack([t.ones(2), t.ones(3)])
@case
def stack_nothing(t): t.stack([])
@case
def matmul_sizes(t): t.ones(2, 3) @ t.ones(4, 5)
@case
def matmul_vectors(t): t.ones(3) @ t.ones(4)
@case
def matmul_vector_matrix(t): t.ones(3) @ t.ones(4, 5)
@case
def matmul_matrix_vector(t): t.ones(2, 3) @ t.ones(4)
@case
def matmul_batch_matrix(t): t.ones(2, 2, 3) @ t.ones(4, 5)
@case
def matmul_batch_vector(t): t.ones(2, 3, 4) @ t.ones(5)
@case
def matmul_batches(t): t.ones(2, 2, 3) @ t.ones(2, 4, 5)
@case
def matmul_batch_broadcast(t): t.ones(2, 2, 3) @ t.ones(3, 4, 5)
@case
def matmul_scalar(t): t.ones(()) @ t.ones(3)
@case
def mm_vector(t): t.mm(t.ones(3), t.ones(3, 2))
@case
def mv_matrix(t): t.mv(t.ones(2, 3), t.ones(3, 1))
@case
def mv_sizes(t): t.mv(t.ones(2, 3), t.ones(4))
@case
def dot_matrix(t): t.dot(t.ones(3, 1), t.ones(3))
@case
def bmm_matrix(t): t.bmm(t.ones(2, 3), t.ones(3, 2))
@case
def bmm_second_matrix(t): t.bmm(t.ones(2, 2, 3), t.ones(2, 3))
@case
def bmm_sizes(t): t.bmm(t.ones(2, 2, 3), t.ones(2, 4, 2))
@case
def expand_size(t): t.ones(2, 3).expand(4, 3)
@case
def expand_new_axis_size(t): t.ones(2, 3).expand(1, 4, 3)
@case
def expand_fewer_sizes(t): t.ones(2, 3).expand(3)
@case
def item_of_many(t): t.ones(3).item()
@case
def numpy_of_requires_grad(t): t.ones(3, requires_grad=True).numpy()
@case
def int_requires_grad(t): t.ones(3, dtype=t.int64, requires_grad=True)
@case
def backward_without_grad(t): (t.ones(3) * 2).sum().backward()
@case
def t_of_3d(t): t.ones(2, 3, 4).t()
@case
def clamp_without_bounds(t): t.ones(2).clamp()


@pytest.mark.parametrize("snippet", CASES, ids=[c.__name__ for c in CASES])
def test_mistake_matches_torch(snippet):
    assert_same_outcome(snippet, ft, torch)


def test_catalogue_mostly_raises():
    # the catalogue is about errors: most snippets must raise in torch (guards against typos that pass)
    raised = sum(outcome(c, torch)[0] != "ok" for c in CASES)
    assert raised >= len(CASES) - 4
