"""fgrad.numpy's complex-number functions: real, imag, conj/conjugate, angle, real_if_close, iscomplex,
isreal, iscomplexobj, isrealobj.

As in jax.numpy, they accept real arrays too: `real` and `conj` of a real array are the array,
`imag` is zeros of its dtype. On traced arrays they record the primitives of
fgrad/primitives/complex.py, whose derivatives follow jax's convention.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Tracer
from ..primitives import complex as cx
from ..primitives._base import splat

complex64, complex128 = np.complex64, np.complex128


def _operand(x):
    """`x` as something with a dtype: tracers and arrays as they are, numbers as 0-d arrays."""
    if isinstance(x, (Tracer, np.ndarray, np.generic)):
        return x
    array = np.asarray(x)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"fgrad.numpy expects arrays or numbers, got {type(x).__name__} (dtype {array.dtype}); "
                        "pass numbers, e.g. np.asarray(values, complex)")
    return array


def iscomplexobj(x) -> bool:
    """Whether `x` has a complex dtype (whatever its values), as numpy.iscomplexobj.

    Args:
        x: an array, a number or a traced value.

    Returns:
        True when `x`'s dtype is complex; a Python bool, also for traced `x`.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.iscomplexobj(1j), fnp.iscomplexobj(fnp.ones(2))
        (True, False)
    """
    return _operand(x).dtype.kind == "c"


def isrealobj(x) -> bool:
    """Whether `x` does not have a complex dtype, as numpy.isrealobj.

    Args:
        x: an array, a number or a traced value.

    Returns:
        True when `x`'s dtype is not complex; a Python bool, also for traced `x`.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.isrealobj(2.0), fnp.isrealobj(1j)
        (True, False)
    """
    return not iscomplexobj(x)


def real(x):
    """The real part of `x` (a real `x` is returned as it is), as jax.numpy.real.

    Args:
        x: an array, a number or a traced value.

    Returns:
        The real parts, of `x`'s shape, in the matching real dtype.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.real(fnp.array([1 + 2j, 3 - 1j]))
        array([1., 3.])
    """
    x = _operand(x)
    return cx.real(x) if x.dtype.kind == "c" else x


def imag(x):
    """The imaginary part of `x` (zeros for a real `x`), as jax.numpy.imag.

    Args:
        x: an array, a number or a traced value.

    Returns:
        The imaginary parts, of `x`'s shape, in the matching real dtype.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.imag(fnp.array([1 + 2j, 3 - 1j]))
        array([ 2., -1.])
    """
    x = _operand(x)
    return cx.imag(x) if x.dtype.kind == "c" else splat(x, 0)


def conj(x):
    """The complex conjugate of `x` (a real `x` is returned as it is), as jax.numpy.conj.

    Args:
        x: an array, a number or a traced value.

    Returns:
        The conjugates, of `x`'s shape and dtype.

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.conj(fnp.array([1 + 2j]))
        array([1.-2.j])
    """
    x = _operand(x)
    return cx.conj(x) if x.dtype.kind == "c" else x


conjugate = conj


def angle(z, deg: bool = False):
    """The argument of each element of `z` in radians (degrees with `deg=True`), as jax.numpy.angle;
    integers are taken as float64.

    Args:
        z: an array, a number or a traced value.
        deg: return degrees rather than radians.

    Returns:
        The real angles in (-pi, pi], of `z`'s shape.

    Example:
        >>> import fgrad.numpy as fnp
        >>> float(fnp.angle(1j))
        1.5707963267948966
    """
    from . import astype
    z = _operand(z)
    if z.dtype.kind not in "fc":
        z = astype(z, np.float64)
    out = cx.angle(z)
    return out * (180 / math.pi) if deg else out


def real_if_close(a, tol=100):
    """`a`'s real part when every imaginary part is below `tol` machine epsilons (`tol` itself when
    it is below 1), else `a`, as numpy.real_if_close. The result's dtype depends on the values, so
    under jit a complex traced array raises ConcretizationError: take real() explicitly there.

    Args:
        a: an array or a traced value.
        tol: the tolerance, in machine epsilons when above 1, else absolute.

    Returns:
        `real(a)` or `a` itself.

    Raises:
        ConcretizationError: under jit, for a complex traced `a` (the dtype would depend on values).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.real_if_close(fnp.array([2.1 + 4e-14j, 5.2 + 3e-15j]), tol=1000)
        array([2.1, 5.2])
    """
    a = _operand(a)
    if a.dtype.kind != "c":
        return a
    if tol > 1:
        tol = tol * np.finfo(a.dtype).eps
    from . import abs as absolute
    from . import all as every
    return real(a) if bool(every(absolute(imag(a)) < tol)) else a


def iscomplex(x):
    """Elementwise: whether the imaginary part is nonzero (False for real dtypes), as numpy.iscomplex.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape (no derivative).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.iscomplex(fnp.array([1 + 1j, 1 + 0j]))
        array([ True, False])
    """
    x = _operand(x)
    return imag(x) != 0


def isreal(x):
    """Elementwise: whether the imaginary part is zero (True for real dtypes), as numpy.isreal.

    Args:
        x: an array, a number or a traced value.

    Returns:
        A bool array of `x`'s shape (no derivative).

    Example:
        >>> import fgrad.numpy as fnp
        >>> fnp.isreal(fnp.array([1 + 1j, 1 + 0j]))
        array([False,  True])
    """
    x = _operand(x)
    return imag(x) == 0
