"""Every row of the conventions table (docs/conventions.md) against its oracle.

fgrad.grad follows jax.grad (float64), except where JAX gives NaN and a finite standard subgradient
exists (the row's `subgradient`); fgrad.torch matches PyTorch on every row. Parts whose oracle is
not installed are skipped.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "_code"))
import singular  # noqa: E402

IDS = [case.name for case in singular.CASES]


@pytest.fixture(scope="module")
def libs():
    return singular.libraries()


@pytest.mark.parametrize("case", singular.CASES, ids=IDS)
def test_fgrad_grad_follows_jax(case, libs):
    if libs["jax"] is None:
        pytest.skip("jax is not installed")
    row = singular.evaluate(case, {"fgrad": libs["fgrad"], "jax": libs["jax"]})
    want = singular.expected_fgrad(case, row)
    assert singular.same(row["fgrad"], want), \
        f"{case.name}: fgrad.grad gives {singular.fmt(row['fgrad'])}, expected {singular.fmt(want)} " \
        f"(jax.grad: {singular.fmt(row['jax'])})"


@pytest.mark.parametrize("case", singular.CASES, ids=IDS)
def test_fgrad_torch_matches_pytorch(case, libs):
    if libs["torch"] is None:
        pytest.skip("torch is not installed")
    if libs["fgrad.torch"] is None:
        pytest.skip("fgrad.torch is not available")
    row = singular.evaluate(case, {"fgrad.torch": libs["fgrad.torch"], "torch": libs["torch"]})
    assert singular.same(row["fgrad.torch"], row["torch"]), \
        f"{case.name}: fgrad.torch gives {singular.fmt(row['fgrad.torch'])}, " \
        f"torch gives {singular.fmt(row['torch'])}"


def test_table_renders(libs):
    table = singular.markdown_table()
    assert table.count("\n") == len(singular.CASES) + 1
