"""autograd's differential operators (grad, jacobian, hessian, ...) on fgrad.vjp and fgrad.jvp.

Each takes `(fun, argnum=0)` and returns a function of all of `fun`'s arguments (unary_to_nary).
As in autograd, `grad` accepts an output with one element of any shape, and `jacobian` stacks one
vector-Jacobian product per output element.
"""

from __future__ import annotations

import inspect
import warnings
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

import fgrad
import fgrad.numpy as fnp

from . import core
from .vspaces import vspace
from .wrap_util import unary_to_nary, wraps

make_vjp = unary_to_nary(core.make_vjp)
make_jvp = unary_to_nary(core.make_jvp)


def _size_one_as_scalar(fun: Callable) -> Callable:
    """autograd differentiates outputs of size one of any shape; fgrad (as jax) wants shape ()."""
    def scalar_fun(*args, **kwargs):
        out = fun(*args, **kwargs)
        return fnp.reshape(out, ()) if np.size(out) == 1 and np.ndim(out) else out
    return scalar_fun


def _direct(transform: Callable, operator: Callable, fun: Callable, argnum) -> Callable:
    """`transform` (fgrad.grad or fgrad.value_and_grad) of `fun` itself, named as unary_to_nary
    names it: one function for all calls, so fgrad compiles it once per input type."""
    if type(argnum) not in (int, tuple, list):
        raise TypeError(f"argnum must be an int or a tuple of ints, got {argnum!r}")
    compiled = transform(_size_one_as_scalar(fun), argnums=argnum if isinstance(argnum, int) else tuple(argnum))

    @wraps(fun, "{op}_of_{fun}_wrt_argnum_{argnum}",
           "    {op} of function {fun} with respect to argument number {argnum}. Takes the same\n"
           "    arguments as {fun} but returns the {op}.\n", op=operator.__name__, argnum=argnum)
    def nary_f(*args, **kwargs):
        return compiled(*args, **kwargs)
    return nary_f


def grad(fun: Callable, argnum=0) -> Callable:
    """
    Returns a function which computes the gradient of `fun` with respect to positional argument
    number `argnum` (default 0; a tuple: a tuple of gradients). The returned function takes the
    same arguments as `fun` and returns the gradient, of the argument's type. `fun` must return a
    real scalar (an output of size one of any shape).

    Raises:
        TypeError: when the output is not one real number, or the argument is not floating point.

    Example:
        >>> float(grad(lambda x, y: x * y, 1)(2.0, 3.0))
        2.0
    """
    return _direct(fgrad.grad, grad, fun, argnum)


def value_and_grad(fun: Callable, argnum=0) -> Callable:
    """Returns a function giving `(fun(*args), grad(fun, argnum)(*args))` from one forward pass.

    Example:
        >>> [float(v) for v in value_and_grad(lambda x: x ** 2)(3.0)]
        [9.0, 6.0]
    """
    return _direct(fgrad.value_and_grad, value_and_grad, fun, argnum)


@unary_to_nary
def elementwise_grad(fun, x):
    """Returns a function giving the sum of the Jacobian's rows (its diagonal when the Jacobian is
    diagonal), in one reverse pass.

    Raises:
        TypeError: when `fun`'s output is complex.

    Example:
        >>> elementwise_grad(lambda x: x ** 2)(np.array([1.0, 2.0]))
        array([2., 4.])
    """
    vjp, ans = core.make_vjp(fun, x)
    if vspace(ans).iscomplex:
        raise TypeError("Elementwise_grad only applies to real-output functions.")
    return vjp(vspace(ans).ones())


@unary_to_nary
def deriv(fun, x):
    """Returns a function giving the derivative of `fun` along a tangent of ones (forward mode).

    Example:
        >>> float(deriv(lambda x: x ** 3)(2.0))
        12.0
    """
    return core.make_jvp(fun, x)(vspace(x).ones())[1]


@unary_to_nary
def jacobian(fun, x):
    """Returns a function giving the Jacobian of `fun`, of shape `out.shape + x.shape`.

    Example:
        >>> jacobian(lambda x: x * np.array([1.0, 2.0]))(np.ones(2))
        array([[1., 0.],
               [0., 2.]])
    """
    vjp, ans = core.make_vjp(fun, x)
    out_space = vspace(ans)
    rows = [vjp(b) for b in out_space.standard_basis()]
    return fnp.reshape(fnp.stack(rows), out_space.shape + vspace(x).shape)


@unary_to_nary
def holomorphic_grad(fun, x):
    """Returns a function giving the complex derivative of a holomorphic `fun`.

    Example:
        >>> complex(holomorphic_grad(lambda z: z ** 2)(1.0 + 1.0j))
        (2-2j)
    """
    if not vspace(x).iscomplex:
        warnings.warn("Input to holomorphic_grad is not complex", stacklevel=2)
    return grad(lambda x: fnp.real(fun(x)))(x)


def grad_named(fun: Callable, argname: str) -> Callable:
    """`grad` with respect to the argument named `argname` (not *args or **kwargs).

    Example:
        >>> float(grad_named(lambda x, y: x * y, "y")(2.0, 3.0))
        2.0
    """
    return grad(fun, list(inspect.signature(fun).parameters).index(argname))


@unary_to_nary
def hessian(fun, x):
    """Returns a function giving the exact Hessian of `fun`.

    Example:
        >>> hessian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
        array([[ 6.,  0.],
               [ 0., 12.]])
    """
    return jacobian(jacobian(fun))(x)


@unary_to_nary
def make_hvp(fun, x):
    """Returns a function giving `(hvp, grad)` at a point: `hvp(v)` is the Hessian times `v`.

    Example:
        >>> hvp, g = make_hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
        >>> hvp(np.ones(2))
        array([ 6., 12.])
    """
    return core.make_vjp(grad(fun), x)


def hessian_tensor_product(fun: Callable, argnum: int = 0) -> Callable:
    """A function of `(*args, tensor)` giving the Hessian of `fun` contracted with `tensor`.

    Example:
        >>> hessian_tensor_product(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.ones(2))
        array([ 6., 12.])
    """
    fun_grad = grad(fun, argnum)

    def vector_dot_grad(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(fun_grad(*args, **kwargs), vector, np.ndim(vector))
    return grad(vector_dot_grad, argnum)


hessian_vector_product = hessian_tensor_product


def tensor_jacobian_product(fun: Callable, argnum: int = 0) -> Callable:
    """A function of `(*args, tensor)` giving `tensor` contracted with the Jacobian of `fun`.

    Example:
        >>> tensor_jacobian_product(lambda x: x * 2.0)(np.ones(2), np.array([1.0, 3.0]))
        array([2., 6.])
    """
    def vector_dot_fun(*args, **kwargs):
        args, vector = args[:-1], args[-1]
        return fnp.tensordot(vector, fun(*args, **kwargs), axes=np.ndim(vector))
    return jacobian(vector_dot_fun, argnum)


vector_jacobian_product = tensor_jacobian_product


def make_ggnvp(f: Callable, g: Callable = lambda x: 0.5 * fnp.sum(x ** 2, axis=-1), f_argnum: int = 0):
    """Generalized Gauss-Newton products: `make_ggnvp(f, g)(x)(v)` is `J^T H J v`, with J the
    Jacobian of `f` at x and H the Hessian of `g` at `f(x)`.

    Example:
        >>> A = np.array([[1.0, 2.0], [0.0, 1.0]])
        >>> make_ggnvp(lambda x: np.dot(A, x))(np.ones(2))(np.array([1.0, 0.0]))
        array([1., 2.])
    """
    @unary_to_nary
    def _make_ggnvp(f, x):
        f_vjp, f_x = core.make_vjp(f, x)
        g_hvp, _ = core.make_vjp(grad(g), f_x)
        f_jvp = core.make_jvp(f, x)
        return lambda v: f_vjp(g_hvp(f_jvp(v)[1]))
    return _make_ggnvp(f, f_argnum)


@unary_to_nary
def grad_and_aux(fun, x):
    """Returns a function giving `(gradient of fun's first output, fun's second output)`.

    Example:
        >>> g, aux = grad_and_aux(lambda x: (x ** 2, x + 1.0))(3.0)
        >>> float(g), float(aux)
        (6.0, 4.0)
    """
    out, pullback, aux = fgrad.vjp(fun, x, has_aux=True)
    return pullback(vspace(out).ones())[0], aux


def multigrad_dict(fun: Callable) -> Callable:
    """A function of `fun`'s arguments giving an ordered dict: argument name -> its gradient.

    Example:
        >>> {k: float(v) for k, v in multigrad_dict(lambda x, y=2.0: x * y)(3.0).items()}
        {'x': 2.0, 'y': 3.0}
    """
    sig = inspect.signature(fun)
    kinds = inspect.Parameter

    def gradfun(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        names = list(bound.arguments)

        def call(values: dict):
            pos, kw = [], {}
            for name in names:
                kind = sig.parameters[name].kind
                if kind == kinds.VAR_POSITIONAL:
                    pos.extend(values[name])
                elif kind == kinds.VAR_KEYWORD:
                    kw.update(values[name])
                elif kind == kinds.KEYWORD_ONLY:
                    kw[name] = values[name]
                else:
                    pos.append(values[name])
            return fun(*pos, **kw)
        grads = grad(call)(dict(bound.arguments))
        return OrderedDict((name, grads[name]) for name in names)
    return gradfun


def checkpoint(fun: Callable) -> Callable:
    """`fun`, with its intermediate values recomputed in the backward pass instead of stored.

    Example:
        >>> float(grad(checkpoint(lambda x: np.sin(x) * x))(0.0))
        0.0
    """
    return fgrad.checkpoint(fun)
