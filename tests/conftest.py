"""Fixtures shared by the test files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import fgrad

# jax keeps every executable it compiles (each jax.jit of the xla backend's programs, each
# jax.vmap/jax.grad oracle of a fresh lambda) in caches that outlive the test; over a file such as
# test_vmap.py they grow by ~5 MiB a test, and the large heap slows every later test. Emptying
# them every few tests keeps the process small; a test never relies on jax's caches surviving.
CLEAR_JAX_EVERY = 20
_since_clear = [0]


@pytest.fixture(autouse=True)
def _bounded_jax_caches():
    """Empty jax's compilation caches after every CLEAR_JAX_EVERY tests (if jax is loaded)."""
    yield
    _since_clear[0] += 1
    jax = sys.modules.get("jax")
    if jax is not None and _since_clear[0] >= CLEAR_JAX_EVERY:
        _since_clear[0] = 0
        jax.clear_caches()


@pytest.fixture(params=["numpy", "xla"])
def backend(request):
    """Run the test once per backend, with that backend as the default, restoring the one before."""
    before = fgrad.config.backend
    fgrad.config.update("backend", request.param)
    yield request.param
    fgrad.config.update("backend", before)


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The documentation built once per run with `mkdocs build --strict` (a ~45 s build shared by the
    build test and the browser tests); yields (the finished process, the site folder). Skips when the
    docs extra is not installed."""
    for module in ("mkdocs", "material", "markdown_exec", "mkdocstrings"):
        pytest.importorskip(module)
    out = tmp_path_factory.mktemp("docs") / "site"
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    yield result, str(out)
    shutil.rmtree(out, ignore_errors=True)
