"""vmap and the Jacobians, timed against hand-written NumPy, jax.jit and HIPS autograd (if installed).

Workloads: per-example gradients of logistic regression (batch 512 x 200 features, `vmap(grad)`),
`hessian` of a scalar function of 200 inputs, `jacrev` of a 200 -> 200 function. Prints one table
of median steady-state times, first-call (trace + compile) times, and ratios to the baseline.

    python benchmarks/transforms.py [--budget SECONDS] [--backend numpy|xla]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

BATCH, FEATURES, N = 512, 200, 200


def median_ms(call, budget: float) -> float:
    call()
    start = time.perf_counter()
    call()
    once = time.perf_counter() - start
    times = []
    for _ in range(max(5, min(2000, int(budget / max(once, 1e-6))))):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def first_call_ms(make, args) -> float:
    start = time.perf_counter()
    make()(*args)
    return (time.perf_counter() - start) * 1e3


def logistic_loss(m):
    return lambda w, x, y: m.log1p(m.exp(-y * m.dot(x, w)))


def numpy_per_example(w, xs, ys):
    """d/dw log(1 + exp(-y x.w)) for every row, by hand."""
    margins = -ys * (xs @ w)
    return (-ys * (1.0 / (1.0 + np.exp(-margins))))[:, None] * xs


def scalar_fun(m):
    return lambda x: m.sum(m.tanh(x) ** 2) * m.sum(m.cos(x) * x)


def vector_fun(m, mat):
    return lambda x: m.tanh(mat @ m.sin(x)) * x


def block(x):
    import jax
    return jax.block_until_ready(x)


def workloads():
    """name -> (inputs, {peer: factory of a callable}); the first peer is the baseline."""
    import jax
    import jax.numpy as jnp

    import fgrad
    import fgrad.numpy as fnp
    rng = np.random.default_rng(0)
    w, xs, ys = rng.normal(size=FEATURES), rng.normal(size=(BATCH, FEATURES)), np.sign(rng.normal(size=BATCH))
    x, mat = rng.normal(size=N), rng.normal(size=(N, N)) / np.sqrt(N)
    per_example = {
        "numpy (by hand)": lambda: numpy_per_example,
        "fgrad vmap(grad)": lambda: fgrad.vmap(fgrad.grad(logistic_loss(fnp)), in_axes=(None, 0, 0)),
        "jax.jit(vmap(grad))": lambda: (lambda f: lambda *a: block(f(*a)))(
            jax.jit(jax.vmap(jax.grad(logistic_loss(jnp)), in_axes=(None, 0, 0)))),
    }
    try:
        import autograd
        import autograd.numpy as anp
        # the Jacobian of the per-example losses: one gradient row per example
        per_example["autograd"] = lambda: autograd.jacobian(logistic_loss(anp))
    except ImportError:
        print("HIPS autograd is not installed: its row is skipped")
    hess = {
        "jax.jit(hessian)": lambda: (lambda f: lambda *a: block(f(*a)))(jax.jit(jax.hessian(scalar_fun(jnp)))),
        "fgrad hessian": lambda: fgrad.hessian(scalar_fun(fnp)),
    }
    jac = {
        "jax.jit(jacrev)": lambda: (lambda f: lambda *a: block(f(*a)))(jax.jit(jax.jacrev(vector_fun(jnp, mat)))),
        "fgrad jacrev": lambda: fgrad.jacrev(vector_fun(fnp, mat)),
    }
    return {f"per-example grads {BATCH}x{FEATURES}": ((w, xs, ys), per_example),
            f"hessian, {N} inputs": ((x,), hess), f"jacrev, {N} -> {N}": ((x,), jac)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=1.0, help="seconds of timing per cell")
    parser.add_argument("--backend", default="numpy", choices=("numpy", "xla"), help="fgrad's backend")
    args = parser.parse_args()
    import jax
    jax.config.update("jax_enable_x64", True)
    print("| workload | peer | first call (ms) | steady (ms) | ratio to the first peer |\n|---|---|---:|---:|---:|")
    import fgrad
    fgrad.config.update("backend", args.backend)     # the top-level transforms compile with it
    for name, (inputs, peers) in workloads().items():
        baseline = reference = None
        for peer, make in peers.items():
            first = first_call_ms(make, inputs)
            fn = make()
            out = np.asarray(fn(*inputs))
            reference = out if reference is None else reference
            assert np.allclose(out, reference, rtol=1e-8, atol=1e-10), f"{peer} disagrees on {name}"
            steady = median_ms(lambda fn=fn, inputs=inputs: fn(*inputs), args.budget)
            baseline = steady if baseline is None else baseline
            print(f"| {name} | {peer} | {first:.1f} | {steady:.3f} | {steady / baseline:.2f} |")


if __name__ == "__main__":
    main()
