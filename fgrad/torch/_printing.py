"""Tensor ``repr`` exactly as PyTorch 2.13 prints it, computed with NumPy only.

The layout rules (column width, fixed vs. scientific notation, integral floats
printed as ``1.``, summarization with ``...``, line wrapping, and the trailing
``dtype=``/``size=``/``requires_grad=`` items) follow ``torch.Tensor.__repr__``.
This module never imports torch.

Example:
    >>> import numpy as np
    >>> format_tensor(np.array([1.0, 2.5], dtype=np.float32), dtype="float32")
    'tensor([1.0000, 2.5000])'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["format_tensor", "get_printoptions", "set_printoptions"]

# Dtypes torch leaves out of a non-empty tensor's repr (default float dtype,
# its complex counterpart, int64 and bool). An empty tensor shows every dtype
# except the default float dtype, since no element reveals it.
_DEFAULT_FLOAT = "float32"
_IMPLICIT_DTYPES = frozenset({_DEFAULT_FLOAT, "complex64", "int64", "bool"})
_FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64", "half", "float", "double"})

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

_OPTIONS: dict[str, Any] = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the print options, with the semantics of ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") is applied first, then any
    explicit option overrides it. Like torch, ``sci_mode`` is always assigned,
    so leaving it out resets it to ``None`` (automatic choice).

    Example:
        >>> set_printoptions(precision=2)
        >>> format_tensor(np.array([1.12345]), dtype="float32")
        'tensor([1.12])'
        >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        _OPTIONS.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _OPTIONS.update({key: value for key, value in given.items() if value is not None})
    _OPTIONS["sci_mode"] = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict accepted by :func:`set_printoptions`.

    Example:
        >>> get_printoptions()["precision"]
        4
    """
    keys = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")
    return {key: _OPTIONS[key] for key in keys}


class _Formatter:
    """Picks one column width and notation for all printed elements of a tensor."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.precision: int = _OPTIONS["precision"]
        self.width = 1
        if not floating:
            lengths = [len(str(v)) for v in values.ravel().tolist()]
            self.width = max([1, *lengths])
            return
        flat = values.ravel()
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        magnitudes = np.abs(finite)
        largest, smallest = magnitudes.max(), magnitudes.min()
        auto_sci = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        self.sci_mode = bool(auto_sci if _OPTIONS["sci_mode"] is None else _OPTIONS["sci_mode"])
        self.width = max(self._measure(v) for v in finite.tolist())

    def _measure(self, value: float) -> int:
        if self.sci_mode:
            return len(f"{value:.{self.precision}e}")
        if self.int_mode:
            return len(f"{value:.0f}") + 1
        return len(f"{value:.{self.precision}f}")

    def format(self, value: Any) -> str:
        """Format one element, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.width)


def _edge_indices(size: int) -> list[int] | None:
    """Indices kept along an axis of length ``size`` when summarizing, or None for all."""
    edge: int = _OPTIONS["edgeitems"]
    if size <= 2 * edge:
        return None
    return [*range(edge), *range(size - edge, size)]


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements that stay visible once a tensor is summarized."""
    if data.ndim >= 2 and not _OPTIONS["edgeitems"]:
        return data[:0]
    for axis in range(data.ndim):
        kept = _edge_indices(data.shape[axis])
        if kept is not None:
            data = np.take(data, kept, axis=axis)
    return data


def _vector_str(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge: int = _OPTIONS["edgeitems"]
    per_line = max(1, math.floor((_OPTIONS["linewidth"] - indent) / (fmt.width + 2)))
    values = row.tolist()
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(values) > 2 * edge:
        head, tail = values[:edge], values[len(values) - edge :]
        items = [fmt.format(v) for v in head] + [" ..."] + [fmt.format(v) for v in tail]
    else:
        items = [fmt.format(v) for v in values]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, fmt)
    edge: int = _OPTIONS["edgeitems"]
    size = data.shape[0]
    if summarize and size > 2 * edge:
        head = [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(edge)]
        tail = [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(size - edge, size)]
        parts = head + ["..."] + tail
    else:
        parts = [_nested_str(data[i], indent + 1, summarize, fmt) for i in range(size)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body_str(data: np.ndarray, indent: int, floating: bool) -> str:
    """The bracketed element text of a non-empty tensor."""
    summarize = data.size > _OPTIONS["threshold"]
    fmt = _Formatter(_summarized(data) if summarize else data, floating)
    return _nested_str(data, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: Sequence[str], indent: int) -> str:
    """Append ``, key=value`` items, moving one to a new line when it would pass the linewidth."""
    pieces = [text]
    line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_len + len(suffix) + 2 > _OPTIONS["linewidth"]:
            pieces.append(",\n" + " " * indent + suffix)
            line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            line_len += len(suffix) + 2
    return "".join(pieces) + ")"


def _normalize(data: np.ndarray, dtype: str) -> tuple[np.ndarray, bool]:
    """Cast ``data`` to what ``dtype`` prints as; return it and whether it is floating."""
    if dtype in _FLOAT_DTYPES:
        return (data if data.dtype.kind == "f" else data.astype(np.float64)), True
    if dtype == "bool":
        return data.astype(bool, copy=False), False
    return (data if data.dtype.kind in "iub" else data.astype(np.int64)), False


def _shape_dtype_suffixes(shape: tuple[int, ...], dtype: str) -> list[str]:
    """The ``size=`` and ``dtype=`` items torch derives from the shape and dtype."""
    items = []
    empty = math.prod(shape) == 0
    if (empty and len(shape) != 1) or (not empty and not _OPTIONS["edgeitems"]):
        items.append(f"size={shape}")
    if (dtype != _DEFAULT_FLOAT) if empty else (dtype not in _IMPLICIT_DTYPES):
        items.append(f"dtype=torch.{dtype}")
    return items


def format_tensor(
    data: np.ndarray,
    *,
    dtype: str,
    suffixes: Sequence[tuple[str, str]] = (),
    prefix: str = "tensor(",
) -> str:
    """Return the text ``repr(tensor)`` gives in PyTorch 2.13 for a tensor holding ``data``.

    ``dtype`` is torch's dtype name without ``torch.`` (it decides whether
    ``dtype=torch.<name>`` is shown); ``suffixes`` are extra ``(key, value)``
    items such as ``("requires_grad", "True")`` or ``("grad_fn", "<MulBackward0>")``,
    printed after ``size=``/``dtype=``. A ``device`` item is printed first, as torch does.

    Example:
        >>> format_tensor(np.ones((2, 2)), dtype="float64", suffixes=[("requires_grad", "True")])
        'tensor([[1., 1.],\\n        [1., 1.]], dtype=torch.float64, requires_grad=True)'
    """
    dtype = dtype.removeprefix("torch.")
    array, floating = _normalize(np.asarray(data), dtype)
    indent = len(prefix)
    body = _body_str(array, indent, floating) if array.size else "[]"
    items = [f"{key}={value}" for key, value in suffixes if key == "device"]
    items += _shape_dtype_suffixes(tuple(array.shape), dtype)
    items += [f"{key}={value}" for key, value in suffixes if key != "device"]
    return _add_suffixes(prefix + body, items, indent)
