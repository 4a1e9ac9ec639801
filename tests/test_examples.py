"""Each script in examples/ runs in a fresh process, exits 0, and ends with a sensible result."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# script -> (modules it needs, {printed quantity: (lowest ok, highest ok)})
EXAMPLES = {
    "linear_regression.py": ((), {"final loss": (0.0, 0.02)}),
    "logistic_regression.py": (("sklearn",), {"final loss": (0.0, 0.15), "test accuracy": (0.93, 1.0)}),
    "mlp_classifier.py": (("sklearn",), {"final loss": (0.0, 0.2), "test accuracy": (0.93, 1.0)}),
    "mlp_torch_shim.py": (("sklearn", "fgrad.torch.nn"), {"final loss": (0.0, 0.2),
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
