"""The five workloads of the peer benchmark (`benchmarks/peers.py`): the math, the data, and the
gradient written out by hand in NumPy.

Each workload is written once against a NumPy-like module `xp` (NumPy's names: `fgrad.numpy`,
`jax.numpy`, `autograd.numpy`) and once against a torch-like module (`torch`, `fgrad.torch`), so
every peer runs the same formula. `manual` is the gradient derived by hand: forward and backward
in plain NumPy, reusing buffers where the formula allows, which is the speed a NumPy code
generator can at best reach; every peer's gradient is checked against it, and it is itself
checked against central finite differences (`directional_check`).

`sizes="tiny"` shrinks every array so a test runs all of them in well under a second.

Example:
    >>> wl = make_workloads("tiny")["logreg"]
    >>> params, data = wl.make()
    >>> [g.shape for g in wl.manual(params, data)]
    [(10,), ()]
    >>> directional_check(wl, params, data) < 1e-6
    True
"""

from __future__ import annotations

import math

import numpy as np

TINY_SIZES = {"elementwise": 1_000, "logreg": (200, 10), "mlp": (16, (20, 12, 12, 5)), "chain": 20}
FULL_SIZES = {"elementwise": 1_000_000, "logreg": (20_000, 500), "mlp": (256, (784, 512, 512, 10)),
              "chain": 2_000}


class Scalar:
    """sin(x²)·exp(-x) at the Python float 0.7: nothing but per-call overhead."""

    name, dtype, rtol = "scalar", "float64", 1e-6

    description = "f(x) = sin(x²)·exp(-x) at the Python float x = 0.7"

    def make(self):
        return 0.7, ()

    def loss(self, xp, x, data):
        return xp.sin(x ** 2) * xp.exp(-x)

    def loss_torch(self, torch, x, data):
        return torch.sin(x ** 2) * torch.exp(-x)

    def manual(self, x, data):
        square = x * x
        return np.exp(-x) * (2.0 * x * np.cos(square) - np.sin(square))


class Elementwise:
    """A chain of elementwise functions over a long float64 vector: memory traffic."""

    name, dtype, rtol = "elementwise", "float64", 1e-6

    def __init__(self, n):
        self.n = n
        self.description = f"sum(tanh(x)·exp(-x²) + log1p(x²)), x: ({n:,},) float64"

    def make(self):
        return np.random.default_rng(1).standard_normal(self.n), ()

    def loss(self, xp, x, data):
        return xp.sum(xp.tanh(x) * xp.exp(-x ** 2) + xp.log1p(x ** 2))

    def loss_torch(self, torch, x, data):
        return torch.sum(torch.tanh(x) * torch.exp(-x ** 2) + torch.log1p(x ** 2))

    def manual(self, x, data):
        # d/dx = exp(-x²)·(1 - t·(t + 2x)) + 2x/(1 + x²), t = tanh(x); three buffers in all
        t = np.tanh(x)
        square = x * x
        gauss = np.exp(-square)
        out = 2.0 * x
        np.add(square, 1.0, out=square)
        np.divide(out, square, out=square)
        np.add(out, t, out=out)
        np.multiply(out, t, out=out)
        np.subtract(1.0, out, out=out)
        np.multiply(out, gauss, out=out)
        np.add(out, square, out=out)
        return out


class LogReg:
    """Mean logistic loss of a linear model on a tall matrix: matrix-vector products (BLAS)."""

    name, dtype, rtol = "logreg", "float64", 1e-6

    def __init__(self, shape):
        self.rows, self.cols = shape
        self.description = (f"mean(softplus(z) - y·z), z = X @ w + b, X: ({self.rows:,}, {self.cols}) "
                            "float64, softplus(z) = max(z, 0) + log1p(exp(z - 2·max(z, 0))); grad wrt (w, b)")

    def make(self):
        rng = np.random.default_rng(2)
        X = rng.standard_normal((self.rows, self.cols))
        w_true = 2.0 * rng.standard_normal(self.cols) / math.sqrt(self.cols)
        y = (rng.random(self.rows) < 1.0 / (1.0 + np.exp(-(X @ w_true)))).astype(np.float64)
        return (0.1 * rng.standard_normal(self.cols), np.asarray(0.1)), (X, y)

    def loss(self, xp, params, data):
        (w, b), (X, y) = params, data
        z = xp.matmul(X, w) + b
        top = xp.maximum(z, 0.0)
        return xp.mean(top + xp.log1p(xp.exp(z - 2.0 * top)) - z * y)

    def loss_torch(self, torch, params, data):
        (w, b), (X, y) = params, data
        z = torch.matmul(X, w) + b
        top = torch.clamp_min(z, 0.0)
        return torch.mean(top + torch.log1p(torch.exp(z - 2.0 * top)) - z * y)

    def manual(self, params, data):
        # dL/dz = (sigmoid(z) - y) / n, with sigmoid(z) = (1 + tanh(z/2)) / 2: one stable ufunc
        (w, b), (X, y) = params, data
        z = X @ w
        z += b
        z *= 0.5
        np.tanh(z, out=z)
        z += 1.0
        z *= 0.5
        z -= y
        z /= self.rows
        return z @ X, np.asarray(z.sum())


class MLP:
    """A tanh MLP with a softmax cross-entropy, float32, parameters in a dict: matrix products."""

    name, dtype, rtol = "mlp", "float32", 1e-4

    def __init__(self, shape):
        self.batch, self.widths = shape
        layers = "-".join(map(str, self.widths))
        self.description = (f"{layers} MLP, tanh, batch {self.batch}, float32, softmax cross-entropy "
                            "against one-hot labels; grad wrt {W1, b1, W2, b2, W3, b3}")

    def make(self):
        rng = np.random.default_rng(3)
        X = rng.standard_normal((self.batch, self.widths[0])).astype(np.float32)
        onehot = np.eye(self.widths[-1], dtype=np.float32)[rng.integers(0, self.widths[-1], self.batch)]
        params = {}
        for i, (fan_in, fan_out) in enumerate(zip(self.widths[:-1], self.widths[1:]), start=1):
            params[f"W{i}"] = (rng.standard_normal((fan_in, fan_out)) / math.sqrt(fan_in)).astype(np.float32)
            params[f"b{i}"] = (0.01 * rng.standard_normal(fan_out)).astype(np.float32)
        return params, (X, onehot)

    def loss(self, xp, params, data):
        X, onehot = data
        h = xp.tanh(xp.matmul(X, params["W1"]) + params["b1"])
        h = xp.tanh(xp.matmul(h, params["W2"]) + params["b2"])
        logits = xp.matmul(h, params["W3"]) + params["b3"]
        shifted = logits - xp.max(logits, axis=1, keepdims=True)
        logp = shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))
        return -xp.mean(xp.sum(logp * onehot, axis=1))

    def loss_torch(self, torch, params, data):
        X, onehot = data
        h = torch.tanh(torch.matmul(X, params["W1"]) + params["b1"])
        h = torch.tanh(torch.matmul(h, params["W2"]) + params["b2"])
        logits = torch.matmul(h, params["W3"]) + params["b3"]
        shifted = logits - torch.amax(logits, dim=1, keepdim=True)
        logp = shifted - torch.log(torch.sum(torch.exp(shifted), dim=1, keepdim=True))
        return -torch.mean(torch.sum(logp * onehot, dim=1))

    def manual(self, params, data):
        X, onehot = data
        h1 = np.tanh(X @ params["W1"] + params["b1"])
        h2 = np.tanh(h1 @ params["W2"] + params["b2"])
        delta = h2 @ params["W3"] + params["b3"]
        delta -= delta.max(axis=1, keepdims=True)
        np.exp(delta, out=delta)
        delta /= delta.sum(axis=1, keepdims=True)
        delta -= onehot
        delta /= np.float32(self.batch)  # now dL/dlogits = (softmax - onehot) / batch
        grads = {"W3": h2.T @ delta, "b3": delta.sum(axis=0)}
        delta = (delta @ params["W3"].T) * (1.0 - h2 * h2)
        grads.update(W2=h1.T @ delta, b2=delta.sum(axis=0))
        delta = (delta @ params["W2"].T) * (1.0 - h1 * h1)
        grads.update(W1=X.T @ delta, b1=delta.sum(axis=0))
        return grads


class Chain:
    """Thousands of cheap sequential steps on 64 floats: cost per operation, and trace/compile time."""

    name, dtype, rtol = "chain", "float64", 1e-6

    def __init__(self, steps):
        self.steps = steps
        self.description = (f"{steps:,} sequential steps on x: (64,) float64, cycling x = 0.9·sin(x) + 0.1·x, "
                            "x = 0.8·tanh(x) + 0.2·x, x = x·exp(-0.05·x²), x = x - 0.05·x·log1p(x²); then sum")

    def make(self):
        return np.random.default_rng(4).uniform(-2.0, 2.0, 64), ()

    def _steps(self, xp, x):
        for i in range(self.steps):
            kind = i % 4
            if kind == 0:
                x = xp.sin(x) * 0.9 + 0.1 * x
            elif kind == 1:
                x = xp.tanh(x) * 0.8 + 0.2 * x
            elif kind == 2:
                x = x * xp.exp(-0.05 * (x * x))
            else:
                x = x - 0.05 * x * xp.log1p(x * x)
        return x

    def loss(self, xp, x, data):
        return xp.sum(self._steps(xp, x))

    def loss_torch(self, torch, x, data):
        return torch.sum(self._steps(torch, x))

    def manual(self, x, data):
        # Every step acts elementwise, so d sum / dx is the product of the steps' derivatives,
        # accumulated on the way forward: nothing is stored.
        grad = np.ones_like(x)
        for i in range(self.steps):
            kind = i % 4
            if kind == 0:
                grad *= 0.9 * np.cos(x) + 0.1
                x = 0.9 * np.sin(x) + 0.1 * x
            elif kind == 1:
                t = np.tanh(x)
                grad *= 0.8 * (1.0 - t * t) + 0.2
                x = 0.8 * t + 0.2 * x
            elif kind == 2:
                square = x * x
                gauss = np.exp(-0.05 * square)
                grad *= gauss * (1.0 - 0.1 * square)
                x = x * gauss
            else:
                square = x * x
                log_term = np.log1p(square)
                grad *= 1.0 - 0.05 * log_term - 0.1 * square / (1.0 + square)
                x = x - 0.05 * x * log_term
        return grad


def make_workloads(sizes: str = "full", chain_steps: int | None = None) -> dict:
    """The five workloads by name.

    Args:
        sizes: "full" (the published sizes) or "tiny" (for tests).
        chain_steps: overrides the chain's length.

    Returns:
        {name: workload}, in the order the reports show them.

    Raises:
        ValueError: for sizes other than "full" and "tiny".

    Example:
        >>> sorted(make_workloads("tiny"))
        ['chain', 'elementwise', 'logreg', 'mlp', 'scalar']
    """
    if sizes not in ("full", "tiny"):
        raise ValueError(f"sizes must be 'full' or 'tiny', not {sizes!r}")
    table = FULL_SIZES if sizes == "full" else TINY_SIZES
    return {"scalar": Scalar(), "elementwise": Elementwise(table["elementwise"]),
            "logreg": LogReg(table["logreg"]), "mlp": MLP(table["mlp"]),
            "chain": Chain(chain_steps or table["chain"])}


def leaves(tree) -> list:
    """The leaves of a float / array / tuple / dict tree, dict keys in sorted order."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree) for leaf in leaves(tree[key])]
    if isinstance(tree, (tuple, list)):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def tree_map(fn, tree):
    """`fn` applied to every leaf of `tree`, keeping its structure."""
    if isinstance(tree, dict):
        return {key: tree_map(fn, value) for key, value in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(tree_map(fn, item) for item in tree)
    return fn(tree)


def directional_check(wl, params, data, step: float = 1e-5) -> float:
    """Relative error of `wl.manual` along one random direction, against central differences.

    The loss is evaluated with NumPy in float64 (float32 workloads are promoted), so the check
    does not depend on any autodiff library.

    Returns:
        |fd - <manual gradient, direction>| / max(|fd|, 1e-12).
    """
    up = lambda leaf: leaf if isinstance(leaf, float) else np.asarray(leaf, dtype=np.float64)  # noqa: E731
    params64, data64 = tree_map(up, params), tree_map(up, data)
    rng = np.random.default_rng(7)
    direction = tree_map(lambda leaf: rng.standard_normal(np.shape(leaf)), params64)

    def moved(sign):
        flat = [p + sign * step * d for p, d in zip(leaves(params64), leaves(direction))]
        return rebuild(params64, flat)

    fd = (float(wl.loss(np, moved(1.0), data64)) - float(wl.loss(np, moved(-1.0), data64))) / (2 * step)
    grad = wl.manual(params64, data64)
    exact = sum(float(np.sum(np.asarray(g) * d)) for g, d in zip(leaves(grad), leaves(direction)))
    return abs(fd - exact) / max(abs(fd), 1e-12)


def rebuild(like, flat: list):
    """A tree shaped like `like` whose leaves are `flat` (in `leaves` order)."""
    it = iter(flat)
    if isinstance(like, dict):
        out = {}
        for key in sorted(like):
            out[key] = rebuild(like[key], [next(it) for _ in leaves(like[key])])
        return {key: out[key] for key in like}
    if isinstance(like, (tuple, list)):
        parts = []
        for item in like:
            parts.append(rebuild(item, [next(it) for _ in leaves(item)]))
        return type(like)(parts)
    return float(next(it)) if isinstance(like, float) else next(it)
