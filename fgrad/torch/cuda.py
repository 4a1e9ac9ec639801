"""torch.cuda as a CPU-only PyTorch build has it: nothing is available, seeding is a no-op.

Example:
    >>> import fgrad.torch as torch
    >>> torch.cuda.is_available(), torch.cuda.device_count()
    (False, 0)
"""

from __future__ import annotations

from ._dtypes import NO_CUDA


def is_available() -> bool:
    """False: there is no CUDA device. Example: ``torch.cuda.is_available()``."""
    return False


def device_count() -> int:
    """0 CUDA devices. Example: ``torch.cuda.device_count()``."""
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Seeding CUDA without CUDA is silently ignored, as in torch. Example: ``torch.cuda.manual_seed(0)``."""


manual_seed_all = manual_seed


def seed() -> None:
    """Ignored without CUDA, as in torch."""


seed_all = seed


def empty_cache() -> None:
    """Nothing is cached without CUDA (a no-op, as in torch)."""


def _unavailable(*args, **kwargs):
    raise AssertionError(NO_CUDA)


current_device = synchronize = set_device = get_device_name = get_device_properties = _unavailable
memory_allocated = max_memory_allocated = _unavailable
