"""autograd.scipy on fgrad: fgrad.scipy's differentiable SciPy functions, module for module
(`import fgrad.autograd.scipy.stats.norm as norm` is fgrad.scipy.stats.norm's functions)."""

from . import integrate as integrate
from . import linalg as linalg
from . import signal as signal
from . import special as special
from . import stats as stats
