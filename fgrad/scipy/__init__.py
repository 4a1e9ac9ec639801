"""fgrad.scipy: SciPy's functions on fgrad arrays, differentiable, under jax.scipy's names.

Example:
    >>> import fgrad.scipy.linalg as fsl, numpy as np
    >>> fsl.solve_triangular(np.array([[2., 0.], [1., 1.]]), np.array([2., 2.]), lower=True)
    array([1., 1.])
"""

from . import integrate as integrate
from . import linalg as linalg
from . import signal as signal
from . import special as special
from . import stats as stats
