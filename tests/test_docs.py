"""The documentation builds with `mkdocs build --strict`: every page, link and executed code block.

Example:
    python -m pytest tests/test_docs.py
"""

import contextlib
import io
import json
import os
import re
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_mkdocs_build_strict(built_site):
    result, site = built_site
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    assert os.path.exists(os.path.join(site, "index.html"))


def _exec_blocks(page: str, session: str) -> list[str]:
    """The executed (exec="on") Python blocks of one markdown-exec session on a docs page, in order."""
    with open(os.path.join(ROOT, "docs", page), encoding="utf-8") as fh:
        text = fh.read()
    pattern = r'```python exec="on"([^\n]*)\n(.*?)\n```'
    return [code for opts, code in re.findall(pattern, text, re.S) if f'session="{session}"' in opts]


def _run_blocks(blocks: list[str], torch_module: str) -> str:
    """Run the blocks in one namespace with `torch` bound to `torch_module`; what they printed."""
    namespace = {"__name__": "__main__"}
    source = "\n".join(blocks).replace("import fgrad.torch as torch", f"import {torch_module} as torch")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "pytorch-way.md", "exec"), namespace)
    return out.getvalue()


def test_pytorch_way_page_prints_what_pytorch_prints():
    """Every PyTorch-style block of the PyTorch-way page prints the same with real PyTorch."""
    pytest.importorskip("torch")
    blocks = _exec_blocks("pytorch-way.md", "pt")
    assert len(blocks) > 10 and "import fgrad.torch as torch" in blocks[0]
    ours, theirs = _run_blocks(blocks, "fgrad.torch"), _run_blocks(blocks, "torch")
    assert ours.splitlines() == theirs.splitlines()


def _torch_support():
    sys.path.insert(0, os.path.join(ROOT, "docs", "_code"))
    try:
        import torch_support
    finally:
        sys.path.remove(os.path.join(ROOT, "docs", "_code"))
    return torch_support


def test_recorded_torch_names_match_installed_torch():
    """torch_names.json is PyTorch's current public names (rerun torch_support.py --write-names if not)."""
    torch = pytest.importorskip("torch")
    support = _torch_support()
    with open(support.NAMES_FILE, encoding="utf-8") as fh:
        recorded = json.load(fh)
    assert recorded["torch_version"] == torch.__version__
    for path, _ in support.NAMESPACES:
        space = support._resolve(torch, path)
        assert recorded["names"][path] == support.public_names(space), path


def test_torch_support_page_sorts_names_by_what_fgrad_torch_has():
    """Each PyTorch name is listed as present exactly when fgrad.torch has it, and the page says so."""
    import fgrad.torch

    support = _torch_support()
    with open(support.NAMES_FILE, encoding="utf-8") as fh:
        names = json.load(fh)["names"]
    rows = support.compare(names)
    for row in rows:
        space = support._resolve(fgrad.torch, row["path"])
        assert sorted(row["have"] + row["missing"]) == names[row["path"]]
        for name in row["have"]:
            assert hasattr(space, name), (row["path"], name)
        for name in row["missing"]:
            assert space is None or not hasattr(space, name), (row["path"], name)
    top = rows[0]
    assert "tensor" in top["have"] and "set_backend" in top["extras"]
    page = support.page()
    assert f"| [torch.nn](#torchnn) | {len(rows[6]['have'])} |" in page


@pytest.mark.parametrize("name", sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "docs", "_code"))
                                        if f.endswith(".py")))
def test_docs_build_helpers_examples_run(name, monkeypatch):
    """The examples in the site's build helpers (docs/_code) print what they say."""
    import doctest
    import importlib
    pytest.importorskip("matplotlib")
    monkeypatch.syspath_prepend(os.path.join(ROOT, "docs", "_code"))
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in docs/_code/{name}.py failed"


# The lessons of the three PyTorch gradient tutorials the PyTorch-way page teaches from, each as
# (section of the page, code its PyTorch-style blocks must hold, code its functional blocks must hold).
TUTORIAL_LESSONS = [
    ("Tensors that track gradients", ["torch.ones((2, 2), requires_grad=True)", "a.requires_grad_()",
                                      "no_gradient = torch.ones(2, 2)", "torch.add(a, b)", "torch.mul(a, b)"],
     ["fgrad.grad(f, argnums=(0, 1))"]),
    ("The first gradient: `x ** 2` at 3", ["x = torch.tensor(3.0, requires_grad=True)", "y = 2 * x ** 2 + 3"],
     ["fgrad.grad(lambda x: x ** 2)(3.0)", "fgrad.grad(lambda x: 2 * x ** 2 + 3)(2.0)"]),
    ("A first backward pass", ["y = 5 * (x + 1) ** 2", "o = (1 / 2) * torch.sum(y)", "o.backward()",
                               "o.requires_grad"], ["fgrad.grad(o)(np.ones(2))", "fgrad.make_ir(o)"]),
    ("The graph autograd records", ["z = torch.sin(y)", "z.backward()"], ["fnp.sin(x ** 2)"]),
    ("Several parameters: weights and a bias", ["torch.matmul(X, W) + b", "loss = torch.sum(y ** 2)"],
     ["fgrad.grad(loss, argnums=(0, 1))(W, b, X)"]),
    ("Gradients accumulate: `zero_()`", ["x.grad.zero_()", "y = x ** 3"],
     ["fgrad.grad(lambda x: x ** 2)(3.0) + fgrad.grad(lambda x: x ** 3)(3.0)"]),
    ("One neuron with binary cross-entropy", ["torch.sigmoid(z)", "torch.nn.BCELoss()(y_pred, y)"],
     ["fgrad.value_and_grad(bce_neuron)"]),
    ("The mean of squares", ["y = (x ** 2).mean()"], ["fnp.mean(x ** 2)"]),
    ("Turning gradients off: `requires_grad_(False)`, `detach()`, `no_grad()`",
     ["z = x.detach()", "with torch.no_grad():", "x.requires_grad_(False)"],
     ["fgrad.stop_gradient(x)", "argnums=0"]),
]


def _sections_of(page: str) -> dict[str, str]:
    with open(os.path.join(ROOT, "docs", page), encoding="utf-8") as fh:
        parts = re.split(r"^## (.+)$", fh.read(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


@pytest.mark.parametrize(("section", "torch_code", "functional_code"), TUTORIAL_LESSONS,
                         ids=[lesson[0] for lesson in TUTORIAL_LESSONS])
def test_every_tutorial_lesson_is_taught_both_ways(section, torch_code, functional_code):
    """Each lesson has executed PyTorch-style blocks (session pt) and executed fgrad.grad blocks (session fn)."""
    sections = _sections_of("pytorch-way.md")
    assert section in sections, f"the PyTorch-way page has no section {section!r}"
    blocks = re.findall(r'```python exec="on"([^\n]*)\n(.*?)\n```', sections[section], re.S)
    styles = {"pt": "\n".join(code for opts, code in blocks if 'session="pt"' in opts and 'result="text"' in opts),
              "fn": "\n".join(code for opts, code in blocks if 'session="fn"' in opts and 'result="text"' in opts)}
    assert [c for c in torch_code if c not in styles["pt"]] == [], section
    assert [c for c in functional_code if c not in styles["fn"]] == [], section
