#!/usr/bin/env python3
"""Run PyTorch's tutorial scripts under PyTorch and under fgrad.torch and compare what they print.

Usage, from the project's root:

    .venv/bin/python tools/torch_tutorials.py --source PATH [--fixed] [--timeout S] [NAME ...]

PATH is a checkout of github.com/pytorch/tutorials (or any folder of sphinx-gallery ``.py`` scripts);
NAMEs are paths under it (``beginner_source/blitz/autograd_tutorial.py``) or file stems; without NAMEs
every script found under PATH runs. Each script runs twice in its own subprocess, once with PyTorch and
once with ``import torch`` (and every ``torch.*`` submodule) answered by ``fgrad.torch``; stdout is
compared line by line, and the exception a script ends with (its first line) is compared too.
Object addresses (`` at 0x7f...``) are masked: they differ between any two runs of the same program.

``--fixed`` seeds Python's ``random``, NumPy's and torch's generators with 0 before the script runs,
for scripts whose output otherwise depends on Python's unseeded ``random``.

Scripts are run as written. The only lines taken out are imports of torchvision, torchaudio and
torchtext; a script that still needs them, or needs a download (datasets, ``download=True``, URLs
fetched at run time), is reported as ``skipped`` rather than run.

Environment: ``FGRAD_TUTORIAL_TIMEOUT`` (seconds per run, default 600) is the default of ``--timeout``.

Example:
    >>> from torch_tutorials import extract
    >>> extract("import torch\\nfrom torchvision import datasets\\nprint(1)\\n").script
    'import torch\\n\\nprint(1)\\n'
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRA_PACKAGES = ("torchvision", "torchaudio", "torchtext")
_EXTRA_IMPORT = re.compile(r"^\s*(?:import|from)\s+(?:%s)\b.*$" % "|".join(EXTRA_PACKAGES), re.M)
_NEEDS_DOWNLOAD = re.compile(
    r"\b(?:%s)\b|download\s*=\s*True|urlretrieve|requests\.get|urlopen|wget |!pip" % "|".join(EXTRA_PACKAGES))
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # object reprs: the address differs between any two runs
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit)\b")
_NUMBER = re.compile(r"-?\d+\.\d*(?:e[-+]?\d+)?|-?\d+e[-+]?\d+")

# Makes `import torch` and `import torch.x.y` return fgrad.torch and fgrad.torch.x.y in the child.
_FGRAD_BOOT = """
import importlib, importlib.abc, importlib.util, sys
class _FgradTorch(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            try:
                importlib.import_module("fgrad." + name)
            except ModuleNotFoundError:
                return None
            return importlib.util.spec_from_loader(name, self)
    def create_module(self, spec):
        # modules fgrad.torch registers under a plain module's name (fgrad.torch.autograd.forward_ad):
        # Python looks those up in sys.modules only, as their parent is not a package
        for name in [key for key in sys.modules if key.startswith("fgrad.torch.")]:
            sys.modules.setdefault(name[len("fgrad."):], sys.modules[name])
        return sys.modules["fgrad." + spec.name]
    def exec_module(self, module):
        pass
sys.meta_path.insert(0, _FgradTorch())
"""
_SEEDS = """
import random as _random, numpy as _np, torch as _torch
_random.seed(0); _np.random.seed(0); _torch.manual_seed(0)
del _random, _np, _torch
"""


@dataclass
class Extracted:
    """A tutorial's runnable text: ``script``; ``skipped`` says why it cannot run here, if so."""

    script: str
    removed: int
    skipped: str | None


@dataclass
class Outcome:
    """What one run printed: stdout lines, the last stderr line, and whether it timed out."""

    lines: list[str]
    error: str
    timed_out: bool


def extract(text: str) -> Extracted:
    """The script of a sphinx-gallery tutorial, without its torchvision/torchaudio/torchtext imports.

    Example:
        >>> extract("import torchvision\\nx = torchvision.datasets.MNIST('.', download=True)\\n").skipped
        'needs torchvision/torchaudio/torchtext or a download'
    """
    script, removed = _EXTRA_IMPORT.subn("", text)
    code = "\n".join(line for line in script.splitlines() if not line.lstrip().startswith("#"))
    skipped = "needs torchvision/torchaudio/torchtext or a download" if _NEEDS_DOWNLOAD.search(code) else None
    return Extracted(script, removed, skipped)


def run_script(script: str, engine: str, timeout: float, fixed: bool) -> Outcome:
    """Run ``script`` with ``engine`` ("torch" or "fgrad") in a subprocess and collect its output."""
    prelude = (_FGRAD_BOOT if engine == "fgrad" else "") + (_SEEDS if fixed else "")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tutorial.py"
        path.write_text(script)
        # run_path, not exec: the script keeps its own __future__ imports and its file name
        command = prelude + f"import runpy\nrunpy.run_path({str(path)!r}, run_name='__main__')\n"
        return _run(command, env, timeout, folder)


def _run(command: str, env: dict, timeout: float, folder: str) -> Outcome:
    try:
        proc = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True,
                              env=env, timeout=timeout, cwd=folder)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return Outcome(out.splitlines(), f"timed out after {timeout:g} s", True)
    # the exception's first line (fgrad adds a hint line after torch's message)
    errors = [line for line in proc.stderr.splitlines() if _EXCEPTION.match(line)]
    error = errors[-1] if proc.returncode and errors else ""
    return Outcome(proc.stdout.splitlines(), error, False)


def close_enough(want: str, got: str, rtol: float = 1e-3) -> bool:
    """Lines equal once each decimal number is compared within ``rtol`` (long float32 loops drift)."""
    if _NUMBER.sub("#", want) != _NUMBER.sub("#", got):
        return False
    pairs = zip(_NUMBER.findall(want), _NUMBER.findall(got))
    return all(abs(float(a) - float(b)) <= rtol * max(abs(float(a)), abs(float(b)), 1e-12) for a, b in pairs)


def compare(want: Outcome, got: Outcome) -> tuple[int, int, int, str]:
    """(identical lines, lines within 1e-3, total lines, first differing line) of two outcomes."""
    want_lines = [_ADDRESS.sub(" at 0x", line) for line in want.lines + ([want.error] if want.error else [])]
    got_lines = [_ADDRESS.sub(" at 0x", line) for line in got.lines + ([got.error] if got.error else [])]
    same = sum(a == b for a, b in zip(want_lines, got_lines))
    close = sum(a == b or close_enough(a, b) for a, b in zip(want_lines, got_lines))
    first = ""
    for index in range(max(len(want_lines), len(got_lines))):
        a = want_lines[index] if index < len(want_lines) else "<no line>"
        b = got_lines[index] if index < len(got_lines) else "<no line>"
        if a != b and not close_enough(a, b):
            first = f"line {index + 1}: torch {a[:70]!r} | fgrad {b[:70]!r}"
            break
    return same, close, len(want_lines), first


def find_scripts(source: Path, names: list[str]) -> list[Path]:
    """The tutorial scripts to run: the named ones, or every ``.py`` under ``source``."""
    if not names:
        return sorted(p for p in source.rglob("*.py") if not p.name.startswith("_"))
    found = []
    for name in names:
        direct = source / name
        found.extend([direct] if direct.is_file() else sorted(source.rglob(f"{Path(name).stem}.py")))
    return found


def report_row(path: Path, source: Path, timeout: float, fixed: bool) -> str:
    """One table row for the tutorial at ``path``."""
    extracted = extract(path.read_text())
    name = str(path.relative_to(source))
    if extracted.skipped:
        return f"{name:60s} skipped    -           {extracted.skipped}"
    want = run_script(extracted.script, "torch", timeout, fixed)
    got = run_script(extracted.script, "fgrad", timeout, fixed)
    same, close, total, first = compare(want, got)
    status = "identical" if same == total and not first else ("close" if not first else "differs")
    return f"{name:60s} {status:10s} {same:4d}/{total:<4d} ({close:4d} close) {first}"


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit status 1 if any tutorial that ran differs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, required=True, help="checkout of pytorch/tutorials")
    parser.add_argument("--fixed", action="store_true", help="seed random, numpy and torch with 0 first")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("FGRAD_TUTORIAL_TIMEOUT", 600)))
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    print(f"{'tutorial':60s} {'status':10s} same/total (within 1e-3) first difference", flush=True)
    rows = []
    for path in find_scripts(args.source, args.names):
        rows.append(report_row(path, args.source, args.timeout, args.fixed))
        print(rows[-1], flush=True)
    return 1 if any(" differs " in row for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
