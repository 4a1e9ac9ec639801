"""Constructors shared by the primitive files: shape rules and the elementwise families."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import Aval, Primitive, Tracer, Var, shape_of
from ..errors import ShapeError


def common_shape(name: str, avals) -> tuple:
    """Elementwise operands share one shape; 0-d operands (literals) broadcast."""
    shapes = {a.shape for a in avals if a.shape}
    if len(shapes) > 1:
        raise ShapeError(f"{name}: operand shapes {[a.shape for a in avals]} differ")
    return shapes.pop() if shapes else ()


def same_dtype(name: str, avals) -> np.dtype:
    dtypes = {a.dtype for a in avals}
    if len(dtypes) > 1:
        raise ShapeError(f"{name}: operand dtypes {sorted(d.name for d in dtypes)} differ")
    return dtypes.pop()


def unary(name: str, fn: Callable, *, source: str, numpy: str, jax: str, scalar: str | None = None
          ) -> Primitive:
    """An elementwise primitive of one operand, keeping shape and dtype."""
    return Primitive(name, abstract=lambda x: x, impl=fn, source=source,
                     numpy=(numpy, numpy[:-1] + ", out={out})"), jax=jax, scalar=scalar)


def binary(name: str, fn: Callable, *, source: str, numpy: str, ufunc: str, jax: str,
           out_dtype=None, scalar: str | None = None) -> Primitive:
    """An elementwise primitive of two operands of one dtype."""
    def abstract(x, y):
        dtype = same_dtype(name, (x, y))
        return Aval(common_shape(name, (x, y)), out_dtype or dtype)
    inplace = ufunc + "({0}, {1}, out={out})"
    return Primitive(name, abstract=abstract, impl=fn, source=source, numpy=(numpy, inplace), jax=jax,
                     scalar=scalar)


def full_in(trace, shape, value, dtype) -> Tracer:
    """`value` broadcast to `shape`, recorded in `trace` even though no operand is traced."""
    from ..core import Eqn, Lit, _current_origin
    from .shape import broadcast_in_dim_p
    lit = np.dtype(dtype).type(value)
    out = Var(Aval(shape, lit.dtype))
    trace.record(Eqn(broadcast_in_dim_p, [Lit(lit)], {"shape": tuple(shape), "dims": ()}, out,
                     _current_origin[-1]))
    return Tracer(trace, out)


def splat(like, value, shape=None, dtype=None):
    """An array of `value` shaped like `like`, in `like`'s trace when traced (never a big constant)."""
    shape = shape_of(like) if shape is None else tuple(shape)
    dtype = np.dtype(dtype or like.dtype)
    if isinstance(like, Tracer):
        return full_in(like._trace, shape, value, dtype)
    return np.full(shape, value, dtype)
