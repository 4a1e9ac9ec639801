"""Matrix products (matmul, mm, mv, dot, bmm, linear) with torch's grad_fn names and torch's errors.

torch names a product's node after the kernel it dispatches to (MmBackward0 for 2-D @ 2-D,
MvBackward0, DotBackward0, ...) and checks dtypes and sizes per kernel, so its messages differ by the
operands' ranks; `_check_matmul` follows those rules.

Example:
    >>> import fgrad.torch as torch
    >>> (torch.ones(2, 3, requires_grad=True) @ torch.ones(3, 4)).grad_fn.name()
    'MmBackward0'
"""

from __future__ import annotations

import numpy as np

from .. import numpy as fnp
from . import _dtypes
from ._errors import CPP_NAMES, SCALAR_NAMES
from ._graph import Op
from ._out import accepts_out
from ._quiet import quiet
from .ops import as_tensor_operand, check_broadcast, record
from .ops_shape import t

Tensor = None          # set by fgrad.torch.tensor


# --- matrix products ---------------------------------------------------------------------------

_MATMUL = lambda a, b, dt: fnp.matmul(a.astype(dt), b.astype(dt))  # noqa: E731
MM = Op("MmBackward0", _MATMUL)
MV = Op("MvBackward0", _MATMUL)
DOT = Op("DotBackward0", _MATMUL)
VM = Op("SqueezeBackward4", _MATMUL)
BATCHED = Op("UnsafeViewBackward0", _MATMUL)


def _matmul_op(na: int, nb: int) -> Op:
    if na == 2 and nb == 2:
        return MM
    if na == 2 and nb == 1:
        return MV
    if na == 1 and nb == 1:
        return DOT
    if na == 1 and nb == 2:
        return VM
    return BATCHED


def _check_matmul(a: np.ndarray, b: np.ndarray) -> None:
    """torch's errors for matmul operands of different dtypes or non-matching sizes, per operand ranks."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    if a.dtype != b.dtype:
        _matmul_dtype_error(a, b)
    k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
    rows = int(np.prod(a.shape[:-1], dtype=np.int64))      # torch folds the batch axes of `a` into rows
    if b.ndim >= 3:
        batch = _batch_shape(a.shape[:-2], b.shape[:-2])
        if k_a != k_b:
            n = int(np.prod(batch, dtype=np.int64))
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k_a}] but got: "
                               f"[{n}, {k_b}].")
        return
    if k_a == k_b:
        return
    if a.ndim == 1 and b.ndim == 1:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    if b.ndim == 1:
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec ({k_b})")
    raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and {k_b}x{b.shape[-1]})")


def _batch_shape(a: tuple, b: tuple) -> tuple:
    check_broadcast(a, b)
    return np.broadcast_shapes(a, b)


def _matmul_dtype_error(a: np.ndarray, b: np.ndarray) -> None:
    sa, sb = SCALAR_NAMES[a.dtype.name], SCALAR_NAMES[b.dtype.name]
    if a.ndim == 1 and b.ndim == 1:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {sa} and {sb}")
    if b.ndim == 1:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {sb}, {sa}, and {sb}")
    if b.ndim >= 3:
        raise RuntimeError(f"expected scalar type {sa} but found {sb}")
    raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {CPP_NAMES[a.dtype.name]} != "
                       f"{CPP_NAMES[b.dtype.name]}")


@accepts_out
@quiet
def matmul(input, other) -> Tensor:  # noqa: A002
    """Matrix product with torch's 1-D and batch rules (grad_fn MmBackward0, MvBackward0, ...).

    Example: ``torch.matmul(torch.ones(2, 3), torch.ones(3)).shape`` is ``torch.Size([2])``.
    """
    a, b = input._data, other._data
    _check_matmul(a, b)
    return record(_matmul_op(a.ndim, b.ndim), (input, other), (a.dtype,), a @ b)


@accepts_out
def mm(input, mat2) -> Tensor:  # noqa: A002
    """2-D matrix product. Example: ``torch.mm(torch.ones(2, 3), torch.ones(3, 4)).shape``."""
    if input._data.ndim != 2 or mat2._data.ndim != 2:
        raise RuntimeError("self must be a matrix" if input._data.ndim != 2 else "mat2 must be a matrix")
    return matmul(input, mat2)


def dot(input, other) -> Tensor:  # noqa: A002
    """Dot product of 1-D tensors. Example: ``torch.dot(torch.ones(2), torch.ones(2))`` is ``tensor(2.)``."""
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors")
    return matmul(input, other)


def mv(input, vec) -> Tensor:  # noqa: A002
    """Matrix-vector product. Example: ``torch.mv(torch.ones(2, 3), torch.ones(3)).shape`` is ``torch.Size([2])``."""
    if input._data.ndim != 2 or vec._data.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input._data.ndim}, {vec._data.ndim}")
    return matmul(input, vec)


@accepts_out
def bmm(input, mat2) -> Tensor:  # noqa: A002
    """Batched matrix product of 3-D tensors. Example: ``torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 3, 4)).shape``."""
    a, b = input._data, mat2._data
    for name, d in (("batch1", a), ("batch2", b)):
        if d.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if a.dtype != b.dtype:
        _matmul_dtype_error(a, b)
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return matmul(input, mat2)


# the bias comes first, as in torch's addmm(bias, input, weight.T): next_functions[0] is the bias's
ADDMM = Op("AddmmBackward0", lambda b, x, w, dt: fnp.matmul(x.astype(dt), fnp.transpose(w.astype(dt)))
           + b.astype(dt))
LINEAR_VIEW = Op("ViewBackward0", ADDMM.fn)


@quiet
def linear(input, weight, bias=None) -> Tensor:  # noqa: A002
    """input @ weight.T + bias, recorded as torch does (AddmmBackward0 for 2-D input).

    Example: ``torch.nn.functional.linear(torch.ones(2, 3), torch.ones(4, 3)).shape``.
    """
    if bias is None:
        return matmul(input, t(weight))
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {SCALAR_NAMES[x.dtype.name]} and "
                           f"{SCALAR_NAMES[w.dtype.name]}")
    dt = _dtypes.result_type((input, weight, bias))
    _check_matmul(x, w.T)
    value = x.astype(dt) @ w.T.astype(dt) + bias._data.astype(dt)
    return record(ADDMM if x.ndim == 2 else LINEAR_VIEW, (as_tensor_operand(bias), input, weight), (dt,), value)
