"""Compile cost of a long `fgrad.lax.scan`: the gradient of a 10-step and of a 10,000-step scan.

A scan is one equation holding its body's sub-program, and both backends emit a loop around the
body's code, so tracing, differentiating and compiling cost the same whatever the length; only
running the loop grows with it. This prints, per backend, the CPU time (process time, minimum of
the repeats) of compiling `jit(grad(f))` for each length: for numpy, `lower()` (trace, transform,
generate and exec the source); for xla, the first call less a second call (jax.jit compiles on the
first). The program's equation count is printed beside it.

    python benchmarks/scan_compile.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import fgrad
import fgrad.lax as flax
import fgrad.numpy as fnp

W, X = np.array([0.3, -0.8, 0.5]), np.array([0.6, -0.2, 0.9])


def long_scan(n: int):
    """sum(c_n) + 1e-3 * sum_t sum(c_t), with c_t = tanh(c_{t-1} * w + 0.1), as an n-step scan."""
    def f(w, x0):
        def step(c, _):
            c = fnp.tanh(c * w + 0.1)
            return c, fnp.sum(c)
        c, ys = flax.scan(step, x0, None, length=n)
        return fnp.sum(c) + fnp.sum(ys) * 1e-3
    return f


def compile_cpu_seconds(n: int, backend: str) -> float:
    """CPU seconds to compile the gradient of an n-step scan with `backend`."""
    g = fgrad.jit(fgrad.grad(long_scan(n)), backend=backend)
    start = time.process_time()
    if backend == "numpy":
        g.lower(W, X)
        return time.process_time() - start
    g(W, X)
    first = time.process_time() - start
    start = time.process_time()
    g(W, X)
    return first - (time.process_time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"{'backend':8} {'steps':>6} {'compile CPU ms':>15} {'equations':>9}")
    for backend in ("numpy", "xla"):
        compile_cpu_seconds(10, backend)                      # imports and jax's first compile
        for n in (10, 10_000):
            best = min(compile_cpu_seconds(n, backend) for _ in range(args.repeats))
            eqns = len(fgrad.make_ir(fgrad.grad(long_scan(n)))(W, X).eqns)
            print(f"{backend:8} {n:6} {best * 1e3:15.1f} {eqns:9}")


if __name__ == "__main__":
    main()
