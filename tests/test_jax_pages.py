"""tools/jax_pages.py, which runs JAX's documentation pages under jax and fgrad: its cell extraction,
import renaming and loose comparison, and a small page run under both, cell for cell."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import jax_pages  # noqa: E402

PAGE = """# A page
```{code-cell}
import jax
import jax.numpy as jnp
from jax.ad_checkpoint import checkpoint_name
print(jax.grad(lambda x: jnp.sin(x) * x)(1.0))
```
Some text.
```{code-cell}
---
tags: [raises-exception]
---
jax.grad(lambda x: x)(1)
```
```{code-cell}
:tags: [hide-output]

jnp.cos(0.5)
```
"""


def test_cells_are_extracted_with_their_tags():
    cells = jax_pages.extract_cells(PAGE)
    assert [c["raises"] for c in cells] == [False, True, False]
    assert cells[0]["source"].startswith("import jax\n") and cells[2]["source"].strip() == "jnp.cos(0.5)"


def test_imports_are_renamed_to_fgrad_and_names_kept():
    renamed = jax_pages.rename_imports(jax_pages.extract_cells(PAGE)[0]["source"])
    assert renamed.splitlines()[:3] == ["import fgrad as jax", "import fgrad.numpy as jnp",
                                        "from fgrad.ad_checkpoint import checkpoint_name"]
    assert jax_pages.rename_imports("from jax.tree_util import tree_map\n") == "from fgrad.tree import tree_map\n"
    assert jax_pages.rename_imports("x = jax_thing\n") == "x = jax_thing\n"


def test_loose_comparison_reads_arrays_as_values_and_errors_as_types():
    assert jax_pages.loose("Array(0.84147096, dtype=float32)\n") == jax_pages.loose("array(0.84147098)\n")
    assert jax_pages.loose("TypeError: one message") == jax_pages.loose("TypeError: another")
    assert jax_pages.loose("1.0\n") != jax_pages.loose("2.0\n")


def test_out_of_scope_cells_are_named():
    assert jax_pages.out_of_scope("from rich.console import Console") is not None
    assert jax_pages.out_of_scope("print(1)") is None


def test_a_page_prints_the_same_under_jax_and_fgrad():
    pytest.importorskip("jax")
    cells = jax_pages.extract_cells(PAGE)
    want = jax_pages.run_cells(cells, "page", "jax")
    got = jax_pages.run_cells(cells, "page", "fgrad")
    assert jax_pages.loose(want[0]) == jax_pages.loose(got[0]) and want[0].strip() != ""
    assert want[1].split(":")[0] == got[1].split(":")[0] == "TypeError"
    assert jax_pages.loose(want[2]) == jax_pages.loose(got[2])


NANS_PAGE = """```{code-cell}
import jax
import jax.numpy as jnp

def f(x):
  return jnp.log(-3 * jnp.square(x))

with jax.debug_nans(False):
  print(jax.jit(f)(5.))
```
```{code-cell}
with jax.debug_nans(True):
  try:
    jax.jit(f)(5.)
  except FloatingPointError as e:
    print(str(e).splitlines()[0])
```
"""


def test_debug_nans_cells_print_what_jax_prints():
    pytest.importorskip("jax")
    cells = jax_pages.extract_cells(NANS_PAGE)
    want = jax_pages.run_cells(cells, "nans", "jax")
    got = jax_pages.run_cells(cells, "nans", "fgrad")
    assert want[0] == got[0] == "nan\n"
    assert want[1].splitlines()[-1] == got[1].splitlines()[-1] == "invalid value (nan) encountered in log"
    # jax.jit says it re-runs the function de-optimized; fgrad says the same of its own jit
    assert got[1].splitlines()[0] == want[1].splitlines()[0].replace("jax.jit", "fgrad.jit")


def test_make_jaxpr_of_a_plain_function_lists_jax_s_primitives():
    jax = pytest.importorskip("jax")
    import fgrad
    import fgrad.numpy as fnp
    ours = fgrad.make_jaxpr(lambda x: fnp.sin(x) * fnp.cos(x) + 2.0)(1.0)
    theirs = jax.make_jaxpr(lambda x: jax.numpy.sin(x) * jax.numpy.cos(x) + 2.0)(1.0)
    assert [e.prim.name for e in ours.eqns] == [str(e.primitive) for e in theirs.eqns] == ["sin", "cos", "mul", "add"]
    assert str(ours) == str(fgrad.make_ir(lambda x: fnp.sin(x) * fnp.cos(x) + 2.0)(1.0))
