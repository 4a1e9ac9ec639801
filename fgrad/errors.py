"""One exception class per common mistake, each saying what happened, where, and how to fix it.

Every message ends with a link to the errors page of the documentation, where the cause and the fix
are explained at length.
"""

from __future__ import annotations

import os
import re
import sys

import numpy as np

# The published documentation; mkdocs.yml's site_url is the same address.
SITE_URL = "https://fgrad.readthedocs.io/en/latest/"
DOCS = f"{SITE_URL}errors/"
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_JAX_DIR = f"{os.sep}jax{os.sep}"      # frames of jax's own tracing machinery are not the user's
# nor NumPy's: fgrad.numpy.ones is np.ones, which reads a traced shape inside NumPy
_NUMPY_DIR = os.path.dirname(os.path.abspath(np.__file__)) + os.sep


def user_location() -> str:
    """Return ``file:line`` of the innermost stack frame outside the fgrad package.

    Error messages use it to point at the user's line rather than at fgrad's internals.

    Returns:
        ``"path:line"`` of the caller outside fgrad, or ``"<unknown location>"``.

    Example:
        >>> user_location().rsplit(":", 1)[1].isdigit()
        True
    """
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        inside = filename.startswith((_PACKAGE_DIR, _NUMPY_DIR, "<fgrad")) or _JAX_DIR in filename
        if not inside:
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return "<unknown location>"


def _with_link(message: str, anchor: str) -> str:
    return f"{message}\n(more on this error: {DOCS}#{anchor})"


class FgradError(Exception):
    """Base class of the errors fgrad raises for a user's mistake."""


class NonScalarOutputError(FgradError, TypeError):
    """`grad` was asked to differentiate a function whose output is not a scalar.

    Also a TypeError, as jax raises. Fix: reduce the output (`.sum()`), or use `vjp`/`jacrev`.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.grad(lambda x: x * 2)(np.ones(2))
        ... except fgrad.NonScalarOutputError as error:
        ...     print(type(error).__name__, isinstance(error, TypeError))
        NonScalarOutputError True
    """

    def __init__(self, shape: tuple | None, where: str, structure: str | None = None):
        if structure is not None:
            super().__init__(_with_link(
                f"grad requires a function with one scalar output, but it returned {structure} (at {where}). "
                "If the extra values are auxiliary data (metrics, intermediate results), pass has_aux=True: "
                "grad(f, has_aux=True) returns (gradient, aux) and the function must return (loss, aux).",
                "non-scalar-output"))
            return
        super().__init__(_with_link(
            f"grad requires a function with a scalar output, but the output has shape {shape} "
            f"(at {where}). Reduce it first, e.g. return `out.sum()` or `out.mean()`, or use "
            "fgrad.vjp(fun, x) to pull back a cotangent of that shape.", "non-scalar-output"))


class IntegerInputError(FgradError, TypeError):
    """A differentiated argument has an integer or boolean dtype.

    Also a TypeError. Fix: pass floats (`3.0`, `x.astype(float)`), or leave the argument out of `argnums`.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.grad(lambda x: x * 2)(3)
        ... except fgrad.IntegerInputError as error:
        ...     print(type(error).__name__, isinstance(error, TypeError))
        IntegerInputError True
    """

    def __init__(self, dtype, position: str, where: str):
        super().__init__(_with_link(
            f"grad requires real floating-point inputs, but {position} has dtype {dtype} "
            f"(at {where}). Convert it first, e.g. `x.astype(float)` or pass `2.0` instead of `2`; "
            "if it is data you do not differentiate, leave it out of argnums.", "integer-input"))


# jax's first sentence for a read of a traced value (the words people search for); fgrad's follow it
_ABSTRACT = "Abstract tracer value encountered where concrete value is expected: traced array with shape {}"
_JAX_WORDS = {"`if`/`while`/bool() on a traced value": "Attempted boolean conversion of traced array with shape {}.",
              "an index": "The __index__() method was called on traced array with shape {}",
              "float()": _ABSTRACT, "int()": _ABSTRACT, "complex()": _ABSTRACT, ".item()": _ABSTRACT}
_KINDS = {"f": "float", "i": "int", "u": "uint", "c": "complex"}


def _jax_type(aval: str) -> str:
    """fgrad's short type in jax's words: f64[3] is float64[3], i64[] int64[]."""
    match = re.fullmatch(r"([fiuc])(\d+)(\[.*\])", aval)
    return f"{_KINDS[match[1]]}{match[2]}{match[3]}" if match else aval


class ConcretizationError(FgradError, TypeError):
    """A traced value was read as a Python value where no concrete value exists (under `jit`).

    Also a TypeError. Fix: `fgrad.numpy.where` or `fgrad.lax.cond` instead of `if`, or make the
    argument static (`static_argnums`).

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.jit(lambda x: x if x > 0 else -x)(1.0)
        ... except fgrad.ConcretizationError as error:
        ...     print(type(error).__name__, isinstance(error, TypeError))
        ConcretizationError True
    """

    def __init__(self, what: str, aval: str, where: str):
        lead = _JAX_WORDS.get(what)
        lead = "" if lead is None else lead.format(_jax_type(aval)) + "\n"
        super().__init__(_with_link(
            f"{lead}{what} needs the concrete value of a traced array {aval} at {where}, but inside `jit` "
            "(and inside the functions given to fgrad.lax) values are abstract. For an `if`, use "
            "fgrad.lax.cond(pred, true_fun, false_fun, *operands) or fgrad.numpy.where(cond, a, b); "
            "for a `while` loop, fgrad.lax.while_loop(cond_fun, body_fun, init) (or fgrad.lax.fori_loop "
            "/ fgrad.lax.scan, which reverse mode can differentiate); or mark the argument static with "
            "jit(fun, static_argnums=...).", "concretization"))


class TracerLeakError(FgradError, RuntimeError):
    """A tracer escaped the transform that created it and was used afterwards.

    Also a RuntimeError. Fix: return the value from the function instead of storing it outside.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     saved = []; _ = fgrad.grad(lambda x: saved.append(x) or x)(1.0); saved[0] + 1
        ... except fgrad.TracerLeakError as error:
        ...     print(type(error).__name__, isinstance(error, RuntimeError))
        TracerLeakError True
    """

    def __init__(self, transform: str, where: str):
        super().__init__(_with_link(
            f"a traced value created by `{transform}` was used at {where} after that transform "
            "finished (it leaked, e.g. through a global, a list or a closure). Return the value "
            "from the function instead of storing it.", "tracer-leak"))


class TracerArrayConversionError(FgradError, TypeError):
    """A traced value was handed to plain NumPy, which would drop its derivative.

    Also a TypeError. Fix: use `fgrad.numpy` (`fnp.sin`) inside transformed functions.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.grad(lambda x: np.sin(np.asarray(x)))(1.0)
        ... except fgrad.TracerArrayConversionError as error:
        ...     print(type(error).__name__, isinstance(error, TypeError))
        TracerArrayConversionError True
    """

    def __init__(self, aval: str, where: str):
        super().__init__(_with_link(
            f"a traced array {aval} was converted to a NumPy array or a Python number at {where}; "
            "that would silently drop its derivative. Use fgrad.numpy (import fgrad.numpy as fnp) "
            "inside functions you transform, or fgrad.stop_gradient(x) for values that should be "
            "constants.",
            "array-conversion"))


class ArgnumsError(FgradError, ValueError, TypeError):
    """`argnums` (or `static_argnums`) is not a valid choice of positional arguments.

    Both a ValueError and a TypeError, so code catching either of jax's classes catches it.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.grad(lambda x: x, argnums=2)(1.0)
        ... except fgrad.ArgnumsError as error:
        ...     print(type(error).__name__, isinstance(error, ValueError))
        ArgnumsError True
    """

    def __init__(self, argnums, nargs: int | None, where: str, what: str = "argnums", problem: str | None = None):
        if problem is None:
            problem = f"the function was called with {nargs} positional argument(s)"
        hint = f"indices in range({nargs})" if nargs is not None else "an int or a tuple of distinct ints"
        super().__init__(_with_link(
            f"{what}={argnums!r}: {problem} (at {where}). Use {hint}, e.g. {what}=0 or {what}=(0, 1).",
            "bad-argnums"))


class MissingRuleError(FgradError, NotImplementedError):
    """A primitive has no rule for the requested transform or backend."""

    def __init__(self, primitive: str, slot: str, path: str, fix: str | None = None):
        fix = fix or f"add it next to the primitive's other rules in {path}"
        super().__init__(_with_link(f"primitive `{primitive}` has no {slot} rule; {fix}.", "missing-rule"))


class ShapeError(FgradError, ValueError):
    """Operand shapes or dtypes that an operation cannot combine.

    Also a ValueError, as NumPy raises for plain arrays.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.jit(lambda x, y: x + y)(np.ones(2), np.ones(3))
        ... except fgrad.ShapeError as error:
        ...     print(type(error).__name__, isinstance(error, ValueError))
        ShapeError True
    """

    def __init__(self, message: str, where: str | None = None):
        where = where or user_location()
        super().__init__(_with_link(f"{message} (at {where})", "shape-mismatch"))


class GuardFailure(Exception):
    """Internal signal: a cached program traced along another Python branch; retrace."""


class AxisError(ShapeError, np.exceptions.AxisError):
    """An axis argument outside an array's dimensions, or repeated where each axis may appear once.

    A ValueError and an IndexError, like numpy.exceptions.AxisError, so code written for NumPy catches it.

    Example:
        >>> import fgrad, fgrad.numpy as fnp, numpy as np
        >>> try:
        ...     fgrad.jit(lambda x: fnp.sum(x, axis=2))(np.ones(2))
        ... except fgrad.AxisError as error:
        ...     print(type(error).__name__, isinstance(error, IndexError))
        AxisError True
    """
