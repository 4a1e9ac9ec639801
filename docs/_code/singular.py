"""Derivatives at singular points, computed by fgrad and by the libraries it is compared with.

Each `Case` is one row of the conventions table in docs/conventions.md. A case is written twice:
once against a jax.numpy-like namespace (run with `fgrad.grad` and with `jax.grad`), once against a
torch-like module (run with `fgrad.torch` and with PyTorch). Oracles that are not installed give
`None` cells.

Example:
    >>> row = evaluate(CASES[0])
    >>> row["fgrad"], row["fgrad.torch"]
    ((1.0,), (0.0,))
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

NAN = float("nan")
INF = float("inf")


@dataclass
class Case:
    """One singular point: the same function written for the functional API and for torch."""

    name: str
    point: tuple                       # one value (scalar or list) per differentiated input
    functional: Callable               # (ns, *xs) -> scalar, ns has .np and .nn
    torchy: Callable                   # (torch_module, *tensors) -> scalar tensor
    why: str
    subgradient: tuple | None = None   # where JAX gives NaN: the finite subgradient fgrad returns
    tags: tuple = field(default_factory=tuple)


def _norm(ns, x):
    linalg = getattr(ns.np, "linalg", None)
    norm = getattr(linalg, "norm", None)
    if norm is None:
        raise NotImplementedError("no linalg.norm")
    return norm(x)


CASES = [
    Case("abs(x) at x = 0", (0.0,), lambda ns, x: ns.np.abs(x), lambda t, x: t.abs(x),
         "every value in [-1, 1] is a subgradient; PyTorch takes sign(0) = 0, the middle one"),
    Case("clip(x, 0, 1) at x = 0 (lower bound)", (0.0,), lambda ns, x: ns.np.clip(x, 0.0, 1.0),
         lambda t, x: t.clamp(x, 0.0, 1.0),
         "JAX builds clip from maximum and minimum, so a bound is a tie and gets 1/2; "
         "PyTorch's clamp counts the bounds as inside and passes the gradient (1)"),
    Case("clip(x, 0, 1) at x = 1 (upper bound)", (1.0,), lambda ns, x: ns.np.clip(x, 0.0, 1.0),
         lambda t, x: t.clamp(x, 0.0, 1.0), "as at the lower bound"),
    Case("maximum(x, y) at x = y = 1", (1.0, 1.0), lambda ns, x, y: ns.np.maximum(x, y),
         lambda t, x, y: t.maximum(x, y), "a tie splits the gradient evenly: 1/2 each"),
    Case("max(x) over [1, 1, 0]", ([1.0, 1.0, 0.0],), lambda ns, x: ns.np.max(x),
         lambda t, x: t.max(x), "a full reduction splits the gradient evenly among the tied maxima"),
    Case("min(x) over [0, 0, 1]", ([0.0, 0.0, 1.0],), lambda ns, x: ns.np.min(x),
         lambda t, x: t.min(x), "as max"),
    Case("norm(x) at x = [0, 0]", ([0.0, 0.0],), _norm, lambda t, x: t.linalg.norm(x),
         "x / norm(x) is 0/0 at the origin; 0 is the subgradient of smallest norm",
         subgradient=([0.0, 0.0],)),
    Case("std(x) at x = [1, 1, 1]", ([1.0, 1.0, 1.0],), lambda ns, x: ns.np.std(x),
         lambda t, x: t.std(x, correction=0),
         "(x - mean) / (n std) is 0/0 when all values are equal; 0 is the smallest subgradient",
         subgradient=([0.0, 0.0, 0.0],)),
    Case("x ** y at x = 0, y = 0", (0.0, 0.0), lambda ns, x, y: x ** y, lambda t, x, y: x ** y,
         "x ** 0 is the constant 1, so d/dx is 0, but the formula y x^(y-1) gives 0 * inf; "
         "d/dy = log(x) x^y is taken as 0 at x = 0", subgradient=(0.0, 0.0)),
    Case("x ** y at x = 0, y = 0.5", (0.0, 0.5), lambda ns, x, y: x ** y, lambda t, x, y: x ** y,
         "d/dx = 0.5 / sqrt(x) is +inf: the true one-sided slope"),
    Case("x ** y at x = 0, y = 2", (0.0, 2.0), lambda ns, x, y: x ** y, lambda t, x, y: x ** y,
         "d/dx = 2x = 0; d/dy = log(0) * 0 is taken as 0"),
    Case("relu(x) at x = 0", (0.0,), lambda ns, x: ns.nn.relu(x), lambda t, x: t.relu(x),
         "0: the inactive side's slope"),
    Case("sqrt(x) at x = 0", (0.0,), lambda ns, x: ns.np.sqrt(x), lambda t, x: t.sqrt(x),
         "1 / (2 sqrt(0)) = +inf, the true one-sided slope"),
    Case("logsumexp(x) at x = [-inf, -inf]", ([-INF, -INF],), lambda ns, x: ns.nn.logsumexp(x),
         lambda t, x: t.logsumexp(x, 0),
         "the gradient softmax(x) is 0/0 when every entry is -inf"),
    Case("where(x > 0, sqrt(x), 0) at x = -1", (-1.0,),
         lambda ns, x: ns.np.where(x > 0, ns.np.sqrt(x), 0.0 * x),
         lambda t, x: t.where(x > 0, t.sqrt(x), 0.0 * x),
         "the unused branch still gets a zero cotangent, and 0 * (1 / (2 sqrt(-1))) = 0 * NaN = NaN",
         tags=("where",)),
    Case("double where at x = -1", (-1.0,),
         lambda ns, x: ns.np.where(x > 0, ns.np.sqrt(ns.np.where(x > 0, x, 1.0 + 0.0 * x)), 0.0 * x),
         lambda t, x: t.where(x > 0, t.sqrt(t.where(x > 0, x, 1.0 + 0.0 * x)), 0.0 * x),
         "the fix: feed the unused branch a safe value, so it never produces NaN", tags=("where",)),
]


# --- running one case in each library ------------------------------------------------------------

def _flat(values) -> tuple:
    out = []
    for v in values:
        arr = np.asarray(v, np.float64)
        out.append(float(arr) if arr.ndim == 0 else [float(a) for a in arr])
    return tuple(out)


def run_functional(case: Case, grad: Callable, ns, dtype) -> tuple:
    """Gradient of `case` with respect to every input, with a jax.grad-like `grad`."""
    args = [np.asarray(p, dtype) if isinstance(p, list) else dtype(p) for p in case.point]
    fun = lambda *xs: case.functional(ns, *xs)  # noqa: E731
    return _flat(grad(fun, argnums=tuple(range(len(args))))(*args))


def run_torch(case: Case, torch) -> tuple:
    """Gradient of `case` with respect to every input, with a torch-like module."""
    xs = [torch.tensor(p, requires_grad=True) for p in case.point]
    case.torchy(torch, *xs).backward()
    return _flat([np.zeros(np.shape(p)) if x.grad is None else x.grad.detach().numpy()
                  for x, p in zip(xs, case.point)])


def _try(fn, *args):
    try:
        return fn(*args)
    except Exception as exc:  # a library that cannot run the case gets an error cell
        return f"error: {type(exc).__name__}"


def libraries() -> dict:
    """The runners available here: name -> callable(case) or None when not importable."""
    import fgrad
    ns = types.SimpleNamespace(np=fgrad.numpy, nn=fgrad.nn)
    found = {"fgrad": lambda c: run_functional(c, fgrad.grad, ns, np.float64)}
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        jns = types.SimpleNamespace(np=jax.numpy, nn=jax.nn)
        found["jax"] = lambda c: run_functional(c, jax.grad, jns, np.float64)
    except ImportError:
        found["jax"] = None
    try:
        import fgrad.torch as ftorch
        found["fgrad.torch"] = (lambda c: run_torch(c, ftorch)) if hasattr(ftorch, "tensor") else None
    except ImportError:
        found["fgrad.torch"] = None
    try:
        import torch
        found["torch"] = lambda c: run_torch(c, torch)
    except ImportError:
        found["torch"] = None
    return found


def evaluate(case: Case, libs: dict | None = None) -> dict:
    """One table row: library name -> gradients (a tuple), an error string, or None."""
    libs = libraries() if libs is None else libs
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return {name: None if run is None else _try(run, case) for name, run in libs.items()}


# --- comparing and printing ----------------------------------------------------------------------

def same(a, b) -> bool:
    """Equal as gradients: NaN equals NaN, inf equals inf, tiny rounding is ignored."""
    if isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return False
    try:
        x, y = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
        if x.shape != y.shape:
            return False
        fx = np.array(np.hstack([np.ravel(v) for v in a]), np.float64)
        fy = np.array(np.hstack([np.ravel(v) for v in b]), np.float64)
    except (ValueError, TypeError):
        return False
    return fx.shape == fy.shape and bool(np.allclose(fx, fy, rtol=1e-6, atol=1e-12, equal_nan=True))


def expected_fgrad(case: Case, row: dict):
    """What fgrad.grad should return: JAX's answer, or the subgradient where JAX gives NaN."""
    jax_value = row.get("jax")
    has_nan = isinstance(jax_value, tuple) and any(
        math.isnan(v) for v in np.hstack([np.ravel(g) for g in jax_value]))
    if case.subgradient is not None and (jax_value is None or has_nan):
        return case.subgradient
    return jax_value


def fmt(value) -> str:
    """A table cell: `0`, `0.5`, `inf`, `nan`, `[0.5, 0.5, 0]`, and pairs as `d/dx; d/dy`."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    one = lambda v: "[" + ", ".join(map(_num, v)) + "]" if isinstance(v, list) else _num(v)  # noqa: E731
    return "; ".join(one(v) for v in value)


def _num(v: float) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.6g}"


def markdown_table(cases=CASES) -> str:
    """The conventions table as Markdown, computed now with every library that is installed."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return _table(cases, libraries())


def _table(cases, libs: dict) -> str:
    head = ("| at the singular point | fgrad.grad | jax.grad | fgrad.torch | torch | why |\n"
            "|---|---|---|---|---|---|")
    lines = [head]
    for case in cases:
        row = evaluate(case, libs)
        mark = _marks(case, row)
        cells = [fmt(row["fgrad"]) + mark["fgrad"], fmt(row["jax"]),
                 fmt(row["fgrad.torch"]) + mark["fgrad.torch"], fmt(row["torch"])]
        lines.append(f"| {case.name} | " + " | ".join(cells) + f" | {case.why} |")
    return "\n".join(lines)


def _marks(case: Case, row: dict) -> dict:
    """A footnote mark on cells where fgrad departs from its oracle (on purpose or not)."""
    marks = {"fgrad": "", "fgrad.torch": ""}
    want = expected_fgrad(case, row)
    if want is not None and not same(row["fgrad"], want):
        marks["fgrad"] = " **≠ JAX**" if want is row["jax"] else " **≠ subgradient " + fmt(want) + "**"
    elif row["jax"] is not None and not same(row["fgrad"], row["jax"]):
        marks["fgrad"] = " (JAX: nan; fgrad returns the subgradient)"
    if row["torch"] is not None and row["fgrad.torch"] is not None and \
            not same(row["fgrad.torch"], row["torch"]):
        marks["fgrad.torch"] = " **≠ torch**"
    return marks
