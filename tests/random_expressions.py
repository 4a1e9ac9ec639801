"""Random arithmetic expressions for property tests of the Horner pass and fgrad.torch.

Written with Python operators, so one expression runs on NumPy arrays, fgrad tracers and tensors
of either torch.
"""

from __future__ import annotations

import numpy as np


def random_expression(rng: np.random.Generator, depth: int):
    """A random tree of + - * / neg and squares over three inputs `v[0..2]` and small literals;
    denominators are 1 + r², never zero."""
    if depth == 0 or rng.random() < 0.2:
        k, constant = int(rng.integers(0, 4)), float(rng.integers(1, 4))
        return (lambda v: v[k]) if k < 3 else (lambda v: constant)
    op = rng.choice(["add", "sub", "mul", "div", "neg", "square"])
    left = random_expression(rng, depth - 1)
    if op == "neg":
        return lambda v: -left(v)
    if op == "square":
        return lambda v: left(v) ** 2
    right = random_expression(rng, depth - 1)
    if op == "div":
        return lambda v: left(v) / (1.0 + right(v) ** 2)
    return {"add": lambda v: left(v) + right(v), "sub": lambda v: left(v) - right(v),
            "mul": lambda v: left(v) * right(v)}[op]
