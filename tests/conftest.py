"""Fixtures shared by the test files."""

from __future__ import annotations

import pytest

import fgrad


@pytest.fixture(params=["numpy", "xla"])
def backend(request):
    """Run the test once per backend, with that backend as the default, restoring the one before."""
    before = fgrad.config.backend
    fgrad.config.update("backend", request.param)
    yield request.param
    fgrad.config.update("backend", before)
