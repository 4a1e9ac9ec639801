"""torch.get_num_threads / set_num_threads: the intra-op thread count torch's CPU kernels split work by.

fgrad runs its NumPy code as it is; the count matters where a torch kernel's result depends on how it
splits a reduction between threads (batch norm's (N, C) statistics), so fgrad.torch reproduces that
split for the same count. torch's default is OMP_NUM_THREADS when set, else the machine's physical cores.

Example:
    >>> import fgrad.torch as torch
    >>> torch.get_num_threads() >= 1
    True
"""

from __future__ import annotations

import os

__all__ = ["get_num_threads", "set_num_threads"]


def _physical_cores() -> int:
    """Distinct (physical id, core id) pairs in /proc/cpuinfo, as torch's cpuinfo counts cores."""
    try:
        with open("/proc/cpuinfo") as f:
            blocks = f.read().split("\n\n")
    except OSError:
        return os.cpu_count() or 1
    cores = set()
    for block in blocks:
        fields = dict(line.split(":", 1) for line in block.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        if "processor" in fields:
            cores.add((fields.get("physical id", "0"), fields.get("core id", fields["processor"])))
    return len(cores) or os.cpu_count() or 1


def _default() -> int:
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else _physical_cores()


_COUNT = [_default()]


def get_num_threads() -> int:
    """The number of intra-op threads (torch.get_num_threads).

    Returns:
        The count set by set_num_threads, else torch's default for this machine.

    Example:
        >>> import fgrad.torch as torch
        >>> isinstance(torch.get_num_threads(), int)
        True
    """
    return _COUNT[0]


def set_num_threads(num: int) -> None:
    """Set the intra-op thread count (torch.set_num_threads).

    Args:
        num: a positive int.

    Raises:
        RuntimeError: for a count below 1 (torch's message).

    Example:
        >>> import fgrad.torch as torch
        >>> before = torch.get_num_threads(); torch.set_num_threads(3); torch.get_num_threads()
        3
        >>> torch.set_num_threads(before)
    """
    if not isinstance(num, int) or num <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _COUNT[0] = num
