"""Backends turn a closed IR into a callable: `numpy` (default, generated NumPy source) or `xla`."""

from __future__ import annotations

from ..config import BACKENDS, config
from ..core import IR


def resolve(backend: str | None) -> str:
    """The backend to use: the argument, else `fgrad.config.backend` (env FGRAD_BACKEND)."""
    name = backend or config.backend
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; choose one of {BACKENDS}")
    return name


def compile_ir(ir: IR, backend: str | None = None):
    """Compile `ir` with the chosen backend; the result is called with the flat input arrays."""
    if resolve(backend) == "xla":
        from . import xla
        return xla.compile_ir(ir)
    from .numpy_codegen import compile_ir as numpy_compile
    return numpy_compile(ir)
