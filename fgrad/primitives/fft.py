"""Discrete Fourier transforms over an array's trailing axes, as jax.lax.fft: fft, ifft, rfft, irfft.

Each primitive transforms the last `len(lengths)` axes, unnormalised forward and 1/N inverse
(NumPy's "backward" norm); fgrad.numpy.fft moves axes, pads or truncates and scales around them.
The transforms are linear, so each jvp applies the primitive to the tangent and each vjp is the
transpose, with no conjugation (jax's convention): the DFT matrix is symmetric, so fft and ifft
are their own transposes; rfft's transpose pads the cotangent to the full spectrum and takes the
real part of its fft; irfft's is jax's weighted, conjugated rfft.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Aval, Primitive, bind
from ..errors import ShapeError
from ._base import complex_dtype, real_dtype, splat
from .complex import conj, real
from .shape import concatenate_p

SRC = "fgrad/primitives/fft.py"


def _axes(lengths) -> tuple:
    return tuple(range(-len(lengths), 0))


def _half(n: int) -> int:
    """The length of the non-negative-frequency half of a real signal's spectrum."""
    return n // 2 + 1


def _fft(x, lengths):
    """The n-dimensional DFT of `x`'s trailing axes, in `x`'s (complex) precision."""
    return np.fft.fftn(x, axes=_axes(lengths)).astype(np.result_type(x), copy=False)


def _ifft(x, lengths):
    """The inverse DFT (scaled by 1/N) of `x`'s trailing axes."""
    return np.fft.ifftn(x, axes=_axes(lengths)).astype(np.result_type(x), copy=False)


def _rfft(x, lengths):
    """The DFT of a real `x`'s trailing axes, keeping the non-negative frequencies of the last one."""
    return np.fft.rfftn(x, axes=_axes(lengths)).astype(complex_dtype(np.result_type(x)), copy=False)


def _irfft(x, lengths):
    """The real signal of lengths `lengths` whose half spectrum is `x` (scaled by 1/N)."""
    return np.fft.irfftn(x, s=lengths, axes=_axes(lengths)).astype(real_dtype(np.result_type(x)), copy=False)


def _check(name: str, x: Aval, lengths: tuple, kind: str, trailing: tuple) -> None:
    if x.dtype.kind != kind:
        wanted = "complex" if kind == "c" else "real floating-point"
        raise TypeError(f"{name}: expects a {wanted} operand, got {x.dtype}")
    if not lengths or len(lengths) > x.ndim or x.shape[x.ndim - len(lengths):] != trailing:
        raise ShapeError(f"{name}: an operand of shape {x.shape} does not end in the axes {trailing} that "
                         f"fft lengths {lengths} need")


def _fft_abstract(name: str):
    def abstract(x, *, lengths):
        _check(name, x, lengths, "c", tuple(lengths))
        return x
    return abstract


def _rfft_abstract(x, *, lengths):
    _check("rfft", x, lengths, "f", tuple(lengths))
    return Aval(x.shape[:-1] + (_half(lengths[-1]),), complex_dtype(x.dtype))


def _irfft_abstract(x, *, lengths):
    _check("irfft", x, lengths, "c", tuple(lengths[:-1]) + (_half(lengths[-1]),))
    return Aval(x.shape[:-1] + (lengths[-1],), real_dtype(x.dtype))


def _trailing_rule(prim):
    """The batching rule of a transform of trailing axes: the batch on axis 0 is just another axis."""
    return lambda args, batched, *, size, lengths: bind(prim, args[0], lengths=lengths)


def _primitive(name: str, abstract, impl) -> Primitive:
    prim = Primitive(name, abstract=abstract, impl=impl, source=SRC, numpy=f"_{name}({{0}}, {{lengths}})",
                     helpers={f"_{name}": impl}, jax=f'lax.fft({{0}}, "{name.upper()}", {{lengths}})')
    prim.def_jvp(lambda p, t, out, *, lengths: bind(prim, t[0], lengths=lengths))
    prim.def_batch(_trailing_rule(prim))
    return prim


fft_p = _primitive("fft", _fft_abstract("fft"), _fft)
fft_p.def_vjp(lambda ct, x, out, *, lengths: [bind(fft_p, ct, lengths=lengths)])

ifft_p = _primitive("ifft", _fft_abstract("ifft"), _ifft)
ifft_p.def_vjp(lambda ct, x, out, *, lengths: [bind(ifft_p, ct, lengths=lengths)])

rfft_p = _primitive("rfft", _rfft_abstract, _rfft)


@rfft_p.def_vjp
def _rfft_vjp(ct, x, out, *, lengths):
    # rfft is the first half of the complex fft: zeros for the rest, then fft's own transpose
    ndim, n = len(ct.shape), lengths[-1]
    rest = splat(ct, 0, shape=ct.shape[:-1] + (n - _half(n),))
    full = bind(concatenate_p, ct, rest, axis=ndim - 1) if n > _half(n) else ct
    return [real(bind(fft_p, full, lengths=lengths))]


irfft_p = _primitive("irfft", _irfft_abstract, _irfft)


def irfft_weights(lengths, dtype) -> np.ndarray:
    """How often each bin of a half spectrum occurs in the full one (1 for 0 and n/2, else 2), over N."""
    n, half = lengths[-1], _half(lengths[-1])
    weights = np.full(half, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    return (weights / math.prod(lengths)).astype(dtype)


@irfft_p.def_vjp
def _irfft_vjp(ct, x, out, *, lengths):
    spectrum = bind(rfft_p, ct, lengths=lengths)
    return [conj(spectrum * irfft_weights(lengths, spectrum.dtype))]
