"""A two-layer network on the 8x8 handwritten digits in examples/data/, trained with value_and_grad.

Run:  python examples/mlp_classifier.py
The parameters are a dict pytree {"W1", "b1", "W2", "b2"}; the gradient comes back as the same
dict. Minibatch SGD with momentum; the step is compiled once with fgrad.jit. Saves
examples/out/mlp_classifier.png.
"""

import numpy as np
from _data import load_table
from _plot import save_curve

import fgrad
import fgrad.numpy as fnp


def load(seed=0):
    """Pixels scaled to [0, 1], integer labels 0-9, split 80/20."""
    x, y = load_table("digits")
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order] / 16.0, y[order]
    cut = int(0.8 * len(y))
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def init(sizes=(64, 64, 10), seed=0):
    """Weights scaled by 1/sqrt(fan-in), biases zero."""
    rng = np.random.default_rng(seed)
    (n_in, n_hidden, n_out) = sizes
    return {"W1": rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in), "b1": np.zeros(n_hidden),
            "W2": rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden), "b2": np.zeros(n_out)}


def logits(params, x):
    hidden = fnp.tanh(x @ params["W1"] + params["b1"])
    return hidden @ params["W2"] + params["b2"]


def cross_entropy(params, x, onehot):
    """Mean softmax cross-entropy; labels as one-hot rows."""
    return -fnp.mean(fnp.sum(onehot * fgrad.nn.log_softmax(logits(params, x)), axis=-1))


def accuracy(params, x, y):
    return float(np.mean(np.argmax(logits(params, x), axis=-1) == y))


def train(x, y, epochs=30, batch=64, lr=0.1, momentum=0.9, seed=0):
    """Minibatch SGD with momentum; returns parameters and the per-epoch training loss."""
    params = init()
    velocity = fgrad.tree_map(np.zeros_like, params)
    step = fgrad.jit(fgrad.value_and_grad(cross_entropy))
    onehot = np.eye(10)[y]
    rng, history = np.random.default_rng(seed), []
    for epoch in range(epochs):
        order, losses = rng.permutation(len(y)), []
        for start in range(0, len(y) - batch + 1, batch):      # full batches: one compiled shape
            idx = order[start:start + batch]
            loss, grads = step(params, x[idx], onehot[idx])
            velocity = fgrad.tree_map(lambda v, g: momentum * v - lr * g, velocity, grads)
            params = fgrad.tree_map(lambda p, v: p + v, params, velocity)
            losses.append(float(loss))
        history.append(float(np.mean(losses)))
        if epoch % 5 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d}  loss {history[-1]:.4f}  train accuracy {accuracy(params, x, y):.3f}")
    print("compiled programs:", step.cache_info()["misses"])
    return params, history


def main():
    (x_train, y_train), (x_test, y_test) = load()
    params, history = train(x_train, y_train)
    print(f"final loss {history[-1]:.4f}")
    print(f"test accuracy {accuracy(params, x_test, y_test):.3f}")
    save_curve(history, "mlp_classifier")


if __name__ == "__main__":
    main()
