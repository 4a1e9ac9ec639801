"""The primitive set. Importing this package registers every primitive in `fgrad.core.REGISTRY`."""

from . import elementwise, linalg, reductions, shape  # noqa: F401
