"""autograd.misc: `flatten` (nested containers to one vector and back), `const_graph`, and the
optimizers of `fgrad.autograd.misc.optimizers` (sgd, rmsprop, adam)."""

from . import optimizers as optimizers
from .flatten import flatten as flatten
from .flatten import flatten_func as flatten_func
from .tracers import const_graph as const_graph
