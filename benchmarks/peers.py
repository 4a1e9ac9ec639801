"""Peer benchmark: one gradient of five workloads in fgrad and in the libraries people would
otherwise use, each time divided by hand-written NumPy's time from the same run.

Peers (a column each; an optional library that is not installed is skipped with a note):

- ``numpy_manual``: forward and backward written out by hand in NumPy (the ratio reference);
- ``fgrad``: ``fgrad.grad``, NumPy backend, with ``fgrad.numpy`` as the array module;
- ``fgrad_jit`` / ``fgrad_jit_dev``: ``fgrad.jit(fgrad.grad(f), backend="xla")`` given NumPy
  arrays on every call / arrays already on the device (``jax.device_put`` once);
- ``jax_jit`` / ``jax_jit_np``: ``jax.jit(jax.grad(f))`` given device arrays / NumPy arrays;
- ``autograd``: HIPS ``autograd.grad``;
- ``torch_eager``: leaf tensors made once, ``loss.backward()`` per call, ``.grad`` reset first;
- ``fgrad_torch``: the same torch code with ``import fgrad.torch as torch``.

Every peer's first result is compared with ``numpy_manual`` (largest difference over the
largest reference entry, per leaf: at most 1e-6 in float64, 1e-4 in float32), and
``numpy_manual`` itself with central finite differences. Then each peer is timed: the number
of calls per sample is chosen so a sample lasts ``--sample-ms``, samples are taken in blocks
over several rounds (rotating the order, so drifts in machine load hit every peer alike), and
the report gives the median time per call and its ratio to ``numpy_manual``'s median.

Usage (from the repository root)::

    python benchmarks/peers.py --quick                  # a few minutes: shorter samples, 250-step chain
    python benchmarks/peers.py --json docs/assets/bench.json --md docs/assets/bench.md \
        --plot docs/assets/performance.svg
    python benchmarks/peers.py --only mlp,chain --peers 'numpy_manual,jax_jit,fgrad*'

The exit status is 1 when a gradient disagrees with the reference or a peer fails.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import importlib
import importlib.metadata
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np
import peer_workloads  # beside this file: on sys.path when run as a script
from peer_workloads import leaves, tree_map

REFERENCE = "numpy_manual"
PEER_NOTES = {
    "numpy_manual": "hand-written NumPy forward and backward (the reference)",
    "fgrad": "fgrad.grad, NumPy backend",
    "fgrad_jit": "fgrad.jit(fgrad.grad(f), backend='xla'), NumPy inputs",
    "fgrad_jit_dev": "the same, inputs already on the device",
    "jax_jit": "jax.jit(jax.grad(f)), inputs already on the device",
    "jax_jit_np": "the same, NumPy inputs",
    "autograd": "HIPS autograd.grad",
    "torch_eager": "torch, leaf tensors, loss.backward()",
    "fgrad_torch": "the torch code run with import fgrad.torch as torch",
}
FGRAD_PEERS = ("fgrad", "fgrad_jit", "fgrad_jit_dev", "fgrad_torch")


class Unavailable(Exception):
    """A peer that cannot run here: its library is not installed."""


def optional_import(name: str):
    """The module `name`, or Unavailable saying it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise Unavailable(f"{name} is not installed ({exc})") from None


def _jax():
    jax = optional_import("jax")
    jax.config.update("jax_enable_x64", True)
    return jax, importlib.import_module("jax.numpy")


def _on_device(jax, tree):
    placed = tree_map(lambda leaf: leaf if isinstance(leaf, float) else jax.device_put(leaf), tree)
    return jax.block_until_ready(placed)


def _as_numpy(tree):
    return tree_map(lambda leaf: np.asarray(leaf.detach().numpy() if hasattr(leaf, "detach") else leaf), tree)


def _shared_jit(cache: dict, key: str, make):
    """One compiled function for a device-input peer and its NumPy-input twin, so the second
    call site pays no second compile (its first call shows that: no compile in it)."""
    if key not in cache:
        cache[key] = make()
    return cache[key]


def build_peer(peer: str, wl, params, data, cache: dict):
    """A zero-argument call that returns the gradient (synchronized), for one peer and workload."""
    if peer == "numpy_manual":
        return lambda: wl.manual(params, data)
    if peer.startswith("fgrad"):
        fgrad = importlib.import_module("fgrad")
        fnp = importlib.import_module("fgrad.numpy")
        if peer == "fgrad":
            grad = fgrad.grad(lambda p, d: wl.loss(fnp, p, d))
            return lambda: grad(params, data)
        if peer == "fgrad_torch":
            return _torch_call(importlib.import_module("fgrad.torch"), wl, params, data)
        jax, _ = _jax()
        compiled = _shared_jit(cache, "fgrad", lambda: fgrad.jit(
            fgrad.grad(lambda p, d: wl.loss(fnp, p, d)), backend="xla"))
        inputs = (params, data) if peer == "fgrad_jit" else (_on_device(jax, params), _on_device(jax, data))
        return lambda: jax.block_until_ready(compiled(*inputs))
    if peer in ("jax_jit", "jax_jit_np"):
        jax, jnp = _jax()
        compiled = _shared_jit(cache, "jax", lambda: jax.jit(jax.grad(lambda p, d: wl.loss(jnp, p, d))))
        inputs = (params, data) if peer == "jax_jit_np" else (_on_device(jax, params), _on_device(jax, data))
        return lambda: jax.block_until_ready(compiled(*inputs))
    if peer == "autograd":
        optional_import("autograd")
        anp = importlib.import_module("autograd.numpy")
        grad = importlib.import_module("autograd").grad(lambda p, d: wl.loss(anp, p, d))
        return lambda: grad(params, data)
    if peer == "torch_eager":
        return _torch_call(optional_import("torch"), wl, params, data)
    raise ValueError(f"unknown peer {peer!r}; known: {', '.join(PEER_NOTES)}")


def _torch_call(torch, wl, params, data):
    """loss.backward() on leaf tensors made once; each call resets their .grad first."""
    def tensor(leaf, requires_grad):
        if isinstance(leaf, float):
            return torch.tensor(leaf, dtype=torch.float64, requires_grad=requires_grad)
        made = torch.from_numpy(np.array(leaf, copy=True))
        return made.requires_grad_(True) if requires_grad else made

    tparams = tree_map(lambda leaf: tensor(leaf, True), params)
    tdata = tree_map(lambda leaf: tensor(leaf, False), data)
    param_leaves = leaves(tparams)

    def call():
        for leaf in param_leaves:
            leaf.grad = None
        wl.loss_torch(torch, tparams, tdata).backward()
        return tree_map(lambda leaf: leaf.grad, tparams)

    return call


def gradient_error(grad, reference) -> float:
    """The worst leaf's max |g - ref| / max |ref| (the difference itself where ref is all zero)."""
    got, want = leaves(_as_numpy(grad)), leaves(_as_numpy(reference))
    if len(got) != len(want):
        raise ValueError(f"the gradient has {len(got)} leaves, the reference {len(want)}")
    worst = 0.0
    for g, r in zip(got, want):
        if g.shape != r.shape:
            raise ValueError(f"a gradient leaf has shape {g.shape}, the reference's {r.shape}")
        diff = float(np.max(np.abs(g.astype(np.float64) - r.astype(np.float64)), initial=0.0))
        scale = float(np.max(np.abs(r.astype(np.float64)), initial=0.0))
        err = diff / scale if scale > 0 else diff
        worst = max(worst, err if math.isfinite(err) else math.inf)
    return worst


class Cell:
    """One peer on one workload: its call, check and samples."""

    def __init__(self, peer: str, call):
        self.peer, self.call = peer, call
        self.number, self.samples, self.cpu_samples, self.spent = 1, [], [], 0.0
        self.result: dict = {"status": "ok"}

    def calls_per_sample(self, sample_s: float) -> None:
        """Enough calls that one sample lasts about `sample_s` (one call for slow peers)."""
        n = 1
        while True:
            start = time.perf_counter()
            for _ in range(n):
                self.call()
            elapsed = time.perf_counter() - start
            if elapsed >= sample_s / 4 or n >= 1_000_000:
                self.number = max(1, round(n * sample_s / max(elapsed, 1e-9)))
                return
            n *= 10

    def take(self, count: int, cap_s: float) -> None:
        """Up to `count` samples, after one untimed call; stops early past `cap_s` seconds."""
        self.call()
        for _ in range(count):
            if self.spent >= cap_s and len(self.samples) >= 2:
                return
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(self.number):
                self.call()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            self.samples.append(wall / self.number)
            self.cpu_samples.append(cpu / self.number)
            self.spent += wall


def check_peers(wl, peers: list, notes: dict) -> tuple[list, dict]:
    """Build every peer's call, time its first call and check it; (cells, results of the rest)."""
    params, data = wl.make()
    reference = wl.manual(params, data)
    fd_error = peer_workloads.directional_check(wl, params, data)
    results = {"_reference_fd_error": fd_error}
    cells, cache = [], {}
    for peer in peers:
        if peer in notes:
            results[peer] = {"status": "skipped", "reason": notes[peer]}
            continue
        try:
            call = build_peer(peer, wl, params, data, cache)
            start = time.perf_counter()
            grad = call()
            first = time.perf_counter() - start
            error = gradient_error(grad, reference)
        except Unavailable as exc:
            notes[peer] = str(exc)
            results[peer] = {"status": "skipped", "reason": str(exc)}
            continue
        except Exception as exc:  # noqa: BLE001 - a failing peer is reported, the others still run
            results[peer] = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        cell = Cell(peer, call)
        cell.result.update(first_call_s=first, max_rel_error=error)
        if not error <= wl.rtol:
            cell.result.update(status="mismatch", reason=f"gradient differs from numpy_manual by {error:.2e}")
        cells.append(cell)
    return cells, results


def time_cells(cells: list, settings: dict) -> None:
    """Samples for every cell: a block per cell per round, rounds in rotated order."""
    for cell in cells:
        cell.calls_per_sample(settings["sample_s"])
    rounds = settings["rounds"]
    per_round = math.ceil(settings["repeats"] / rounds)
    for r in range(rounds):
        order = cells[r % len(cells):] + cells[:r % len(cells)] if cells else []
        for cell in order:
            time.sleep(settings["settle_s"])  # let the last library's worker threads go idle
            cell.take(per_round, settings["cell_cap_s"])


def run_workload(wl, peers: list, notes: dict, settings: dict) -> dict:
    """Check and time every peer on `wl`; the workload's part of the report."""
    cells, results = check_peers(wl, peers, notes)
    time_cells(cells, settings)
    by_peer = {cell.peer: cell for cell in cells}
    ref = by_peer.get(REFERENCE)
    ref_median = statistics.median(ref.samples) if ref and ref.samples else None
    for cell in cells:
        median = statistics.median(cell.samples)
        q1, _, q3 = statistics.quantiles(cell.samples, n=4) if len(cell.samples) > 1 else (median,) * 3
        cell.result.update(median_s=median, min_s=min(cell.samples), spread=(q3 - q1) / median,
                           cpu_median_s=statistics.median(cell.cpu_samples), calls_per_sample=cell.number,
                           samples=len(cell.samples), ratio=median / ref_median if ref_median else None,
                           best_ratio=min(cell.samples) / min(ref.samples) if ref_median else None)
        if ref_median:
            cell.result["cpu_ratio"] = cell.result["cpu_median_s"] / statistics.median(ref.cpu_samples)
        results[cell.peer] = cell.result
    fd_error = results.pop("_reference_fd_error")
    return {"description": wl.description, "dtype": wl.dtype, "rtol": wl.rtol,
            "reference_fd_error": fd_error, "peers": {p: results[p] for p in peers if p in results}}


def limit_threads(count: int, torch_too: bool) -> dict:
    """Every library's worker threads limited to `count` (BLAS and OpenMP through threadpoolctl,
    torch, and XLA, whose flags must be set before jax is first imported); what was set.

    On a small shared machine, threads that spin waiting for a core another process holds cost
    more than they gain, and they slow the next library timed down too.
    """
    done = {"threads": count}
    os.environ["OMP_NUM_THREADS"] = str(count)     # fgrad's block regions (and numexpr, imported later)
    done["fgrad"] = f"OMP_NUM_THREADS={count}"
    if "jax" not in sys.modules:
        flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" if count == 1 else ""
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flags).strip()
        done["XLA_FLAGS"] = os.environ["XLA_FLAGS"] or "(XLA's default: a thread per core)"
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(count)
        done["blas_openmp"] = f"threadpoolctl.threadpool_limits({count})"
    except ImportError:
        done["blas_openmp"] = "not limited (threadpoolctl is not installed)"
    if torch_too:
        try:
            import torch
            torch.set_num_threads(count)
            done["torch"] = f"torch.set_num_threads({count})"
        except ImportError:
            pass
    return done


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "system": platform.platform(terse=True),
            "python": platform.python_version(), "load_start": list(os.getloadavg())}


def versions() -> dict:
    """Versions of the libraries the run imported (None for those it did not)."""
    found = {}
    for name in ("numpy", "fgrad", "jax", "jaxlib", "torch", "autograd"):
        try:
            found[name] = importlib.metadata.version(name) if name in sys.modules else None
        except importlib.metadata.PackageNotFoundError:
            found[name] = getattr(sys.modules[name], "__version__", "unknown")
    return found


def format_time(seconds) -> str:
    """'12.3 ms'-style text for a duration, '–' for None."""
    if seconds is None:
        return "–"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.0f} ns"


def format_ratio(ratio) -> str:
    """'1.23×' for a ratio, '–' for None."""
    return "–" if ratio is None else (f"{ratio:.3g}×" if ratio < 1000 else f"{ratio:.2e}×")


def machine_line(report: dict) -> str:
    """One sentence naming the machine, the date and the load of the run."""
    m = report["machine"]
    load = lambda values: "/".join(f"{v:.1f}" for v in values)  # noqa: E731
    return (f"{report['date']}, {m['cpus']} logical CPUs ({m['cpu']}), {m['system']}, Python {m['python']}; "
            f"load average (1/5/15 min) {load(m['load_start'])} at the start, {load(m['load_end'])} at the end")


def headline_ratio(got: dict, settings: dict):
    """The ratio the summary and the plot show: of CPU time or of wall-clock time (settings["clock"])."""
    return got.get("cpu_ratio" if settings.get("clock") == "cpu" else "ratio")


def summary_table(report: dict) -> str:
    """Markdown: one row per peer, one column per workload, median time / numpy_manual's median."""
    names = list(report["workloads"])
    lines = ["| peer | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for peer in report["peers"]:
        cells = []
        for name in names:
            got = report["workloads"][name]["peers"].get(peer, {})
            status = got.get("status", "–")
            cell = format_ratio(headline_ratio(got, report["settings"])) if "median_s" in got else status
            cells.append(cell + (" **MISMATCH**" if status == "mismatch" else ""))
        if set(cells) != {"skipped"}:
            lines.append(f"| {peer} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def detail_tables(report: dict, level: str = "##") -> str:
    """Markdown: per workload, each peer's first call, median, ratio, spread, CPU time and check;
    each workload under a heading of `level` ("##"), or under its name in bold for level ""."""
    out = []
    for name, w in report["workloads"].items():
        heading = f"{level} {name}" if level else f"**{name}**"
        out += [heading, "", f"{w['description']}; {w['dtype']}. numpy_manual against central "
                f"differences: relative error {w['reference_fd_error']:.1e}.", "",
                "| peer | first call | median | ratio | spread (IQR) | best ratio | CPU per call | CPU ratio | check |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
        for peer, got in w["peers"].items():
            if "median_s" not in got:
                out.append(f"| {peer} | – | – | – | – | – | – | – | {got['status']}: {got['reason']} |")
                continue
            check = f"{got['max_rel_error']:.1e}" + (" **MISMATCH**" if got["status"] == "mismatch" else " ok")
            out.append(f"| {peer} | {format_time(got['first_call_s'])} | {format_time(got['median_s'])} | "
                       f"{format_ratio(got['ratio'])} | {got['spread'] * 100:.0f}% | "
                       f"{format_ratio(got['best_ratio'])} | {format_time(got['cpu_median_s'])} | "
                       f"{format_ratio(got.get('cpu_ratio'))} | {check} |")
        out.append("")
    return "\n".join(out)


def markdown(report: dict) -> str:
    """The whole report: header, summary, one detail table per workload, skipped peers."""
    s = report["settings"]
    clock = "CPU" if s.get("clock") == "cpu" else "wall-clock"
    threads = ", ".join(f"{k} {v}" for k, v in s["thread_limits"].items())
    out = [f"# Peer benchmark, {report['date']}", "", f"Run: {machine_line(report)}.", "",
           f"Command: `{report['command']}`", "",
           "Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items() if v), "",
           f"Timing: median of {s['repeats']} samples per peer (fewer past {s['cell_cap_s']} s), each sample "
           f"about {s['sample_s'] * 1e3:.0f} ms of calls, taken in {s['rounds']} round(s). median = wall-clock "
           "time per call; ratio = median / numpy_manual's median in this run; best ratio = fastest sample / "
           "numpy_manual's fastest; CPU per call counts every thread of the process, CPU ratio = its median / "
           f"numpy_manual's. The summary shows the {clock} ratio. Threads: {threads}. The machine may be "
           "shared and noisy: compare ratios within one run.", "",
           f"## Median {clock} time per call / numpy_manual's", "", summary_table(report), "",
           detail_tables(report, "##")]
    if report["skipped"]:
        out += ["## Skipped peers", ""] + [f"- `{p}`: {why}" for p, why in report["skipped"].items()] + [""]
    return "\n".join(out)


def plot(report: dict, path: str) -> str | None:
    """Grouped bars of the ratios on a log scale into `path` (SVG, or PNG by its name); None when
    matplotlib is missing."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    names = list(report["workloads"])
    series = [p for p in report["peers"] if p != REFERENCE and any(
        "median_s" in report["workloads"][n]["peers"].get(p, {}) for n in names)]
    fig, ax = plt.subplots(figsize=(10, 4.4))
    width = 0.84 / max(len(series), 1)
    colours = plt.get_cmap("tab10")
    for i, peer in enumerate(series):
        xs = [k - 0.42 + (i + 0.5) * width for k in range(len(names))]
        ys = [headline_ratio(report["workloads"][n]["peers"].get(peer, {}), report["settings"]) or math.nan
              for n in names]
        ax.bar(xs, ys, width, label=peer, color=colours(i % 10), hatch="//" if peer in FGRAD_PEERS else None,
               edgecolor="white", linewidth=0.4)
    ax.axhline(1.0, color="black", lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(names)), names)
    clock = "CPU time" if report["settings"].get("clock") == "cpu" else "time"
    ax.set_ylabel(f"{clock} / hand-written NumPy (log scale)")
    ax.legend(ncol=5, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.09), frameon=False)
    ax.set_title(f"Gradient time relative to hand-written NumPy, lower is faster (run of {report['date']})",
                 fontsize=10)
    svg = path.endswith(".svg")
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text: smaller, searchable
        fig.savefig(path, bbox_inches="tight", metadata={"Date": None} if svg else None, dpi=110)
    plt.close(fig)
    return path


def select_peers(spec: str) -> list:
    """Peers named by a comma-separated list of names or shell patterns; the reference always first."""
    if not spec:
        return list(PEER_NOTES)
    patterns = [p.strip() for p in spec.split(",") if p.strip()]
    unknown = [p for p in patterns if not fnmatch.filter(PEER_NOTES, p)]
    if unknown:
        raise SystemExit(f"--peers: {', '.join(unknown)} match no peer; peers: {', '.join(PEER_NOTES)}")
    chosen = [p for p in PEER_NOTES if any(fnmatch.fnmatch(p, pat) for pat in patterns)]
    return [REFERENCE] + [p for p in chosen if p != REFERENCE]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run: fewer, shorter samples and a 250-step chain")
    parser.add_argument("--tiny", action="store_true", help="tiny arrays (a smoke test of the harness itself)")
    parser.add_argument("--only", default="", help="comma-separated workloads (default: all five)")
    parser.add_argument("--peers", default="", help="comma-separated peers or shell patterns: " + ", ".join(PEER_NOTES))
    parser.add_argument("--repeats", type=int, default=None, help="samples per peer (default 15; quick 5)")
    parser.add_argument("--sample-ms", type=float, default=None, help="length of one sample (default 40; quick 10)")
    parser.add_argument("--chain-steps", type=int, default=None, help="chain length (default 2000; quick 250)")
    parser.add_argument("--threads", type=int, default=1, help="worker threads per library (default 1)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default=None,
                        help="what the summary compares: CPU time (the default with one thread) or wall-clock time "
                             "(the default with more threads, whose idle spinning CPU time would count)")
    parser.add_argument("--json", help="write the report as JSON here")
    parser.add_argument("--md", help="write the report as Markdown here (it is printed in any case)")
    parser.add_argument("--plot", help="draw the ratios into this SVG file (needs matplotlib)")
    parser.add_argument("--redraw", metavar="JSON", help="measure nothing: write --md and --plot from this report")
    return parser.parse_args(argv)


def write_outputs(report: dict, args) -> None:
    """Print the Markdown report and write the files the command line asks for."""
    text = markdown(report)
    print(text)
    for path, content in ((args.md, text), (args.json, json.dumps(report, indent=1))):
        if path:
            with open(path, "w") as fh:
                fh.write(content + "\n")
    if args.plot and plot(report, args.plot) is None:
        print("matplotlib is not installed: no plot drawn", file=sys.stderr)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.redraw:
        with open(args.redraw) as fh:
            write_outputs(json.load(fh), argparse.Namespace(md=args.md, plot=args.plot, json=None))
        return 0
    settings = {"repeats": args.repeats or (5 if args.quick else 15), "rounds": 1 if args.quick else 3,
                "sample_s": (args.sample_ms or (10 if args.quick else 40)) / 1e3,
                "cell_cap_s": 0.5 if args.quick else 3.0, "settle_s": 0.02 if args.quick else 0.1}
    steps = args.chain_steps or (250 if args.quick and not args.tiny else None)
    workloads = peer_workloads.make_workloads("tiny" if args.tiny else "full", chain_steps=steps)
    only = [w.strip() for w in args.only.split(",") if w.strip()] or list(workloads)
    if set(only) - set(workloads):
        raise SystemExit(f"--only: unknown workload(s) {sorted(set(only) - set(workloads))}; known: {list(workloads)}")
    peers = select_peers(args.peers)
    settings["thread_limits"] = limit_threads(args.threads, torch_too="torch_eager" in peers)
    settings["clock"] = args.clock or ("cpu" if args.threads == 1 else "wall")
    report = {"date": datetime.date.today().isoformat(), "machine": machine(), "settings": settings,
              "command": "python benchmarks/peers.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "peers": peers, "workloads": {}, "skipped": {}}
    for name in only:
        print(f"{name}: {workloads[name].description}", file=sys.stderr, flush=True)
        report["workloads"][name] = run_workload(workloads[name], peers, report["skipped"], settings)
    report["machine"]["load_end"] = list(os.getloadavg())
    report["versions"] = versions()
    write_outputs(report, args)
    failed = [f"{n}/{p}: {g['status']}" for n, w in report["workloads"].items() for p, g in w["peers"].items()
              if g["status"] in ("mismatch", "error")]
    failed += [f"{n}: numpy_manual off by {w['reference_fd_error']:.1e} from finite differences"
               for n, w in report["workloads"].items() if not w["reference_fd_error"] < 1e-5]
    for line in failed:
        print("FAILED " + line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
