"""Global settings: the default backend, the compile-cache size, cache-miss explanations, and
whether sums of products are rebuilt in Horner form.

The default backend can also be set with the environment variable ``FGRAD_BACKEND``.

Example:
    >>> import fgrad
    >>> fgrad.config.update("explain_cache_misses", True)
    >>> fgrad.config.explain_cache_misses
    True
    >>> fgrad.config.update("explain_cache_misses", False)
"""

from __future__ import annotations

import os

BACKENDS = ("numpy", "xla")


class Config:
    """Settings read by fgrad at call time; change them with `update(name, value)`."""

    def __init__(self):
        self.backend = os.environ.get("FGRAD_BACKEND", "numpy")
        self.cache_size = int(os.environ.get("FGRAD_CACHE_SIZE", "64"))
        self.explain_cache_misses = os.environ.get("FGRAD_EXPLAIN_CACHE_MISSES", "") not in ("", "0")
        self.horner = os.environ.get("FGRAD_HORNER", "1") not in ("", "0")

    def update(self, name: str, value) -> None:
        """Set one option: "backend" ("numpy" | "xla"), "cache_size" (int), "explain_cache_misses"
        (bool), "horner" (bool: rebuild sums of products in fewer operations; programs compiled
        from then on)."""
        if name not in vars(self):
            raise ValueError(f"unknown fgrad option {name!r}; options are {sorted(vars(self))}")
        if name == "backend" and value not in BACKENDS:
            raise ValueError(f"unknown backend {value!r}; choose one of {BACKENDS}")
        if name in ("explain_cache_misses", "horner") and not isinstance(value, bool):
            raise ValueError(f"fgrad option {name!r} takes True or False, not {value!r}")
        setattr(self, name, value)


config = Config()
