"""autograd.misc: `flatten` (nested containers to one vector and back), `const_graph`,
`fixed_points.fixed_point`, and the optimizers of `optimizers` (sgd, rmsprop, adam)."""

from . import fixed_points as fixed_points
from . import optimizers as optimizers
from .flatten import flatten as flatten
from .flatten import flatten_func as flatten_func
from .tracers import const_graph as const_graph
