"""`autograd` for HIPS autograd's own tests run on fgrad: fgrad.autograd, name for name.

tools/autograd_suite.py copies this file next to autograd's tests as `_fgrad_autograd` and points
their `import autograd` and `from autograd import ...` lines here; imports of autograd's submodules
go to fgrad.autograd's directly. Test bodies reach `autograd.numpy` and `autograd.scipy` as
attributes, so both are imported here.

Example:
    >>> import numpy as np
    >>> from autograd_adapter import check_grads, grad
    >>> float(grad(lambda x: x ** 3)(2.0))
    12.0
    >>> check_grads(lambda x: x * np.sin(1.0))(0.3)
"""

from __future__ import annotations

import fgrad.autograd.numpy as numpy  # noqa: F401 - `autograd.numpy` as an attribute
import fgrad.autograd.scipy as scipy  # noqa: F401 - `autograd.scipy.signal.convolve` in a test body
from fgrad.autograd import *  # noqa: F403 - autograd's top-level names
from fgrad.autograd.test_util import check_grads  # noqa: F401 - for the example above
