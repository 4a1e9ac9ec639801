"""torch.utils.swap_tensors: two tensor objects exchange their contents and keep their identities."""

from __future__ import annotations

import weakref

from ..tensor import Tensor

_TENSOR_SLOTS = tuple(slot for slot in Tensor.__slots__ if slot != "__weakref__")


def swap_tensors(t1: Tensor, t2: Tensor) -> None:
    """Swap everything two tensors hold (class, attributes, values, autograd state), as torch does:
    whoever referenced `t1` now sees `t2`'s contents, and the other way round.

    Args:
        t1, t2: the tensors (or Parameters, or subclasses) to swap.

    Raises:
        TypeError: either argument is not a tensor.
        RuntimeError: a tensor has weak references to it (torch's message), which would see the swap
            half done; or only one of them is an instance of a user-defined subclass (torch swaps those,
            fgrad cannot).

    Example:
        >>> import fgrad.torch as torch
        >>> a, b = torch.arange(2), torch.arange(3)
        >>> torch.utils.swap_tensors(a, b)
        >>> a, b
        (tensor([0, 1, 2]), tensor([0, 1]))
    """
    for name, t in (("t1", t1), ("t2", t2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"swap_tensors(): {name} must be a Tensor, got {type(t).__name__}")
        if weakref.getweakrefs(t):
            raise RuntimeError(f"Cannot swap {name} because it has weakref associated with it")
    if hasattr(t1, "__dict__") != hasattr(t2, "__dict__"):
        # fgrad's own tensor classes have slots only; a user's subclass adds a __dict__, and Python cannot
        # turn one layout into the other
        raise RuntimeError("Cannot swap t1 and t2: one is an instance of a user-defined Tensor subclass "
                           "(with its own attributes) and the other is not; fgrad.torch can swap two "
                           "tensors of its own classes (Tensor, Parameter) or two subclass instances")
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
    if hasattr(t1, "__dict__"):
        t1.__dict__, t2.__dict__ = t2.__dict__, t1.__dict__
    for slot in _TENSOR_SLOTS:
        first, second = getattr(t1, slot), getattr(t2, slot)
        object.__setattr__(t1, slot, second)
        object.__setattr__(t2, slot, first)
