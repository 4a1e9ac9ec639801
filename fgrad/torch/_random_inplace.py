"""In-place samplers (uniform_, normal_, random_, bernoulli_, ...): RandomMethods, a base class of Tensor.

Each fills its tensor with what PyTorch's kernel writes for the same generator state, visiting the
elements in memory order (see _random), and goes through the shim's in-place rules (a leaf that
requires grad is refused outside no_grad; a tensor in a graph is rebound).

Example:
    >>> import fgrad.torch as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.empty(2).uniform_(-1, 1)
    tensor([-0.0075,  0.5364])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import ops
from ._random import (
    _check_probs,
    _fail,
    _num,
    bernoulli,
    bernoulli_values,
    cauchy_values,
    engine,
    exponential_values,
    full_range_values,
    geometric_values,
    in_memory_order,
    int_range_values,
    log_normal_values,
    multinomial,
    normal_values,
    uniform_values,
)
from .ops import wrap

if TYPE_CHECKING:
    from .tensor import Tensor


def _fill_inplace(self: Tensor, draw) -> Tensor:
    """Store `draw(n, contiguous)` into `self` in PyTorch's element order, through the in-place rules."""
    from ._methods import _inplace
    values = draw(self._data.size, bool(self._data.flags.c_contiguous))
    return _inplace(self, lambda: wrap(in_memory_order(self._data, values)))


def _float_only(self: Tensor, name: str) -> np.dtype:
    dt = self._data.dtype
    if dt.kind != "f":
        from ._errors import SCALAR_NAMES
        raise NotImplementedError(f"\"{name}\" not implemented for '{SCALAR_NAMES[dt.name]}'")
    return dt


def _uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None, **kw) -> Tensor:
    """Fill with uniform samples in [from, to). Example: ``torch.empty(3).uniform_(-1, 1)``."""
    from_ = kw.pop("from", from_)
    dt = _float_only(self, "check_uniform_bounds")
    if from_ > to:
        raise _fail(f"uniform_ expects to return a [from, to) range, but found from={_num(from_)} > to={_num(to)}",
                    "pass the lower bound first: uniform_(low, high)")
    return _fill_inplace(self, lambda n, _c: uniform_values(engine(generator), n, dt, from_, to))


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with normal samples. Example: ``torch.empty(3).normal_(0, 0.1)``."""
    dt = _float_only(self, "normal_kernel_cpu")
    if std < 0:
        raise _fail(f"normal expects std >= 0.0, but found std {_num(std)}", "pass a non-negative std")
    return _fill_inplace(self, lambda n, c: normal_values(engine(generator), n, dt, mean, std, c))


def _random_(self: Tensor, from_=None, to=None, *, generator=None, **kw) -> Tensor:
    """Fill with integers: random_() over the dtype's range, random_(to), random_(from, to).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.zeros(3, dtype=torch.int64).random_(5).max().item() < 5
        True
    """
    from_ = kw.pop("from", from_)
    e, dt = engine(generator), self._data.dtype
    if from_ is None and to is None:
        return _fill_inplace(self, lambda n, _c: full_range_values(e, n, dt))
    low, high = (0, from_) if to is None else (from_, to)
    if not low < high:
        raise _fail(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}",
                    "random_(from, to) draws from [from, to): make to larger than from")
    return _fill_inplace(self, lambda n, _c: int_range_values(e, n, int(low), int(high)))


def _exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate `lambd`. Example: ``torch.empty(3).exponential_(2.)``."""
    _float_only(self, "exponential_cpu")
    if not lambd > 0:
        raise _fail(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}", "pass a positive rate")
    return _fill_inplace(self, lambda n, _c: exponential_values(engine(generator), n, lambd))


def _bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 draws of probability `p` (a number or a broadcastable tensor).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.empty(3).bernoulli_(1.0).tolist()
        [1.0, 1.0, 1.0]
    """
    e = engine(generator)
    if isinstance(p, ops.Tensor):
        probs = np.broadcast_to(p._data, self._data.shape)
        _check_probs(probs)
        return _fill_inplace(self, lambda n, _c: bernoulli_values(
            e, _visit(self._data, probs),
            probs.dtype == np.float64))
    if not 0 <= p <= 1:
        raise _fail(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}", "p is a probability")
    return _fill_inplace(self, lambda n, _c: bernoulli_values(e, np.full(n, float(p)), True))


def _visit(like: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (shaped like `like`) flattened in the order PyTorch visits `like`'s elements."""
    order = sorted(range(like.ndim), key=lambda ax: -abs(like.strides[ax]))
    return np.ascontiguousarray(values.transpose(order)).reshape(-1)


def _log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with exp(N(mean, std)) samples. Example: ``torch.empty(3).log_normal_()``."""
    _float_only(self, "log_normal_cpu")
    if not std > 0:
        raise _fail(f"log_normal_ expects std > 0.0, but found std={_num(std)}", "pass a positive std")
    return _fill_inplace(self, lambda n, _c: log_normal_values(engine(generator), n, mean, std))


def _cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples. Example: ``torch.empty(3).cauchy_()``."""
    _float_only(self, "cauchy_cpu")
    if not sigma > 0:
        raise _fail(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}", "pass a positive sigma")
    return _fill_inplace(self, lambda n, _c: cauchy_values(engine(generator), n, median, sigma))


def _geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials to the first success. Example: ``torch.empty(3).geometric_(0.5)``."""
    if not 0 < p < 1:
        raise _fail(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}", "p is a probability")
    return _fill_inplace(self, lambda n, _c: geometric_values(engine(generator), n, p))


def _bernoulli(self, p=None, *, generator=None):
    return bernoulli(self, p, generator=generator)


def _multinomial(self, num_samples, replacement=False, *, generator=None):
    return multinomial(self, num_samples, replacement, generator=generator)


class RandomMethods:
    """The samplers as Tensor methods; Tensor inherits them."""

    __slots__ = ()

    uniform_, normal_, random_, exponential_ = _uniform_, _normal_, _random_, _exponential_
    bernoulli_, log_normal_, cauchy_, geometric_ = _bernoulli_, _log_normal_, _cauchy_, _geometric_
    bernoulli, multinomial = _bernoulli, _multinomial
