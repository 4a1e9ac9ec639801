"""autograd.wrap_util: `unary_to_nary` turns an operator on one-argument functions into one that
differentiates a many-argument function with respect to `argnum` (an int, or a tuple of them)."""

from __future__ import annotations

from collections.abc import Callable

from .tracer import subvals


def _get_name(fun) -> str:
    return getattr(fun, "__name__", "[unknown name]")


def wraps(fun: Callable, namestr: str = "{fun}", docstr: str = "{doc}", **kwargs) -> Callable:
    """A decorator giving the decorated function a name and docstring made from `fun`'s.

    Example:
        >>> @wraps(len, "size_of_{fun}")
        ... def f(x):
        ...     return 0
        >>> f.__name__
        'size_of_len'
    """
    def _wraps(f):
        try:
            f.__name__ = namestr.format(fun=_get_name(fun), **kwargs)
            f.__doc__ = docstr.format(fun=_get_name(fun), doc=getattr(fun, "__doc__", "") or "", **kwargs)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError):
            pass                       # a builtin or a format string that does not fit: keep its own
        return f
    return _wraps


def unary_to_nary(unary_operator: Callable) -> Callable:
    """`unary_operator(fun, x, *op_args)` made to take `(fun, argnum=0, *op_args)` and return a
    function of all of `fun`'s arguments.

    Raises:
        TypeError: when argnum is not an int, a tuple or a list.

    Example:
        >>> @unary_to_nary
        ... def at(fun, x):
        ...     return fun(x)
        >>> at(lambda a, b: a - b, 1)(10, 3)
        7
    """
    def nary_operator(fun, argnum=0, *nary_op_args, **nary_op_kwargs):
        if type(argnum) not in (int, tuple, list):
            raise TypeError(f"argnum must be an int or a tuple of ints, got {argnum!r}")

        @wraps(fun, "{op}_of_{fun}_wrt_argnum_{argnum}",
               "    {op} of function {fun} with respect to argument number {argnum}. Takes the same\n"
               "    arguments as {fun} but returns the {op}.\n", op=_get_name(unary_operator), argnum=argnum)
        def nary_f(*args, **kwargs):
            @wraps(fun)
            def unary_f(x):
                pairs = [(argnum, x)] if isinstance(argnum, int) else zip(argnum, x)
                return fun(*subvals(args, pairs), **kwargs)
            x = args[argnum] if isinstance(argnum, int) else tuple(args[i] for i in argnum)
            return unary_operator(unary_f, x, *nary_op_args, **nary_op_kwargs)
        return nary_f
    return wraps(unary_operator)(nary_operator)
