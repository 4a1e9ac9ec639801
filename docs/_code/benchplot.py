"""The performance page's table and plot: peers from the shared baseline, fgrad from a real run.

Both files are read from docs/assets/: `peers-baseline.md` (the peers' baseline run) and
`bench.json` (a run of the peer harness with fgrad importable). Ratios are median per-call time
divided by hand-written NumPy's median *from the same run*, so they compare across runs far
better than absolute times do.

Example:
    >>> rows = baseline_ratios("docs/assets/peers-baseline.md")  # doctest: +SKIP
    >>> rows["jax_jit"]["mlp"]  # doctest: +SKIP
    1.13
"""

from __future__ import annotations

import io
import json
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WORKLOADS = ["scalar", "elementwise", "logreg", "mlp", "chain"]
PEERS = ["jax_jit", "jax_grad", "autograd", "torch_eager", "torch_func", "mygrad"]
FGRAD = ["fgrad", "fgrad_vg", "fgrad_jit", "fgrad_shim"]


def _ratio(cell: str):
    cell = cell.strip().rstrip("×")
    try:
        return float(cell)
    except ValueError:
        return None


def baseline_ratios(path: str) -> dict:
    """peer -> workload -> median ratio, from the first summary table of the baseline file."""
    rows, in_table = {}, False
    with open(path) as fh:
        for line in fh:
            if line.startswith("## Summary: median"):
                in_table = True
            elif in_table and line.startswith("| ") and not line.startswith("| peer"):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                rows[cells[0]] = dict(zip(WORKLOADS, map(_ratio, cells[1:])))
            elif in_table and rows and not line.strip():
                break
    return rows


def run_ratios(path: str) -> tuple[dict, dict]:
    """(peer -> workload -> ratio, notes) from a bench.json; notes explain missing fgrad cells."""
    with open(path) as fh:
        report = json.load(fh)
    rows, notes = {}, {}
    for w, data in report["workloads"].items():
        for peer, d in data["peers"].items():
            rows.setdefault(peer, {})[w] = d.get("ratio")
            if peer in FGRAD and d.get("ratio") is None and d.get("status") not in (None, "ok", "n/a"):
                notes[f"{peer} / {w}"] = f"{d.get('status')}: {d.get('reason')}"
    return rows, notes


def _fmt(r) -> str:
    if r is None:
        return "n/a"
    return f"{r:.3g}×" if r < 1000 else f"{r:.2e}×"


def _peer_rows(baseline: dict, run: dict) -> list:
    """(peer, source, ratios): peers from the fgrad run when it measured them, else the baseline."""
    rows = []
    for p in ["numpy_manual"] + PEERS:
        if p in run:
            rows.append((p, "same run", run[p]))
        elif p in baseline:
            rows.append((p, "baseline", baseline[p]))
    return rows


def markdown(baseline: dict, run: dict) -> str:
    """One table: the peers, then the fgrad columns of the run."""
    lines = ["| peer | source | " + " | ".join(WORKLOADS) + " |",
             "|---|---|" + "---:|" * len(WORKLOADS)]
    row = lambda label, ratios: " | ".join([label] + [_fmt(ratios.get(w)) for w in WORKLOADS])  # noqa: E731
    lines += [f"| {row(f'{p} | {source}', ratios)} |" for p, source, ratios in _peer_rows(baseline, run)]
    lines += [f"| {row('**' + p + '** | same run', run[p])} |" for p in FGRAD if p in run]
    return "\n".join(lines)


def svg(baseline: dict, run: dict, date: str = "") -> str:
    """Grouped bars on a log scale: one group per workload, one bar per peer; 1× is hand-written NumPy.

    `date` (the run's, from bench.json) goes into the title, so a stale picture says how stale it is.
    """
    series = [(p, r) for p, _, r in _peer_rows(baseline, run) if p != "numpy_manual"]
    series += [(p, run[p]) for p in FGRAD if p in run]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / max(len(series), 1)
    cmap = plt.get_cmap("tab10")
    for i, (peer, ratios) in enumerate(series):
        xs = [k + (i - len(series) / 2) * width + width / 2 for k in range(len(WORKLOADS))]
        ys = [ratios.get(w) or float("nan") for w in WORKLOADS]
        hatch = "//" if peer in FGRAD else None
        ax.bar(xs, ys, width, label=peer, color=cmap(i % 10), hatch=hatch, edgecolor="white")
    ax.axhline(1.0, color="black", lw=1, ls="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(WORKLOADS)), WORKLOADS)
    ax.set_ylabel("time / hand-written NumPy (log)")
    ax.legend(ncol=5, fontsize=8, loc="upper right")
    when = f", run of {date}" if date else ""
    ax.set_title(f"Gradient time relative to hand-written NumPy (lower is faster{when})", fontsize=10)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def page(assets: str = "docs/assets") -> tuple[str, str | None, dict]:
    """(markdown table, svg or None, notes); without bench.json only the baseline is shown."""
    baseline = baseline_ratios(os.path.join(assets, "peers-baseline.md"))
    path = os.path.join(assets, "bench.json")
    run, notes = run_ratios(path) if os.path.exists(path) else ({}, {"bench.json": "not found"})
    date = ""
    if os.path.exists(path):
        with open(path) as fh:
            date = json.load(fh).get("date", "")
    return markdown(baseline, run), svg(baseline, run, date), notes
