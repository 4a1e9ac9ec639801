"""The fgrad.torch support page: fgrad.torch's public names next to PyTorch's, namespace by namespace.

PyTorch's names are read once, with real PyTorch installed, into torch_names.json next to this file
(`python docs/_code/torch_support.py --write-names`); the site build reads that file and walks
fgrad.torch itself, so the page follows the code and the build does not need PyTorch.

Example:
    >>> import torch_support  # doctest: +SKIP
    >>> print(torch_support.page()[:40])  # doctest: +SKIP
    | namespace | in fgrad.torch | in PyTo
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
import types

NAMES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_names.json")

# (namespace, what it holds); "Tensor" is the class's attributes, the rest are modules under torch
NAMESPACES = [
    ("", "functions, dtypes and classes at the top level"),
    ("Tensor", "tensor methods and attributes"),
    ("autograd", "backward, grad, no_grad, Function"),
    ("autograd.functional", "jacobian, hessian, vjp, jvp"),
    ("autograd.forward_ad", "forward-mode AD with dual tensors"),
    ("func", "functional transforms: grad, vmap, jacrev, ..."),
    ("nn", "layers, losses, containers"),
    ("nn.functional", "the layers and losses as functions"),
    ("nn.init", "parameter initialisation"),
    ("nn.utils", "gradient clipping, parameter vectors"),
    ("optim", "optimizers"),
    ("optim.lr_scheduler", "learning-rate schedules"),
    ("linalg", "linear algebra"),
    ("special", "special functions"),
    ("fft", "Fourier transforms"),
    ("random", "seeds and generator state"),
    ("utils.data", "datasets and data loaders"),
]


def public_names(space) -> list[str]:
    """The public names of a module or class, less submodules: which of those are loaded varies with
    what was imported before, and the namespaces that matter have sections of their own."""
    return sorted(n for n in dir(space)
                  if not n.startswith("_") and not isinstance(getattr(space, n, None), types.ModuleType))


def _resolve(root: types.ModuleType, path: str):
    """`root.<path>` as an attribute chain, else as an importable submodule, else None."""
    if path == "":
        return root
    obj = root
    for part in path.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            break
    if obj is not None:
        return obj
    try:
        return importlib.import_module(f"{root.__name__}.{path}")
    except ImportError:
        return None


def write_names() -> None:
    """Record PyTorch's public names per namespace in torch_names.json (needs PyTorch)."""
    import torch

    table = {}
    for path, _ in NAMESPACES:
        space = _resolve(torch, path)
        table[path] = public_names(space) if space is not None else []
    with open(NAMES_FILE, "w", encoding="utf-8") as fh:
        json.dump({"torch_version": torch.__version__, "names": table}, fh, indent=0, sort_keys=True)
        fh.write("\n")
    print(f"wrote {NAMES_FILE}: {sum(map(len, table.values()))} names from torch {torch.__version__}")


def _defined_in_fgrad(obj) -> bool:
    """True for fgrad's own functions and classes, False for helpers a module merely imported."""
    if isinstance(obj, types.ModuleType) or not (callable(obj) or inspect.isclass(obj)):
        return False
    return (getattr(obj, "__module__", None) or "").startswith("fgrad")


def compare(torch_names: dict[str, list[str]]) -> list[dict]:
    """Per namespace: PyTorch's names fgrad.torch has, those it lacks, and fgrad.torch's own extras."""
    import fgrad.torch

    rows = []
    for path, about in NAMESPACES:
        theirs = set(torch_names.get(path, []))
        space = _resolve(fgrad.torch, path)
        ours = set(public_names(space)) if space is not None else set()
        # submodules hold helpers without a leading underscore, so only the top level lists extras
        extras = sorted(n for n in ours - theirs if _defined_in_fgrad(getattr(space, n, None))) if path == "" else []
        rows.append({"path": path, "about": about, "have": sorted(ours & theirs),
                     "missing": sorted(theirs - ours), "extras": extras, "exists": space is not None})
    return rows


def _title(path: str) -> str:
    return "torch" if path == "" else ("torch.Tensor" if path == "Tensor" else f"torch.{path}")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) if names else "none"


def _section(row: dict) -> str:
    title = _title(row["path"])
    have, missing = row["have"], row["missing"]
    lines = [f"### {title}", "", f"{row['about'].capitalize()}. {len(have)} of "
             f"{len(have) + len(missing)} PyTorch names" + ("" if row["exists"] else
                                                          f" (`fgrad.{title}` does not exist yet)") + ".", ""]
    lines += [f'??? success "In fgrad.torch ({len(have)})"', "", f"    {_names(have)}", ""]
    lines += [f'??? note "In PyTorch, not in fgrad.torch ({len(missing)})"', "", f"    {_names(missing)}", ""]
    if row["extras"]:
        lines += [f'??? info "Only in fgrad.torch ({len(row["extras"])})"', "", f"    {_names(row['extras'])}", ""]
    return "\n".join(lines)


def page() -> str:
    """The support page's markdown: a summary table, then one section per namespace."""
    with open(NAMES_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    rows = compare(data["names"])
    table = ["| namespace | in fgrad.torch | in PyTorch | covered |", "|---|---:|---:|---:|"]
    for row in rows:
        total = len(row["have"]) + len(row["missing"])
        share = f"{100 * len(row['have']) / total:.0f}%" if total else "-"
        anchor = _title(row["path"]).lower().replace(".", "")
        table.append(f"| [{_title(row['path'])}](#{anchor}) | {len(row['have'])} | {total} | {share} |")
    intro = (f"Compared with PyTorch {data['torch_version']}'s public names (a name is counted when "
             "fgrad.torch defines it, whatever its coverage of arguments).")
    return "\n\n".join([intro, "\n".join(table)] + [_section(row) for row in rows])


if __name__ == "__main__":
    if "--write-names" in sys.argv:
        write_names()
    else:
        print(page())
