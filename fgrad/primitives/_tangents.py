"""Helpers for jvp rules, where a tangent is None when it is a symbolic zero.

A rule is called only when at least one of its tangents is not None, so rules of one-operand
primitives can use their tangent as is; the helpers below keep the symbolic zeros of the others
from ever becoming arrays.
"""

from __future__ import annotations

from collections.abc import Callable

from ._base import splat


def add_tangents(*tangents):
    """The sum of the tangents that are not symbolic zeros; None when all of them are.

    Example:
        >>> add_tangents(None, 2.0, None, 3.0)
        5.0
    """
    present = [t for t in tangents if t is not None]
    if not present:
        return None
    total = present[0]
    for t in present[1:]:
        total = total + t
    return total


def map_tangent(fn: Callable, t):
    """`fn(t)`, or a symbolic zero (None) when `t` is one: for rules linear in an operand.

    Example:
        >>> map_tangent(lambda t: t * 2.0, None) is None
        True
    """
    return None if t is None else fn(t)


def or_zeros(t, like):
    """`t`, or zeros shaped like `like` (in its trace) where an operand needs an actual array."""
    return splat(like, 0) if t is None else t


def nondiff_vjp(ct, *primals, out, **params):
    """The vjp rule of a primitive without a derivative: no cotangent for any operand."""
    return [None] * len(primals)


def nondiff_jvp(primals, tangents, *, out, **params):
    """The rule of a primitive without a derivative (boolean, integer or piecewise constant)."""
    return None


def jvp_from_vjp(vjp: Callable) -> Callable:
    """The jvp rule of an elementwise primitive from its vjp rule.

    An elementwise Jacobian is diagonal, so the vjp with cotangent `t_i` is `t_i` times the partial
    derivative in operand `i`: the conventions at singular points live in one place, the vjp rule.
    """
    def rule(primals, tangents, *, out, **params):
        return add_tangents(*(map_tangent(lambda t, i=i: vjp(t, *primals, out=out, **params)[i], t)
                              for i, t in enumerate(tangents)))
    return rule
