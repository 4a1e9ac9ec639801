"""The printed form of the IR and a typechecker that re-runs every shape rule."""

from __future__ import annotations

import itertools

from .core import IR, Lit, Var


def _namer():
    names: dict = {}
    letters = "abcdefghijklmnopqrstuvwxyz"
    gen = ("".join(p) for n in itertools.count(1) for p in itertools.product(letters, repeat=n))

    def name(v) -> str:
        if isinstance(v, Lit):
            return repr(v)
        if v not in names:
            names[v] = next(gen)
        return names[v]
    return name


def _params(params: dict, name, indent: str) -> str:
    if not params:
        return ""
    if not any(_holds_ir(v) for v in params.values()):
        return "[" + ", ".join(f"{k}={v}" for k, v in params.items()) + "]"
    # sub-programs (a cond's branches, a loop's body) are printed nested, as a jaxpr prints them
    inner = indent + "  "
    items = [f"{inner}{k}={_param_value(v, name, inner)}" for k, v in params.items()]
    return "[\n" + "\n".join(items) + f"\n{indent}]"


def _holds_ir(value) -> bool:
    return isinstance(value, IR) or (isinstance(value, tuple) and any(isinstance(v, IR) for v in value))


def _param_value(value, name, indent: str) -> str:
    if isinstance(value, IR):
        return _format(value, name, indent)
    if _holds_ir(value):
        inner = indent + "  "
        return "(\n" + "\n".join(inner + _format(v, name, inner) for v in value) + f"\n{indent})"
    return str(value)


def format_ir(ir: IR) -> str:
    """Print an IR as `{ lambda consts; inputs. let eqns in (outs) }`."""
    return _format(ir, _namer(), "")


def _format(ir: IR, name, indent: str) -> str:
    typed = lambda v: f"{name(v)}:{v.aval!r}"  # noqa: E731
    consts = " ".join(typed(v) for v in ir.const_vars)
    inputs = " ".join(typed(v) for v in ir.in_vars)
    head = f"{{ lambda {consts + '; ' if consts else ''}{inputs}. let"
    lines = [head]
    for eqn in ir.eqns:
        operands = " ".join(name(a) for a in eqn.inputs)
        params = _params(eqn.params, name, indent + "    ")
        lines.append(f"{indent}    {typed(eqn.out)} = {eqn.prim.name}{params} {operands}")
    lines.append(f"{indent}  in ({', '.join(name(o) for o in ir.outs)}) }}")
    return "\n".join(lines)


def typecheck(ir: IR) -> None:
    """Raise TypeError unless every var is defined once before use and every aval matches its rule.

    Example:
        >>> import fgrad, numpy as np
        >>> typecheck(fgrad.make_ir(lambda x: x * 2.0)(np.ones(2)))
    """
    defined = set(ir.in_vars) | set(ir.const_vars)
    for i, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            if isinstance(a, Var) and a not in defined:
                raise TypeError(f"equation {i} ({eqn.prim.name}) uses a variable before its definition")
        if eqn.out in defined:
            raise TypeError(f"equation {i} ({eqn.prim.name}) redefines a variable")
        expected = eqn.prim.abstract(*[a.aval for a in eqn.inputs], **eqn.params)
        if expected != eqn.out.aval:
            raise TypeError(f"equation {i} ({eqn.prim.name}) has type {eqn.out.aval!r}, "
                            f"its rule says {expected!r}")
        defined.add(eqn.out)
        for value in eqn.params.values():
            for sub in value if isinstance(value, tuple) else (value,):
                if isinstance(sub, IR):
                    typecheck(sub)
    for o in ir.outs:
        if isinstance(o, Var) and o not in defined:
            raise TypeError("an output is not defined")
