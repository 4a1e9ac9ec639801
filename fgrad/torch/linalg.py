"""torch.linalg: vector norms.

Example:
    >>> import fgrad.torch as torch
    >>> torch.linalg.norm(torch.tensor([3., 4.]))
    tensor(5.)
"""

from __future__ import annotations

from .ops_shape import norm as _norm


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """The `ord`-norm of the flattened tensor or along `dim`. Example: ``torch.linalg.vector_norm(x)``."""
    return _norm(x, ord, dim, keepdim)


def norm(A, ord=None, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A002
    """The 2-norm (vectors) or Frobenius norm (matrices). Example: ``torch.linalg.norm(x)``."""
    return _norm(A, "fro" if ord is None else ord, dim, keepdim)
