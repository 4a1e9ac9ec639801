"""Tutorial-style programs run with fgrad.torch print exactly what they print with PyTorch."""

from __future__ import annotations

import contextlib
import io

import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402

LINEAR_REGRESSION = """
X = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
Y = torch.tensor([[2.0], [4.0], [6.0], [8.0]])
w = torch.tensor([[0.0]], requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.01
for epoch in range(20):
    pred = X @ w + b
    loss = ((pred - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()
    b.grad.zero_()
    if epoch % 5 == 0:
        print(f"epoch {epoch}: loss = {loss.item():.4f}, w = {w.item():.4f}")
print(w, b)
print(pred)
print(loss)
"""

MODULE_TRAINING = """
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(2, 3)
        self.out = torch.nn.Linear(3, 1)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))

net = Net()
with torch.no_grad():
    net.hidden.weight.copy_(torch.tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]))
    net.hidden.bias.fill_(0.1)
    net.out.weight.copy_(torch.tensor([[0.2, -0.1, 0.3]]))
    net.out.bias.zero_()
print(net)
x = torch.tensor([[0.5, 1.0], [1.5, -0.5], [-1.0, 2.0], [0.0, 0.3]])
y = torch.tensor([[1.0], [0.0], [1.0], [0.5]])
criterion = torch.nn.MSELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
for step in range(6):
    optimizer.zero_grad()
    loss = criterion(net(x), y)
    loss.backward()
    optimizer.step()
    print(step, round(loss.item(), 5))
print(net.out.weight.grad)
print(net.hidden.bias)
for name, p in net.named_parameters():
    print(name, p.shape, p.requires_grad)
print(loss.grad_fn.name(), loss.grad_fn.next_functions[0][0].name())
"""

LOGISTIC = """
torch.manual_seed(0)
X = torch.tensor([[0.5, 1.5], [1.0, 1.0], [1.5, 0.5], [3.0, 0.5], [2.0, 2.0], [1.0, 2.5]])
y = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
# (not a symmetric start: there the exact gradient of b is 0 and Adam would amplify rounding noise)
w = torch.tensor([0.2, -0.1], requires_grad=True)
b = torch.full((1,), 0.05, requires_grad=True)
opt = torch.optim.Adam([w, b], lr=0.1)
loss_fn = torch.nn.BCEWithLogitsLoss()
for i in range(30):
    opt.zero_grad()
    logits = X @ w + b
    loss = loss_fn(logits, y)
    loss.backward()
    opt.step()
    if i % 10 == 9:
        print(i, f"{loss.item():.5f}")
probs = torch.sigmoid(X @ w + b)
print(probs.detach())
print((probs > 0.5).float())
print(torch.nn.BCELoss()(probs, y))
print(opt)
"""

HIGHER_ORDER = """
x = torch.tensor(1.0, requires_grad=True)
y = x ** 3 + 2 * torch.sin(x)
dy, = torch.autograd.grad(y, x, create_graph=True)
d2y, = torch.autograd.grad(dy, x)
print(f"dy/dx = {dy.item():.4f}, d2y/dx2 = {d2y.item():.4f}")
print(dy.requires_grad, d2y.requires_grad)
v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
out = v * 2
out.backward(torch.tensor([0.1, 1.0, 0.0001]))
print(v.grad)
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = a * a
b.retain_grad()
c = b.sum()
c.backward()
print(a.grad, b.grad, c.grad_fn.name(), b.is_leaf)
with torch.no_grad():
    d = a * 2
print(d, d.requires_grad)
print(a.detach(), a.data, a.grad.zero_())
"""

CLASSIFIER = """
model = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (i + 1) / 4)
X = torch.tensor([[0.1, 0.2, 0.3, 0.4], [1.0, -1.0, 0.5, 0.0], [0.3, 0.3, -0.2, 0.9]])
target = torch.tensor([2, 0, 1])
loss_fn = torch.nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.5, weight_decay=1e-3)
for epoch in range(5):
    logits = model(X)
    loss = loss_fn(logits, target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(epoch, f"{loss.item():.5f}", logits.argmax(dim=1).tolist())
print(model)
print(torch.softmax(model(X), dim=1))
print(model[0].weight.grad.shape, model[2].bias.grad)
print(loss)
"""

SHAPES_AND_INDEXING = """
x = torch.arange(12.0).reshape(3, 4).requires_grad_()
print(x)
y = x[1:, ::2] * x[0, :2]
print(y)
z = y.t().sum(dim=0, keepdim=True)
print(z.shape, z)
z.sum().backward()
print(x.grad)
m = torch.stack([x.detach()[0], x.detach()[2]]).mean(1)
print(m, m.dtype, m.size())
e = torch.cat([torch.ones(2), torch.zeros(2)]).view(2, 2)
print(e, e.T, e.flatten(), e.unsqueeze(0).shape)
print(torch.max(x.detach(), 1), torch.tensor([1, 2, 3]) * 2, torch.tensor([1, 2]) / 2)
"""

PROGRAMS = {"linear_regression": LINEAR_REGRESSION, "module_training": MODULE_TRAINING, "logistic": LOGISTIC,
            "higher_order": HIGHER_ORDER, "classifier": CLASSIFIER, "shapes_and_indexing": SHAPES_AND_INDEXING}


def _output(program: str, lib) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(program, {"torch": lib})  # noqa: S102 - our own test programs
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program_prints_what_torch_prints(name):
    torch.set_printoptions(profile="default")
    ft.set_printoptions(profile="default")
    assert _output(PROGRAMS[name], ft) == _output(PROGRAMS[name], torch)
