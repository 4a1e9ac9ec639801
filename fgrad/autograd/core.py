"""autograd.core on fgrad: make_vjp, make_jvp, the rules of primitives (defvjp, defjvp, ...) and
vector spaces (VSpace, vspace).

make_vjp and make_jvp are fgrad.vjp and fgrad.jvp. A primitive's rules live on the primitive itself
(`_vjp_argnums`, `_jvp_argnums`, as autograd's `primitive_vjps[fun]` entries), and `PrimitiveRules`
gives them to the host_call equations that record it: reverse mode calls
`vjp_argnums(argnums, ans, args, kwargs)(g)`, forward mode `jvp_argnums(argnums, gs, ans, args,
kwargs)`, with traced values, so the rules are themselves traced.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from itertools import count

import numpy as np

import fgrad
import fgrad.numpy as fnp

from ..core import Tracer, aval_of, shape_of
from ..tree import tree_flatten, tree_unflatten
from . import tracer
from .tracer import _name, subvals
from .vspaces import VSpace, vspace

__all__ = ["make_vjp", "make_jvp", "defvjp", "defvjp_argnum", "defvjp_argnums", "defjvp", "defjvp_argnum",
           "defjvp_argnums", "def_linear", "primitive", "primitive_vjps", "primitive_jvps", "VSpace", "vspace"]


def _aval(x):
    return x.aval if isinstance(x, Tracer) else aval_of(np.asarray(x))


def make_vjp(fun: Callable, x) -> tuple:
    """`(vjp, fun(x))`, where `vjp(g)` is the cotangent of `x` for the output cotangent `g`.

    Example:
        >>> vjp, y = make_vjp(lambda x: x * 3.0, 2.0)
        >>> float(y), float(vjp(1.0))
        (6.0, 3.0)
    """
    out, pullback = fgrad.vjp(fun, x)
    if not any(_aval(v).is_float for v in tree_flatten(out)[0]):
        warnings.warn("Output seems independent of input.", stacklevel=2)
    return (lambda g: pullback(g)[0]), out


def make_jvp(fun: Callable, x) -> Callable:
    """`jvp(v) -> (fun(x), derivative of fun at x in the direction v)`.

    Example:
        >>> [float(v) for v in make_jvp(lambda x: x ** 2, 3.0)(1.0)]
        [9.0, 6.0]
    """
    return lambda v: fgrad.jvp(fun, (x,), (v,))


# --- the rules of primitives ----------------------------------------------------------------------

def _primitive_only(fun, what: str) -> None:
    if not getattr(fun, "_is_autograd_primitive", False):
        raise TypeError(f"{what} takes a function made with @primitive (fgrad.autograd.extend.primitive), "
                        f"got {_name(fun)}; wrap it first: fun = primitive(fun)")


def defvjp_argnums(fun: Callable, vjpmaker: Callable) -> None:
    """Set `vjpmaker(argnums, ans, args, kwargs) -> (g -> cotangents for argnums)` as `fun`'s rule.

    Example:
        >>> from fgrad.autograd import grad
        >>> twice = tracer.primitive(lambda x: 2.0 * x)
        >>> defvjp_argnums(twice, lambda argnums, ans, args, kwargs: lambda g: [2.0 * g])
        >>> float(grad(twice)(1.0))
        2.0
    """
    _primitive_only(fun, "defvjp_argnums")
    fun._vjp_argnums = vjpmaker


def defvjp_argnum(fun: Callable, vjpmaker: Callable) -> None:
    """Set `vjpmaker(argnum, ans, args, kwargs) -> (g -> cotangent)`, one argument at a time.

    Example:
        >>> from fgrad.autograd import grad
        >>> twice = tracer.primitive(lambda x: 2.0 * x)
        >>> defvjp_argnum(twice, lambda argnum, ans, args, kwargs: lambda g: 2.0 * g)
        >>> float(grad(twice)(1.0))
        2.0
    """
    def vjp_argnums(argnums, *args):
        vjps = [vjpmaker(argnum, *args) for argnum in argnums]
        return lambda g: [vjp(g) for vjp in vjps]
    defvjp_argnums(fun, vjp_argnums)


def defvjp(fun: Callable, *vjpmakers, argnums=None) -> None:
    """Set `fun`'s reverse-mode rules: `vjpmaker(ans, *args, **kwargs) -> (g -> cotangent)` for
    arguments 0, 1, ... (or for `argnums`); None: the argument has a zero derivative.

    Raises:
        NotImplementedError: later, when an argument without a rule is differentiated.

    Example:
        >>> import fgrad.autograd.numpy as np
        >>> from fgrad.autograd import grad
        >>> mul = tracer.primitive(lambda x, y: x * y)
        >>> defvjp(mul, lambda ans, x, y: lambda g: g * y, lambda ans, x, y: lambda g: g * x)
        >>> float(grad(mul, 1)(2.0, 3.0))
        2.0
    """
    makers = dict(zip(count() if argnums is None else argnums, vjpmakers))
    for maker in makers.values():
        if maker is not None and not callable(maker):
            raise TypeError(f"Bad VJP '{maker}' for '{_name(fun)}'")

    def vjp_argnums(argnums, ans, args, kwargs):
        missing = [k for k in argnums if k not in makers]
        if missing:
            raise NotImplementedError(f"VJP of {_name(fun)} wrt argnum{'s' * (len(missing) > 1)} "
                                      f"{', '.join(map(str, missing))} not defined")
        vjps = [None if makers[k] is None else makers[k](ans, *args, **kwargs) for k in argnums]
        return lambda g: [None if vjp is None else vjp(g) for vjp in vjps]
    defvjp_argnums(fun, vjp_argnums)


def defjvp_argnums(fun: Callable, jvpmaker: Callable) -> None:
    """Set `jvpmaker(argnums, gs, ans, args, kwargs) -> output tangent` as `fun`'s forward rule.

    Example:
        >>> from fgrad.autograd import deriv
        >>> twice = tracer.primitive(lambda x: 2.0 * x)
        >>> defjvp_argnums(twice, lambda argnums, gs, ans, args, kwargs: 2.0 * gs[0])
        >>> float(deriv(twice)(1.0))
        2.0
    """
    _primitive_only(fun, "defjvp_argnums")
    fun._jvp_argnums = jvpmaker


def _sum(parts) -> object:
    parts = [p for p in parts if p is not None]
    return None if not parts else parts[0] if len(parts) == 1 else sum(parts[1:], parts[0])


def defjvp_argnum(fun: Callable, jvpmaker: Callable) -> None:
    """Set `jvpmaker(argnum, g, ans, args, kwargs) -> tangent part`; the parts are summed.

    Example:
        >>> from fgrad.autograd import deriv
        >>> twice = tracer.primitive(lambda x: 2.0 * x)
        >>> defjvp_argnum(twice, lambda argnum, g, ans, args, kwargs: 2.0 * g)
        >>> float(deriv(twice)(1.0))
        2.0
    """
    defjvp_argnums(fun, lambda argnums, gs, ans, args, kwargs:
                   _sum(jvpmaker(k, g, ans, args, kwargs) for k, g in zip(argnums, gs)))


def _same(fun: Callable, k: int) -> Callable:
    """The forward rule of a function linear in argument `k`: the function on the tangent."""
    return lambda g, ans, *args, **kwargs: fun(*subvals(args, [(k, g)]), **kwargs)


def defjvp(fun: Callable, *jvpfuns, argnums=None) -> None:
    """Set `fun`'s forward-mode rules: `jvpfun(g, ans, *args, **kwargs) -> tangent part` for arguments
    0, 1, ... (or `argnums`); None: a zero derivative; "same": `fun` is linear in that argument.

    Example:
        >>> import fgrad.autograd.numpy as np
        >>> from fgrad.autograd import deriv
        >>> sin = tracer.primitive(np.sin)
        >>> defjvp(sin, lambda g, ans, x: g * np.cos(x))
        >>> float(deriv(sin)(0.0))
        1.0
    """
    rules = {}
    for k, rule in zip(count() if argnums is None else argnums, jvpfuns):
        if rule == "same":
            rule = _same(fun, k)
        elif rule is not None and not callable(rule):
            raise TypeError(f"Bad JVP '{rule}' for '{_name(fun)}'")
        rules[k] = rule

    def jvp_argnums(argnums, gs, ans, args, kwargs):
        missing = [k for k in argnums if k not in rules]
        if missing:
            raise NotImplementedError(f"JVP of {_name(fun)} wrt argnums {tuple(missing)} not defined")
        return _sum(None if rules[k] is None else rules[k](g, ans, *args, **kwargs) for k, g in zip(argnums, gs))
    defjvp_argnums(fun, jvp_argnums)


def def_linear(fun: Callable) -> None:
    """Declare `fun` linear in each argument: its forward rule is `fun` itself on the tangent.

    Example:
        >>> from fgrad.autograd import deriv
        >>> triple = tracer.primitive(lambda x: 3.0 * x)
        >>> def_linear(triple)
        >>> float(deriv(triple)(1.0))
        3.0
    """
    defjvp_argnum(fun, lambda k, g, ans, args, kwargs: _same(fun, k)(g, ans, *args, **kwargs))


class _RuleTable:
    """autograd's `primitive_vjps` / `primitive_jvps` dicts, reading the rules stored on primitives."""

    def __init__(self, attr: str):
        self.attr = attr

    def __contains__(self, fun) -> bool:
        return getattr(fun, self.attr, None) is not None

    def __getitem__(self, fun):
        if fun not in self:
            raise KeyError(fun)
        return getattr(fun, self.attr)

    def __setitem__(self, fun, rule) -> None:
        _primitive_only(fun, f"setting {self.attr.strip('_')}")
        setattr(fun, self.attr, rule)

    def get(self, fun, default=None):
        return self[fun] if fun in self else default

    def pop(self, fun, *default):
        if fun not in self:
            if default:
                return default[0]
            raise KeyError(fun)
        rule = self[fun]
        setattr(fun, self.attr, None)
        return rule


primitive_vjps = _RuleTable("_vjp_argnums")
primitive_jvps = _RuleTable("_jvp_argnums")


# --- how host_call equations differentiate a primitive ---------------------------------------------

def _fit(ct, primal):
    """A rule's cotangent or tangent `ct` as a value of `primal`'s type (None: zero)."""
    aval = _aval(primal)
    if ct is None or not aval.is_float:
        return None
    dtype = ct.dtype if isinstance(ct, Tracer) else np.result_type(ct)
    if dtype.kind == "c" and aval.dtype.kind != "c":
        ct = fnp.real(ct)
    if shape_of(ct) != aval.shape:
        ct = fnp.broadcast_to(ct, aval.shape)
    return fnp.asarray(ct, dtype=aval.dtype)


class PrimitiveRules:
    """The vjp and jvp of output leaf `index` of one call of a primitive (a `tracer._Site`)."""

    def __init__(self, site, index: int):
        self.site, self.index = site, index

    def _cotangent(self, ct):
        site = self.site
        leaves = [ct if k == self.index else np.zeros(a.shape, a.dtype) for k, a in enumerate(site.avals)]
        return tree_unflatten(site.tree, leaves)

    def vjp(self, ct, primals: list, out) -> list:
        site, layout = self.site, self.site.layout
        wanted = layout.split([need and _fit(0.0, p) is not None for p, need in zip(primals, site.needed)])
        wrt = tuple(k for k, flags in wanted.items() if any(flags))
        rule = site.prim._vjp_argnums
        if rule is None:
            raise NotImplementedError(f"VJP of {_name(site.prim)} wrt argnums {wrt} not defined")
        cts = rule(wrt, site.output_tree(primals, self.index, out), site.args(primals), site.kwargs)(
            self._cotangent(ct))
        by_arg = dict(zip(wrt, cts))
        flat = [c for k in wanted for c in layout.cotangents(k, by_arg.get(k))]
        return [_fit(c, p) if need else None for c, p, need in zip(flat, primals, site.needed)]

    def jvp(self, primals: list, tangents: list, out):
        site, layout = self.site, self.site.layout
        pairs = [(k, layout.tangent(k, ts)) for k, ts in layout.split(tangents).items()
                 if any(t is not None for t in ts)]
        if not pairs:
            return None
        rule = site.prim._jvp_argnums
        if rule is None:
            raise NotImplementedError(f"JVP of {_name(site.prim)} wrt argnums {tuple(k for k, _ in pairs)} "
                                      "not defined")
        argnums, gs = zip(*pairs)
        t_out = rule(argnums, list(gs), site.output_tree(primals, self.index, out), site.args(primals), site.kwargs)
        return _fit(None if t_out is None else tree_flatten(t_out)[0][self.index], out)


# --- autograd's deprecated ways of defining rules ----------------------------------------------------

_DEPRECATED = ("The {} method is deprecated. See the update guide and tutorial:\n"
               "https://github.com/HIPS/autograd/blob/master/docs/updateguide.md\n"
               "https://github.com/HIPS/autograd/blob/master/docs/tutorial.md")


def primitive(fun: Callable) -> Callable:
    """`fgrad.autograd.extend.primitive`, with autograd's deprecated methods `.defvjp(maker, argnum)`
    (`maker(g, ans, vs, gvs, *args)`), `.defgrad(maker, argnum)` and `.defvjp_is_zero(argnums)`.

    Example:
        >>> from fgrad.autograd import grad
        >>> import warnings
        >>> mul = primitive(lambda x, y: x * y)
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     mul.defgrad(lambda ans, x, y: lambda g: g * y)
        >>> float(grad(mul)(2.0, 3.0))
        3.0
    """
    wrapped = tracer.primitive(fun)
    makers: dict = {}

    def define(method: str, argnum: int, maker) -> None:
        warnings.warn(_DEPRECATED.format(method), stacklevel=3)
        makers[argnum] = maker
        keys = sorted(makers)
        defvjp(wrapped, *[makers[k] for k in keys], argnums=keys)

    def staged(maker, argnum):
        return lambda ans, *args, **kwargs: lambda g: maker(g, ans, vspace(args[argnum]), vspace(g), *args, **kwargs)

    wrapped.defvjp = lambda maker, argnum=0: define("defvjp", argnum, staged(maker, argnum))
    wrapped.defgrad = lambda maker, argnum=0: define("defgrad", argnum, maker)

    def defvjp_is_zero(argnums=(0,)):
        for k in argnums:
            define("defvjp_is_zero", k, None)
    wrapped.defvjp_is_zero = defvjp_is_zero
    return wrapped
