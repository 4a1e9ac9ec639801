"""torch's random numbers, bit for bit: Generator, manual_seed, rand, randn, randint, randperm, normal, ...

Every sampler follows PyTorch's CPU kernel for the same call: which engine words it takes (32 or 64 bits),
how it maps them to values, and in which order it writes the elements, so the same seed gives the same
tensors as PyTorch for any shape and any sequence of calls (see _mt19937 and _boxmuller for the engine
and the arithmetic).

Example:
    >>> import fgrad.torch as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.rand(2)
    tensor([0.4963, 0.7682])
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from ..errors import user_location
from . import _boxmuller as bm
from . import _dtypes, ops
from ._errors import torch_error
from ._mt19937 import DEFAULT_SEED, Engine
from ._out import accepts_out
from ._shuffle import forward_shuffle, inside_out_shuffle
from .ops import wrap
from .ops_shape import shape_arg
from .profiler import logs_events

if TYPE_CHECKING:
    from .tensor import Tensor

_WIDE_RANGE = 1 << 28          # PyTorch takes 64-bit words for ranges this large or larger
_SWAP_SHUFFLE_LIMIT = 0xFFFFFFFF // 20   # randperm's n from which PyTorch shuffles inside-out
_U64 = np.uint64


class Generator:
    """A CPU random generator with PyTorch's engine, seeding and state layout.

    Example:
        >>> import fgrad.torch as torch
        >>> g = torch.Generator().manual_seed(3)
        >>> torch.equal(torch.rand(2, generator=g), torch.rand(2, generator=torch.Generator().manual_seed(3)))
        True
    """

    def __init__(self, device="cpu"):
        if _dtypes.device(device).type != "cpu":
            raise RuntimeError(f"Device type {_dtypes.device(device).type.upper()} is not supported by this "
                               "build (only the CPU generator exists here).")
        self.engine = Engine(DEFAULT_SEED)
        self.device = _dtypes.device("cpu")

    def manual_seed(self, seed) -> Generator:
        """Reset to `seed` (any int; the low 32 bits seed the engine). Returns the generator."""
        self.engine.seed(_seed_value(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy and return the seed used."""
        value = int.from_bytes(os.urandom(8), "little")
        self.engine.seed(value)
        return value

    def initial_seed(self) -> int:
        return self.engine.initial_seed

    def get_state(self) -> Tensor:
        """The state as a uint8 tensor in PyTorch's layout (5056 bytes)."""
        return wrap(self.engine.get_state())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from `get_state` (this library's or PyTorch's own)."""
        if not isinstance(new_state, ops.Tensor) or new_state._data.dtype != np.uint8:
            kind = type(new_state).__name__ if not isinstance(new_state, ops.Tensor) else new_state.dtype
            raise _fail(f"expected a torch.ByteTensor, but got {kind}",
                        "pass what get_state()/torch.get_rng_state() returned (a uint8 tensor)", TypeError)
        self.engine.set_state(new_state._data)
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


def _seed_value(seed) -> int:
    value = int(seed)
    if not -(1 << 63) <= value < (1 << 64):
        raise _fail("Overflow when unpacking long long", f"the seed {value} needs more than 64 bits; "
                    "use a seed in [-2**63, 2**64)", ValueError)
    return value & 0xFFFFFFFFFFFFFFFF


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed the default generator (rand, randn, nn initialisation, dropout, shuffling).

    Args:
        seed: any int; the same seed draws PyTorch's numbers.

    Returns:
        The default generator (`torch.default_generator`).

    Example:
        >>> import fgrad.torch as torch
        >>> _ = torch.manual_seed(0); a = torch.rand(2)
        >>> _ = torch.manual_seed(0); torch.equal(a, torch.rand(2))
        True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system and return the seed. Example: ``torch.seed()``."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator was last seeded with. Example: ``torch.initial_seed()``."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (uint8 tensor). Example: ``s = torch.get_rng_state()``."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state. Example: ``torch.set_rng_state(s)``."""
    default_generator.set_state(new_state)


def engine(generator: Generator | None) -> Engine:
    """The engine a sampler draws from: the given generator's, else the default one."""
    if generator is None:
        return default_generator.engine
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a torch.Generator, not {type(generator).__name__}")
    return generator.engine


# --- samplers over flat arrays --------------------------------------------------------------------

def uniform_values(e: Engine, n: int, dt: np.dtype, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """`uniform_(low, high)`: 24 bits of a 32-bit word for float32/16, 53 of a 64-bit word for float64."""
    if dt == np.float64:
        x = (e.u64(n) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
        return bm.fma64(x, float(np.float64(high) - np.float64(low)), low)
    # float16 draws as float32 does (24 bits, float arithmetic), then rounds, as PyTorch's CPU kernel
    x = (e.u32(n) & _U64((1 << 24) - 1)).astype(np.float32) * np.float32(2.0 ** -24)
    lo, hi = np.float32(low), np.float32(high)
    return bm.fma32(x, hi - lo, lo).astype(dt)


def normal_values(e: Engine, n: int, dt: np.dtype, mean: float, std: float, contiguous: bool) -> np.ndarray:
    """`normal_(mean, std)`: the blocked Box-Muller for >= 16 contiguous elements, else the scalar one.

    float16 runs the float32 kernel (float32 uniforms, mean and std) and rounds, as PyTorch's CPU does.
    """
    if n >= 16 and contiguous and dt == np.float16:
        mean, std = float(np.float32(mean)), float(np.float32(std))
        single = np.dtype(np.float32)
        return bm.fill_normal(lambda k: uniform_values(e, k, single), n, True, mean, std, True).astype(dt)
    if n >= 16 and contiguous and dt in (np.float32, np.float64):
        single = dt == np.float32
        if single:
            mean, std = float(np.float32(mean)), float(np.float32(std))
        return bm.fill_normal(lambda k: uniform_values(e, k, dt), n, single, mean, std)
    out = np.empty(n, np.float64)
    for i in range(n):
        if e.next_double is not None:
            value, e.next_double = e.next_double, None
        else:
            u = (e.u64(2) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
            value, e.next_double = bm.box_muller_pair(float(u[0]), float(u[1]))
        out[i] = value
    return bm.fma64(out, std, mean).astype(dt)


def int_range_values(e: Engine, n: int, low: int, high: int) -> np.ndarray:
    """`random_(low, high)` / randint: a word modulo the range, 64-bit words for ranges >= 2**28."""
    span = high - low
    words = e.u64(n) if span >= _WIDE_RANGE else e.u32(n)
    return (words % _U64(span)).astype(object if span >= (1 << 63) else np.int64) + low


def full_range_values(e: Engine, n: int, dt: np.dtype) -> np.ndarray:
    """`random_()` without bounds: [0, 2**mantissa] for floats, [0, max] for integers, a bit for bool."""
    if dt == np.bool_:
        return (e.u32(n) & _U64(1)).astype(np.bool_)
    if dt.kind == "f":
        digits = {2: 11, 4: 24, 8: 53}[dt.itemsize]
        words = e.u64(n) if dt == np.float64 else e.u32(n)
        return (words % _U64((1 << digits) + 1)).astype(dt)
    words = e.u64(n) if dt == np.int64 else e.u32(n)
    return (words % _U64(int(np.iinfo(dt).max) + 1)).astype(dt)


def exponential_values(e: Engine, n: int, lambd: float) -> np.ndarray:
    """`exponential_(lambd)`: -1/lambd * log1p(-u) with double uniforms (libm's log1p, as PyTorch calls)."""
    u = (e.u64(n) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    return (-1.0 / lambd) * bm.LOG1P(-u).astype(np.float64)


def _double_uniforms(e: Engine, n: int) -> np.ndarray:
    return (e.u64(n) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53


def log_normal_values(e: Engine, n: int, mean: float, std: float) -> np.ndarray:
    """`log_normal_`: libm's exp of the scalar Box-Muller path (element by element, with its cached sample)."""
    return bm.EXP(normal_values(e, n, np.dtype(np.float64), mean, std, False)).astype(np.float64)


def cauchy_values(e: Engine, n: int, median: float, sigma: float) -> np.ndarray:
    """`cauchy_`: median + sigma * tan(pi * (u - 0.5)) with double uniforms and libm's tan."""
    return median + sigma * bm.TAN(np.pi * (_double_uniforms(e, n) - 0.5)).astype(np.float64)


def geometric_values(e: Engine, n: int, p: float) -> np.ndarray:
    """`geometric_`: ceil(log(u) / log(1 - p)) with double uniforms and libm's log."""
    return np.ceil(bm.LOG(_double_uniforms(e, n)).astype(np.float64) / np.log(1.0 - p))


def bernoulli_values(e: Engine, p: np.ndarray, double: bool) -> np.ndarray:
    """`bernoulli_`: u < p, u a double uniform for a Python p or a float64 p tensor, else a float one."""
    if double:
        return _double_uniforms(e, p.size) < p.astype(np.float64).reshape(-1)
    u = (e.u32(p.size) & _U64((1 << 24) - 1)).astype(np.float32) * np.float32(2.0 ** -24)
    return u < p.astype(np.float32).reshape(-1)


def in_memory_order(like: np.ndarray, flat: np.ndarray) -> np.ndarray:
    """An array shaped like `like` holding `flat` in the order PyTorch's kernels visit `like`: by address.

    Axes are visited by decreasing stride, so a transposed or sliced view receives its values in the
    order its elements sit in memory, as PyTorch's TensorIterator walks it.
    """
    out = np.empty(like.shape, like.dtype)
    order = sorted(range(like.ndim), key=lambda ax: -abs(like.strides[ax]))
    out.transpose(order)[...] = np.asarray(flat).reshape([like.shape[ax] for ax in order])
    return out


def new_shape(size) -> tuple:
    shape = shape_arg(size)
    if any(d < 0 for d in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
    return shape


# --- the public functions -------------------------------------------------------------------------

def _float_dtype(dtype) -> np.dtype:
    return _dtypes.to_numpy_dtype(dtype) if dtype is not None else _dtypes.DEFAULT_FLOAT[0].np


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    from .creation import _finish as finish
    return finish(array, requires_grad)


def _fresh(size, dtype) -> np.ndarray:
    return np.empty(new_shape(size), dtype)


def _sized(size) -> tuple:
    return size[0] if len(size) == 1 and isinstance(size[0], (tuple, list, _dtypes.Size)) else size


@logs_events("aten::rand", "aten::empty", "aten::uniform_")
@accepts_out
@_dtypes.checks_device(uses_default=True)
def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    """Uniform samples in [0, 1), PyTorch's numbers for the same seed.

    Example:
        >>> import fgrad.torch as torch
        >>> _ = torch.manual_seed(0); torch.rand(2, 3).shape
        torch.Size([2, 3])
    """
    out = _fresh(_sized(size), _float_dtype(dtype))
    out.reshape(-1)[...] = uniform_values(engine(generator), out.size, out.dtype)
    return _finish(out, requires_grad)


@logs_events("aten::randn", "aten::empty", "aten::normal_")
@accepts_out
@_dtypes.checks_device(uses_default=True)
def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:
    """Standard normal samples, PyTorch's numbers for the same seed.

    Example:
        >>> import fgrad.torch as torch
        >>> _ = torch.manual_seed(0); torch.randn(3).shape
        torch.Size([3])
    """
    out = _fresh(_sized(size), _float_dtype(dtype))
    out.reshape(-1)[...] = normal_values(engine(generator), out.size, out.dtype, 0.0, 1.0, True)
    return _finish(out, requires_grad)


@logs_events("aten::randint", "aten::empty", "aten::random_")
@_dtypes.checks_device(uses_default=True)
def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Integers in [low, high) (int64 unless `dtype`), PyTorch's numbers for the same seed.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.randint(0, 10, (3,)).dtype
        torch.int64
    """
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high is None:
        low, high = 0, low
    if not low < high:
        raise _fail(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}",
                    "randint(low, high, size) draws from [low, high): make high larger than low")
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    out = _fresh(size, dt)
    out.reshape(-1)[...] = int_range_values(engine(generator), out.size, int(low), int(high))
    return _finish(out, requires_grad)


@_dtypes.checks_device(uses_default=True)
def randperm(n: int, *, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0..n-1, PyTorch's for the same seed (its small-n and large-n algorithms).

    Example:
        >>> import fgrad.torch as torch
        >>> sorted(torch.randperm(4).tolist())
        [0, 1, 2, 3]
    """
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dtypes.to_numpy_dtype(dtype) if dtype is not None else np.dtype(np.int64)
    _check_perm_dtype(n, dt)
    e = engine(generator)
    if n == 0:
        out = np.zeros(0, np.int64)
    elif n < _SWAP_SHUFFLE_LIMIT:        # step i swaps i and i + (a 32-bit word % (n - i))
        out = forward_shuffle((e.u32(n - 1) % (n - np.arange(n - 1, dtype=np.uint64))).astype(np.int64))
    else:                              # step i moves the element at (a 64-bit word % (i + 1)) to i
        out = inside_out_shuffle((e.u64(n) % np.arange(1, n + 1, dtype=np.uint64)).astype(np.int64))
    return _finish(out.astype(dt), requires_grad)


_EXACT_UP_TO = {np.dtype(np.float16): (2049, "2049", "Half"), np.dtype(np.float32): (2**24 + 1, "2^24+1", "Float"),
                np.dtype(np.float64): (2**53 + 1, "2^53+1", "Double")}


def _check_perm_dtype(n: int, dt: np.dtype) -> None:
    """torch's refusals, before anything is drawn: a dtype that cannot hold 0..n-1 exactly, or bool."""
    if dt == np.bool_:
        raise _fail("\"randperm\" not implemented for 'Bool'", "use an integer dtype, e.g. torch.int64",
                    NotImplementedError)
    if dt.kind == "f" and n > _EXACT_UP_TO[dt][0]:
        limit, shown, name = _EXACT_UP_TO[dt]
        raise _fail(f"n cannot be greater than {shown} for {name} type.",
                    f"{name.lower()} numbers hold the integers exactly only up to {limit}; use torch.int64")
    if dt.kind in "iu" and n > 1 and n - 1 > np.iinfo(dt).max:
        raise _fail(f"value cannot be converted to type {dt.name}_t without overflow",
                    f"{dt.name} holds at most {np.iinfo(dt).max}; use a wider dtype, e.g. torch.int64")


@_dtypes.checks_device(uses_default=False)   # not among torch's device-block factories
def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples; mean and std may be tensors (broadcast) or numbers (then `size` is needed).

    As in PyTorch, tensor overloads draw standard normals first and scale them: `out * std + mean`.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.normal(torch.zeros(3), 1.0).shape
        torch.Size([3])
    """
    tensors = [v for v in (mean, std) if isinstance(v, ops.Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: with float mean and std, "
                            "pass size, e.g. torch.normal(0., 1., size=(3,))")
        out = _fresh(_sized((size,)), _float_dtype(dtype))
        out.reshape(-1)[...] = normal_values(engine(generator), out.size, out.dtype, mean, std, True)
        return _finish(out, requires_grad)
    if isinstance(std, ops.Tensor) and (std._data < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not isinstance(std, ops.Tensor) and std < 0:
        raise _fail(f"normal expects std >= 0.0, but found std {_num(std)}", "pass a non-negative std")
    shape = np.broadcast_shapes(*(t._data.shape for t in tensors))
    dt = _dtypes.result_type(tensors)
    e = engine(generator)
    if isinstance(mean, ops.Tensor) and not isinstance(std, ops.Tensor):
        draws = normal_values(e, int(np.prod(shape)), dt, 0.0, float(std), True).reshape(shape)
        return _finish(draws + mean._data.astype(dt), requires_grad)
    draws = normal_values(e, int(np.prod(shape)), dt, 0.0, 1.0, True).reshape(shape)
    std_a = std._data.astype(dt)
    mean_a = mean._data.astype(dt) if isinstance(mean, ops.Tensor) else dt.type(mean)
    return _finish(draws * std_a + mean_a, requires_grad)


def bernoulli(input, p=None, *, generator=None) -> Tensor:  # noqa: A002
    """0/1 samples with probabilities `input` (or the number `p`), in input's dtype.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.bernoulli(torch.ones(2)).tolist()
        [1.0, 1.0]
    """
    out = np.empty(input._data.shape, input._data.dtype)
    if p is None:
        _check_probs(input._data)
        values = bernoulli_values(engine(generator), input._data, input._data.dtype == np.float64)
    else:
        values = bernoulli_values(engine(generator), np.full(out.size, float(p)), True)
    out.reshape(-1)[...] = values
    return wrap(out)


def _check_probs(p: np.ndarray) -> None:
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                           "message be improved?  If so, please report an enhancement request to PyTorch.)")


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:  # noqa: A002
    """Category indices drawn from the rows of `input` (unnormalised weights), as PyTorch draws them.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.multinomial(torch.tensor([0., 1.]), 2, replacement=True).tolist()
        [1, 1]
    """
    w = input._data
    if w.ndim not in (1, 2):
        raise _fail("prob_dist must be 1 or 2 dim", f"pass a vector or a matrix of weights, not {w.ndim}-d")
    if not replacement and num_samples > w.shape[-1]:
        raise _fail("cannot sample n_sample > prob_dist.size(-1) samples without replacement",
                    f"ask for at most {w.shape[-1]} samples, or pass replacement=True")
    fast = not replacement or num_samples == 1
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0" if fast else
                           "invalid multinomial distribution (encountering probability entry < 0)"
                           if (w < 0).any() else
                           "invalid multinomial distribution (encountering probability entry = infinity or NaN)")
    rows = w.reshape(-1, w.shape[-1])
    if (rows.sum(-1) <= 0).any():
        raise _fail("invalid multinomial distribution (sum of probabilities <= 0)",
                    "every row needs at least one positive weight")
    e = engine(generator)
    if fast:
        q = exponential_values(e, rows.size, 1.0).astype(rows.dtype).reshape(rows.shape)
        keys = rows / q
        picks = np.argsort(-keys, axis=-1, kind="stable")[:, :num_samples]
    else:
        picks = np.stack([_with_replacement(e, row, num_samples) for row in rows])
    return wrap(picks.astype(np.int64).reshape(w.shape[:-1] + (num_samples,)))


def _with_replacement(e: Engine, row: np.ndarray, k: int) -> np.ndarray:
    cum = np.cumsum(row)
    cum = cum / cum[-1]
    cum[-1] = 1
    u = (e.u64(k) & _U64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    return np.searchsorted(cum.astype(np.float64), u, side="left")


@_dtypes.checks_device(uses_default=False)
def rand_like(input, *, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:  # noqa: A002
    """Uniform samples shaped like `input`. Example: ``torch.rand_like(torch.ones(2))``."""
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


@_dtypes.checks_device(uses_default=False)
def randn_like(input, *, dtype=None, device=None, requires_grad: bool = False, **_) -> Tensor:  # noqa: A002
    """Normal samples shaped like `input`. Example: ``torch.randn_like(torch.ones(2))``."""
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


@_dtypes.checks_device(uses_default=False)
def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A002
    """Integers in [low, high) shaped like `input`, in its dtype. Example: ``torch.randint_like(x, 10)``."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def _fail(message: str, hint: str, kind: type = RuntimeError) -> Exception:
    """PyTorch's message, then a line with the fix and the caller's file:line."""
    return torch_error(message, f"{hint} (at {user_location()})", kind)


def _num(x) -> str:
    """A number as PyTorch's C++ messages print it (-1, not -1.0)."""
    return f"{float(x):g}"
