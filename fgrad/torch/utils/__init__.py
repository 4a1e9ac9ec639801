"""torch.utils: the data-loading and checkpointing utilities PyTorch's tutorials use."""

from . import checkpoint as checkpoint
from . import data as data
