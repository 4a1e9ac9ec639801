"""fgrad.numpy's NumPy surface against jax.numpy (float64): values, gradients, second derivatives and
the jitted program, for every function added to the array API, on arrays of several shapes (hypothesis
for a representative set), plus NumPy's errors for out-of-range arguments and NumPy's values at the
extremes of the inverse functions."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fgrad
import fgrad.numpy as fnp
from fgrad.errors import AxisError

jax.config.update("jax_enable_x64", True)

r = np.random.default_rng(0)
A = r.uniform(-0.9, 0.9, (3, 4))
P = r.uniform(1.1, 2.0, (3, 4))
V = r.uniform(-1, 1, 5)
S = r.uniform(-1, 1, (4, 4))

# name -> (build(module) -> function, args): the same case built with fgrad.numpy and jax.numpy
CASES = {
    "arcsin": (lambda m: m.arcsin, [A]),
    "arccos": (lambda m: m.arccos, [A]),
    "arcsinh": (lambda m: m.arcsinh, [A]),
    "arccosh": (lambda m: m.arccosh, [P]),
    "arctanh": (lambda m: m.arctanh, [A]),
    "arctan2": (lambda m: m.arctan2, [A, P]),
    "hypot": (lambda m: m.hypot, [A, P]),
    "log2": (lambda m: m.log2, [P]),
    "log10": (lambda m: m.log10, [P]),
    "exp2": (lambda m: m.exp2, [A]),
    "logaddexp2": (lambda m: m.logaddexp2, [A, P]),
    "sinc": (lambda m: m.sinc, [np.array([0.0, 1e-4, 0.3, -1.7])]),
    "cbrt": (lambda m: m.cbrt, [P]),
    "reciprocal": (lambda m: m.reciprocal, [P]),
    "deg2rad": (lambda m: m.deg2rad, [A]),
    "mod": (lambda m: m.mod, [A*5, P]),
    "fmod": (lambda m: m.fmod, [A*5, P]),
    "floor_divide": (lambda m: lambda x,y: m.floor_divide(x,y)*x, [A*5, P]),
    "round": (lambda m: lambda x: m.round(x*3)*x, [A]),
    "floor": (lambda m: lambda x: m.floor(x*3)*x, [A]),
    "tensordot": (lambda m: lambda a,b: m.tensordot(a,b,1), [A, S]),
    "tensordot2": (lambda m: lambda a,b: m.tensordot(a,b,([0],[1])), [A, A.T.copy()]),
    "inner": (lambda m: m.inner, [A, A]),
    "kron": (lambda m: m.kron, [A, S[:2,:3]]),
    "cross": (lambda m: m.cross, [A[:, :3], P[:, :3]]),
    "trace": (lambda m: m.trace, [S]),
    "diag": (lambda m: m.diag, [S]),
    "diag1": (lambda m: lambda v: m.diag(v, 1), [V]),
    "diagonal": (lambda m: lambda x: m.diagonal(x, -1), [S]),
    "tril": (lambda m: m.tril, [S]),
    "triu": (lambda m: lambda x: m.triu(x, 1), [A]),
    "repeat": (lambda m: lambda x: m.repeat(x, 2, axis=1), [A]),
    "repeat0": (lambda m: lambda x: m.repeat(x, 3), [A]),
    "tile": (lambda m: lambda x: m.tile(x, (2, 1, 2)), [A]),
    "cumsum": (lambda m: lambda x: m.cumsum(x, axis=1), [A]),
    "cumsum0": (lambda m: m.cumsum, [A]),
    "cumprod": (lambda m: lambda x: m.cumprod(x, axis=1), [A]),
    "diff": (lambda m: lambda x: m.diff(x, 2, axis=1), [A]),
    "split": (lambda m: lambda x: m.split(x, 2, axis=1)[1], [A]),
    "array_split": (lambda m: lambda x: m.array_split(x, 3, axis=1)[0], [A]),
    "flip": (lambda m: m.flip, [A]),
    "fliplr": (lambda m: m.fliplr, [A]),
    "roll": (lambda m: lambda x: m.roll(x, 2, axis=1), [A]),
    "rollnone": (lambda m: lambda x: m.roll(x, -5), [A]),
    "rot90": (lambda m: lambda x: m.rot90(x, 3), [A]),
    "pad": (lambda m: lambda x: m.pad(x, ((1, 2), (0, 1)), constant_values=3.0), [A]),
    "padr": (lambda m: lambda x: m.pad(x, 2, mode="reflect"), [A]),
    "pade": (lambda m: lambda x: m.pad(x, (1,3), mode="edge"), [A]),
    "padw": (lambda m: lambda x: m.pad(x, 2, mode="wrap"), [A]),
    "pads": (lambda m: lambda x: m.pad(x, 2, mode="symmetric"), [A]),
    "take": (lambda m: lambda x: m.take(x, np.array([2, 0, 2]), axis=1), [A]),
    "take_along": (lambda m: lambda x: m.take_along_axis(x, np.argsort(A, 1), 1), [A]),
    "sort": (lambda m: lambda x: m.sort(x, axis=0), [A]),
    "sortd": (lambda m: lambda x: m.sort(x, axis=None), [A]),
    "argsort": (lambda m: lambda x: m.argsort(x, axis=1), [A]),
    "moveaxis": (lambda m: lambda x: m.moveaxis(x[None], 0, -1), [A]),
    "atleast_3d": (lambda m: m.atleast_3d, [V]),
    "meshgrid": (lambda m: lambda a, b: m.meshgrid(a, b)[0] * m.meshgrid(a, b)[1], [V, V[:3]]),
    "hstack": (lambda m: lambda x: m.hstack([x, x]), [A]),
    "vstack": (lambda m: lambda v: m.vstack([v, v]), [V]),
    "dstack": (lambda m: lambda x: m.dstack([x, x]), [A]),
    "column_stack": (lambda m: lambda v: m.column_stack([v, v]), [V]),
    "nansum": (lambda m: lambda x: m.nansum(m.where(x > 0.5, np.nan, x), axis=0), [A]),
    "nanmean": (lambda m: lambda x: m.nanmean(m.where(x > 0.5, np.nan, x), axis=1), [A]),
    "nanvar": (lambda m: lambda x: m.nanvar(m.where(x > 0.5, np.nan, x), axis=1, ddof=1), [A]),
    "nanstd": (lambda m: lambda x: m.nanstd(m.where(x > 0.5, np.nan, x)), [A]),
    "nanmax": (lambda m: lambda x: m.nanmax(m.where(x > 0.5, np.nan, x), axis=1), [A]),
    "nanprod": (lambda m: lambda x: m.nanprod(m.where(x > 0.5, np.nan, x), axis=1), [A]),
    "average": (lambda m: lambda x, w: m.average(x, axis=1, weights=w), [A, P[0]]),
    "cov": (lambda m: m.cov, [A]),
    "covb": (lambda m: lambda x: m.cov(x, rowvar=False, bias=True), [A]),
    "corrcoef": (lambda m: m.corrcoef, [A]),
    "ptp": (lambda m: lambda x: m.ptp(x, axis=1), [A]),
    "median": (lambda m: lambda x: m.median(x, axis=1), [A]),
    "median0": (lambda m: m.median, [A]),
    "quantile": (lambda m: lambda x: m.quantile(x, np.array([0.1, 0.5, 0.9]), axis=0), [A]),
    "percentile": (lambda m: lambda x: m.percentile(x, 30.0), [A]),
    "polyval": (lambda m: lambda p, x: m.polyval(p, x), [V[:3], A]),
    "convolve": (lambda m: m.convolve, [V, V[:3]]),
    "convolves": (lambda m: lambda a, b: m.convolve(a, b, "same"), [V[:3], V]),
    "convolvev": (lambda m: lambda a, b: m.convolve(a, b, "valid"), [V, V[:3]]),
    "correlate": (lambda m: lambda a, b: m.correlate(a, b, "full"), [V, V[:2]]),
    "interp": (lambda m: lambda x, fp: m.interp(x, np.array([-1.0, 0.0, 0.5, 1.0]), fp), [A, V[:4]]),
    "select": (lambda m: lambda x: m.select([x < -0.3, x > 0.3], [x ** 2, m.sin(x)], 0.5), [A]),
    "heaviside": (lambda m: lambda x: m.heaviside(x, 0.5) * x, [A]),
    "array": (lambda m: lambda x: m.array([x[0], x[1] * 2, x[2]]), [V]),
    "array2": (lambda m: lambda x: m.array([[x[0], x[1]], [x[2], 1.0]]), [V]),
    "linspace": (lambda m: lambda a, b: m.linspace(a, b, 5), [np.float64(0.3), np.float64(1.7)]),
    "float32": (lambda m: lambda x: m.float32(x).astype(m.float64) * x, [A]),
    "clipkw": (lambda m: lambda x: m.clip(x, min=-0.2, max=0.3), [A]),
    "varcorr": (lambda m: lambda x: m.var(x, axis=1, correction=1), [A]),
    "einsum_ell": (lambda m: lambda a, b: m.einsum("...ij,...jk->...ik", a, b), [A[None], S[None]]),
    "einsum_rep": (lambda m: lambda a: m.einsum("ii->i", a), [S]),
    "einsum_inter": (lambda m: lambda a, b: m.einsum(a, [0, 1], b, [1, 2], [0, 2]), [A, S]),
}

NONDIFF = {"argsort"}       # integer results: values only


def _close(ours, theirs, rtol):
    np.testing.assert_allclose(np.asarray(ours, np.float64), np.asarray(theirs, np.float64), rtol=rtol, atol=1e-12)


def _scalar(build, m):
    """sum(sin(f(...))): a scalar whose derivatives see every output element."""
    f = build(m)
    return lambda *a: m.sum(m.sin(f(*a)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_jax(name):
    build, args = CASES[name]
    _close(build(fnp)(*args), build(jnp)(*args), 1e-10)


@pytest.mark.parametrize("name", sorted(set(CASES) - NONDIFF))
def test_gradients_match_jax(name):
    build, args = CASES[name]
    argnums = tuple(range(len(args)))
    ours = fgrad.grad(_scalar(build, fnp), argnums=argnums)(*args)
    theirs = jax.grad(_scalar(build, jnp), argnums=argnums)(*args)
    for a, b in zip(ours, theirs):
        _close(a, b, 1e-9)


@pytest.mark.parametrize("name", sorted(set(CASES) - NONDIFF))
def test_second_derivatives_match_jax(name):
    build, args = CASES[name]
    first_f, first_j = fgrad.grad(_scalar(build, fnp)), jax.grad(_scalar(build, jnp))
    ours = fgrad.grad(lambda *a: fnp.sum(first_f(*a) ** 2))(*args)
    theirs = jax.grad(lambda *a: jnp.sum(first_j(*a) ** 2))(*args)
    _close(ours, theirs, 1e-8)


@pytest.mark.parametrize("name", sorted(set(CASES) - NONDIFF))
def test_jit_matches_eager(name):
    build, args = CASES[name]
    _close(fgrad.jit(_scalar(build, fnp))(*args), _scalar(build, jnp)(*args), 1e-10)


# --- random shapes ------------------------------------------------------------------------------------

SHAPED = {
    "cumsum": lambda m, x, ax: m.cumsum(x, axis=ax),
    "cumprod": lambda m, x, ax: m.cumprod(x, axis=ax),
    "sort": lambda m, x, ax: m.sort(x, axis=ax),
    "flip": lambda m, x, ax: m.flip(x, axis=ax),
    "roll": lambda m, x, ax: m.roll(x, 2, axis=ax),
    "diff": lambda m, x, ax: m.diff(x, axis=ax),
    "repeat": lambda m, x, ax: m.repeat(x, 2, axis=ax),
    "median": lambda m, x, ax: m.median(x, axis=ax),
    "pad": lambda m, x, ax: m.pad(x, 1, mode="reflect") if min(x.shape) > 1 else m.pad(x, 1),
}


@settings(max_examples=8, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), axis_seed=st.integers(0, 100),
       seed=st.integers(0, 2 ** 16))
@pytest.mark.parametrize("name", sorted(SHAPED))
def test_random_shapes_match_jax(name, shape, axis_seed, seed):
    x = np.random.default_rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.3 - 0.5
    axis = axis_seed % len(shape) - (axis_seed % 2) * len(shape)     # negative axes too
    fn = SHAPED[name]
    _close(fn(fnp, x, axis), fn(jnp, x, axis), 1e-10)
    ours = fgrad.grad(lambda v: fnp.sum(fnp.sin(fn(fnp, v, axis))))(x)
    theirs = jax.grad(lambda v: jnp.sum(jnp.sin(fn(jnp, v, axis))))(x)
    _close(ours, theirs, 1e-9)


# --- values at the extremes, errors -------------------------------------------------------------------

def test_inverse_functions_keep_numpys_values_at_extremes():
    big = np.array([1e-300, 1e-20, 3.0, 1e150, 1e300, -1e300])
    near_one = np.array([1 - 1e-15, 1 - 1e-9, 0.999999])
    traced = lambda f, x: fgrad.jit(f)(x)          # the traced program, not the eager NumPy call
    np.testing.assert_array_equal(traced(fnp.arcsinh, big), np.arcsinh(big))
    np.testing.assert_array_equal(traced(fnp.arccos, near_one), np.arccos(near_one))
    np.testing.assert_array_equal(traced(fnp.arctanh, near_one), np.arctanh(near_one))
    np.testing.assert_array_equal(traced(fnp.arccosh, 1 + big[:3]), np.arccosh(1 + big[:3]))


def test_sinc_is_smooth_at_zero():
    d2 = fgrad.grad(fgrad.grad(fnp.sinc))(0.0)
    np.testing.assert_allclose(d2, jax.grad(jax.grad(jnp.sinc))(0.0), rtol=1e-12)
    np.testing.assert_allclose(d2, -np.pi ** 2 / 3, rtol=1e-12)


def test_rounding_has_zero_gradient():
    for fn in (fnp.floor, fnp.ceil, fnp.round, fnp.rint, fnp.trunc, fnp.fix):
        np.testing.assert_array_equal(fgrad.grad(lambda x, fn=fn: fnp.sum(fn(x)))(A), np.zeros_like(A))


def test_shape_ndim_size_are_functions():
    x = np.ones((2, 3))
    assert fgrad.grad(lambda v: fnp.sum(v) * fnp.size(v) * fnp.ndim(v) + fnp.shape(v)[1])(x).tolist() == \
        np.full((2, 3), 12.0).tolist()
    assert (fnp.shape(x), fnp.ndim(x), fnp.size(x, 1)) == ((2, 3), 2, 3)


def test_scalar_types_are_dtypes_and_conversions():
    assert np.dtype(fnp.float32) == np.float32 and isinstance(np.float32(1), fnp.float32)
    out = fgrad.jit(lambda x: fnp.float32(x))(np.ones(2))
    assert out.dtype == np.float32
    assert fnp.int32(2.7) == 2 and type(fnp.int32(2.7)) is np.int32


@pytest.mark.parametrize("call, error", [
    (lambda x: fnp.cumsum(x, axis=2), AxisError),
    (lambda x: fnp.sort(x, axis=-3), AxisError),
    (lambda x: fnp.split(x, 3, axis=1), ValueError),
    (lambda x: fnp.pad(x, 1, mode="linear_ramp"), NotImplementedError),
    (lambda x: fnp.tensordot(x, x, 1), Exception),
    (lambda x: fnp.quantile(x, 1.5), ValueError),
    (lambda x: fnp.fliplr(x[0]), ValueError),
    (lambda x: fnp.take(x, np.array([0]), mode="bad"), ValueError),
])
def test_bad_arguments_raise_numpys_errors(call, error):
    with pytest.raises(error):
        fgrad.grad(lambda x: fnp.sum(call(x)))(A[:2])


def test_list_of_traced_values_is_an_array():
    f = lambda x: fnp.mean([x, 1.0, 2.0 * x]) + fnp.sum(fnp.append(np.ones(2), [x, x * 3]))
    g = lambda x: jnp.mean(jnp.array([x, 1.0, 2.0 * x])) + jnp.sum(jnp.append(jnp.ones(2), jnp.array([x, x * 3])))
    np.testing.assert_allclose(fgrad.grad(f)(1.5), jax.grad(g)(1.5))


# --- fgrad.nn activations against jax.nn ----------------------------------------------------------------

ACTIVATIONS = [("gelu", {}), ("gelu", {"approximate": False}), ("silu", {}), ("swish", {}), ("elu", {"alpha": 0.7}),
               ("selu", {}), ("celu", {"alpha": 1.3}), ("leaky_relu", {"negative_slope": 0.2}), ("log_sigmoid", {}),
               ("relu6", {}), ("hard_tanh", {}), ("hard_sigmoid", {}), ("hard_silu", {}), ("glu", {}), ("mish", {}),
               ("soft_sign", {}), ("standardize", {}), ("logsumexp", {}), ("softmax", {}), ("log_softmax", {})]


@pytest.mark.parametrize("name, kw", ACTIVATIONS, ids=[f"{n}-{k}" for n, k in ACTIVATIONS])
def test_activations_match_jax_nn_to_second_order(name, kw):
    x = np.linspace(-7.3, 7.1, 12)          # both tails, off the kinks
    f = lambda v: fnp.sum(fnp.sin(getattr(fgrad.nn, name)(v, **kw)))
    g = lambda v: jnp.sum(jnp.sin(getattr(jax.nn, name)(v, **kw)))
    np.testing.assert_allclose(f(x), g(x), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fgrad.grad(f)(x), jax.grad(g)(x), rtol=1e-9, atol=1e-12)
    ours = fgrad.grad(lambda v: fnp.sum(fgrad.grad(f)(v) ** 2))(x)
    np.testing.assert_allclose(ours, jax.grad(lambda v: jnp.sum(jax.grad(g)(v) ** 2))(x), rtol=1e-8, atol=1e-10)
