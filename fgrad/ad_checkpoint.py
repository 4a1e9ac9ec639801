"""`jax.ad_checkpoint`'s names: checkpoint, checkpoint_name, checkpoint_policies, print_saved_residuals.

Example:
    >>> from fgrad.ad_checkpoint import checkpoint, print_saved_residuals
    >>> import fgrad.numpy as fnp
    >>> print_saved_residuals(checkpoint(lambda x: fnp.sin(fnp.sin(x))), 1.0)
    f64[] from the argument x
"""

from .remat import checkpoint as checkpoint
from .remat import checkpoint_name as checkpoint_name
from .remat import checkpoint_policies as checkpoint_policies
from .remat import print_saved_residuals as print_saved_residuals
from .remat import remat as remat
