"""NaN and infinity debugging: `fgrad.config.update("debug_nans", True)` (and "debug_infs").

With an option on, a program compiled from then on runs through a checking evaluator instead of the
backend: it computes one equation at a time with the primitives' NumPy implementations and raises
FloatingPointError at the first equation whose result holds a NaN (or an infinity), naming the
primitive and, for an equation of a backward pass, the forward operation it differentiates
("in the gradient of log") with the user's file:line where the IR records it. With both options off
nothing changes: `compile_checked` hands the IR to the backend as before.

Example:
    >>> import fgrad, fgrad.numpy as fnp
    >>> fgrad.config.update("debug_nans", True)
    >>> fgrad.jit(fnp.log)(-1.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    FloatingPointError: invalid value (nan) encountered in log...
    >>> fgrad.config.update("debug_nans", False)
"""

from __future__ import annotations

import numpy as np

from .config import config
from .core import IR, Eqn, Primitive, Site, Var, user_site


def compile_checked(ir: IR, backend: str | None = None):
    """The program for `ir`: the backend's, or the checking evaluator when debug_nans/debug_infs is on.

    Example:
        >>> import fgrad, numpy as np
        >>> program = compile_checked(fgrad.make_ir(lambda x: x * 2.0)(np.ones(2)))
        >>> program(np.ones(2))[0]
        array([2., 2.])
    """
    if config.debug_nans or config.debug_infs:
        return CheckedProgram(ir, nans=config.debug_nans, infs=config.debug_infs)
    from .backends import compile_ir
    return compile_ir(ir, backend)


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
        return "divide by zero or overflow (inf)"
    return None


def describe(eqn: Eqn, what: str) -> str:
    """`what` encountered in `eqn`, located at its forward operation, with the fix."""
    forward = eqn.origin
    site = (forward if forward is not None else eqn).where
    return _message(what, eqn.prim.name, None if forward is None else forward.prim.name, site)


def _message(what: str, name: str, gradient_of: str | None, site: Site | None) -> str:
    """jax's wording ("invalid value (nan) encountered in log"), then where and the fix."""
    text = f"{what} encountered in {name}"
    if gradient_of is not None:
        text += f", in the gradient of {gradient_of}"
    if site is not None:
        text += f" at {site}"
    return (f"{text}. The first NaN or infinity of the program appears here; check the operation's "
            "inputs (a log or sqrt of a negative number, 0/0, inf - inf), or turn the check off with "
            "fgrad.config.update('debug_nans', False)")
