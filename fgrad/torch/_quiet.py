"""NumPy's floating-point warnings off inside the shim's own operations only, as torch never warns.

`quiet(fn)` runs `fn` under NumPy's error state "ignore" for that call alone (`token = enter()` ...
`leave(token)` does the same around a few lines of the hottest ops, without a wrapper call): the state is
context-local in NumPy 2, so the user's own NumPy code (and other threads) keep theirs. np.errstate
builds a fresh state object on every entry (about 1.8 µs, a sixth of a small op), so the state is
built once here and set through the context variable np.errstate itself uses; where that variable
is not available, np.errstate does the same job.

Example:
    >>> import numpy as np
    >>> quiet(np.log)(np.zeros(1))
    array([-inf])
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

try:                                    # the variable np.errstate sets (NumPy >= 2.0)
    from numpy._core.umath import _extobj_contextvar, _make_extobj
    _IGNORE = _make_extobj(all="ignore")
    enter = functools.partial(_extobj_contextvar.set, _IGNORE)
    leave = _extobj_contextvar.reset
except ImportError:                     # pragma: no cover - other NumPy layouts
    _extobj_contextvar = None

    def enter():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def leave(state) -> None:
        state.__exit__(None, None, None)


def quiet(fn: Callable) -> Callable:
    """`fn` with NumPy's floating-point warnings (divide, overflow, invalid) ignored while it runs."""
    if _extobj_contextvar is None:      # pragma: no cover
        return np.errstate(all="ignore")(fn)
    set_state, reset_state = _extobj_contextvar.set, _extobj_contextvar.reset

    @functools.wraps(fn)
    def run(*args, **kwargs):
        token = set_state(_IGNORE)
        try:
            return fn(*args, **kwargs)
        finally:
            reset_state(token)
    return run
