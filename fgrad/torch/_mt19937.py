"""PyTorch's CPU random engine: a standard mt19937 and the state PyTorch keeps beside it.

PyTorch seeds its mt19937 with the classic `init_genrand` on the low 32 bits of the seed, which is what
NumPy's `MT19937._legacy_seeding` does, so NumPy's C generator produces the very same 32-bit words and
whole blocks of them are drawn at C speed. Besides the engine, PyTorch's generator caches the second
Box-Muller sample of its scalar normal path (one double, one float); `get_state`/`set_state` write and
read PyTorch's 5056-byte layout, so states move between the two libraries.

Example:
    >>> e = Engine(0)
    >>> int(e.u32(1)[0])
    2357136044
"""

from __future__ import annotations

import numpy as np

DEFAULT_SEED = 67280421310721          # what torch.initial_seed() says before any manual_seed
_N = 624
STATE_BYTES = 5056
_LEGACY_BYTES = 5048                   # states written by older PyTorch versions, without the float cache
_U32 = np.uint64(0xFFFFFFFF)


class Engine:
    """One generator's engine and normal-sample caches. Example: ``Engine(0).u64(2)``."""

    def __init__(self, seed: int = DEFAULT_SEED):
        # making a bit generator runs NumPy's seed hashing (most of a millisecond); reseeding one
        # in place is microseconds, so seed() reuses this one
        self._bits = np.random.MT19937(0)
        self.seed(seed)

    def seed(self, seed: int) -> None:
        """Reset the engine as PyTorch's `manual_seed` does (the caches are dropped too)."""
        self.initial_seed = int(seed) & 0xFFFFFFFFFFFFFFFF
        self._bits._legacy_seeding(self.initial_seed & 0xFFFFFFFF)
        self._fresh = True
        self.next_double: float | None = None
        self.next_float: float | None = None

    def u32(self, n: int) -> np.ndarray:
        """The next `n` 32-bit words (as uint64), PyTorch's `generator->random()`."""
        if n <= 0:
            return np.zeros(0, np.uint64)
        self._fresh = False
        return self._bits.random_raw(int(n)).astype(np.uint64)

    def u64(self, n: int) -> np.ndarray:
        """The next `n` 64-bit words, PyTorch's `random64()`: two 32-bit words, the first one high."""
        words = self.u32(2 * n)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    # --- PyTorch's state layout --------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """The state as the uint8 array `torch.get_rng_state()` returns."""
        state = self._bits.state["state"]
        pos = int(state["pos"])
        out = bytearray(STATE_BYTES)
        head = np.array([self.initial_seed, 0, 0 if self._fresh else pos], np.uint64)
        out[0:24] = head.tobytes()
        out[8:16] = np.array([_N + 1 - pos, 1], np.int32).tobytes()
        out[24:5016] = np.asarray(state["key"], np.uint64).tobytes()
        if self.next_double is not None:
            out[5024:5032] = np.float64(self.next_double).tobytes()
            out[5040:5044] = np.int32(1).tobytes()
        if self.next_float is not None:
            out[5048:5052] = np.float32(self.next_float).tobytes()
            out[5052] = 1
        return np.frombuffer(bytes(out), np.uint8).copy()

    def set_state(self, data: np.ndarray) -> None:
        """Load a state written by `get_state` or by PyTorch (RuntimeError for a wrong size)."""
        raw = np.ascontiguousarray(data, np.uint8).tobytes()
        if len(raw) not in (STATE_BYTES, _LEGACY_BYTES):
            raise RuntimeError(f"Expected either a THGeneratorStateLegacy of size {_LEGACY_BYTES} or a "
                               f"CPUGeneratorImplState of size {STATE_BYTES} but found the input RNG state "
                               f"size to be {len(raw)}")
        seed = int(np.frombuffer(raw[0:8], np.uint64)[0])
        left = int(np.frombuffer(raw[8:12], np.int32)[0])
        key = np.frombuffer(raw[24:5016], np.uint64) & _U32
        if not 1 <= left <= _N:
            raise RuntimeError("The given RNG state is invalid: its 'left' counter is out of range.")
        bits = np.random.MT19937()
        bits.state = {"bit_generator": "MT19937", "state": {"key": key.astype(np.uint32), "pos": _N + 1 - left}}
        self._bits, self.initial_seed = bits, seed
        self._fresh = int(np.frombuffer(raw[16:24], np.uint64)[0]) == 0 and left == 1
        valid = int(np.frombuffer(raw[5040:5044], np.int32)[0])
        self.next_double = float(np.frombuffer(raw[5024:5032], np.float64)[0]) if valid else None
        has_float = len(raw) == STATE_BYTES and raw[5052]
        self.next_float = float(np.frombuffer(raw[5048:5052], np.float32)[0]) if has_float else None

    def clone(self) -> Engine:
        """An independent copy (for `Generator.clone_state`-style uses and tests)."""
        other = Engine.__new__(Engine)
        other.set_state(self.get_state())
        return other
