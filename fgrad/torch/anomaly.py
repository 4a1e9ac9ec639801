"""torch.autograd.detect_anomaly and set_detect_anomaly: a backward pass that produces NaN stops at the
node that produced it, with PyTorch's error and warning.

While anomaly detection is on (per thread, see `_graph.ANOMALY`), each recorded node keeps the Python
stack of the forward call that made it, and backward() runs the graph node by node on arrays (the
eager path tensor hooks use), checking each node's gradients: the first NaN raises torch's
RuntimeError naming the node, after torch's warning with that stack.

Example:
    >>> import fgrad.torch as torch
    >>> torch.autograd.set_detect_anomaly(True)  # doctest: +ELLIPSIS
    <...set_detect_anomaly object at ...>
    >>> torch.is_anomaly_enabled()
    True
    >>> torch.autograd.set_detect_anomaly(False)  # doctest: +ELLIPSIS
    <...set_detect_anomaly object at ...>
"""

from __future__ import annotations

import functools
import os
import traceback
import warnings
from collections.abc import Callable

import numpy as np

from ._graph import ANOMALY

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TRIGGERED = " (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_anomaly_mode.cpp:{line}.)"


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread."""
    return ANOMALY.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection checks gradients for NaN."""
    return ANOMALY.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    ANOMALY.enabled, ANOMALY.check_nan = bool(enabled), bool(check_nan)


class detect_anomaly:  # noqa: N801 - torch's name
    """Context manager (and decorator) turning anomaly detection on, with torch's warning."""

    def __init__(self, check_nan: bool = True):
        self.prev, self.prev_check_nan, self.check_nan = ANOMALY.enabled, ANOMALY.check_nan, check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should only be "
                      "enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:  # noqa: N801 - torch's name
    """Turn anomaly detection on or off now; as a context manager, restore the previous setting on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev, self.prev_check_nan = ANOMALY.enabled, ANOMALY.check_nan
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


def forward_stack() -> str:
    """The user's Python stack (fgrad's own frames left out), formatted as torch shows it."""
    frames = [f for f in traceback.extract_stack()[:-1] if not os.path.abspath(f.filename).startswith(_PACKAGE)]
    return "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                   + (f"    {f.line.strip()}\n" if f.line else "") for f in frames)


def checker(nodes: list) -> Callable:
    """`check(i, grads)` for backward: raise torch's error when node i's gradients hold a NaN."""
    def check(i: int, grads: list) -> None:
        for k, g in enumerate(grads):
            if g is not None and np.isnan(np.asarray(g)).any():
                node = nodes[i]
                name = node.name()
                if node.stack is None:
                    detail = ("No forward pass information available. Enable detect anomaly during forward pass "
                              "for more information." + _TRIGGERED.format(line=100))
                else:
                    detail = "Traceback of forward call that caused the error:\n" + node.stack + \
                        _TRIGGERED.format(line=122)
                warnings.warn(f"Error detected in {name}. {detail}", UserWarning, stacklevel=4)
                raise RuntimeError(f"Function '{name}' returned nan values in its {k}th output.")
    return check
