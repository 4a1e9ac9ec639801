"""Cases for fgrad/primitives/conv.py: conv_general_dilated, reduce_window_sum, reduce_window_max."""

from __future__ import annotations

import importlib

import numpy as np
from operands import distinct, rnd

import fgrad
import fgrad.lax as flax
import fgrad.numpy as fnp


def _lax(m):
    """fgrad.lax for fgrad's namespace in a differential test, jax.lax for jax's."""
    return flax if m.np is fnp else importlib.import_module("jax.lax")


def _max(m):
    return fnp.maximum if m.np is fnp else importlib.import_module("jax.lax").max


def _add(m):
    return fnp.add if m.np is fnp else importlib.import_module("jax.lax").add


def _conv(m, **kw):
    return lambda x, w: _lax(m).conv_general_dilated(x, w, **kw)


_STRIDED = dict(window_strides=(2, 1), padding=((1, 0), (1, 2)), rhs_dilation=(1, 2))
_GROUPED = dict(window_strides=(1,), padding="SAME", feature_group_count=2)
_TRANSPOSED = dict(window_strides=(1, 1), padding=((1, 1), (2, 0)), lhs_dilation=(2, 1))
_POOL = dict(window_dimensions=(1, 1, 2, 2), window_strides=(1, 1, 2, 2), padding=((0, 0), (0, 0), (0, 1), (1, 0)))
_POOL_DILATED = dict(window_dimensions=(1, 3, 2), window_strides=(1, 1, 2), padding=((0, 0), (1, 1), (0, 0)),
                     base_dilation=(1, 1, 2), window_dilation=(1, 2, 1))


def _max_pool(m, params=_POOL):
    return lambda x: _lax(m).reduce_window(x, -np.inf, _max(m), **params)


def _sum_pool(m, params=_POOL_DILATED):
    return lambda x: _lax(m).reduce_window(x, 0.0, _add(m), **params)


F = type("F", (), {"np": fnp})       # fgrad's namespace for the finite-difference cases

DIFF = {
    "conv_general_dilated": [(_conv(F, **_STRIDED), [rnd(2, 3, 5, 4), rnd(4, 3, 2, 2, seed=1)]),
                             (_conv(F, **_GROUPED), [rnd(2, 4, 5), rnd(6, 2, 3, seed=1)]),
                             (_conv(F, **_TRANSPOSED), [rnd(1, 2, 3, 3), rnd(2, 2, 2, 3, seed=1)])],
    "reduce_window_max": [(_max_pool(F), [distinct(2, 2, 5, 5)])],
    "reduce_window_sum": [(_sum_pool(F), [rnd(2, 4, 3)])],
}

JVP = {
    "conv_general_dilated": [(lambda m: _conv(m, **_STRIDED), [rnd(2, 3, 5, 4), rnd(4, 3, 2, 2, seed=2)]),
                             (lambda m: _conv(m, **_GROUPED), [rnd(2, 4, 5), rnd(6, 2, 3, seed=1)]),
                             (lambda m: _conv(m, **_TRANSPOSED), [rnd(1, 2, 3, 3), rnd(2, 2, 2, 3, seed=1)])],
    "reduce_window_max": [(_max_pool, [distinct(2, 2, 5, 5)])],
    "reduce_window_sum": [(_sum_pool, [rnd(2, 4, 3)])],
}


def _grouped_kernel_grad(m):
    # the kernel's gradient of a grouped convolution is a convolution with batch groups
    conv = _conv(m, **_GROUPED)
    return lambda x, w: m.grad(lambda w: (conv(x, w) ** 2).sum())(w)


VMAP = {
    "conv": (lambda m: _conv(m, **_STRIDED), [(lambda rng, s: rng.standard_normal(s), (2, 3, 5, 4)),
                                              (lambda rng, s: rng.standard_normal(s), (4, 3, 2, 2))]),
    "conv_batch_groups": (_grouped_kernel_grad, [(lambda rng, s: rng.standard_normal(s), (2, 4, 5)),
                                                 (lambda rng, s: rng.standard_normal(s), (6, 2, 3))]),
    "max_pool": (_max_pool, [(lambda rng, s: rng.permutation(np.prod(s)).reshape(s) * 0.1, (2, 2, 5, 5))]),
    "sum_pool": (_sum_pool, [(lambda rng, s: rng.standard_normal(s), (2, 4, 3))]),
}

XLA = {
    "conv_general_dilated": (lambda x, w: fgrad.lax.conv_general_dilated(x, w, **_STRIDED),
                             [(2, 3, 5, 4), (4, 3, 2, 2)], {}),
    "reduce_window_max": (_max_pool(F), [(2, 2, 5, 5)], {}),
    "reduce_window_sum": (_sum_pool(F), [(2, 4, 3)], {}),
}
