"""torch.randperm's two shuffles, replayed from their random picks with whole-array NumPy operations.

PyTorch's CPU randperm shuffles in a loop, one swap per element: below 2**32 / 20 elements a forward
Fisher-Yates (step i swaps positions i and i + z_i), above it the "inside-out" variant (step i moves the
element at z_i to i and writes i at z_i). Both loops are sequential, but where each value ends up
only depends on which steps touch the same position, so the result is found without the loop: sort
the steps by the position they touch (which groups the steps that meet there, in step order), then
follow each value's hand-offs between groups by pointer jumping, which takes as many rounds as the
logarithm of the longest chain of hand-offs (a short forward shuffle just runs the loop, on a list).
The picks come from the engine exactly as PyTorch draws them (see _random.randperm), so the
permutation is PyTorch's bit for bit.

Example:
    >>> forward_shuffle(np.array([2, 0]))         # swap 0<->2, then 1<->1
    array([2, 1, 0])
"""

from __future__ import annotations

import numpy as np

_RADIX = 1 << 16       # NumPy's stable argsort is a radix sort for keys of 16 bits or fewer
_LOOP_UP_TO = 128      # for this few steps the loop itself, on a Python list, is quicker than array passes


def forward_shuffle(offsets: np.ndarray) -> np.ndarray:
    """arange(n) after the swaps (i, i + offsets[i]) for i = 0 .. n-2, in that order (n = len + 1).

    Args:
        offsets: int array, offsets[i] in [0, n - i).

    Returns:
        The permutation as an intp array of length len(offsets) + 1.

    Example:
        >>> forward_shuffle(np.array([1, 0, 0])).tolist()
        [1, 0, 2, 3]
    """
    if offsets.size > _LOOP_UP_TO:
        return forward_shuffle_arrays(offsets)
    out = list(range(offsets.size + 1))
    for i, k in enumerate(offsets.tolist()):
        out[i], out[i + k] = out[i + k], out[i]
    return np.array(out, np.intp)


def forward_shuffle_arrays(offsets: np.ndarray) -> np.ndarray:
    """`forward_shuffle` without a loop over the steps.

    Step i puts into position i, for good, what position t = i + offsets[i] holds then: what the
    previous step aiming at t left there, else t itself. A step leaves at t what its own position i
    held before it, which is what the last earlier step aiming at i left, and so on back to an
    untouched position: those chains are followed by `_chain_roots`.

    Args:
        offsets: int array, offsets[i] in [0, n - i).

    Returns:
        The permutation as an intp array of length len(offsets) + 1.

    Example:
        >>> forward_shuffle_arrays(np.array([1, 0, 0])).tolist()
        [1, 0, 2, 3]
    """
    n = offsets.size + 1
    steps = np.arange(n, dtype=np.intp)
    target = steps.copy()
    target[:-1] += offsets                      # the last element's "step" aims at itself
    order = _stable_argsort(target)             # the steps aiming at one position, in step order
    aims = target[order]
    after_same = np.zeros(n + 1, bool)          # entry s follows an earlier step with the same aim
    np.equal(aims[1:], aims[:-1], out=after_same[1:n])
    to_self = np.zeros(n + 1, bool)
    np.equal(aims, order, out=to_self[:n])
    # the last step aiming at position t before step t itself (a step aiming at itself sorts last)
    last_before = np.flatnonzero(~to_self[:n] & (~after_same[1:] | to_self[1:]))
    feeds = steps.copy()
    feeds[aims[last_before]] = order[last_before]
    held = _chain_roots(feeds)                  # held[i]: the value position i holds before step i
    previous = np.empty(n, np.intp)
    previous[0] = 0
    previous[1:] = order[:-1]
    out = np.empty(n, np.intp)
    out[order] = np.where(after_same[:n], held[previous], aims)
    return out


def inside_out_shuffle(picks: np.ndarray) -> np.ndarray:
    """The array torch's inside-out loop writes: for i = 0 .. n-1, r[i] = r[picks[i]], then r[picks[i]] = i.

    Position p ends with the last step writing i there (the largest i with picks[i] == p), else with
    what step p copied: the value position q = picks[p] held then, which is the previous step writing
    at q, else what step q copied, and so on (followed by `_chain_roots`).

    Args:
        picks: int array, picks[i] in [0, i].

    Returns:
        The permutation as an intp array of the same length.

    Example:
        >>> inside_out_shuffle(np.array([0, 0, 1])).tolist()
        [1, 2, 0]
    """
    n = picks.size
    steps = np.arange(n, dtype=np.intp)
    order = _stable_argsort(picks)              # the steps writing at one position, in step order
    spots = picks[order]
    after_same = np.zeros(n + 1, bool)
    np.equal(spots[1:], spots[:-1], out=after_same[1:n])
    # a step that copies from a position written before (or from itself) knows its value at once;
    # the others copy what the step of that position copied
    known = np.empty(n, bool)
    known[order] = after_same[:n] | (spots == order)
    copies_from = np.where(known, steps, picks)
    del known
    copied = steps                               # (steps is not read again: its memory is reused)
    copied[order[after_same[:n]]] = order[:-1][after_same[1:n]]
    out = copied[_chain_roots(copies_from)]
    del copied, steps, copies_from
    ends = np.flatnonzero(~after_same[1:])       # the last step writing at each written position
    out[spots[ends]] = order[ends]
    return out


def _chain_roots(link: np.ndarray) -> np.ndarray:
    """For every k, the end of the chain k -> link[k] -> ... (link[r] == r ends it); chains have no
    cycles. Pointer jumping: each round halves every unfinished chain; `link` is overwritten."""
    live = np.flatnonzero(link != np.arange(link.size))
    while live.size:
        up = link[live]
        upup = link[up]
        link[live] = upup
        live = live[upup != up]
    return link


def _stable_argsort(keys: np.ndarray) -> np.ndarray:
    """argsort(keys, stable) for int64 keys in [0, len(keys)).

    Up to 2**16 keys: NumPy's radix sort of 16-bit keys. Beyond, the radix sort's scattered writes
    leave the caches, and sorting key * n + position (distinct numbers, ordered as (key, position)
    are) with NumPy's plain sort is quicker, while n * n fits in 63 bits.
    """
    n = keys.size
    if n <= _RADIX:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if n >= 1 << 31:
        return np.argsort(keys, kind="stable")
    tagged = keys * n
    tagged += np.arange(n)
    tagged.sort()
    return tagged % n
