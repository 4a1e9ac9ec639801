"""autograd's public names, expressed with fgrad, for running HIPS autograd's own tests on fgrad.

tools/autograd_suite.py copies this file next to autograd's tests as `_fgrad_autograd` and points
their `from autograd... import` lines here. The differential operators and the gradient checks follow
autograd 1.9.1's definitions (autograd/differential_operators.py, autograd/test_util.py) line for line,
with autograd's make_vjp/make_jvp replaced by fgrad.vjp/fgrad.jvp, so a test fails only where fgrad
computes something different. Names with no fgrad counterpart (primitive, defvjp, vspace, the boxed
containers, ...) are stubs that raise AutogradOnlyAPI when used, so the tests that need them fail and
say why.

Example:
    >>> import numpy as np
    >>> from autograd_adapter import check_grads, grad
    >>> float(grad(lambda x: x ** 3)(2.0))
    12.0
    >>> check_grads(lambda x: x * np.sin(1.0))(0.3)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from itertools import product

import numpy as onp

import fgrad
import fgrad.numpy as fnp
from fgrad.tree import tree_flatten, tree_unflatten

TOL = 1e-6
RTOL = 1e-6
EPS = 1e-6

_WHERE = {  # autograd module each autograd-only name comes from, for the failure message
    "primitive": "autograd.extend/tracer", "defvjp": "autograd.extend", "defjvp": "autograd.extend",
    "vspace": "autograd.core", "primitive_vjps": "autograd.core", "isbox": "autograd.tracer",
    "unary_to_nary": "autograd.wrap_util", "const_graph": "autograd.misc", "flatten": "autograd.misc",
    "isinstance": "autograd.builtins", "list": "autograd.builtins", "tuple": "autograd.builtins",
    "dict": "autograd.builtins", "quick_grad_check": "autograd.util", "checkpoint": "autograd",
}


class AutogradOnlyAPI(NotImplementedError):
    """Raised when a test uses an autograd API that fgrad does not offer."""


def _autograd_only(name: str):
    def stub(*args, **kwargs):
        raise AutogradOnlyAPI(f"autograd-only API: {_WHERE.get(name, 'autograd')}.{name} has no fgrad counterpart")
    stub.__name__ = name
    return stub


def __getattr__(name: str):
    if name == "scipy":                      # `autograd.scipy.signal.convolve` in a test body
        return importlib.import_module("fgrad.scipy")
    if name == "numpy":
        return fnp
    if name.startswith("__"):
        raise AttributeError(name)
    return _autograd_only(name)


# --- autograd's unary_to_nary: differentiate with respect to argument `argnum` (int or tuple) --------

def _subvals(args: tuple, pairs) -> tuple:
    out = list(args)
    for i, v in pairs:
        out[i] = v
    return tuple(out)


def _nary(unary_operator: Callable) -> Callable:
    def nary_operator(fun, argnum=0, *op_args, **op_kwargs):
        def nary_f(*args, **kwargs):
            pairs = (lambda x: [(argnum, x)]) if isinstance(argnum, int) else (lambda x: zip(argnum, x))
            unary_f = lambda x: fun(*_subvals(args, pairs(x)), **kwargs)
            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *op_args, **op_kwargs)
        nary_f.__name__ = f"{unary_operator.__name__}_of_{getattr(fun, '__name__', 'f')}"
        return nary_f
    nary_operator.__name__ = unary_operator.__name__
    return nary_operator


def _make_vjp(fun: Callable, x):
    out, pullback = fgrad.vjp(fun, x)
    return (lambda ct: pullback(ct)[0]), out


def _make_jvp(fun: Callable, x):
    return lambda v: fgrad.jvp(fun, (x,), (v,))


make_vjp = _nary(_make_vjp)
make_jvp = _nary(_make_jvp)


# --- vector-space helpers on pytrees of arrays and numbers (autograd's vspace) ----------------------

def _leaves_map(fn: Callable, *trees):
    leaves, tree = tree_flatten(trees[0])
    others = [tree_flatten(t)[0] for t in trees[1:]]
    return tree_unflatten(tree, [fn(*xs) for xs in zip(leaves, *others)])


def _randn_like(x):
    shape = onp.shape(x)
    r = onp.random.randn(*shape)
    if onp.iscomplexobj(x):
        r = r + 1j * onp.random.randn(*shape)
    return onp.asarray(r)[()]


def _ones_like(x):
    return onp.ones(onp.shape(x), onp.result_type(x))[()]


def _inner(a, b) -> float:
    return float(sum(onp.real(onp.vdot(onp.asarray(u), onp.asarray(v)))
                     for u, v in zip(tree_flatten(a)[0], tree_flatten(b)[0])))


def _covector(x):
    return _leaves_map(onp.conj, x)


def _is_complex(x) -> bool:
    return any(onp.iscomplexobj(leaf) for leaf in tree_flatten(x)[0])


# --- differential operators ------------------------------------------------------------------------

def _size_one_as_scalar(fun: Callable) -> Callable:
    """autograd differentiates outputs of size one of any shape; fgrad (as jax) wants shape ()."""
    def scalar_fun(x):
        out = fun(x)
        return fnp.reshape(out, ()) if onp.size(out) == 1 and onp.ndim(out) else out
    return scalar_fun


@_nary
def grad(fun, x):
    return fgrad.grad(_size_one_as_scalar(fun))(x)      # fgrad's own checks: a real output, float inputs


@_nary
def elementwise_grad(fun, x):
    vjp, ans = _make_vjp(fun, x)
    if _is_complex(ans):
        raise TypeError("Elementwise_grad only applies to real-output functions.")
    return vjp(_leaves_map(_ones_like, ans))


@_nary
def deriv(fun, x):
    return _make_jvp(fun, x)(_leaves_map(_ones_like, x))[1]


@_nary
def jacobian(fun, x):
    vjp, ans = _make_vjp(fun, x)
    shape = onp.shape(ans) + onp.shape(x)
    basis = onp.eye(onp.size(ans)).reshape((-1,) + onp.shape(ans))
    return fnp.reshape(fnp.stack([vjp(b) for b in basis]), shape)


@_nary
def holomorphic_grad(fun, x):
    return grad(lambda x: fnp.real(fun(x)))(x)


@_nary
def hessian(fun, x):
    return jacobian(jacobian(fun))(x)


@_nary
def make_hvp(fun, x):
    return _make_vjp(grad(fun), x)


@_nary
def value_and_grad(fun, x):
    return fgrad.value_and_grad(_size_one_as_scalar(fun))(x)


@_nary
def grad_and_aux(fun, x):
    out, pullback, aux = fgrad.vjp(fun, x, has_aux=True)
    return pullback(_leaves_map(_ones_like, out))[0], aux


def tensor_jacobian_product(fun, argnum=0):
    def vector_dot_fun(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(vector, fun(*args, **kwargs), axes=onp.ndim(vector))
    return jacobian(vector_dot_fun, argnum)


vector_jacobian_product = tensor_jacobian_product


def hessian_tensor_product(fun, argnum=0):
    fun_grad = grad(fun, argnum)
    def vector_dot_grad(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(fun_grad(*args, **kwargs), vector, onp.ndim(vector))
    return grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


# --- autograd.test_util ----------------------------------------------------------------------------

def scalar_close(a, b) -> bool:
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


def _add_scaled(x, v, scale):
    return _leaves_map(lambda a, b: a + scale * b, x, v)


def make_numerical_jvp(f: Callable, x):
    def jvp(v):
        plus, minus = f(_add_scaled(x, v, EPS / 2)), f(_add_scaled(x, v, -EPS / 2))
        return _leaves_map(lambda p, m: (onp.asarray(p) - onp.asarray(m)) / EPS, plus, minus)
    return jvp


def check_vjp(f: Callable, x) -> None:
    vjp, y = _make_vjp(f, x)
    jvp = make_numerical_jvp(f, x)
    x_v, y_v = _leaves_map(_randn_like, x), _leaves_map(_randn_like, y)
    vjp_y = _covector(vjp(_covector(y_v)))
    exact, numeric = _inner(x_v, vjp_y), _inner(y_v, jvp(x_v))
    assert scalar_close(numeric, exact), (
        f"Derivative (VJP) check of {getattr(f, '__name__', 'f')} failed with arg {x}:\n"
        f"analytic: {exact}\nnumeric:  {numeric}")


def check_jvp(f: Callable, x) -> None:
    x_v = _leaves_map(_randn_like, x)
    check_equivalent(_make_jvp(f, x)(x_v)[1], make_numerical_jvp(f, x)(x_v))


def check_equivalent(x, y) -> None:
    x_shapes, y_shapes = (_leaves_map(onp.shape, t) for t in (x, y))
    assert x_shapes == y_shapes, f"VSpace mismatch:\nx: {x_shapes}\ny: {y_shapes}"
    v = _leaves_map(_randn_like, x)
    assert scalar_close(_inner(x, v), _inner(y, v)), f"Value mismatch:\nx: {x}\ny: {y}"


def _check_grads(f: Callable, x, modes=("fwd", "rev"), order=2) -> None:
    assert all(m in ("fwd", "rev") for m in modes)
    if "fwd" in modes:
        check_jvp(f, x)
        if order > 1:
            grad_f = lambda x, v: _make_jvp(f, x)(v)[1]
            check_grads(grad_f, (0, 1), modes, order=order - 1)(x, _leaves_map(_randn_like, x))
    if "rev" in modes:
        check_vjp(f, x)
        if order > 1:
            grad_f = lambda x, v: _make_vjp(f, x)[0](v)
            check_grads(grad_f, (0, 1), modes, order=order - 1)(x, _leaves_map(_randn_like, f(x)))


_check_grads.__name__ = "check_grads"
check_grads = _nary(_check_grads)


def combo_check(fun: Callable, *args, **kwargs):
    checker = lambda f: check_grads(f, *args, **kwargs)

    def _combo_check(*args, **kwargs):
        kwarg_key_vals = [[(k, x) for x in xs] for k, xs in kwargs.items()]
        for _args in product(*args):
            for _kwargs in product(*kwarg_key_vals):
                checker(fun)(*_args, **dict(_kwargs))

    return _combo_check
