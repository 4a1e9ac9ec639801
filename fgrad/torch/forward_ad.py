"""torch.autograd.forward_ad: dual tensors on fgrad's forward mode.

`make_dual` returns a fresh leaf that the shim records ops on (it requires grad internally while its
level is open) and remembers its tangent. `unpack_dual(t)` replays the recorded graph from the dual
tensors to `t` as a function of arrays (fgrad.torch.func's Recording) and runs fgrad's jvp on it, so
forward mode uses the core's jvp rules; nothing is differentiated by hand. Leaving the level forgets the
tangents and turns the dual leaves back into plain tensors.

Example:
    >>> import fgrad.torch as torch
    >>> import fgrad.torch.autograd.forward_ad as fwAD
    >>> with fwAD.dual_level():
    ...     y = fwAD.make_dual(torch.tensor([1., 2.]), torch.ones(2)) ** 2
    ...     fwAD.unpack_dual(y).tangent
    tensor([2., 4.])
"""

from __future__ import annotations

import threading
import weakref
from typing import NamedTuple

from .. import api_jvp
from . import ops
from .func import Recording, misuse, topological_nodes
from .tensor import Tensor

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual"]


class _Level(threading.local):
    """The open dual level of this thread: its number and {id(dual leaf): (leaf, tangent array)};
    `closed` holds the dual leaves of levels already left (results computed from them alone print
    as plain tensors, as in torch, where they never had a grad_fn)."""

    number: int | None = None
    duals: dict | None = None

    def __init__(self):
        self.closed = weakref.WeakValueDictionary()    # id(leaf) -> leaf: tensors compare elementwise


_LEVEL = _Level()


class UnpackedDualTensor(NamedTuple):
    """What unpack_dual returns: the primal and its tangent (None when it has none)."""

    primal: Tensor
    tangent: Tensor | None


def enter_dual_level() -> int:
    """Open a dual level (one at a time, as in torch) and return its number.

    Example: ``level = fwAD.enter_dual_level(); ...; fwAD.exit_dual_level(level=level)``.
    """
    if _LEVEL.number is not None:
        raise misuse(RuntimeError,
            "Nested forward mode AD is not supported at the moment",
            "leave the open dual_level() before entering another")
    _LEVEL.number, _LEVEL.duals = 0, {}
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the open dual level: its dual tensors lose their tangents. Example: ``fwAD.exit_dual_level()``."""
    if _LEVEL.number is None or (level is not None and level != _LEVEL.number):
        raise misuse(RuntimeError,
            "Trying to exit a forward AD level that was not the last one that was created. This "
            "is not supported.",
            "exit the level the matching enter_dual_level() returned")
    for leaf, *_ in _LEVEL.duals.values():
        leaf._rg = False
        _LEVEL.closed[id(leaf)] = leaf
    _LEVEL.number = _LEVEL.duals = None


class dual_level:  # noqa: N801 - torch's name
    """Context manager opening a dual level: ``with fwAD.dual_level(): ...``.

    Example:
        >>> import fgrad.torch.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level() as level:
        ...     print(level)
        0
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc) -> bool:
        exit_dual_level()
        return False


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A tensor with `tensor`'s values carrying `tangent` as its forward gradient.

    Example:
        >>> import fgrad.torch as torch
        >>> import fgrad.torch.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     fwAD.unpack_dual(fwAD.make_dual(torch.ones(1), torch.ones(1) * 3)).tangent
        tensor([3.])
    """
    if _LEVEL.number is None:
        raise misuse(RuntimeError,
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first.",
            "call make_dual inside `with fwAD.dual_level():`")
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise misuse(TypeError,
            f"make_dual(): argument 'tensor' and 'tangent' must be Tensor, not "
            f"{type(tensor if not isinstance(tensor, Tensor) else tangent).__name__}",
            "pass Tensors for both the primal and the tangent")
    if tensor._data.dtype.kind != "f":
        raise misuse(ValueError,
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}",
            "make the primal a floating point tensor, e.g. x.float()")
    if tensor.shape != tangent.shape:
        raise misuse(RuntimeError,
            "Trying to set a forward gradient that has a different size than that of the original "
            f"Tensor, this is not supported. Tensor is of size {list(tensor.shape)} while the given "
            f"forward gradient is of size {list(tangent.shape)}.",
            "give the tangent the primal's shape")
    dual = ops.wrap(tensor._data)
    dual._rg = True
    # torch keeps the tangent itself when its layout and dtype match the primal's, else a copy
    kept = tangent if tangent.dtype == tensor.dtype and tangent.stride() == tensor.stride() else None
    _LEVEL.duals[id(dual)] = (dual, tangent._data.astype(tensor._data.dtype), kept)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal, tangent) of `tensor`: its tangent from the dual tensors it was computed from, or None.

    Example:
        >>> import fgrad.torch as torch
        >>> import fgrad.torch.autograd.forward_ad as fwAD
        >>> fwAD.unpack_dual(torch.ones(1)).tangent is None
        True
    """
    duals = _LEVEL.duals or {}
    if id(tensor) in duals and duals[id(tensor)][0] is tensor:
        _, values, kept = duals[id(tensor)]
        return UnpackedDualTensor(ops.wrap(tensor._data), kept if kept is not None else ops.wrap(values))
    leaves = _dual_leaves(tensor, duals)
    if not leaves:
        return UnpackedDualTensor(tensor, None)
    replay = Recording(leaves, tensor).replay
    _, tangent = api_jvp.jvp(replay, tuple(t._data for t in leaves), tuple(duals[id(t)][1] for t in leaves))
    return UnpackedDualTensor(ops.wrap(tensor._data), ops.wrap(tangent))


def _dual_leaves(tensor: Tensor, duals: dict) -> list:
    """The dual tensors of the open level that `tensor`'s recorded graph reads."""
    if not isinstance(tensor, Tensor) or tensor.grad_fn is None or not duals:
        return []
    found: dict = {}
    for node in topological_nodes([tensor.grad_fn]):
        for s in node.srcs:
            if isinstance(s, Tensor) and id(s) in duals and duals[id(s)][0] is s:
                found[id(s)] = s
    return list(found.values())


def repr_state(tensor: Tensor) -> tuple[bool, Tensor | None]:
    """(whether `tensor` requires grad only because it was computed from dual tensors, its tangent or
    None), for printing as torch prints dual tensors: ``tensor([1.], tangent=tensor([1.]))``, with no
    grad_fn or requires_grad item when those come from the dual tensors alone (of the open level or
    of one already left).

    Example:
        >>> import fgrad.torch as torch
        >>> import fgrad.torch.autograd.forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     fwAD.repr_state(fwAD.make_dual(torch.ones(1), torch.ones(1)) * 2)
        (True, tensor([2.]))
    """
    duals, closed = _LEVEL.duals or {}, _LEVEL.closed
    if not isinstance(tensor, Tensor) or not (duals or closed):
        return False, None
    if id(tensor) in duals and duals[id(tensor)][0] is tensor:
        return True, ops.wrap(duals[id(tensor)][1])
    if tensor.grad_fn is None:
        return False, None
    sources = [s for n in topological_nodes([tensor.grad_fn]) for s in n.srcs
               if isinstance(s, Tensor) and (s._rg or closed.get(id(s)) is s)]
    dual_only = bool(sources) and all(closed.get(id(s)) is s or (id(s) in duals and duals[id(s)][0] is s)
                                      for s in sources)
    return dual_only, unpack_dual(tensor).tangent
