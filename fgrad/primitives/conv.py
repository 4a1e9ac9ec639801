"""Convolution and windowed reductions: conv_general_dilated, reduce_window_sum, reduce_window_max.

conv_general_dilated works in one layout: (batch, feature, *spatial) for the input and the output,
(out feature, in feature, *spatial) for the kernel. fgrad.lax.conv_general_dilated moves any other
layout into it with transposes, so every rule here is written once. The window reductions take a
window over every axis, as jax.lax.reduce_window does.

Both evaluate with NumPy's sliding_window_view (im2col without copying) and one contraction or
reduction, never a Python loop over pixels. Their vjp and jvp rules are fgrad operations (a
transposed convolution; a gather of the windows and its scatter), so derivatives of any order work.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..core import Aval, Primitive, Tracer, aval_of, bind, shape_of
from ..errors import ShapeError
from ..transforms.batching import broadcast_batched
from ._tangents import add_tangents, map_tangent
from .shape import gather, reshape, scatter_add, transpose

SRC = "fgrad/primitives/conv.py"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def dilate_dim(size: int, rate: int) -> int:
    """The size of an axis of `size` elements with `rate - 1` holes between neighbours.

    Example:
        >>> dilate_dim(3, 2)
        5
    """
    return 0 if size == 0 else 1 + rate * (size - 1)


def window_out_size(size: int, window: int, stride: int) -> int:
    """How many windows of `window` elements fit, `stride` apart, in an axis of `size` (padded)."""
    return max((size - window) // stride + 1, 0) if size >= window else 0


def _dilate_pad(x: np.ndarray, axes, dilation, padding, fill) -> np.ndarray:
    """`x` with holes inserted along `axes` and padded (negative padding crops), holes and pads `fill`."""
    if all(r == 1 for r in dilation) and all(p == (0, 0) for p in padding):
        return x
    shape, place, crop = list(x.shape), [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for axis, r, (lo, hi) in zip(axes, dilation, padding):
        size = dilate_dim(x.shape[axis], r)
        shape[axis] = size + max(lo, 0) + max(hi, 0)
        place[axis] = slice(max(lo, 0), max(lo, 0) + size, r)
        crop[axis] = slice(max(-lo, 0), shape[axis] - max(-hi, 0))
    out = np.full(shape, fill, x.dtype)
    out[tuple(place)] = x
    return out[tuple(crop)]


def _windows(x: np.ndarray, axes, window, strides, dilation) -> np.ndarray:
    """The windows of `x` along `axes` as a view: x's axes (those in `axes` now counting window
    positions, `strides` apart), then one axis per window element (`dilation` apart)."""
    span = tuple(dilate_dim(k, r) for k, r in zip(window, dilation))
    views = sliding_window_view(x, span, axis=tuple(axes))
    pick = [slice(None)] * x.ndim + [slice(None, None, r) for r in dilation]
    for axis, s in zip(axes, strides):
        pick[axis] = slice(None, None, s)
    return views[tuple(pick)]


# --- conv_general_dilated ----------------------------------------------------------------------

def conv_shape(lhs: tuple, rhs: tuple, strides, padding, lhs_dilation, rhs_dilation, batch_groups: int) -> tuple:
    """The output shape of a convolution in the (batch, feature, *spatial) layout.

    Example:
        >>> conv_shape((1, 3, 5, 5), (2, 3, 3, 3), (1, 1), ((0, 0), (1, 1)), (1, 1), (1, 1), 1)
        (1, 2, 3, 5)
    """
    spatial = tuple(window_out_size(dilate_dim(n, ld) + lo + hi, dilate_dim(k, rd), s)
                    for n, k, s, (lo, hi), ld, rd in zip(lhs[2:], rhs[2:], strides, padding, lhs_dilation,
                                                          rhs_dilation))
    return (lhs[0] // batch_groups, rhs[0]) + spatial


def _conv_abstract(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, feature_group_count,
                   batch_group_count):
    n = lhs.ndim - 2
    if rhs.ndim != lhs.ndim or n < 0 or any(len(p) != n for p in (window_strides, padding, lhs_dilation,
                                                                  rhs_dilation)):
        raise ShapeError(f"conv_general_dilated: input shape {lhs.shape} and kernel shape {rhs.shape} need "
                         f"the same rank and one stride, padding and dilation per spatial axis ({n})")
    groups, batch_groups = feature_group_count, batch_group_count
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"conv_general_dilated: input dtype {lhs.dtype} and kernel dtype {rhs.dtype} differ; "
                        "convert one with astype")
    if lhs.shape[1] != rhs.shape[1] * groups or rhs.shape[0] % groups or rhs.shape[0] % batch_groups \
            or lhs.shape[0] % batch_groups or min(groups, batch_groups) != 1:
        raise ShapeError(f"conv_general_dilated: input features {lhs.shape[1]} must be the kernel's input "
                         f"features {rhs.shape[1]} times feature_group_count={groups}, and the kernel's "
                         f"output features {rhs.shape[0]} divisible by it and by batch_group_count="
                         f"{batch_groups} (which must divide the batch {lhs.shape[0]}; one of the two is 1)")
    return Aval(conv_shape(lhs.shape, rhs.shape, window_strides, padding, lhs_dilation, rhs_dilation,
                           batch_groups), lhs.dtype)


def conv_impl(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, feature_group_count,
              batch_group_count) -> np.ndarray:
    """A convolution in the (batch, feature, *spatial) layout: windows as a strided view, then one
    contraction over (feature, window) per group."""
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    n, groups, batch_groups = lhs.ndim - 2, feature_group_count, batch_group_count
    shape = conv_shape(lhs.shape, rhs.shape, window_strides, padding, lhs_dilation, rhs_dilation, batch_groups)
    if 0 in shape:
        return np.zeros(shape, lhs.dtype)
    axes = tuple(range(2, 2 + n))
    x = _dilate_pad(lhs, axes, lhs_dilation, padding, 0)
    patches = _windows(x, axes, rhs.shape[2:], window_strides, rhs_dilation)     # (N, C, *out, *window)
    if groups == batch_groups == 1:
        out = np.tensordot(patches, rhs, axes=((1,) + tuple(range(2 + n, 2 + 2 * n)), tuple(range(1, 2 + n))))
        return np.moveaxis(out, -1, 1).astype(lhs.dtype, copy=False)
    examples, features, outs = lhs.shape[0], lhs.shape[1], rhs.shape[0]
    patches = patches.reshape((batch_groups, examples // batch_groups, groups, features // groups)
                              + patches.shape[2:])
    w = rhs.reshape((batch_groups, groups, outs // (groups * batch_groups), features // groups) + rhs.shape[2:])
    space, win = _LETTERS[:n], _LETTERS[n:2 * n]
    # y: batch group, z: example, w: feature group, v: input feature, u: output feature
    out = np.einsum(f"yzwv{space}{win},ywuv{win}->zywu{space}", patches, w, optimize=True)
    return out.reshape(shape).astype(lhs.dtype, copy=False)


# xla: HIGHEST precision, because GPUs and TPUs would otherwise multiply float32 in lower precision
conv_p = Primitive("conv_general_dilated", abstract=_conv_abstract, source=SRC, elementwise=False,
                   impl=lambda lhs, rhs, **params: conv_impl(lhs, rhs, **params),
                   numpy="_conv({0}, {1}, {window_strides}, {padding}, {lhs_dilation}, {rhs_dilation}, "
                         "{feature_group_count}, {batch_group_count})",
                   helpers={"_conv": conv_impl},
                   # dimension_numbers None: jax's default layout is this primitive's, in any rank
                   jax="lax.conv_general_dilated({0}, {1}, {window_strides}, {padding}, {lhs_dilation}, "
                       "{rhs_dilation}, None, {feature_group_count}, {batch_group_count}, "
                       "precision=lax.Precision.HIGHEST)")


def conv(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, feature_group_count=1,
         batch_group_count=1):
    """Bind conv_general_dilated (canonical layout) with its parameters as plain int tuples."""
    ints = lambda v: tuple(int(i) for i in v)  # noqa: E731
    params = dict(window_strides=ints(window_strides), padding=tuple((int(lo), int(hi)) for lo, hi in padding),
                  lhs_dilation=ints(lhs_dilation), rhs_dilation=ints(rhs_dilation),
                  feature_group_count=int(feature_group_count), batch_group_count=int(batch_group_count))
    _conv_abstract(_aval(lhs), _aval(rhs), **params)     # eager calls get the shape rule's errors too
    return bind(conv_p, lhs, rhs, **params)


def _aval(x) -> Aval:
    return x.aval if isinstance(x, Tracer) else aval_of(np.asarray(x))


def _swap01(x):
    return transpose(x, (1, 0) + tuple(range(2, len(shape_of(x)))))


def _split_axis(x, axis: int, size: int):
    """Axis `axis` of `x` as two axes, the first of `size` elements."""
    shape = list(shape_of(x))
    shape[axis:axis + 1] = [size, shape[axis] // size]
    return reshape(x, shape)


def _merge_into(x, src: int, dst: int):
    """Axis `src` of `x` folded into the axis numbered `dst` once `src` is removed (as its major part)."""
    shape = shape_of(x)
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    merged = [shape[i] for i in perm]
    merged[dst:dst + 2] = [merged[dst] * merged[dst + 1]]
    return reshape(transpose(x, perm), merged)


def _reverse_spatial(x):
    return gather(x, (), (("slice", None, None, None),) * 2 + (("slice", None, None, -1),) * (len(shape_of(x)) - 2))


def _lhs_grad_padding(lhs, rhs, out, strides, padding, lhs_dilation, rhs_dilation) -> tuple:
    pads = []
    for n, k, o, s, (lo, _), ld, rd in zip(lhs, rhs, out, strides, padding, lhs_dilation, rhs_dilation):
        before = dilate_dim(k, rd) - lo - 1
        pads.append((before, dilate_dim(n, ld) + dilate_dim(k, rd) - 1 - dilate_dim(o, s) - before))
    return tuple(pads)


def _rhs_grad_padding(lhs, rhs, out, strides, padding, lhs_dilation, rhs_dilation) -> tuple:
    return tuple((lo, dilate_dim(o, s) - dilate_dim(n, ld) + dilate_dim(k, rd) - lo - 1)
                 for n, k, o, s, (lo, _), ld, rd in zip(lhs, rhs, out, strides, padding, lhs_dilation,
                                                        rhs_dilation))


def _conv_lhs_transpose(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        feature_group_count, batch_group_count):
    # jax's rule: the cotangent convolved with the flipped kernel, strides and input dilation swapped
    groups = max(feature_group_count, batch_group_count)
    kernel = _merge_into(_split_axis(rhs, 0, groups), 0, 1) if groups > 1 else rhs
    pads = _lhs_grad_padding(shape_of(lhs)[2:], shape_of(rhs)[2:], shape_of(ct)[2:], window_strides, padding,
                             lhs_dilation, rhs_dilation)
    out = conv(ct, _reverse_spatial(_swap01(kernel)), lhs_dilation, pads, window_strides, rhs_dilation, groups)
    if batch_group_count > 1:
        out = _merge_into(_split_axis(out, 1, batch_group_count), 1, 0)
    return out


def _conv_rhs_transpose(ct, lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
                        feature_group_count, batch_group_count):
    # the input convolved with the cotangent, batch and feature axes swapped, and so the groups
    pads = _rhs_grad_padding(shape_of(lhs)[2:], shape_of(rhs)[2:], shape_of(ct)[2:], window_strides, padding,
                             lhs_dilation, rhs_dilation)
    out = conv(_swap01(lhs), _swap01(ct), rhs_dilation, pads, lhs_dilation, window_strides,
               batch_group_count, feature_group_count)
    return _swap01(out)


conv_p.def_vjp(lambda ct, lhs, rhs, out, **params: [_conv_lhs_transpose(ct, lhs, rhs, **params),
                                                    _conv_rhs_transpose(ct, lhs, rhs, **params)])
conv_p.def_jvp(lambda p, t, out, **params: add_tangents(
    map_tangent(lambda u: bind(conv_p, u, p[1], **params), t[0]),
    map_tangent(lambda u: bind(conv_p, p[0], u, **params), t[1])))


@conv_p.def_batch
def _conv_batch(args, batched, *, size, feature_group_count, batch_group_count, **params):
    # the batch becomes more groups: examples meet only their own kernels, as many flops as apart
    lhs, rhs = (x if b else broadcast_batched(x, size, shape_of(x)) for x, b in zip(args, batched))
    if batch_group_count == 1:
        lhs, groups = _merge_into(lhs, 0, 1), (size * feature_group_count, 1)
    else:          # then feature_group_count is 1: the examples join the batch groups instead
        lhs, groups = _merge_into(lhs, 0, 0), (1, size * batch_group_count)
    out = bind(conv_p, lhs, _merge_into(rhs, 0, 0), feature_group_count=groups[0], batch_group_count=groups[1],
               **params)
    return transpose(_split_axis(out, 1, size), (1, 0) + tuple(range(2, len(shape_of(out)) + 1)))


# --- reduce_window_sum, reduce_window_max --------------------------------------------------------

def window_shape(shape, window_dimensions, window_strides, padding, base_dilation, window_dilation) -> tuple:
    """The output shape of a window reduction (a window over every axis, as in jax.lax.reduce_window)."""
    return tuple(window_out_size(dilate_dim(n, b) + lo + hi, dilate_dim(k, r), s) for n, k, s, (lo, hi), b, r
                 in zip(shape, window_dimensions, window_strides, padding, base_dilation, window_dilation))


def _lowest(dtype) -> object:
    """The identity of max in `dtype`: what padding and holes hold in a max window."""
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return -np.inf
    return False if dtype.kind == "b" else np.iinfo(dtype).min


def _window_abstract(name: str):
    def abstract(x, **params):
        if any(len(v) != x.ndim for v in params.values()):
            raise ShapeError(f"{name}: an array of shape {x.shape} needs one window size, stride, padding "
                             f"and dilation per axis ({x.ndim}), got {params}")
        if any(lo < 0 or hi < 0 for lo, hi in params["padding"]) or min(
                params["window_dimensions"] + params["window_strides"] + params["base_dilation"]
                + params["window_dilation"], default=1) < 1:
            raise ValueError(f"{name}: window sizes, strides and dilations must be positive and padding "
                             f"non-negative, got {params}")
        return Aval(window_shape(x.shape, **params), x.dtype)
    return abstract


def window_views(x: np.ndarray, fill, window_dimensions, window_strides, padding, base_dilation,
                 window_dilation) -> np.ndarray:
    """Every window of a NumPy array (padded and dilated with `fill`) as a strided view: (*out, *window).

    Example:
        >>> window_views(np.arange(4), 0, (2,), (2,), ((0, 0),), (1,), (1,)).tolist()
        [[0, 1], [2, 3]]
    """
    axes = tuple(range(x.ndim))
    x = _dilate_pad(x, axes, base_dilation, padding, fill)
    return _windows(x, axes, window_dimensions, window_strides, window_dilation)


def _window_reduction(reducer, fill_of):
    def impl(x, window_dimensions, window_strides, padding, base_dilation, window_dilation) -> np.ndarray:
        x = np.asarray(x)
        shape = window_shape(x.shape, window_dimensions, window_strides, padding, base_dilation, window_dilation)
        fill = fill_of(x.dtype)
        if 0 in shape:
            return np.full(shape, fill, x.dtype)
        windows = window_views(x, fill, window_dimensions, window_strides, padding, base_dilation, window_dilation)
        return reducer(windows, axis=tuple(range(x.ndim, 2 * x.ndim))).astype(x.dtype, copy=False)
    return impl


window_sum_impl = _window_reduction(np.sum, lambda dtype: 0)
window_max_impl = _window_reduction(np.max, _lowest)
_WINDOW_ARGS = "{window_dimensions}, {window_strides}, {padding}, {base_dilation}, {window_dilation}"

reduce_window_sum_p = Primitive("reduce_window_sum", abstract=_window_abstract("reduce_window_sum"), source=SRC,
                                impl=lambda x, **params: window_sum_impl(x, **params), elementwise=False,
                                numpy="_window_sum({0}, " + _WINDOW_ARGS + ")",
                                helpers={"_window_sum": window_sum_impl},
                                jax="lax.reduce_window({0}, jnp.zeros((), {0}.dtype), lax.add, " + _WINDOW_ARGS + ")")
reduce_window_max_p = Primitive("reduce_window_max", abstract=_window_abstract("reduce_window_max"), source=SRC,
                                impl=lambda x, **params: window_max_impl(x, **params), elementwise=False,
                                numpy="_window_max({0}, " + _WINDOW_ARGS + ")",
                                helpers={"_window_max": window_max_impl},
                                jax="lax.reduce_window({0}, jnp.asarray(-jnp.inf, {0}.dtype), lax.max, "
                                    + _WINDOW_ARGS + ")")


def _dilate_pad_ops(x, dilation, padding, fill):
    """`_dilate_pad` over every axis in fgrad operations (a scatter into holes, concatenated pads)."""
    from .. import numpy as fnp
    from ._base import splat
    if any(r > 1 for r in dilation):
        spec = tuple(("slice", None, None, r) for r in dilation)
        shape = tuple(dilate_dim(n, r) for n, r in zip(shape_of(x), dilation))
        x = scatter_add(x, [], spec, shape)
        if fill != 0:
            holes = np.full(shape, fill, x.dtype)
            holes[tuple(slice(None, None, r) for r in dilation)] = 0
            x = x + holes
    for axis, (lo, hi) in enumerate(padding):
        shape = shape_of(x)
        sides = [splat(x, fill, shape[:axis] + (k,) + shape[axis + 1:]) if k else None for k in (lo, hi)]
        if lo or hi:
            x = fnp.concatenate([part for part in (sides[0], x, sides[1]) if part is not None], axis=axis)
    return x


def _window_index(x_shape, params) -> tuple:
    """The gather spec and index arrays picking every window: the result is (*out, *window)."""
    out, n = window_shape(x_shape, **params), len(x_shape)
    arrays = []
    for axis, (o, k, s, r) in enumerate(zip(out, params["window_dimensions"], params["window_strides"],
                                            params["window_dilation"])):
        shape = [1] * (2 * n)
        shape[axis], shape[n + axis] = o, k
        arrays.append((np.arange(o)[:, None] * s + np.arange(k) * r).reshape(shape))
    return tuple(("array", a) for a in range(n)), arrays


def _tiling(x_shape, params):
    """For windows that tile the array (stride equal to the window, no window dilation): the
    interleaved (out, window) shape per axis and the extent they cover; else None. Tiles are a
    reshape and a transpose, not a gather with index arrays and its scatter."""
    window = params["window_dimensions"]
    if params["window_strides"] != window or any(r != 1 for r in params["window_dilation"]):
        return None
    out = window_shape(x_shape, **params)
    return tuple(d for pair in zip(out, window) for d in pair), tuple(o * k for o, k in zip(out, window))


def window_patches(x, fill, params):
    """Every window of `x` (padded and dilated with `fill`): shape (*out, *window)."""
    padded = _dilate_pad_ops(x, params["base_dilation"], params["padding"], fill)
    tiles = _tiling(shape_of(x), params)
    if tiles is None:
        spec, arrays = _window_index(shape_of(x), params)
        return gather(padded, arrays, spec)
    split, covered = tiles
    n = len(covered)
    blocks = reshape(gather(padded, (), tuple(("slice", 0, c, None) for c in covered)), split)
    return transpose(blocks, tuple(range(0, 2 * n, 2)) + tuple(range(1, 2 * n, 2)))


def window_patches_transpose(ct, x_shape, params):
    """The transpose of `window_patches`: each window's cotangent added back where it was read."""
    padded = tuple(dilate_dim(n, b) + lo + hi for n, b, (lo, hi) in zip(x_shape, params["base_dilation"],
                                                                       params["padding"]))
    tiles = _tiling(x_shape, params)
    if tiles is None:
        spec, arrays = _window_index(x_shape, params)
        full = scatter_add(ct, arrays, spec, padded)
    else:
        split, covered = tiles
        n = len(covered)
        blocks = reshape(transpose(ct, tuple(i // 2 + (n if i % 2 else 0) for i in range(2 * n))), covered)
        full = blocks if covered == padded else scatter_add(blocks, [], tuple(("slice", 0, c, None) for c in covered),
                                                           padded)
    crop = tuple(("slice", lo, lo + dilate_dim(n, b), b) for n, b, (lo, _) in zip(x_shape, params["base_dilation"],
                                                                                 params["padding"]))
    return gather(full, (), crop)


def _first_max(x, params):
    """One-hot (*out, window size) rows marking the first maximum of each window (the element
    torch's max pooling and jax's select_and_scatter give the gradient to)."""
    from .. import numpy as fnp
    from .reductions import argmax_p
    patches = window_patches(x, _lowest(x.dtype), params)
    n, size = len(shape_of(x)), int(np.prod(params["window_dimensions"]))
    first = bind(argmax_p, reshape(patches, shape_of(patches)[:n] + (size,)), axis=n)
    return fnp.astype(fnp.equal(fnp.expand_dims(first, -1), np.arange(size)), x.dtype)


def _max_vjp(ct, x, out, **params):
    from .. import numpy as fnp
    hot = _first_max(x, params)
    window = shape_of(ct) + tuple(params["window_dimensions"])
    return [window_patches_transpose(reshape(hot * fnp.expand_dims(ct, -1), window), shape_of(x), params)]


def _max_jvp(p, t, out, **params):
    from .. import numpy as fnp
    hot = _first_max(p[0], params)
    return fnp.sum(hot * reshape(window_patches(t[0], 0, params), shape_of(hot)), axis=-1)


def _sum_vjp(ct, x, out, **params):
    from .shape import broadcast_in_dim
    window = shape_of(ct) + tuple(params["window_dimensions"])
    return [window_patches_transpose(broadcast_in_dim(ct, window, range(len(shape_of(ct)))), shape_of(x), params)]


def _window_batch(prim: Primitive):
    def rule(args, batched, *, size, window_dimensions, window_strides, padding, base_dilation, window_dilation):
        return bind(prim, args[0], window_dimensions=(1,) + window_dimensions, window_strides=(1,) + window_strides,
                    padding=((0, 0),) + padding, base_dilation=(1,) + base_dilation,
                    window_dilation=(1,) + window_dilation)
    return rule


reduce_window_max_p.def_vjp(_max_vjp)
reduce_window_max_p.def_jvp(_max_jvp)
reduce_window_max_p.def_batch(_window_batch(reduce_window_max_p))
reduce_window_sum_p.def_vjp(_sum_vjp)
reduce_window_sum_p.def_jvp(lambda p, t, out, **params: bind(reduce_window_sum_p, t[0], **params))
reduce_window_sum_p.def_batch(_window_batch(reduce_window_sum_p))


def reduce_window(x, prim: Primitive, window_dimensions, window_strides, padding, base_dilation, window_dilation):
    """Bind a window reduction with its parameters as plain int tuples."""
    ints = lambda v: tuple(int(i) for i in v)  # noqa: E731
    params = dict(window_dimensions=ints(window_dimensions), window_strides=ints(window_strides),
                  padding=tuple((int(lo), int(hi)) for lo, hi in padding), base_dilation=ints(base_dilation),
                  window_dilation=ints(window_dilation))
    prim.abstract(_aval(x), **params)
    return bind(prim, x, **params)
