"""torch.nn.LSTM: a multi-layer long short-term memory network, initialised and printed as torch's.

Each layer is one recorded op (torch's CPU node name, MkldnnRnnLayerBackward0) whose definition is
the time loop written in fgrad.numpy operations, so reverse mode differentiates the whole sequence;
h_n and c_n stack the layers' last states (StackBackward0), as in torch.

Example:
    >>> import fgrad.torch as torch
    >>> lstm = torch.nn.LSTM(3, 4, num_layers=2)
    >>> out, (h, c) = lstm(torch.ones(5, 1, 3))
    >>> out.shape, h.shape, lstm
    (torch.Size([5, 1, 4]), torch.Size([2, 1, 4]), LSTM(3, 4, num_layers=2))
"""

from __future__ import annotations

import math

import numpy as np

from ... import nn as fnn
from ... import numpy as fnp
from .._graph import Op
from ..creation import empty, zeros
from ..ops import record
from ..ops_shape import squeeze, stack, transpose, unsqueeze
from ..tensor import Tensor
from . import functional as F
from . import init
from .modules import Module, Parameter


def _lstm_layer(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None):
    """(outputs over time, last cell state) of one layer; x is (L, N, I), h and c are (N, H)."""
    projected = fnp.matmul(x, fnp.transpose(w_ih))
    if b_ih is not None:
        projected = projected + b_ih
    outputs = []
    for t in range(x.shape[0]):
        gates = projected[t] + fnp.matmul(h, fnp.transpose(w_hh))
        if b_hh is not None:
            gates = gates + b_hh
        i, f, g, o = fnp.split(gates, 4, axis=-1)
        c = fnn.sigmoid(f) * c + fnn.sigmoid(i) * fnp.tanh(g)
        h = fnn.sigmoid(o) * fnp.tanh(c)
        outputs.append(h)
    return fnp.stack(outputs), c


LAYER_OUTPUT = Op("MkldnnRnnLayerBackward0", lambda *args: _lstm_layer(*args)[0])
LAYER_CELL = Op("MkldnnRnnLayerBackward0", lambda *args: _lstm_layer(*args)[1])


class LSTM(Module):
    """torch.nn.LSTM (unidirectional, no projection): input (L, N, input_size), or (N, L, ...) with
    batch_first, or unbatched (L, input_size); returns output and (h_n, c_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__()
        if bidirectional or proj_size:
            raise NotImplementedError("fgrad.torch.nn.LSTM has no bidirectional or proj_size layers; stack two "
                                      "LSTMs over the sequence and its flip instead")
        if not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = False, 0
        for layer in range(num_layers):
            width = input_size if layer == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{layer}", Parameter(empty(4 * hidden_size, width)))
            self.register_parameter(f"weight_hh_l{layer}", Parameter(empty(4 * hidden_size, hidden_size)))
            if bias:
                self.register_parameter(f"bias_ih_l{layer}", Parameter(empty(4 * hidden_size)))
                self.register_parameter(f"bias_hh_l{layer}", Parameter(empty(4 * hidden_size)))
        self.reset_parameters()
        if dtype is not None:
            self.to(dtype=dtype)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False), ("dropout", 0.0)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    def _layer_weights(self, layer: int) -> list:
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else [])
        return [getattr(self, f"{n}_l{layer}") for n in names]

    def forward(self, input: Tensor, hx=None):  # noqa: A002
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        x = input if batched else unsqueeze(input, 1)
        if self.batch_first and batched:
            x = transpose(x, 0, 1)
        if hx is None:
            state = zeros(self.num_layers, x.shape[1], self.hidden_size, dtype=input.dtype)
            hx = (state, state)
        elif not batched:
            hx = (unsqueeze(hx[0], 1), unsqueeze(hx[1], 1))
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            args = (x, hx[0][layer], hx[1][layer], *self._layer_weights(layer))
            values = _lstm_layer(*[np.asarray(a._data) for a in args])
            x = record(LAYER_OUTPUT, args, (), np.ascontiguousarray(values[0], input._data.dtype))
            last_h.append(x[-1])
            last_c.append(record(LAYER_CELL, args, (), np.ascontiguousarray(values[1], input._data.dtype)))
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        out = transpose(x, 0, 1) if self.batch_first and batched else x
        h_n, c_n = stack(last_h), stack(last_c)
        if not batched:
            return squeeze(out, 1), (squeeze(h_n, 1), squeeze(c_n, 1))
        return out, (h_n, c_n)
