"""Comparisons shared by the differential tests: same shape, exact for integers, close for floats."""

import numpy as np


def close(a, b, rtol=1e-9, atol=1e-11):
    """Assert `a` and `b` have one shape and agree: exactly for integer or boolean values."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    if a.dtype.kind in "biu" or b.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
