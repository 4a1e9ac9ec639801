"""torch.utils.benchmark: Timer and the Measurement it returns, with torch's printout.

A Timer runs a statement (Python source, as `timeit.Timer` takes it) in a copy of the globals it is
given, timed with `time.perf_counter`; `timeit(number)` warms up first, as torch does, and
`blocked_autorange` grows the block size tenfold until the timer's overhead is negligible, then
times blocks until `min_run_time` has passed. Times are wall-clock seconds per run.

Example:
    >>> from fgrad.torch.utils.benchmark import Timer
    >>> m = Timer("x * 2", globals={"x": 3}).timeit(10)
    >>> m.number_per_run, len(m.times), m.times[0] > 0
    (10, 1, True)
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any

import numpy as np

__all__ = ["Measurement", "Timer", "select_unit"]

_IQR_WARN_THRESHOLD, _IQR_GROSS_WARN_THRESHOLD = 0.1, 0.5     # torch's thresholds (relative IQR)


def select_unit(t: float) -> tuple[str, float]:
    """The unit ("ns", "us", "ms" or "s") that prints `t` seconds as a number of order 1, and its scale.

    Args:
        t: a time in seconds.

    Returns:
        (unit, seconds per unit).

    Example:
        >>> select_unit(0.0025)
        ('ms', 0.001)
    """
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(math.log10(t) // 3) if t > 0 else -3, "s")
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[unit]


@dataclasses.dataclass
class Measurement:
    """The times one Timer measured: `raw_times` (seconds per block of `number_per_run` runs).

    Example:
        >>> m = Measurement(2, [1.0, 3.0], "x + 1")
        >>> m.times, m.median
        ([0.5, 1.5], 1.0)
    """

    number_per_run: int
    raw_times: list
    stmt: str
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    setup: str = "pass"
    num_threads: int = 1

    @property
    def times(self) -> list:
        """Seconds per run, one entry per block."""
        return [t / self.number_per_run for t in self.raw_times]

    def _quantile(self, q: float) -> float:
        return float(np.quantile(np.array(self.times, np.float64), q))

    @property
    def mean(self) -> float:
        return float(np.mean(self.times))

    @property
    def median(self) -> float:
        return self._quantile(0.5)

    @property
    def iqr(self) -> float:
        return self._quantile(0.75) - self._quantile(0.25)

    @property
    def title(self) -> str:
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        if "\n" not in self.stmt:
            return self.stmt + (f": {self.sub_label}" if self.sub_label else "")
        body = "\n".join("  " + line for line in self.stmt.splitlines())
        return f"stmt:{f' ({self.sub_label})' if self.sub_label else ''}\n{body}"

    def meets_confidence(self, threshold: float = _IQR_WARN_THRESHOLD) -> bool:
        """Whether the interquartile range is within `threshold` of the median."""
        return self.iqr / self.median < threshold

    def _summary(self) -> str:
        setup = "" if self.setup in ("pass", "") else (
            "setup:\n" + "\n".join("  " + line for line in self.setup.splitlines()) if "\n" in self.setup
            else f"setup: {self.setup}")
        return "\n".join(f"{s}\n" if "\n" in s else s for s in (self.title, self.description or "", setup) if s)

    def _warnings(self) -> list:
        if len(self.times) < 4 or self.meets_confidence(_IQR_WARN_THRESHOLD):
            return []
        why = ("This suggests significant environmental influence."
               if not self.meets_confidence(_IQR_GROSS_WARN_THRESHOLD) else "This could indicate system fluctuation.")
        return [f"  WARNING: Interquartile range is {self.iqr / self.median * 100:.1f}% of the median measurement.\n"
                f"           {why}"]

    def __repr__(self) -> str:
        n = len(self.times)
        unit, scale = select_unit(self.median)
        lines = [f"<torch.utils.benchmark.utils.common.Measurement object at {hex(id(self))}>", self._summary(),
                 f"  {'Median: ' if n > 1 else ''}{self.median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f"  IQR:    {self.iqr / scale:.2f} {unit} ({self._quantile(0.25) / scale:.2f} to "
                         f"{self._quantile(0.75) / scale:.2f})")
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {self.num_threads} thread"
                     f"{'s' if self.num_threads > 1 else ''}")
        return "\n".join(lines + self._warnings()).strip()


class Timer:
    """Times `stmt` (after `setup`) run with `globals`, as torch.utils.benchmark.Timer.

    Args:
        stmt: the statement to time; setup: run once before timing; globals: the names they read
        (copied); label, sub_label, description: shown in the Measurement's printout; num_threads:
        recorded only (NumPy's threads are not changed).

    Raises:
        SyntaxError: when `stmt` or `setup` is not valid Python.

    Example:
        >>> Timer("sum(range(10))").blocked_autorange(min_run_time=0.01).number_per_run >= 1
        True
    """

    def __init__(self, stmt: str = "pass", setup: str = "pass", global_setup: str = "", timer: Any = None,
                 globals: dict | None = None, label: str | None = None, sub_label: str | None = None,  # noqa: A002
                 description: str | None = None, env: str | None = None, num_threads: int = 1,
                 language: str = "python"):
        if language not in ("python", "py"):
            raise ValueError(f"Invalid language `{language}`: fgrad.torch's Timer times Python statements only.")
        self._stmt, self._setup = compile(stmt, "<timeit-src>", "exec"), compile(setup, "<timeit-setup>", "exec")
        self._globals = dict(globals or {})
        self._clock = timer or time.perf_counter
        self._spec = dict(stmt=stmt, setup=setup, label=label, sub_label=sub_label, description=description,
                          num_threads=num_threads)
        self._ready = False

    def _timeit(self, number: int) -> float:
        if not self._ready:
            exec(self._setup, self._globals)
            self._ready = True
        start = self._clock()
        for _ in range(number):
            exec(self._stmt, self._globals)
        return self._clock() - start

    def timeit(self, number: int = 1000000) -> Measurement:
        """Run the statement `number` times (after a warm-up of number // 100, at least 2) and time that."""
        self._timeit(max(number // 100, 2))
        return Measurement(number, [self._timeit(number)], **self._spec)

    def blocked_autorange(self, callback: Any = None, min_run_time: float = 0.2) -> Measurement:
        """Time blocks of runs until `min_run_time` seconds have passed (at least one block)."""
        number = self._block_size(min_run_time)
        times, total = [], 0.0
        while total < min_run_time or not times:
            spent = self._timeit(number)
            times.append(spent)
            total += spent
            if callback:
                callback(number, spent)
        return Measurement(number, times, **self._spec)

    adaptive_autorange = blocked_autorange

    def _block_size(self, min_run_time: float) -> int:
        overhead = float(np.median([self._timeit(0) for _ in range(5)]))
        number = 1
        while number * 10 <= 2147483647:
            taken = self._timeit(number)
            if (overhead / max(taken, 1e-12) <= 1e-4 and taken >= min_run_time / 1000) or taken > min_run_time:
                break
            number *= 10
        return number
