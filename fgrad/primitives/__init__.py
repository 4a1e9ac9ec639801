"""The primitive set. Importing this package registers every primitive in `fgrad.core.REGISTRY`."""

from . import (  # noqa: F401
    bitwise,
    calls,
    complex,
    control,
    conv,
    decomp,
    elementwise,
    fft,
    host_call,
    linalg,
    matfun,
    math,
    ordering,
    reductions,
    shape,
    solve,
    special,
)
