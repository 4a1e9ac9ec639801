"""The primitive registry is the only registry: every primitive's block holds every slot and fact,
and every name its templates call resolves in the namespace its backend builds."""

from __future__ import annotations

import ast
import builtins
import re

import numpy as np
import pytest
from primitive_cases import merged

from fgrad.backends import numpy_codegen
from fgrad.backends.numpy_codegen import Block
from fgrad.core import REGISTRY, Aval, Primitive
from fgrad.errors import MissingRuleError

PRIMS = sorted(REGISTRY.values(), key=lambda p: p.name)
IDS = [p.name for p in PRIMS]
F64 = np.dtype(np.float64)

# example operands and parameters for the primitives whose templates are functions, not strings:
# those are called to get the text whose names are checked
CALLABLE_EXAMPLES = {
    "broadcast_in_dim": ([Aval((3,), F64)], {"shape": (2, 3), "dims": (1,)}),
    "gather": ([Aval((4, 2), F64), Aval((3,), np.dtype(np.int64))], {"spec": (("array", 0),)}),
    "scatter_add": ([Aval((3, 2), F64), Aval((3,), np.dtype(np.int64))],
                    {"spec": (("array", 0),), "shape": (4, 2)}),
    "concatenate": ([Aval((2, 3), F64), Aval((2, 1), F64)], {"axis": 1}),
    "dot_general": ([Aval((2, 3), F64), Aval((3, 4), F64)], {"contract": ((1,), (0,)), "batch": ((), ())}),
}
CALLABLE_EXAMPLES.update(merged("TEMPLATES"))


def _template_text(prim: Primitive, slot: str) -> str:
    """The source a template produces, operands named a0, a1, ... and parameters `p`."""
    template = prim.emit[slot]
    if callable(template):
        avals, params = CALLABLE_EXAMPLES[prim.name]
        return template([f"a{k}" for k in range(len(avals))], avals, **params)
    return re.sub(r"\{[^{}]*\}", "p", template)


def _free_names(text: str) -> set:
    """Names the expression reads, besides the operands and parameters standing in for the real ones."""
    tree = ast.parse(text, mode="eval")
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return {n for n in names if n != "p" and not re.fullmatch(r"a\d+", n)}


def _xla_namespace() -> dict:
    jax = pytest.importorskip("jax")
    from fgrad.backends import xla
    return xla.Program._namespace(jax)


@pytest.mark.parametrize("prim", PRIMS, ids=IDS)
def test_every_slot_and_fact_is_present(prim):
    for slot in ("abstract", "impl", "vjp", "jvp", "batch"):
        assert callable(getattr(prim, slot)), f"{prim.name} has no {slot}"
    for slot in ("numpy", "xla"):
        assert prim.emit[slot] is not None, f"{prim.name} has no {slot} template"
    assert type(prim.elementwise) is bool and type(prim.weak_literals) is bool
    for fact in ("identity", "fold"):
        assert getattr(prim, fact) is None or callable(getattr(prim, fact)), (prim.name, fact)
    assert prim.source.startswith("fgrad/primitives/") and prim.source.endswith(".py")


# statement templates (loops and branches around sub-programs) write code through the emitter, whose
# names are the sub-programs' own: they are checked by compiling and running their cases instead
TEXT = [p for p in PRIMS if not isinstance(p.emit["numpy"], Block)]


def test_a_statement_template_is_a_statement_template_on_both_backends():
    for prim in set(PRIMS) - set(TEXT):
        assert isinstance(prim.emit["xla"], Block), prim.name


@pytest.mark.parametrize("prim", TEXT, ids=[p.name for p in TEXT])
def test_numpy_template_names_resolve_in_the_backend_namespace(prim):
    namespace = numpy_codegen.namespace_for([prim])
    for slot in ("numpy", "numpy_out"):
        if prim.emit[slot] is None:
            continue
        missing = _free_names(_template_text(prim, slot)) - set(namespace)
        assert not missing, f"{prim.name}'s {slot} template calls {missing}; declare them in helpers="


IN_PLACE = [p for p in PRIMS if p.emit["numpy_out"] is not None]       # an optional slot
SCALAR = [p for p in PRIMS if p.emit["scalar"] is not None]            # an optional slot


@pytest.mark.parametrize("prim", IN_PLACE, ids=[p.name for p in IN_PLACE])
def test_in_place_template_is_its_own_slot_writing_into_out(prim):
    into = prim.emit["numpy_out"]
    assert isinstance(into, str) and "{out}" in into
    assert into.format(*[f"a{k}" for k in range(3)], out="buf", n=2) != prim.emit["numpy"]


@pytest.mark.parametrize("prim", SCALAR, ids=[p.name for p in SCALAR])
def test_scalar_template_names_resolve(prim):
    allowed = set(numpy_codegen.namespace_for([prim])) | {"math"} | set(dir(builtins))
    missing = _free_names(_template_text(prim, "scalar")) - allowed
    assert not missing, f"{prim.name}'s scalar template calls {missing}"


@pytest.mark.parametrize("prim", TEXT, ids=[p.name for p in TEXT])
def test_xla_template_names_resolve_in_the_backend_namespace(prim):
    missing = _free_names(_template_text(prim, "xla")) - set(_xla_namespace())
    assert not missing, f"{prim.name}'s xla template calls {missing}"


def test_callable_templates_have_examples():
    callable_ones = {p.name for p in PRIMS if any(callable(t) for t in p.emit.values())}
    assert callable_ones == set(CALLABLE_EXAMPLES)


def test_helpers_never_clash():
    """One helper name means one function, and never a name the backend generates itself."""
    seen: dict = {}
    for prim in PRIMS:
        for name, fn in prim.helpers.items():
            assert callable(fn), (prim.name, name)
            assert name.startswith("_") and not re.fullmatch(r"_(c|w)\d+|_ws", name), (prim.name, name)
            assert name not in numpy_codegen.BASE_NAMESPACE, (prim.name, name)
            assert seen.setdefault(name, fn) is fn, f"{name} means two functions"


def test_namespace_holds_only_the_helpers_of_the_program():
    import fgrad
    import fgrad.numpy as fnp
    program = fgrad.jit(lambda x: fnp.sin(x) * 2.0).lower(np.ones(3))
    assert "_logistic" not in program.as_text()
    sig = REGISTRY["logistic"]
    assert numpy_codegen.namespace_for([sig])["_logistic"] is sig.helpers["_logistic"]
    assert "_logistic" not in numpy_codegen.namespace_for([REGISTRY["sin"]])


@pytest.mark.parametrize("slot", ["vjp", "jvp", "batch", "numpy", "xla", "scalar"])
def test_a_missing_slot_names_the_primitive_and_its_file(slot):
    prim = Primitive("fgrad_test_bare", abstract=lambda x: x, impl=lambda x: x, source="fgrad/primitives/bare.py")
    del REGISTRY["fgrad_test_bare"]             # keeps the registry to the library's own primitives
    with pytest.raises(MissingRuleError, match=r"`fgrad_test_bare` has no .* fgrad/primitives/bare\.py"):
        prim.rule(slot)


@pytest.mark.parametrize("prim", [p for p in PRIMS if p.emit["scalar"] is None], ids=lambda p: p.name)
def test_a_registered_primitive_without_a_scalar_form_says_where_to_add_it(prim):
    with pytest.raises(MissingRuleError, match=re.escape(prim.source)):
        prim.rule("scalar")


@pytest.mark.parametrize("name", ["two words", "a-b", "x\ny", "", "ünï"])
def test_names_are_plain_identifiers(name):
    with pytest.raises(ValueError, match="ASCII identifier"):
        Primitive(name, abstract=lambda x: x, impl=lambda x: x, source="here")
    assert name not in REGISTRY
