"""torch.nn.functional's convolution, pooling, normalisation, embedding, activations and losses in
fgrad.torch against PyTorch 2.13: values, gradients of every tensor input, second derivatives
through create_graph, grad_fn names, and torch's errors for common mistakes."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as TF  # noqa: E402
from _torch_compare import assert_same_outcome, outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402
import fgrad.torch.nn.functional as FF  # noqa: E402


def _r(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _run(lib, F, fn, arrays, grad_order: int = 1):
    """fn's result, and the gradients of a weighted sum of it (and of its gradient's square)."""
    inputs = [lib.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    out = fn(F, lib, *inputs)
    w = lib.tensor(_r(99, *out.shape))
    float_inputs = [t for t in inputs if t.requires_grad]
    grads = lib.autograd.grad((out * w).sum(), float_inputs, create_graph=grad_order > 1)
    if grad_order > 1:
        total = sum((g ** 2).sum() for g in grads)
        grads = grads + lib.autograd.grad(total, float_inputs, allow_unused=True)
    return out, [g for g in grads if g is not None]


CASES = [
    ("conv2d", lambda F, t, x, w, b: F.conv2d(x, w, b, stride=2, padding=1, dilation=(1, 2)),
     [_r(0, 2, 3, 9, 8), _r(1, 4, 3, 3, 3), _r(2, 4)]),
    ("conv2d_same_groups", lambda F, t, x, w: F.conv2d(x, w, padding="same", groups=2),
     [_r(3, 2, 4, 7, 6), _r(4, 6, 2, 3, 3)]),
    ("conv2d_valid_unbatched", lambda F, t, x, w: F.conv2d(x, w, padding="valid", stride=(1, 2)),
     [_r(5, 3, 6, 7), _r(6, 2, 3, 2, 2)]),
    ("conv1d", lambda F, t, x, w, b: F.conv1d(x, w, b, padding=2, dilation=2),
     [_r(7, 2, 3, 9), _r(8, 4, 3, 3), _r(9, 4)]),
    ("conv_transpose2d", lambda F, t, x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
     [_r(10, 2, 3, 5, 4), _r(11, 3, 2, 3, 3), _r(12, 2)]),
    ("conv_transpose2d_groups", lambda F, t, x, w: F.conv_transpose2d(x, w, stride=(2, 1), padding=(0, 1), groups=3,
                                                                      dilation=2),
     [_r(13, 2, 6, 5, 4), _r(14, 6, 2, 3, 2)]),
    ("conv_transpose1d", lambda F, t, x, w: F.conv_transpose1d(x, w, stride=3), [_r(15, 1, 2, 4), _r(16, 2, 3, 2)]),
    ("max_pool2d", lambda F, t, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [_r(17, 2, 3, 8, 7)]),
    ("max_pool2d_dilated", lambda F, t, x: F.max_pool2d(x, (2, 3), dilation=(2, 1)), [_r(18, 3, 8, 7)]),
    ("avg_pool2d", lambda F, t, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), [_r(19, 2, 3, 8, 7)]),
    ("avg_pool2d_exclude_pad", lambda F, t, x: F.avg_pool2d(x, (3, 2), 2, 1, ceil_mode=True, count_include_pad=False),
     [_r(20, 2, 3, 8, 7)]),
    ("avg_pool2d_divisor", lambda F, t, x: F.avg_pool2d(x, 2, divisor_override=3), [_r(21, 2, 3, 4, 6)]),
    ("adaptive_avg_pool2d", lambda F, t, x: F.adaptive_avg_pool2d(x, (3, 5)), [_r(22, 2, 3, 8, 7)]),
    ("adaptive_avg_pool2d_mean", lambda F, t, x: F.adaptive_avg_pool2d(x, 1), [_r(23, 2, 3, 8, 7)]),
    ("batch_norm_train", lambda F, t, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     [_r(24, 4, 3, 5, 5), _r(25, 3), _r(26, 3)]),
    ("batch_norm_eval", lambda F, t, x, w, b: F.batch_norm(x, t.zeros(3) + 0.5, t.ones(3) * 2, w, b),
     [_r(27, 4, 3, 5), _r(28, 3), _r(29, 3)]),
    ("layer_norm", lambda F, t, x, w, b: F.layer_norm(x, (5, 5), w, b),
     [_r(30, 4, 3, 5, 5), _r(31, 5, 5), _r(32, 5, 5)]),
    ("layer_norm_plain", lambda F, t, x: F.layer_norm(x, (4,), eps=1e-3), [_r(33, 3, 4)]),
    ("embedding", lambda F, t, w: F.embedding(t.tensor([[1, 0, 2], [2, 2, 0]]), w, padding_idx=2), [_r(34, 4, 3)]),
    ("silu", lambda F, t, x: F.silu(x), [_r(35, 4, 3)]),
    ("elu", lambda F, t, x: F.elu(x, 0.5), [_r(36, 4, 3)]),
    ("gelu", lambda F, t, x: F.gelu(x) + F.gelu(x, approximate="tanh"), [_r(37, 4, 3)]),
    ("leaky_relu", lambda F, t, x: F.leaky_relu(x, 0.2), [_r(38, 4, 3)]),
    ("softmax", lambda F, t, x: F.softmax(x, dim=1) * F.log_softmax(x, dim=0), [_r(39, 4, 3)]),
    ("dropout_eval", lambda F, t, x: F.dropout(x, 0.3, training=False), [_r(40, 4, 3)]),
    ("pad", lambda F, t, x: F.pad(x, (1, 2, 0, -1), value=0.5), [_r(44, 2, 3, 4)]),
    ("pad_all_axes", lambda F, t, x: F.pad(x, (2, 0, 1, 1, -1, 1)), [_r(45, 2, 3, 4)]),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=IDS)
def test_values_gradients_and_grad_fn_match_torch(name, fn, arrays):
    out_t, grads_t = _run(torch, TF, fn, arrays)
    out_f, grads_f = _run(ft, FF, fn, arrays)
    np.testing.assert_allclose(out_f.detach().numpy(), out_t.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert type(out_f.grad_fn).__name__ == type(out_t.grad_fn).__name__
    assert len(grads_f) == len(grads_t)
    for a, b in zip(grads_f, grads_t):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-4)


# (pooling by averages is linear: its second derivative is zero, and fgrad's graph knows it)
SECOND = ["conv2d", "conv2d_same_groups", "conv_transpose2d", "max_pool2d", "conv1d", "batch_norm_train",
          "layer_norm", "silu", "elu"]


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives_match_torch(name):
    _, fn, arrays = CASES[IDS.index(name)]
    _, grads_t = _run(torch, TF, fn, arrays, grad_order=2)
    _, grads_f = _run(ft, FF, fn, arrays, grad_order=2)
    assert len(grads_f) == len(grads_t)
    for a, b in zip(grads_f, grads_t):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=(2, 3), dilation=(2, 1))])
def test_max_pool_indices_match_torch(kw):
    x = np.round(_r(43, 2, 3, 7, 8), 1)                 # rounded: ties, where the first maximum wins
    x[0, 0, 0, 0] = np.nan
    (out_t, idx_t), (out_f, idx_f) = (lib.nn.functional.max_pool2d(lib.tensor(x), return_indices=True, **kw)
                                      for lib in (torch, ft))
    np.testing.assert_array_equal(out_f.numpy(), out_t.numpy())
    np.testing.assert_array_equal(idx_f.numpy(), idx_t.numpy())
    assert idx_f.dtype == ft.int64
    pooled = ft.nn.MaxPool2d(return_indices=True, **kw)(ft.tensor(x))
    assert isinstance(pooled, tuple) and len(pooled) == 2


def test_conv_output_prints_as_torch():
    x, w = _r(41, 1, 1, 4, 4), _r(42, 2, 1, 3, 3)
    got = FF.conv2d(ft.tensor(x, requires_grad=True), ft.tensor(w))
    want = TF.conv2d(torch.tensor(x, requires_grad=True), torch.tensor(w))
    assert repr(got) == repr(want)
    assert repr(FF.max_pool2d(got, 2)) == repr(TF.max_pool2d(want, 2))


# --- losses with class weights, ignore_index, label smoothing and probability targets ---------------

_LOGITS, _LABELS = _r(50, 5, 4), np.array([0, 3, 1, 1, 2])
_PROBS = np.abs(_r(51, 5, 4)) / np.abs(_r(51, 5, 4)).sum(1, keepdims=True)
_WEIGHT = np.abs(_r(52, 4)) + 0.5
LOSSES = [
    dict(), dict(weight=_WEIGHT), dict(label_smoothing=0.2), dict(label_smoothing=0.2, weight=_WEIGHT),
    dict(ignore_index=1), dict(ignore_index=1, label_smoothing=0.3, weight=_WEIGHT),
    dict(reduction="sum", label_smoothing=0.1, weight=_WEIGHT),
    dict(reduction="none", label_smoothing=0.1, weight=_WEIGHT, ignore_index=3),
]


def _loss(lib, module, kw, x, target):
    kw = {k: lib.tensor(v) if k == "weight" else v for k, v in kw.items()}
    xi = lib.tensor(x, requires_grad=True)
    loss = getattr(lib.nn, module)(**kw)(xi, lib.tensor(target))
    (loss.sum() if loss.dim() else loss).backward()
    return loss, xi.grad


def _loss_cases() -> list:
    """(module, target kind, keyword arguments): NLLLoss takes no label smoothing, and probability
    targets are cross_entropy's, without ignore_index."""
    cases = []
    for module in ("CrossEntropyLoss", "NLLLoss"):
        for target in ("labels", "probs", "spatial"):
            for kw in LOSSES:
                kw = {k: v for k, v in kw.items() if module == "CrossEntropyLoss" or k != "label_smoothing"}
                if target == "probs" and (module == "NLLLoss" or "ignore_index" in kw):
                    continue
                if (module, target, kw) not in cases:
                    cases.append((module, target, kw))
    return cases


@pytest.mark.parametrize("module,target,kw", _loss_cases(), ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_losses_match_torch(module, target, kw):
    x, t = {"labels": (_LOGITS, _LABELS), "probs": (_LOGITS, _PROBS),
            "spatial": (_r(53, 2, 4, 3, 3), np.random.default_rng(5).integers(0, 4, (2, 3, 3)))}[target]
    (loss_t, grad_t), (loss_f, grad_f) = _loss(torch, module, kw, x, t), _loss(ft, module, kw, x, t)
    np.testing.assert_allclose(loss_f.detach().numpy(), loss_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_f.numpy(), grad_t.numpy(), rtol=1e-5, atol=1e-6)
    assert type(loss_f.grad_fn).__name__ == type(loss_t.grad_fn).__name__


# --- errors -------------------------------------------------------------------------------------------

ERRORS = [
    lambda t: t.nn.functional.conv2d(t.ones(1, 3, 5, 5), t.ones(2, 2, 3, 3)),
    lambda t: t.nn.functional.conv_transpose2d(t.ones(1, 3, 5, 5), t.ones(2, 2, 3, 3)),
    lambda t: t.nn.functional.conv2d(t.ones(5, 5), t.ones(2, 3, 3, 3)),
    lambda t: t.nn.functional.conv2d(t.ones(1, 3, 5, 5), t.ones(2, 3, 3, 3), stride=2, padding="same"),
    lambda t: t.nn.functional.conv2d(t.ones(1, 3, 5, 5), t.ones(2, 3, 3, 3), padding="full"),
    lambda t: t.nn.functional.conv2d(t.ones(1, 3, 5, 5), t.ones(2, 3, 7, 7)),
    lambda t: t.nn.functional.max_pool2d(t.ones(1, 3, 5, 5), 2, padding=2),
    lambda t: t.nn.functional.avg_pool2d(t.ones(1, 3, 5, 5), 2, padding=2),
    lambda t: t.nn.functional.max_pool2d(t.ones(1, 3, 5, 5), 7),
    lambda t: t.nn.functional.max_pool2d(t.ones(5, 5), 2),
    lambda t: t.nn.functional.adaptive_avg_pool2d(t.ones(5, 5), 2),
    lambda t: t.nn.functional.embedding(t.tensor([1.0]), t.ones(3, 2)),
    lambda t: t.nn.functional.embedding(t.tensor([5]), t.ones(3, 2)),
    lambda t: t.nn.functional.batch_norm(t.ones(1, 3), t.zeros(3), t.ones(3), training=True),
    lambda t: t.nn.functional.batch_norm(t.ones(2, 3), None, None),
    lambda t: t.nn.functional.layer_norm(t.ones(1, 3, 5, 5), (4,)),
    lambda t: t.nn.functional.nll_loss(t.ones(2, 4, 3, 3), t.zeros(2, 3, 2, dtype=t.long)),
    lambda t: t.nn.functional.cross_entropy(t.ones(5, 4), t.ones(5, 3)),
    lambda t: t.nn.functional.cross_entropy(t.ones(5, 4), t.tensor([0, 1, 2, 3, 4])),
    lambda t: t.nn.functional.pad(t.ones(2, 3), (1, 2, 3)),
    lambda t: t.nn.functional.pad(t.ones(2, 3), (1, 1, 1, 1, 1, 1)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_mistakes_raise_what_torch_raises(k):
    assert outcome(ERRORS[k], torch)[0] != "ok", "each case is a mistake torch rejects"
    assert_same_outcome(lambda lib: ERRORS[k](lib) and None, ft, torch)
