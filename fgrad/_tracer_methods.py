"""The operators and NumPy-style methods of traced arrays, as a base class of `core.Tracer`.

Every method forwards to the fgrad.numpy function of the same name (looked up when called, so a
function added to fgrad.numpy later works as a method with no change here). This module is imported
by `core` before fgrad.numpy exists, so the two modules it forwards to are bound on first use.
"""

from __future__ import annotations

import importlib

import numpy as np

from .errors import user_location


class _OnFirstUse:
    """Stands for a module not importable yet; the first attribute read imports it and rebinds the
    global that named this stand-in to the module itself, so later calls pay one global lookup."""

    def __init__(self, global_name: str, module: str):
        self._global_name, self._module = global_name, module

    def __getattr__(self, attribute: str):
        module = importlib.import_module(self._module)
        globals()[self._global_name] = module
        return getattr(module, attribute)


fnp = _OnFirstUse("fnp", "fgrad.numpy")
ops = _OnFirstUse("ops", "fgrad._tracer_ops")
updates = _OnFirstUse("updates", "fgrad._index_update")


# operands NumPy arrays refuse too: the other operand's reflected method may handle them
_REFUSED = (str, dict, set)
# the operand types met on nearly every traced operation, answered by one set lookup (traced
# arrays' own classes join on first sight)
_OPERANDS = {float, int, bool, complex, np.ndarray, np.float64, np.float32, np.int64, np.bool_}


def _defers(other) -> bool:
    """Whether an operator gives NotImplemented for `other`, so that other's reflected method runs.

    As jax's arrays, a traced array defers to array-likes of other libraries that take part in
    NumPy's ufunc protocol (an xarray DataArray, a pandas Series): `x * data_array` is then the
    DataArray's own product, holding the traced result, as `data_array * x` is.
    """
    if other is None or isinstance(other, _REFUSED):
        return True
    if isinstance(other, TracerMethods):
        _OPERANDS.add(type(other))      # the few traced-array classes: the next operation finds it in the set
        return False
    if isinstance(other, (np.ndarray, np.generic, list, tuple)):
        return False
    return hasattr(type(other), "__array_ufunc__")    # None there too: "my reflected method handles it"


def _missing(method: str, function: str):
    raise NotImplementedError(
        f"x.{method} on a traced array needs fgrad.numpy.{function}, which fgrad does not have yet "
        f"(at {user_location()}); write the computation with the fgrad.numpy functions that exist")


def _method(name: str, function: str | None = None):
    """A method `x.name(*args, **kwargs)` calling `fgrad.numpy.function(x, *args, **kwargs)`."""
    function = function or name

    def method(self, *args, **kwargs):
        fn = getattr(fnp, function, None)
        if fn is None:
            _missing(f"{name}()", function)
        return fn(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"`x.{name}(...)` is fgrad.numpy.{function}(x, ...)."
    return method


def _property(name: str, function: str):
    """A property `x.name` computed as `fgrad.numpy.function(x)`."""
    def get(self):
        fn = getattr(fnp, function, None)
        if fn is None:
            _missing(name, function)
        return fn(self)
    get.__name__ = name
    return property(get, doc=f"`x.{name}` is fgrad.numpy.{function}(x).")


def _binary(function: str, swap: bool = False):
    """An operator method; operands NumPy could never combine give NotImplemented, as for arrays."""
    def operator(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        fn = getattr(fnp, function, None)
        if fn is None:
            _missing(f"{function}() (an operator)", function)
        return fn(other, self) if swap else fn(self, other)
    return operator


def _reflected_pair(function: str):
    return _binary(function), _binary(function, swap=True)


class TracerMethods:
    """Operators, indexing, conversions and NumPy methods shared by every traced array.

    Example:
        >>> import fgrad
        >>> fgrad.grad(lambda x: (x.reshape(2, 2).T[0] ** 2).sum())(np.arange(4.0))
        array([0., 0., 4., 0.])
    """

    __slots__ = ()
    __array_priority__ = 1000
    __hash__ = None     # traced arrays compare elementwise, so they cannot be dict keys

    # the hot operators are written out: tracing a long program calls them millions of times
    def __add__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.add(self, other)

    def __radd__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.add(other, self)

    def __sub__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.subtract(self, other)

    def __rsub__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.subtract(other, self)

    def __mul__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.multiply(self, other)

    def __rmul__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.multiply(other, self)

    def __truediv__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.divide(self, other)

    def __rtruediv__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.divide(other, self)

    def __pow__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.power(self, other)

    def __rpow__(self, other):
        if type(other) not in _OPERANDS and _defers(other):
            return NotImplemented
        return fnp.power(other, self)

    def __neg__(self):
        return fnp.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return fnp.abs(self)

    __matmul__, __rmatmul__ = _reflected_pair("matmul")
    __and__, __rand__ = _reflected_pair("bitwise_and")      # on booleans, the logical operations
    __or__, __ror__ = _reflected_pair("bitwise_or")
    __xor__, __rxor__ = _reflected_pair("bitwise_xor")
    __floordiv__, __rfloordiv__ = _reflected_pair("floor_divide")
    __mod__, __rmod__ = _reflected_pair("remainder")
    __divmod__, __rdivmod__ = _reflected_pair("divmod")
    __lshift__, __rlshift__ = _reflected_pair("left_shift")
    __rshift__, __rrshift__ = _reflected_pair("right_shift")
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __eq__, __ne__ = _binary("equal"), _binary("not_equal")

    def __invert__(self):
        return fnp.invert(self)

    def __round__(self, ndigits=None):
        return self.round(ndigits or 0)

    # --- indexing and conversions (fgrad/_tracer_ops.py) -------------------------------------
    def __getitem__(self, idx):
        return ops.getitem(self, idx)

    def __setitem__(self, idx, value):
        ops.refuse_setitem(self, idx, value)

    def __iter__(self):
        return ops.iterate(self)

    def __bool__(self):
        return ops.bool_value(self)

    def __float__(self):
        return float(ops.scalar_value(self, "float()"))

    def __int__(self):
        return int(ops.scalar_value(self, "int()"))

    def __index__(self):
        return int(ops.scalar_value(self, "an index"))

    def __complex__(self):
        return complex(ops.scalar_value(self, "complex()"))

    def item(self):
        """The Python number a one-element array holds (needs a concrete value: not under jit)."""
        return ops.scalar_value(self, ".item()")

    def __array__(self, dtype=None, copy=None):
        ops.refuse_array(self)

    def tolist(self):
        """Refused: a traced array has no Python list form that keeps its derivative."""
        ops.refuse_tolist(self)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ops.array_ufunc(self, ufunc, method, *inputs, **kwargs)   # np.sin(x) -> fnp.sin(x)

    def __array_function__(self, func, types, args, kwargs):
        return ops.array_function(self, func, args, kwargs)    # np.sum(x, 0) -> fnp.sum(x, 0)

    def __copy__(self):
        return self          # traced arrays are immutable: a copy is the same value

    def __deepcopy__(self, memo):
        return self

    @property
    def at(self):
        """`x.at[idx].set(v)`, `.add(v)`, ...: functional updates returning a new array, as in jax."""
        return updates.IndexUpdateHelper(self)

    # --- NumPy methods -------------------------------------------------------------------------
    def reshape(self, *shape):
        """`x.reshape(2, 3)` or `x.reshape((2, 3))`, as ndarray.reshape."""
        return fnp.reshape(self, *shape)

    def transpose(self, *axes):
        """`x.transpose(1, 0)` or `x.transpose((1, 0))`; no axes reverses them."""
        return fnp.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    T = _property("T", "transpose")
    mT = _property("mT", "matrix_transpose")
    real, imag = _property("real", "real"), _property("imag", "imag")
    nbytes = property(lambda self: self.size * self.dtype.itemsize)
    itemsize = property(lambda self: self.dtype.itemsize)
    flatten = _method("flatten", "ravel")
    ravel, squeeze, swapaxes, astype = (_method(n) for n in ("ravel", "squeeze", "swapaxes", "astype"))
    sum, prod, mean, var, std = (_method(n) for n in ("sum", "prod", "mean", "var", "std"))
    max, min, ptp, all, any = (_method(n) for n in ("max", "min", "ptp", "all", "any"))
    argmax, argmin, argsort, sort = (_method(n) for n in ("argmax", "argmin", "argsort", "sort"))
    argpartition, searchsorted = _method("argpartition"), _method("searchsorted")
    cumsum, cumprod, clip, round = (_method(n) for n in ("cumsum", "cumprod", "clip", "round"))
    conj, conjugate, trace, diagonal = (_method(n) for n in ("conj", "conjugate", "trace", "diagonal"))
    repeat, take, choose, compress = (_method(n) for n in ("repeat", "take", "choose", "compress"))
    dot, copy = _method("dot"), _method("copy")

