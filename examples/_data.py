"""Shared by the examples: read a dataset shipped in examples/data/ (no scikit-learn needed)."""

import os

import numpy as np

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def load_table(name):
    """Features and labels of examples/data/<name>.csv.gz (the label is the last column).

    Example:
        >>> x, y = load_table("digits")  # doctest: +SKIP
        >>> x.shape, y.shape
        ((1797, 64), (1797,))
    """
    table = np.loadtxt(os.path.join(DATA, f"{name}.csv.gz"), delimiter=",", skiprows=1)
    return table[:, :-1], table[:, -1].astype(np.int64)
