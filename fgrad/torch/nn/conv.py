"""torch.nn's convolution modules: Conv1d, Conv2d, ConvTranspose1d and ConvTranspose2d.

Parameters are created and initialised as torch does, through fgrad.torch.nn.init in torch's order
(kaiming_uniform_ on the weight, then uniform_ on the bias), so seeded models match torch's draws.

Example:
    >>> import fgrad.torch as torch
    >>> torch.nn.Conv2d(1, 6, 5)
    Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
"""

from __future__ import annotations

import math

from .._dtypes import Size
from ..creation import empty
from ..tensor import Tensor
from . import _functional_conv as FC
from . import init
from .modules import Module, Parameter

# torch formats these sets in its messages; a set prints in this process's hash order, as torch's does
_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}
_PADDING_STRINGS = {"same", "valid"}


def _ntuple(value, n: int) -> tuple:
    return FC._ntuple(value, n)


def _check_conv_args(in_channels, out_channels, stride, padding, groups, padding_mode) -> None:
    """torch's constructor checks, in torch's order and wording."""
    if groups <= 0:
        raise ValueError("groups must be a positive integer")
    if in_channels % groups != 0:
        raise ValueError("in_channels must be divisible by groups")
    if out_channels % groups != 0:
        raise ValueError("out_channels must be divisible by groups")
    if isinstance(padding, str):
        if padding not in _PADDING_STRINGS:
            raise ValueError(f"Invalid padding string {padding!r}, should be one of {_PADDING_STRINGS}")
        if padding == "same" and any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'")


class _ConvNd(Module):
    _n = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", output_padding=0,
                 device=None, dtype=None):
        super().__init__()
        n = self._n
        stride = _ntuple(stride, n)
        _check_conv_args(in_channels, out_channels, stride, padding, groups, padding_mode)
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = _ntuple(kernel_size, n), stride, _ntuple(dilation, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.output_padding, self.padding_mode, self.transposed = _ntuple(output_padding, n), padding_mode, \
            self._transposed
        shape = (in_channels, out_channels // groups) if self._transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(empty(*shape, *self.kernel_size))
        if bias:
            self.bias = Parameter(empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
        if dtype is not None:
            self.to(dtype=dtype)

    def _padded(self, input: Tensor) -> tuple:  # noqa: A002
        """(input, padding) for the convolution: other padding modes pad the input first, as torch does."""
        if self.padding_mode == "zeros":
            return input, self.padding
        amounts = []
        for k, d, p in zip(self.kernel_size[::-1], self.dilation[::-1],
                           (None,) * self._n if isinstance(self.padding, str) else self.padding[::-1]):
            total = d * (k - 1) if self.padding == "same" else 0 if self.padding == "valid" else 2 * p
            amounts += [total // 2, total - total // 2]
        return FC.pad(input, tuple(amounts), mode=self.padding_mode), 0

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        n = self._n
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv1d(_ConvNd):
    """1-d convolution over (N, C, L). Example: ``torch.nn.Conv1d(2, 4, 3)(torch.ones(1, 2, 5)).shape``."""

    _n = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x, padding = self._padded(input)
        return FC.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class Conv2d(_ConvNd):
    """2-d convolution over (N, C, H, W), as in the 60-minute blitz's LeNet.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.Conv2d(3, 6, 3, padding="same")(torch.ones(1, 3, 4, 4)).shape
        torch.Size([1, 6, 4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x, padding = self._padded(input)
        return FC.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__} takes integer padding, not padding={padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding, dtype=dtype)

    def _output_padding(self, input: Tensor, output_size) -> tuple:  # noqa: A002
        """The output_padding giving `output_size` (torch's rule and errors); output_padding if None."""
        if output_size is None:
            return self.output_padding
        n, shape = self._n, tuple(input._data.shape)
        lead = 2 if len(shape) == n + 2 else 1
        output_size = list(output_size)[lead:] if len(output_size) == lead + n else list(output_size)
        if len(output_size) != n:
            raise ValueError(f"ConvTranspose{n}D: for {len(shape)}D input, output_size must have {n} or {lead + n} "
                             f"elements (got {len(output_size)})")
        least = [(shape[lead + d] - 1) * self.stride[d] - 2 * self.padding[d] + self.dilation[d]
                 * (self.kernel_size[d] - 1) + 1 for d in range(n)]
        most = [size + s - 1 for size, s in zip(least, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(output_size, least, most)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {least} to "
                             f"{most} (for an input of {Size(shape[lead:])})")
        return tuple(size - lo for size, lo in zip(output_size, least))

    def _forward(self, fn, input: Tensor, output_size) -> Tensor:  # noqa: A002
        return fn(input, self.weight, self.bias, self.stride, self.padding, self._output_padding(input, output_size),
                  self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution. Example: ``torch.nn.ConvTranspose1d(2, 3, 3, stride=2)``."""

    _n = 1

    def forward(self, input: Tensor, output_size=None) -> Tensor:  # noqa: A002
        return self._forward(FC.conv_transpose1d, input, output_size)


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution (the gradient of Conv2d with respect to its input).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, output_padding=1)
        ConvTranspose2d(3, 2, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))
    """

    def forward(self, input: Tensor, output_size=None) -> Tensor:  # noqa: A002
        return self._forward(FC.conv_transpose2d, input, output_size)
