"""torch.profiler and torch.autograd.profiler: the ops a block ran, counted, in torch's table layout."""

from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402


def _workload(t):
    x = t.randn(2, 3, requires_grad=True)
    y = t.rand(2, 3, requires_grad=True)
    z = t.ones(2, 3, requires_grad=True)
    with t.autograd.profiler.profile() as prof:     # the loop of the autograd tutorial's profiler section
        for _ in range(50):
            z = (z / x) * y
        z = z - x
    return prof, z


def _columns(table: str) -> list[list[str]]:
    """The table's lines, each split into its columns, times replaced by a placeholder."""
    lines = table.splitlines()
    return [[re.sub(r"^[\d.]+(%|us|ms|s)$", "<t>", cell) for cell in re.split(r"\s{2,}", line.strip())]
            for line in lines[:-1]] + [[re.sub(r"[\d.]+(us|ms|s)$", "<t>", lines[-1])]]


def test_op_names_and_counts_match_torch():
    got, want = _workload(ft)[0].key_averages(), _workload(torch)[0].key_averages()
    assert sorted((e.key, e.count) for e in got) == sorted((e.key, e.count) for e in want)


def test_table_layout_matches_torch():
    got, want = _workload(ft)[0], _workload(torch)[0]
    for kwargs in ({"sort_by": "count"}, {"sort_by": "count", "row_limit": 2}):
        got_table, want_table = got.key_averages().table(**kwargs), want.key_averages().table(**kwargs)
        # every line but the footer (its total time has as many digits as the run took)
        assert [len(line) for line in got_table.splitlines()[:-1]] == \
            [len(line) for line in want_table.splitlines()[:-1]]
        got_cols, want_cols = _columns(got_table), _columns(want_table)
        assert [row[0] for row in got_cols] == [row[0] for row in want_cols]      # names and rulers, in order
        assert [row[-1] for row in got_cols] == [row[-1] for row in want_cols]    # call counts and the footer


def test_torch_profiler_profile_and_record_function_labels():
    def run(t):
        x = t.ones(3, requires_grad=True)
        with t.profiler.profile(activities=[t.profiler.ProfilerActivity.CPU]) as prof:
            with t.profiler.record_function("model_inference"):
                (x * 2).sum()
        return {e.key: e.count for e in prof.key_averages()}

    got, want = run(ft), run(torch)
    assert got == {"model_inference": 1, "aten::mul": 1, "aten::sum": 1}
    assert set(got) <= set(want) and all(want[k] == n for k, n in got.items())


def test_nothing_is_recorded_outside_the_block_or_when_disabled():
    with ft.autograd.profiler.profile(enabled=False) as prof:
        ft.ones(2, requires_grad=True) * 2
    assert list(prof.key_averages()) == [] and prof.key_averages().table() == ""
    with ft.profiler.profile() as prof:
        pass
    ft.ones(2, requires_grad=True) * 2
    assert list(prof.key_averages()) == []


def test_aten_names_of_nodes():
    assert [ft.profiler.aten_name(n) for n in ("MseLossBackward0", "AddmmBackward0", "MaxPool2DWithIndicesBackward0",
                                               "NllLossBackward0")] == \
        ["aten::mse_loss", "aten::addmm", "aten::max_pool2d_with_indices", "aten::nll_loss"]
