"""fgrad.numpy.fft: discrete Fourier transforms, as jax.numpy.fft (and numpy.fft) name them.

Each transform moves the axes it works on to the end, crops or zero-pads them to the lengths asked
for (`n`, `s`), applies one fft primitive to the trailing axes and scales by `norm`; so gradients,
forward mode and vmap come from the primitives' rules. Inputs are promoted as jax does: real
inputs to fft become complex, integers become float64 (complex128).

Example:
    >>> import fgrad.numpy as fnp
    >>> fnp.fft.fft(fnp.array([1.0, 0.0, 0.0, 0.0]))
    array([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
"""

from __future__ import annotations

import math
import operator

import numpy as np

from .._checks import _axis, _axis_tuple
from ..core import bind, ndim_of, shape_of
from ..primitives import fft as _fft
from ..primitives._base import splat
from ..primitives.complex import to_complex
from ..primitives.shape import concatenate_p, gather, transpose

_NORMS = (None, "backward", "ortho", "forward")
_MAX_AXES = 3          # what one lax.fft call transforms; more axes are transformed in turn


# --- operands ----------------------------------------------------------------------------------

def _inexact(x, name: str):
    """`x` as an array of its floating-point (or complex) dtype: integers and bools as float64."""
    from . import asarray, astype
    x = x if hasattr(x, "dtype") and hasattr(x, "shape") else asarray(x)
    if x.dtype.kind in "fc":
        return x
    if x.dtype.kind not in "biu":
        raise TypeError(f"fgrad.numpy.fft.{name}: expects a numeric array, got dtype {x.dtype}")
    return astype(x, np.float64)


def _complex_in(x, name: str):
    x = _inexact(x, name)
    return to_complex(x) if x.dtype.kind != "c" else x


def _real_in(x, name: str):
    x = _inexact(x, name)
    if x.dtype.kind == "c":
        raise ValueError(f"only real valued inputs supported for {name}; take fgrad.numpy.real(x) first, "
                         "or use fft for a complex signal")
    return x


# --- axes, lengths and norm --------------------------------------------------------------------

def _plan(name: str, x, s, axes) -> tuple[list, list | None]:
    """The (checked, non-negative) axes to transform and the lengths asked for, as jax reads them."""
    ndim = ndim_of(x)
    if s is not None:
        s = [operator.index(d) for d in (s if isinstance(s, (tuple, list)) else (s,))]
        if any(d < 1 for d in s):
            raise ValueError(f"fgrad.numpy.fft.{name}: lengths must be positive, got s={tuple(s)}")
        if axes is not None and len(s) != len(_seq(axes)):
            raise ValueError(f"fgrad.numpy.fft.{name}: s={tuple(s)} and axes={tuple(_seq(axes))} have "
                             "different lengths; pass one length per axis")
    if axes is None:
        axes = list(range(ndim - len(s), ndim)) if s is not None else list(range(ndim))
        if any(a < 0 for a in axes):
            raise ValueError(f"fgrad.numpy.fft.{name}: s={tuple(s)} has more lengths than the array of "
                             f"shape {shape_of(x)} has axes")
    else:
        given, axes = tuple(_seq(axes)), [_axis(a, ndim) for a in _seq(axes)]
        if len(set(axes)) != len(axes):
            raise ValueError(f"fgrad.numpy.fft.{name} does not support repeated axes, got axes {given}; "
                             "transform each axis once")
    return axes, s


def _seq(axes):
    return axes if isinstance(axes, (tuple, list)) else (axes,)


def _norm_scale(name: str, norm, lengths) -> float | None:
    """The factor `norm` multiplies the transform by (None: no scaling)."""
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm!r}; should be "backward", "ortho" or "forward"')
    if norm in (None, "backward"):
        return None
    size = math.prod(lengths)
    inverse = name.startswith("i")
    if norm == "ortho":
        return math.sqrt(size) if inverse else 1 / math.sqrt(size)
    return size if inverse else 1 / size


def _resize(x, axis: int, length: int):
    """`x` cropped or zero-padded at the end of `axis` to `length`."""
    have = shape_of(x)[axis]
    if have > length:
        spec = (("slice", None, None, None),) * axis + (("slice", 0, length, None),)
        return gather(x, (), spec)
    if have < length:
        zeros = splat(x, 0, shape=shape_of(x)[:axis] + (length - have,) + shape_of(x)[axis + 1:])
        return bind(concatenate_p, x, zeros, axis=axis)
    return x


def _to_end(x, axes: list):
    """`x` with `axes` moved to the end in their order; and the permutation that undoes it."""
    ndim = ndim_of(x)
    perm = [a for a in range(ndim) if a not in axes] + list(axes)
    return transpose(x, perm), [int(k) for k in np.argsort(perm)]


# --- the transforms ----------------------------------------------------------------------------

_PRIMS = {"fft": _fft.fft_p, "ifft": _fft.ifft_p, "rfft": _fft.rfft_p, "irfft": _fft.irfft_p}


def _apply(kind: str, x, lengths: tuple):
    """The transform of `x`'s trailing axes with `lengths`: one primitive over the last (up to)
    three, the complex transform over the axes before them (first, for irfft's complex input)."""
    split = max(0, len(lengths) - _MAX_AXES)
    if kind == "irfft":
        x = _leading(x, "ifft", lengths[:split], len(lengths))
    x = bind(_PRIMS[kind], x, lengths=lengths[split:])
    if kind != "irfft":
        x = _leading(x, "ifft" if kind == "ifft" else "fft", lengths[:split], len(lengths))
    return x


def _leading(x, kind: str, lengths: tuple, total: int):
    """The complex transform of the first `len(lengths)` of `x`'s last `total` axes, three at a time."""
    first = ndim_of(x) - total
    for start in range(0, len(lengths), _MAX_AXES):
        group = lengths[start:start + _MAX_AXES]
        moved, back = _to_end(x, list(range(first + start, first + start + len(group))))
        x = transpose(bind(_PRIMS[kind], moved, lengths=group), back)
    return x


def _transform(name: str, kind: str, a, s, axes, norm):
    x = _real_in(a, name) if kind == "rfft" else _complex_in(a, name)
    axes, s = _plan(name, x, s, axes)
    if not axes:
        return x
    if s is None:
        s = [shape_of(x)[ax] for ax in axes]
        if kind == "irfft":
            s[-1] = 2 * (s[-1] - 1)
            if s[-1] < 1:
                raise ValueError(f"fgrad.numpy.fft.{name}: the spectrum along axis {axes[-1]} has one "
                                 "element, so the signal length is 0; pass n (or s) explicitly")
    moved, back = _to_end(x, axes)
    ndim = ndim_of(moved)
    for k, length in enumerate(s):
        kept = length // 2 + 1 if kind == "irfft" and k == len(s) - 1 else length
        moved = _resize(moved, ndim - len(s) + k, kept)
    out = _apply(kind, moved, tuple(s))
    scale = _norm_scale(name, norm, s)
    if scale is not None:
        out = out * scale
    return transpose(out, back)


def _one_axis(name: str, kind: str, a, n, axis, norm):
    x = _inexact(a, name)
    axis = _axis(axis, ndim_of(x))
    return _transform(name, kind, x, None if n is None else [n], [axis], norm)


def fft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """The one-dimensional DFT along `axis` (cropped or zero-padded to `n`), as numpy.fft.fft.

    Args:
        a: the input array, real or complex; integers become float64.
        n: the length along `axis` (the input is cropped or zero-padded); None: the input's.
        axis: the axis to transform.
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" (1/sqrt(n) both
            ways) or "forward" (1/n forward).

    Returns:
        A complex array shaped like `a`, with length `n` along `axis`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names, or `n` is not positive.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.fft(fnp.array([0.0, 1.0]))
        array([ 1.+0.j, -1.+0.j])
    """
    return _one_axis("fft", "fft", a, n, axis, norm)


def ifft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """The one-dimensional inverse DFT along `axis`, as numpy.fft.ifft.

    Args:
        a: the input array, real or complex; integers become float64.
        n: the length along `axis` (the input is cropped or zero-padded); None: the input's.
        axis: the axis to transform.
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" (1/sqrt(n) both
            ways) or "forward" (1/n forward).

    Returns:
        A complex array shaped like `a`, with length `n` along `axis`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names, or `n` is not positive.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.ifft(fnp.array([1.0, 1.0]))
        array([1.+0.j, 0.+0.j])
    """
    return _one_axis("ifft", "ifft", a, n, axis, norm)


def rfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """The DFT of a real signal along `axis`, non-negative frequencies only, as numpy.fft.rfft.

    Args:
        a: the input array, real; integers become float64.
        n: the length of the signal along `axis` (the input is cropped or zero-padded); None: the input's.
        axis: the axis to transform.
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" (1/sqrt(n) both
            ways) or "forward" (1/n forward).

    Returns:
        A complex array with `n // 2 + 1` entries along `axis`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names, `n` is not positive, or `a` is complex
            (take its real part first).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.rfft(fnp.array([1.0, 2.0, 3.0, 4.0]))
        array([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _one_axis("rfft", "rfft", a, n, axis, norm)


def irfft(a, n: int | None = None, axis: int = -1, norm: str | None = None):
    """The real signal of length `n` (default 2 * (m - 1)) whose half spectrum is `a`, as numpy.fft.irfft.

    Args:
        a: the input array (a half spectrum, complex); integers become float64.
        n: the length of the output signal along `axis` (the input is cropped or zero-padded);
            None: 2 * (m - 1) for m input entries.
        axis: the axis to transform.
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" (1/sqrt(n) both
            ways) or "forward" (1/n forward).

    Returns:
        A real array with length `n` along `axis`; the imaginary parts of the zero (and Nyquist)
        frequencies are ignored, as in NumPy.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names, or `n` is not positive.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.irfft(fnp.array([10.0, -2.0 + 2.0j, -2.0]))
        array([1., 2., 3., 4.])
    """
    return _one_axis("irfft", "irfft", a, n, axis, norm)


def fftn(a, s=None, axes=None, norm: str | None = None):
    """The n-dimensional DFT over `axes` (default: all, or the last len(s)), as numpy.fft.fftn.

    Args:
        a: the input array, real or complex; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (None: all, or the last len(s)).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array with the lengths `s` along `axes`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.fftn(fnp.ones((2, 2))).real
        array([[4., 0.],
               [0., 0.]])
    """
    return _transform("fftn", "fft", a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm: str | None = None):
    """The n-dimensional inverse DFT, as numpy.fft.ifftn.

    Args:
        a: the input array, real or complex; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (None: all, or the last len(s)).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array with the lengths `s` along `axes`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.ifftn(fnp.array([[4.0, 0.0], [0.0, 0.0]])).real
        array([[1., 1.],
               [1., 1.]])
    """
    return _transform("ifftn", "ifft", a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm: str | None = None):
    """The n-dimensional DFT of a real array, halving the last axis, as numpy.fft.rfftn.

    Args:
        a: the input array, real; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (None: all, or the last len(s)); the last one is halved.
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array; the last of `axes` has `s[-1] // 2 + 1` entries.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated; `a` is complex (take its real part first).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.rfftn(fnp.ones((2, 4))).shape
        (2, 3)
    """
    return _transform("rfftn", "rfft", a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm: str | None = None):
    """The real n-dimensional array whose half spectrum is `a`, as numpy.fft.irfftn.

    Args:
        a: the input array (a half spectrum along the last axis); integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded) of the output; None: the input's.
        axes: the axes to transform (None: all, or the last len(s)).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A real array; the last of `axes` has `s[-1]` entries (default 2 * (m - 1)).

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.irfftn(fnp.fft.rfftn(fnp.ones((2, 4)))).shape
        (2, 4)
    """
    return _transform("irfftn", "irfft", a, s, axes, norm)


def fft2(a, s=None, axes=(-2, -1), norm: str | None = None):
    """The DFT over the last two axes, as numpy.fft.fft2.

    Args:
        a: the input array; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (default the last two).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array with the lengths `s` along `axes`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp
        >>> complex(fnp.fft.fft2(fnp.ones((2, 2)))[0, 0])
        (4+0j)
    """
    return _transform("fft2", "fft", a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm: str | None = None):
    """The inverse DFT over the last two axes, as numpy.fft.ifft2.

    Args:
        a: the input array; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (default the last two).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array with the lengths `s` along `axes`.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.ifft2(fnp.ones((2, 2))).real
        array([[1., 0.],
               [0., 0.]])
    """
    return _transform("ifft2", "ifft", a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm: str | None = None):
    """The real DFT over the last two axes, as numpy.fft.rfft2.

    Args:
        a: the input array; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (default the last two).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A complex array; the last of `axes` has `s[-1] // 2 + 1` entries.

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated; `a` is complex (take its real part first).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.rfft2(fnp.ones((2, 4))).shape
        (2, 3)
    """
    return _transform("rfft2", "rfft", a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm: str | None = None):
    """The inverse of rfft2, as numpy.fft.irfft2.

    Args:
        a: the input array; integers become float64.
        s: the lengths along `axes` (each cropped or zero-padded); None: the input's.
        axes: the axes to transform (default the last two).
        norm: "backward" (the default: no scaling forward, 1/n inverse), "ortho" or "forward".

    Returns:
        A real array; the last of `axes` has `s[-1]` entries (default 2 * (m - 1)).

    Raises:
        TypeError: `a` is not numeric.
        ValueError: `norm` is not one of the three names; `s` and `axes` differ in length, or `s`
            has a non-positive length; an axis is repeated.

    Example:
        >>> import fgrad.numpy as fnp, numpy as np
        >>> x = np.arange(8.0).reshape(2, 4)
        >>> bool(np.allclose(fnp.fft.irfft2(fnp.fft.rfft2(x)), x))
        True
    """
    return _transform("irfft2", "irfft", a, s, axes, norm)


# --- frequencies and shifts --------------------------------------------------------------------

def _frequencies(bins: np.ndarray, n: int, d, dtype) -> np.ndarray:
    """`bins / (d * n)`, computed in `dtype` as jax does (NumPy's float64 when None)."""
    if dtype is None:
        return bins / (d * n)
    dtype = np.dtype(dtype)
    return bins.astype(dtype) / np.asarray(d * n, dtype)


def fftfreq(n: int, d: float = 1.0, dtype=None) -> np.ndarray:
    """The sample frequencies of an n-point DFT with spacing `d`, as numpy.fft.fftfreq.

    Always a NumPy array (never traced): it depends on `n` and `d` alone.

    Args:
        n: the number of points, an integer.
        d: the sample spacing.
        dtype: the result's dtype, computed in it as jax does (None: float64).

    Returns:
        `[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d * n)`.

    Raises:
        TypeError: `n` is not an integer.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.fftfreq(4)
        array([ 0.  ,  0.25, -0.5 , -0.25])
    """
    n = operator.index(n)
    bins = np.concatenate([np.arange((n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return _frequencies(bins, n, d, dtype)


def rfftfreq(n: int, d: float = 1.0, dtype=None) -> np.ndarray:
    """The non-negative sample frequencies rfft returns, as numpy.fft.rfftfreq.

    Args:
        n: the number of points, an integer.
        d: the sample spacing.
        dtype: the result's dtype (None: float64).

    Returns:
        `[0, 1, ..., n // 2] / (d * n)` as a NumPy array.

    Raises:
        TypeError: `n` is not an integer.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.rfftfreq(4)
        array([0.  , 0.25, 0.5 ])
    """
    n = operator.index(n)
    return _frequencies(np.arange(n // 2 + 1), n, d, dtype)


def _roll(x, shifts: list, axes: list):
    for shift, axis in zip(shifts, axes):
        size = shape_of(x)[axis]
        shift %= size if size else 1
        if shift:
            lead = (("slice", None, None, None),) * axis
            tail = gather(x, (), lead + (("slice", size - shift, None, None),))
            head = gather(x, (), lead + (("slice", 0, size - shift, None),))
            x = bind(concatenate_p, tail, head, axis=axis)
    return x


def _shift(x, axes, sign: int):
    from . import asarray
    x = x if hasattr(x, "dtype") and hasattr(x, "shape") else asarray(x)
    axes = list(range(ndim_of(x))) if axes is None else _axis_tuple(list(_seq(axes)), ndim_of(x))
    return _roll(x, [sign * (shape_of(x)[a] // 2) for a in axes], axes)


def fftshift(x, axes=None):
    """`x` rolled so the zero frequency is in the middle of each of `axes` (default all).

    Args:
        x: the array (a spectrum, or frequencies).
        axes: an axis or axes to shift (None: all).

    Returns:
        `x` rolled by `n // 2` along each of `axes`; its gradient rolls back.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.fftshift(fnp.fft.fftfreq(4))
        array([-0.5 , -0.25,  0.  ,  0.25])
    """
    return _shift(x, axes, 1)


def ifftshift(x, axes=None):
    """The inverse of fftshift (they differ for odd lengths).

    Args:
        x: the array.
        axes: an axis or axes to shift (None: all).

    Returns:
        `x` rolled by `-(n // 2)` along each of `axes`.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.fft.ifftshift(fnp.fft.fftshift(fnp.fft.fftfreq(5)))
        array([ 0. ,  0.2,  0.4, -0.4, -0.2])
    """
    return _shift(x, axes, -1)
