"""torch.random: the default generator's seeding and state, and fork_rng.

Example:
    >>> import fgrad.torch as torch
    >>> with torch.random.fork_rng():
    ...     _ = torch.rand(3)          # draws here leave the outer stream untouched
"""

from __future__ import annotations

import contextlib

from ._random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["fork_rng", "get_rng_state", "initial_seed", "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str = "cuda"):
    """Restore the default generator's state on exit, so draws inside do not shift the ones after.

    Example:
        >>> import fgrad.torch as torch
        >>> _ = torch.manual_seed(0)
        >>> with torch.random.fork_rng():
        ...     _ = torch.randn(5)
        >>> torch.equal(torch.rand(2), torch.manual_seed(0) and torch.rand(2))
        True
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
