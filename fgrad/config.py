"""Global settings: the default backend, the compile-cache size, cache-miss explanations, whether
sums of products are rebuilt in Horner form, and whether programs check for NaNs and infinities.

Each option can also be set from the environment, read once when fgrad is imported: ``FGRAD_BACKEND``,
``FGRAD_CACHE_SIZE``, ``FGRAD_EXPLAIN_CACHE_MISSES``, ``FGRAD_HORNER``, ``FGRAD_DEBUG_NANS`` and
``FGRAD_DEBUG_INFS`` (1/0, true/false, yes/no, on/off);
a malformed value is an error that names the variable.

Example:
    >>> import fgrad
    >>> fgrad.config.update("explain_cache_misses", True)
    >>> fgrad.config.explain_cache_misses
    True
    >>> fgrad.config.update("explain_cache_misses", False)
"""

from __future__ import annotations

import os

from .errors import user_location

BACKENDS = ("numpy", "xla")
_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
_ENV = {"backend": "FGRAD_BACKEND", "cache_size": "FGRAD_CACHE_SIZE",
        "explain_cache_misses": "FGRAD_EXPLAIN_CACHE_MISSES", "horner": "FGRAD_HORNER",
        "debug_nans": "FGRAD_DEBUG_NANS", "debug_infs": "FGRAD_DEBUG_INFS"}
_ACCEPTED = {"backend": f"one of {BACKENDS}", "cache_size": "a positive int",
             "explain_cache_misses": "True or False", "horner": "True or False",
             "debug_nans": "True or False", "debug_infs": "True or False"}
# jax's names for the same options, so code written for jax.config runs unchanged
_JAX_NAMES = {"jax_debug_nans": "debug_nans", "jax_debug_infs": "debug_infs"}


def _checked(name: str, value):
    """`value` if option `name` accepts it; else a TypeError (wrong kind) or ValueError (wrong value)."""
    if name == "backend":
        ok_type, ok = isinstance(value, str), value in BACKENDS
    elif name == "cache_size":
        ok_type = isinstance(value, int) and not isinstance(value, bool)
        ok = ok_type and value > 0
    else:
        ok_type = ok = isinstance(value, bool)
    if not ok:
        cls = ValueError if ok_type else TypeError
        raise cls(f"fgrad option {name!r} takes {_ACCEPTED[name]}, not {value!r} (at {user_location()})")
    return value


def _from_env(name: str, default):
    """The option as its environment variable sets it; a malformed value is an error naming the variable."""
    variable = _ENV[name]
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    parsed = text
    if name == "cache_size":
        parsed = int(text) if text.lstrip("+-").isdigit() else text
    elif name not in ("backend", "cache_size"):
        parsed = _WORDS.get(text.lower(), text)
    try:
        return _checked(name, parsed)
    except (TypeError, ValueError):
        words = "" if name in ("backend", "cache_size") else " (1/0, true/false, yes/no, on/off)"
        raise ValueError(f"environment variable {variable}={text!r} is not valid: fgrad option {name!r} takes "
                         f"{_ACCEPTED[name]}{words}; fix or unset {variable}") from None


class Config:
    """Settings read by fgrad at call time; change them with `update(name, value)`.

    `fgrad.config` is the one instance fgrad reads; each attribute starts from its environment
    variable (see the module's description) or the default given here.

    Attributes:
        backend (str): "numpy" (the default) or "xla": the backend of programs compiled from then on.
        cache_size (int): how many compiled programs each transformed function keeps (64).
        explain_cache_misses (bool): print why a call compiled again instead of reusing a program (False).
        horner (bool): rebuild sums of products in Horner form, with fewer operations (True).
        debug_nans (bool): compiled programs raise FloatingPointError at the first NaN (False).
        debug_infs (bool): compiled programs raise FloatingPointError at the first infinity (False).

    Raises:
        ValueError: an FGRAD_* environment variable holds a malformed value; the message names it.

    Example:
        >>> Config().cache_size
        64
    """

    def __init__(self):
        self.backend = _from_env("backend", "numpy")
        self.cache_size = _from_env("cache_size", 64)
        self.explain_cache_misses = _from_env("explain_cache_misses", False)
        self.horner = _from_env("horner", True)
        self.debug_nans = _from_env("debug_nans", False)
        self.debug_infs = _from_env("debug_infs", False)
        # bumped when a checking option changes: compile caches drop the programs compiled before,
        # so a cached program never skips (or keeps) the NaN checks the options now ask for
        self.checks_generation = 0

    def update(self, name: str, value) -> None:
        """Set one option; programs compiled from then on use it (turning debug_nans or debug_infs
        on or off also applies to functions already compiled: they compile again on their next call).

        Args:
            name: "backend", "cache_size", "explain_cache_misses", "horner", "debug_nans" or
                "debug_infs" (see the attributes of `Config`; `fgrad.debug_nans` for the last two);
                jax's "jax_debug_nans" and "jax_debug_infs" name the last two, and
                "jax_enable_x64" is accepted with True (fgrad's behaviour already).
            value (str | int | bool): "numpy" or "xla" for "backend", a positive int for
                "cache_size", a bool for the rest.

        Returns:
            None.

        Raises:
            ValueError: `name` is not an option, or `value` is the right kind but not allowed
                (an unknown backend, a cache size of 0, jax_enable_x64 set to False).
            TypeError: `value` is of the wrong kind (a string for a bool option).

        Example:
            >>> config.update("cache_size", 128)
            >>> config.update("cache_size", 64)
        """
        name = _JAX_NAMES.get(name, name)
        if name == "jax_enable_x64":
            if value is not True:      # fgrad keeps float64 as NumPy does; it has no float32-only mode
                raise ValueError(f"fgrad always computes float64 inputs in float64 (as jax with "
                                 f"jax_enable_x64); pass float32 arrays to compute in float32 "
                                 f"(at {user_location()})")
            return
        if name not in _ACCEPTED:
            raise ValueError(f"unknown fgrad option {name!r}; options are {sorted(_ACCEPTED)}")
        value = _checked(name, value)
        if name in ("debug_nans", "debug_infs") and value != getattr(self, name):
            self.checks_generation += 1
        setattr(self, name, value)


config = Config()
