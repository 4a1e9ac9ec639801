"""Constructors shared by the primitive files: shape rules and the elementwise families."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core import Aval, Lit, Primitive, Tracer, Var, shape_of
from ..errors import ShapeError


def complex_dtype(dtype) -> np.dtype:
    """The complex dtype holding values of the real or complex `dtype`: float32 -> complex64.

    Example:
        >>> complex_dtype(np.float32), complex_dtype("complex128")
        (dtype('complex64'), dtype('complex128'))
    """
    return np.result_type(np.dtype(dtype), np.complex64)


def real_dtype(dtype) -> np.dtype:
    """The real dtype of the parts of `dtype`: complex64 -> float32 (a real dtype is itself).

    Example:
        >>> real_dtype(np.complex64), real_dtype(np.float64)
        (dtype('float32'), dtype('float64'))
    """
    dtype = np.dtype(dtype)
    return np.dtype(np.float32 if dtype == np.complex64 else np.float64) if dtype.kind == "c" else dtype


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


def unary(name: str, fn: Callable, *, source: str, numpy: str, jax: str, numpy_out: str | None = None,
          scalar: str | None = None, abstract: Callable | None = None, **facts) -> Primitive:
    """An elementwise primitive of one operand, keeping shape and (unless `abstract` says otherwise)
    dtype."""
    return Primitive(name, abstract=abstract or (lambda x: x), impl=fn, source=source, elementwise=True,
                     numpy=numpy, numpy_out=numpy_out, jax=jax, scalar=scalar, **facts)


def binary(name: str, fn: Callable, *, source: str, numpy: str, numpy_out: str, jax: str, out_dtype=None,
           scalar: str | None = None, units: tuple = (None, None), **facts) -> Primitive:
    """An elementwise primitive of two operands of one dtype; `units` are its left and right identity
    elements (x * 1 is x), where it has them."""
    def abstract(x, y):
        if out_dtype is None and (x is y or (not y.shape and x.dtype == y.dtype)):
            return x      # the common cases, cheaply: avals are shared, and a literal is 0-d
        dtype = same_dtype(name, (x, y))
        return Aval(common_shape(name, (x, y)), out_dtype or dtype)
    identity = None if units == (None, None) else _unit_identity(*units)
    return Primitive(name, abstract=abstract, impl=fn, source=source, elementwise=True, numpy=numpy,
                     numpy_out=numpy_out, jax=jax, scalar=scalar, identity=identity, **facts)


def passes_as(atom, aval) -> bool:
    """Whether `atom` is an array of exactly `aval`, so it can stand for an output of that type."""
    return not isinstance(atom, Lit) and atom.aval == aval


def _is_value(atom, value) -> bool:
    return isinstance(atom, Lit) and atom.val == value


def _unit_identity(left, right) -> Callable:
    def identity(inputs, aval):
        x, y = inputs
        if right is not None and _is_value(y, right) and passes_as(x, aval):
            return x
        if left is not None and _is_value(x, left) and passes_as(y, aval):
            return y
        return None
    return identity


def same_type_identity(inputs, aval, **params):
    """The identity rule of a primitive that is a no-op when its output type is its operand's."""
    return inputs[0] if passes_as(inputs[0], aval) else None


def fold_first(scalars, avals, **params):
    """The fold rule of a primitive whose output is a part or rearrangement of its first operand:
    any part of a splat is the same splat."""
    return scalars[0]


def full_in(trace, shape, value, dtype) -> Tracer:
    """`value` broadcast to `shape`, recorded in `trace` even though no operand is traced."""
    from ..core import Eqn, Lit, _current_origin, recording_sites, site_for
    from .shape import broadcast_in_dim_p
    lit = np.dtype(dtype).type(value)
    out = Var(Aval(shape, lit.dtype))
    origin = _current_origin[-1]
    trace.record(Eqn(broadcast_in_dim_p, [Lit(lit)], {"shape": tuple(shape), "dims": ()}, out, origin,
                     site_for(origin) if recording_sites() else None))
    return Tracer(trace, out)


def splat(like, value, shape=None, dtype=None):
    """An array of `value` shaped like `like`, in `like`'s trace when traced (never a big constant)."""
    shape = shape_of(like) if shape is None else tuple(shape)
    dtype = np.dtype(dtype or like.dtype)
    if isinstance(like, Tracer):
        return full_in(like._trace, shape, value, dtype)
    return np.full(shape, value, dtype)
