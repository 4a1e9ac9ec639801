"""torch.utils: the data-loading and checkpointing utilities PyTorch's tutorials use, and swap_tensors."""

from . import checkpoint as checkpoint
from . import data as data
from ._swap import swap_tensors as swap_tensors
