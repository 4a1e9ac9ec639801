"""What the distributions share: the standardised variable and -inf off the support."""

from __future__ import annotations

import numpy as np

from ... import numpy as fnp


def standardize(x, loc, scale):
    """(x - loc) / scale, as jax.scipy.stats standardises every location-scale family."""
    return fnp.divide(fnp.subtract(x, loc), scale)


def off_support(inside, logp):
    """`logp` where `inside` holds, -inf elsewhere (a density of 0)."""
    return fnp.where(inside, logp, -np.inf)


def inside_or(inside, y, fill=0.5):
    """`y` where `inside` holds, `fill` elsewhere: the branch that is thrown away then never takes the
    log of a negative number, whose nan would reach the gradient through where."""
    return fnp.where(inside, y, fill)
