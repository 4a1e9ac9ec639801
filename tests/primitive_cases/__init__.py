"""Cases for primitives that live in primitive files of their own.

Each module here may define any of the tables below, in the format of the test file that reads it,
for the primitives of one area; the test files merge them into their own tables, so adding an area
adds one file here and edits no shared table:

- DIFF, NONDIFF: test_primitives.py (finite differences; the vjp of a non-differentiable primitive)
- JVP: test_jvp.py's CASES (forward mode against jax)
- VMAP: test_vmap.py's CASES (batching against jax)
- XLA: test_xla.py's CASES (the xla backend against the numpy backend)
- TEMPLATES: test_registry.py's CALLABLE_EXAMPLES (operand avals and parameters for a template that is
  a function, called to get the text whose names are checked)
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def merged(table: str) -> dict:
    """The entries of `table` from every module in this folder; a primitive named twice is an error."""
    out: dict = {}
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        part = getattr(importlib.import_module(f"{__name__}.{info.name}"), table, {})
        clash = set(out) & set(part)
        assert not clash, f"{table}: {sorted(clash)} defined in two case modules"
        out.update(part)
    return out
