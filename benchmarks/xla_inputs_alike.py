"""fgrad.jit(grad(f), backend="xla") against jax.jit(jax.grad(f)) with both given the same inputs.

The peer harness gives jax_jit arrays already on the device and fgrad_jit NumPy arrays, so its
ratio between the two measures the copy of the inputs as much as the compiled gradient. This
script times both peers on the harness's own workloads twice: once with device arrays for both,
once with NumPy arrays for both.

    python benchmarks/xla_inputs_alike.py ../shared/bench      # the folder holding peers.py
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def median_ms(call, repeats: int) -> float:
    import jax
    for _ in range(3):
        jax.block_until_ready(call())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(call())
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def time_pair(jax_grad, fgrad_grad, inputs: tuple, budget: float) -> tuple[float, float]:
    """Median milliseconds of each gradient on `inputs`, over about `budget` seconds each."""
    once = median_ms(lambda: jax_grad(*inputs), 3) / 1e3
    repeats = max(5, int(budget / max(once, 1e-6)))
    return median_ms(lambda: jax_grad(*inputs), repeats), median_ms(lambda: fgrad_grad(*inputs), repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harness", help="folder holding the peer harness, peers.py")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of timing per cell")
    args = parser.parse_args()
    sys.path.insert(0, args.harness)
    import jax
    import jax.numpy as jnp
    import peers

    import fgrad
    import fgrad.numpy as fnp
    jax.config.update("jax_enable_x64", True)          # as the harness does
    to_device = lambda a: a if isinstance(a, float) else jax.device_put(a)  # noqa: E731
    print("| workload | inputs | jax_jit | fgrad_jit | ratio |\n|---|---|---:|---:|---:|")
    for name, workload in peers.WORKLOADS.items():
        wl = workload()
        params, data = wl.make(np)
        on_device = peers.tree_map(to_device, params), peers.tree_map(to_device, data)
        jax_grad = jax.jit(jax.grad(lambda p, d, wl=wl: wl.loss(jnp, p, d)))
        fgrad_grad = fgrad.jit(fgrad.grad(lambda p, d, wl=wl: wl.loss(fnp, p, d)), backend="xla")
        for label, inputs in (("device", on_device), ("NumPy", (params, data))):
            t_jax, t_fgrad = time_pair(jax_grad, fgrad_grad, inputs, args.budget)
            print(f"| {name} | {label} | {t_jax:.4g} ms | {t_fgrad:.4g} ms | {t_fgrad / t_jax:.2f} |")


if __name__ == "__main__":
    main()
