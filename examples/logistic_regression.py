"""Logistic regression on the breast-cancer data in examples/data/ (569 tumours, 30 features).

Run:  python examples/logistic_regression.py
Trains with fgrad.value_and_grad and plain gradient descent, prints loss and accuracy, and saves
examples/out/logistic_regression.png.
"""

import numpy as np
from _data import load_table
from _plot import save_curve

import fgrad
import fgrad.numpy as fnp


def load(seed=0):
    """Standardised features and 0/1 labels, split 80/20 into train and test."""
    x, y = load_table("breast_cancer")
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order].astype(np.float64)
    cut = int(0.8 * len(y))
    mean, std = x[:cut].mean(0), x[:cut].std(0)
    x = (x - mean) / std                     # statistics from the training part only
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def loss(params, x, y):
    """Mean binary cross-entropy of sigmoid(x @ w + b), in the overflow-free softplus form."""
    z = x @ params["w"] + params["b"]
    return fnp.mean(fgrad.nn.softplus(z) - y * z)


def accuracy(params, x, y):
    return float(np.mean(((x @ params["w"] + params["b"]) > 0) == (y > 0.5)))


def train(x, y, steps=300, lr=0.5):
    """Full-batch gradient descent; returns the parameters and the loss history."""
    params = {"w": np.zeros(x.shape[1]), "b": 0.0}
    step = fgrad.value_and_grad(loss)
    history = []
    for i in range(steps):
        value, grads = step(params, x, y)
        params = fgrad.tree_map(lambda p, g: p - lr * g, params, grads)
        history.append(float(value))
        if i % 50 == 0 or i == steps - 1:
            print(f"step {i:3d}  loss {value:.4f}  train accuracy {accuracy(params, x, y):.3f}")
    return params, history


def main():
    (x_train, y_train), (x_test, y_test) = load()
    params, history = train(x_train, y_train)
    print(f"final loss {history[-1]:.4f}")
    print(f"test accuracy {accuracy(params, x_test, y_test):.3f}")
    save_curve(history, "logistic_regression")


if __name__ == "__main__":
    main()
