"""A pytest plugin that reports how the test process's memory and garbage collection grow.

Load it with ``-p suite_memory`` and ``tools`` on the path::

    PYTHONPATH=tools .venv/bin/python -m pytest -p suite_memory tests/test_primitives.py

Every ``SUITE_MEMORY_EVERY`` tests (default 200) it prints one line: tests run, seconds since
the start, resident memory, the number of objects the collector tracks, and the total and
longest time spent in collections so far. At the end it prints the object types whose count grew
most since the first test. ``SUITE_MEMORY_TRACE=1`` also takes tracemalloc snapshots (slow: the
process runs about twice as long) and prints the source lines whose allocations grew most.
``SUITE_MEMORY_STOP=N`` ends the run after N tests, so a long file can be sampled.
"""

from __future__ import annotations

import collections
import gc
import os
import sys
import time
import tracemalloc

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_mb() -> float:
    """The process's resident memory in MiB, read from /proc (Linux).

    Example:
        >>> rss_mb() > 0
        True
    """
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE / 2**20


def type_counts() -> collections.Counter:
    """How many objects of each type the garbage collector tracks, by qualified type name.

    Example:
        >>> type_counts()["dict"] > 0
        True
    """
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


class SuiteMemory:
    """The plugin's state: collection timings from gc.callbacks and the counts at the start."""

    def __init__(self, every: int, trace: bool, stop: int):
        self.every, self.trace, self.stop = every, trace, stop
        self.session = None
        self.done = 0
        self.gc_total = self.gc_max = 0.0
        self.gc_runs = [0, 0, 0]
        self._gc_start = 0.0
        self.start = time.perf_counter()
        self.first_counts: collections.Counter | None = None
        self.first_snapshot = None

    def on_gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
            return
        pause = time.perf_counter() - self._gc_start
        self.gc_total += pause
        self.gc_max = max(self.gc_max, pause)
        self.gc_runs[info["generation"]] += 1

    def line(self) -> str:
        return (f"[mem] tests={self.done} t={time.perf_counter() - self.start:.0f}s "
                f"rss={rss_mb():.0f}MiB objects={len(gc.get_objects())} "
                f"gc={self.gc_total:.1f}s max={self.gc_max * 1000:.0f}ms runs={self.gc_runs}")

    def pytest_runtest_logfinish(self, nodeid, location) -> None:
        if self.first_counts is None:
            self.first_counts = type_counts()
            if self.trace:
                self.first_snapshot = tracemalloc.take_snapshot()
        self.done += 1
        if self.done % self.every == 0:
            print("\n" + self.line() + f" last={nodeid}", file=sys.stderr, flush=True)
        if self.stop and self.done >= self.stop and self.session is not None:
            self.session.shouldstop = f"SUITE_MEMORY_STOP={self.stop} tests run"

    def pytest_sessionstart(self, session) -> None:
        self.session = session

    def pytest_sessionfinish(self, session) -> None:
        out = ["", self.line()]
        if self.first_counts is not None:
            grown = type_counts()
            grown.subtract(self.first_counts)
            out.append("[mem] object types that grew most since the first test:")
            out += [f"[mem]   {n:+9d} {name}" for name, n in grown.most_common(25)]
        if self.first_snapshot is not None:
            diff = tracemalloc.take_snapshot().compare_to(self.first_snapshot, "lineno")
            out.append("[mem] source lines whose allocations grew most:")
            out += [f"[mem]   {stat}" for stat in diff[:25]]
        print("\n".join(out), file=sys.stderr, flush=True)


def pytest_configure(config) -> None:
    trace = os.environ.get("SUITE_MEMORY_TRACE") == "1"
    if trace:
        tracemalloc.start(1)
    plugin = SuiteMemory(int(os.environ.get("SUITE_MEMORY_EVERY", "200")), trace,
                         int(os.environ.get("SUITE_MEMORY_STOP", "0")))
    gc.callbacks.append(plugin.on_gc)
    config.pluginmanager.register(plugin, "suite_memory_state")
