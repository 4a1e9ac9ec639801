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
from ..ops_shape import cat, squeeze, stack, transpose, unsqueeze
from ..tensor import Tensor
from . import functional as F
from . import init
from .modules import Module, Parameter


def _lstm_layer(x, h, c, *weights_and_flags):
    """(outputs over time, last cell state) of one layer and direction; x is (L, N, I), h and c are
    (N, H') and (N, H). The weights are w_ih, w_hh, then b_ih, b_hh when `bias`, then w_hr when `proj`
    (h is then projected to proj_size); `reverse` runs the sequence backwards, returning outputs in
    the input's time order."""
    *weights, bias, proj, reverse = weights_and_flags
    w_ih, w_hh = weights[0], weights[1]
    b_ih, b_hh = (weights[2], weights[3]) if bias else (None, None)
    w_hr = weights[-1] if proj else None
    projected = fnp.matmul(x, fnp.transpose(w_ih))
    if b_ih is not None:
        projected = projected + b_ih
    outputs = []
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    for t in steps:
        gates = projected[t] + fnp.matmul(h, fnp.transpose(w_hh))
        if b_hh is not None:
            gates = gates + b_hh
        i, f, g, o = fnp.split(gates, 4, axis=-1)
        c = fnn.sigmoid(f) * c + fnn.sigmoid(i) * fnp.tanh(g)
        h = fnn.sigmoid(o) * fnp.tanh(c)
        if w_hr is not None:
            h = fnp.matmul(h, fnp.transpose(w_hr))
        outputs.append(h)
    return fnp.stack(outputs[::-1] if reverse else outputs), c


LAYER_OUTPUT = Op("MkldnnRnnLayerBackward0", lambda *args: _lstm_layer(*args)[0])
LAYER_CELL = Op("MkldnnRnnLayerBackward0", lambda *args: _lstm_layer(*args)[1])
# with projections torch runs its own loop (not oneDNN's), whose outputs are stacked
LAYER_OUTPUT_STACKED = Op("StackBackward0", LAYER_OUTPUT.fn)


class LSTM(Module):
    """torch.nn.LSTM: input (L, N, input_size), or (N, L, ...) with batch_first, or unbatched
    (L, input_size); returns output and (h_n, c_n). `bidirectional` adds a reverse direction per layer
    (outputs concatenated on the feature dim), `proj_size` projects each hidden state (weight_hr)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__()
        if not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bool(bidirectional), int(proj_size)
        out_size, directions = proj_size or hidden_size, 2 if bidirectional else 1
        for layer in range(num_layers):
            width = input_size if layer == 0 else out_size * directions
            for suffix in ("", "_reverse")[:directions]:
                self._register_layer(f"l{layer}{suffix}", width, out_size)
        self.reset_parameters()
        if dtype is not None:
            self.to(dtype=dtype)

    def _register_layer(self, tag: str, width: int, out_size: int) -> None:
        """One layer and direction's parameters, in torch's order (which its initialisation draws in)."""
        hidden = self.hidden_size
        self.register_parameter(f"weight_ih_{tag}", Parameter(empty(4 * hidden, width)))
        self.register_parameter(f"weight_hh_{tag}", Parameter(empty(4 * hidden, out_size)))
        if self.bias:
            self.register_parameter(f"bias_ih_{tag}", Parameter(empty(4 * hidden)))
            self.register_parameter(f"bias_hh_{tag}", Parameter(empty(4 * hidden)))
        if self.proj_size:
            self.register_parameter(f"weight_hr_{tag}", Parameter(empty(self.proj_size, hidden)))

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    def _layer_weights(self, tag: str) -> list:
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if self.bias else []) + \
            (["weight_hr"] if self.proj_size else [])
        return [getattr(self, f"{n}_{tag}") for n in names]

    def _run(self, x: Tensor, h, c, tag: str, reverse: bool, dtype) -> tuple:
        """(outputs, last h, last c) of one layer and direction, each a recorded op."""
        args = (x, h, c, *self._layer_weights(tag))
        flags = (self.bias, bool(self.proj_size), reverse)
        values = _lstm_layer(*[np.asarray(a._data) for a in args], *flags)
        output_op = LAYER_OUTPUT_STACKED if self.proj_size else LAYER_OUTPUT
        out = record(output_op, args, flags, np.ascontiguousarray(values[0], dtype))
        cell = record(LAYER_CELL, args, flags, np.ascontiguousarray(values[1], dtype))
        return out, out[0] if reverse else out[-1], cell

    def forward(self, input: Tensor, hx=None):  # noqa: A002
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
        x = input if batched else unsqueeze(input, 1)
        if self.batch_first and batched:
            x = transpose(x, 0, 1)
        directions = 2 if self.bidirectional else 1
        if hx is None:
            states = self.num_layers * directions, x.shape[1]
            hx = (zeros(*states, self.proj_size or self.hidden_size, dtype=input.dtype),
                  zeros(*states, self.hidden_size, dtype=input.dtype))
        elif not batched:
            hx = (unsqueeze(hx[0], 1), unsqueeze(hx[1], 1))
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            outs = []
            for d, suffix in enumerate(("", "_reverse")[:directions]):
                k = layer * directions + d
                out, h, c = self._run(x, hx[0][k], hx[1][k], f"l{layer}{suffix}", d == 1, input._data.dtype)
                outs.append(out)
                last_h.append(h)
                last_c.append(c)
            x = cat(outs, 2) if directions == 2 else outs[0]
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        out = transpose(x, 0, 1) if self.batch_first and batched else x
        h_n, c_n = stack(last_h), stack(last_c)
        if not batched:
            return squeeze(out, 1), (squeeze(h_n, 1), squeeze(c_n, 1))
        return out, (h_n, c_n)
