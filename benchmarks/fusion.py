"""Fused elementwise code on the NumPy backend: numexpr's one pass against NumPy's passes.

Two tables. The first times the gradient of an arithmetic-only function (a rational polynomial,
float64, the dtype that fuses) at growing sizes with fusion on and off, to find the size from
which fusing pays (`fgrad.backends.fusion.FUSE_MIN`). The second times a few elementwise gradients at 1,000,000
elements: fgrad with fusion, fgrad without it (numexpr hidden), and hand-written NumPy.

Times are the fastest of several interleaved repeats (the machine is shared: the minimum is the
steady number), per call, after one warm-up call.

    python benchmarks/fusion.py [--repeats N] [--max-size N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.backends import fusion, numpy_codegen


def bench_loss(x):
    return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))


def bench_manual(x):
    """The peer benchmark's hand-written gradient of `bench_loss` (12 passes, buffers reused)."""
    t = np.tanh(x)
    x2 = np.multiply(x, x)
    e = np.negative(x2)
    np.exp(e, out=e)
    a = np.multiply(x, 2.0)
    np.add(x2, 1.0, out=x2)
    q = np.divide(a, x2, out=x2)
    np.add(a, t, out=a)
    np.multiply(a, t, out=a)
    np.subtract(1.0, a, out=a)
    np.multiply(a, e, out=a)
    np.add(a, q, out=a)
    return a


def poly_loss(x):
    return fnp.sum((x * x - 3.0 * x + 1.5) * (x - 0.25) / (x * x + 1.0))


def broadcast_loss(params, data):
    w, b = params
    z = data * w + b                  # (n, 64) from (64,) parameters
    return fnp.sum(fnp.where(z > 0, z * z, 0.1 * z) - 0.5 * z)


def _program(fn, args, fused: bool):
    """fn's gradient compiled by the NumPy backend, with fusion on or off."""
    ir = fgrad.make_ir(fgrad.grad(fn))(*args)
    saved = fusion.FUSE_MIN
    fusion.FUSE_MIN = 0 if fused else 1 << 62
    try:
        return numpy_codegen.compile_ir(ir)
    finally:
        fusion.FUSE_MIN = saved


def fastest(calls: dict, repeats: int) -> dict:
    """The fastest per-call time of each callable, repeats interleaved so load hits all alike."""
    best = dict.fromkeys(calls, float("inf"))
    for f in calls.values():
        f()
    for _ in range(repeats):
        for name, f in calls.items():
            start = time.perf_counter()
            f()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def threshold_table(repeats: int, max_size: int) -> str:
    rows = ["| elements | NumPy passes | one numexpr pass | fused / unfused |", "|---:|---:|---:|---:|"]
    size = 1 << 14
    while size <= max_size:
        x = np.random.default_rng(1).standard_normal(size)
        plain, fused = _program(poly_loss, (x,), False), _program(poly_loss, (x,), True)
        best = fastest({"plain": lambda p=plain, x=x: p(x), "fused": lambda f=fused, x=x: f(x)}, repeats)
        rows.append(f"| {size:,} | {best['plain'] * 1e6:.0f} µs | {best['fused'] * 1e6:.0f} µs | "
                    f"{best['fused'] / best['plain']:.2f} |")
        size *= 2
    return "\n".join(rows)


def workload_table(repeats: int) -> str:
    n = 1_000_000
    rng = np.random.default_rng(2)
    x = rng.standard_normal(n)
    x32 = x.astype(np.float32)
    data = rng.standard_normal((n // 64, 64))
    params = (rng.standard_normal(64), rng.standard_normal(64))
    cases = {
        "elementwise (peer workload), float64": (bench_loss, (x,), lambda: bench_manual(x)),
        "elementwise, float32 (never fused)": (bench_loss, (x32,), lambda: bench_manual(x32)),
        "rational polynomial, float64": (poly_loss, (x,), None),
        "broadcast leaky square, (15625, 64)": (broadcast_loss, (params, data), None),
    }
    rows = ["| gradient | hand-written NumPy | fgrad, no numexpr | fgrad fused | fused / hand-written |",
            "|---|---:|---:|---:|---:|"]
    for label, (fn, args, manual) in cases.items():
        plain, fused = _program(fn, args, False), _program(fn, args, True)
        flat = fgrad.tree_flatten(args)[0]
        calls = {"plain": lambda p=plain, a=flat: p(*a), "fused": lambda f=fused, a=flat: f(*a)}
        if manual is not None:
            calls["manual"] = manual
        best = fastest(calls, repeats)
        hand = f"{best['manual'] * 1e3:.2f} ms" if manual else "–"
        ratio = f"{best['fused'] / best['manual']:.2f}×" if manual else "–"
        rows.append(f"| {label} | {hand} | {best['plain'] * 1e3:.2f} ms | {best['fused'] * 1e3:.2f} ms | {ratio} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=30, help="interleaved repeats per cell")
    ap.add_argument("--max-size", type=int, default=1 << 22, help="largest size of the threshold table")
    ap.add_argument("--only", choices=("threshold", "workloads"), help="print one of the two tables")
    args = ap.parse_args()
    if fusion.numexpr() is None:
        raise SystemExit("numexpr is not installed: pip install 'fgrad[fast]'")
    print(f"numexpr {fusion.numexpr().__version__}, {fusion.numexpr().get_num_threads()} threads\n")
    if args.only != "workloads":
        print(threshold_table(args.repeats, args.max_size), "\n")
    if args.only != "threshold":
        print(workload_table(args.repeats))


if __name__ == "__main__":
    main()
