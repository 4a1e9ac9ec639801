"""The digits MLP of mlp_classifier.py, written the PyTorch way and run with fgrad.torch.

Run:  python examples/mlp_torch_shim.py
Only the import differs from a PyTorch script: nn.Sequential, nn.Linear, nn.Tanh,
nn.CrossEntropyLoss, optim.Adam, zero_grad / backward / step. The backward pass is compiled once
(the graph is the same every step) and reused. Saves examples/out/mlp_torch_shim.png.
"""

import numpy as np
from _data import load_table
from _plot import save_curve

import fgrad.torch as torch
from fgrad.torch import nn


def load(seed=0):
    """Pixels scaled to [0, 1] as float32 arrays, integer labels, split 80/20."""
    x, y = load_table("digits")
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = (x[order] / 16.0).astype(np.float32), y[order]
    cut = int(0.8 * len(y))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def accuracy(model, x, y):
    """Fraction of rows whose largest logit is the label (no graph is recorded)."""
    with torch.no_grad():
        return (model(torch.tensor(x)).argmax(dim=1) == torch.tensor(y)).float().mean().item()


def train(model, x, y, epochs=30, batch=64, lr=1e-2, seed=0):
    """Minibatch Adam; returns the per-epoch mean training loss."""
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng, history, n = np.random.default_rng(seed), [], len(y)
    for epoch in range(epochs):
        order, losses = rng.permutation(n), []
        for start in range(0, n - batch + 1, batch):
            idx = order[start:start + batch]
            xb, yb = torch.tensor(x[idx]), torch.tensor(y[idx])
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        history.append(float(np.mean(losses)))
        if epoch % 5 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d}  loss {history[-1]:.4f}  train accuracy {accuracy(model, x, y):.3f}")
    return history


def main():
    torch.manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load()
    model = nn.Sequential(nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10))
    print(model)
    history = train(model, x_train, y_train)
    print(f"final loss {history[-1]:.4f}")
    print(f"test accuracy {accuracy(model, x_test, y_test):.3f}")
    save_curve(history, "mlp_torch_shim")


if __name__ == "__main__":
    main()
