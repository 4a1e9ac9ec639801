"""fgrad.scipy.signal: N-d convolution and correlation with scipy.signal's (and jax.scipy.signal's)
names, differentiable to any order, plus autograd's generalised convolve with `axes` and `dot_axes`.

Every function is one conv_general_dilated (fgrad/primitives/conv.py) between reshapes: the axes of
the first operand that are neither convolved nor contracted become the batch axis, the contracted
(`dot_axes`) ones the feature axis, and the second operand, flipped along its convolved axes, is the
kernel. Its derivative rules are themselves convolutions, so derivatives of every order come with it.

Example:
    >>> import fgrad.scipy.signal as fss, numpy as np
    >>> fss.convolve(np.array([1., 2., 3.]), np.array([0., 1., 0.5])).tolist()
    [0.0, 1.0, 2.5, 4.0, 1.5]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import numpy as fnp
from ..core import shape_of
from ..errors import user_location
from ..lax import conv_general_dilated

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d"]

_MODES = ("full", "valid", "same")


def _operands(in1, in2) -> tuple:
    """Both inputs as arrays of one inexact dtype (integers compute in float64)."""
    a, b = fnp.asarray(in1), fnp.asarray(in2)
    dtype = np.result_type(a.dtype, b.dtype)
    if not np.issubdtype(dtype, np.inexact):
        dtype = np.dtype(np.float64)
    return fnp.asarray(a, dtype), fnp.asarray(b, dtype)


def _check_method(method) -> None:
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"Acceptable method flags are 'auto', 'direct', or 'fft'. Got {method!r} ({user_location()})")


def _check_mode(mode, what: str) -> None:
    if not isinstance(mode, str):
        raise TypeError(f"{what}: mode must be one of 'full', 'valid' or 'same', got {type(mode).__name__}; "
                        f"autograd's axes and dot_axes are keyword arguments here: convolve(A, B, axes=..., "
                        f"dot_axes=..., mode=...) ({user_location()})")
    if mode not in _MODES:
        raise ValueError(f"Acceptable mode flags are 'valid', 'same', or 'full'. Got {mode!r} ({user_location()})")


def _axis_list(axes, ndim: int, what: str) -> list:
    out = []
    for ax in axes:
        ax = int(ax)
        if not -ndim <= ax < ndim:
            raise ValueError(f"{what}: axis {ax} is out of bounds for an array of dimension {ndim} "
                             f"({user_location()})")
        out.append(ax % ndim)
    return out


def _parse_axes(shape_a: tuple, shape_b: tuple, axes, dot_axes) -> tuple:
    """((conv_a, dot_a, ignore_a), (conv_b, dot_b, ignore_b)) as lists of axis numbers, checked."""
    where = "convolve"
    dot_a, dot_b = (_axis_list(d, len(s), where) for d, s in zip(dot_axes, (shape_a, shape_b)))
    if axes is None:
        conv_a = [i for i in range(len(shape_a)) if i not in dot_a]
        conv_b = [i for i in range(len(shape_b)) if i not in dot_b]
        if len(conv_a) != len(conv_b):
            raise ValueError(f"in1 and in2 should have the same dimensionality (shapes {shape_a} and {shape_b}); "
                             f"pass axes=(axes_of_in1, axes_of_in2) to convolve some axes only ({user_location()})")
    else:
        conv_a, conv_b = (_axis_list(c, len(s), where) for c, s in zip(axes, (shape_a, shape_b)))
    if len(conv_a) != len(conv_b) or len(dot_a) != len(dot_b):
        raise ValueError(f"convolve: axes {axes!r} and dot_axes {dot_axes!r} must pair the same number of axes of "
                         f"each input ({user_location()})")
    for used in (conv_a + dot_a, conv_b + dot_b):
        if len(set(used)) != len(used):
            raise ValueError(f"convolve: an axis is named twice in axes {axes!r} / dot_axes {dot_axes!r} "
                             f"({user_location()})")
    if [shape_a[i] for i in dot_a] != [shape_b[i] for i in dot_b]:
        raise ValueError(f"convolve: the dot_axes {dot_axes!r} have sizes {[shape_a[i] for i in dot_a]} and "
                         f"{[shape_b[i] for i in dot_b]}, which must match ({user_location()})")
    ignore = [[i for i in range(len(s)) if i not in c + d] for s, c, d in
              ((shape_a, conv_a, dot_a), (shape_b, conv_b, dot_b))]
    return (conv_a, dot_a, ignore[0]), (conv_b, dot_b, ignore[1])


def _as_layout(x, conv: list, dot: list, ignore: list):
    """`x` transposed and reshaped to (prod(ignore), prod(dot), *conv sizes)."""
    shape = shape_of(x)
    x = fnp.transpose(x, ignore + dot + conv)
    size = lambda axes: int(np.prod([shape[i] for i in axes], dtype=np.int64))  # noqa: E731
    return fnp.reshape(x, (size(ignore), size(dot)) + tuple(shape[i] for i in conv))


def _convolve_core(x, y, spec_x: tuple, spec_y: tuple, pads: list):
    """sum over dot axes and k of x[.., k] * y[.., n - k] along the paired conv axes, x padded by
    `pads`; the result has axes (ignore of x, ignore of y, conv)."""
    conv_y = spec_y[0]
    kernel = fnp.flip(y, axis=tuple(conv_y)) if conv_y else y
    lhs, rhs = _as_layout(x, *spec_x), _as_layout(kernel, *spec_y)
    out = conv_general_dilated(lhs, rhs, (1,) * len(pads), pads)
    sx, sy = shape_of(x), shape_of(y)
    return fnp.reshape(out, tuple(sx[i] for i in spec_x[2]) + tuple(sy[i] for i in spec_y[2]) + shape_of(out)[2:])


def _valid_order(sizes_a: list, sizes_b: list) -> bool:
    """Whether 'valid' mode keeps the operands in order (the first is the larger), as SciPy decides."""
    if all(a >= b for a, b in zip(sizes_a, sizes_b)):
        return True
    if all(a <= b for a, b in zip(sizes_a, sizes_b)):
        return False
    raise ValueError(f"For 'valid' mode, one must be at least as large as the other in every dimension (sizes "
                     f"{sizes_a} and {sizes_b} along the convolved axes) ({user_location()})")


def _generalized(a, b, axes, dot_axes, mode: str):
    spec_a, spec_b = _parse_axes(shape_of(a), shape_of(b), axes, dot_axes)
    sizes_a = [shape_of(a)[i] for i in spec_a[0]]
    sizes_b = [shape_of(b)[i] for i in spec_b[0]]
    if 0 in sizes_a + sizes_b:
        raise ValueError(f"convolve: the inputs must not be empty along the convolved axes (sizes {sizes_a} and "
                         f"{sizes_b}) ({user_location()})")
    if mode == "valid" and not _valid_order(sizes_a, sizes_b):
        out = _convolve_core(b, a, spec_b, spec_a, [(0, 0)] * len(sizes_a))
        n_b, n_a = len(spec_b[2]), len(spec_a[2])
        order = list(range(n_b, n_b + n_a)) + list(range(n_b)) + list(range(n_a + n_b, len(shape_of(out))))
        return fnp.transpose(out, order)
    if mode == "full":
        pads = [(k - 1, k - 1) for k in sizes_b]
    elif mode == "same":
        pads = [(k - 1 - (k - 1) // 2, (k - 1) // 2) for k in sizes_b]
    else:
        pads = [(0, 0)] * len(sizes_b)
    return _convolve_core(a, b, spec_a, spec_b, pads)


def convolve(in1, in2, mode: str = "full", method: str = "auto", precision=None, *,
             axes: tuple[Sequence[int], Sequence[int]] | None = None,
             dot_axes: tuple[Sequence[int], Sequence[int]] = ((), ())):
    """The N-d convolution of `in1` and `in2`, as scipy.signal.convolve and jax.scipy.signal.convolve.

    With `axes=(axes_of_in1, axes_of_in2)` and `dot_axes=(...)` it is autograd's generalised
    convolve: the paired `axes` are convolved, the paired `dot_axes` summed over (as in tensordot),
    and the result has in1's other axes, then in2's other axes, then the convolved ones.

    Parameters:
        in1, in2: arrays (of the same rank unless `axes` says which axes pair up).
        mode: 'full' (every overlap), 'valid' (complete overlaps only; one input must be at least
            as large as the other along every convolved axis) or 'same' (in1's size, centred).
        method, precision: taken for SciPy's and jax's signatures; every method gives the direct sum.
        axes, dot_axes: autograd's pairs of axis lists (keywords only).

    Returns:
        The convolution, in the inputs' common floating dtype (integers give float64).

    Raises:
        ValueError: an unknown mode or method, inputs of different rank without `axes`, axes named
            twice or out of range, dot axes of different sizes, an empty convolved axis, or 'valid'
            sizes that do not nest.
        TypeError: a mode that is not a string (autograd's axes passed positionally).

    Example:
        >>> import fgrad.scipy.signal as fss, numpy as np
        >>> fss.convolve(np.array([1., 2., 3.]), np.array([1., 1.]), mode="valid").tolist()
        [3.0, 5.0]
    """
    _check_mode(mode, "convolve")
    _check_method(method)
    a, b = _operands(in1, in2)
    if axes is None and not any(len(d) for d in dot_axes) and len(shape_of(a)) == len(shape_of(b)) == 0:
        return a * b
    return _generalized(a, b, axes, dot_axes, mode)


def correlate(in1, in2, mode: str = "full", method: str = "auto", precision=None):
    """The N-d cross-correlation of `in1` and `in2`, as scipy.signal.correlate: the convolution of
    `in1` with `in2` reversed along every axis and conjugated.

    Parameters:
        in1, in2: arrays of the same rank.
        mode: 'full', 'valid' or 'same', as in `convolve`.
        method, precision: taken for SciPy's and jax's signatures.

    Returns:
        The correlation, in the inputs' common floating dtype.

    Raises:
        ValueError: as `convolve`.

    Example:
        >>> import fgrad.scipy.signal as fss, numpy as np
        >>> fss.correlate(np.array([1., 2., 3.]), np.array([1., 0.]), mode="valid").tolist()
        [1.0, 2.0]
    """
    _check_mode(mode, "correlate")
    _check_method(method)
    a, b = _operands(in1, in2)
    if len(shape_of(a)) != len(shape_of(b)):
        raise ValueError(f"in1 and in2 should have the same dimensionality (shapes {shape_of(a)} and "
                         f"{shape_of(b)}) ({user_location()})")
    return _generalized(a, fnp.conj(fnp.flip(b)) if shape_of(b) else fnp.conj(b), None, ((), ()), mode)


def _check_2d(a, b, boundary: str, fillvalue, what: str) -> None:
    if len(shape_of(a)) != 2 or len(shape_of(b)) != 2:
        raise ValueError(f"{what} inputs must both be 2-D arrays (got shapes {shape_of(a)} and {shape_of(b)}) "
                         f"({user_location()})")
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(f"{what}: only boundary='fill' with fillvalue=0 is supported (as in "
                                  f"jax.scipy.signal), got boundary={boundary!r}, fillvalue={fillvalue!r}; pad "
                                  f"the input with fgrad.numpy.pad first ({user_location()})")


def convolve2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue=0, precision=None):
    """The 2-d convolution of `in1` and `in2`, as scipy.signal.convolve2d with zero fill.

    Parameters:
        in1, in2: 2-d arrays.
        mode: 'full', 'valid' or 'same', as in `convolve`.
        boundary, fillvalue: only SciPy's defaults, 'fill' and 0, as in jax.scipy.signal.

    Returns:
        The 2-d convolution.

    Raises:
        ValueError: inputs that are not 2-d, or as `convolve`.
        NotImplementedError: another boundary or fill value.

    Example:
        >>> import fgrad.scipy.signal as fss, numpy as np
        >>> fss.convolve2d(np.eye(2), np.ones((1, 1))).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    _check_mode(mode, "convolve2d")
    a, b = _operands(in1, in2)
    _check_2d(a, b, boundary, fillvalue, "convolve2d")
    return _generalized(a, b, None, ((), ()), mode)


def correlate2d(in1, in2, mode: str = "full", boundary: str = "fill", fillvalue=0, precision=None):
    """The 2-d cross-correlation of `in1` and `in2`, as scipy.signal.correlate2d with zero fill.

    Parameters:
        in1, in2: 2-d arrays.
        mode: 'full', 'valid' or 'same', as in `convolve`.
        boundary, fillvalue: only SciPy's defaults, 'fill' and 0, as in jax.scipy.signal.

    Returns:
        The 2-d correlation.

    Raises:
        ValueError: inputs that are not 2-d, or as `convolve`.
        NotImplementedError: another boundary or fill value.

    Example:
        >>> import fgrad.scipy.signal as fss, numpy as np
        >>> fss.correlate2d(np.ones((2, 2)), np.ones((2, 2)), mode="valid").tolist()
        [[4.0]]
    """
    _check_mode(mode, "correlate2d")
    a, b = _operands(in1, in2)
    _check_2d(a, b, boundary, fillvalue, "correlate2d")
    if mode == "same":
        # SciPy centres correlate2d's 'same' window from the other end than correlate's
        return fnp.flip(_generalized(fnp.flip(a), fnp.conj(b), None, ((), ()), mode))
    return correlate(a, b, mode)
