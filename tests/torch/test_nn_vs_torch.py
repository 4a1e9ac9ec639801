"""fgrad.torch.nn and fgrad.torch.optim against PyTorch: losses, modules, training loops, optimizers."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402

RNG = np.random.default_rng(0)
PRED = RNG.standard_normal((4, 3)).astype(np.float32)
TARGET = RNG.standard_normal((4, 3)).astype(np.float32)
PROBS = (1 / (1 + np.exp(-PRED))).astype(np.float32)
LABELS01 = (RNG.random((4, 3)) > 0.5).astype(np.float32)
CLASSES = np.array([0, 2, 1, 2])


def _loss_case(make, inputs):
    def run(t):
        xs = [t.tensor(a, requires_grad=a.dtype.kind == "f" and k == 0) for k, a in enumerate(inputs)]
        loss = make(t)(*xs)
        weights = np.linspace(0.5, 1.5, int(np.prod(loss.shape))).reshape(tuple(loss.shape)).astype(np.float32)
        (loss * t.tensor(weights)).sum().backward()
        return loss.detach().numpy().copy(), xs[0].grad.numpy().copy(), loss.grad_fn.name()
    return run


LOSSES = {
    "mse": (lambda t, r: t.nn.MSELoss(reduction=r), [PRED, TARGET]),
    "l1": (lambda t, r: t.nn.L1Loss(reduction=r), [PRED, TARGET]),
    "bce": (lambda t, r: t.nn.BCELoss(reduction=r), [PROBS, LABELS01]),
    "bce_weight": (lambda t, r: t.nn.BCELoss(weight=t.tensor([1.0, 2.0, 0.5]), reduction=r), [PROBS, LABELS01]),
    "bce_logits": (lambda t, r: t.nn.BCEWithLogitsLoss(reduction=r), [PRED * 4, LABELS01]),
    "bce_logits_posw": (lambda t, r: t.nn.BCEWithLogitsLoss(reduction=r, pos_weight=t.tensor([1.0, 3.0, 0.5])),
                        [PRED, LABELS01]),
    "cross_entropy": (lambda t, r: t.nn.CrossEntropyLoss(reduction=r), [PRED, CLASSES]),
    "cross_entropy_weight": (lambda t, r: t.nn.CrossEntropyLoss(weight=t.tensor([1.0, 2.0, 0.5]), reduction=r),
                             [PRED, CLASSES]),
    "cross_entropy_ignore": (lambda t, r: t.nn.CrossEntropyLoss(ignore_index=2, reduction=r), [PRED, CLASSES]),
    "cross_entropy_1d": (lambda t, r: t.nn.CrossEntropyLoss(reduction=r), [PRED[0], np.array(1)]),
    "nll": (lambda t, r: t.nn.NLLLoss(reduction=r), [PRED, CLASSES]),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_losses_match_torch(name, reduction):
    make, inputs = LOSSES[name]
    run = _loss_case(lambda t: make(t, reduction), inputs)
    got, want = run(ft), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-5, atol=1e-6)
    assert got[2] == want[2]


@pytest.mark.parametrize("fn", ["relu", "sigmoid", "tanh", "softplus", "leaky_relu", "gelu", "gelu_tanh",
                                "softmax", "log_softmax"])
def test_functional_activations(fn):
    def run(t):
        x = t.tensor(PRED, requires_grad=True)
        F = t.nn.functional
        y = F.gelu(x, approximate="tanh") if fn == "gelu_tanh" else \
            getattr(F, fn)(x, dim=1) if "softmax" in fn else getattr(F, fn)(x)
        (y * t.tensor(TARGET)).sum().backward()
        return y.detach().numpy(), x.grad.numpy(), y.grad_fn.name()
    got, want = run(ft), run(torch)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-5)
    assert got[2] == want[2]


def _model(t):
    return t.nn.Sequential(t.nn.Linear(3, 8), t.nn.Tanh(), t.nn.Linear(8, 4), t.nn.ReLU(), t.nn.Linear(4, 1),
                           t.nn.Sigmoid())


def _copy_weights(src, dst):
    for (_, p), (_, q) in zip(src.named_parameters(), dst.named_parameters()):
        with torch.no_grad():
            q.copy_(torch.tensor(p.detach().numpy()))


@pytest.mark.parametrize("opt", ["sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_wd", "adamw"])
def test_training_loop_matches_torch(opt):
    X = RNG.standard_normal((16, 3)).astype(np.float32)
    y = (X[:, :1] > 0).astype(np.float32)
    fmodel, tmodel = _model(ft), _model(torch)
    _copy_weights(fmodel, tmodel)
    make = {
        "sgd": lambda t, p: t.optim.SGD(p, lr=0.1),
        "sgd_momentum": lambda t, p: t.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-2, dampening=0.1),
        "sgd_nesterov": lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
        "adam": lambda t, p: t.optim.Adam(p, lr=0.01),
        "adam_wd": lambda t, p: t.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
        "adamw": lambda t, p: t.optim.AdamW(p, lr=0.01),
    }[opt]
    losses = []
    for t, model in ((ft, fmodel), (torch, tmodel)):
        optimizer = make(t, model.parameters())
        loss_fn = t.nn.BCELoss()
        run = []
        for _ in range(8):
            optimizer.zero_grad()
            loss = loss_fn(model(t.tensor(X)), t.tensor(y))
            loss.backward()
            optimizer.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5, atol=1e-6)
    for p, q in zip(fmodel.parameters(), tmodel.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-6)


def test_module_reprs_and_structure():
    def run(t):
        class Net(t.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = t.nn.Linear(2, 2)
                self.act = t.nn.ReLU()
                self.head = t.nn.Sequential(t.nn.Linear(2, 1, bias=False), t.nn.Sigmoid())

            def forward(self, x):
                return self.head(self.act(self.fc(x)))
        net = Net()
        sd = net.state_dict()
        return (repr(net), [n for n, _ in net.named_parameters()], list(sd.keys()),
                repr(net.load_state_dict(sd)), len(list(net.children())), [type(m).__name__ for m in net.modules()],
                repr(t.nn.MSELoss()), repr(t.nn.CrossEntropyLoss()), repr(t.nn.Softmax(dim=1)),
                repr(t.nn.Dropout(0.1)), repr(t.nn.Flatten()), repr(t.nn.LeakyReLU()), net.training,
                net.eval().training, net.head[0].training, repr(t.optim.SGD(net.parameters(), lr=0.1)),
                repr(t.optim.Adam(net.parameters())), type(net.fc.weight).__name__, net.fc.weight.shape,
                net(t.ones(3, 2)).grad_fn.name())
    got, want = run(ft), run(torch)
    assert got == want


def test_linear_default_init_distribution():
    layer = ft.nn.Linear(100, 50)
    bound = 1 / np.sqrt(100)
    w = layer.weight.detach().numpy()
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.01
    ft.manual_seed(3)
    a = ft.nn.Linear(4, 2).weight.detach().numpy()
    ft.manual_seed(3)
    assert np.array_equal(a, ft.nn.Linear(4, 2).weight.detach().numpy())


def test_parameter_repr_and_zero_grad():
    def run(t):
        lin = t.nn.Linear(2, 1)
        with t.no_grad():
            lin.weight.copy_(t.tensor([[0.5, -1.0]]))
            lin.bias.fill_(0.25)
        lin(t.ones(1, 2)).sum().backward()
        before = lin.weight.grad.tolist()
        lin.zero_grad()
        return repr(lin.weight), repr(lin.bias), before, lin.weight.grad
    assert run(ft) == run(torch)
