"""First-call cost of the gradient of long elementwise chains: time and peak memory against length.

The chain is the `chain` workload of the peer benchmark (x: (64,) float64, steps cycling
x=sin(x)*0.9+0.1*x | x=tanh(x)*0.8+0.2*x | x=x*exp(-0.05*(x*x)) | x=x-0.05*x*log1p(x*x), then a sum;
about two primitives per step). Each cell runs in a fresh interpreter, so "first call" includes
tracing, differentiating, simplifying and generating code, and the peak is that process's own.

Peers: `fgrad` (fgrad.grad, NumPy backend), `fgrad.torch` (the shim: forward then backward()),
`torch` (real PyTorch eager: forward then backward()).

Memory is the rise in peak resident set size (ru_maxrss) over the process after imports and input
creation, so it counts every allocation the call makes (Python objects, arrays, code) at no cost in
speed; tracemalloc would slow the call several times. CPU seconds (process time) are printed beside wall
seconds: on a shared machine they are the steadier number.

    python benchmarks/scaling.py [--max-steps N] [--peers fgrad,fgrad.torch,torch] [--timeout S]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

STEPS = (1_000, 10_000, 100_000)
PEERS = ("fgrad", "fgrad.torch", "torch")

CHILD = r"""
import json, resource, sys, time
sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
peer, steps = sys.argv[1], int(sys.argv[2])
import numpy as np

def chain(m, x):
    sin, tanh, exp, log1p = m.sin, m.tanh, m.exp, m.log1p
    for i in range(steps):
        k = i & 3
        if k == 0:
            x = sin(x) * 0.9 + 0.1 * x
        elif k == 1:
            x = tanh(x) * 0.8 + 0.2 * x
        elif k == 2:
            x = x * exp(-0.05 * (x * x))
        else:
            x = x - 0.05 * x * log1p(x * x)
    return m.sum(x)

x0 = np.random.default_rng(4).uniform(-2.0, 2.0, 64)
if peer == "fgrad":
    import fgrad, fgrad.numpy as fnp
    g = fgrad.grad(lambda x: chain(fnp, x))
    call = lambda: np.asarray(g(x0))
else:
    t = __import__("fgrad.torch" if peer == "fgrad.torch" else "torch", fromlist=["_"])
    leaf = t.from_numpy(x0.copy()).requires_grad_(True)
    def call():
        chain(t, leaf).backward()
        return leaf.grad.detach().numpy()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
out = call()
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "cpu": cpu, "mb": (peak - base) / 1024.0,
                  "checksum": float(np.sum(out))}))
"""


def run_cell(peer: str, steps: int, timeout: float) -> dict:
    """One first call in a fresh interpreter; {'seconds', 'mb', 'checksum'} or {'error': text}.

    Example: ``run_cell("fgrad", 1000, 60.0)["seconds"]``
    """
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, peer, str(steps)],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["exit %d" % done.returncode])[-1]
        return {"error": last[:60]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict, steps: tuple[int, ...], peers: tuple[str, ...]) -> str:
    """A markdown table: one row per length; wall seconds, CPU seconds and MB per peer."""
    head = "| steps | " + " | ".join(f"{p} s | {p} cpu s | {p} MB" for p in peers) + " |"
    rows = [head, "|" + "---|" * (1 + 3 * len(peers))]
    for n in steps:
        cells = []
        for p in peers:
            r = results[p, n]
            cells += ([r["error"], "", ""] if "error" in r
                      else [f"{r['seconds']:.3f}", f"{r['cpu']:.3f}", f"{r['mb']:.0f}"])
        rows.append(f"| {n} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-steps", type=int, default=STEPS[-1], help="skip lengths above this")
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of " + ",".join(PEERS))
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per cell")
    args = ap.parse_args()
    steps = tuple(n for n in STEPS if n <= args.max_steps) or (args.max_steps,)
    peers = tuple(p for p in args.peers.split(",") if p)
    results = {}
    for n in steps:
        for p in peers:
            start = time.perf_counter()
            results[p, n] = r = run_cell(p, n, args.timeout)
            print(f"# {p:12s} {n:7d} steps: {r} ({time.perf_counter() - start:.1f} s with startup)",
                  file=sys.stderr, flush=True)
    print(table(results, steps, peers))
    for n in steps:  # all peers compute the same gradient: a mismatch means a wrong result
        sums = [results[p, n]["checksum"] for p in peers if "checksum" in results[p, n]]
        if sums and max(sums) - min(sums) > 1e-8 * max(1.0, max(abs(s) for s in sums)):
            print(f"warning: gradients differ at {n} steps: {sums}")


if __name__ == "__main__":
    main()
