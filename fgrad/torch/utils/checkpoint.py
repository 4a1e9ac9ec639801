"""torch.utils.checkpoint.checkpoint on fgrad.checkpoint: the function's intermediate values are
recomputed in the backward pass.

The function is run once on fresh leaves (which records its graph, see fgrad.torch.func); its outputs
are tensors whose definition is `fgrad.checkpoint` of the recording's replay, so the backward program
fgrad builds recomputes the function's internals from its inputs instead of reading saved values.

Example:
    >>> import fgrad.torch as torch
    >>> from fgrad.torch.utils.checkpoint import checkpoint
    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)
    >>> checkpoint(lambda t: (t * t).sin(), x, use_reentrant=False).sum().backward()
    >>> x.grad
    tensor([ 1.0806, -2.6146])
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ...remat import checkpoint as recomputed
from ..func import emit_transformed, record_call, tensors_of
from ..tensor import Tensor

_NO_REENTRANT_FLAG = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch 2.9, "
    "calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but "
    "if you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for "
    "more details on the differences between the two variants.")


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None, context_fn: Callable | None = None,
               determinism_check: str = "default", debug: bool = False, preserve_rng_state: bool = True,
               **kwargs) -> Any:
    """`function(*args, **kwargs)`, recomputed during backward instead of keeping its intermediates.

    `use_reentrant` chooses what the outputs' grad_fn shows, as in torch: the function's own last
    operation (False) or `CheckpointFunctionBackward` (True); leaving it out warns as torch does and
    means True. The other options are accepted for compatibility.
    """
    if use_reentrant is None:
        warnings.warn(_NO_REENTRANT_FLAG, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant and not any(t.requires_grad for t in tensors_of(args)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                      stacklevel=2)
    rec, out = record_call(function, args, kwargs)
    names = [_name(o, use_reentrant) for o in rec.out_leaves]
    return emit_transformed(names, rec, args, recomputed, ("checkpoint", function))


def _name(out, use_reentrant: bool) -> str:
    if use_reentrant or not isinstance(out, Tensor) or out.grad_fn is None:
        return "CheckpointFunctionBackward"
    return out.grad_fn.name()
