"""Draw an fgrad IR as a computation graph with matplotlib, returned as inline SVG.

Inputs are on the left, each equation is a box placed one column right of its latest operand,
and arrows follow the data. Names match the printed IR (`a`, `b`, ...).

Example:
    >>> import fgrad, fgrad.numpy as fnp, numpy as np
    >>> svg = ir_to_svg(fgrad.make_ir(lambda x: fnp.sum(fnp.sin(x) * x))(np.ones(3)))
    >>> svg.lstrip().startswith("<svg")
    True
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

from fgrad.core import Lit, Var  # noqa: E402
from fgrad.ir_print import _namer  # noqa: E402

COLORS = {"input": "#dbe4ff", "eqn": "#fff3bf", "output": "#d3f9d8"}


def _nodes(ir):
    """(label, kind, column, operands) per node, keyed by Var; names as in the printed IR."""
    name = _namer()
    for v in ir.const_vars:
        name(v)
    nodes, column = {}, {}
    for v in ir.in_vars:
        nodes[v] = (f"{name(v)}: {v.aval!r}", "input", [])
        column[v] = 0
    for eqn in ir.eqns:
        operands = [a for a in eqn.inputs if isinstance(a, Var)]
        consts = [repr(a) for a in eqn.inputs if isinstance(a, Lit)]
        label = f"{name(eqn.out)} = {eqn.prim.name}" + (f" {' '.join(consts)}" if consts else "")
        nodes[eqn.out] = (label, "output" if eqn.out in ir.outs else "eqn", operands)
        column[eqn.out] = 1 + max((column.get(a, 0) for a in operands), default=0)
        for a in operands:
            if a not in nodes:                      # an IR constant
                nodes[a] = (f"{name(a)}: const {a.aval!r}", "input", [])
                column[a] = 0
    _pull_right(nodes, column)
    return nodes, column


def _pull_right(nodes: dict, column: dict) -> None:
    """Move each equation right to just before its first consumer, so its out-edge is short."""
    consumers: dict = {}
    for v, (_, _, operands) in nodes.items():
        for a in operands:
            consumers.setdefault(a, []).append(v)
    for v in reversed(list(nodes)):                 # consumers come later in the IR
        if nodes[v][1] == "eqn" and v in consumers:
            column[v] = min(column[c] for c in consumers[v]) - 1


def _positions(nodes: dict, column: dict) -> dict:
    """Column by column, each node in the row order of its operands' mean row, so edges cross less."""
    pos: dict = {}
    for c in sorted(set(column.values())):
        members = [v for v in column if column[v] == c]
        mean_row = {v: sum(-pos[a][1] for a in nodes[v][2]) / len(nodes[v][2]) if nodes[v][2] else i
                    for i, v in enumerate(members)}
        for row, v in enumerate(sorted(members, key=lambda v: mean_row[v])):
            pos[v] = (c * 2.6, -row * 1.1)
    return pos


def _bend(length: float) -> float:
    """The arc of an edge that skips columns: a bulge of about one box height, whatever its length."""
    return -min(0.25, 1.0 / max(length, 1e-9))


def ir_to_svg(ir, title: str = "") -> str:
    """The IR drawn as a left-to-right data-flow graph, as an SVG string."""
    nodes, column = _nodes(ir)
    pos = _positions(nodes, column)
    width = 2.6 * (max(column.values()) + 1)
    height = 1.1 * max(list(column.values()).count(c) for c in set(column.values())) + 0.6
    fig, ax = plt.subplots(figsize=(max(width, 4) * 1.05, max(height, 1.6) * 1.05))
    for v, (label, kind, operands) in nodes.items():
        x, y = pos[v]
        # boxes are opaque and drawn over the edges, so an edge passing behind a box hides
        ax.add_patch(FancyBboxPatch((x - 1.05, y - 0.3), 2.1, 0.6, boxstyle="round,pad=0.05",
                                    fc=COLORS[kind], ec="#495057", lw=1, zorder=2))
        ax.text(x, y, label, ha="center", va="center", fontsize=8, family="monospace", zorder=3)
        for a in operands:
            skip = column[v] - column[a] > 1        # long edges bend around the boxes between
            start = (pos[a][0] + 1.1, pos[a][1])
            bend = _bend(((x - 1.1 - start[0]) ** 2 + (y - start[1]) ** 2) ** 0.5) if skip else 0
            ax.annotate("", xy=(x - 1.1, y), xytext=start, zorder=1,
                        arrowprops={"arrowstyle": "->", "color": "#495057", "lw": 1,
                                    "connectionstyle": f"arc3,rad={bend}"})
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 1.3, max(xs) + 1.3)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.9)    # room for the bulge of bent edges
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]
