"""Fit a line y = w x + b by gradient descent, with fgrad.grad.

Run:  python examples/linear_regression.py
Prints the loss as it falls and saves examples/out/linear_regression.png (the loss curve) and
examples/out/linear_regression_fit.png (the data and the fitted line).
"""

import numpy as np
from _plot import save_curve, save_fit

import fgrad
import fgrad.numpy as fnp


def mse(w, b, x, y):
    """Mean squared error of the line w * x + b on the data (x, y)."""
    return fnp.mean((w * x + b - y) ** 2)


def make_data(n=100, seed=0):
    """Points around the line y = 3x - 1 with a little noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n)
    return x, 3.0 * x - 1.0 + 0.1 * rng.standard_normal(n)


def train(x, y, steps=200, lr=0.1):
    """Gradient descent on (w, b); returns the fitted values and the loss history."""
    loss_and_grads = fgrad.value_and_grad(mse, argnums=(0, 1))
    w, b, history = 0.0, 0.0, []
    for step in range(steps):
        loss, (dw, db) = loss_and_grads(w, b, x, y)
        w, b = w - lr * dw, b - lr * db
        history.append(float(loss))
        if step % 40 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss:.5f}  w {w:.3f}  b {b:.3f}")
    return w, b, history


def main():
    x, y = make_data()
    w, b, history = train(x, y)
    print(f"fitted y = {w:.3f} x + {b:.3f} (true: y = 3 x - 1)")
    print(f"final loss {history[-1]:.5f}")
    save_curve(history, "linear_regression")
    save_fit(x, y, lambda t: w * t + b, "linear_regression_fit")


if __name__ == "__main__":
    main()
