"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp on fgrad's transforms.

The user's function is recorded and replayed as a function of arrays (fgrad.torch.func's design);
fgrad.jacrev, fgrad.jacfwd, fgrad.hessian, fgrad.vjp and fgrad.jvp run on the replay. Results are
shaped and tupled as torch's: a Tensor input gives Tensors, a tuple of inputs gives tuples (for
jacobian and hessian, an outer level per output and an inner level per input). They are detached
unless create_graph=True, when they join the graph of inputs that require grad.

Example:
    >>> import fgrad.torch as torch
    >>> torch.autograd.functional.jacobian(lambda x: x ** 2, torch.tensor([1., 2.]))
    tensor([[2., 0.],
            [0., 4.]])
"""

from __future__ import annotations

from collections.abc import Callable

from .. import api, api_jvp, api_vmap
from .. import numpy as fnp
from ._graph import MODE, set_grad_enabled
from .creation import ones_like
from .func import check_float, emit, fresh_leaf, misuse, record_call
from .tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

_STRATEGIES = ("forward-mode", "reverse-mode")


def _as_tuple(x, arg_name: str, fn_name: str) -> tuple[tuple, bool]:
    """(x as a tuple of Tensors, whether it was a tuple), with torch's TypeError otherwise."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            given = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise misuse(TypeError,
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                f"the {given} has type {type(item)}.",
                "pass a Tensor or a tuple of Tensors")
    return items, is_tuple


def _record(func: Callable, inputs, fn_name: str):
    """(inputs tuple, was a tuple, outputs tuple, was a tuple, the replay returning a tuple of arrays)."""
    ins, in_tuple = _as_tuple(inputs, "inputs", fn_name)
    if fn_name != "jvp":
        check_float(list(ins))
    rec, out = record_call(func, ins)
    outs, out_tuple = _as_tuple(out, "outputs of the user-provided function", fn_name)

    def flat(*arrays):
        result = rec.replay(*arrays)
        return tuple(result) if out_tuple else (result,)
    return ins, in_tuple, outs, out_tuple, flat


def _check_strict(outs: tuple, strict: bool) -> None:
    if strict:
        for i, o in enumerate(outs):
            if not o.requires_grad:
                raise misuse(RuntimeError,
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode.",
                    "compute the outputs from the inputs with tensor operations, or pass strict=False")


def _emit(create_graph: bool, inputs: list, on_arrays: Callable):
    """Tensors of on_arrays(...), joined to the graph only with create_graph (as torch detaches them).

    With create_graph, torch differentiates with respect to inputs that do not require grad through
    fresh leaves that do, so its results have a grad_fn either way; so do these.
    """
    if create_graph:
        inputs = [t if t._rg else fresh_leaf(t) for t in inputs]
    with set_grad_enabled(create_graph and MODE.enabled):
        return emit("FunctionalBackward", inputs, on_arrays)


def _untuple(x: tuple, is_tuple: bool):
    return x if is_tuple else x[0]


def _check_v(v, like: tuple, fn_name: str, what: str) -> tuple:
    """The vector `v` as a tuple matching `like` (None allowed for one single-element tensor)."""
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise misuse(RuntimeError,
                f"The vector v can only be None if the {what} is a single Tensor with a single "
                "element." if what.startswith("input") else
                f"The vector v can only be None if the {what} returns a single Tensor with a single "
                "element.",
                "pass v with one tensor per output/input, shaped like it")
        return (ones_like(like[0]),)
    vs, _ = _as_tuple(v, "v", fn_name)
    if len(vs) != len(like):
        raise misuse(RuntimeError,
            f"v is a tuple of invalid length: should be {len(like)} but got {len(vs)}.",
            "give v one tensor per output/input")
    for a, b in zip(vs, like):
        if a.shape != b.shape:
            raise misuse(RuntimeError,
                f"v has invalid size: should be {b.shape} but got {a.shape}.",
                "shape v like the tensor it pairs with")
    return vs


def jacobian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of `func` at `inputs`: [output][input] of shape output.shape + input.shape.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.jacobian(lambda x, y: x * y, (torch.ones(1), torch.ones(1) * 2))
        (tensor([[2.]]), tensor([[1.]]))
    """
    if strategy not in _STRATEGIES:
        raise misuse(AssertionError,
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".',
            "pass strategy='reverse-mode' or 'forward-mode'")
    if strategy == "forward-mode" and not vectorize:
        raise misuse(NotImplementedError,
            "Computing Jacobian using forward-AD or forward-over-reverse Hessian is"
            "only implemented for `vectorize=True`.",
            "pass vectorize=True with strategy='forward-mode'")
    ins, in_tuple, outs, out_tuple, flat = _record(func, inputs, "jacobian")
    _check_strict(outs, strict)
    core = api_vmap.jacfwd if strategy == "forward-mode" else api_vmap.jacrev
    jac = _emit(create_graph, list(ins), lambda *a: core(flat, argnums=tuple(range(len(ins))))(*a))
    # torch's forward-mode result keeps the lists it builds where a level is a tuple of inputs
    seq = list if strategy == "forward-mode" and in_tuple else tuple
    return _untuple(seq(_untuple(seq(row), in_tuple) for row in jac), out_tuple)


def _scalar_function(func: Callable, inputs, fn_name: str):
    """(inputs tuple, was a tuple, the output, the replay returning a 0-d array) for hessian/vhp/hvp."""
    ins, in_tuple = _as_tuple(inputs, "inputs", fn_name)
    check_float(list(ins))
    rec, out = record_call(func, ins)
    if not isinstance(out, Tensor):
        raise misuse(RuntimeError,
            f"The function given to {fn_name} should return a single Tensor",
            "return one Tensor (e.g. a loss) from the function")
    if out.numel() != 1:
        raise misuse(RuntimeError,
            f"The Tensor returned by the function given to {fn_name} should contain a single element",
            "reduce the output to one element, e.g. .sum()")
    return ins, in_tuple, out, lambda *a: fnp.reshape(rec.replay(*a), ())


def hessian(func: Callable, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of scalar `func` at `inputs` ([input][input] for a tuple of inputs).

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.hessian(lambda x: (x ** 3).sum(), torch.tensor([1.]))
        tensor([[6.]])
    """
    if outer_jacobian_strategy not in _STRATEGIES:
        raise misuse(AssertionError,
            'Expected strategy to be either "forward-mode" or "reverse-mode".',
            "pass outer_jacobian_strategy='reverse-mode' or 'forward-mode'")
    ins, in_tuple, out, scalar = _scalar_function(func, inputs, "hessian")
    _check_strict((out,), strict)
    h = _emit(create_graph, list(ins), lambda *a: api_vmap.hessian(scalar, argnums=tuple(range(len(ins))))(*a))
    return _untuple(tuple(_untuple(row, in_tuple) for row in h), in_tuple)


def vjp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), v^T J): one vector-Jacobian product per input.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.vjp(lambda x: x ** 2, torch.tensor([1., 2.]), torch.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    ins, in_tuple, outs, out_tuple, flat = _record(func, inputs, "vjp")
    _check_strict(outs, strict)
    vs = _check_v(v, outs, "vjp", "user-provided function")
    n = len(ins)

    def on_arrays(*a):
        return api.vjp(flat, *a[:n])[1](tuple(a[n:]))
    value = _emit(create_graph, list(ins), flat)
    return _untuple(value, out_tuple), _untuple(_emit(create_graph, list(ins + vs), on_arrays), in_tuple)


def jvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), J v): one Jacobian-vector product per output.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.jvp(lambda x: x ** 2, torch.tensor([1., 2.]), torch.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    ins, in_tuple, outs, out_tuple, flat = _record(func, inputs, "jvp")
    _check_strict(outs, strict)
    vs = _check_v(v, ins, "jvp", "input to the user-provided function")
    n = len(ins)
    value, tangent = _emit(create_graph, list(ins + vs), lambda *a: api_jvp.jvp(flat, a[:n], a[n:]))
    return _untuple(value, out_tuple), _untuple(tangent, out_tuple)


def _second_order(fn_name: str, func: Callable, inputs, v, create_graph: bool, forward: bool) -> tuple:
    ins, in_tuple, out, scalar = _scalar_function(func, inputs, fn_name)
    vs = _check_v(v, ins, fn_name, "input to the user-provided function")
    n = len(ins)
    gradient = api.grad(scalar, argnums=tuple(range(n)))

    def on_arrays(*a):
        if forward:
            return api_jvp.jvp(gradient, a[:n], a[n:])[1]
        return api.vjp(gradient, *a[:n])[1](tuple(a[n:]))
    value = _emit(create_graph, list(ins), lambda *a: fnp.reshape(scalar(*a), tuple(out.shape)))
    return value, _untuple(_emit(create_graph, list(ins + vs), on_arrays), in_tuple)


def vhp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), v^T H) for scalar `func`.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.vhp(lambda x: (x ** 3).sum(), torch.tensor([1.]), torch.ones(1))
        (tensor(1.), tensor([6.]))
    """
    return _second_order("vhp", func, inputs, v, create_graph, forward=False)


def hvp(func: Callable, inputs, v=None, create_graph: bool = False, strict: bool = False) -> tuple:
    """(func(inputs), H v) for scalar `func`.

    Example:
        >>> import fgrad.torch as torch
        >>> torch.autograd.functional.hvp(lambda x: (x ** 3).sum(), torch.tensor([1.]), torch.ones(1))
        (tensor(1.), tensor([6.]))
    """
    return _second_order("hvp", func, inputs, v, create_graph, forward=True)
