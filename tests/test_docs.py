"""The documentation builds with `mkdocs build --strict`: every page, link and executed code block.

Example:
    python -m pytest tests/test_docs.py
"""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_site(out_dir: str) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` from the repository root into `out_dir`."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", out_dir],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("markdown_exec")
    pytest.importorskip("mkdocstrings")
    result = build_site(str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    assert os.path.exists(tmp_path / "site" / "index.html")
    shutil.rmtree(tmp_path / "site", ignore_errors=True)
