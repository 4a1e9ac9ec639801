"""Run an example script for the Examples page and show the loss curve it saved.

The picture is embedded in the page as a PNG data URI, so the page shows exactly what this build's
run of the example produced; a missing picture (matplotlib absent, the script failed) fails the
build instead of leaving a broken image.

Example:
    >>> print(run_example("linear_regression"))  # doctest: +SKIP
    step   0  loss ...
    >>> figure_html("linear_regression", "loss per step").startswith("<figure")  # doctest: +SKIP
    True
"""

import base64
import glob
import html
import os
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples")


def run_example(name: str) -> str:
    """Run examples/<name>.py to completion and return what it printed."""
    script = os.path.join(EXAMPLES, f"{name}.py")
    out = os.path.join(EXAMPLES, "out")
    # so figure_html shows this run's pictures or fails
    for stale in [os.path.join(out, f"{name}.png"), *glob.glob(os.path.join(out, f"{name}_*.png"))]:
        if os.path.exists(stale):
            os.remove(stale)
    return subprocess.run([sys.executable, script], capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(EXAMPLES)).stdout


def figure_html(name: str, caption: str) -> str:
    """An <img> of examples/out/<name>.png (saved by run_example) with a caption.

    `name` is the script's name for its main picture, or `script_suffix` for another one it saved
    (`linear_regression_fit`).
    """
    path = os.path.join(EXAMPLES, "out", f"{name}.png")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} was not saved: is matplotlib installed in the docs environment?")
    with open(path, "rb") as fh:
        data = base64.b64encode(fh.read()).decode("ascii")
    text = html.escape(caption)
    return (f'<figure class="example-plot"><img src="data:image/png;base64,{data}" alt="{text}">'
            f"<figcaption>{text}</figcaption></figure>")
