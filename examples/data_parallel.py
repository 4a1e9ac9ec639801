"""Data-parallel logistic regression: the batch is sharded over every device JAX sees.

fgrad differentiates the loss into IR; the xla backend hands that IR to jax.jit, which keeps the
inputs' shardings and lets XLA's SPMD partitioner split the work: each device computes the gradient
of its slice of the batch and an all-reduce sums them, so the gradient comes back replicated.

On a CPU-only machine, ask XLA for several host devices to see the sharding at work:

    XLA_FLAGS=--xla_force_host_platform_device_count=8 JAX_PLATFORMS=cpu \\
        python examples/data_parallel.py --steps 20
"""

from __future__ import annotations

import argparse

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

import fgrad
import fgrad.nn as fnn
import fgrad.numpy as fnp


def loss(params, X, y):
    """Mean binary cross-entropy of a logistic model, in a numerically stable form."""
    w, b = params
    z = X @ w + b
    return fnp.mean(fnn.softplus(z) - y * z)


def make_data(n: int, d: int, seed: int = 0):
    """A linearly separable-ish problem with float32 features and {0, 1} labels."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    true_w = rng.standard_normal(d).astype(np.float32)
    y = (X @ true_w + 0.3 * rng.standard_normal(n) > 0).astype(np.float32)
    return X, y


def shard(mesh: Mesh, X, y, params):
    """The batch split along its first axis over the mesh; the parameters replicated."""
    batch = NamedSharding(mesh, P("batch"))
    replicated = NamedSharding(mesh, P())
    return (jax.device_put(X, NamedSharding(mesh, P("batch", None))), jax.device_put(y, batch),
            jax.device_put(params, replicated))


def train(steps: int, lr: float = 0.5, n_per_device: int = 256, d: int = 16):
    """Run `steps` of gradient descent; returns the final parameters and the last gradients."""
    devices = jax.devices()
    mesh = Mesh(np.array(devices), ("batch",))
    print(f"{len(devices)} devices: {', '.join(str(d) for d in devices)}")
    X, y = make_data(n_per_device * len(devices), d)
    params = (np.zeros(d, np.float32), np.zeros((), np.float32))
    X, y, params = shard(mesh, X, y, params)
    print(f"X sharding: {X.sharding.spec}, on {len(X.sharding.device_set)} devices")
    value_and_grad = fgrad.jit(fgrad.value_and_grad(loss), backend="xla")
    for step in range(steps):
        value, grads = value_and_grad(params, X, y)
        params = jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads)
        print(f"step {step}: loss {float(value):.6f}")
    print(f"gradient of w: sharding {grads[0].sharding.spec}, "
          f"replicated={grads[0].sharding.is_fully_replicated}")
    return params, X, y


def check_against_one_device(params, X, y) -> float:
    """The largest difference between the sharded gradient and one computed on host NumPy arrays."""
    grad = fgrad.jit(fgrad.grad(loss), backend="xla")
    sharded = grad(params, X, y)
    single = grad(tuple(np.asarray(p) for p in params), np.asarray(X), np.asarray(y))
    return max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(sharded, single))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    params, X, y = train(args.steps)
    err = check_against_one_device(params, X, y)
    verdict = "matches" if err < 1e-6 else "DIFFERS FROM"
    print(f"sharded gradient {verdict} the single-device gradient (max abs difference {err:.2e})")


if __name__ == "__main__":
    main()
