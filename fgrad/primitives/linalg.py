"""dot_general: contraction over paired axes with batch axes, as in jax.lax.dot_general.

Output axes are: batch axes (in the order given), then the free axes of `a`, then those of `b`.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind, ndim_of
from ..errors import ShapeError
from ..transforms.batching import bdim_to_front, shift_axes
from ._tangents import add_tangents, map_tangent
from .shape import transpose

SRC = "fgrad/primitives/linalg.py"
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def free_axes(ndim: int, contract, batch) -> list:
    return [i for i in range(ndim) if i not in contract and i not in batch]


def _dot_abstract(a, b, *, contract, batch):
    (ca, cb), (ba, bb) = contract, batch
    if len(ca) != len(cb) or len(ba) != len(bb) or any(
            a.shape[i] != b.shape[j] for i, j in zip(ca + ba, cb + bb)):
        raise ShapeError(f"matrix product: shapes {a.shape} and {b.shape} do not line up (contracting "
                         f"axes {contract[0]} of the first with {contract[1]} of the second); transpose or "
                         "reshape an operand so the contracted sizes match")
    if a.dtype != b.dtype:
        raise TypeError(f"dot_general: dtypes {a.dtype} and {b.dtype} differ")
    shape = ([a.shape[i] for i in ba] + [a.shape[i] for i in free_axes(a.ndim, ca, ba)]
             + [b.shape[i] for i in free_axes(b.ndim, cb, bb)])
    return Aval(shape, a.dtype)


def dot_general_impl(a, b, contract, batch):
    """Evaluate a dot_general with np.einsum (BLAS-backed through optimize=True)."""
    (ca, cb), (ba, bb) = contract, batch
    a_ids = list(_LETTERS[:ndim_of(a)])
    b_ids = list(_LETTERS[ndim_of(a):ndim_of(a) + ndim_of(b)])
    for i, j in zip(ca + ba, cb + bb):
        b_ids[j] = a_ids[i]
    out = ([a_ids[i] for i in ba] + [a_ids[i] for i in free_axes(ndim_of(a), ca, ba)]
           + [b_ids[j] for j in free_axes(ndim_of(b), cb, bb)])
    return np.einsum(f"{''.join(a_ids)},{''.join(b_ids)}->{''.join(out)}", a, b, optimize=True)


def _dot_emit(args, avals, *, contract, batch):
    (ca, cb), (ba, _) = contract, batch
    (a, b), (A, B) = args, avals
    if not ba and len(ca) == 1 and 1 <= A.ndim <= 2 and 1 <= B.ndim <= 2:
        left = a if ca[0] == A.ndim - 1 else f"{a}.T"
        right = b if cb[0] == 0 else f"{b}.T"
        return f"{left} @ {right}"
    if not ca and not ba:
        return f"np.multiply.outer({a}, {b})"
    return f"_dot_general({a}, {b}, {contract}, {batch})"


# xla: HIGHEST precision, because GPUs and TPUs would otherwise multiply float32 in lower precision
dot_general_p = Primitive("dot_general", abstract=_dot_abstract, source=SRC,
                          impl=lambda a, b, *, contract, batch: dot_general_impl(a, b, contract, batch),
                          numpy=_dot_emit, helpers={"_dot_general": dot_general_impl}, elementwise=False,
                          jax="lax.dot_general({0}, {1}, ({contract}, {batch}), "
                              "precision=lax.Precision.HIGHEST)")


@dot_general_p.def_vjp
def _dot_vjp(ct, a, b, out, *, contract, batch):
    (ca, cb), (ba, bb) = contract, batch
    a_free, b_free = free_axes(ndim_of(a), ca, ba), free_axes(ndim_of(b), cb, bb)
    nb, na = len(ba), len(a_free)
    ct_batch = tuple(range(nb))
    ct_afree, ct_bfree = tuple(range(nb, nb + na)), tuple(range(nb + na, nb + na + len(b_free)))
    # ct_a: contract ct's b-free axes with b's free axes; leftover b axes are its contracting ones
    ga = dot_general(ct, b, (ct_bfree, tuple(b_free)), (ct_batch, bb))
    a_axes = list(ba) + a_free + [ca[cb.index(j)] for j in sorted(cb)]
    # ct_b: contract a's free axes with ct's a-free axes (a first keeps matmul layouts untransposed)
    gb = dot_general(a, ct, (tuple(a_free), ct_afree), (ba, ct_batch))
    b_axes = list(bb) + [cb[ca.index(i)] for i in sorted(ca)] + b_free
    return [transpose(ga, [a_axes.index(i) for i in range(ndim_of(a))]),
            transpose(gb, [b_axes.index(i) for i in range(ndim_of(b))])]


@dot_general_p.def_batch
def _dot_batch(args, batched, *, size, contract, batch):
    # both batched: one more batch axis; one batched: its batch axis is a free axis of that operand
    (ca, cb), (ba, bb) = contract, batch
    a, b = args
    if all(batched):
        contract, batch, front = (shift_axes(ca), shift_axes(cb)), ((0,) + shift_axes(ba), (0,) + shift_axes(bb)), 0
    elif batched[0]:
        contract, batch, front = (shift_axes(ca), cb), (shift_axes(ba), bb), len(ba)
    else:
        front = len(ba) + len(free_axes(ndim_of(a), ca, ba))
        contract, batch = (ca, shift_axes(cb)), (ba, shift_axes(bb))
    product = dot_general if ca else _product_of_broadcasts
    return bdim_to_front(product(a, b, contract, batch), front)


def _product_of_broadcasts(a, b, contract, batch):
    """A dot_general that contracts nothing, as one multiplication of broadcast views (a batched
    outer product would otherwise reach np.einsum, which runs it without BLAS and slowly)."""
    from .elementwise import mul_p
    from .shape import broadcast_in_dim
    ba, bb = batch
    a_free, b_free = free_axes(ndim_of(a), (), ba), free_axes(ndim_of(b), (), bb)
    a, b = transpose(a, tuple(ba) + tuple(a_free)), transpose(b, tuple(bb) + tuple(b_free))
    shape = tuple(a.shape) + tuple(b.shape[len(bb):])
    nb, na = len(ba), len(a_free)
    return bind(mul_p, broadcast_in_dim(a, shape, range(nb + na)),
                broadcast_in_dim(b, shape, tuple(range(nb)) + tuple(range(nb + na, len(shape)))))


dot_general_p.def_jvp(lambda p, t, out, *, contract, batch: add_tangents(
    map_tangent(lambda u: dot_general(u, p[1], contract, batch), t[0]),
    map_tangent(lambda u: dot_general(p[0], u, contract, batch), t[1])))


def dot_general(a, b, contract, batch=((), ())):
    contract = (tuple(contract[0]), tuple(contract[1]))
    batch = (tuple(batch[0]), tuple(batch[1]))
    return bind(dot_general_p, a, b, contract=contract, batch=batch)

