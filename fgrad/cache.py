"""The compile cache: a bounded LRU of compiled program variants that can say why it missed."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from .config import config
from .errors import GuardFailure

log = logging.getLogger("fgrad")


MAX_VARIANTS = 8       # programs kept for one key (other Python branches, other outside state)


class CompileCache:
    """A bounded LRU of compiled variants, with an explanation of each miss. Safe to share
    between threads: lookups and insertions hold a lock."""

    def __init__(self, owner: str, maxsize: int | None = None):
        self.owner, self.maxsize = owner, maxsize     # None: follow fgrad.config.cache_size
        self.entries: OrderedDict = OrderedDict()
        self.hits = self.misses = 0
        self.last_miss_reason: str | None = None
        self._lock = threading.Lock()
        # (key, variants) of the last lookup: a loop calling with the same avals finds its entry
        # by one tuple comparison, without hashing the key twice (lookup and move to the end)
        self._last: tuple | None = None
        self._checks = config.checks_generation

    def run(self, key, values: list):
        """`(outputs, meta)` of the first variant for `key` that still holds, run on `values`; None
        when there is none (then the caller builds one). A variant is `(program, meta, captured)`:
        it holds while `captured` (what its trace read from outside, or None) is unchanged and the
        program's guards pass. The lookup and the run are one call: this is every call's hot path."""
        if self._checks != config.checks_generation:    # debug_nans/debug_infs changed: recompile
            self._drop_programs()
        last = self._last
        try:
            recent = last is not None and last[0] == key     # a loop with the same avals: no hashing
        except (TypeError, ValueError):                       # a static value whose == cannot answer
            recent = False
        if recent:
            self.hits += 1
            variants = last[1]
        else:
            variants = self._lookup(key)
        for program, meta, captured in variants or ():
            if captured is not None and not captured.quick() and not captured.holds():
                continue
            try:
                return program(*values), meta
            except GuardFailure:
                continue
        return None

    def get(self, key):
        """The variants kept for `key`, newest first, without running them; None if there are none."""
        if self._checks != config.checks_generation:
            self._drop_programs()
        return self._lookup(key)

    def _lookup(self, key):
        """The variants kept for `key` (moved to the most recent end), or None."""
        # no lock: each OrderedDict operation is atomic, and a key evicted by another thread
        # between the two steps only loses its move to the end
        found = self.entries.get(key)
        if found is not None:
            try:
                self.entries.move_to_end(key)
            except KeyError:
                pass
            self.hits += 1
            self._last = (key, found)
        return found

    def add(self, key, variant, reason: str | None = None) -> None:
        """Keep `variant` for `key`, newest first; `reason` says why the existing ones did not do."""
        with self._lock:
            self.misses += 1
            variants = self.entries.get(key)
            self.last_miss_reason = self.explain(key) if variants is None else \
                reason or "a Python branch taken while tracing differs"
            if config.explain_cache_misses:
                log.warning("fgrad: compiling %s: %s", self.owner, self.last_miss_reason)
            # a new list each time: callers iterate the old one without the lock
            self.entries[key] = found = [variant] + (variants or [])[:MAX_VARIANTS - 1]
            self.entries.move_to_end(key)
            self._last = (key, found)
            while len(self.entries) > max(self.limit, 1):
                self.entries.popitem(last=False)

    @property
    def limit(self) -> int:
        return config.cache_size if self.maxsize is None else self.maxsize

    def clear(self) -> None:
        self._drop_programs()
        self.hits = self.misses = 0

    def _drop_programs(self) -> None:
        with self._lock:
            self.entries.clear()
            self._last = None
            self._checks = config.checks_generation

    def explain(self, key) -> str:
        if not self.entries:
            return "first call"
        old = next(reversed(self.entries))
        if not (isinstance(key[-1], tuple) and isinstance(old[-1], tuple)):
            return "the program's structure or input shapes changed"
        reasons = []                      # keys end with (input structure, leaf avals)
        if old[:-2] != key[:-2]:
            reasons.append(f"static arguments changed from {old[:-2]!r} to {key[:-2]!r}")
        if old[-2] != key[-2]:
            reasons.append(f"the argument structure changed from {old[-2]} to {key[-2]}")
        else:
            for k, (a, b) in enumerate(zip(old[-1], key[-1])):
                if a != b:
                    reasons.append(f"input leaf {k} changed from {_fmt(a)} to {_fmt(b)}")
        return "; ".join(reasons) or "a Python branch taken while tracing differs"

    def info(self) -> dict:
        return {"hits": self.hits, "misses": self.misses, "size": len(self.entries),
                "maxsize": self.limit, "last_miss_reason": self.last_miss_reason}


def _fmt(leaf_key) -> str:
    if isinstance(leaf_key[0], type):            # a static value: (type, value, ...)
        return f"the {leaf_key[0].__name__} {leaf_key[1]!r}"
    shape, dtype = leaf_key
    return f"{dtype}{list(shape)}"
