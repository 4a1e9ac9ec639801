"""Matrix functions: expm, the matrix exponential of each square matrix in a stack.

Its derivatives come from the exponential itself (Mathias 1996): the Fréchet derivative of expm at
A in direction E is the upper right block of expm([[A, E], [0, A]]), and the vjp is the same with
Aᵀ, so the derivative of every order is again an expm.
"""

from __future__ import annotations

import numpy as np

from ..core import Aval, Primitive, bind
from ._matrix import float_dtype, fnp, mT, square_matrices, with_batch

SRC = "fgrad/primitives/matfun.py"

# Higham (2005): Padé degree 13 with scaling and squaring
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_one(a):
    norm = np.linalg.norm(a, 1)
    squarings = max(0, int(np.ceil(np.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    a = a / 2.0 ** squarings
    b, eye = _PADE13, np.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    r = np.linalg.solve(v - u, v + u)
    for _ in range(squarings):
        r = r @ r
    return r.astype(a.dtype)


def _expm_impl(a):
    flat = a.reshape((-1,) + a.shape[-2:])
    return np.stack([_expm_one(m) for m in flat]).reshape(a.shape) if flat.shape[0] else a.copy()


def _expm_abstract(a):
    square_matrices("expm", a)
    return Aval(a.shape, float_dtype("expm", a))


expm_p = Primitive("expm", abstract=_expm_abstract, impl=_expm_impl, source=SRC, numpy="_expm({0})",
                   helpers={"_expm": _expm_impl},
                   jax="jax.scipy.linalg.expm({0})")


def _frechet(a, e):
    """The derivative of expm at `a` in direction `e`: a block of the exponential of a block matrix."""
    n = a.shape[-1]
    top = fnp().concatenate([a, e], axis=-1)
    bottom = fnp().concatenate([fnp().zeros_like(a), a], axis=-1)
    return expm(fnp().concatenate([top, bottom], axis=-2))[..., :n, n:]


expm_p.def_vjp(lambda ct, a, out: [_frechet(mT(a), ct)])
expm_p.def_jvp(lambda p, t, *, out: _frechet(p[0], t[0]))
expm_p.def_batch(with_batch(expm_p))


def expm(a):
    """The matrix exponential of each square matrix."""
    return bind(expm_p, a)
