"""fgrad.numpy, fgrad.numpy.linalg and fgrad.numpy.fft against jax (float64) on shapes hypothesis draws:
size-1 and 0-d operands where NumPy allows them, negative axes and keepdims; each case is checked in
value, gradient and Hessian-vector product (tests/differential.py). The fixed-shape cases of the same
functions are in test_numpy_surface.py; this file varies the shapes and the axis arguments."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from differential import agree, bounded
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import fgrad.numpy as fnp

seeds = st.integers(0, 2 ** 16)


def shapes(min_dims=1, max_dims=3, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)


def distinct(shape, seed, low=-1.5, high=1.5):
    """Values with no ties (order statistics are differentiable there), spread over [low, high]."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    ranks = rng.permutation(n).reshape(shape) + rng.uniform(0.1, 0.9, shape)
    return low + (high - low) * ranks / max(n, 1)


def axis_of(data, ndim, allow_none=True):
    choices = st.integers(-ndim, ndim - 1) if ndim else st.none()
    return data.draw(st.one_of(st.none(), choices) if allow_none else choices, label="axis")


def both(build):
    return build(fnp), build(jnp)


# --- reductions ---------------------------------------------------------------------------------------

@bounded
@given(shape=shapes(min_dims=0), data=st.data(), keepdims=st.booleans(), seed=seeds,
       name=st.sampled_from(["nansum", "nanmean", "nanvar", "nanstd"]))
def test_nan_reductions(shape, data, keepdims, seed, name):
    x = distinct(shape, seed)
    axis = axis_of(data, len(shape))
    # NaN only where its slice keeps two finite values, so every result (and nanstd's root) is smooth
    mask = (x > 0.8) & (np.sum(x <= 0.8, axis=axis, keepdims=True) >= 2)
    ddof = None
    if name in ("nanvar", "nanstd"):       # a spread needs two values: one alone is NaN or a root of 0
        assume(x.size // max(np.sum(x <= 0.8, axis=axis, keepdims=True).size, 1) >= 2)
        ddof = data.draw(st.integers(0, 1), label="ddof")
    kw = {"axis": axis, "keepdims": keepdims} | ({} if ddof is None else {"ddof": ddof})

    def build(m):
        return lambda v: getattr(m, name)(m.where(mask, np.nan, v), **kw)
    agree(*both(build), [x], seed=seed)


@bounded
@given(shape=shapes(), data=st.data(), keepdims=st.booleans(), seed=seeds)
def test_average_with_weights(shape, data, keepdims, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, shape)
    axis = axis_of(data, len(shape))
    w = rng.uniform(0.2, 2.0, shape if axis is None else shape[axis])
    build = lambda m: lambda v, wt: m.average(v, axis=axis, weights=wt, keepdims=keepdims)
    agree(*both(build), [x, w], seed=seed)


ORDER_STATS = {
    "ptp": lambda m, x, ax, kd: m.ptp(x, axis=ax, keepdims=kd),
    "median": lambda m, x, ax, kd: m.median(x, axis=ax, keepdims=kd),
    "quantile": lambda m, x, ax, kd: m.quantile(x, np.array([0.15, 0.5, 0.8]), axis=ax, keepdims=kd),
    "quantile0d": lambda m, x, ax, kd: m.quantile(x, 0.35, axis=ax, keepdims=kd),
    "percentile": lambda m, x, ax, kd: m.percentile(x, np.array([10.0, 62.5]), axis=ax, keepdims=kd),
}


@bounded
@given(shape=shapes(min_dims=0), data=st.data(), keepdims=st.booleans(), seed=seeds,
       name=st.sampled_from(sorted(ORDER_STATS)))
def test_order_statistics(shape, data, keepdims, seed, name):
    axis = axis_of(data, len(shape))
    fn = ORDER_STATS[name]
    x = distinct(shape, seed)
    # jax keeps a dimension of 0-d input under keepdims where NumPy (and fgrad) keep none: NumPy's shape
    numpy_shape = np.shape(fn(np, x, axis, keepdims))
    theirs = lambda v: jnp.reshape(fn(jnp, v, axis, keepdims), numpy_shape)
    agree(lambda v: fn(fnp, v, axis, keepdims), theirs, [x], seed=seed)


@bounded
@given(shape=shapes(), data=st.data(), seed=seeds, name=st.sampled_from(["cumsum", "cumprod", "diff"]))
def test_scans_and_differences(shape, data, seed, name):
    axis = axis_of(data, len(shape), allow_none=name != "diff")
    if name == "diff":
        n = data.draw(st.integers(1, 3), label="n")
        build = lambda m: lambda v: m.diff(v, n, axis=axis)
    else:
        build = lambda m: lambda v: getattr(m, name)(v, axis=axis)
    agree(*both(build), [distinct(shape, seed, 0.5, 1.5)], seed=seed)


# --- shape functions ----------------------------------------------------------------------------------

def _pad_case(data, shape):
    mode = data.draw(st.sampled_from(["constant", "edge", "reflect", "symmetric", "wrap"]), label="mode")
    widths = tuple((data.draw(st.integers(0, 2)), data.draw(st.integers(0, 2))) for _ in shape)
    if mode == "constant":
        return lambda m: lambda v: m.pad(v, widths, constant_values=1.5)
    return lambda m: lambda v: m.pad(v, widths, mode=mode)


def _take_case(data, shape, rng):
    axis = axis_of(data, len(shape))
    size = int(np.prod(shape)) if axis is None else shape[axis]
    idx = rng.integers(-size, size, data.draw(shapes(min_dims=0, max_dims=2), label="index shape"))
    return lambda m: lambda v: m.take(v, idx, axis=axis)


def _take_along_case(data, shape, rng):
    axis = axis_of(data, len(shape), allow_none=False)
    idx = np.argsort(rng.uniform(size=shape), axis=axis)
    return lambda m: lambda v: m.take_along_axis(v, idx, axis=axis)


def _repeat_case(data, shape, rng):
    axis = axis_of(data, len(shape))
    size = int(np.prod(shape)) if axis is None else shape[axis]
    reps = data.draw(st.one_of(st.integers(0, 3), st.just(rng.integers(0, 3, size))), label="repeats")
    return lambda m: lambda v: m.repeat(v, reps, axis=axis)


def _split_case(data, shape, name):
    axis = axis_of(data, len(shape), allow_none=False)
    divisors = [d for d in range(1, shape[axis] + 1) if shape[axis] % d == 0]
    k = data.draw(st.sampled_from(divisors) if name == "split" else st.integers(1, 5), label="sections")
    part = data.draw(st.integers(0, k - 1), label="part")
    return lambda m: lambda v: getattr(m, name)(v, k, axis=axis)[part]


def _diagonal_case(data, shape):
    a1, a2 = data.draw(st.permutations(range(-len(shape), 0)), label="axes")[:2]
    offset = data.draw(st.integers(-2, 2), label="offset")
    fn = data.draw(st.sampled_from(["diagonal", "trace"]), label="fn")
    return lambda m: lambda v: getattr(m, fn)(v, offset, axis1=a1, axis2=a2)


def shape_case(name, data, shape, rng):
    """The function `name` with arguments drawn to fit `shape`, as build(module) -> function."""
    nd = len(shape)
    if name == "roll":
        shift, axis = data.draw(st.integers(-5, 5)), axis_of(data, nd)
        return lambda m: lambda v: m.roll(v, shift, axis=axis)
    if name == "rot90":
        k, axes = data.draw(st.integers(-3, 4)), tuple(data.draw(st.permutations(range(nd)))[:2])
        return lambda m: lambda v: m.rot90(v, k, axes=axes)
    if name == "flip":
        axis = axis_of(data, nd)
        return lambda m: lambda v: m.flip(v, axis=axis)
    if name == "tile":
        reps = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
        return lambda m: lambda v: m.tile(v, reps)
    if name == "moveaxis":
        src, dst = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))
        return lambda m: lambda v: m.moveaxis(v, src, dst)
    if name in ("tril", "triu"):
        k = data.draw(st.integers(-3, 3))
        return lambda m: lambda v: getattr(m, name)(v, k)
    cases = {"pad": lambda: _pad_case(data, shape), "take": lambda: _take_case(data, shape, rng),
             "take_along_axis": lambda: _take_along_case(data, shape, rng),
             "repeat": lambda: _repeat_case(data, shape, rng), "diagonal": lambda: _diagonal_case(data, shape),
             "split": lambda: _split_case(data, shape, name), "array_split": lambda: _split_case(data, shape, name)}
    return cases[name]()


MATRIX_ONLY = {"rot90", "tril", "triu", "diagonal"}


@bounded
@given(shape=shapes(), data=st.data(), seed=seeds,
       name=st.sampled_from(["roll", "rot90", "flip", "pad", "take", "take_along_axis", "repeat", "tile",
                             "split", "array_split", "moveaxis", "tril", "triu", "diagonal"]))
def test_shape_functions(shape, data, seed, name):
    if name in MATRIX_ONLY and len(shape) < 2:
        shape = shape + (3,)
    build = shape_case(name, data, shape, np.random.default_rng(seed))
    # sin before the shape function so the second derivative is not identically zero
    agree(*both(lambda m: (lambda f: lambda v: f(m.sin(v)))(build(m))), [distinct(shape, seed)], seed=seed)


# --- products -----------------------------------------------------------------------------------------

@bounded
@given(sa=shapes(min_dims=0, max_side=3), sb=shapes(min_dims=0, max_side=3), seed=seeds)
def test_kron(sa, sb, seed):
    rng = np.random.default_rng(seed)
    agree(*both(lambda m: m.kron), [rng.uniform(-1, 1, sa), rng.uniform(-1, 1, sb)], seed=seed)


@bounded
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3), data=st.data(),
       seed=seeds)
def test_cross(shapes, data, seed):
    rng = np.random.default_rng(seed)
    pos_a = data.draw(st.integers(0, len(shapes.input_shapes[0])), label="axisa")
    pos_b = data.draw(st.integers(0, len(shapes.input_shapes[1])), label="axisb")
    sa = shapes.input_shapes[0][:pos_a] + (3,) + shapes.input_shapes[0][pos_a:]
    sb = shapes.input_shapes[1][:pos_b] + (data.draw(st.sampled_from([2, 3])),) + shapes.input_shapes[1][pos_b:]
    kw = {"axisa": pos_a - len(sa), "axisb": pos_b}
    build = lambda m: lambda a, b: m.cross(a, b, **kw)
    agree(*both(build), [rng.uniform(-1, 1, sa), rng.uniform(-1, 1, sb)], seed=seed)


@bounded
@given(batch_a=shapes(min_dims=0, max_dims=2, max_side=3), batch_b=shapes(min_dims=0, max_dims=2, max_side=3),
       contracted=shapes(min_dims=0, max_dims=2, max_side=3), seed=seeds)
def test_tensordot(batch_a, batch_b, contracted, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(-1, 1, batch_a + contracted), rng.uniform(-1, 1, contracted[::-1] + batch_b)
    n = len(contracted)
    axes = (list(range(-n, 0)), list(range(n - 1, -1, -1)))
    build = lambda m: lambda x, y: m.sin(m.tensordot(x, y, axes)) + m.tensordot(x, m.flip(y, tuple(range(n))), axes)
    agree(*both(build), [a, b], seed=seed)


EINSUM = ["ij,jk->ik", "ij,ij->", "i,j->ij", "ii->", "ij->ji", "bij,bjk->bik", "...ij,jk->...ik",
          "ijk,k->ij", "i,i,i->", "ij,kj->ik", "iij->ij"]


@bounded
@given(spec=st.sampled_from(EINSUM), sides=st.lists(st.integers(1, 3), min_size=4, max_size=4),
       ellipsis=shapes(min_dims=0, max_dims=2, max_side=2), seed=seeds)
def test_einsum_forms(spec, sides, ellipsis, seed):
    rng = np.random.default_rng(seed)
    size = dict(zip("ijkb", sides))
    ops = [ellipsis * ("..." in t) + tuple(size[c] for c in t.replace("...", ""))
           for t in spec.split("->")[0].split(",")]
    args = [rng.uniform(-1, 1, s) for s in ops]
    agree(*both(lambda m: lambda *a: m.sin(m.einsum(spec, *a))), args, seed=seed)


# --- elementwise math ---------------------------------------------------------------------------------

BINARY = {
    "hypot": lambda x, y: (x, y),
    "logaddexp2": lambda x, y: (3 * x, 3 * y),
    "arctan2": lambda x, y: (x + np.sign(x) * 0.2, y + np.sign(y) * 0.2),
}
# modular functions: numerators a whole multiple plus a fraction kept in [0.1, 0.9] of the divisor,
# so no example sits on a jump
MODULAR = ["mod", "fmod", "floor_divide", "remainder"]


@bounded
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3), seed=seeds,
       name=st.sampled_from(sorted(BINARY) + MODULAR))
def test_binary_math(shapes, seed, name):
    rng = np.random.default_rng(seed)
    sx, sy = shapes.input_shapes
    if name in MODULAR:
        # the numerator takes the broadcast shape; the divisor is broadcast against it
        y = rng.uniform(0.5, 2.0, sy) * rng.choice([-1.0, 1.0], sy)
        out = shapes.result_shape
        x = (rng.integers(-3, 3, out) + rng.uniform(0.1, 0.9, out)) * np.broadcast_to(y, out)
        if name == "floor_divide":       # piecewise constant: multiply so the gradient is not all zero
            build = lambda m: lambda a, b: m.floor_divide(a, b) * a * b
        else:
            build = lambda m: getattr(m, name)
    else:
        x, y = BINARY[name](rng.uniform(-2, 2, sx), rng.uniform(-2, 2, sy))
        build = lambda m: getattr(m, name)
    agree(*both(build), [x, y], seed=seed)


@bounded
@given(shape=shapes(min_dims=0), seed=seeds, name=st.sampled_from(["sinc", "cbrt"]))
def test_unary_math(shape, seed, name):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.2, 2.5, shape) * rng.choice([-1.0, 1.0], shape)      # cbrt is singular at 0
    agree(*both(lambda m: getattr(m, name)), [x], seed=seed)


# --- linalg: well-conditioned matrices built from the drawn data --------------------------------------

def _sign_free(m, u, v):
    """Sum over i of u[..., :, i] v[..., i, :]-style products: unchanged when a pair flips sign."""
    return m.einsum("...ji,...ik->...jk", u, v)


LINALG = {
    "inv": lambda m, a, b: m.linalg.inv(a),
    "solve": lambda m, a, b: m.linalg.solve(a, b),
    "det": lambda m, a, b: m.linalg.det(a),
    "slogdet": lambda m, a, b: m.linalg.slogdet(a)[1],
    "cholesky": lambda m, a, b: m.linalg.cholesky(a @ m.swapaxes(a, -1, -2)),
    "qr": lambda m, a, b: (lambda q, r: q * m.sign(m.diagonal(r, 0, -2, -1))[..., None, :])(*m.linalg.qr(a)),
    "eigh": lambda m, a, b: (lambda w, v: w[..., None] * _sign_free(m, v, m.swapaxes(v, -1, -2)))(
        *m.linalg.eigh(a + m.swapaxes(a, -1, -2))),
    "svd": lambda m, a, b: (lambda u, s, vh: s[..., None] * _sign_free(m, u, vh))(
        *m.linalg.svd(a, full_matrices=False)),
}


@bounded
@given(batch=shapes(min_dims=0, max_dims=1, max_side=2), n=st.integers(1, 4), seed=seeds,
       name=st.sampled_from(sorted(LINALG)))
def test_linalg(batch, n, seed, name):
    rng = np.random.default_rng(seed)
    # a diagonal of distinct, well separated values keeps the matrix invertible and its spectrum simple
    a = np.diag(np.arange(1.0, n + 1) * 2.0 + 1.0) + rng.uniform(-0.3, 0.3, batch + (n, n))
    b = rng.uniform(-1, 1, batch + (n, 2))
    fn = LINALG[name]
    agree(lambda x, y: fn(fnp, x, y), lambda x, y: fn(jnp, x, y), [a, b], seed=seed, rtol=1e-8)


# --- fft ----------------------------------------------------------------------------------------------

def _real_view(m, y):
    """Real and imaginary parts, squared in part so the second derivative is not identically zero."""
    parts = m.stack([m.real(y), m.imag(y)])
    return parts + 0.5 * parts ** 2


@bounded
@given(shape=shapes(max_side=5), data=st.data(), seed=seeds,
       name=st.sampled_from(["fft", "ifft", "rfft", "irfft", "fftn"]))
def test_fft(shape, data, seed, name):
    axis = axis_of(data, len(shape), allow_none=False)
    n = data.draw(st.one_of(st.none(), st.integers(1, 6)), label="n")
    if name == "fftn":
        axes = tuple(data.draw(st.permutations(range(-len(shape), 0)), label="axes")[:data.draw(
            st.integers(1, len(shape)), label="count")])
        call = lambda m, v: m.fft.fftn(v, axes=axes)
    elif name == "irfft":
        assume(n is not None or shape[axis] > 1)        # the default length 2 (m - 1) needs m > 1
        call = lambda m, v: m.fft.irfft(v, n, axis=axis)
    else:
        call = lambda m, v: getattr(m.fft, name)(v, n, axis=axis)
    x = np.random.default_rng(seed).uniform(-1, 1, shape)
    agree(lambda v: _real_view(fnp, call(fnp, v)), lambda v: _real_view(jnp, call(jnp, v)), [x], seed=seed)
