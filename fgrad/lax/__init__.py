"""fgrad.lax: jax.lax's structured operations with their names and signatures.

Example:
    >>> import fgrad.lax
    >>> float(fgrad.lax.cond(True, lambda x: x + 1.0, lambda x: x - 1.0, 2.0))
    3.0
"""

from ..numpy import stop_gradient as stop_gradient
from ._control import cond as cond
from ._control import fori_loop as fori_loop
from ._control import map as map  # noqa: A004 - jax.lax's name
from ._control import scan as scan
from ._control import select as select
from ._control import switch as switch
from ._control import while_loop as while_loop
from ._conv import conv as conv
from ._conv import conv_general_dilated as conv_general_dilated
from ._conv import padtype_to_pads as padtype_to_pads
from ._conv import reduce_window as reduce_window
