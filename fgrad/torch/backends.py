"""torch.backends: the queries code makes before choosing a device (mps, cuda, cudnn), all unavailable.

Example:
    >>> import fgrad.torch as torch
    >>> torch.backends.mps.is_available()
    False
"""

from __future__ import annotations

import types


def _false() -> bool:
    return False


mps = types.SimpleNamespace(is_available=_false, is_built=_false)
cuda = types.SimpleNamespace(is_built=_false)
cudnn = types.SimpleNamespace(is_available=_false, enabled=True, deterministic=False, benchmark=False)
