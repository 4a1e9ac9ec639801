"""`x.at[idx]`: jax's functional index updates (set, add, subtract, multiply, divide, power, min, max,
apply, get) for traced arrays, written with gather, scatter_add and select so every transform applies.

Repeated indices follow jax: add, subtract, multiply, divide and power accumulate every update; min
and max take the extreme of all of them (tied candidates share the derivative equally, as in jax);
apply applies the function once per occurrence; set keeps the last update in index order (jax leaves
that unspecified; here it is NumPy's `x[idx] = v`, deterministic on every backend).

With concrete indices (Python ints, slices, NumPy arrays, NumPy boolean masks) repeated positions
are found while tracing and updated in rounds of distinct positions. Traced integer indices (say,
under vmap over the index) compare every update position with every element instead, which costs
memory of x.size times the number of updates.
"""

from __future__ import annotations

import numpy as np

from . import numpy as fnp
from ._tracer_ops import getitem, index_spec
from .core import Tracer, shape_of
from .errors import ShapeError, user_location
from .primitives import shape


class IndexUpdateHelper:
    """`x.at`: indexing it gives the updates at that index."""

    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx) -> IndexUpdateRef:
        return IndexUpdateRef(self.x, idx)


def _check_mode(mode) -> None:
    # indices are checked while tracing, so jax's modes for out-of-bounds indices never arise
    if mode not in (None, "promise_in_bounds"):
        raise NotImplementedError(f"x.at[...] with mode={mode!r}: fgrad checks indices while tracing and "
                                  f"raises IndexError for one out of bounds (at {user_location()}); drop mode=")


class IndexUpdateRef:
    """`x.at[idx]`: each method returns a new array; `x` itself never changes.

    The keywords jax takes as hints (`indices_are_sorted`, `unique_indices`) are accepted and unused.
    """

    def __init__(self, x, idx):
        self.x, self.idx = x, idx

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x[idx]`."""
        _check_mode(mode)
        return getitem(self.x, self.idx)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` with the indexed elements replaced by `values` (a repeated index keeps its last value)."""
        _check_mode(mode)
        plan = _Plan(self.x, self.idx, values)
        return plan.traced_set() if plan.traced else plan.concrete_set()

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` with `values` added at the index (repeated indices add up)."""
        _check_mode(mode)
        plan = _Plan(self.x, self.idx, values)
        return self.x + plan.scatter(plan.values)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` with `values` subtracted at the index (repeated indices subtract each)."""
        return self.add(fnp.negative(values), mode=mode)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` multiplied by `values` at the index (repeated indices multiply each)."""
        _check_mode(mode)
        return self.x * _Plan(self.x, self.idx, values).product()

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` divided by `values` at the index; integer `x` gives floats, as jax's true division."""
        _check_mode(mode)
        return fnp.divide(self.x, _Plan(self.x, self.idx, values).product())

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x ** values` at the index (repeated indices raise to each power in turn)."""
        _check_mode(mode)
        return fnp.power(self.x, _Plan(self.x, self.idx, values).product())

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`minimum(x[idx], values)` at the index, over every update of a repeated index."""
        _check_mode(mode)
        return _Plan(self.x, self.idx, values).extreme(fnp.minimum, "min")

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`maximum(x[idx], values)` at the index, over every update of a repeated index."""
        _check_mode(mode)
        return _Plan(self.x, self.idx, values).extreme(fnp.maximum, "max")

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """`x` with `func` applied elementwise at the index, once per occurrence of a position."""
        _check_mode(mode)
        plan = _Plan(self.x, self.idx, np.zeros((), self.x.dtype))
        if plan.traced:
            raise NotImplementedError(
                f"x.at[idx].apply(func) with traced indices (at {user_location()}): how often func applies to a "
                "position depends on the index values; if the indices never repeat, write "
                "x.at[idx].set(func(x[idx]))")
        return plan.apply(func)


class _Round:
    """Positions of x an update round touches, each at most once: `hit` (booleans shaped like x),
    `take(a)` (a's elements there, in the round's layout) and `place(v)` (v put there, zeros elsewhere)."""

    def __init__(self, x_shape, spec, arrays, flat: bool):
        self.x_shape, self.spec, self.arrays, self.flat = x_shape, spec, arrays, flat
        hit = np.zeros(x_shape, np.bool_)
        (hit.reshape(-1) if flat else hit)[shape.build_index(spec, arrays)] = True
        self.hit = hit

    def take(self, a):
        return shape.gather(fnp.ravel(a) if self.flat else a, self.arrays, self.spec)

    def place(self, values):
        size = (int(np.prod(self.x_shape, dtype=np.int64)),) if self.flat else self.x_shape
        placed = shape.scatter_add(values, self.arrays, self.spec, size)
        return fnp.reshape(placed, self.x_shape) if self.flat else placed


class _Plan:
    """An update at one index: the index spec, the values broadcast to the selected shape, and the
    flat positions of `x` each selected element stands at (concrete, or traced for traced indices)."""

    def __init__(self, x, idx, values):
        self.x, self.x_shape = x, shape_of(x)
        self.spec, self.arrays = index_spec(x, idx)
        target = shape._gather_shape(self.x_shape, self.arrays, self.spec)
        given = shape_of(values)
        if len(given) > len(target) or any(g not in (1, t) for g, t in zip(given[::-1], target[::-1])):
            raise ShapeError(f"values of shape {given} do not fit the shape {target} that x.at[...] selects in an "
                             f"array of shape {self.x_shape}; pass values of shape {target} (or one that broadcasts)")
        self.values = fnp.broadcast_to(fnp.astype(values, x.dtype), target)
        self.target = target
        size = int(np.prod(self.x_shape, dtype=np.int64))
        self.positions = shape.gather(np.arange(size).reshape(self.x_shape), self.arrays, self.spec)
        self.traced = isinstance(self.positions, Tracer)

    def scatter(self, values):
        return shape.scatter_add(values, self.arrays, self.spec, self.x_shape)

    # --- concrete indices: rounds of distinct positions ----------------------------------------
    def rounds(self, values):
        """(values, _Round) per round: round k holds the k-th update of each position, in index order."""
        flat = np.asarray(self.positions).ravel()
        order = np.argsort(flat, kind="stable")
        first = np.r_[True, flat[order][1:] != flat[order][:-1]]
        starts = np.maximum.accumulate(np.where(first, np.arange(flat.size), 0))
        occurrence = np.empty(flat.size, np.intp)
        occurrence[order] = np.arange(flat.size) - starts
        if flat.size == 0 or occurrence.max() == 0:     # no repeats: one round at the index itself
            yield values, _Round(self.x_shape, self.spec, self.arrays, flat=False)
            return
        values = fnp.ravel(values)
        for k in range(int(occurrence.max()) + 1):
            chosen = np.flatnonzero(occurrence == k)
            yield getitem(values, chosen), _Round(self.x_shape, (("array", 0),), [flat[chosen]], flat=True)

    def concrete_set(self):
        # the last update of a position is in its last round: one scatter of the winners suffices
        values = self.values
        if self.arrays:
            order = np.arange(int(np.prod(self.target, dtype=np.int64))).reshape(self.target)
            owner = np.full(self.x_shape, -1)
            owner[shape.build_index(self.spec, self.arrays)] = order
            wins = owner[shape.build_index(self.spec, self.arrays)] == order
            if not wins.all():
                values = fnp.where(wins, values, fnp.zeros_like(values))
        whole = _Round(self.x_shape, self.spec, self.arrays, flat=False)
        return fnp.where(whole.hit, whole.place(values), self.x)

    def apply(self, func):
        x = self.x
        for _, part in self.rounds(self.values):
            x = fnp.where(part.hit, part.place(fnp.astype(func(part.take(x)), x.dtype)), x)
        return x

    # --- traced indices: every update position against every element -------------------------
    def _matches(self):
        """(size, n) booleans: element p of x is where update j goes."""
        size = int(np.prod(self.x_shape, dtype=np.int64))
        return fnp.equal(fnp.reshape(self.positions, (1, -1)), np.arange(size).reshape(size, 1))

    def traced_set(self):
        matches = self._matches()
        updates = np.arange(matches.shape[1])
        owner = fnp.max(fnp.where(matches, updates, -1), axis=1, keepdims=True)   # the last update wins
        chosen = fnp.where(fnp.logical_and(matches, fnp.equal(updates, owner)), fnp.reshape(self.values, (1, -1)),
                           np.zeros((), self.x.dtype))
        placed = fnp.reshape(fnp.sum(chosen, axis=1), self.x_shape)
        return fnp.where(fnp.reshape(fnp.greater_equal(owner, 0), self.x_shape), placed, self.x)

    def product(self):
        """Ones shaped like x, holding the product of the updates at each updated position."""
        one = np.ones((), self.x.dtype)
        if self.traced:
            factors = fnp.where(self._matches(), fnp.reshape(self.values, (1, -1)), one)
            return fnp.reshape(fnp.prod(factors, axis=1), self.x_shape)
        product = None
        for values, part in self.rounds(self.values):
            factor = fnp.where(part.hit, part.place(values), one)
            product = factor if product is None else product * factor
        return product

    def _extreme_value(self, pick, reduce_name: str):
        """The updated array's values, without derivative (`extreme` adds jax's)."""
        x, values = fnp.stop_gradient(self.x), fnp.stop_gradient(self.values)
        if not self.traced:
            for chosen, part in self.rounds(values):
                x = fnp.where(part.hit, pick(x, part.place(chosen)), x)
            return x
        fill = np.asarray(_neutral(self.x.dtype, reduce_name), self.x.dtype)
        candidates = fnp.where(self._matches(), fnp.reshape(values, (1, -1)), fill)
        return pick(x, fnp.reshape(getattr(fnp, reduce_name)(candidates, axis=1), self.x_shape))

    def extreme(self, pick, reduce_name: str):
        result = self._extreme_value(pick, reduce_name)
        if self.x.dtype.kind != "f":
            return result
        # the derivative of jax's scatter_min/max: every candidate equal to the result shares it
        at_x = fnp.astype(fnp.equal(fnp.stop_gradient(self.x), result), self.x.dtype)
        chosen = shape.gather(result, self.arrays, self.spec)
        at_values = fnp.astype(fnp.equal(fnp.stop_gradient(self.values), chosen), self.x.dtype)
        return (self.x * at_x + self.scatter(self.values * at_values)) / (at_x + self.scatter(at_values))


def _neutral(dtype: np.dtype, reduce_name: str):
    """The value no update loses to: +inf for min, -inf for max (the integer or bool extremes)."""
    if dtype.kind == "f":
        return np.inf if reduce_name == "min" else -np.inf
    if dtype.kind == "b":
        return reduce_name == "min"
    info = np.iinfo(dtype)
    return info.max if reduce_name == "min" else info.min
