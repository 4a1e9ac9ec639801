"""Operands for primitive tests: random arrays kept away from each primitive's edge cases."""

from __future__ import annotations

import numpy as np


def rnd(*shape, seed=0, low=-1.5, high=1.5):
    return np.random.default_rng(seed + 31 * len(shape) + sum(shape)).uniform(low, high, shape)


def pos(*shape, seed=0):
    return rnd(*shape, seed=seed, low=0.5, high=2.0)


def away(*shape, seed=0):
    """Values at least 0.3 from 0 (for kinks at 0)."""
    x = rnd(*shape, seed=seed, low=0.3, high=1.5)
    return x * np.where(rnd(*shape, seed=seed + 1) > 0, 1.0, -1.0)


def distinct(*shape, seed=0):
    """A permutation of well-separated values (no ties for max/min)."""
    n = int(np.prod(shape))
    return (np.random.default_rng(seed).permutation(n) * 0.37 - n * 0.15).reshape(shape)
