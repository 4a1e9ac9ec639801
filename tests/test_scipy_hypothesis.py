"""fgrad.scipy.special and fgrad.scipy.stats against jax.scipy (float64) on shapes hypothesis draws, in
value, gradient and Hessian-vector product (tests/differential.py)."""

from __future__ import annotations

import jax.scipy.special as jsp
import jax.scipy.stats as jst
import numpy as np
from differential import agree, bounded
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fgrad.scipy.special as fsp
import fgrad.scipy.stats as fst

seeds = st.integers(0, 2 ** 16)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)

# name -> (interval of the arguments: away from poles and the ends of the domain)
UNARY = {"gammaln": (0.2, 6.0), "digamma": (0.3, 6.0), "erf": (-2.0, 2.0), "erfinv": (-0.9, 0.9),
         "ndtri": (0.05, 0.95)}


@bounded
@given(shape=shapes, seed=seeds, name=st.sampled_from(sorted(UNARY)))
def test_special_unary(shape, seed, name):
    x = np.random.default_rng(seed).uniform(*UNARY[name], shape)
    agree(getattr(fsp, name), getattr(jsp, name), [x], seed=seed, rtol=1e-8)


@bounded
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=seeds)
def test_xlogy(shapes, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-2, 2, shapes.input_shapes[0]), rng.uniform(0.2, 3, shapes.input_shapes[1])
    agree(fsp.xlogy, jsp.xlogy, [x, y], seed=seed)


@bounded
@given(shape=shapes, data=st.data(), keepdims=st.booleans(), weighted=st.booleans(), seed=seeds)
def test_logsumexp(shape, data, keepdims, weighted, seed):
    rng = np.random.default_rng(seed)
    nd = len(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1)) if nd else st.none(), label="axis")
    x, b = rng.uniform(-3, 3, shape), rng.uniform(0.2, 2.0, shape)
    args = [x, b] if weighted else [x]
    build = lambda mod: lambda *a: mod.logsumexp(a[0], axis=axis, b=a[1] if weighted else None,
                                                 keepdims=keepdims)
    agree(build(fsp), build(jsp), args, seed=seed)


@bounded
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=2, max_side=3), seed=seeds,
       fn=st.sampled_from(["logpdf", "cdf"]))
def test_norm(shapes, seed, fn):
    rng = np.random.default_rng(seed)
    sx, sl, ss = shapes.input_shapes
    args = [rng.uniform(-3, 3, sx), rng.uniform(-1, 1, sl), rng.uniform(0.5, 2, ss)]
    agree(getattr(fst.norm, fn), getattr(jst.norm, fn), args, seed=seed, rtol=1e-8)


@bounded
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3), seed=seeds)
def test_t_logpdf(shapes, seed):
    # jax.scipy.stats.t has no cdf, so only the density has an oracle here
    rng = np.random.default_rng(seed)
    x, df = rng.uniform(-3, 3, shapes.input_shapes[0]), rng.uniform(1.5, 8, shapes.input_shapes[1])
    agree(fst.t.logpdf, jst.t.logpdf, [x, df], seed=seed, rtol=1e-8)
