"""fgrad.scipy.integrate: odeint, an adaptive Dormand–Prince (RK45) ODE solver differentiable with
respect to the initial state, the times and the extra arguments, with SciPy's and jax's signatures.

The solver is jax.experimental.ode's Dormand–Prince method and step-size control written in fgrad
ops: a lax.scan over the output times, each interval a lax.while_loop of Runge–Kutta steps, so one
odeint call is two loop equations in the IR and jits on both backends. Unlike jax, the last step of
each interval is cut to land on the output time instead of reading it from the 4th-order dense
interpolant: the interpolant's error moves with the output times, so finite differences of the
solution in `t` (and second derivatives, which differentiate the adjoint's own output times) were
off by 1e-5 relative at the default tolerances, against about 1e-8 when landing; on dense time grids
it costs extra steps and gives a more accurate solution. Its
derivative is the adjoint method, as in jax and autograd: a custom_vjp whose backward pass integrates
the system augmented with the cotangents backwards in time, itself with odeint, so the backward pass
is differentiable again. `func` is traced once into a closed program first: values it reads from an
enclosing trace (closures over parameters) become explicit arguments and get their cotangents.

Example:
    >>> import fgrad, numpy as np
    >>> from fgrad.scipy.integrate import odeint
    >>> y = odeint(lambda y, t, k: -k * y, np.array([1.0]), np.array([0.0, 1.0]), 2.0)
    >>> bool(np.allclose(y[1], np.exp(-2.0)))
    True
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable

import numpy as np

from .. import lax
from .. import numpy as fnp
from ..api import vjp
from ..core import Aval, Tracer, aval_of, eval_ir, shape_of
from ..custom import custom_vjp
from ..errors import user_location
from ..primitives._subprograms import closed_trace
from ..tree import tree_flatten, tree_unflatten

__all__ = ["odeint"]

# Dormand–Prince 5(4): nodes, stage weights, the 5th-order solution and its error against the
# 4th-order one (the coefficients jax and SciPy use)
_ALPHA = (1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0)
_BETA = ((1 / 5,), (3 / 40, 9 / 40), (44 / 45, -56 / 15, 32 / 9),
         (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
         (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
         (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84))
_C_SOL = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0)
_C_ERR = (35 / 384 - 1951 / 21600, 0.0, 500 / 1113 - 22642 / 50085, 125 / 192 - 451 / 720,
          -2187 / 6784 + 12231 / 42400, 11 / 84 - 649 / 6300, -1.0 / 60.0)

_DEFAULT_TOL = 1.4e-8           # jax's rtol and atol (SciPy's None means 1.49012e-8)
_SCIPY_MXSTEP = 500             # SciPy's mxstep=0 means its default, 500 steps per output interval
# LSODA's tuning options, accepted for SciPy's signature: an explicit Runge-Kutta method needs none of them
_LSODA_ONLY = ("Dfun", "col_deriv", "ml", "mu", "ixpr", "mxhnil", "mxordn", "mxords", "printmessg")


# --- one Dormand–Prince step -------------------------------------------------------------------

def _combine(weights: tuple, ks: list):
    return functools.reduce(operator.add, [w * k for w, k in zip(weights, ks) if w != 0.0])


def _rk_step(fun: Callable, y, f, t, dt):
    """(y1, f(y1), the error estimate) of one step of size `dt`."""
    h = fnp.asarray(dt, y.dtype)
    ks = [f]
    for alpha, beta in zip(_ALPHA, _BETA):
        ks.append(fun(y + h * _combine(beta, ks), t + dt * alpha))
    return y + h * _combine(_C_SOL, ks), ks[-1], h * _combine(_C_ERR, ks)


def _error_ratio(err, rtol: float, atol: float, y0, y1):
    tol = atol + rtol * fnp.maximum(fnp.abs(y0), fnp.abs(y1))
    return fnp.sqrt(fnp.mean((err / tol) ** 2))


def _next_step(dt, ratio):
    """The step size the error ratio asks for: safety 0.9, growth at most 10, shrink at least 0.2."""
    zero = ratio == 0.0
    grow = (fnp.where(zero, 1.0, ratio) ** -0.2) * 0.9
    factor = fnp.minimum(10.0, fnp.maximum(grow, fnp.where(ratio < 1.0, 1.0, 0.2)))
    return fnp.where(zero, dt * 10.0, dt * factor)


def _initial_step(fun: Callable, t0, y0, f0, rtol: float, atol: float):
    """Hairer, Nørsett and Wanner's starting step (Solving ODEs I, II.4), for a method of order 4."""
    scale = atol + fnp.abs(y0) * rtol
    d0, d1 = fnp.linalg.norm(y0 / scale), fnp.linalg.norm(f0 / scale)
    # fnp's logical ops, not | and &: a NumPy bool on the left would hand a tracer to NumPy
    small = fnp.logical_or(d0 < 1e-5, d1 < 1e-5)
    h0 = fnp.asarray(fnp.where(small, 1e-6, 0.01 * d0 / fnp.where(small, 1.0, d1)), t0.dtype)
    f1 = fun(y0 + fnp.asarray(h0, y0.dtype) * f0, t0 + h0)
    d2 = fnp.linalg.norm((f1 - f0) / scale) / h0
    flat = fnp.logical_and(d1 <= 1e-15, d2 <= 1e-15)
    h1 = fnp.where(flat, fnp.maximum(1e-6, h0 * 1e-3), (0.01 / fnp.where(flat, 1.0, fnp.maximum(d1, d2))) ** 0.2)
    return fnp.asarray(fnp.minimum(100.0 * h0, h1), t0.dtype)


# --- the solver: a scan over output times, a while_loop of steps in each interval -----------------

def _interval(fun: Callable, opts: tuple, carry: tuple, target):
    """Step from the carry's time to `target`, the last step cut to land on it; returns the new carry
    and y at `target` (NaN when the step budget ran out or the step size collapsed)."""
    rtol, atol, mxstep, hmax, _ = opts

    def keep_going(state):
        i, _, _, t, dt = state
        more = fnp.logical_and(t < target, dt > 0.0)
        return fnp.logical_and(more, i < mxstep) if math.isfinite(mxstep) else more

    def step(state):
        i, y, f, t, dt = state
        lands = t + dt >= target
        h = fnp.where(lands, target - t, dt)
        y1, f1, err = _rk_step(fun, y, f, t, h)
        ratio = _error_ratio(err, rtol, atol, y, y1)
        accept = ratio <= 1.0
        # a step cut short to land on `target` does not shrink the next one
        proposed = _next_step(h, ratio)
        dt_next = fnp.clip(fnp.where(fnp.logical_and(accept, lands), fnp.maximum(proposed, dt), proposed), 0.0, hmax)
        return (i + 1, fnp.where(accept, y1, y), fnp.where(accept, f1, f),
                fnp.where(accept, fnp.where(lands, target, t + h), t), dt_next)

    _, *state = lax.while_loop(keep_going, step, (0, *carry))
    y, _, t, _ = state
    return tuple(state), fnp.where(t >= target, y, np.nan)


def _integrate(dynamics: Callable, opts: tuple, y0, ts, params: list):
    fun = lambda y, t: dynamics(y, t, params)  # noqa: E731
    rtol, atol, _, hmax, first_step = opts
    f0 = fun(y0, ts[0])
    dt = _initial_step(fun, ts[0], y0, f0, rtol, atol) if first_step is None else fnp.asarray(first_step, ts.dtype)
    carry = (y0, f0, ts[0], fnp.clip(dt, 0.0, hmax))
    _, ys = lax.scan(lambda c, target: _interval(fun, opts, c, target), carry, ts[1:])
    return fnp.concatenate([y0[None], ys])


_solve = custom_vjp(_integrate, nondiff_argnums=(0, 1))


def _solve_fwd(dynamics: Callable, opts: tuple, y0, ts, params: list):
    ys = _solve(dynamics, opts, y0, ts, params)
    return ys, (ys, ts, params)


def _is_float(x) -> bool:
    return (x.aval if isinstance(x, Tracer) else aval_of(x)).is_float


def _solve_bwd(dynamics: Callable, opts: tuple, res: tuple, g):
    """The adjoint method: between consecutive output times, integrate (y, ∂L/∂y, ∂L/∂t0, ∂L/∂params)
    backwards (forwards in -t), adding each output's cotangent as the integration passes it."""
    ys, ts, params = res
    floats = [i for i, p in enumerate(params) if _is_float(p)]
    n = shape_of(ys)[1]
    sizes = [int(np.prod(shape_of(params[i]), dtype=np.int64)) for i in floats]
    dtype = ys.dtype

    def augmented(state, minus_t, now: list):
        # `now` are the params as this call receives them: a transform of the backward pass passes
        # its own tracers, so nothing here may read `params` from the enclosing scope
        def f(y, t, *values):
            p = list(now)
            for i, v in zip(floats, values):
                p[i] = v
            return dynamics(y, t, p)
        y, y_bar = state[:n], state[n:2 * n]
        y_dot, pullback = vjp(f, y, -minus_t, *[now[i] for i in floats])
        cts = pullback(y_bar)
        return fnp.concatenate([-y_dot, cts[0], fnp.reshape(fnp.asarray(cts[1], dtype), (1,))]
                               + [fnp.ravel(fnp.asarray(c, dtype)) for c in cts[2:]])

    def back(carry, xs):
        y_bar, t0_bar, p_bar = carry
        y_i, t_i, t_prev, g_i, g_prev = xs
        t_bar = fnp.dot(dynamics(y_i, t_i, params), g_i)
        t0_bar = t0_bar - t_bar
        state = fnp.concatenate([y_i, y_bar, fnp.reshape(fnp.asarray(t0_bar, dtype), (1,)), p_bar])
        out = _solve(augmented, opts[:4] + (None,), state, fnp.stack([-t_i, -t_prev]), params)[1]
        return (out[n:2 * n] + g_prev, fnp.asarray(out[2 * n], ts.dtype), out[2 * n + 1:]), t_bar

    init = (g[-1], fnp.zeros((), ts.dtype), fnp.zeros((sum(sizes),), dtype))
    (y_bar, t0_bar, p_bar), ts_bar = lax.scan(back, init, (ys[1:], ts[1:], ts[:-1], g[1:], g[:-1]),
                                              reverse=True)
    # integer parameters have no cotangent: zeros keep the structure, custom_vjp drops them
    p_cts = [np.zeros(shape_of(p), _aval(p).dtype) for p in params]
    offsets = np.cumsum([0] + sizes)
    for k, i in enumerate(floats):
        p_cts[i] = fnp.asarray(fnp.reshape(p_bar[offsets[k]:offsets[k + 1]], shape_of(params[i])), params[i].dtype)
    return y_bar, fnp.concatenate([fnp.reshape(t0_bar, (1,)), ts_bar]), p_cts


_solve.defvjp(_solve_fwd, _solve_bwd)


# --- the public function: arguments, pytrees, closures, time direction ---------------------------

def _aval(x) -> Aval:
    return x.aval if isinstance(x, Tracer) else aval_of(x)


def _as_leaf(x, what: str):
    if not isinstance(x, Tracer):
        x = np.asarray(x)
        if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == np.bool_):
            raise TypeError(f"odeint: {what} must be arrays or scalars (or pytrees of them), got {type(x).__name__} "
                            f"({user_location()})")
    return x


def _state(y0) -> tuple:
    """y0's leaves raveled into one real vector, and the function that splits a (T, n) result back."""
    leaves, tree = tree_flatten(y0)
    leaves = [_as_leaf(x, "y0's leaves") for x in leaves]
    dtypes = [_aval(x).dtype for x in leaves]
    if any(np.issubdtype(d, np.complexfloating) for d in dtypes):
        raise TypeError(f"odeint integrates real states, got a complex y0; integrate its real and imaginary parts "
                        f"as two real arrays ({user_location()})")
    dtype = np.result_type(*dtypes) if dtypes else np.dtype(np.float64)
    dtype = dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)
    shapes = [_aval(x).shape for x in leaves]
    flat = fnp.concatenate([fnp.ravel(fnp.asarray(x, dtype)) for x in leaves]) if leaves else np.zeros(0, dtype)
    bounds = np.cumsum([0] + [int(np.prod(s, dtype=np.int64)) for s in shapes])

    def split(ys):
        n = shape_of(ys)[0]
        return tree_unflatten(tree, [fnp.reshape(ys[:, a:b], (n,) + s) for a, b, s in zip(bounds, bounds[1:], shapes)])
    return flat, tree, shapes, split


def _flat_output(out, tree, shapes: list, dtype, where: str):
    if tree.kind is None and tree_flatten(out)[1] != tree:
        out = tree_unflatten(tree, [fnp.asarray(out)])      # SciPy's func may return a list
    leaves, out_tree = tree_flatten(out)
    got = [tuple(shape_of(x)) for x in leaves]
    if out_tree != tree or got != [tuple(s) for s in shapes]:
        raise ValueError(f"odeint: func must return the structure and shapes of y0 ({tree_unflatten(tree, shapes)}), "
                         f"got {tree_unflatten(out_tree, got)} ({where})")
    return fnp.concatenate([fnp.ravel(fnp.asarray(x, dtype)) for x in leaves]) if leaves else np.zeros(0, dtype)


def _closure_converted(func: Callable, y_flat, ts, split_y: Callable, args: tuple, tree, shapes):
    """`func(y, t, *args)` as `dynamics(y_flat, tau, params) -> d * func(y, d * tau)` raveled, with
    d = -1 when `ts` decreases, so that tau = d * t increases. Nothing is hidden from transforms:
    params are d, the leaves of `args`, then the values func reads from enclosing traces."""
    arg_leaves, arg_tree = tree_flatten(args)
    arg_leaves = [_as_leaf(x, "the extra arguments") for x in arg_leaves]
    dtype = _aval(y_flat).dtype
    where = user_location()

    def flat_fun(y, tau, sign, *leaves):
        y_tree = split_y(fnp.reshape(y, (1, -1)))
        y_tree = tree_unflatten(tree, [fnp.reshape(x, s) for x, s in zip(tree_flatten(y_tree)[0], shapes)])
        out = func(y_tree, fnp.asarray(sign, _aval(tau).dtype) * tau, *tree_unflatten(arg_tree, list(leaves)))
        return [fnp.asarray(sign, dtype) * _flat_output(out, tree, shapes, dtype, where)]

    # an integer, so the adjoint computes no cotangent for it (it has none: d is piecewise constant)
    sign = fnp.where(ts[-1] < ts[0], -1, 1).astype(np.int8)
    avals = [_aval(y_flat), _aval(ts[0]), _aval(sign)] + [_aval(x) for x in arg_leaves]
    ir, consts = closed_trace(flat_fun, avals, "odeint")
    traced = [i for i, c in enumerate(consts) if isinstance(c, Tracer)]
    n_args = 1 + len(arg_leaves)

    def dynamics(y, tau, params: list):
        inputs = list(consts)
        for i, value in zip(traced, params[n_args:]):
            inputs[i] = value
        return eval_ir(ir, inputs + [y, tau] + list(params[:n_args]))[0]
    return dynamics, [sign] + arg_leaves + [consts[i] for i in traced], sign


def _extra_args(extra: tuple, args) -> tuple:
    """The arguments after (y, t): SciPy's `args` tuple or jax's positional ones (see odeint)."""
    if args is not None:
        if extra:
            raise TypeError(f"odeint: pass func's extra arguments either positionally (jax's form) or as args= "
                            f"(SciPy's), not both ({user_location()})")
        return args if isinstance(args, tuple) else (args,)
    if len(extra) == 1 and isinstance(extra[0], tuple):
        return extra[0]
    return extra


def _options(rtol, atol, mxstep, hmax, h0, scipy_options: dict) -> tuple:
    for name, value in scipy_options.items():
        if name in _LSODA_ONLY:
            continue
        if name in ("full_output", "tcrit", "hmin"):
            if value:
                raise NotImplementedError(f"odeint: {name}={value!r} is an LSODA option fgrad's Runge-Kutta solver "
                                          f"does not have; leave it at its default ({user_location()})")
            continue
        raise TypeError(f"odeint() got an unexpected keyword argument {name!r} ({user_location()})")
    tol = lambda v: _DEFAULT_TOL if v is None else float(v)  # noqa: E731
    if mxstep is None:
        steps = math.inf
    else:
        steps = float(_SCIPY_MXSTEP if mxstep == 0 else mxstep)
    limit = math.inf if hmax is None or hmax == 0 else float(hmax)
    return tol(rtol), tol(atol), steps, limit, None if h0 is None or h0 == 0 else float(h0)


def _times(t):
    t = fnp.asarray(_as_leaf(t, "t"))
    if len(shape_of(t)) != 1 or shape_of(t)[0] < 1:
        raise ValueError(f"odeint: t must be a 1-d array of at least one time, got shape {shape_of(t)} "
                         f"({user_location()})")
    return t if _aval(t).is_float else fnp.asarray(t, np.float64)


def odeint(func: Callable, y0, t, *extra, args=None, rtol=None, atol=None, mxstep=None, hmax=None, h0=None,
           tfirst: bool = False, **scipy_options):
    """Integrate dy/dt = func(y, t, *args) from y(t[0]) = y0, returning y at every time in `t`, as
    scipy.integrate.odeint and jax.experimental.ode.odeint; differentiable in y0, t and the arguments.

    The extra arguments of `func` come as SciPy passes them (`args=(a, b)`, or one tuple after `t`)
    or as jax does (`odeint(func, y0, t, a, b)`); a single tuple after `t` is always SciPy's `args`
    (pass `args=(tup,)` for one tuple-valued argument). `t` may decrease (SciPy); it is assumed
    monotonic. Values `func` reads from an enclosing trace (closures over parameters) are
    differentiated too. Derivatives are reverse mode (grad, vjp, jacrev, to any order) under jit
    and vmap; forward mode (jvp, jacfwd) is a TypeError, as for jax's odeint.

    Parameters:
        func: `func(y, t, *args)` (`func(t, y, *args)` with tfirst=True) returning dy/dt with y's
            structure and shapes.
        y0: the initial state, an array or a pytree of real arrays.
        t: 1-d array of output times, t[0] the initial time.
        *extra, args: func's extra arguments (arrays or pytrees of them), jax's or SciPy's way.
        rtol, atol: the local error tolerances (default 1.4e-8, jax's).
        mxstep: the most steps per output interval (default unlimited, as jax; 0 is SciPy's 500).
        hmax: the largest step (None or 0: unlimited). h0: the first step (None or 0: chosen).
        tfirst: func takes (t, y) rather than (y, t), as in SciPy.
        scipy_options: SciPy's LSODA-only options (Dfun, ml, mu, ...) are accepted and unused.

    Returns:
        y at each time: y0's structure, each leaf with a new leading axis of len(t). A time the
        solver could not reach within mxstep steps is NaN.

    Raises:
        TypeError: arguments that are not arrays, a complex y0, args given both ways, an unknown
            keyword.
        ValueError: `t` not 1-d, or func returning another structure or shape than y0.
        NotImplementedError: full_output, tcrit or hmin set.

    Example:
        >>> import fgrad, numpy as np
        >>> from fgrad.scipy.integrate import odeint
        >>> decay = lambda k: odeint(lambda y, t: -k * y, 1.0, np.array([0.0, 1.0]))[1]
        >>> bool(np.isclose(fgrad.grad(decay)(0.5), -np.exp(-0.5)))
        True
    """
    opts = _options(rtol, atol, mxstep, hmax, h0, scipy_options)
    fargs = _extra_args(extra, args)
    ts = _times(t)
    y_flat, tree, shapes, split = _state(y0)
    user = (lambda y, s, *a: func(s, y, *a)) if tfirst else func
    dynamics, params, sign = _closure_converted(user, y_flat, ts, split, fargs, tree, shapes)
    return split(_solve(dynamics, opts, y_flat, fnp.asarray(sign, ts.dtype) * ts, params))
