"""fgrad.config debug_nans / debug_infs: the first NaN (or infinity) of a forward or backward program is
a FloatingPointError naming the primitive (and, in a backward pass, the forward operation it
differentiates); with the options off, programs are the backend's own."""

from __future__ import annotations

import linecache
import sys

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.backends.numpy_codegen import Program
from fgrad.config import Config
from fgrad.core import bind, sites_on
from fgrad.nan_checks import CheckedProgram
from fgrad.primitives.elementwise import log_p


@pytest.fixture
def debug(request):
    names = request.param if hasattr(request, "param") else ("debug_nans",)
    for name in names:
        fgrad.config.update(name, True)
    yield
    for name in names:
        fgrad.config.update(name, False)


def weighted_root(x, w):
    return fnp.sum(fnp.sqrt(x) * w)            # the gradient at x = w = 0 is 0 / 0: NaN in the backward pass only


X, W = np.array([0.0, 1.0]), np.array([0.0, 2.0])


def test_a_forward_nan_names_the_primitive_and_the_user_s_line(debug):
    line = r"\n  at .*test_debug_nans.py:\d+ \(the first NaN"
    with pytest.raises(FloatingPointError, match=r"^invalid value \(nan\) encountered in log" + line):
        fgrad.jit(lambda x: fnp.sum(fnp.log(x)))(np.array([1.0, -1.0]))
    with pytest.raises(FloatingPointError, match=r"^invalid value \(nan\) encountered in sqrt" + line):
        fgrad.grad(lambda x: fnp.sum(fnp.sqrt(x)))(np.array([1.0, -1.0]))


def test_eager_binds_are_checked_where_they_run(debug):
    here = sys._getframe().f_lineno + 2
    with pytest.raises(FloatingPointError, match=rf"^invalid value \(nan\) encountered in log\n  at .*:{here} "):
        bind(log_p, np.float64(-75.0))
    assert bind(log_p, np.float64(2.0)) == np.log(2.0)


def test_eager_fgrad_numpy_is_checked(debug):
    with pytest.raises(FloatingPointError, match=r"^invalid value \(nan\) encountered in log\n  at "):
        fnp.log(-3.0 * fnp.square(5.0))                   # jax's debugging-flags example, not under jit


def test_a_backward_nan_names_the_forward_operation(debug):
    assert float(fgrad.jit(weighted_root)(X, W)) == 2.0            # the forward pass is fine
    backward = r"^invalid value \(nan\) encountered in div\n  in the gradient of sqrt"
    with pytest.raises(FloatingPointError, match=backward):
        fgrad.grad(weighted_root)(X, W)
    _, pullback = fgrad.vjp(weighted_root, X, W)
    with pytest.raises(FloatingPointError, match=r"in the gradient of sqrt"):
        pullback(1.0)


def test_results_are_unchanged_when_nothing_is_nan(debug):
    x = np.array([0.5, 2.0])
    with_check = fgrad.value_and_grad(weighted_root, argnums=(0, 1))(x, W)
    fgrad.config.update("debug_nans", False)
    without = fgrad.value_and_grad(weighted_root, argnums=(0, 1))(x, W)
    np.testing.assert_array_equal(with_check[0], without[0])
    for a, b in zip(with_check[1], without[1]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("debug", [("debug_infs",)], indirect=True)
def test_debug_infs_catches_infinities(debug):
    with pytest.raises(FloatingPointError, match=r"\(inf\) encountered in div"):
        fgrad.jit(lambda x: 1.0 / x)(np.array([0.0, 1.0]))
    assert np.isnan(fgrad.jit(lambda x: fnp.log(x))(-1.0))      # NaNs pass when only debug_infs is on


def test_off_means_the_backend_s_program():
    f = fgrad.jit(lambda x: fnp.log(x) * 2.0)
    assert isinstance(f.lower(1.0).program, Program)
    with np.errstate(invalid="ignore"):
        assert np.isnan(f(-1.0))
    fgrad.config.update("debug_nans", True)
    try:
        g = fgrad.value_and_grad(lambda x: fnp.log(x) * 2.0)
        with pytest.raises(FloatingPointError):
            g(-1.0)
    finally:
        fgrad.config.update("debug_nans", False)


def test_the_checked_program_is_the_checking_evaluator(debug):
    assert isinstance(fgrad.nan_checks.compile_checked(fgrad.make_ir(fnp.sin)(1.0)), CheckedProgram)


def test_options_take_booleans_only(monkeypatch):
    with pytest.raises(TypeError, match="debug_nans"):
        fgrad.config.update("debug_nans", 1)
    monkeypatch.setenv("FGRAD_DEBUG_NANS", "on")
    assert Config().debug_nans is True
    monkeypatch.setenv("FGRAD_DEBUG_INFS", "maybe")
    with pytest.raises(ValueError, match="FGRAD_DEBUG_INFS"):
        Config()


def test_the_message_gives_the_user_s_line(debug):
    line = weighted_root.__code__.co_firstlineno + 1
    with pytest.raises(FloatingPointError, match=rf"in the gradient of sqrt at .*test_debug_nans.py:{line} "):
        fgrad.grad(weighted_root)(X, W)
    with pytest.raises(FloatingPointError, match=rf"in the gradient of sqrt at .*test_debug_nans.py:{line} "):
        fgrad.jit(fgrad.grad(weighted_root))(X, W)          # through jit's replay of the program


def test_sites_are_recorded_only_while_asked_for():
    line = weighted_root.__code__.co_firstlineno + 1
    ir = fgrad.make_ir(weighted_root)(X, W)
    assert all(e.where is None for e in ir.eqns)
    with sites_on():
        ir = fgrad.make_ir(weighted_root)(X, W)
    sqrt = next(e for e in ir.eqns if e.prim.name == "sqrt")
    assert (sqrt.where.line, sqrt.where.column, sqrt.where.function) == \
        (line, linecache.getline(__file__, line).index("fnp.sqrt"), "weighted_root")
    with sites_on():                                        # batching's copies keep them
        batched = fgrad.make_ir(fgrad.vmap(fgrad.grad(weighted_root), in_axes=(0, None)))(np.stack([X, X]), W)
    sites = {(e.prim.name, e.where) for e in batched.eqns}
    assert ("sqrt", sqrt.where) in sites and all(where is not None for _, where in sites)


def test_jax_option_names_set_the_same_options():
    try:
        fgrad.config.update("jax_debug_nans", True)
        assert fgrad.config.debug_nans
        with pytest.raises(FloatingPointError, match="sqrt"):
            fgrad.grad(weighted_root)(np.zeros(2), np.zeros(2))
    finally:
        fgrad.config.update("jax_debug_nans", False)
    assert not fgrad.config.debug_nans
    fgrad.config.update("jax_enable_x64", True)        # what fgrad does already
    with pytest.raises(ValueError, match="always computes float64"):
        fgrad.config.update("jax_enable_x64", False)


@pytest.mark.parametrize("transform", ["jit", "grad", "vmap", "jvp"])
def test_a_program_cached_before_the_option_is_checked_after_it(transform):
    root2 = lambda x: fnp.sum(fnp.sqrt(x) * 2.0)   # noqa: E731 - NaN in its value and its derivatives
    run = {"jit": lambda: fgrad.jit(root2), "grad": lambda: fgrad.grad(root2),
           "vmap": lambda: fgrad.vmap(root2), "jvp": lambda: lambda x: fgrad.jvp(root2, (x,), (x,))}[transform]()
    x = -np.ones((2, 2))
    with np.errstate(invalid="ignore"):
        run(x)                                   # compiled and cached unchecked
    try:
        fgrad.config.update("debug_nans", True)
        with pytest.raises(FloatingPointError, match="sqrt"):
            run(x)
    finally:
        fgrad.config.update("debug_nans", False)
    with np.errstate(invalid="ignore"):
        assert np.isnan(np.asarray(run(x)[0] if transform == "jvp" else run(x))).any()


def test_the_context_managers_set_and_restore_the_options():
    with fgrad.debug_nans(True):
        assert fgrad.config.debug_nans
        with fgrad.debug_nans(False), fgrad.debug_infs(True):
            assert not fgrad.config.debug_nans and fgrad.config.debug_infs
            assert np.isnan(fgrad.jit(fnp.log)(-1.0))           # NaNs pass, infinities would not
        assert fgrad.config.debug_nans and not fgrad.config.debug_infs
        with pytest.raises(FloatingPointError):
            fgrad.grad(fnp.sqrt)(-1.0)
    assert not fgrad.config.debug_nans
    with pytest.raises(TypeError, match="debug_nans"):
        with fgrad.debug_nans("yes"):
            pass
    with pytest.raises(ValueError), fgrad.debug_nans(True):     # restored when the block raises
        raise ValueError("inside")
    assert not fgrad.config.debug_nans


def _jax_error(fun, *args) -> str | None:
    """The first line of the FloatingPointError jax raises for fun(*args) under jax_debug_nans."""
    import jax
    with jax.debug_nans(True):
        try:
            fun(*args)
        except FloatingPointError as e:
            return str(e).splitlines()[0]
    return None


def test_jit_checks_its_outputs_as_jax_jit_does(capsys, backend):
    import jax
    import jax.numpy as jnp
    masked = lambda np_, x: np_.where(x > 0, np_.log(x), 0.0)          # noqa: E731 - NaN never reaches the output
    with fgrad.debug_nans(True):
        assert fgrad.jit(lambda x: masked(fnp, x))(-1.0) == 0.0
    assert _jax_error(jax.jit(lambda x: masked(jnp, x)), -1.0) is None
    assert capsys.readouterr().out == ""
    def page(np_):                                       # jax's debugging-flags example
        return lambda x: np_.log(-3 * np_.square(x))
    f, g = page(fnp), page(jnp)
    with fgrad.debug_nans(True), pytest.raises(FloatingPointError) as caught:
        fgrad.jit(f)(5.0)
    said = capsys.readouterr().out
    assert str(caught.value).splitlines()[0] == _jax_error(jax.jit(g), 5.0) == \
        "invalid value (nan) encountered in log"
    assert said == ("Invalid nan value encountered in the output of a fgrad.jit function. "
                    "Calling the de-optimized version.\n")


def test_eager_and_gradient_errors_start_with_jax_s_line():
    import jax
    import jax.numpy as jnp
    with fgrad.debug_nans(True):
        for fun, jax_fun in [(fgrad.grad(lambda x, w: fnp.sum(fnp.sqrt(x - 1.0) * w)),      # NaN in the forward
                              jax.grad(lambda x, w: jnp.sum(jnp.sqrt(x - 1.0) * w))),
                             (lambda x, w: fnp.log(x - 1.0), lambda x, w: jnp.log(x - 1.0))]:
            with pytest.raises(FloatingPointError) as caught:
                fun(X, W)
            assert str(caught.value).splitlines()[0] == _jax_error(jax_fun, X, W)


def test_a_nan_argument_reaching_a_jit_output_is_named_as_such(capsys):
    with fgrad.debug_nans(True), pytest.raises(FloatingPointError, match="an argument or a constant"):
        fgrad.jit(lambda x, y: (x, y + 1.0))(np.nan, 1.0)
    assert "Calling the de-optimized version" in capsys.readouterr().out
    with fgrad.debug_nans(True), pytest.raises(FloatingPointError, match=r"^invalid value \(nan\) encountered in mul"):
        fgrad.jit(lambda x: x * 2.0)(np.nan)  # jax.jit of an array raises in its de-optimized run too


def test_jit_on_xla_with_jax_x64_checks_too_even_after_a_call_without_checks(capsys):
    # with jax's x64 on, a short xla program runs through jax.jit's own dispatch, which skips the checks
    import jax
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", True)
    try:
        f = fgrad.jit(lambda x: fnp.log(-3 * fnp.square(x)), backend="xla")
        assert np.isnan(f(5.0))
        with fgrad.debug_nans(True), pytest.raises(FloatingPointError, match="nan"):
            f(5.0)
        fresh = fgrad.jit(lambda x: fnp.log(-3 * fnp.square(x)), backend="xla")
        with fgrad.debug_nans(True), pytest.raises(FloatingPointError, match="nan"):
            fresh(5.0)
        assert np.isnan(f(5.0))
    finally:
        jax.config.update("jax_enable_x64", before)
    capsys.readouterr()
