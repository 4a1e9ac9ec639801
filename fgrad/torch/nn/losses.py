"""Loss modules and parameterised activation modules (thin wrappers over torch.nn.functional).

Example:
    >>> import fgrad.torch as torch
    >>> torch.nn.MSELoss()(torch.zeros(2), torch.ones(2))
    tensor(1.)
"""

from __future__ import annotations

from .. import ops_shape
from . import functional as F
from .modules import Module


class _Loss(Module):
    def __init__(self, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction

    def extra_repr(self) -> str:
        return ""


class MSELoss(_Loss):
    """Mean squared error (reduction 'mean' | 'sum' | 'none'). Example: ``nn.MSELoss()(pred, target)``."""

    def forward(self, input, target):  # noqa: A002
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error. Example: ``nn.L1Loss()(pred, target)``."""

    def forward(self, input, target):  # noqa: A002
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities. Example: ``nn.BCELoss()(torch.sigmoid(z), y)``."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.weight = weight

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits, computed stably. Example: ``nn.BCEWithLogitsLoss()(z, y)``."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction: str = "mean", pos_weight=None):
        super().__init__(reduction=reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input, target):  # noqa: A002
        return F.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_Loss):
    """log_softmax + negative log-likelihood over class indices. Example: ``nn.CrossEntropyLoss()(logits, y)``."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction=reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input, target):  # noqa: A002
        return F.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities. Example: ``nn.NLLLoss()(log_probs, y)``."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):
        super().__init__(reduction=reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input, target):  # noqa: A002
        return F.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class Softmax(Module):
    """Softmax along `dim`. Example: ``nn.Softmax(dim=1)(logits)``."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log-softmax along `dim`. Example: ``nn.LogSoftmax(dim=1)(logits)``."""

    def forward(self, input):  # noqa: A002
        return F.log_softmax(input, self.dim, _stacklevel=5)


class LeakyReLU(Module):
    """x for x > 0 else slope * x. Example: ``nn.LeakyReLU(0.1)(x)``."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):  # noqa: A002
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Softplus(Module):
    """log(1 + exp(beta x)) / beta. Example: ``nn.Softplus()(x)``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class GELU(Module):
    """GELU activation. Example: ``nn.GELU()(x)``."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Flatten(Module):
    """Flatten axes start_dim..end_dim. Example: ``nn.Flatten()(torch.ones(2, 3, 4)).shape``."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input):  # noqa: A002
        return ops_shape.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Randomly zero elements while training. Example: ``nn.Dropout(0.1)``."""

    _function = staticmethod(F.dropout)

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input):  # noqa: A002
        return self._function(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout1d(Dropout):
    """Randomly zero whole channels of (N, C, L) inputs while training.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Dropout1d(0.2)
        Dropout1d(p=0.2, inplace=False)
    """

    _function = staticmethod(F.dropout1d)


class Dropout2d(Dropout):
    """Randomly zero whole channels of (N, C, H, W) inputs while training.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Dropout2d(0.25)
        Dropout2d(p=0.25, inplace=False)
    """

    _function = staticmethod(F.dropout2d)


class Dropout3d(Dropout):
    """Randomly zero whole channels of (N, C, D, H, W) inputs while training.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Dropout3d()
        Dropout3d(p=0.5, inplace=False)
    """

    _function = staticmethod(F.dropout3d)
