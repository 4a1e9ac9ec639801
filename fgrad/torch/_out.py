"""torch's `out=` argument: the result is written into a given tensor, which is returned.

As in torch, `out=` is refused while recording when an input requires grad (out= results have no
gradient), a result that cannot be cast to out's dtype is an error, and an out of another shape is
resized to the result's.

Example:
    >>> import fgrad.torch as torch
    >>> out = torch.empty(2)
    >>> torch.add(torch.ones(2), 1, out=out) is out
    True
    >>> out
    tensor([2., 2.])
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from . import _errors as E
from ._graph import MODE, bump_version


def write_out(name: str, result, out):
    """Copy `result` into `out` (cast to its dtype, resized if its shape differs) and return `out`."""
    if MODE.enabled and (result._rg or out._rg):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.\n"
                           "fgrad hint: compute without out= (y = f(x)) or inside torch.no_grad()")
    r, d = result._data, out._data
    if not np.can_cast(r.dtype, d.dtype, "same_kind"):
        raise RuntimeError(f"result type {E.SCALAR_NAMES[r.dtype.name]} can't be cast to the desired output type "
                           f"{E.SCALAR_NAMES[d.dtype.name]}")
    bump_version(out)
    if r.shape == d.shape and d.flags.writeable:
        np.copyto(d, r, casting="unsafe")
    else:
        out._data = r.astype(d.dtype, copy=True)
    return out


def accepts_out(fn: Callable) -> Callable:
    """`fn` with torch's keyword `out=`; without it, `fn` itself runs."""
    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        return result if out is None else write_out(fn.__name__, result, out)
    return with_out
