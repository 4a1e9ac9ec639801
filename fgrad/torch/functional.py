"""torch.functional: the tensor functions PyTorch keeps in that module, under their torch.* names.

Example:
    >>> import fgrad.torch as torch
    >>> from fgrad.torch import functional
    >>> functional.unique(torch.tensor([2, 1, 2]))
    tensor([1, 2])
"""

from .ops_math import unique as unique
from .ops_shape import norm as norm
