"""Programs shared by tests of several files."""

from __future__ import annotations


def chain(m, x, steps: int = 24):
    """The scaling benchmark's chain in the array module `m`: four kinds of cheap step, cycled, then a sum."""
    for i in range(steps):
        k = i & 3
        if k == 0:
            x = m.sin(x) * 0.9 + 0.1 * x
        elif k == 1:
            x = m.tanh(x) * 0.8 + 0.2 * x
        elif k == 2:
            x = x * m.exp(-0.05 * (x * x))
        else:
            x = x - 0.05 * x * m.log1p(x * x)
    return m.sum(x)
