"""torch.nn's activation modules SiLU and ELU, and Unflatten (the inverse of Flatten).

Example:
    >>> import fgrad.torch as torch
    >>> torch.nn.ELU(0.5)
    ELU(alpha=0.5)
"""

from __future__ import annotations

from .. import ops_shape
from ..tensor import Tensor
from . import _functional_norm as FN
from .modules import Module


class SiLU(Module):
    """x * sigmoid(x). Example: ``torch.nn.SiLU()(torch.zeros(1))`` is ``tensor([0.])``."""

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return FN.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    """x where x > 0, else alpha (exp(x) - 1). Example: ``torch.nn.ELU()(torch.zeros(1))``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return FN.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`. Example: ``torch.nn.Unflatten(1, (2, 5))(torch.ones(3, 10)).shape``."""

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        shape = list(input._data.shape)
        dim = self.dim % len(shape)
        return ops_shape.view(input, *(shape[:dim] + list(self.unflattened_size) + shape[dim + 1:]))

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
