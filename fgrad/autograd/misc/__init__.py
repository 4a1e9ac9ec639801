"""autograd.misc: `flatten` (nested containers to one vector and back) and `const_graph`."""

from .flatten import flatten as flatten
from .flatten import flatten_func as flatten_func
from .tracers import const_graph as const_graph
