"""The seed tutorials' workflows, run through fgrad.torch, print exactly what PyTorch 2.13 printed."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT.parent / "shared" / "workflows" / "check.py"


@pytest.mark.skipif(not CHECK.exists(), reason="the shared workflows are not next to this checkout")
def test_shared_workflows_match_pytorch_output():
    proc = subprocess.run([sys.executable, str(CHECK)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failed" in proc.stdout
