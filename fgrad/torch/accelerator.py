"""torch.accelerator: no accelerator exists here, as in a CPU-only PyTorch build.

Example:
    >>> import fgrad.torch as torch
    >>> torch.accelerator.is_available(), torch.accelerator.current_accelerator()
    (False, None)
"""

from __future__ import annotations


def is_available() -> bool:
    """False. Example: ``torch.accelerator.is_available()``."""
    return False


def current_accelerator(check_available: bool = False):
    """None: there is no accelerator. Example: ``torch.accelerator.current_accelerator()``."""
    return None


def device_count() -> int:
    """0 accelerators. Example: ``torch.accelerator.device_count()``."""
    return 0
