"""Each script in examples/ runs in a fresh process, exits 0, and ends with a sensible result."""

import importlib.util
import os
import re
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# script -> (modules it needs, {printed quantity: (lowest ok, highest ok)})
EXAMPLES = {
    "linear_regression.py": ((), {"final loss": (0.0, 0.02)}),
    "logistic_regression.py": ((), {"final loss": (0.0, 0.15), "test accuracy": (0.93, 1.0)}),
    "mlp_classifier.py": ((), {"final loss": (0.0, 0.2), "test accuracy": (0.93, 1.0)}),
    "mlp_torch_shim.py": (("fgrad.torch.nn",), {"final loss": (0.0, 0.2),
                                                        "test accuracy": (0.93, 1.0)}),
    "newton.py": ((), {"final loss": (0.0, 1e-12)}),
}


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:
        return False


def last_value(output: str, label: str) -> float:
    """The number after the last occurrence of `label` in the output."""
    found = re.findall(re.escape(label) + r"\s+([-+0-9.eE]+)", output)
    assert found, f"no '{label}' line in the output:\n{output[-2000:]}"
    return float(found[-1])


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_runs(script):
    needs, bounds = EXAMPLES[script]
    missing = [m for m in needs if not _available(m)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    env = dict(os.environ, MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, os.path.join("examples", script)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    for label, (low, high) in bounds.items():
        value = last_value(result.stdout, label)
        assert low <= value <= high, f"{script}: {label} {value} not in [{low}, {high}]"


def test_examples_need_no_scikit_learn():
    """The datasets ship in examples/data/, so no example script imports scikit-learn."""
    folder = os.path.join(ROOT, "examples")
    scripts = [name for name in os.listdir(folder) if name.endswith(".py")]
    assert "logistic_regression.py" in scripts
    users = [name for name in scripts if re.search(r"^\s*(from|import)\s+sklearn", open(
        os.path.join(folder, name), encoding="utf-8").read(), re.M)]
    assert users == [], f"{users} import scikit-learn; read examples/data/ with _data.load_table"


@pytest.mark.parametrize("name, loader", [("breast_cancer", "load_breast_cancer"), ("digits", "load_digits")])
def test_shipped_data_is_scikit_learns(name, loader):
    """The files in examples/data/ hold exactly the data scikit-learn bundles (checked where it is installed)."""
    datasets = pytest.importorskip("sklearn.datasets")
    sys.path.insert(0, os.path.join(ROOT, "examples"))
    try:
        from _data import load_table
    finally:
        sys.path.remove(os.path.join(ROOT, "examples"))
    x, y = load_table(name)
    want_x, want_y = getattr(datasets, loader)(return_X_y=True)
    np.testing.assert_allclose(x, want_x, rtol=1e-9, atol=0)
    np.testing.assert_array_equal(y, want_y)


@pytest.mark.parametrize("flag, shown", [((), False), (("--all-code",), True)])
def test_quickstart_hides_the_fast_paths_unless_asked(flag, shown):
    """examples/quickstart.py prints the main generated function; the scalar twins only on request."""
    result = subprocess.run([sys.executable, os.path.join("examples", "quickstart.py"), *flag], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "def program(a):" in result.stdout and "Third derivative" in result.stdout
    assert ("program_scalar" in result.stdout) is shown and ("program_fast" in result.stdout) is shown
