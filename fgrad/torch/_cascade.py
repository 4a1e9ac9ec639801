"""torch's CPU float32 sum, to the bit: its cascade of partial sums over 8-lane vectors (AVX2).

PyTorch sums a contiguous float32 run in float32 (no wider accumulator) in a fixed order: the run is
read as 8-float vectors; the vectors as rows of 4 (four independent accumulators); the rows in blocks
of 2**power (power = max(4, ceil(log2(rows)) // 4)), each block summed from zero and then folded into
up to three higher levels, as a counter carries; the leftover vectors and lanes are added one by one.
`cascade_sum` replays that order with NumPy, whose reductions over a leading axis add rows one after
another. It is what fgrad.torch's `sum()`, `mean()` and `mse_loss` give for float32 whole-tensor
reductions, so a loss printed by a tutorial shows torch's digits. One case does not match yet: runs
whose length leaves 7 elements after the last full vector differ from torch in the last bit about a
quarter of the time (torch's compiled tail loop adds them in an order not reproduced here), as do runs
of 32768 elements or more, which torch splits between threads.

Example:
    >>> import numpy as np
    >>> float(cascade_sum(np.full(1000, 0.1, np.float32)))
    100.00000762939453
"""

from __future__ import annotations

import numpy as np

__all__ = ["cascade_sum"]

_F = np.float32
_LANES, _ILP, _LEVELS = 8, 4, 4


def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else (x - 1).bit_length()


def _sequential(start: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """start + rows[0] + rows[1] + ..., left to right in float32."""
    return np.concatenate([start[None], rows]).sum(axis=0, dtype=_F) if len(rows) else start


def _multi_row_sum(rows: np.ndarray) -> np.ndarray:
    """torch's multi_row_sum: the column sums of `rows` (size, 4, lanes) through its levelled blocks."""
    size = rows.shape[0]
    power = max(4, _ceil_log2(size) // _LEVELS)
    step, mask = 1 << power, (1 << power) - 1
    whole = size // step
    blocks = rows[:whole * step].reshape((whole, step) + rows.shape[1:]).sum(axis=1, dtype=_F)
    acc = [np.zeros(rows.shape[1:], _F) for _ in range(_LEVELS)]
    for b in range(whole):
        acc[0] = blocks[b]
        done = (b + 1) * step
        for j in range(1, _LEVELS):
            acc[j] = acc[j] + acc[j - 1]
            acc[j - 1] = np.zeros_like(acc[j - 1])
            if done & (mask << (j * power)):
                break
    out = _sequential(acc[0], rows[whole * step:])
    for j in range(1, _LEVELS):
        out = out + acc[j]
    return out


def _row_sum(items: np.ndarray) -> np.ndarray:
    """torch's row_sum: `items` (n, lanes...) as rows of 4, their levelled sums, the rest, then the 4."""
    rows = items.shape[0] // _ILP
    partial = _multi_row_sum(items[:rows * _ILP].reshape((rows, _ILP) + items.shape[1:]))
    first = _sequential(partial[0], items[rows * _ILP:])
    for k in range(1, _ILP):
        first = first + partial[k]
    return first


def cascade_sum(values: np.ndarray) -> np.float32:
    """The sum torch's CPU kernel gives for a float32 tensor whose elements are `values` in memory order.

    Args:
        values: a float32 array (read in memory order, as torch's iterator reads it).

    Returns:
        A float32 scalar.

    Example:
        >>> import numpy as np
        >>> float(cascade_sum(np.arange(10, dtype=np.float32)))
        45.0
    """
    flat = np.ravel(values, order="K").astype(_F, copy=False)
    if flat.size < _LANES:
        return _F(_row_sum(flat))
    vectors = flat.size // _LANES
    lanes = _row_sum(flat[:vectors * _LANES].reshape(vectors, _LANES))
    total = _sequential(np.zeros((), _F), flat[vectors * _LANES:])
    for lane in lanes:
        total = total + lane
    return _F(total)
