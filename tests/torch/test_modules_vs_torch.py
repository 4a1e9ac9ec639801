"""fgrad.torch.nn's convolution, pooling, normalisation, embedding and activation modules against
PyTorch 2.13: printed reprs, parameter and buffer layout, forward values and gradients with
weights copied from torch, BatchNorm's running statistics, and the 60-minute blitz's LeNet."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402


def _modules(lib):
    nn = lib.nn
    return [nn.Conv2d(1, 6, 5), nn.Conv2d(3, 6, 3, stride=2, padding=1, dilation=2, groups=3, bias=False),
            nn.Conv2d(3, 6, (3, 1), padding="same"), nn.Conv1d(2, 4, 3, padding="valid"),
            nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), nn.MaxPool2d(2),
            nn.MaxPool2d((2, 3), stride=1, padding=1, ceil_mode=True), nn.AvgPool2d(2),
            nn.AvgPool2d(3, 2, 1, count_include_pad=False, ceil_mode=True), nn.AdaptiveAvgPool2d((5, 7)),
            nn.AdaptiveAvgPool2d(1), nn.BatchNorm1d(4), nn.BatchNorm2d(3, eps=1e-3, momentum=None, affine=False,
                                                                       track_running_stats=False),
            nn.BatchNorm2d(3, bias=False), nn.LayerNorm(5), nn.LayerNorm((2, 3), elementwise_affine=False, bias=False),
            nn.Embedding(10, 3), nn.Embedding(10, 3, padding_idx=-1), nn.Flatten(), nn.Unflatten(1, (2, 5)),
            nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.SiLU(inplace=True),
            nn.LeakyReLU(), nn.LeakyReLU(0.2, inplace=True), nn.ELU(), nn.ELU(0.5), nn.Tanh(), nn.Sigmoid(),
            nn.ReLU(), nn.NLLLoss(), nn.CrossEntropyLoss(label_smoothing=0.1)]


@pytest.mark.parametrize("k", range(len(_modules(torch))))
def test_modules_print_and_hold_what_torch_holds(k):
    ours, theirs = _modules(ft)[k], _modules(torch)[k]
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype), name
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_default_initialisation_has_torch_bounds():
    # kaiming_uniform_(a=sqrt(5)) on the weight: bound 1/sqrt(fan_in), as the bias
    conv = ft.nn.Conv2d(4, 8, 3)
    bound = 1 / np.sqrt(4 * 9)
    for p in (conv.weight, conv.bias):
        assert np.abs(p.detach().numpy()).max() <= bound and np.abs(p.detach().numpy()).max() > bound / 2
    emb = ft.nn.Embedding(50, 4, padding_idx=3).weight.detach().numpy()
    assert np.all(emb[3] == 0) and 0.5 < emb[np.arange(50) != 3].std() < 1.5
    bn = ft.nn.BatchNorm2d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3


def _copy(ours, theirs):
    ours.load_state_dict({k: ft.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})


def _check_forward_backward(make, shape, seed=0, train=True):
    theirs, ours = make(torch), make(ft)
    _copy(ours, theirs)
    ours.train(train)
    theirs.train(train)
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    xt, xo = torch.tensor(x, requires_grad=True), ft.tensor(x, requires_grad=True)
    yt, yo = theirs(xt), ours(xo)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert type(yt.grad_fn).__name__ == type(yo.grad_fn).__name__
    w = np.random.default_rng(seed + 1).standard_normal(tuple(yt.shape)).astype(np.float32)
    (yt * torch.tensor(w)).sum().backward()
    (yo * ft.tensor(w)).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)
    return ours, theirs


FORWARD = [
    (lambda t: t.nn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 9, 8)),
    (lambda t: t.nn.Conv2d(4, 6, (3, 2), padding="same", dilation=(1, 2), groups=2, bias=False), (2, 4, 7, 6)),
    (lambda t: t.nn.Conv1d(3, 5, 4, stride=3, padding=2), (2, 3, 11)),
    (lambda t: t.nn.Conv2d(2, 3, 3), (2, 6, 6)),                                    # unbatched
    (lambda t: t.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1), (2, 3, 5, 4)),
    (lambda t: t.nn.ConvTranspose2d(4, 6, (2, 3), stride=(1, 2), groups=2, dilation=(2, 1)), (1, 4, 4, 5)),
    (lambda t: t.nn.Sequential(t.nn.MaxPool2d(3, 2, 1, ceil_mode=True), t.nn.AvgPool2d(2, ceil_mode=True)),
     (2, 3, 9, 8)),
    (lambda t: t.nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 7, 6)),
    (lambda t: t.nn.AdaptiveAvgPool2d((3, 4)), (2, 3, 7, 9)),
    (lambda t: t.nn.AdaptiveAvgPool2d((None, 2)), (3, 5, 5)),
    (lambda t: t.nn.AdaptiveAvgPool2d(1), (2, 3, 4, 4)),
    (lambda t: t.nn.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda t: t.nn.BatchNorm1d(4, affine=False), (6, 4)),
    (lambda t: t.nn.BatchNorm1d(4, track_running_stats=False), (6, 4, 3)),
    (lambda t: t.nn.LayerNorm((4, 5)), (3, 4, 5)),
    (lambda t: t.nn.Sequential(t.nn.Flatten(), t.nn.Unflatten(1, (3, 4)), t.nn.GELU(), t.nn.SiLU(), t.nn.ELU(0.7),
                               t.nn.LeakyReLU(0.2), t.nn.GELU("tanh"), t.nn.Softmax(dim=1)), (2, 3, 2, 2)),
]


@pytest.mark.parametrize("k", range(len(FORWARD)))
def test_forward_and_backward_match_torch(k):
    make, shape = FORWARD[k]
    _check_forward_backward(make, shape, seed=k)


def test_batchnorm_in_eval_uses_running_statistics():
    _check_forward_backward(lambda t: t.nn.BatchNorm2d(3), (4, 3, 5, 5), train=False)


@pytest.mark.parametrize("momentum", [0.1, 0.3, None])
def test_batchnorm_running_statistics_follow_torch(momentum):
    theirs, ours = torch.nn.BatchNorm2d(3, momentum=momentum), ft.nn.BatchNorm2d(3, momentum=momentum)
    rng = np.random.default_rng(4)
    for _ in range(3):
        x = rng.standard_normal((4, 3, 2, 5)).astype(np.float32) * 2 + 1
        theirs(torch.tensor(x))
        ours(ft.tensor(x))
    for name in ("running_mean", "running_var"):
        np.testing.assert_allclose(getattr(ours, name).numpy(), getattr(theirs, name).numpy(), rtol=1e-5)
    assert repr(ours.num_batches_tracked) == repr(theirs.num_batches_tracked)
    ours.eval()
    theirs.eval()
    x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(ours(ft.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    assert int(ours.num_batches_tracked) == 3


@pytest.mark.parametrize("output_size", [[10, 8], [1, 2, 9, 9], [11, 9], [3]])
def test_conv_transpose_output_size_follows_torch(output_size):
    theirs, ours = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), ft.nn.ConvTranspose2d(2, 3, 3, stride=2,
                                                                                                 padding=1)
    _copy(ours, theirs)
    x = np.random.default_rng(6).standard_normal((1, 2, 5, 4)).astype(np.float32)

    def run(lib, module):
        return module(lib.tensor(x), output_size=output_size).detach().numpy()
    from _torch_compare import outcome
    got, want = outcome(lambda lib: run(lib, ours if lib is ft else theirs), ft), \
        outcome(lambda lib: run(lib, ours if lib is ft else theirs), torch)
    assert got[0] is want[0]
    if got[0] == "ok":
        np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    else:
        assert got[1] == want[1]


def test_embedding_padding_row_gets_no_gradient():
    theirs, ours = torch.nn.Embedding(5, 3, padding_idx=1), ft.nn.Embedding(5, 3, padding_idx=1)
    _copy(ours, theirs)
    idx = np.array([[1, 0, 4], [1, 1, 2]])
    yt, yo = theirs(torch.tensor(idx)), ours(ft.tensor(idx))
    assert type(yt.grad_fn).__name__ == type(yo.grad_fn).__name__ == "EmbeddingBackward0"
    (yt ** 2).sum().backward()
    (yo ** 2).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)
    assert not ours.weight.grad.numpy()[1].any()


@pytest.mark.parametrize("call", [
    lambda t: t.nn.Conv2d(3, 4, 3, groups=2),
    lambda t: t.nn.Conv2d(4, 6, 3, groups=4),
    lambda t: t.nn.Conv2d(3, 4, 3, padding="full"),
    lambda t: t.nn.Conv2d(3, 4, 3, stride=2, padding="same"),
    lambda t: t.nn.Conv2d(3, 4, 3, padding_mode="mirror"),
    lambda t: t.nn.BatchNorm2d(3)(t.ones(2, 3)),
    lambda t: t.nn.BatchNorm1d(3)(t.ones(2, 3, 4, 5)),
    lambda t: t.nn.BatchNorm1d(3)(t.ones(1, 3)),
    lambda t: t.nn.Conv2d(3, 4, 3)(t.ones(1, 2, 5, 5)),
    lambda t: t.nn.Conv2d(3, 4, 3)(t.ones(5, 5)),
    lambda t: t.nn.Conv2d(3, 4, 7)(t.ones(1, 3, 5, 5)),
    lambda t: t.nn.MaxPool2d(2, padding=2)(t.ones(1, 3, 5, 5)),
    lambda t: t.nn.MaxPool2d(7)(t.ones(1, 3, 5, 5)),
    lambda t: t.nn.MaxPool2d(2)(t.ones(5, 5)),
    lambda t: t.nn.LayerNorm(4)(t.ones(2, 5)),
    lambda t: t.nn.Embedding(3, 2)(t.tensor([3])),
    lambda t: t.nn.Embedding(3, 2)(t.tensor([1.0])),
], ids=lambda c: "")
def test_mistakes_raise_what_torch_raises(call):
    from _torch_compare import assert_same_outcome, outcome
    assert outcome(call, torch)[0] != "ok", "each case is a mistake torch rejects"
    assert_same_outcome(lambda lib: call(lib) and None, ft, torch)


# --- the 60-minute blitz: neural networks -------------------------------------------------------------

BLITZ = textwrap.dedent("""
    class Net(nn.Module):

        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = torch.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            output = self.fc3(f6)
            return output

    net = Net()
    net.load_state_dict(copy_weights(net))
    print(net)
    params = list(net.parameters())
    print(len(params))
    print(params[0].size())
    input = torch.tensor(INPUT)
    out = net(input)
    print(out)
    net.zero_grad()
    out.backward(torch.tensor(OUT_GRAD))
    output = net(input)
    target = torch.tensor(TARGET)
    target = target.view(1, -1)
    criterion = nn.MSELoss()
    loss = criterion(output, target)
    print(loss)
    print(loss.grad_fn)
    print(loss.grad_fn.next_functions[0][0])
    print(loss.grad_fn.next_functions[0][0].next_functions[0][0])
    net.zero_grad()
    print('conv1.bias.grad before backward')
    print(net.conv1.bias.grad)
    loss.backward()
    print('conv1.bias.grad after backward')
    print(net.conv1.bias.grad)
    learning_rate = 0.01
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    optimizer = optim.SGD(net.parameters(), lr=0.01)
    optimizer.zero_grad()
    output = net(input)
    loss = criterion(output, target)
    loss.backward()
    optimizer.step()
    print(criterion(net(input), target))
    print(net.conv2.weight[0, 0])
""")


def _run_blitz(lib, weights, arrays) -> str:
    def copy_weights(net):
        return {k: lib.tensor(v) for k, v in weights.items()}
    scope = dict(torch=lib, nn=lib.nn, F=lib.nn.functional, optim=lib.optim, copy_weights=copy_weights, **arrays)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(BLITZ, "<blitz>", "exec"), scope)  # noqa: S102 - the tutorial's own code
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", out.getvalue())


def _blitz_outputs() -> tuple:
    """What the tutorial prints under torch and under fgrad.torch, from the same weights and inputs."""
    # seed 1: no printed digit of this run sits on a float32 rounding boundary (a sum over the batch
    # and pixels in another order may move the last ulp, and with it a 5th printed digit)
    rng = np.random.default_rng(1)
    arrays = dict(INPUT=rng.standard_normal((1, 1, 32, 32)).astype(np.float32),
                  OUT_GRAD=rng.standard_normal((1, 10)).astype(np.float32),
                  TARGET=rng.standard_normal(10).astype(np.float32))
    shapes = {"conv1": (6, 1, 5, 5), "conv2": (16, 6, 5, 5), "fc1": (120, 400), "fc2": (84, 120), "fc3": (10, 84)}
    weights = {}
    for name, shape in shapes.items():
        bound = 1 / np.sqrt(np.prod(shape[1:]))
        weights[f"{name}.weight"] = rng.uniform(-bound, bound, shape).astype(np.float32)
        weights[f"{name}.bias"] = rng.uniform(-bound, bound, shape[:1]).astype(np.float32)
    return _run_blitz(torch, weights, arrays), _run_blitz(ft, weights, arrays)


def test_sixty_minute_blitz_lenet_prints_what_torch_prints():
    """Every line, the addmm's edges included (torch's addmm takes the bias first)."""
    want, got = _blitz_outputs()
    assert "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))" in want.splitlines()[1]
    assert "<AccumulateGrad" in want
    assert got == want
