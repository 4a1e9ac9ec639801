"""benchmarks/scaling.py at a small size: each peer's first call runs and all agree on the gradient."""

import importlib.util
import pathlib

import pytest

_PATH = pathlib.Path(__file__).resolve().parents[1] / "benchmarks" / "scaling.py"


def _scaling():
    spec = importlib.util.spec_from_file_location("scaling", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_peers_agree_on_a_short_chain():
    scaling = _scaling()
    results = {p: scaling.run_cell(p, 40, 300.0) for p in scaling.PEERS}
    for peer, r in results.items():
        assert "error" not in r, (peer, r)
        assert r["seconds"] > 0 and r["cpu"] >= 0 and r["mb"] >= 0
    sums = [r["checksum"] for r in results.values()]
    assert sums == pytest.approx([sums[-1]] * len(sums), rel=1e-10)   # real torch is the oracle


def test_table_has_a_row_per_length_and_marks_failures():
    scaling = _scaling()
    ok = {"seconds": 1.5, "cpu": 1.0, "mb": 3.0, "checksum": 0.0}
    results = {("fgrad", 10): ok, ("fgrad", 20): {"error": "> 5 s"}}
    lines = scaling.table(results, (10, 20), ("fgrad",)).splitlines()
    assert lines[2] == "| 10 | 1.500 | 1.000 | 3 |"
    assert lines[3].startswith("| 20 | > 5 s |")
