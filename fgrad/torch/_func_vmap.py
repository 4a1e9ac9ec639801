"""torch.func.vmap and functional_call (see fgrad.torch.func for the design).

vmap records the function on the first sample and batches the replay with fgrad.vmap. A value the
function computes outside recorded ops (a comparison mask, a detached tensor, a tensor made inside the
function) would be fixed by that recording, so the function is also recorded on the last sample: the
batched replay is used only when the two recordings are one program reading the same constant arrays
(closure tensors, module weights); otherwise the samples are run one by one and stacked, which gives
what torch's vmap gives, more slowly. A Python number read from a tensor (`.item()`, `float(x)`) that
equals on the first and last samples is not detected.

Example:
    >>> import fgrad.torch as torch
    >>> torch.func.vmap(lambda x: x.sum())(torch.ones(3, 2))
    tensor([2., 2., 2.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import api_vmap
from ..tree import tree_flatten, tree_unflatten
from . import ops, ops_shape
from .func import EmittedOp, Recording, emit_transformed, misuse, ordered_like, record_call
from .tensor import Tensor

_RANDOMNESS = ("error", "different", "same")
_ABSENT = object()


def _leaf_axes(name: str, in_dims, args: tuple) -> list:
    """One axis (or None) per leaf of `args`, from an int or a tuple with one entry per argument."""
    if isinstance(in_dims, int) and not isinstance(in_dims, bool):
        return [in_dims] * len(tree_flatten(args)[0])
    if not isinstance(in_dims, (tuple, list)):
        raise misuse(ValueError,
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
            "(potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}.",
            "give in_dims as an int or a tuple with one entry (int or None) per positional argument")
    if len(in_dims) != len(args):
        raise misuse(ValueError,
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
            f"structure of `inputs`. in_dims has {len(in_dims)} entries but inputs has {len(args)} "
            "arguments",
            "give in_dims one entry per positional argument")
    return [axis for spec, arg in zip(in_dims, args) for axis in _prefix_axes(name, spec, arg)]


def _prefix_axes(name: str, spec, arg) -> list:
    """The axes of `arg`'s leaves from `spec`, a tree prefix of it (in fgrad's leaf order: sorted keys)."""
    if spec is None or (isinstance(spec, int) and not isinstance(spec, bool)):
        return [spec] * len(tree_flatten(arg)[0])
    if isinstance(spec, (tuple, list)) and isinstance(arg, (tuple, list)) and len(spec) == len(arg):
        return [a for s, x in zip(spec, arg) for a in _prefix_axes(name, s, x)]
    if isinstance(spec, dict) and isinstance(arg, dict) and spec.keys() == arg.keys():
        return [a for k in sorted(arg) for a in _prefix_axes(name, spec[k], arg[k])]
    raise misuse(ValueError,
        f"vmap({name}, in_dims=..., ...)(<inputs>): in_dims is not compatible with the structure of "
        f"`inputs`: {spec!r} does not match an argument of type {type(arg).__name__}",
        "give each argument an int, None, or a nested tuple/dict of its shape")


def _batch_size(name: str, in_dims, leaves: list, axes: list) -> int:
    sizes = []
    for x, ax in zip(leaves, axes):
        if ax is None:
            continue
        if not isinstance(x, Tensor):
            raise misuse(ValueError,
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={ax} for an input but the input is "
                f"of type {type(x)}. We cannot vmap over non-Tensor arguments, please use None as the respective "
                "in_dim",
                "give in_dim None for arguments that are not Tensors")
        if x.dim() == 0 or not -x.dim() <= ax < x.dim():
            raise misuse(ValueError,
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={ax} for some input, "
                f"but that input is a Tensor of dimensionality {x.dim()} so expected in_dim to satisfy "
                f"-{x.dim()} <= in_dim < {x.dim()}.",
                "in_dim names an existing dimension of that input")
        sizes.append(x.shape[ax])
    if not sizes:
        raise misuse(ValueError,
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input must be a Tensor "
            "with a mapped dimension (in_dims not None); got none",
            "map at least one Tensor argument (an int in_dim for it)")
    if len(set(sizes)) > 1:
        raise misuse(ValueError,
            f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
            f"{sizes} for the mapped dimension",
            "map inputs whose mapped dimensions have the same size, or give the others in_dim None")
    return sizes[0]


def _sample(args: tuple, axes: list, k: int) -> tuple:
    leaves, tree = tree_flatten(args)
    picked = [ops.wrap(np.take(x._data, k, axis=ax)) if ax is not None and isinstance(x, Tensor) else x
              for x, ax in zip(leaves, axes)]
    return ordered_like(tree_unflatten(tree, picked), args)


def _same_recording(a: Recording, b: Recording) -> bool:
    """Whether two recordings are one program: the same nodes, wired alike, reading the same constant
    arrays (the same objects: an array made during the call may depend on the sample, even when the
    first and last samples give it equal values)."""
    if len(a.order) != len(b.order) or a.out_tree != b.out_tree:
        return False
    pos_a = {id(n): i for i, n in enumerate(a.order)} | {id(t): -1 - i for i, t in enumerate(a.leaves)}
    pos_b = {id(n): i for i, n in enumerate(b.order)} | {id(t): -1 - i for i, t in enumerate(b.leaves)}
    for na, nb in zip(a.order, b.order):
        if na.sig != nb.sig and not _same_emitted(na, nb):
            return False
        for va, vb, sa, sb in zip(na.vals, nb.vals, na.srcs, nb.srcs):
            wired_a, wired_b = pos_a.get(id(sa)), pos_b.get(id(sb))
            if wired_a != wired_b or (wired_a is None and va is not vb):
                return False
    return all(_same_output(x, y, pos_a, pos_b) for x, y in zip(a.out_leaves, b.out_leaves))


def _same_emitted(na, nb) -> bool:
    """Whether two nodes are results of one transform of one function, on inputs of one kind."""
    a, b = na.op, nb.op
    if not isinstance(a, EmittedOp) or not isinstance(b, EmittedOp) or a.origin != b.origin:
        return False
    if na.sigt[2:] != nb.sigt[2:] or a.recording is None or b.recording is None:
        return False
    return _same_recording(a.recording, b.recording)


def _same_output(x, y, pos_a: dict, pos_b: dict) -> bool:
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        return type(x) is type(y) and x == y
    sx, sy = x.grad_fn or x, y.grad_fn or y
    return pos_a.get(id(sx)) == pos_b.get(id(sy)) and (pos_a.get(id(sx)) is not None or x._data is y._data)


def _one_by_one(func: Callable, args: tuple, kwargs: dict, axes: list, size: int, out_dims) -> Any:
    """Run each sample and stack the results along out_dims (recorded, so it composes)."""
    results = [func(*_sample(args, axes, k), **kwargs) for k in range(size)]
    flat = [tree_flatten(r)[0] for r in results]
    tree = tree_flatten(results[0])[1]
    dims = [out_dims] * len(flat[0]) if out_dims is None or isinstance(out_dims, int) else tree_flatten(out_dims)[0]
    stacked = [col[0] if d is None else ops_shape.stack(list(col), dim=d) for col, d in zip(zip(*flat), dims)]
    return ordered_like(tree_unflatten(tree, stacked), results[0])


# under torch's vmap a reduction over all of a sample's dims runs as the reduction over given dims
# (the batch dim kept), whose node torch names differently
_BATCHED_REDUCTION = {"SumBackward0": "SumBackward1", "MeanBackward0": "MeanBackward1",
                      "ProdBackward0": "ProdBackward1", "MaxBackward1": "MaxBackward0", "MinBackward1": "MinBackward0"}


def _node_names(rec: Recording) -> list:
    """The grad_fn name of each output of the sample: torch's vmap result shows the same node."""
    names = [o.grad_fn.name() if isinstance(o, Tensor) and o.grad_fn is not None else "VmapBackward"
             for o in rec.out_leaves]
    return [_BATCHED_REDUCTION.get(n, n) for n in names]


def _check_outputs(name: str, out, out_dims) -> None:
    """torch's error for an output that is not a Tensor where out_dims maps it."""
    if isinstance(out_dims, int):
        for leaf in tree_flatten(out)[0]:
            if not isinstance(leaf, Tensor):
                raise misuse(ValueError,
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(leaf)}. Did you mean to "
                    "set out_dims= to None for output?",
                    "return Tensors from the function (wrap numbers in torch.tensor), or give out_dims=None")


def vmap(func: Callable, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size: int | None = None,
         ) -> Callable:
    """Vectorise `func` over a dimension of its inputs (torch.func.vmap).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.func.vmap(torch.dot)(torch.ones(2, 3), torch.ones(2, 3))
        tensor([3., 3.])
    """
    if randomness not in _RANDOMNESS:
        raise misuse(RuntimeError,
            f"Only allowed values for randomness are 'error', 'different', or 'same'. Got {randomness}",
            "pass randomness='error', 'different' or 'same'")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise misuse(ValueError,
            f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})",
            "pass chunk_size=None or a positive int")

    def wrapper(*args, **kwargs):
        name = getattr(func, "__name__", type(func).__name__)
        axes = _leaf_axes(name, in_dims, args)
        size = _batch_size(name, in_dims, tree_flatten(args)[0], axes)
        first, out = record_call(func, _sample(args, axes, 0), kwargs)
        _check_outputs(name, out, out_dims)
        if size > 1 and not _same_recording(first, record_call(func, _sample(args, axes, size - 1), kwargs)[0]):
            return _one_by_one(func, args, kwargs, axes, size, out_dims)
        in_axes = tuple(in_dims) if isinstance(in_dims, list) else in_dims
        result = emit_transformed(_node_names(first), first, args,
                                  lambda f: api_vmap.vmap(f, in_axes=in_axes, out_axes=out_dims),
                                  ("VmapBackward", func, (in_dims, out_dims)))
        return ordered_like(result, first.outputs)
    return wrapper


def functional_call(module, parameter_and_buffer_dicts, args: Any = None, kwargs: dict | None = None, *,
                    tie_weights: bool = True, strict: bool = False) -> Any:
    """Call `module` with some parameters and buffers replaced by the given tensors (by dotted name).

    Example:
        >>> import fgrad.torch as torch
        >>> lin = torch.nn.Linear(1, 1)
        >>> torch.func.functional_call(lin, {"weight": torch.ones(1, 1), "bias": torch.zeros(1)}, torch.ones(1))
        tensor([1.])
    """
    dicts = parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list)) else \
        (parameter_and_buffer_dicts,)
    given: dict = {}
    for d in dicts:
        for name in d:
            if name in given:
                raise misuse(ValueError,
                    f"{name} appeared in multiple dictionaries; behavior of functional call is ambiguous",
                    "give each parameter or buffer name in one dictionary only")
        given.update(d)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    saved = [_swap_in(module, name, value) for name, value in given.items()]
    try:
        return module(*args, **(kwargs or {}))
    finally:
        for table, key, old in reversed(saved):
            if old is _ABSENT:
                del table[key]
            else:
                table[key] = old


def stack_module_state(models) -> tuple[dict, dict]:
    """The parameters and buffers of `models` (modules of one class, in one mode) stacked along a new
    first dim, by dotted name: new leaves (requiring grad where the models' do), for vmap over
    functional_call, as torch.func.stack_module_state.

    Args:
        models: a sequence (or nn.ModuleList) of modules of the same class.

    Returns:
        (params, buffers): two dicts of stacked tensors, in the models' naming order.

    Raises:
        RuntimeError: for no models, models of different classes or modes, or a parameter that requires
        grad in some models only (torch's messages).

    Example:
        >>> import fgrad.torch as torch
        >>> params, buffers = torch.func.stack_module_state([torch.nn.Linear(3, 2) for _ in range(4)])
        >>> {k: tuple(v.shape) for k, v in params.items()}, buffers
        ({'weight': (4, 2, 3), 'bias': (4, 2)}, {})
    """
    if len(models) == 0:
        raise misuse(RuntimeError, "stack_module_state: Expected at least one model, got 0.",
                     "pass a non-empty list of modules")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise misuse(RuntimeError, "stack_module_state: Expected all models to have the same training/eval mode.",
                     "call .train() or .eval() on all of them first")
    if not all(type(m) is type(models[0]) for m in models):
        raise misuse(RuntimeError, "stack_module_state: Expected all models to be of the same class.",
                     "stack modules of one class only")
    return tuple({name: _stacked_leaf([table[name] for table in tables], name) for name in tables[0]}
                 for tables in ([dict(m.named_parameters()) for m in models],
                                [dict(m.named_buffers()) for m in models]))


def _stacked_leaf(tensors: list, name: str) -> Tensor:
    flags = {t.requires_grad for t in tensors}
    if len(flags) > 1:
        raise misuse(RuntimeError, f"Expected {name} from each model to have the same .requires_grad",
                     "set requires_grad alike on that parameter in every model")
    stacked = ops_shape.stack(tensors)
    return stacked.detach().requires_grad_() if flags == {True} else stacked


def _swap_in(module, name: str, value) -> tuple:
    """Put `value` where `module`'s parameter or buffer `name` is; (its table, key, previous value)."""
    *path, key = name.split(".")
    owner = module
    for part in path:
        owner = owner._modules[part] if part in owner._modules else getattr(owner, part)
    # a name that is neither becomes a plain attribute for the call, as in torch
    table = owner._parameters if key in owner._parameters else owner._buffers if key in owner._buffers else \
        owner.__dict__
    old = table.get(key, _ABSENT)
    table[key] = value
    return table, key, old
