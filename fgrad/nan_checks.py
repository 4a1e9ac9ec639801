"""NaN and infinity debugging: `fgrad.config.update("debug_nans", True)` (and "debug_infs"), or for a
block of code `with fgrad.debug_nans(True):` (and `fgrad.debug_infs`), as in jax.

With an option on, fgrad checks what jax checks. A program of `grad`, `vjp`, `jvp` or `vmap` (which
jax runs one operation at a time) runs through a checking evaluator instead of the backend: it
computes one equation at a time with the primitives' NumPy implementations and raises
FloatingPointError at the first equation whose result holds a NaN (or an infinity). A `jit` program
runs as compiled and only its outputs are checked, as jax.jit's are; when one holds a NaN, fgrad says
so on stdout (as jax does) and runs the checking evaluator on the same arguments to find the equation
that made it. The message's first line is jax's ("invalid value (nan) encountered in log"); the next
lines give, for an equation of a backward pass, the forward operation it differentiates ("in the
gradient of log"), the user's file:line where the IR records it, and the fix. With both options off
nothing changes: `compile_checked` hands the IR to the backend as before.

Example:
    >>> import fgrad, fgrad.numpy as fnp
    >>> with fgrad.debug_nans(True):
    ...     fgrad.grad(fnp.sqrt)(-1.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FloatingPointError: invalid value (nan) encountered in sqrt...
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from .config import config
from .core import IR, Eqn, Primitive, Site, Var, user_site


def compile_checked(ir: IR, backend: str | None = None, *, outputs_only: bool = False):
    """The program for `ir`: the backend's, or a checked one while debug_nans/debug_infs is on.

    Args:
        ir: the program.
        backend: "numpy" or "xla" (None: `fgrad.config.backend`).
        outputs_only: check only the compiled program's outputs, and run the checking evaluator
            when one holds a NaN (jit's way, as jax.jit's); else run the checking evaluator itself.

    Returns:
        A callable taking the flat input arrays and returning the tuple of outputs.

    Example:
        >>> import fgrad, numpy as np
        >>> program = compile_checked(fgrad.make_ir(lambda x: x * 2.0)(np.ones(2)))
        >>> program(np.ones(2))[0]
        array([2., 2.])
    """
    from .backends import compile_ir
    if not (config.debug_nans or config.debug_infs):
        return compile_ir(ir, backend)
    checked = CheckedProgram(ir, nans=config.debug_nans, infs=config.debug_infs)
    return OutputCheckedProgram(compile_ir(ir, backend), checked) if outputs_only else checked


@contextlib.contextmanager
def debug_nans(flag: bool) -> Iterator[None]:
    """A context in which the `debug_nans` option is `flag`, restored on leaving it (as `jax.debug_nans`).

    Args:
        flag: True to check programs for NaNs, False not to.

    Returns:
        A context manager.

    Raises:
        TypeError: `flag` is not a bool.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> with fgrad.debug_nans(False):
        ...     print(fgrad.jit(fnp.log)(-1.0))
        nan
    """
    with _option("debug_nans", flag):
        yield


@contextlib.contextmanager
def debug_infs(flag: bool) -> Iterator[None]:
    """A context in which the `debug_infs` option is `flag`, restored on leaving it (as `jax.debug_infs`).

    Args:
        flag: True to check programs for infinities, False not to.

    Returns:
        A context manager.

    Raises:
        TypeError: `flag` is not a bool.

    Example:
        >>> import fgrad
        >>> with fgrad.debug_infs(True):
        ...     try:
        ...         fgrad.jit(lambda x: 1.0 / x)(0.0)
        ...     except FloatingPointError as error:
        ...         print(str(error).splitlines()[0])
        Invalid inf value encountered in the output of a fgrad.jit function. Calling the de-optimized version.
        invalid value (inf) encountered in div
    """
    with _option("debug_infs", flag):
        yield


@contextlib.contextmanager
def _option(name: str, flag: bool) -> Iterator[None]:
    before = getattr(config, name)
    config.update(name, flag)
    try:
        yield
    finally:
        config.update(name, before)


class OutputCheckedProgram:
    """Runs the backend's program and checks its outputs; at a NaN (or inf) there, it says so and runs
    the checking evaluator on the same arguments, which raises at the equation that made it."""

    def __init__(self, program, checked: CheckedProgram):
        self.program, self.checked = program, checked
        self.source = getattr(program, "source", checked.source)

    def as_text(self) -> str:
        """The backend program's text (its generated source)."""
        return self.program.as_text() if hasattr(self.program, "as_text") else self.source

    def __call__(self, *args):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):   # reported below instead
            outs = self.program(*args)
        what = next((w for w in map(self._found, outs) if w is not None), None)
        if what is None:
            return outs
        print(f"Invalid {'nan' if 'nan' in what else 'inf'} value encountered in the output of a "
              "fgrad.jit function. Calling the de-optimized version.")
        self.checked(*args)             # raises at the first equation making one
        raise FloatingPointError(
            f"{what} encountered in the output of a fgrad.jit function, but no equation of its program "
            "makes one when evaluated one at a time with NumPy on the same arguments: an argument or "
            "a constant holding it reaches the output, or the backend's compiled program computed it "
            "differently (compare with fgrad.config.update('backend', 'numpy')). Turn the check off "
            "with fgrad.config.update('debug_nans', False)")

    def _found(self, out) -> str | None:
        values = np.asarray(out)
        return _found(values, self.checked.nans, self.checked.infs) if values.dtype.kind in "fc" else None

class CheckedProgram:
    """Evaluates an IR equation by equation, raising FloatingPointError at the first NaN (or inf)."""

    def __init__(self, ir: IR, nans: bool = True, infs: bool = False):
        self.ir, self.nans, self.infs = ir, nans, infs
        self.source = "# checked evaluation (fgrad.config.debug_nans / debug_infs): no generated source"

    def __call__(self, *args):
        ir = self.ir
        env = dict(zip(ir.in_vars, args))
        env.update(zip(ir.const_vars, ir.consts))
        read = lambda a: env[a] if isinstance(a, Var) else a.val  # noqa: E731
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):   # reported below instead
            for eqn in ir.eqns:
                out = eqn.prim.impl(*[read(a) for a in eqn.inputs], **eqn.params)
                self._check(eqn, out)
                env[eqn.out] = out
        return tuple(np.asarray(read(o)) for o in ir.outs)

    def _check(self, eqn: Eqn, out) -> None:
        if not eqn.out.aval.is_float:
            return
        what = _found(np.asarray(out), self.nans, self.infs)
        if what is not None:
            raise FloatingPointError(describe(eqn, what))


def checked_impl(prim: Primitive, args: tuple, params: dict):
    """`prim` computed eagerly, raising FloatingPointError (at the user's line) if it makes a NaN or inf."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):   # reported below instead
        out = prim.impl(*args, **params)
    values = np.asarray(out)
    if values.dtype.kind in "fc":
        what = _found(values, config.debug_nans, config.debug_infs)
        if what is not None:
            raise FloatingPointError(_message(what, prim.name, None, user_site()))
    return out


def _found(values: np.ndarray, nans: bool, infs: bool) -> str | None:
    if nans and np.isnan(values).any():
        return "invalid value (nan)"
    if infs and np.isinf(values).any():
        return "invalid value (inf)"
    return None


def describe(eqn: Eqn, what: str) -> str:
    """`what` encountered in `eqn`, located at its forward operation, with the fix."""
    forward = eqn.origin
    site = (forward if forward is not None else eqn).where
    return _message(what, eqn.prim.name, None if forward is None else forward.prim.name, site)


def _message(what: str, name: str, gradient_of: str | None, site: Site | None) -> str:
    """jax's words on the first line ("invalid value (nan) encountered in log"), then where and the fix."""
    place = "" if gradient_of is None else f"in the gradient of {gradient_of} "
    place += "" if site is None else f"at {site} "
    return (f"{what} encountered in {name}\n  {place}(the first NaN or infinity of the program appears "
            "here).\n  Check the operation's inputs (a log or sqrt of a negative number, 0/0, inf - inf), "
            "or turn the check off with fgrad.config.update('debug_nans', False)")
