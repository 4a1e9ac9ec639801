"""Version counters: a tensor saved for backward and then changed in place makes backward() raise
PyTorch's error (same type and message); views share the counter with their base; tensors that no
node needs may be changed freely, and then the gradients equal PyTorch's."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome, outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402


def saved_leaf_under_no_grad(t):
    x = t.ones(3, requires_grad=True)
    y = x * x
    with t.no_grad():
        x.add_(1)
    y.sum().backward()


def saved_constant_changed(t):
    x = t.ones(3, requires_grad=True)
    c = t.ones(3)
    y = x * c
    c.mul_(2)
    y.sum().backward()


def saved_result_changed_under_no_grad(t):
    y = t.ones(3, requires_grad=True).exp()
    with t.no_grad():
        y.add_(1)
    y.sum().backward()


def saved_result_changed_in_graph(t):
    y = t.ones(3, requires_grad=True).exp()
    y.add_(1)
    y.sum().backward()


def saved_result_zeroed_twice(t):
    x = t.ones(3, dtype=t.float64, requires_grad=True)
    y = x.sigmoid()
    z = y.tanh()
    with t.no_grad():
        y.zero_()
        y.add_(2)
    z.sum().backward()


def changed_through_detach(t):
    a = t.ones(3, requires_grad=True) * 2
    y = a * a
    a.detach().zero_()
    y.sum().backward()


def changed_by_indexing(t):
    a = t.ones(3, requires_grad=True) * 2
    y = a.sin()
    a[0] = 1
    y.sum().backward()


def changed_by_copy(t):
    a = t.ones(2, 3, requires_grad=True) * 2
    y = a[0].sin()
    a.copy_(t.zeros(2, 3))
    y.sum().backward()


def view_changed_through_another_view(t):
    x = t.ones(3, dtype=t.float64, requires_grad=True)
    y = x.view(3, 1) @ x.view(1, 3)
    with t.no_grad():
        x.view(3).zero_()
    y.sum().backward()


def base_changed_through_view(t):
    x = t.ones(4, requires_grad=True)
    y = x * x
    with t.no_grad():
        x[1:3].mul_(3)
    y.sum().backward()


def matmul_weight_changed(t):
    w = t.ones(3, 2, requires_grad=True)
    y = t.ones(4, 3) @ w
    with t.no_grad():
        w.sub_(0.5)
    y.sum().backward()


def unsaved_leaf_changed(t):
    x = t.ones(3, requires_grad=True)
    y = x * t.full((3,), 2.0)
    with t.no_grad():
        x.mul_(2)
    y.sum().backward()
    return x.grad.tolist()


def unsaved_sum_input_changed(t):
    x = t.ones(3, requires_grad=True)
    a = x * 3
    y = a.sum() + (a + 1).sum()
    with t.no_grad():
        a.zero_()
    y.backward()
    return x.grad.tolist()


def data_changes_are_not_counted(t):
    w = t.ones(3, requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(2)
    y.backward()
    return w.grad.tolist()


def versions_shared_by_views(t):
    x = t.ones(3, requires_grad=True)
    y = x.exp()
    seen = [y._version]
    y.add_(1)
    seen += [y._version, x._version]
    v = y[0:2]
    v.mul_(2)
    seen += [y._version, v._version]
    d = y.detach()
    d.zero_()
    seen += [y._version, d._version, v._version]
    return seen


def retained_graph_then_optimizer_step(t):
    w = t.ones(2, requires_grad=True)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    t.optim.SGD([w], lr=0.1).step()
    loss.backward()


def training_loop_after_updates(t):
    w = t.tensor([1.0, -2.0], requires_grad=True)
    opt = t.optim.SGD([w], lr=0.1, momentum=0.9)
    for _ in range(3):
        opt.zero_grad()
        (w.exp() * w).sum().backward()
        opt.step()
    return [round(v, 5) for v in w.tolist()]


SNIPPETS = [saved_leaf_under_no_grad, saved_constant_changed, saved_result_changed_under_no_grad,
            saved_result_changed_in_graph, saved_result_zeroed_twice, changed_through_detach, changed_by_indexing,
            changed_by_copy, view_changed_through_another_view, base_changed_through_view, matmul_weight_changed,
            unsaved_leaf_changed, unsaved_sum_input_changed, data_changes_are_not_counted, versions_shared_by_views,
            retained_graph_then_optimizer_step, training_loop_after_updates]


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.__name__ for s in SNIPPETS])
def test_inplace_change_matches_torch(snippet):
    assert_same_outcome(snippet, ft, torch)


def test_stale_saved_tensor_message_is_torchs():
    kind, message = outcome(saved_result_changed_under_no_grad, ft)
    assert kind is RuntimeError
    assert message.startswith("one of the variables needed for gradient computation has been modified by an "
                              "inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1;")


def test_changing_the_input_of_an_op_whose_gradient_reads_only_its_result_is_fine():
    # torch's exp keeps its result, so changing its input does not matter, and fgrad's exp backward
    # reads the saved result too: the gradient is exp of the old input, as in torch
    def run(t):
        x = t.ones(3, requires_grad=True)
        y = x.exp()
        with t.no_grad():
            x.add_(1)
        y.sum().backward()
        return x.grad.tolist()
    (ours_kind, ours), (theirs_kind, theirs) = outcome(run, ft), outcome(run, torch)
    assert ours_kind == theirs_kind == "ok"
    assert ours == pytest.approx(theirs, rel=1e-6) and ours == pytest.approx([math.e] * 3, rel=1e-6)


def test_saved_input_of_a_result_saving_op_is_still_checked():
    # torch's relu keeps its result; fgrad's relu derivative reads its input (the x > 0 mask), so it
    # refuses rather than return a gradient computed from the changed values
    def run(t):
        x = t.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x.relu()
        with t.no_grad():
            x.neg_()
        y.sum().backward()
        return x.grad.tolist()
    assert outcome(run, torch)[0] == "ok"
    kind, message = outcome(run, ft)
    assert kind is RuntimeError and "is at version 1; expected version 0" in message


def test_unchanged_graph_skips_the_version_walk(monkeypatch):
    from fgrad.torch import autograd
    calls = []
    walk = autograd.check_versions
    monkeypatch.setattr(autograd, "check_versions", lambda nodes: calls.append(len(nodes)) or walk(nodes))
    x = ft.ones(3, requires_grad=True)
    with ft.no_grad():
        x.add_(1)                 # a change before the graph exists needs no walk
    (x * x).sum().backward()
    assert calls == []
    y = (x * x).sum()
    with ft.no_grad():
        ft.ones(2).add_(1)        # a change after it makes backward() look, and find nothing stale
    y.backward()
    assert calls == [2]
    assert x.grad.tolist() == [8.0, 8.0, 8.0]     # two backward passes of d(x*x)/dx at x = 2
