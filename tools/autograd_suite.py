"""Run HIPS autograd 1.9.1's own test suite against fgrad and report the pass rate per file.

The tests are taken unchanged from autograd's sdist (downloaded once with pip into a cache folder);
only their import lines are rewritten: `autograd.X` becomes `fgrad.autograd.X` (autograd's API on
fgrad: `autograd.numpy` is fgrad.numpy plus NumPy's random module, `autograd.scipy` is
fgrad.scipy), and `import autograd` / `from autograd import` read tools/autograd_adapter.py, which
is fgrad.autograd name for name. The suite measures fgrad's public API: no test reaches code of
its own.

Usage:
    python tools/autograd_suite.py                      # all files
    python tools/autograd_suite.py test_numpy.py -k dot # some files, pytest's -k
    python tools/autograd_suite.py --cache DIR --keep   # sdist cache, keep the temporary folder

Example:
    >>> rewrite_imports("import autograd.numpy as np\\nfrom autograd.extend import primitive\\n")
    'import fgrad.autograd.numpy as np\\nfrom fgrad.autograd.extend import primitive\\n'
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

VERSION = "1.9.1"
REPO = Path(__file__).resolve().parent.parent
ADAPTER = Path(__file__).resolve().parent / "autograd_adapter.py"

# (pattern, replacement) applied line by line to every copied test file, in this order
_REWRITES = [
    (r"^(\s*)import autograd\.([\w.]+) as (\w+)", r"\1import fgrad.autograd.\2 as \3"),
    (r"^(\s*)import autograd\.([\w.]+)[ \t]*$", r"\1import fgrad.autograd.\2, _fgrad_autograd as autograd"),
    (r"^(\s*)from autograd(\.[\w.]+) import", r"\1from fgrad.autograd\2 import"),
    (r"^(\s*)from autograd import", r"\1from _fgrad_autograd import"),
    (r"^(\s*)import autograd[ \t]*$", r"\1import _fgrad_autograd as autograd"),
]

# a per-test time limit, so one slow or hanging test cannot stall the run
_TIMEOUT_PLUGIN = '''
import signal
import pytest

LIMIT = int(__import__("os").environ.get("FGRAD_SUITE_TEST_TIMEOUT", "120"))


def _expire(signum, frame):
    raise TimeoutError(f"test ran longer than {LIMIT} s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.alarm(LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
'''


def rewrite_imports(source: str) -> str:
    """Point autograd's import lines at fgrad; test bodies are left as they are."""
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        for pattern, replacement in _REWRITES:
            new = re.sub(pattern, replacement, line)
            if new != line:
                lines[i] = new
                break
    return "".join(lines)


def fetch_sdist(cache: Path) -> Path:
    """The autograd sdist in `cache`, downloaded with pip the first time."""
    tarball = cache / f"autograd-{VERSION}.tar.gz"
    if not tarball.exists():
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", f"autograd=={VERSION}", "--no-binary",
                        ":all:", "--no-deps", "-d", str(cache)], check=True)
    return tarball


def prepare(tarball: Path, work: Path) -> list[str]:
    """Copy autograd's tests into `work` with rewritten imports; return the test file names."""
    prefix = f"autograd-{VERSION}/tests/"
    names = []
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not (member.isfile() and member.name.startswith(prefix) and member.name.endswith(".py")):
                continue
            name = member.name[len(prefix):]
            if "/" in name:
                continue
            text = tar.extractfile(member).read().decode()
            (work / name).write_text(rewrite_imports(text))
            if name.startswith("test_"):
                names.append(name)
    shutil.copy(ADAPTER, work / "_fgrad_autograd.py")
    (work / "_fgrad_suite_timeout.py").write_text(_TIMEOUT_PLUGIN)
    return sorted(names)


def run_pytest(work: Path, files: list[str], extra: list[str], timeout: int) -> Path:
    """Run pytest on `files` inside `work`; return its JUnit XML report."""
    report = work / "report.xml"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(work)]))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "_fgrad_suite_timeout",
           f"--junitxml={report}", "-o", "junit_family=xunit1",
           "--continue-on-collection-errors", "--rootdir", str(work), *files, *extra]
    try:
        subprocess.run(cmd, cwd=work, env=env, timeout=timeout, stdout=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        print(f"pytest stopped after {timeout} s; files not reported below did not finish", file=sys.stderr)
    return report


def count_tests(path: Path) -> int:
    """How many test functions a file defines (for files whose collection failed)."""
    tree = ast.parse(path.read_text())
    return sum(isinstance(n, ast.FunctionDef) and n.name.startswith("test_") for n in ast.walk(tree))


def cause(message: str) -> str:
    """A failure message reduced to its cause, so failures with one cause group together."""
    first = next((ln.strip() for ln in message.splitlines() if ln.strip()), "")
    first = re.sub(r" at [^ ]+\.py:\d+", "", first)
    first = re.sub(r"array\(\[.*", "array([...])", first)
    first = re.sub(r"-?\d+\.\d+(e[-+]?\d+)?", "N", first)
    return first[:160]


def _outcome(case: ET.Element) -> tuple[str, str]:
    for tag in ("failure", "error", "skipped"):
        node = case.find(tag)
        if node is not None:
            message = node.get("message") or ""
            if message == "collection failure":     # the cause is the last `E   ` line of the traceback
                errors = [ln[1:].strip() for ln in (node.text or "").splitlines() if ln.startswith("E ")]
                message = errors[-1] if errors else message
            return tag, message
    return "passed", ""


def summarize(report: Path, work: Path, files: list[str]) -> tuple[dict, dict]:
    """Per file: counts of each outcome; per cause: the failing tests."""
    counts: dict = {f: defaultdict(int) for f in files}
    causes: dict = defaultdict(list)
    cases = ET.parse(report).getroot().iter("testcase") if report.exists() else []
    for case in cases:
        module, name = case.get("classname", "").split(".")[0], case.get("name", "")
        outcome, message = _outcome(case)
        if not module:                                 # the file did not import: pytest names it
            file = f"{name}.py"
            counts.setdefault(file, defaultdict(int))["failed"] += max(1, count_tests(work / file))
            causes[f"collection: {cause(message)}"].append(f"{file} (whole file)")
            continue
        file = f"{module}.py"
        outcome = "failed" if outcome in ("failure", "error") else outcome
        counts.setdefault(file, defaultdict(int))[outcome] += 1
        if outcome != "passed":
            causes[cause(message)].append(f"{file}::{name}")
    return counts, causes


def print_report(counts: dict, causes: dict) -> None:
    total_pass = total = 0
    print(f"{'file':28} {'passed':>7} {'failed':>7} {'skipped':>8} {'rate':>7}")
    for file in sorted(counts):
        c = counts[file]
        ran = c["passed"] + c["failed"]
        total_pass, total = total_pass + c["passed"], total + ran
        rate = f"{100 * c['passed'] / ran:.0f}%" if ran else "-"
        print(f"{file:28} {c['passed']:7} {c['failed']:7} {c['skipped']:8} {rate:>7}")
    print(f"{'overall':28} {total_pass:7} {total - total_pass:7} {'':8} "
          f"{100 * total_pass / max(total, 1):6.1f}%")
    print("\nfailures by cause (most common first):")
    for reason, tests in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"\n[{len(tests)}] {reason}")
        for test in tests[:8]:
            print(f"    {test}")
        if len(tests) > 8:
            print(f"    ... and {len(tests) - 8} more")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="test files to run (default: all)")
    parser.add_argument("-k", help="pytest -k expression")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "autograd-sdist")
    parser.add_argument("--keep", action="store_true", help="keep the temporary test folder")
    parser.add_argument("--timeout", type=int, default=3000, help="seconds for the whole run")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="autograd-suite-"))
    try:
        names = prepare(fetch_sdist(args.cache), work)
        files = args.files or names
        report = run_pytest(work, files, ["-k", args.k] if args.k else [], args.timeout)
        print_report(*summarize(report, work, files))
    finally:
        if args.keep:
            print(f"\ntests kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
