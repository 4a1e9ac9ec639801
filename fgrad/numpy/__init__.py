"""fgrad.numpy: the array API people write, mirroring jax.numpy names, built on fgrad's primitives.

On plain NumPy inputs every function computes eagerly and returns NumPy values; on traced inputs it
records primitives. Dtypes follow NumPy 2: Python scalars are weak (``x32 * 2.0`` stays float32).

Example:
    >>> import fgrad.numpy as fnp
    >>> float(fnp.sum(fnp.sin(fnp.zeros(3))))
    0.0
"""

from __future__ import annotations

import builtins

import numpy as np

# the version of the NumPy whose API this mirrors (autograd.numpy's convention)
__version__ = np.__version__

from .._checks import _axis, _axis_tuple, _concat_axis, _numeric, _reshape_target, _shape_tuple
from ..core import Tracer, bind, ndim_of, shape_of
from ..errors import ShapeError, user_location
from ..primitives import elementwise as ew
from ..primitives import linalg as _lin
from ..primitives import reductions
from ..primitives import shape as _sp
from ..primitives._base import splat
from ..tree import tree_map

# --- creation (concrete NumPy arrays; `*_like` of a traced array stays in its trace) -----------

zeros = np.zeros
ones = np.ones
arange = np.arange
eye = np.eye
pi, e, inf, nan, newaxis = np.pi, np.e, np.inf, np.nan, None
dtype, finfo, iinfo = np.dtype, np.finfo, np.iinfo
ndarray = np.ndarray


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with `fill_value`, as numpy.full; traced when the fill value is.

    Args:
        shape: an int or a tuple of ints.
        fill_value: a number, an array broadcasting to `shape`, or a traced value.
        dtype: the result's dtype (None: the fill value's).

    Returns:
        An array of `shape`; traced (and differentiable in `fill_value`) when `fill_value` is.

    Example:
        >>> full((2,), 3.0)
        array([3., 3.])
    """
    if not _holds_tracer(fill_value):
        return np.full(shape, fill_value, dtype=dtype)
    fill = _lift(fill_value)
    return broadcast_to(fill if dtype is None else astype(fill, dtype), shape)


def full_like(x, fill_value, dtype=None):
    """An array of `fill_value` with the shape (and dtype) of `x`; traced when `x` is traced.

    Args:
        x: the array whose shape (and dtype) to take; its values are not read.
        fill_value: a number or an array broadcasting to `x`'s shape.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of `x`'s shape; it carries no derivative with respect to `x`.

    Example:
        >>> full_like(np.zeros(2), 7.0)
        array([7., 7.])
    """
    if not isinstance(x, Tracer):
        return np.full_like(x, fill_value, dtype=dtype)
    dtype = x.dtype if dtype is None else _numeric(np.dtype(dtype))
    fill = _as_operand(fill_value)
    if shape_of(fill):              # an array of fill values broadcasts, as in NumPy
        return add(splat(x, 0, dtype=dtype), astype(broadcast_to(fill, x.shape), dtype))
    return splat(x, fill, dtype=dtype)


def zeros_like(x, dtype=None):
    """Zeros shaped like `x`; no derivative flows to `x` through it.

    Args:
        x: the array whose shape (and dtype) to take.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of zeros of `x`'s shape.

    Example:
        >>> zeros_like(np.ones(2))
        array([0., 0.])
    """
    return full_like(x, 0, dtype)


def ones_like(x, dtype=None):
    """Ones shaped like `x`; no derivative flows to `x` through it.

    Args:
        x: the array whose shape (and dtype) to take.
        dtype: the result's dtype (None: `x`'s).

    Returns:
        An array of ones of `x`'s shape.

    Example:
        >>> ones_like(np.zeros(2))
        array([1., 1.])
    """
    return full_like(x, 1, dtype)


# --- promotion and broadcasting ----------------------------------------------------------------

def _holds_tracer(x) -> bool:
    return isinstance(x, Tracer) or (isinstance(x, (list, tuple)) and builtins.any(map(_holds_tracer, x)))


def _is_traced(args) -> bool:
    return builtins.any(map(_holds_tracer, args))


def _lift(x):
    """A list holding traced values as one traced array (NumPy would read, and drop, their values)."""
    if isinstance(x, (list, tuple)) and _holds_tracer(x):
        from ._array import array
        return array(x)
    return x


def _as_operand(x):
    if isinstance(x, (Tracer, np.ndarray, np.generic, bool, int, float, complex)):
        return x
    if _holds_tracer(x):
        return _lift(x)
    array = np.asarray(x)
    if array.dtype.kind not in "biufc":       # strings, objects: nothing fgrad can compute with
        raise TypeError(f"fgrad.numpy expects arrays or numbers, got {type(x).__name__} {x!r:.60} (dtype "
                        f"{array.dtype}) at {user_location()}; pass numbers, e.g. np.asarray(values, float)")
    return array


def result_type(*args) -> np.dtype:
    """NumPy 2 promotion with Python scalars weak: ``result_type(np.float32(1), 2.0)`` is float32.

    Traced values count by their dtype, so a traced program promotes as its eager run does.

    Args:
        *args: arrays, traced values, numbers, dtypes or types.

    Returns:
        The `numpy.dtype` the operands promote to.

    Example:
        >>> result_type(np.float32(1), 2.0)
        dtype('float32')
    """
    return np.result_type(*[a.dtype if isinstance(a, (Tracer, np.ndarray, np.generic))
                            else a if isinstance(a, (bool, int, float, complex, str, type, np.dtype))
                            else _as_operand(a).dtype for a in args])


def astype(x, dtype):
    """Convert `x` to `dtype` (a traced conversion records convert_element_type).

    Converting to an integer or bool dtype gives no derivative; between float dtypes the
    cotangent is converted back.

    Args:
        x: an array, a number or a traced value.
        dtype: anything `numpy.dtype` accepts.

    Returns:
        `x`'s values in `dtype`, of `x`'s shape.

    Example:
        >>> astype(np.array([1.7, 2.2]), np.int32)
        array([1, 2], dtype=int32)
    """
    dtype = np.dtype(dtype)
    if isinstance(x, Tracer):
        return ew.convert(x, _numeric(dtype))
    if isinstance(x, np.ndarray) and x.ndim:
        return x.astype(dtype, copy=False)   # a closed-over array stays referenced, not copied
    return dtype.type(x)


def _broadcast(x, out_shape):
    x_shape = shape_of(x)
    if x_shape == out_shape or (not x_shape and not isinstance(x, Tracer)):
        return x      # scalars stay literals; a 0-d array stays referenced (it may change in place)
    dims = tuple(range(len(out_shape) - len(x_shape), len(out_shape)))
    return _sp.broadcast_in_dim(x, out_shape, dims)


def promote(*args, dtype=None) -> list:
    """Operands converted to one dtype and explicitly broadcast to one shape (traced case).

    The helper elementwise functions use so that their primitives see equal shapes and dtypes;
    untraced arrays are converted, and a number whose shape is () is left for NumPy to broadcast.

    Args:
        *args: arrays, numbers or traced values.
        dtype: the common dtype (None: `result_type(*args)`).

    Returns:
        A list with one operand per argument, all of one dtype.

    Raises:
        ShapeError: the shapes do not broadcast.

    Example:
        >>> [np.asarray(a).dtype.name for a in promote(np.array([1, 2]), 0.5)]
        ['float64', 'float64']
    """
    args = [_as_operand(a) for a in args]
    dtype = np.dtype(dtype) if dtype is not None else result_type(*args)
    return _broadcast_together([astype(a, dtype) for a in args])


def _broadcast_together(args) -> list:
    try:
        out_shape = np.broadcast_shapes(*[shape_of(a) for a in args])
    except ValueError:
        raise ShapeError(f"operands with shapes {[shape_of(a) for a in args]} cannot be broadcast "
                         "together; reshape one of them or add an axis with x[:, None]") from None
    return [_broadcast(a, out_shape) for a in args]


def _float_dtype(x) -> np.dtype:
    return np.result_type(result_type(x), np.float16)


def _unary(prim, x, *, floating=True):
    x = _lift(x)
    if not isinstance(x, Tracer):
        return prim.impl(x)
    return bind(prim, astype(x, _float_dtype(x)) if floating else x)


def _binary(prim, x, y, *, dtype=None):
    if not _is_traced((x, y)):
        return prim.impl(_as_operand(x), _as_operand(y))
    return bind(prim, *promote(x, y, dtype=dtype))


# --- elementwise -------------------------------------------------------------------------------

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


# --- reductions --------------------------------------------------------------------------------

def _axes(x, axis) -> tuple:
    if axis is None:
        return tuple(range(ndim_of(x)))
    return tuple(sorted(_axis_tuple(axis, ndim_of(x))))


def _keep(x, out, axes, keepdims):
    if not keepdims:
        return out
    return _sp.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(shape_of(x))))


def _reduce(prim, np_fn, x, axis, keepdims, dtype=None):
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np_fn(x, axis=axis, keepdims=keepdims)
    if dtype is not None or x.dtype == np.bool_:
        x = astype(x, dtype or np.int64)
    axes = _axes(x, axis)
    out = bind(prim, x, axes=axes) if axes else x
    return _keep(x, out, axes, keepdims)


def sum(x, axis=None, keepdims=False, dtype=None):  # noqa: A001
    """Sum over `axis` (all axes by default), as numpy.sum; its gradient broadcasts the cotangent back.

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        dtype: the dtype to sum in (None: `x`'s; bools and small integers as NumPy does).

    Returns:
        The sums, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> sum(np.ones((2, 3)), axis=1)
        array([3., 3.])
    """
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype)
    return _reduce(reductions.reduce_sum_p, np.sum, x, axis, keepdims, dtype)


def max(x, axis=None, keepdims=False):  # noqa: A001
    """Maximum over `axis`; tied maxima share the derivative equally (jax's rule).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The maxima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.
        ValueError: the reduction is over an axis of length 0 (no identity).

    Example:
        >>> import fgrad
        >>> float(max(np.arange(3.0))), fgrad.grad(max)(np.array([1.0, 2.0, 2.0]))
        (2.0, array([0. , 0.5, 0.5]))
    """
    return _reduce(reductions.reduce_max_p, np.max, x, axis, keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001
    """Minimum over `axis`; tied minima share the derivative equally (jax's rule).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The minima, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.
        ValueError: the reduction is over an axis of length 0 (no identity).

    Example:
        >>> float(min(np.arange(3.0)))
        0.0
    """
    return _reduce(reductions.reduce_min_p, np.min, x, axis, keepdims)


amax, amin = max, min


def prod(x, axis=None, keepdims=False):
    """Product over `axis`; the derivative is exact where elements are zero (no division by x).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.

    Returns:
        The products, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> import fgrad
        >>> float(prod(np.arange(1.0, 4.0))), fgrad.grad(prod)(np.array([0.0, 2.0, 3.0]))
        (6.0, array([6., 0., 0.]))
    """
    return _reduce(reductions.reduce_prod_p, np.prod, x, axis, keepdims)


def mean(x, axis=None, keepdims=False, dtype=None):
    """Arithmetic mean over `axis`: the sum divided by the number of elements reduced.

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        dtype: the dtype to compute in (None: `x`'s, integers as float64).

    Returns:
        The means, floating point, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> float(mean(np.array([1.0, 2.0, 3.0])))
        2.0
    """
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.mean(x, axis=axis, keepdims=keepdims, dtype=dtype)
    x = astype(x, dtype or _float_dtype(x))
    count = int(np.prod([x.shape[a] for a in _axes(x, axis)], dtype=np.int64))
    return sum(x, axis, keepdims) / count


def var(x, axis=None, keepdims=False, ddof=0, *, correction=None, dtype=None):
    """Variance over `axis` with `ddof` (jax.numpy's ``correction``): mean((x - mean(x))**2) * n / (n - ddof).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        ddof: delta degrees of freedom (0: population variance, 1: sample variance).
        correction: the array API's name for `ddof`; takes precedence when given.
        dtype: the dtype to compute in.

    Returns:
        The variances, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> float(var(np.array([1.0, 3.0]))), float(var(np.array([1.0, 3.0]), ddof=1))
        (1.0, 2.0)
    """
    ddof, x = (ddof if correction is None else correction), _lift(x)
    if dtype is not None:
        x = astype(x, dtype)
    if not isinstance(x, Tracer):
        return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof)
    x = astype(x, _float_dtype(x))
    centred = x - mean(x, axis, keepdims=True)
    count = int(np.prod([x.shape[a] for a in _axes(x, axis)], dtype=np.int64))
    # |x - mean|², real for complex x as in NumPy
    squares = real(centred * conj(centred)) if x.dtype.kind == "c" else centred * centred
    return sum(squares, axis, keepdims) / builtins.max(count - ddof, 0)


def _sqrt_zero_safe(s):
    """sqrt whose derivative at 0 is 0 (the subgradient) instead of inf * 0 = nan."""
    if not isinstance(s, Tracer):
        return np.sqrt(s)
    at_zero = equal(s, 0)
    return where(at_zero, zeros_like(s), sqrt(where(at_zero, ones_like(s), s)))


def std(x, axis=None, keepdims=False, ddof=0, *, correction=None, dtype=None):
    """Standard deviation: sqrt(var(x)). At zero spread its derivative is 0 (jax gives NaN there).

    Args:
        x: the array to reduce.
        axis: None (all axes), an int or a tuple of ints; negative axes count from the end.
        keepdims: keep the reduced axes with length 1, so the result broadcasts against `x`.
        ddof: delta degrees of freedom, as for `var`.
        correction: the array API's name for `ddof`.
        dtype: the dtype to compute in.

    Returns:
        The standard deviations, with the reduced axes removed (or kept with length 1).

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> import fgrad
        >>> float(std(np.array([1.0, 3.0]))), fgrad.grad(std)(np.ones(2))
        (1.0, array([0., 0.]))
    """
    return _sqrt_zero_safe(var(x, axis, keepdims, ddof, correction=correction, dtype=dtype))


def _arg(prim, np_fn, x, axis, keepdims):
    if not isinstance(x, Tracer):
        return np_fn(x, axis=axis, keepdims=keepdims)
    if axis is None:
        flat = bind(prim, ravel(x), axis=0)
        return _sp.reshape(flat, (1,) * x.ndim) if keepdims else flat
    ax = _axis(axis, x.ndim)
    return _keep(x, bind(prim, x, axis=ax), (ax,), keepdims)


def argmax(x, axis=None, keepdims=False):
    """Index of the (first) maximum over `axis`, or of the flattened array; no derivative.

    Args:
        x: the array.
        axis: None (the flattened array) or an int.
        keepdims: keep the reduced axis with length 1.

    Returns:
        Integer indices.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> int(argmax(np.array([1.0, 5.0, 2.0])))
        1
    """
    return _arg(reductions.argmax_p, np.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the (first) minimum over `axis`, or of the flattened array; no derivative.

    Args:
        x: the array.
        axis: None (the flattened array) or an int.
        keepdims: keep the reduced axis with length 1.

    Returns:
        Integer indices.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> int(argmin(np.array([1.0, 5.0, 2.0])))
        0
    """
    return _arg(reductions.argmin_p, np.argmin, x, axis, keepdims)


# --- shapes ------------------------------------------------------------------------------------

def reshape(x, newshape, *more):
    """Reshape, with one -1 inferred; the derivative reshapes the cotangent back.

    Args:
        x: the array.
        newshape: an int or a tuple of ints, one of which may be -1.
        *more: further sizes, so `reshape(x, 2, 3)` works as `x.reshape(2, 3)` does.

    Returns:
        `x`'s elements in row-major order with the new shape.

    Raises:
        ShapeError: traced `x`'s number of elements does not fit the sizes (NumPy's ValueError
            for plain arrays).

    Example:
        >>> reshape(np.arange(6.0), (2, -1)).shape
        (2, 3)
    """
    if more:
        newshape = (newshape, *more)
    x = _lift(x)
    if not isinstance(x, Tracer):
        return np.reshape(x, newshape)
    return _sp.reshape(x, _reshape_target(x.size, newshape))


def ravel(x):
    """Flatten to one axis, in row-major order.

    Args:
        x: the array.

    Returns:
        A 1-d array of `x.size` elements.

    Example:
        >>> ravel(np.ones((2, 2))).shape
        (4,)
    """
    return reshape(x, (-1,))


def transpose(x, axes=None):
    """Permute axes (reverse them by default); the derivative applies the inverse permutation.

    Args:
        x: the array.
        axes: a permutation of `range(x.ndim)` (None: reversed); negative axes count from the end.

    Returns:
        `x` with its axes permuted.

    Raises:
        ShapeError: traced `axes` is not a permutation of `x`'s axes.

    Example:
        >>> transpose(np.ones((2, 3))).shape
        (3, 2)
    """
    if not isinstance(x, Tracer):
        return np.transpose(x, axes)
    if axes is None:
        return _sp.transpose(x, tuple(reversed(range(x.ndim))))
    perm = _axis_tuple(axes, x.ndim)
    if len(perm) != x.ndim:
        raise ShapeError(f"axes don't match array: transpose of an array of shape {x.shape} needs a "
                         f"permutation of all {x.ndim} axes, got {axes!r}")
    return _sp.transpose(x, perm)


def swapaxes(x, axis1, axis2):
    """Swap two axes.

    Args:
        x: the array.
        axis1: the first axis.
        axis2: the second axis.

    Returns:
        `x` with the two axes exchanged.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> swapaxes(np.ones((2, 3)), 0, 1).shape
        (3, 2)
    """
    if not isinstance(x, Tracer):
        return np.swapaxes(x, axis1, axis2)
    perm = list(range(x.ndim))
    axis1, axis2 = _axis(axis1, x.ndim), _axis(axis2, x.ndim)
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _sp.transpose(x, perm)


def squeeze(x, axis=None):
    """Drop axes of length one.

    Args:
        x: the array.
        axis: None (every axis of length one), an int or a tuple of ints.

    Returns:
        `x` without those axes.

    Raises:
        ShapeError: a traced axis named in `axis` does not have length one.
        AxisError: an axis is out of range.

    Example:
        >>> squeeze(np.ones((1, 3))).shape
        (3,)
    """
    if not isinstance(x, Tracer):
        return np.squeeze(x, axis)
    axes = tuple(i for i, d in enumerate(x.shape) if d == 1) if axis is None else _axes(x, axis)
    for ax in axes:
        if x.shape[ax] != 1:
            raise ShapeError(f"cannot squeeze axis {ax} of length {x.shape[ax]} (shape {x.shape})")
    return _sp.reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


def expand_dims(x, axis):
    """Insert axes of length one.

    Args:
        x: the array.
        axis: an int or a tuple of ints: positions in the result.

    Returns:
        `x` with the new axes.

    Raises:
        AxisError: an axis is out of range for `x`'s rank.

    Example:
        >>> expand_dims(np.ones(3), 0).shape
        (1, 3)
    """
    if not isinstance(x, Tracer):
        return np.expand_dims(x, axis)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    axes = _axis_tuple(axes, x.ndim + len(axes))
    ndim = x.ndim + len(axes)
    dims = iter(x.shape)
    return _sp.reshape(x, tuple(1 if i in axes else next(dims) for i in range(ndim)))


def broadcast_to(x, new_shape):
    """Broadcast to `new_shape` (no copy); the derivative sums the cotangent over the new axes.

    Args:
        x: an array or number.
        new_shape: the target shape, compatible with `x`'s under NumPy's rules.

    Returns:
        An array of `new_shape`.

    Raises:
        ShapeError: traced `x` cannot be broadcast to `new_shape`.

    Example:
        >>> broadcast_to(1.0, (2, 2))
        array([[1., 1.],
               [1., 1.]])
    """
    if not isinstance(x, Tracer):
        return np.broadcast_to(x, new_shape)
    new_shape = _shape_tuple(new_shape)
    if len(new_shape) < x.ndim or builtins.min(new_shape, default=0) < 0 or builtins.any(
            d not in (1, n) for d, n in zip(x.shape[::-1], new_shape[::-1])):
        raise ShapeError(f"cannot broadcast an array of shape {x.shape} to shape {new_shape}: lined up from the "
                         "right, each axis must be 1 or equal to the target's; add axes with x[None] or reshape")
    return _broadcast(x, new_shape) if x.shape else _sp.broadcast_in_dim(x, new_shape, ())


def concatenate(arrays, axis=0):
    """Join arrays along an existing axis; ``axis=None`` flattens them first, as NumPy does.

    Operands are promoted to one dtype; the derivative slices the cotangent back to each.

    Args:
        arrays: a sequence of arrays equal in shape except along `axis`.
        axis: the axis to join along, or None.

    Returns:
        The joined array.

    Raises:
        ShapeError: traced arrays differ in rank or in a size other than `axis`'s.

    Example:
        >>> concatenate([np.ones(2), np.zeros(1)])
        array([1., 1., 0.])
    """
    arrays = list(arrays)
    if not _is_traced(arrays):
        return np.concatenate(arrays, axis=axis)
    arrays = [_as_operand(a) for a in arrays]
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    dtype = result_type(*arrays)
    arrays = [astype(a, dtype) for a in arrays]
    return bind(_sp.concatenate_p, *arrays, axis=_concat_axis([shape_of(a) for a in arrays], axis))


def stack(arrays, axis=0):
    """Join arrays of one shape along a new axis.

    Args:
        arrays: a sequence of arrays of one shape.
        axis: where the new axis goes in the result.

    Returns:
        An array with one more axis, of length `len(arrays)`.

    Raises:
        ShapeError: traced arrays differ in shape.

    Example:
        >>> stack([np.ones(2), np.zeros(2)]).shape
        (2, 2)
    """
    arrays = list(arrays)
    if not _is_traced(arrays):
        return np.stack(arrays, axis=axis)
    shapes = {shape_of(a) for a in arrays}
    if len(shapes) > 1:
        raise ShapeError(f"all input arrays must have the same shape, got {sorted(shapes)}; "
                         "concatenate joins arrays that differ along the joining axis")
    axis = _axis(axis, len(shapes.pop()) + 1)
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)


# --- products ----------------------------------------------------------------------------------

def matmul(a, b):
    """Matrix product with NumPy's rules for 1-d operands and leading batch axes.

    Traced, it is one `dot_general` primitive (batch axes broadcast first), whose transpose rules
    give both gradients.

    Args:
        a: an array with at least one axis: (n,), (m, n) or (..., m, n).
        b: an array with at least one axis: (n,), (n, k) or (..., n, k).

    Returns:
        The product; a 1-d operand's axis is dropped from the result, as in NumPy.

    Raises:
        ShapeError: a traced operand is a scalar, or the batch axes do not broadcast.

    Example:
        >>> matmul(np.eye(2), np.array([1.0, 2.0]))
        array([1., 2.])
    """
    if not _is_traced((a, b)):
        return np.matmul(a, b)
    a, b = (astype(_as_operand(v), result_type(a, b)) for v in (a, b))
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        raise ShapeError("matmul: operands must have at least one axis; use * for scalars")
    a_nd, b_nd = ndim_of(a), ndim_of(b)
    if a_nd <= 2 and b_nd <= 2:
        return _lin.dot_general(a, b, ((a_nd - 1,), (0 if b_nd == 1 else b_nd - 2,)))
    a2 = a if a_nd > 1 else expand_dims(a, 0)
    b2 = b if b_nd > 1 else expand_dims(b, -1)
    try:
        batch = np.broadcast_shapes(shape_of(a2)[:-2], shape_of(b2)[:-2])
    except ValueError:
        raise ShapeError(f"matmul: the batch axes of shapes {shape_of(a)} and {shape_of(b)} (all but the "
                         "last two) cannot be broadcast together; make them equal or 1") from None
    a2 = broadcast_to(a2, batch + shape_of(a2)[-2:])
    b2 = broadcast_to(b2, batch + shape_of(b2)[-2:])
    nb = len(batch)
    out = _lin.dot_general(a2, b2, ((nb + 1,), (nb,)), (tuple(range(nb)), tuple(range(nb))))
    if a_nd == 1:
        out = squeeze(out, -2)
    return squeeze(out, -1) if b_nd == 1 else out


def dot(a, b):
    """numpy.dot: scalars multiply, otherwise contract the last axis of `a` with `b`'s second-last.

    Args:
        a: an array or number.
        b: an array or number.

    Returns:
        The product; its shape is `a.shape[:-1] + b.shape[:-2] + b.shape[-1:]`.

    Example:
        >>> float(dot(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
        11.0
    """
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return multiply(a, b)
    if not _is_traced((a, b)):
        return np.dot(a, b)
    a, b = (astype(_as_operand(v), result_type(a, b)) for v in (a, b))
    return _lin.dot_general(a, b, ((ndim_of(a) - 1,), (builtins.max(ndim_of(b) - 2, 0),)))


def vdot(a, b):
    """Dot product of flattened arrays, the first conjugated (as numpy.vdot).

    Args:
        a: an array; conjugated and flattened.
        b: an array with as many elements; flattened.

    Returns:
        A scalar.

    Example:
        >>> complex(vdot(np.array([1j, 2.0]), np.array([1j, 3.0])))
        (7+0j)
    """
    return dot(conj(ravel(a)), ravel(b))


def outer(a, b):
    """Outer product of flattened arrays.

    Args:
        a: an array, flattened.
        b: an array, flattened.

    Returns:
        An array of shape `(a.size, b.size)`.

    Example:
        >>> outer(np.ones(2), np.arange(3.0))
        array([[0., 1., 2.],
               [0., 1., 2.]])
    """
    return multiply(reshape(ravel(a), (-1, 1)), reshape(ravel(b), (1, -1)))


def einsum(subscripts, *operands):
    """Einstein summation as numpy.einsum: subscripts with '...', repeated indices (diagonals), any
    number of operands, an implicit output, or the interleaved form ``einsum(a, [0, 1], b, [1, 2])``.

    Traced, it becomes transposes, diagonals and `dot_general`s, contracted pairwise.

    Args:
        subscripts: the subscripts string, or the first operand in the interleaved form.
        *operands: the arrays (interleaved with their axis lists in the interleaved form).

    Returns:
        The contraction.

    Example:
        >>> einsum("ij,j->i", np.eye(2), np.array([1.0, 2.0]))
        array([1., 2.])
    """
    from .._einsum import einsum as _einsum
    if not _is_traced((subscripts, *operands)):
        return np.einsum(subscripts, *operands)
    return _einsum(subscripts, *operands)


from . import fft as fft  # noqa: E402
from . import linalg as linalg  # noqa: E402  (uses the functions above)
from ._array import array as array  # noqa: E402
from ._array import asarray as asarray  # noqa: E402
from ._array import bool_ as bool_  # noqa: E402
from ._array import c_ as c_  # noqa: E402
from ._array import float16 as float16  # noqa: E402
from ._array import float32 as float32  # noqa: E402
from ._array import float64 as float64  # noqa: E402
from ._array import int8 as int8  # noqa: E402
from ._array import int16 as int16  # noqa: E402
from ._array import int32 as int32  # noqa: E402
from ._array import int64 as int64  # noqa: E402
from ._array import linspace as linspace  # noqa: E402
from ._array import r_ as r_  # noqa: E402
from ._array import uint8 as uint8  # noqa: E402
from ._array import uint32 as uint32  # noqa: E402
from ._bitwise import bitwise_and as bitwise_and  # noqa: E402
from ._bitwise import bitwise_not as bitwise_not  # noqa: E402
from ._bitwise import bitwise_or as bitwise_or  # noqa: E402
from ._bitwise import bitwise_xor as bitwise_xor  # noqa: E402
from ._bitwise import invert as invert  # noqa: E402
from ._bitwise import left_shift as left_shift  # noqa: E402
from ._bitwise import right_shift as right_shift  # noqa: E402
from ._complex import angle as angle  # noqa: E402
from ._complex import complex64 as complex64  # noqa: E402
from ._complex import complex128 as complex128  # noqa: E402
from ._complex import conj as conj  # noqa: E402
from ._complex import conjugate as conjugate  # noqa: E402
from ._complex import imag as imag  # noqa: E402
from ._complex import iscomplex as iscomplex  # noqa: E402
from ._complex import iscomplexobj as iscomplexobj  # noqa: E402
from ._complex import isreal as isreal  # noqa: E402
from ._complex import isrealobj as isrealobj  # noqa: E402
from ._complex import real as real  # noqa: E402
from ._complex import real_if_close as real_if_close  # noqa: E402
from ._math import arccos as arccos  # noqa: E402
from ._math import arccosh as arccosh  # noqa: E402
from ._math import arcsin as arcsin  # noqa: E402
from ._math import arcsinh as arcsinh  # noqa: E402
from ._math import arctan2 as arctan2  # noqa: E402
from ._math import arctanh as arctanh  # noqa: E402
from ._math import around as around  # noqa: E402
from ._math import cbrt as cbrt  # noqa: E402
from ._math import ceil as ceil  # noqa: E402
from ._math import deg2rad as deg2rad  # noqa: E402
from ._math import degrees as degrees  # noqa: E402
from ._math import exp2 as exp2  # noqa: E402
from ._math import fabs as fabs  # noqa: E402
from ._math import fix as fix  # noqa: E402
from ._math import floor as floor  # noqa: E402
from ._math import floor_divide as floor_divide  # noqa: E402
from ._math import fmax as fmax  # noqa: E402
from ._math import fmin as fmin  # noqa: E402
from ._math import fmod as fmod  # noqa: E402
from ._math import heaviside as heaviside  # noqa: E402
from ._math import hypot as hypot  # noqa: E402
from ._math import log2 as log2  # noqa: E402
from ._math import log10 as log10  # noqa: E402
from ._math import logaddexp2 as logaddexp2  # noqa: E402
from ._math import mod as mod  # noqa: E402
from ._math import nan_to_num as nan_to_num  # noqa: E402
from ._math import positive as positive  # noqa: E402
from ._math import rad2deg as rad2deg  # noqa: E402
from ._math import radians as radians  # noqa: E402
from ._math import reciprocal as reciprocal  # noqa: E402
from ._math import remainder as remainder  # noqa: E402
from ._math import rint as rint  # noqa: E402
from ._math import round as round  # noqa: E402
from ._math import sinc as sinc  # noqa: E402
from ._math import trunc as trunc  # noqa: E402
from ._products import convolve as convolve  # noqa: E402
from ._products import correlate as correlate  # noqa: E402
from ._products import cross as cross  # noqa: E402
from ._products import gradient as gradient  # noqa: E402
from ._products import inner as inner  # noqa: E402
from ._products import interp as interp  # noqa: E402
from ._products import kron as kron  # noqa: E402
from ._products import polyval as polyval  # noqa: E402
from ._products import tensordot as tensordot  # noqa: E402
from ._shape import append as append  # noqa: E402
from ._shape import argpartition as argpartition  # noqa: E402
from ._shape import argsort as argsort  # noqa: E402
from ._shape import array_split as array_split  # noqa: E402
from ._shape import atleast_1d as atleast_1d  # noqa: E402
from ._shape import atleast_2d as atleast_2d  # noqa: E402
from ._shape import atleast_3d as atleast_3d  # noqa: E402
from ._shape import column_stack as column_stack  # noqa: E402
from ._shape import diag as diag  # noqa: E402
from ._shape import diagflat as diagflat  # noqa: E402
from ._shape import diagonal as diagonal  # noqa: E402
from ._shape import diff as diff  # noqa: E402
from ._shape import dsplit as dsplit  # noqa: E402
from ._shape import dstack as dstack  # noqa: E402
from ._shape import flip as flip  # noqa: E402
from ._shape import fliplr as fliplr  # noqa: E402
from ._shape import flipud as flipud  # noqa: E402
from ._shape import hsplit as hsplit  # noqa: E402
from ._shape import hstack as hstack  # noqa: E402
from ._shape import meshgrid as meshgrid  # noqa: E402
from ._shape import moveaxis as moveaxis  # noqa: E402
from ._shape import ndim as ndim  # noqa: E402
from ._shape import pad as pad  # noqa: E402
from ._shape import partition as partition  # noqa: E402
from ._shape import repeat as repeat  # noqa: E402
from ._shape import roll as roll  # noqa: E402
from ._shape import rollaxis as rollaxis  # noqa: E402
from ._shape import rot90 as rot90  # noqa: E402
from ._shape import row_stack as row_stack  # noqa: E402
from ._shape import select as select  # noqa: E402
from ._shape import shape as shape  # noqa: E402
from ._shape import size as size  # noqa: E402
from ._shape import sort as sort  # noqa: E402
from ._shape import split as split  # noqa: E402
from ._shape import take as take  # noqa: E402
from ._shape import take_along_axis as take_along_axis  # noqa: E402
from ._shape import tile as tile  # noqa: E402
from ._shape import trace as trace  # noqa: E402
from ._shape import tril as tril  # noqa: E402
from ._shape import triu as triu  # noqa: E402
from ._shape import vsplit as vsplit  # noqa: E402
from ._shape import vstack as vstack  # noqa: E402
from ._stats import all as all  # noqa: E402
from ._stats import allclose as allclose  # noqa: E402
from ._stats import any as any  # noqa: E402
from ._stats import array_equal as array_equal  # noqa: E402
from ._stats import average as average  # noqa: E402
from ._stats import corrcoef as corrcoef  # noqa: E402
from ._stats import count_nonzero as count_nonzero  # noqa: E402
from ._stats import cov as cov  # noqa: E402
from ._stats import cumprod as cumprod  # noqa: E402
from ._stats import cumsum as cumsum  # noqa: E402
from ._stats import cumulative_prod as cumulative_prod  # noqa: E402
from ._stats import cumulative_sum as cumulative_sum  # noqa: E402
from ._stats import isclose as isclose  # noqa: E402
from ._stats import isfinite as isfinite  # noqa: E402
from ._stats import isinf as isinf  # noqa: E402
from ._stats import logical_xor as logical_xor  # noqa: E402
from ._stats import median as median  # noqa: E402
from ._stats import nanmax as nanmax  # noqa: E402
from ._stats import nanmean as nanmean  # noqa: E402
from ._stats import nanmin as nanmin  # noqa: E402
from ._stats import nanprod as nanprod  # noqa: E402
from ._stats import nanstd as nanstd  # noqa: E402
from ._stats import nansum as nansum  # noqa: E402
from ._stats import nanvar as nanvar  # noqa: E402
from ._stats import percentile as percentile  # noqa: E402
from ._stats import ptp as ptp  # noqa: E402
from ._stats import quantile as quantile  # noqa: E402
