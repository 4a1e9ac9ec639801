"""jax.lax's convolution and window reduction: conv_general_dilated, conv, reduce_window, padtype_to_pads.

The primitive works in one layout; here the dimension numbers become transposes around it, and a
padding name ('SAME', 'SAME_LOWER', 'VALID') becomes explicit pairs, as jax computes them.
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable, Sequence

import numpy as np

from ..core import shape_of
from ..errors import user_location
from ..primitives import conv as _c
from ..primitives.shape import transpose


def padtype_to_pads(in_shape: Sequence[int], window_shape: Sequence[int], window_strides: Sequence[int],
                    padding: str) -> list:
    """Explicit (low, high) pairs for a padding name, as jax.lax.padtype_to_pads computes them.

    Args:
        in_shape: the spatial sizes of the input.
        window_shape: the (dilated) window size along each of those axes.
        window_strides: the stride along each of those axes.
        padding: 'SAME' (extra padding at the high end), 'SAME_LOWER' (at the low end) or 'VALID'.

    Returns:
        A list of `(low, high)` pairs of ints, one per axis; 'SAME' keeps `ceil(n / stride)` outputs.

    Raises:
        ValueError: `padding` is not one of the three names.

    Example:
        >>> padtype_to_pads((5,), (3,), (2,), "SAME")
        [(1, 1)]
    """
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(f"Unknown padding type: {padding!r}; use 'SAME', 'SAME_LOWER', 'VALID' or "
                         f"(low, high) pairs ({user_location()})")
    pads = []
    for n, k, s in zip(in_shape, window_shape, window_strides):
        total = max((-(-n // s) - 1) * s + k - n, 0)
        low = total // 2 if kind == "SAME" else total - total // 2
        pads.append((low, total - low))
    return pads


def _pairs(padding, in_shape, window, strides, where: str) -> tuple:
    if isinstance(padding, str):
        return tuple(padtype_to_pads(in_shape, window, strides, padding))
    pairs = tuple(tuple(int(v) for v in p) for p in padding)
    if len(pairs) != len(in_shape) or any(len(p) != 2 for p in pairs):
        raise ValueError(f"{where}: padding must be a string or {len(in_shape)} (low, high) pairs, got "
                         f"{padding!r} ({user_location()})")
    return pairs


def _spec_perms(dimension_numbers, ndim: int) -> tuple:
    """(lhs, rhs, out) permutations taking each operand to the (batch, feature, *spatial) layout."""
    if dimension_numbers is None:
        return (tuple(range(ndim)),) * 3
    lhs, rhs, out = dimension_numbers
    if not all(isinstance(s, str) for s in (lhs, rhs, out)):
        return tuple(tuple(int(i) for i in s) for s in (lhs, rhs, out))
    if not (len(lhs) == len(rhs) == len(out) == ndim) or not all(set(s) == set(lhs) for s in (out,)) \
            or set(lhs) - {"N", "C"} != set(rhs) - {"O", "I"}:
        raise ValueError(f"conv_general_dilated: dimension_numbers {dimension_numbers!r} must name each of the "
                         f"{ndim} axes once ('NCHW', 'OIHW', 'NCHW' style, spatial letters shared) "
                         f"({user_location()})")
    spatial = [c for c in rhs if c not in "OI"]

    def perm(spec: str, first: str, second: str) -> tuple:
        return (spec.index(first), spec.index(second)) + tuple(spec.index(c) for c in spatial)
    return perm(lhs, "N", "C"), perm(rhs, "O", "I"), perm(out, "N", "C")


def _check_rank(lhs, rhs, n: int, options: dict) -> None:
    if len(shape_of(lhs)) != len(shape_of(rhs)) or len(shape_of(lhs)) < 2:
        raise ValueError(f"conv_general_dilated: the input (shape {shape_of(lhs)}) and kernel (shape "
                         f"{shape_of(rhs)}) need the same rank, at least 2 ({user_location()})")
    for name, value in options.items():
        if len(value) != n:
            raise ValueError(f"conv_general_dilated: {name} needs {n} entries (one per spatial axis), got "
                             f"{value!r} ({user_location()})")


def conv_general_dilated(lhs, rhs, window_strides: Sequence[int], padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count: int = 1, batch_group_count: int = 1,
                         precision=None, preferred_element_type=None):
    """General n-d convolution with jax.lax.conv_general_dilated's signature and semantics.

    `padding` is 'SAME', 'SAME_LOWER', 'VALID' or (low, high) pairs; `dimension_numbers` is None
    (NCHW / OIHW / NCHW), a triple of layout strings such as ('NHWC', 'HWIO', 'NHWC'), or a triple
    of axis permutations. `lhs_dilation` > 1 is a transposed convolution. `precision` and
    `preferred_element_type` are taken for jax's signature: fgrad computes in the operands' dtype
    (the xla backend at HIGHEST precision).

    Args:
        lhs: the input, `(batch, features, *spatial)` in the default layout.
        rhs: the kernel, `(out_features, in_features / feature_group_count, *spatial)` by default.
        window_strides: one stride per spatial axis.
        padding: 'SAME', 'SAME_LOWER', 'VALID', or one `(low, high)` pair per spatial axis.
        lhs_dilation: input dilation per spatial axis (None: 1); > 1 is a transposed convolution.
        rhs_dilation: kernel (atrous) dilation per spatial axis (None: 1).
        dimension_numbers: None, three layout strings, or three axis permutations (lhs, rhs, out).
        feature_group_count: split the features into this many groups (depthwise: as many as features).
        batch_group_count: split the batch into this many groups (used by the kernel gradient).
        precision: accepted for jax's signature; ignored.
        preferred_element_type: accepted for jax's signature; ignored.

    Returns:
        The convolution, in the layout `dimension_numbers` gives the output, in the operands' dtype.

    Raises:
        ValueError: operand ranks differ or are below 2; strides, dilations or padding have the wrong
            length; `dimension_numbers` does not name each axis once.

    Example:
        >>> import numpy as np
        >>> x, k = np.ones((1, 1, 4)), np.ones((1, 1, 2))
        >>> conv_general_dilated(x, k, (1,), "VALID").tolist()
        [[[2.0, 2.0, 2.0]]]
    """
    ndim = len(shape_of(lhs))
    n = ndim - 2
    lhs_dilation = (1,) * n if lhs_dilation is None else tuple(lhs_dilation)
    rhs_dilation = (1,) * n if rhs_dilation is None else tuple(rhs_dilation)
    _check_rank(lhs, rhs, n, {"window_strides": tuple(window_strides), "lhs_dilation": lhs_dilation,
                              "rhs_dilation": rhs_dilation})
    lhs_perm, rhs_perm, out_perm = _spec_perms(dimension_numbers, ndim)
    lhs, rhs = transpose(lhs, lhs_perm), transpose(rhs, rhs_perm)
    window = [_c.dilate_dim(k, r) for k, r in zip(shape_of(rhs)[2:], rhs_dilation)]
    pads = _pairs(padding, shape_of(lhs)[2:], window, window_strides, "conv_general_dilated")
    out = _c.conv(lhs, rhs, window_strides, pads, lhs_dilation, rhs_dilation, feature_group_count,
                  batch_group_count)
    return transpose(out, tuple(np.argsort(out_perm).tolist()))


def conv(lhs, rhs, window_strides: Sequence[int], padding, precision=None, preferred_element_type=None):
    """jax.lax.conv: conv_general_dilated in the NCHW / OIHW layout, without dilation.

    Args:
        lhs: the input, `(batch, features, *spatial)`.
        rhs: the kernel, `(out_features, in_features, *spatial)`.
        window_strides: one stride per spatial axis.
        padding: 'SAME', 'SAME_LOWER', 'VALID', or one `(low, high)` pair per spatial axis.
        precision: accepted for jax's signature; ignored.
        preferred_element_type: accepted for jax's signature; ignored.

    Returns:
        The convolution, `(batch, out_features, *out_spatial)`.

    Raises:
        ValueError: operand ranks differ or are below 2, or strides or padding have the wrong length.

    Example:
        >>> import numpy as np
        >>> conv(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2)), (1, 1), "VALID").shape
        (1, 1, 2, 2)
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding)


def _monoid(computation: Callable, init_value) -> object:
    """The window primitive for (computation, init_value): add with 0, max with -inf."""
    from .. import numpy as fnp
    jax_lax = getattr(sys.modules.get("jax"), "lax", None)
    adds = {operator.add, fnp.add} | ({jax_lax.add} if jax_lax else set())
    maxes = {fnp.maximum, max} | ({jax_lax.max} if jax_lax else set())
    init = np.asarray(init_value)
    if computation in adds and init.ndim == 0 and init == 0:
        return _c.reduce_window_sum_p
    if computation in maxes and init.ndim == 0 and init == -np.inf:
        return _c.reduce_window_max_p
    raise NotImplementedError(f"reduce_window supports the monoids (add, 0) and (max, -inf), got "
                              f"({getattr(computation, '__name__', computation)!r}, {init_value!r}); write other "
                              f"reductions from these or from windows you gather ({user_location()})")


def reduce_window(operand, init_value, computation: Callable, window_dimensions: Sequence[int],
                  window_strides: Sequence[int], padding, base_dilation=None, window_dilation=None):
    """jax.lax.reduce_window for the sum (fgrad.numpy.add, 0) and max (fgrad.numpy.maximum, -inf) monoids.

    Both are differentiable (max sends the cotangent to each window's first maximum). Pooling in
    fgrad.nn is built on it.

    Args:
        operand: the array to reduce.
        init_value: 0 for sum, -inf for max: the identity of the monoid, also the padding value.
        computation: `operator.add`/`fgrad.numpy.add`/`jax.lax.add`, or `fgrad.numpy.maximum`/`max`/`jax.lax.max`.
        window_dimensions: the window size along each axis of `operand`.
        window_strides: the stride along each axis.
        padding: 'SAME', 'SAME_LOWER', 'VALID', or one `(low, high)` pair per axis.
        base_dilation: dilation of the operand per axis (None: 1).
        window_dilation: dilation of the window per axis (None: 1).

    Returns:
        One reduced value per window position, in `operand`'s dtype.

    Raises:
        NotImplementedError: `(computation, init_value)` is neither of the two monoids.
        ValueError: a window, stride, dilation or padding argument does not have one entry per axis.

    Example:
        >>> import numpy as np
        >>> import fgrad.numpy as fnp
        >>> reduce_window(np.arange(4.0), -np.inf, fnp.maximum, (2,), (2,), "VALID").tolist()
        [1.0, 3.0]
    """
    prim = _monoid(computation, init_value)
    shape = shape_of(operand)
    base_dilation = (1,) * len(shape) if base_dilation is None else tuple(base_dilation)
    window_dilation = (1,) * len(shape) if window_dilation is None else tuple(window_dilation)
    for name, value in (("window_dimensions", window_dimensions), ("window_strides", window_strides),
                        ("base_dilation", base_dilation), ("window_dilation", window_dilation)):
        if len(value) != len(shape):
            raise ValueError(f"reduce_window: {name} needs {len(shape)} entries (one per axis of shape {shape}), "
                             f"got {value!r} ({user_location()})")
    window = [_c.dilate_dim(k, r) for k, r in zip(window_dimensions, window_dilation)]
    pads = _pairs(padding, shape, window, window_strides, "reduce_window")
    return _c.reduce_window(operand, prim, window_dimensions, window_strides, pads, base_dilation, window_dilation)
