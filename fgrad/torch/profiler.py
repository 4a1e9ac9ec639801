"""torch.profiler / torch.autograd.profiler: which ops ran, how often and for how long, in torch's table.

Inside `with profile() as prof:` every recorded op (the ones with a grad_fn name: add, mul, mm, ...)
is logged under torch's name for it (``aten::mul``) with the time since the previous event on the
same thread, and `record_function("label")` blocks are logged under their label.
`prof.key_averages().table(sort_by=..., row_limit=...)` prints torch's layout (same columns, widths and
footer); the times are fgrad's own, so they differ from run to run as torch's do.

Example:
    >>> import fgrad.torch as torch
    >>> x = torch.ones(2, requires_grad=True)
    >>> with torch.profiler.profile() as prof:
    ...     y = (x * 2).sum()
    >>> [(e.key, e.count) for e in prof.key_averages()]
    [('aten::mul', 1), ('aten::sum', 1)]
"""

from __future__ import annotations

import enum
import functools
import re
import threading
import time
from dataclasses import dataclass


class ProfilerActivity(enum.Enum):
    """What to profile: CPU here (CUDA is accepted and records nothing, as on a machine without GPUs)."""

    CPU = 0
    CUDA = 1


class _Recorder(threading.local):
    """The profile collecting this thread's events (None when none is open)."""

    active = None


RECORDER = _Recorder()
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


_NODE_SUFFIXES = tuple(f"Backward{i}" for i in range(4))


@functools.lru_cache(maxsize=512)
def aten_name(grad_fn_name: str) -> str:
    """torch's op name for a node name: ``MseLossBackward0`` -> ``aten::mse_loss``."""
    base = re.sub(r"Backward\d*$", "", grad_fn_name)
    base = re.sub(r"(\d)D", r"\1d", base)                 # MaxPool2D -> MaxPool2d
    return "aten::" + _CAMEL.sub("_", base).lower()


def logs_events(*names: str):
    """Decorator for a creation function: under an open profile it logs torch's events for the call
    (``torch.randn`` shows as aten::randn, aten::empty and aten::normal_, as in torch's table).

    Example:
        >>> import fgrad.torch as torch
        >>> with torch.profiler.profile() as prof:
        ...     _ = torch.zeros(2)
        >>> [e.key for e in prof.key_averages()]
        ['aten::zeros', 'aten::empty', 'aten::zero_']
    """
    def decorate(fn):
        @functools.wraps(fn)
        def logged(*args, **kwargs):
            out = fn(*args, **kwargs)
            recorder = RECORDER.active
            if recorder is not None:
                for name in names:
                    recorder.event(name)
            return out
        return logged
    return decorate


@dataclass
class FunctionEventAvg:
    """One row of key_averages(): an op name, its number of calls and its times in microseconds."""

    key: str
    count: int = 0
    self_cpu_time_total: float = 0.0

    @property
    def cpu_time_total(self) -> float:
        return self.self_cpu_time_total

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time_total_str(self) -> str:
        return _format_time(self.self_cpu_time_total)

    @property
    def cpu_time_total_str(self) -> str:
        return _format_time(self.cpu_time_total)

    @property
    def cpu_time_str(self) -> str:
        return _format_time(self.cpu_time)


def _format_time(time_us: float) -> str:
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def _share(time_us: float, total_us: float) -> str:
    return "NaN" if total_us == 0 else f"{time_us * 100.0 / total_us:.2f}%"


class EventList(list):
    """key_averages()'s rows, in the order each op first ran; `table()` prints them as torch does."""

    _SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "cpu_time", "count")

    def table(self, sort_by: str | None = None, row_limit: int = 100, header: str | None = None, **_) -> str:
        """torch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg, # of Calls."""
        if not self:
            return ""
        rows = list(self)
        if sort_by is not None:
            key = sort_by.replace("cuda", "cpu").replace("device", "cpu")
            key = key if key in self._SORT_KEYS else "self_cpu_time_total"
            rows.sort(key=lambda e: getattr(e, key), reverse=True)
        widths = [min(max(len(e.key) for e in rows) + 4, 55)] + [12] * 6
        row_format = "".join(f"{{:>{w}}}  " for w in widths)
        separator = "".join("-" * w + "  " for w in widths)
        total = sum(e.self_cpu_time_total for e in rows)
        lines = [] if header is None else ["=" * (sum(widths) + 2 * len(widths) - 2), header]
        lines += [separator, row_format.format("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total",
                                               "CPU time avg", "# of Calls"), separator]
        for e in rows[:row_limit]:
            name = e.key if len(e.key) < 52 else e.key[:52] + "..."
            lines.append(row_format.format(name, _share(e.self_cpu_time_total, total), e.self_cpu_time_total_str,
                                           _share(e.cpu_time_total, total), e.cpu_time_total_str, e.cpu_time_str,
                                           e.count))
        lines += [separator, f"Self CPU time total: {_format_time(total)}"]
        return "\n".join(lines) + "\n"


class profile:  # noqa: N801 - torch's name
    """Record the ops run inside the block (torch.profiler.profile and torch.autograd.profiler.profile)."""

    def __init__(self, enabled: bool = True, *args, **kwargs):
        self.enabled = enabled
        self._events: list[tuple[str, float]] = []
        self._outer = None
        self._last = 0.0

    def __enter__(self) -> profile:
        if self.enabled:
            self._outer, RECORDER.active = RECORDER.active, self
            self._last = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            RECORDER.active = self._outer

    def event(self, name: str) -> None:
        """Log one op (named by its grad_fn name, or a label): its time is the time since the previous event."""
        now = time.perf_counter()
        self._events.append((aten_name(name) if name.endswith(_NODE_SUFFIXES) else name, (now - self._last) * 1e6))
        self._last = now

    def key_averages(self, *args, **kwargs) -> EventList:
        """One row per op name: number of calls and total time, in the order the ops first ran."""
        rows: dict[str, FunctionEventAvg] = {}
        for name, elapsed in self._events:
            row = rows.setdefault(name, FunctionEventAvg(name))
            row.count += 1
            row.self_cpu_time_total += elapsed
        return EventList(rows.values())

    def table(self, *args, **kwargs) -> str:
        return self.key_averages().table(*args, **kwargs)

    def step(self) -> None:
        """A training-loop step marker (schedules are not modelled: every step is recorded)."""


class record_function:  # noqa: N801 - torch's name
    """Label a block in the profile: it appears as a row named `name`."""

    def __init__(self, name: str, args: str | None = None):
        self.name = name

    def __enter__(self) -> record_function:
        if RECORDER.active is not None:
            RECORDER.active.event(self.name)
        return self

    def __exit__(self, *exc) -> None:
        return None
