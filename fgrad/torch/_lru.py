"""A bounded, thread-safe LRU map for the shim's caches (signatures, per-node backward IRs, node classes).

Reads take no lock (a dict lookup is atomic in CPython); insertions, refreshes and evictions do, so
threads recording and differentiating at once never see a torn map, and the size never passes maxsize.

Example:
    >>> cache = LRU(2)
    >>> for key, value in (("a", 1), ("b", 2), ("c", 3)):
    ...     _ = cache.put(key, value)
    >>> (cache.get("a"), cache.get("c"), len(cache))
    (None, 3, 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any


class LRU:
    """Least-recently-used map holding at most `maxsize` entries."""

    __slots__ = ("maxsize", "_data", "_lock", "get")

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.get = self._data.get        # lock-free read; `touch` refreshes the entry's age

    def touch(self, key) -> None:
        """Mark `key` as just used (it may have been evicted meanwhile by another thread)."""
        try:
            self._data.move_to_end(key)
        except KeyError:
            pass

    def put(self, key, value) -> Any:
        """Store `value` under `key` unless another thread stored one first; returns the stored value."""
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                return found
            self._data[key] = value
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
