"""Run JAX's own documentation pages under jax and under fgrad and compare what each cell prints.

Each page's ``{code-cell}`` blocks run in order in one namespace, once with jax and once with the
imports renamed to fgrad (``import jax`` -> ``import fgrad as jax``, ``jax.numpy`` -> ``fgrad.numpy``,
``jax.lax`` -> ``fgrad.lax``, ``jax.tree_util`` -> ``fgrad.tree``). A cell's output is what it prints,
plus the repr of its last expression as a notebook displays it, plus ``Type: message`` of an exception
it raises (Type: the nearest built-in class, which `except` clauses name). Both runs name the cells'
code with the same file names, so file:line in messages compare, and memory addresses (``<function f
at 0x7f...>``, different in every run, jax's too) are written ``0x…`` in both before comparing.

Two comparisons are reported per page: *exact* (the text is identical) and *loose* (numbers compared
to 5 significant digits, ``Array(..., dtype=...)``, ``array(...)`` and ``np.float64(...)`` read as one value, and an
exception compared by its type only), which separates a wrong result from a differing printed form.

Usage:
    python tools/jax_pages.py                        # the four pages, from the jax git snapshot
    python tools/jax_pages.py --x64                  # jax with jax_enable_x64 (fgrad's float64)
    python tools/jax_pages.py --page control-flow -v # one page, every differing cell printed
    python tools/jax_pages.py --jax-git DIR          # another jax git directory

Example:
    >>> rename_imports("import jax\\nimport jax.numpy as jnp\\nfrom jax.lax import scan\\n")
    'import fgrad as jax\\nimport fgrad.numpy as jnp\\nfrom fgrad.lax import scan\\n'
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import linecache
import re
import signal
import subprocess
import sys
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JAX_GIT = Path("/work/.mirror/jax-ml+jax/repo")
PAGES = {
    "custom-derivatives": "docs/notebooks/Custom_derivative_rules_for_Python_code.md",
    "control-flow": "docs/control-flow.md",
    "gradient-checkpointing": "docs/gradient-checkpointing.md",
    "debugging-flags": "docs/debugging/flags.md",
}
# what a cell needs that is outside fgrad's scope: a cell using one is counted and listed, not compared
OUT_OF_SCOPE = {
    "rich": "the rich table printer (jaxpr side by side)",
    "print_fwd_bwd": "prints jaxprs side by side with rich",
    "jax._src": "jax internals",
    "NamedSharding": "sharding",
    "offload": "host offloading",
    "pallas": "pallas",
    "plt.": "matplotlib plots",
    "pdb.": "the interactive debugger",
}
_MODULES = {"tree_util": "tree"}       # jax submodules fgrad spells differently
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_CELL_TIMEOUT_S = 60
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")


def extract_cells(markdown: str) -> list[dict]:
    """The page's code cells in order: {"source", "raises"} (tagged raises-exception).

    Example:
        >>> extract_cells("```{code-cell}\\n:tags: [raises-exception]\\n\\n1/0\\n```\\n")
        [{'source': '\\n1/0\\n', 'raises': True}]
    """
    cells = []
    for match in _CELL.finditer(markdown):
        lines = match.group(1).splitlines(keepends=True)
        tags = []
        if lines and lines[0].strip() == "---":            # a YAML header: --- ... ---
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
            tags, lines = [ln for ln in lines[1:end] if "tags" in ln], lines[end + 1:]
        while lines and lines[0].startswith(":"):           # short form: `:tags: [...]`
            tags.append(lines.pop(0))
        cells.append({"source": "".join(lines), "raises": any("raises-exception" in t for t in tags)})
    return cells


def _module(path: str) -> str:
    parts = path.split(".")
    return ".".join(["fgrad"] + [_MODULES.get(p, p) for p in parts[1:]])


def rename_imports(source: str) -> str:
    """`source` with its jax imports pointing at fgrad (the names bound stay jax's)."""
    def import_as(m):
        return f"{m[1]}import {_module(m[2])} as {m[3]}"

    def import_plain(m):
        return f"{m[1]}import {_module(m[2])} as {m[2].split('.')[0]}" if m[2] == "jax" else \
            f"{m[1]}import fgrad as jax; import {_module(m[2])}"

    source = re.sub(r"^([ \t]*)import (jax(?:\.\w+)*) as (\w+)", import_as, source, flags=re.M)
    source = re.sub(r"^([ \t]*)import (jax(?:\.\w+)*)[ \t]*$", import_plain, source, flags=re.M)
    return re.sub(r"^([ \t]*)from (jax(?:\.\w+)*) import", lambda m: f"{m[1]}from {_module(m[2])} import",
                  source, flags=re.M)


def out_of_scope(source: str) -> str | None:
    """Why a cell is not compared (it uses something outside fgrad's scope), else None."""
    return next((why for word, why in OUT_OF_SCOPE.items() if word in source), None)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout(f"cell ran past {_CELL_TIMEOUT_S} s")


def run_cells(cells: list[dict], page: str, engine: str) -> list[str]:
    """Run the cells in one namespace; each cell's printed output (see the module docstring)."""
    namespace: dict = {"__name__": "__main__"}
    outputs = []
    signal.signal(signal.SIGALRM, _alarm)
    for index, cell in enumerate(cells):
        source = cell["source"] if engine == "jax" else rename_imports(cell["source"])
        filename = f"{page}_cell{index}.py"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        outputs.append(_run_one(source, filename, namespace))
    return outputs


def _run_one(source: str, filename: str, namespace: dict) -> str:
    buffer = io.StringIO()
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as e:
        return f"SyntaxError: {e.msg}"
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    signal.alarm(_CELL_TIMEOUT_S)
    try:
        with contextlib.redirect_stdout(buffer):
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
                if value is not None:
                    print(repr(value))
    except BaseException as e:          # noqa: BLE001  (a cell's error is its output)
        if isinstance(e, KeyboardInterrupt):
            raise
        kind = next(c for c in type(e).__mro__ if c.__module__ == "builtins")   # what `except` clauses see
        buffer.write(f"{kind.__name__}: {str(e).splitlines()[0] if str(e) else ''}\n")
        traceback.print_exc(file=sys.stderr)     # seen with --child, run by hand
    finally:
        signal.alarm(0)
    return buffer.getvalue()


_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_WRAPPER = re.compile(r"Array\(|array\(|np\.\w+\(|, dtype=\w+|, weak_type=True|\)")


def loose(text: str) -> str:
    """`text` with numbers rounded to 5 significant digits, array wrappers and dtypes removed, and an
    exception reduced to its type."""
    text = re.sub(r"^(\w+(?:Error|Exception|Warning)): .*$", r"\1", text, flags=re.M)
    text = _WRAPPER.sub("", text)
    text = _NUMBER.sub(lambda m: f"{float(m[0]):.5g}", text)
    return re.sub(r"\s+", " ", text).strip()


def page_cells(jax_git: Path, page: str) -> list[dict]:
    """The cells of one page, read from the jax git directory's HEAD."""
    text = subprocess.run(["git", "--git-dir", str(jax_git), "show", f"HEAD:{PAGES[page]}"],
                          check=True, capture_output=True, text=True).stdout
    return extract_cells(text)


def _child(engine: str, page: str, jax_git: Path, x64: bool) -> list[str]:
    """Run one page under one engine in a fresh interpreter (its own jax config and caches)."""
    command = [sys.executable, __file__, "--child", engine, page, str(jax_git), "1" if x64 else "0"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{engine} run of {page} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def compare_page(page: str, jax_git: Path, x64: bool, verbose: bool) -> dict:
    """Counts for one page: cells, compared, exact and loose matches, the cells out of scope."""
    cells = page_cells(jax_git, page)
    want, got = _child("jax", page, jax_git, x64), _child("fgrad", page, jax_git, x64)
    report = {"cells": len(cells), "compared": 0, "exact": 0, "loose": 0, "skipped": [], "differ": []}
    for index, (cell, a, b) in enumerate(zip(cells, want, got)):
        a, b = _ADDRESS.sub("0x…", a), _ADDRESS.sub("0x…", b)
        why = out_of_scope(cell["source"])
        if why is not None:
            report["skipped"].append((index, why))
            continue
        report["compared"] += 1
        report["exact"] += a == b
        report["loose"] += loose(a) == loose(b)
        if a != b:
            report["differ"].append(index)
            if verbose:
                print(f"--- {page} cell {index} (loose {'same' if loose(a) == loose(b) else 'differs'})\n"
                      f"{cell['source'].strip()}\n>>> jax:\n{a}>>> fgrad:\n{b}")
    return report


def main(argv: list[str]) -> None:
    if argv[:1] == ["--child"]:
        engine, page, jax_git, x64 = argv[1], argv[2], Path(argv[3]), argv[4] == "1"
        sys.path.insert(0, str(REPO))
        if engine == "jax" and x64:
            import jax
            jax.config.update("jax_enable_x64", True)
        outputs = run_cells(page_cells(jax_git, page), page, engine)
        sys.stdout.write("\n" + json.dumps(outputs) + "\n")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", choices=sorted(PAGES), action="append")
    parser.add_argument("--jax-git", type=Path, default=JAX_GIT)
    parser.add_argument("--x64", action="store_true", help="run jax with jax_enable_x64")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    print(f"{'page':24} {'cells':>5} {'compared':>8} {'exact':>5} {'loose':>5}  out of scope")
    for page in args.page or list(PAGES):
        r = compare_page(page, args.jax_git, args.x64, args.verbose)
        skipped = ", ".join(f"{i}: {why}" for i, why in r["skipped"])
        print(f"{page:24} {r['cells']:5} {r['compared']:8} {r['exact']:5} {r['loose']:5}  {skipped}")


if __name__ == "__main__":
    main(sys.argv[1:])
