"""Saved tensors: torch.autograd.graph.saved_tensors_hooks and grad_fn._saved_self / _saved_other /
_saved_result, as PyTorch's tutorial on saved tensors reads them.

A node saves what its gradient reads: the inputs its backward IR uses (`autograd.node_needs`), or its
result for ops torch defines through their result (exp, tanh, sqrt, ...). With hooks registered, each
saved value is passed to `pack_hook` when the node is recorded and the packed object kept instead;
backward() hands it to `unpack_hook` and reads the tensor that returns.

Example:
    >>> import fgrad.torch as torch
    >>> a = torch.ones(2, requires_grad=True)
    >>> y = a.exp()
    >>> y.grad_fn._saved_result.equal(y), y.grad_fn._saved_result is y
    (True, False)
"""

from __future__ import annotations

from collections.abc import Callable

from . import _errors as E
from . import ops
from ._errors import torch_error
from ._graph import SAVED_HOOKS, Node


class saved_tensors_hooks:  # noqa: N801 - torch's name
    """Context manager: `pack_hook(tensor)` when an op saves a tensor, `unpack_hook(packed)` when backward
    reads it (it must return a tensor with the same values)."""

    def __init__(self, pack_hook: Callable, unpack_hook: Callable):
        self.hooks = (pack_hook, unpack_hook)

    def __enter__(self):
        SAVED_HOOKS.stack = SAVED_HOOKS.stack + (self.hooks,)
        return self

    def __exit__(self, *exc):
        SAVED_HOOKS.stack = SAVED_HOOKS.stack[:-1]
        return False


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - torch's name
    """torch.autograd.graph.save_on_cpu: saved tensors are kept in CPU memory until backward needs them.

    Every tensor here already lives on the CPU, so the tensors are kept as they are; `pin_memory` and
    `device_type` are accepted for torch's signature.

    Example:
        >>> import fgrad.torch as torch
        >>> w = torch.ones(3, requires_grad=True)
        >>> with torch.autograd.graph.save_on_cpu(pin_memory=True):
        ...     loss = (w * w).sum()
        >>> loss.backward(); w.grad
        tensor([2., 2., 2.])
    """

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        super().__init__(lambda tensor: (tensor.device, tensor), lambda packed: packed[1].to(packed[0]))


# torch's nodes save their inputs in the alphabetical order of the schema's argument names (MulBackward0:
# other, then self); inputs are named self, other unless listed here
_ARGUMENT_NAMES = {"MseLossBackward0": ("self", "target"), "L1LossBackward0": ("self", "target"),
                   "SmoothL1LossBackward0": ("self", "target"), "HuberLossBackward0": ("self", "target")}


def _saved_positions(node: Node) -> tuple:
    from .autograd import node_needs
    if node.op.saves_out:
        return ()
    names = _ARGUMENT_NAMES.get(node.name(), ("self", "other"))
    return tuple(sorted(node_needs(node), key=lambda k: (names[k] if k < len(names) else "~", k)))


def _as_tensor(node: Node, k: int):
    """Input k of `node` as a tensor: the leaf itself, or its value attached to the node that made it."""
    src = node.srcs[k]
    if src is not None and not isinstance(src, Node):
        return src
    t = ops.wrap(node.vals[k])
    if isinstance(src, Node):
        t.grad_fn, t._rg = src, True
    return t


def pack(node: Node, out) -> list:
    """Pack the values `node` saves with the innermost hooks: [(input position or -1, packed, unpack)]."""
    pack_hook, unpack_hook = SAVED_HOOKS.stack[-1]
    if node.op.saves_out:
        return [(-1, pack_hook(ops.wrap(out)), unpack_hook)]
    return [(k, pack_hook(_as_tensor(node, k)), unpack_hook) for k in _saved_positions(node)]


def unpack(nodes: list) -> None:
    """Replace the packed values of `nodes` by what their unpack hooks return (before a backward pass).

    `nodes` come in creation order; torch's engine runs (and unpacks) the latest-created node first.
    """
    for node in reversed(nodes):
        if node.packed is None:
            continue
        vals = list(node.vals)
        for k, packed, unpack_hook in node.packed:
            value = unpack_hook(packed)._data
            if k >= 0:
                vals[k] = value
        node.vals, node.packed = tuple(vals), None


def saved_input(node: Node, k: int, name: str):
    """grad_fn._saved_self (k=0) / _saved_other (k=1): the input tensor the node saved."""
    if node.op.saves_out or k >= len(node.srcs) or k not in _saved_positions(node):
        raise AttributeError(f"'{node.name()}' object has no attribute '{name}'")
    if node.freed:
        raise torch_error(*E.SECOND_BACKWARD)
    return _unpacked(node, k) if node.packed is not None else _as_tensor(node, k)


def _unpacked(node: Node, k: int):
    """What the unpack hook gives for saved value k (-1: the result), called on every access, as in torch."""
    for position, packed, unpack_hook in node.packed:
        if position == k:
            return unpack_hook(packed)
    raise AssertionError(f"{node.name()} packed no value at position {k}")


def saved_result(node: Node):
    """grad_fn._saved_result: the result the node saved (a new tensor with its values, as in torch)."""
    if not node.op.saves_out or node.result is None and not node.freed:
        raise AttributeError(f"'{node.name()}' object has no attribute '_saved_result'")
    if node.freed:
        raise torch_error(*E.SECOND_BACKWARD)
    if node.packed is not None:
        return _unpacked(node, -1)
    t = ops.wrap(node.result)
    t.grad_fn, t._rg = node, True
    return t
