"""autograd.extend on fgrad: the API for defining primitives and their derivatives.

Example:
    >>> import numpy as np
    >>> from fgrad.autograd import grad
    >>> cube = primitive(lambda x: x ** 3)
    >>> defvjp(cube, lambda ans, x: lambda g: 3.0 * g * x ** 2)
    >>> float(grad(cube)(2.0))
    12.0
"""

from .core import def_linear as def_linear
from .core import defjvp as defjvp
from .core import defjvp_argnum as defjvp_argnum
from .core import defjvp_argnums as defjvp_argnums
from .core import defvjp as defvjp
from .core import defvjp_argnum as defvjp_argnum
from .core import defvjp_argnums as defvjp_argnums
from .core import primitive_jvps as primitive_jvps
from .core import primitive_vjps as primitive_vjps
from .tracer import Box as Box
from .tracer import isbox as isbox
from .tracer import notrace_primitive as notrace_primitive
from .tracer import primitive as primitive
from .vspaces import VSpace as VSpace
from .vspaces import vspace as vspace
