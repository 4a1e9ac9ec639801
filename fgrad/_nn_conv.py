"""fgrad.nn's convolution and pooling, as flax and jax users write them: channels last by default.

`conv(x, kernel)` takes x (batch, *spatial, features) and kernel (*window, in, out); max_pool and
avg_pool take flax.linen's arguments and pool over the spatial axes between the batch axis and the
features.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .core import shape_of
from .errors import user_location
from .lax import _conv as lax_conv
from .primitives import conv as _c


def _tuple(value, n: int, name: str) -> tuple:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name} needs {n} entries (one per spatial axis), got {value} ({user_location()})")
    return value


def conv(x, kernel, strides: int | Sequence[int] = 1, padding="SAME", *, input_dilation=1,
         kernel_dilation=1, feature_group_count: int = 1, dimension_numbers=None):
    """An n-d convolution, channels last by default: x (batch, *spatial, in), kernel (*window, in // groups, out).

    `padding` is 'SAME', 'VALID', 'SAME_LOWER' or (low, high) pairs; `dimension_numbers` a
    (lhs, rhs, out) triple as in jax.lax.conv_general_dilated, e.g. ('NCHW', 'OIHW', 'NCHW').

    Args:
        x: the input, (batch, *spatial, in_features) unless dimension_numbers says otherwise.
        kernel: (*window, in_features // feature_group_count, out_features).
        strides: an int or one stride per spatial axis.
        padding: 'SAME', 'SAME_LOWER', 'VALID' or one (low, high) pair per spatial axis.
        input_dilation: an int or one per spatial axis (above 1: a transposed convolution).
        kernel_dilation: an int or one per spatial axis (an atrous convolution).
        feature_group_count: the number of feature groups (depthwise: as many as input features).
        dimension_numbers: None (channels last) or an (lhs, rhs, out) layout triple.

    Returns:
        The convolution, (batch, *out_spatial, out_features) in the default layout.

    Raises:
        ValueError: more than 6 spatial axes without dimension_numbers, a per-axis argument with the
            wrong number of entries, or sizes that do not fit.

    Example:
        >>> import numpy as np
        >>> conv(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2))).shape
        (1, 4, 4, 2)
    """
    n = len(shape_of(x)) - 2
    if dimension_numbers is None:
        space = "HWDXYZ"[:n] if n <= 6 else None
        if space is None:
            raise ValueError(f"conv: pass dimension_numbers for {n} spatial axes ({user_location()})")
        dimension_numbers = ("N" + space + "C", space + "IO", "N" + space + "C")
    return lax_conv.conv_general_dilated(x, kernel, _tuple(strides, n, "strides"), padding,
                                         _tuple(input_dilation, n, "input_dilation"),
                                         _tuple(kernel_dilation, n, "kernel_dilation"), dimension_numbers,
                                         feature_group_count)


def _pool_params(x, window_shape, strides, padding, where: str):
    """Window parameters over every axis of x (batch, *spatial, features), as flax's pool builds them."""
    shape = shape_of(x)
    n = len(window_shape)
    if len(shape) < n + 1:
        raise ValueError(f"{where}: an input of shape {shape} has no {n} spatial axes before its features "
                         f"({user_location()})")
    strides = (1,) * n if strides is None else _tuple(strides, n, "strides")
    lead = len(shape) - n - 1
    window = (1,) * lead + tuple(int(k) for k in window_shape) + (1,)
    steps = (1,) * lead + strides + (1,)
    if isinstance(padding, str):
        pads = lax_conv.padtype_to_pads(shape, window, steps, padding)
    else:
        pads = [(0, 0)] * lead + [tuple(p) for p in _pairs(padding, n, where)] + [(0, 0)]
    return window, steps, pads


def _pairs(padding, n: int, where: str) -> list:
    pairs = [tuple(int(v) for v in p) for p in padding]
    if len(pairs) != n or any(len(p) != 2 for p in pairs):
        raise ValueError(f"{where}: padding must be a string or {n} (low, high) pairs, got {padding!r} "
                         f"({user_location()})")
    return pairs


def max_pool(inputs, window_shape: Sequence[int], strides=None, padding="VALID"):
    """The maximum over each window of the spatial axes (flax.linen.max_pool): inputs (batch, *spatial, features).

    Args:
        inputs: (batch, *spatial, features); axes before those are kept as batch axes.
        window_shape: the window size per spatial axis.
        strides: one stride per spatial axis (None: 1).
        padding: 'SAME', 'SAME_LOWER', 'VALID' or one (low, high) pair per spatial axis.

    Returns:
        The maximum of each window; tied maxima share the derivative.

    Raises:
        ValueError: an input with fewer axes than the window needs, or a malformed padding or strides.

    Example:
        >>> import numpy as np
        >>> max_pool(np.arange(16.0).reshape(1, 4, 4, 1), (2, 2), strides=(2, 2))[0, :, :, 0].tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    window, steps, pads = _pool_params(inputs, window_shape, strides, padding, "max_pool")
    ones = (1,) * len(window)
    return _c.reduce_window(inputs, _c.reduce_window_max_p, window, steps, pads, ones, ones)


def avg_pool(inputs, window_shape: Sequence[int], strides=None, padding="VALID", count_include_pad: bool = True):
    """The mean over each window of the spatial axes (flax.linen.avg_pool): padding counts as zeros,
    or is left out of each window's count with count_include_pad=False.

    Args:
        inputs: (batch, *spatial, features); axes before those are kept as batch axes.
        window_shape: the window size per spatial axis.
        strides: one stride per spatial axis (None: 1).
        padding: 'SAME', 'SAME_LOWER', 'VALID' or one (low, high) pair per spatial axis.
        count_include_pad: padding counts as zeros (True) or is left out of each window's count.

    Returns:
        The mean of each window.

    Raises:
        ValueError: an input with fewer axes than the window needs, or a malformed padding or strides.

    Example:
        >>> import numpy as np
        >>> avg_pool(np.arange(16.0).reshape(1, 4, 4, 1), (2, 2), strides=(2, 2))[0, :, :, 0].tolist()
        [[2.5, 4.5], [10.5, 12.5]]
    """
    window, steps, pads = _pool_params(inputs, window_shape, strides, padding, "avg_pool")
    ones = (1,) * len(window)
    total = _c.reduce_window(inputs, _c.reduce_window_sum_p, window, steps, pads, ones, ones)
    if count_include_pad or all(p == (0, 0) for p in pads):
        return total / float(np.prod(window_shape))
    # the count of real elements in each window: the same window sum of ones (a constant)
    # the count of real elements in each window: the same window sum over ones of the spatial shape
    space = slice(len(window) - len(window_shape) - 1, -1)
    counts = _c.window_sum_impl(np.ones(shape_of(inputs)[space], inputs.dtype), window[space], steps[space],
                                tuple(pads[space]), ones[space], ones[space])
    return total / counts[..., None]
