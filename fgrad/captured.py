"""What a traced function reads from outside its arguments, and whether it still holds.

A compiled program is a promise that tracing the function again would give the same program. Besides
the arguments, a trace reads closure cells, globals, default values and the attributes of objects
those lead to; `Captured` records them right after a trace, and `Captured.holds()` checks each one
again before the program is reused. Values are compared by identity, so rebinding a name (`c = 2`,
`W = W - lr * g`) gives a retrace; Python scalars that are rebound to an equal value of the same type
(a new float object with the same bits) still count as the same.

NumPy arrays that the program references as constants (the function used them in fgrad operations)
are checked by identity only: the program reads the array object itself, so an array changed in place
(`X[:] = next_batch`) is read afresh by the next call without a retrace. Arrays the trace reached
but did not reference were read by NumPy itself (`X.sum()`, `if X[0] > 0`), so their values may be
folded into the program: their contents are compared with a copy taken at trace time.

What is walked: the function's code (the global names it and its nested code objects mention),
its closure cells and defaults; functions, bound methods, `functools.partial` objects and callable
objects found there, recursively; the items of lists, tuples and dicts; the attributes of plain
objects; and, for modules of the user's own code, the attributes the code names. Library modules
(NumPy, fgrad itself, anything installed) are checked by identity only. The walk is bounded:
beyond `MAX_ENTRIES` values the state is too large to check, and the program is never reused.
"""

from __future__ import annotations

import functools
import math
import os
import sys
import types

import numpy as np

MAX_ENTRIES = 5000        # values one function's captured state may hold and still be checked
MAX_DEPTH = 6             # nesting of functions, containers and objects followed
_MISSING = object()
_IMMUTABLE = (int, float, complex, bool, str, bytes, type(None), np.generic)
_OPAQUE = (np.ndarray, type, types.ModuleType, types.BuiltinFunctionType, types.CodeType)
_LIBRARY_ROOTS = tuple({os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
                       | {os.path.dirname(os.path.abspath(__file__))})
_user_module_memo: dict = {}


def _cell_get(cell, _key):
    try:
        return cell.cell_contents
    except ValueError:                    # an empty cell (a name assigned later in the outer scope)
        return _MISSING


def _item_get(container, key):
    try:
        return container[key]
    except (LookupError, TypeError):
        return _MISSING


def _attr_get(obj, name):
    return getattr(obj, name, _MISSING)


def _len_get(container, _key):
    try:
        return len(container)
    except TypeError:
        return _MISSING


def _same_contents(array, copy):
    """`array` itself while it holds what `copy` holds, else a marker that is never it."""
    if array.shape == copy.shape and array.dtype == copy.dtype and np.array_equal(
            array, copy, equal_nan=array.dtype.kind in "fc"):
        return array
    return _MISSING


def _same_scalar(old, new) -> bool:
    """Equal immutable scalars of one type, with the same sign of zero."""
    if type(old) is not type(new) or not isinstance(old, _IMMUTABLE):
        return False
    try:
        equal = bool(old == new)
    except (TypeError, ValueError):
        return False
    if isinstance(old, (float, np.floating)):
        return equal and math.copysign(1.0, old) == math.copysign(1.0, new)
    return equal


def _is_user_module(module: types.ModuleType) -> bool:
    """A module of the user's own code: not installed, not part of Python or fgrad."""
    name = module.__name__
    found = _user_module_memo.get(name)
    if found is None:
        path = getattr(module, "__file__", None)
        found = bool(path) and not os.path.abspath(path).startswith(_LIBRARY_ROOTS)
        if len(_user_module_memo) > 4096:
            _user_module_memo.clear()
        _user_module_memo[name] = found
    return found


def _code_names(code: types.CodeType, out: set) -> set:
    out.update(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code_names(const, out)
    return out


class Captured:
    """The outside state a function read during its trace, re-checked by `holds()`."""

    __slots__ = ("entries", "complete", "quick")

    def __init__(self, fun, extra=(), referenced=()):
        walker = _Walker(referenced)
        try:
            walker.walk_callable(fun, 0)
            for obj in extra:
                walker.walk_value(obj, 0)
            walker.attributes()
            self.complete = True
        except _TooLarge:
            self.complete = False
        self.entries: list = walker.entries     # (getter, holder, key, value seen at trace time)
        # quick(): True when every recorded value is still the very object the trace saw (False
        # means "ask holds()"); called directly before each reuse of a program, so one call only
        self.quick = _identity_check(self.entries)

    def holds(self) -> bool:
        """Whether everything recorded still has the value the trace saw."""
        return self.quick() or self._holds_slowly()

    def _holds_slowly(self) -> bool:
        """Some value is not the very object the trace saw: equal scalars still hold (and are
        compared by identity from now on)."""
        if not self.complete:
            return False
        entries = self.entries
        for k, (get, holder, key, value) in enumerate(entries):
            now = get(holder, key)
            if now is not value:
                if not _same_scalar(value, now):
                    return False
                entries[k] = (get, holder, key, now)
        self.quick = _identity_check(entries)
        return True

    def changed(self) -> str | None:
        """A description of the first recorded value that no longer holds (for cache explanations)."""
        if not self.complete:
            return f"the function reads more outside state than fgrad checks ({MAX_ENTRIES} values)"
        for get, holder, key, value in self.entries:
            now = get(holder, key)
            if now is not value and not _same_scalar(value, now):
                return f"{_describe(get, holder, key)} changed since the trace"
        return None


FAST_CHECK_ENTRIES = 256    # up to this many values, the identity checks are one generated expression


def _identity_check(entries: list):
    """A function returning whether every entry is still the identical object. It runs before
    every call of a cached program, so for a modest number of entries it is generated as one
    expression (`h0[k0] is v0 and h1.cell_contents is v1 ...`); only generated names appear in its
    source: holders, keys and values are in its namespace."""
    if len(entries) > FAST_CHECK_ENTRIES:
        return lambda: False                    # always take the loop in _holds_slowly
    namespace: dict = {}
    terms = []
    for i, (get, holder, key, value) in enumerate(entries):
        namespace[f"h{i}"], namespace[f"k{i}"], namespace[f"v{i}"], namespace[f"g{i}"] = holder, key, value, get
        if get is _item_get:
            terms.append(f"h{i}[k{i}] is v{i}")
        elif get is _cell_get:
            terms.append(f"h{i}.cell_contents is v{i}")
        else:
            terms.append(f"g{i}(h{i}, k{i}) is v{i}")
    # a name deleted or a cell emptied since is not the same object: False, and holds() says why
    source = ("def check():\n    try:\n        return " + (" and ".join(terms) or "True") +
              "\n    except (LookupError, ValueError, TypeError):\n        return False\n")
    exec(compile(source, "<fgrad-captured-check>", "exec"), namespace)  # noqa: S102 - generated names only
    return namespace["check"]


class _Walker:
    """Collects the entries of a `Captured`. Attributes of objects are recorded only when some code
    reached by the walk names them (`self.scale` puts "scale" among the code's names), so a counter
    the function never reads does not force retraces."""

    def __init__(self, referenced=()):
        self.entries: list = []
        self.referenced = set()           # ids of the arrays the program reads afresh, and their bases
        for array in referenced:
            while isinstance(array, np.ndarray):
                self.referenced.add(id(array))
                array = array.base
        self.names: set = set()
        self.objects: dict = {}            # id -> (object, depth, attribute names recorded)
        self.seen: set = set()

    def record(self, get, holder, key, depth: int) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            raise _TooLarge
        value = get(holder, key)
        self.entries.append((get, holder, key, value))
        if type(value) is np.ndarray and id(value) not in self.referenced and id(value) not in self.seen:
            # read by NumPy itself during the trace (X.sum(), X[0] > 0): its values may be folded
            # into the program, so a change of its contents is a change
            self.seen.add(id(value))
            self.entries.append((_same_contents, value, value.copy(), value))
        elif value is not _MISSING:
            self.walk_value(value, depth + 1)

    def walk_value(self, value, depth: int) -> None:
        if depth > MAX_DEPTH or isinstance(value, _IMMUTABLE) or isinstance(value, (np.ndarray, type)):
            return
        if id(value) in self.seen:
            return
        self.seen.add(id(value))
        if isinstance(value, types.ModuleType):
            if _is_user_module(value):
                self.objects[id(value)] = (value, depth, set())
        elif isinstance(value, (list, tuple)):
            self.record(_len_get, value, None, depth)
            for i in range(len(value)):
                self.record(_item_get, value, i, depth)
        elif isinstance(value, dict):
            self.record(_len_get, value, None, depth)
            for key in list(value):
                self.record(_item_get, value, key, depth)
        elif callable(value):
            self.walk_callable(value, depth)
        elif type(value).__module__.partition(".")[0] != "fgrad":
            self.objects[id(value)] = (value, depth, set())

    def walk_callable(self, fun, depth: int) -> None:
        if depth > MAX_DEPTH or isinstance(fun, _OPAQUE):
            return
        self.seen.add(id(fun))
        if isinstance(fun, types.MethodType):
            self.record(_attr_get, fun, "__self__", depth)
            fun = fun.__func__
        if isinstance(fun, functools.partial):
            for name in ("func", "args", "keywords"):
                self.record(_attr_get, fun, name, depth)
        elif isinstance(fun, types.FunctionType):
            self.walk_function(fun, depth)
        else:                              # a callable object: its state and its __call__
            if getattr(fun, "__wrapped__", None) is not None:   # fgrad's transforms, functools.wraps
                self.record(_attr_get, fun, "__wrapped__", depth)
            if type(fun).__module__.partition(".")[0] == "fgrad":
                return                     # fgrad's own state (caches, counters) is not the user's
            self.objects[id(fun)] = (fun, depth, set())
            call = vars(type(fun)).get("__call__")
            if isinstance(call, types.FunctionType):
                self.walk_function(call, depth + 1)

    def walk_function(self, fun: types.FunctionType, depth: int) -> None:
        for name in ("__defaults__", "__kwdefaults__"):
            if getattr(fun, name) is not None:
                self.record(_attr_get, fun, name, depth)
        for cell in fun.__closure__ or ():
            self.record(_cell_get, cell, None, depth)
        names = _code_names(fun.__code__, set())
        self.names |= names
        glob = fun.__globals__
        for name in sorted(names):
            if name in glob:
                self.record(_item_get, glob, name, depth)

    def attributes(self) -> None:
        """Record the attributes code names on the objects found, until no new one appears (an
        attribute's value may be a function naming further attributes)."""
        grew = True
        while grew:
            grew = False
            for obj, depth, done in list(self.objects.values()):
                attrs = getattr(obj, "__dict__", None)
                if not isinstance(attrs, dict):
                    continue
                for name in [n for n in self.names if n not in done]:
                    done.add(name)
                    if name in attrs:
                        grew = True
                        self.record(_attr_get, obj, name, depth)
                    elif not isinstance(obj, types.ModuleType):
                        grew |= self.class_attribute(type(obj), name, depth)

    def class_attribute(self, cls: type, name: str, depth: int) -> bool:
        """Record a method or class attribute that code names (`self.helper(x)`, `self.SCALE`);
        a method's own code is walked for what it reads."""
        for klass in cls.__mro__:
            found = vars(klass).get(name, _MISSING)
            if found is _MISSING:
                continue
            if klass.__module__ == "builtins":
                return False
            self.record(_attr_get, klass, name, depth)
            if isinstance(getattr(found, "fget", None), types.FunctionType):   # a property
                self.walk_function(found.fget, depth + 1)
            return True
        return False


class _TooLarge(Exception):
    """Internal: the captured state exceeds MAX_ENTRIES."""


def _describe(get, holder, key) -> str:
    if get is _cell_get:
        return "a closed-over variable"
    if get is _item_get and isinstance(holder, dict) and "__name__" in holder and isinstance(key, str):
        return f"the global {key!r}"
    if get is _attr_get:
        return f"the attribute {key!r} of a {type(holder).__name__}"
    if get is _len_get:
        return f"the length of a {type(holder).__name__}"
    return f"an item of a {type(holder).__name__}"
