"""Shared by the examples: save a picture as a PNG in examples/out/ (no display needed)."""

import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def _pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or None (with a note) when not installed."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot saved")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(plt, fig, name):
    os.makedirs(OUT, exist_ok=True)
    fig.tight_layout()
    path = os.path.join(OUT, f"{name}.png")
    fig.savefig(path)
    plt.close(fig)
    print(f"saved {os.path.relpath(path)}")
    return path


def save_curves(histories, name, xlabel="step", ylabel="loss", log=True):
    """Save one line per `{label: values}` entry to examples/out/<name>.png; returns the path or None.

    Values that are not positive are left out on a log scale (an exact 0 has no logarithm).

    Example:
        >>> save_curves({"1-D": [1e-1, 1e-4, 0.0], "2-D": [5.0, 1e-2, 1e-9]}, "demo")  # doctest: +SKIP
        '.../examples/out/demo.png'
    """
    plt = _pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(5, 3))
    for label, values in histories.items():
        shown = [v if v > 0 or not log else float("nan") for v in values]
        ax.plot(shown, marker="o" if len(shown) < 30 else None, label=label)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=name)
    if log:
        ax.set_yscale("log")
    if len(histories) > 1:
        ax.legend()
    return _save(plt, fig, name)


def save_curve(history, name, ylabel="loss", log=True):
    """Save `history` (one number per step) to examples/out/<name>.png; returns the path or None.

    Example:
        >>> save_curve([1.0, 0.5, 0.25], "demo")  # doctest: +SKIP
        '.../examples/out/demo.png'
    """
    return save_curves({ylabel: history}, name, ylabel=ylabel, log=log)


def save_fit(x, y, line, name):
    """Save the points (x, y) and the fitted `line(x)` to examples/out/<name>.png; returns the path or None.

    Example:
        >>> save_fit([0.0, 1.0], [1.0, 2.9], lambda x: 2 * x + 1, "demo_fit")  # doctest: +SKIP
        '.../examples/out/demo_fit.png'
    """
    plt = _pyplot()
    if plt is None:
        return None
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.scatter(x, y, s=10, alpha=0.6, label="data")
    ends = [min(x), max(x)]
    ax.plot(ends, [line(e) for e in ends], color="C1", lw=2, label="fitted line")
    ax.set(xlabel="x", ylabel="y", title=name)
    ax.legend()
    return _save(plt, fig, name)
