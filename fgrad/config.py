"""Global settings: the default backend, the compile-cache size, and cache-miss explanations.

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

    def update(self, name: str, value) -> None:
        """Set one option: "backend" ("numpy" | "xla"), "cache_size" (int), "explain_cache_misses"."""
        if name not in vars(self):
            raise ValueError(f"unknown fgrad option {name!r}; options are {sorted(vars(self))}")
        if name == "backend" and value not in BACKENDS:
            raise ValueError(f"unknown backend {value!r}; choose one of {BACKENDS}")
        setattr(self, name, value)


config = Config()
