"""Bessel functions: the pure-NumPy kernels against SciPy over wide ranges, derivatives of every order
against mpmath, i0e/i1e/i0/i1 against jax.scipy.special (float64), the order checks and the xla form."""

from __future__ import annotations

import subprocess
import sys

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.scipy.special as fss
from fgrad.errors import MissingRuleError
from fgrad.primitives import _bessel_kernels as kernels
from fgrad.testing import check_grads

jax.config.update("jax_enable_x64", True)
scipy_special = pytest.importorskip("scipy.special")
mpmath = pytest.importorskip("mpmath")

_WIDE = np.concatenate([np.geomspace(1e-6, 3e3, 2500), -np.geomspace(1e-5, 80.0, 60), [0.0]])


def _scaled_error(ours, theirs, x):
    """Error relative to the value or, near the zeros of J and Y, to the envelope sqrt(2 / (pi x))."""
    envelope = np.minimum(1.0, np.sqrt(2.0 / (np.pi * np.maximum(np.abs(x), 1e-300))))
    diff = np.where(ours == theirs, 0.0, np.abs(ours - theirs))
    return np.max(diff / np.maximum(np.abs(theirs), envelope))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 10, 30, -3])
def test_kernel_jn_yn_against_scipy(n):
    assert _scaled_error(kernels.jn(n, _WIDE), scipy_special.jv(n, _WIDE), _WIDE) < 5e-13
    positive = _WIDE[_WIDE > 0]
    assert _scaled_error(kernels.yn(n, positive), scipy_special.yn(n, positive), positive) < 5e-13


@pytest.mark.parametrize("v", [0.0, 1.0, 0.3, 1.7, 2.0, 10.5, 49.2])
def test_kernel_ive_against_scipy(v):
    x = np.geomspace(1e-4, 1e4, 3000)
    ref = scipy_special.ive(v, x)
    keep = ref > 1e-290
    assert np.max(np.abs(kernels.ive(v, x) - ref)[keep] / ref[keep]) < 1e-12


def test_kernel_special_values_match_scipy():
    x = np.array([0.0, -1.5, np.nan, -np.inf])
    for n in (0, 1, 4):
        np.testing.assert_allclose(kernels.jn(n, x), scipy_special.jv(n, x), rtol=1e-14)
        np.testing.assert_allclose(kernels.yn(n, x), scipy_special.yn(n, x), rtol=1e-14)
    np.testing.assert_array_equal(kernels.ive(2.5, np.array([-1.0, 0.0])), scipy_special.ive(2.5, [-1.0, 0.0]))
    np.testing.assert_allclose(kernels.ive(3.0, np.array(-2.0)), scipy_special.ive(3.0, -2.0), rtol=1e-14)
    assert kernels.jn(0, np.array(np.inf)) == 0.0 and kernels.yn(1, np.array(np.inf)) == 0.0


def _mp_derivative(kind, n, x, k):
    with mpmath.workdps(30):
        if kind == "j":
            return float(mpmath.besselj(n, x, derivative=k))
        if kind == "y":
            return float(mpmath.diff(lambda t: mpmath.bessely(n, t), x, k))
        return float(mpmath.diff(lambda t: mpmath.besseli(n, t) * mpmath.exp(-abs(t)), x, k))


def _derivatives(f, x, order):
    out, g = [], f
    for _ in range(order):
        g = (lambda h: lambda t: fgrad.grad(lambda u: fnp.sum(h(u)))(t))(g)
        out.append(g(x))
    return out


@pytest.mark.parametrize("kind,n,x", [("j", 0, 2.3), ("j", 1, 7.5), ("j", 3, 1.2), ("j", -2, 4.0),
                                      ("y", 0, 0.7), ("y", 1, 9.0), ("y", 2, 3.1),
                                      ("i", 0.0, 1.3), ("i", 2.7, 4.0), ("i", 0.4, 0.8), ("i", 1.0, -2.5)])
def test_derivatives_to_third_order_against_mpmath(kind, n, x):
    f = {"j": lambda t: fss.jn(n, t), "y": lambda t: fss.yn(n, t), "i": lambda t: fss.ive(n, t)}[kind]
    for k, ours in enumerate(_derivatives(f, np.array(x), 3), 1):
        exact = _mp_derivative(kind, n, x, k)
        assert abs(ours - exact) <= 1e-11 * max(1.0, abs(exact)), (k, ours, exact)


@pytest.mark.parametrize("name", ["i0e", "i1e", "i0", "i1"])
def test_modified_bessel_against_jax_to_second_order(name):
    x = np.array([-7.0, -1.1, 0.3, 2.0, 9.5, 30.0])
    f, j = getattr(fss, name), getattr(jss, name)
    np.testing.assert_allclose(f(x), j(x), rtol=1e-13)
    ours = _derivatives(f, x, 2)
    theirs = [jax.grad(lambda t: jnp.sum(j(t)))(x),
              jax.grad(lambda t: jnp.sum(jax.grad(lambda u: jnp.sum(j(u)))(t)))(x)]
    for u, v in zip(ours, theirs):
        np.testing.assert_allclose(u, v, rtol=1e-11, atol=1e-14)


def test_iv_is_ive_unscaled_and_j0_y0_are_the_orders_zero():
    x = np.array([0.5, 3.0, 12.0])
    np.testing.assert_allclose(fss.iv(23.7, x), scipy_special.iv(23.7, x), rtol=1e-12)
    for name, ref in (("j0", scipy_special.j0), ("j1", scipy_special.j1), ("y0", scipy_special.y0),
                      ("y1", scipy_special.y1)):
        np.testing.assert_allclose(getattr(fss, name)(x), ref(x), rtol=1e-13)
    check_grads(lambda t: fss.iv(2.5, t), [x], order=2)
    check_grads(lambda t: fss.yn(3, t), [x], order=2)


def test_orders_must_be_concrete():
    with pytest.raises(TypeError, match="jn: the order must be a concrete integer.*test_scipy_special_bessel.py"):
        fss.jn(1.5, 2.0)
    with pytest.raises(TypeError, match="ive: the order must be a concrete finite real number"):
        fgrad.grad(lambda v: fss.ive(v, 2.0))(1.0)
    with pytest.raises(TypeError, match="yn: the order"):
        fss.yn(True, 2.0)


def test_xla_backend_for_the_orders_jax_has():
    x = np.array([-6.0, -0.4, 1.3, 4.9, 5.1, 17.0])
    for f in (fss.j0, fss.j1, lambda t: fss.y0(fnp.abs(t)), fss.i0e, fss.i1):
        g = lambda t, f=f: fgrad.grad(lambda u: fnp.sum(f(u)))(t)  # noqa: E731
        np.testing.assert_allclose(np.asarray(fgrad.jit(g, backend="xla")(x)), g(x), rtol=1e-12, atol=1e-15)
    with pytest.raises(MissingRuleError, match=r"bessel_jn\[n=2\].*numpy backend"):
        fgrad.jit(lambda t: fss.jn(2, t), backend="xla")(x)


def test_kernels_never_warn():
    x = np.array([0.0, -1.0, 1.0, 5.0, np.inf, -np.inf, np.nan, 1e300, 1e-300])
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for n in (0, 1, 2, 7):
            kernels.jn(n, x)
            kernels.yn(n, np.abs(x))
        for v in (0.0, 1.0, 2.5, 3.0):
            kernels.ive(v, x)


def test_computes_without_scipy():
    code = ("import sys; sys.modules['scipy'] = None; sys.modules['scipy.special'] = None\n"
            "import fgrad, fgrad.scipy.special as s\n"
            "print(float(s.jn(3, 2.5)), float(s.y1(0.7)), float(s.iv(23.7, 4.0)),"
            " float(fgrad.grad(s.i1e)(1.5)), float(s.ndtri(1e-30)), float(s.erfcx(12.0)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    values = list(map(float, out.stdout.split()))
    expected = [scipy_special.jv(3, 2.5), scipy_special.y1(0.7), scipy_special.iv(23.7, 4.0),
                float(jax.grad(jss.i1e)(1.5)), scipy_special.ndtri(1e-30), scipy_special.erfcx(12.0)]
    np.testing.assert_allclose(values, expected, rtol=2e-14, atol=1e-15)
