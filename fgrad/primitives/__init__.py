"""The primitive set. Importing this package registers every primitive in `fgrad.core.REGISTRY`."""

from . import elementwise, linalg, reductions, shape  # noqa: F401
from . import math, ordering  # noqa: F401
from . import calls, complex, control, conv, decomp, fft, matfun, solve, special  # noqa: F401
