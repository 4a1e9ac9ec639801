"""torch.autograd.gradcheck and gradgradcheck with PyTorch's signature, checks and messages.

The analytical Jacobian comes from `torch.autograd.grad` (one call per output element, so fgrad's
own reverse mode), the numerical one from central differences, both laid out as PyTorch lays them
out (input elements by output elements); a mismatch is torch's GradcheckError, or False with
raise_exception=False.

Example:
    >>> import fgrad.torch as torch
    >>> x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    >>> torch.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
    True
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from . import autograd, ops
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Error raised by gradcheck and gradgradcheck."""


def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else tuple(x) if isinstance(x, list) else (x,)


def _differentiable_outputs(x) -> tuple:
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _check_inputs(inputs: tuple) -> None:
    found = False
    for idx, inp in enumerate(inputs):
        if isinstance(inp, Tensor) and inp.requires_grad:
            if inp._data.dtype != np.float64:
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision floating point or "
                              "complex. This check will likely fail if all the inputs are not of double precision "
                              "floating point or complex. ", UserWarning, stacklevel=3)
            found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have "
                         "requires_grad=True.")


def _evaluate(func: Callable, inputs: tuple, arrays: dict) -> list:
    """The differentiable outputs' values of `func` with input i's values replaced by `arrays[i]`."""
    args = tuple(_tensor(arrays[i], x) if i in arrays else x for i, x in enumerate(inputs))
    return [o._data.copy() for o in _differentiable_outputs(func(*args))]


def _tensor(array: np.ndarray, like: Tensor) -> Tensor:
    t = ops.wrap(array)
    t.requires_grad = like.requires_grad
    return t


def _numerical(func: Callable, inputs: tuple, i: int, eps: float) -> list:
    """d outputs / d input i by central differences: one (input numel, output numel) array per output."""
    x = inputs[i]._data
    columns = []
    for k in range(x.size):
        plus, minus = x.copy(), x.copy()
        plus.flat[k] += eps
        minus.flat[k] -= eps
        columns.append([(a - b) / (2 * eps) for a, b in zip(_evaluate(func, inputs, {i: plus}),
                                                            _evaluate(func, inputs, {i: minus}))])
    return [np.stack([c[j].reshape(-1) for c in columns]) if columns else np.zeros((0, 0))
            for j in range(len(columns[0]) if columns else 0)]


def _analytical(outputs: tuple, wrt: list) -> list:
    """[output][input] -> (input numel, output numel) from one autograd.grad call per output element."""
    found = []
    for out in outputs:
        per_input = [np.zeros((x._data.size, out._data.size), x._data.dtype) for x in wrt]
        for m in range(out._data.size):
            seed = np.zeros(out._data.shape, out._data.dtype)
            seed.flat[m] = 1
            grads = autograd.grad(out, wrt, ops.wrap(seed), retain_graph=True, allow_unused=True)
            for col, g in zip(per_input, grads):
                if g is not None:
                    col[:, m] = g._data.reshape(-1)
        found.append(per_input)
    return found


def _analytical_forward(func: Callable, inputs: tuple, positions: list) -> list:
    """The same layout as `_analytical`, from forward mode: one dual evaluation per input element."""
    from . import forward_ad as fwAD  # forward_ad builds on the tensor module, which imports this one
    found: list = []
    for col, i in enumerate(positions):
        x = inputs[i]._data
        for k in range(x.size):
            tangent = np.zeros(x.shape, x.dtype)
            tangent.flat[k] = 1
            with fwAD.dual_level():
                args = tuple(fwAD.make_dual(a, ops.wrap(tangent)) if n == i else a for n, a in enumerate(inputs))
                outs = [fwAD.unpack_dual(o).tangent for o in _differentiable_outputs(func(*args))]
                values = [np.zeros(o.shape, x.dtype) if t is None else t._data
                          for o, t in zip(_differentiable_outputs(func(*inputs)), outs)]
            if not found:
                found = [[np.zeros((inputs[p]._data.size, v.size), x.dtype) for p in positions] for v in values]
            for j, v in enumerate(values):
                found[j][col][k] = v.reshape(-1)
    return found


def _message(analytical, numerical, j: int, i: int) -> str:
    show = lambda a: repr(ops.wrap(a))  # noqa: E731 - torch prints the Jacobians as tensors
    return (f"Jacobian mismatch for output {j:d} with respect to input {i:d},\n"
            f"numerical:{show(numerical)}\nanalytical:{show(analytical)}\n")


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Compare the gradients of `func` at `inputs` with central finite differences, as torch does.

    Reverse mode (`check_backward_ad`, by default) and forward mode (`check_forward_ad`) are checked;
    the options other than eps, atol, rtol and raise_exception are accepted for compatibility.

    Example:
        >>> import fgrad.torch as torch
        >>> x = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradcheck(torch.exp, (x,), check_forward_ad=True, check_backward_ad=False)
        True
    """
    tupled = _as_tuple(inputs)
    _check_inputs(tupled)
    positions = [i for i, x in enumerate(tupled) if isinstance(x, Tensor) and x.requires_grad]
    found = []
    if check_backward_ad:
        found.append(_analytical(_differentiable_outputs(func(*tupled)), [tupled[i] for i in positions]))
    if check_forward_ad:
        found.append(_analytical_forward(func, tupled, positions))
    for col, i in enumerate(positions):
        for j, n in enumerate(_numerical(func, tupled, i, eps)):
            for analytical in found:
                a = analytical[j][col]
                if not np.allclose(a, n.astype(a.dtype), rtol=rtol, atol=atol):
                    if not raise_exception:
                        return False
                    raise GradcheckError(_message(a, n.astype(a.dtype), j, i))
    return True


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """gradcheck of the gradients of `func` (with respect to its inputs and to `grad_outputs`, random
    in [-1, 1) when not given), as torch does."""
    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        # torch.testing.make_tensor(low=-1, high=1): drawn from torch's default generator, as torch does
        tupled_grads = tuple(ops.wrap(np.empty(o._data.shape, o._data.dtype if o._data.dtype.kind == "f"
                                               else np.float64)).uniform_(-1, 1)
                             for o in _differentiable_outputs(func(*tupled)))
        for g in tupled_grads:
            g.requires_grad = True
    else:
        tupled_grads = _as_tuple(grad_outputs)
    n = len(tupled_grads)

    def new_func(*args):
        ins, gos = args[:-n], args[-n:]
        outs = _differentiable_outputs(func(*ins))
        wrt = [x for x in ins if isinstance(x, Tensor) and x.requires_grad]
        grads = autograd.grad(outs, wrt, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)
    return gradcheck(new_func, tupled + tupled_grads, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
