"""autograd's vector spaces: `vspace(value)` describes the space a value (array, number, traced
array, or list/tuple/dict of them) lives in, with its zeros, ones, basis and inner product.

Operations are written with fgrad.numpy, so `add`, `scalar_mul` and `inner_prod` can be
differentiated like any other function.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import fgrad.numpy as fnp

from ..core import Tracer, shape_of


class VSpace:
    """The vector space of a value. `VSpace.register(type, maker)` adds a type.

    Example:
        >>> vs = vspace(np.zeros(2))
        >>> vs.size, [b.tolist() for b in vs.standard_basis()]
        (2, [[1.0, 0.0], [0.0, 1.0]])
    """

    mappings: dict = {}
    iscomplex = False

    def __init__(self, value):
        pass

    def zeros(self):
        raise NotImplementedError(f"{type(self).__name__}.zeros")

    def ones(self):
        raise NotImplementedError(f"{type(self).__name__}.ones")

    def standard_basis(self):
        raise NotImplementedError(f"{type(self).__name__}.standard_basis")

    def randn(self):
        raise NotImplementedError(f"{type(self).__name__}.randn")

    def add(self, x, y):
        return self._add(x, y)

    def mut_add(self, x_prev, x_new):
        return x_new if x_prev is None else self._add(x_prev, x_new)

    def scalar_mul(self, x, a):
        return self._scalar_mul(x, a)

    def inner_prod(self, x, y):
        return self._inner_prod(x, y)

    def covector(self, x):
        return self._covector(x)

    def _add(self, x, y):
        return x + y

    def _scalar_mul(self, x, a):
        return x * a

    def _inner_prod(self, x, y):
        raise NotImplementedError(f"{type(self).__name__}.inner_prod")

    def _covector(self, x):
        return x

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None

    def __repr__(self):
        return f"{type(self).__name__}_{self.__dict__}"

    @classmethod
    def register(cls, value_type: type, vspace_maker: Callable | None = None) -> None:
        """Use `vspace_maker(value)` (default: this class) for values of type `value_type`."""
        VSpace.mappings[value_type] = vspace_maker or cls


class ArrayVSpace(VSpace):
    """Real arrays and numbers of one shape and dtype."""

    def __init__(self, value):
        self.shape = tuple(shape_of(value))
        self.dtype = value.dtype if isinstance(value, (Tracer, np.ndarray, np.generic)) else np.asarray(value).dtype

    size = property(lambda self: int(np.prod(self.shape)))
    ndim = property(lambda self: len(self.shape))

    def zeros(self):
        return np.zeros(self.shape, self.dtype)

    def ones(self):
        return np.ones(self.shape, self.dtype)

    def standard_basis(self):
        for idx in np.ndindex(*self.shape):
            v = np.zeros(self.shape, self.dtype)
            v[idx] = 1
            yield v

    def randn(self):
        return np.array(np.random.randn(*self.shape)).astype(self.dtype)

    def _inner_prod(self, x, y):
        return fnp.dot(fnp.ravel(x), fnp.ravel(y))


class ComplexArrayVSpace(ArrayVSpace):
    """Complex arrays: twice the real dimension, a basis of 1 and 1j at each position."""

    iscomplex = True
    size = property(lambda self: 2 * int(np.prod(self.shape)))

    def ones(self):
        return np.ones(self.shape, self.dtype) * (1.0 + 1.0j)

    def standard_basis(self):
        for idx in np.ndindex(*self.shape):
            for unit in (1.0, 1.0j):
                v = np.zeros(self.shape, self.dtype)
                v[idx] = unit
                yield v

    def randn(self):
        real, imag = (np.array(np.random.randn(*self.shape)).astype(self.dtype) for _ in range(2))
        return real + 1.0j * imag

    def _inner_prod(self, x, y):
        return fnp.real(fnp.dot(fnp.conj(fnp.ravel(x)), fnp.ravel(y)))

    def _covector(self, x):
        return fnp.conj(x)


class ContainerVSpace(VSpace):
    """Lists and tuples (named tuples too): the product of their items' spaces."""

    def __init__(self, value):
        self.kind = type(value)
        self.shape = self._build(vspace(v) for v in value)

    def _items(self, value) -> list:
        return list(value)

    def _build(self, items):
        items = list(items)
        return self.kind(*items) if hasattr(self.kind, "_fields") else self.kind(items)

    def _spaces(self) -> list:
        return self._items(self.shape)

    def _map(self, fn: Callable, *values):
        columns = [self._items(v) for v in values]
        return self._build(fn(vs, *xs) for vs, *xs in zip(self._spaces(), *columns))

    size = property(lambda self: sum(vs.size for vs in self._spaces()))
    iscomplex = property(lambda self: any(vs.iscomplex for vs in self._spaces()))

    def zeros(self):
        return self._build(vs.zeros() for vs in self._spaces())

    def ones(self):
        return self._build(vs.ones() for vs in self._spaces())

    def randn(self):
        return self._build(vs.randn() for vs in self._spaces())

    def standard_basis(self):
        spaces = self._spaces()
        for i, vs in enumerate(spaces):
            for b in vs.standard_basis():
                yield self._build(b if j == i else other.zeros() for j, other in enumerate(spaces))

    def _add(self, xs, ys):
        return self._map(lambda vs, x, y: vs.add(x, y), xs, ys)

    def _scalar_mul(self, xs, a):
        return self._map(lambda vs, x: vs.scalar_mul(x, a), xs)

    def _inner_prod(self, xs, ys):
        parts = [vs.inner_prod(x, y) for vs, x, y in zip(self._spaces(), self._items(xs), self._items(ys))]
        return sum(parts[1:], parts[0]) if parts else 0.0

    def _covector(self, xs):
        return self._map(lambda vs, x: vs.covector(x), xs)


class _DictVSpace(ContainerVSpace):
    """Dicts: the product of their values' spaces, keys kept in order."""

    def __init__(self, value):
        self.kind = type(value)
        self.shape = self.kind((k, vspace(v)) for k, v in value.items())

    def _items(self, value) -> list:
        return [value[k] for k in self.shape]

    def _build(self, items):
        return self.kind(zip(self.shape, items))


def vspace(value) -> VSpace:
    """The vector space of `value`.

    Raises:
        TypeError: for a value of no registered type.

    Example:
        >>> vspace([1.0, np.zeros((2, 1))]).size
        3
    """
    maker = VSpace.mappings.get(type(value))
    if maker is not None:
        return maker(value)
    if isinstance(value, Tracer):
        return ComplexArrayVSpace(value) if value.dtype.kind == "c" else ArrayVSpace(value)
    if isinstance(value, dict):
        return _DictVSpace(value)
    if isinstance(value, (list, tuple)):
        return ContainerVSpace(value)
    raise TypeError(f"Can't find vector space for value {value!r} of type {type(value)}. Valid types are "
                    f"{list(VSpace.mappings)}, traced arrays, and lists, tuples and dicts of them")


VSpace.register(np.ndarray, lambda x: ComplexArrayVSpace(x) if np.iscomplexobj(x) else ArrayVSpace(x))
for _t in (float, int, bool, np.longdouble, np.float64, np.float32, np.float16):
    ArrayVSpace.register(_t)
for _t in (complex, np.clongdouble, np.complex64, np.complex128):
    ComplexArrayVSpace.register(_t)
VSpace.register(list, ContainerVSpace)
VSpace.register(tuple, ContainerVSpace)
VSpace.register(dict, _DictVSpace)
