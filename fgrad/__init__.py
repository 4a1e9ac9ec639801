"""fgrad: composable gradients for NumPy, with a PyTorch-style shim on the same engine.

Example:
    >>> import fgrad
    >>> float(fgrad.grad(lambda x: x ** 3)(2.0))
    12.0
"""

from . import lax as lax
from . import nn as nn
from . import numpy as numpy  # noqa: F401  (registers primitives and tracer operators)
from . import testing as testing
from .api import grad as grad
from .api import value_and_grad as value_and_grad
from .api import vjp as vjp
from .api_jit import jit as jit
from .api_jit import make_ir as make_ir
from .api_jit import make_jaxpr as make_jaxpr
from .api_jit import show_code as show_code
from .api_jvp import jvp as jvp
from .api_jvp import linearize as linearize
from .api_vmap import hessian as hessian
from .api_vmap import jacfwd as jacfwd
from .api_vmap import jacrev as jacrev
from .api_vmap import vmap as vmap
from .config import config as config
from .core import IR as IR
from .custom import custom_jvp as custom_jvp
from .custom import custom_vjp as custom_vjp
from .errors import ArgnumsError as ArgnumsError
from .errors import AxisError as AxisError
from .errors import ConcretizationError as ConcretizationError
from .errors import FgradError as FgradError
from .errors import IntegerInputError as IntegerInputError
from .errors import MissingRuleError as MissingRuleError
from .errors import NonScalarOutputError as NonScalarOutputError
from .errors import ShapeError as ShapeError
from .errors import TracerArrayConversionError as TracerArrayConversionError
from .errors import TracerLeakError as TracerLeakError
from .nan_checks import debug_infs as debug_infs
from .nan_checks import debug_nans as debug_nans
from .numpy import stop_gradient as stop_gradient
from .remat import checkpoint as checkpoint
from .remat import checkpoint_policies as checkpoint_policies
from .remat import print_saved_residuals as print_saved_residuals
from .remat import remat as remat
from .tree import register_pytree_node as register_pytree_node
from .tree import tree_flatten as tree_flatten
from .tree import tree_map as tree_map
from .tree import tree_unflatten as tree_unflatten

__version__ = "0.1.0"
