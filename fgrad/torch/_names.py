"""Classes that print under torch's names: `type(x)` shows ``<class 'torch.Tensor'>`` as in PyTorch.

Only the printed form changes (the class keeps its real module, so pickling and imports are
untouched); a subclass the user writes prints under its own name, as in torch.

Example:
    >>> class Tensor(metaclass=TorchClass):
    ...     _torch_path = "torch.Tensor"
    >>> Tensor
    <class 'torch.Tensor'>
"""

from __future__ import annotations


class TorchClass(type):
    """A metaclass whose classes print as ``<class '{_torch_path}'>`` when they set `_torch_path`."""

    def __repr__(cls) -> str:
        path = cls.__dict__.get("_torch_path")
        return f"<class '{path}'>" if path else super().__repr__()
