"""Elementwise arithmetic, comparisons, `where` and `stop_gradient`."""

from __future__ import annotations

import builtins

import numpy as np

from ..core import Tracer, bind
from ..primitives import elementwise as ew
from ..tree import tree_map
from ._creation import zeros_like
from ._promote import (
    _as_operand,
    _binary,
    _broadcast_together,
    _float_dtype,
    _is_traced,
    _unary,
    astype,
    promote,
    result_type,
)


def _unary_fn(prim, name):
    def fn(x):
        return _unary(prim, x)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Elementwise {name}, as numpy.{name}: one `{name}` primitive when traced, differentiable
    to any order. Integer and bool inputs are computed in floating point.

    Args:
        x: an array, a Python or NumPy number, or a traced value.

    Returns:
        An array of `x`'s shape, floating point; a NumPy value when `x` is not traced.

    Example:
        >>> x = np.array({"[1.5, 2.0]" if name == "arccosh" else "[0.5, 0.25]"})  # inside the domain
        >>> bool(np.allclose({name}(x), np.{name}(x)))
        True
    """
    return fn


sin, cos, tan, tanh = (_unary_fn(p, n) for p, n in ((ew.sin_p, "sin"), (ew.cos_p, "cos"),
                                                      (ew.tan_p, "tan"), (ew.tanh_p, "tanh")))
exp, expm1, log, log1p = (_unary_fn(p, n) for p, n in ((ew.exp_p, "exp"), (ew.expm1_p, "expm1"),
                                                        (ew.log_p, "log"), (ew.log1p_p, "log1p")))
sqrt, arctan, sinh, cosh = (_unary_fn(p, n) for p, n in ((ew.sqrt_p, "sqrt"), (ew.arctan_p, "arctan"),
                                                          (ew.sinh_p, "sinh"), (ew.cosh_p, "cosh")))


def negative(x):
    """Elementwise -x, in `x`'s dtype (integers stay integers).

    Args:
        x: an array, a number or a traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> negative(np.array([2.0, -1.0]))
        array([-2.,  1.])
    """
    return _unary(ew.neg_p, x, floating=False)


def abs(x):  # noqa: A001 - mirrors numpy.abs
    """Elementwise |x|, in `x`'s dtype; its derivative at 0 is 1, as in jax (PyTorch's is 0).

    Args:
        x: an array, a number or a traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> import fgrad
        >>> abs(np.array([-2.0, 3.0])), float(fgrad.grad(abs)(0.0))
        (array([2., 3.]), 1.0)
    """
    return _unary(ew.abs_p, x, floating=False)


absolute = abs


def sign(x):
    """Elementwise sign (-1, 0 or 1) in `x`'s dtype; its derivative is 0 everywhere.

    Args:
        x: an array, a number or a traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> sign(np.array([-3.0, 0.0, 2.0]))
        array([-1.,  0.,  1.])
    """
    return _unary(ew.sign_p, x, floating=False)


def square(x):
    """Elementwise x*x, traced as `integer_pow` with exponent 2 (derivative 2x).

    Args:
        x: an array, a number or a traced value.

    Returns:
        An array of `x`'s shape and dtype.

    Example:
        >>> square(np.array([3.0, -2.0]))
        array([9., 4.])
    """
    return power(x, 2)


def add(x, y):
    """Elementwise x + y with broadcasting.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> add(np.array([1.0, 2.0]), 1.0)
        array([2., 3.])
    """
    return _binary(ew.add_p, x, y)


def subtract(x, y):
    """Elementwise x - y with broadcasting.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> subtract(np.array([3.0, 1.0]), 1.0)
        array([2., 0.])
    """
    return _binary(ew.sub_p, x, y)


def multiply(x, y):
    """Elementwise x * y with broadcasting.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.
    `multiply(x, x)` of one traced value is recorded as a square, so its gradient is one term.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> multiply(np.array([2.0, 3.0]), 2.0)
        array([4., 6.])
    """
    if x is y and isinstance(x, Tracer):
        return power(x, 2)          # one cotangent term (2x) instead of two
    return _binary(ew.mul_p, x, y)


def divide(x, y):
    """Elementwise true division (integers give floats).

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        A floating-point array of the broadcast shape.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> divide(1, 4), divide(np.array([1, 2]), 2)
        (np.float64(0.25), array([0.5, 1. ]))
    """
    dtype = np.result_type(result_type(x, y), np.float16)
    if not (isinstance(x, Tracer) or isinstance(y, Tracer)):
        return np.true_divide(x, y)
    return bind(ew.div_p, *promote(x, y, dtype=dtype))


true_divide = divide


def power(x, y):
    """Elementwise x ** y.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.
    A traced `x` with an integral Python exponent |y| <= 64 is recorded as `integer_pow`, whose
    derivative is finite at x = 0 (x ** 2.0 has gradient 0 at 0, not NaN).

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> import fgrad
        >>> power(2.0, 3), float(fgrad.grad(lambda x: power(x, 3))(2.0))
        (np.float64(8.0), 12.0)
    """
    if not isinstance(x, Tracer) and not isinstance(y, Tracer):
        return np.power(x, y)
    if isinstance(y, (int, float, np.integer, np.floating)) and not isinstance(y, bool) \
            and float(y).is_integer() and builtins.abs(float(y)) <= 64:
        (x,) = promote(x, dtype=result_type(x, y))
        return bind(ew.integer_pow_p, x, n=int(y))
    return _binary(ew.pow_p, x, y)


def maximum(x, y):
    """Elementwise maximum; ties share the derivative equally, as in jax.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype; NaN propagates.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> import fgrad
        >>> maximum(np.array([1.0, 3.0]), 2.0), float(fgrad.grad(lambda x: maximum(x, 1.0))(1.0))
        (array([2., 3.]), 0.5)
    """
    return _binary(ew.max_p, x, y)


def minimum(x, y):
    """Elementwise minimum; ties share the derivative equally, as in jax.

    Python scalars are weak (they take the array's dtype), as in jax.numpy; broadcasting is made
    explicit in the traced program, so the derivative never has to un-broadcast.

    Args:
        x: an array, a number or a traced value.
        y: the same; broadcast against `x`.

    Returns:
        An array of the broadcast shape in the promoted dtype; NaN propagates.

    Raises:
        ValueError: plain arrays whose shapes do not broadcast (NumPy's error).
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> minimum(np.array([1.0, 3.0]), 2.0)
        array([1., 2.])
    """
    return _binary(ew.min_p, x, y)


def clip(x, a_min=None, a_max=None, *, min=None, max=None):  # noqa: A002 - jax.numpy's keywords
    """Limit values to [a_min, a_max] (or jax.numpy's ``min=``, ``max=``).

    Written as `minimum(maximum(x, a_min), a_max)`, so at a bound the derivative is shared
    (1/2), as in jax; inside the interval it is 1 and outside 0.

    Args:
        x: an array, a number or a traced value.
        a_min: the lower bound (None: none); an array broadcasting against `x` or a number.
        a_max: the upper bound (None: none).
        min: jax.numpy's keyword for `a_min`.
        max: jax.numpy's keyword for `a_max`.

    Returns:
        An array of the broadcast shape.

    Example:
        >>> clip(np.array([-1.0, 0.5, 2.0]), 0.0, 1.0)
        array([0. , 0.5, 1. ])
    """
    a_min, a_max = (a_min if min is None else min), (a_max if max is None else max)
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def where(condition, x=None, y=None):
    """Choose `x` where `condition` holds, else `y` (the traced stand-in for `if`).

    With `x` and `y` omitted it returns the indices of the true elements, as numpy.where; that
    needs a concrete `condition`. The derivative flows to the chosen operand only, but a NaN in
    the other one's derivative still shows (compute the unsafe branch on safe inputs).

    Args:
        condition: a bool array (or numbers, nonzero meaning true), possibly traced.
        x: the values where `condition` is true.
        y: the values elsewhere; `condition`, `x` and `y` broadcast together.

    Returns:
        An array of the broadcast shape in the promoted dtype of `x` and `y`.

    Raises:
        ShapeError: traced operands whose shapes do not broadcast.

    Example:
        >>> where(np.array([True, False]), 1.0, 2.0)
        array([1., 2.])
    """
    if x is None and y is None:
        return np.where(condition)    # the indices of the true elements: concrete values only
    if not _is_traced((condition, x, y)):
        return np.where(condition, x, y)
    x, y, condition = _as_operand(x), _as_operand(y), _as_operand(condition)
    dtype = result_type(x, y)
    if result_type(condition) != np.bool_:
        condition = not_equal(condition, 0)
    return bind(ew.select_p, *_broadcast_together([astype(condition, np.bool_), astype(x, dtype),
                                                   astype(y, dtype)]))


def logaddexp(x, y):
    """log(exp(x) + exp(y)) without overflow, differentiable everywhere (also at x == y).

    Args:
        x: an array, a number or a traced value.
        y: the same, broadcast against `x`.

    Returns:
        A floating-point array of the broadcast shape.

    Example:
        >>> bool(np.isclose(logaddexp(0.0, 0.0), np.log(2.0))), float(logaddexp(1000.0, 0.0))
        (True, 1000.0)
    """
    if not _is_traced((x, y)):
        return np.logaddexp(x, y)
    x, y = promote(x, y, dtype=_float_dtype(result_type(x, y)))
    # a constant shift keeps every derivative smooth (max/abs would lose them at x == y); one of
    # expm1(x - top), exp(y - top) - 1 is exactly 0, so log1p sees the small term unrounded
    top = stop_gradient(maximum(x, y))
    top = where(isnan(top - top), zeros_like(top), top)
    return top + log1p(expm1(x - top) + exp(y - top))


def isnan(x):
    """Elementwise NaN test; no derivative (a boolean output).

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> isnan(np.array([1.0, np.nan]))
        array([False,  True])
    """
    return _unary(ew.isnan_p, x, floating=False)


def _compare_fn(prim, name):
    def fn(x, y):
        return _binary(prim, x, y)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"""Elementwise {name}, returning booleans, as numpy.{name}; it has no derivative
    (a boolean output), so gradients flow only through values selected with it (`where`).

    Args:
        x: an array, a number or a traced value.
        y: the same; `x` and `y` broadcast together and are promoted to a common dtype.

    Returns:
        A bool array of the broadcast shape.

    Raises:
        ValueError: the shapes do not broadcast (NumPy's error for plain arrays).
        ShapeError: traced shapes do not broadcast.

    Example:
        >>> {name}(np.array([1.0, 2.0]), 2.0).tolist() == np.{name}(np.array([1.0, 2.0]), 2.0).tolist()
        True
    """
    return fn


less, less_equal, greater = (_compare_fn(p, n) for p, n in (
    (ew.lt_p, "less"), (ew.le_p, "less_equal"), (ew.gt_p, "greater")))
greater_equal, equal, not_equal = (_compare_fn(p, n) for p, n in (
    (ew.ge_p, "greater_equal"), (ew.eq_p, "equal"), (ew.ne_p, "not_equal")))
logical_and, logical_or = _compare_fn(ew.and_p, "logical_and"), _compare_fn(ew.or_p, "logical_or")


def logical_not(x):
    """Elementwise not, after converting `x` to bool (nonzero is true).

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape.

    Example:
        >>> logical_not(np.array([True, False]))
        array([False,  True])
    """
    return _unary(ew.not_p, astype(x, np.bool_), floating=False)


def _stop_leaf(x):
    return bind(ew.stop_gradient_p, x) if isinstance(x, Tracer) else x


def stop_gradient(x):
    """The value of `x` (an array or any pytree of them), treated as a constant by every derivative.

    Reverse mode sends it no cotangent and forward mode no tangent; the value itself is unchanged.

    Args:
        x: an array, a traced value, or a pytree of them.

    Returns:
        `x`'s value with the same structure, shapes and dtypes.

    Example:
        >>> import fgrad
        >>> float(fgrad.grad(lambda x: x * stop_gradient(x))(3.0))
        3.0
        >>> stop_gradient({"w": 1.0, "b": None})
        {'b': None, 'w': 1.0}
    """
    if isinstance(x, (Tracer, np.ndarray)):
        return _stop_leaf(x)
    return tree_map(_stop_leaf, x)
