"""autograd.util: `subvals`, `subval`, `func` and the deprecated `quick_grad_check`."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from .tracer import subvals as subvals


def subval(x: tuple, i: int, v) -> tuple:
    """`x` with item `i` replaced by `v`.

    Example:
        >>> subval((1, 2), 1, 5)
        (1, 5)
    """
    return subvals(x, [(i, v)])


def func(f: Callable) -> Callable:
    """`f` itself (autograd uses it to name a method as a function).

    Example:
        >>> func(len) is len
        True
    """
    return f


def quick_grad_check(fun: Callable, arg0, extra_args: tuple = (), kwargs: dict | None = None, verbose: bool = True,
                     eps: float = 1e-4, rtol: float = 1e-4, atol: float = 1e-6, rs=None) -> None:
    """Deprecated: check_grads(fun, modes=["rev"], order=1) on `fun(arg0, *extra_args, **kwargs)`.

    Example:
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     quick_grad_check(lambda x, y: x ** 2 + y, 1.0, (2.0,))
    """
    from .test_util import check_grads
    warnings.warn("The quick_grad_check function is deprecated. See the update guide:\n"
                  "https://github.com/HIPS/autograd/blob/master/docs/updateguide.md", stacklevel=2)
    check_grads(lambda x: fun(x, *extra_args, **(kwargs or {})), modes=["rev"], order=1)(arg0)
