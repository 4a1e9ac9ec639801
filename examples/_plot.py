"""Shared by the examples: save a loss curve as a PNG in examples/out/ (no display needed)."""

import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")


def save_curve(history, name, ylabel="loss", log=True):
    """Save `history` (one number per step) to examples/out/<name>.png; returns the path or None.

    Example:
        >>> save_curve([1.0, 0.5, 0.25], "demo")  # doctest: +SKIP
        '.../examples/out/demo.png'
    """
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: no plot saved")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(OUT, exist_ok=True)
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(history)
    ax.set(xlabel="step", ylabel=ylabel, title=name)
    if log:
        ax.set_yscale("log")
    fig.tight_layout()
    path = os.path.join(OUT, f"{name}.png")
    fig.savefig(path)
    plt.close(fig)
    print(f"saved {os.path.relpath(path)}")
    return path
