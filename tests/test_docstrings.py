"""Every example in fgrad's docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import fgrad

FINDER = doctest.DocTestFinder()


def _examples(name: str) -> int:
    return sum(len(test.examples) for test in FINDER.find(importlib.import_module(name)))


MODULES = sorted(m.name for m in pkgutil.walk_packages(fgrad.__path__, "fgrad."))
WITH_EXAMPLES = [name for name in MODULES if _examples(name)]


def test_the_public_modules_have_examples():
    public = {"fgrad.api", "fgrad.numpy", "fgrad.nn", "fgrad.tree", "fgrad.testing", "fgrad.config",
              "fgrad.transforms.simplify", "fgrad.transforms.polynomial", "fgrad.backends.xla",
              "fgrad.torch.tensor", "fgrad.torch.optim"}
    assert public <= set(WITH_EXAMPLES), sorted(public - set(WITH_EXAMPLES))


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(importlib.import_module(name), extraglobs={"np": np}, optionflags=flags)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples in {name} failed"
