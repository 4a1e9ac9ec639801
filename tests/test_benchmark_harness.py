"""benchmarks/peers.py on tiny arrays: the reports it writes, and that a wrong gradient fails it."""

import importlib.util
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

_BENCH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks"


def _load(name, monkeypatch):
    spec = importlib.util.spec_from_file_location(name, _BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)  # peers.py imports peer_workloads by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def harness(monkeypatch):
    _load("peer_workloads", monkeypatch)
    return _load("peers", monkeypatch)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    cmd = [sys.executable, str(_BENCH / "peers.py"), "--tiny", "--quick", "--peers", "numpy_manual,fgrad",
           "--repeats", "3", "--sample-ms", "2", "--json", str(out / "r.json"), "--md", str(out / "r.md"),
           "--plot", str(out / "r.svg")]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return done, out


def test_tiny_run_checks_and_times_every_workload(tiny_run):
    done, out = tiny_run
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "r.json").read_text())
    assert list(report["workloads"]) == ["scalar", "elementwise", "logreg", "mlp", "chain"]
    for name, workload in report["workloads"].items():
        assert workload["reference_fd_error"] < 1e-5, name
        assert set(workload["peers"]) == {"numpy_manual", "fgrad"}
        ref, fgrad = workload["peers"]["numpy_manual"], workload["peers"]["fgrad"]
        assert ref["ratio"] == 1.0 and ref["max_rel_error"] == 0.0
        assert fgrad["status"] == "ok" and fgrad["max_rel_error"] <= workload["rtol"]
        assert fgrad["samples"] >= 2 and fgrad["median_s"] > 0
        assert fgrad["ratio"] == pytest.approx(fgrad["median_s"] / ref["median_s"])
        assert fgrad["cpu_ratio"] == pytest.approx(fgrad["cpu_median_s"] / ref["cpu_median_s"])
    assert report["settings"]["clock"] == "cpu" and report["settings"]["thread_limits"]["threads"] == 1


def test_tiny_run_writes_markdown_and_plot(tiny_run):
    done, out = tiny_run
    text = (out / "r.md").read_text()
    assert "| peer | scalar | elementwise | logreg | mlp | chain |" in text
    assert "| numpy_manual | 1× | 1× | 1× | 1× | 1× |" in text
    assert "logical CPUs" in text and "load average" in text
    assert "## Median CPU time per call / numpy_manual's" in text
    if importlib.util.find_spec("matplotlib"):
        svg = (out / "r.svg").read_text()
        assert "<svg" in svg and "fgrad" in svg


def test_gradient_error_is_relative_to_the_reference(harness):
    workload = harness.peer_workloads.make_workloads("tiny")["logreg"]
    cells, results = harness.check_peers(workload, ["numpy_manual", "fgrad"], {})
    assert [c.result["status"] for c in cells] == ["ok", "ok"]

    params, data = workload.make()
    grad_w, grad_b = workload.manual(params, data)
    off = (grad_w * (1 + 1e-3), grad_b)
    assert harness.gradient_error(off, (grad_w, grad_b)) == pytest.approx(1e-3, rel=1e-6)
    with pytest.raises(ValueError, match="leaves"):
        harness.gradient_error((grad_w,), (grad_w, grad_b))


def test_peer_that_computes_a_wrong_gradient_fails_the_run(harness, monkeypatch):
    workload = harness.peer_workloads.make_workloads("tiny")["elementwise"]
    real_build = harness.build_peer

    def build(peer, wl, params, data, cache):
        call = real_build(peer, wl, params, data, cache)
        return (lambda: np.asarray(call()) * 1.01) if peer == "fgrad" else call

    monkeypatch.setattr(harness, "build_peer", build)
    settings = {"repeats": 2, "rounds": 1, "sample_s": 0.001, "cell_cap_s": 0.1, "settle_s": 0.0}
    part = harness.run_workload(workload, ["numpy_manual", "fgrad"], {}, settings)
    assert part["peers"]["fgrad"]["status"] == "mismatch"
    assert part["peers"]["numpy_manual"]["status"] == "ok"


def test_missing_library_is_skipped_with_a_note(harness, monkeypatch):
    real_import = harness.importlib.import_module

    def no_autograd(name, *args):
        if name.startswith("autograd"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args)

    monkeypatch.setattr(harness.importlib, "import_module", no_autograd)
    notes = {}
    workload = harness.peer_workloads.make_workloads("tiny")["scalar"]
    _, results = harness.check_peers(workload, ["numpy_manual", "autograd"], notes)
    assert results["autograd"]["status"] == "skipped"
    assert "autograd is not installed" in notes["autograd"]


def test_unknown_peer_pattern_is_refused(harness):
    with pytest.raises(SystemExit, match="match no peer"):
        harness.select_peers("numpy_manual,tensorflow")
    assert harness.select_peers("fgrad_jit*") == ["numpy_manual", "fgrad_jit", "fgrad_jit_dev"]
