"""Pytrees: nested lists, tuples, dicts, namedtuples and None, plus registered node types.

Leaves are everything else (arrays, numbers, tracers). Dict keys are visited in sorted order, as in
JAX, so `{"b": .., "a": ..}` and `{"a": .., "b": ..}` flatten alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .errors import user_location


class _NodeType(NamedTuple):
    flatten: Callable[[Any], tuple[list, Any]]      # node -> (children, aux data)
    unflatten: Callable[[Any, list], Any]           # (aux data, children) -> node


_REGISTRY: dict[type, _NodeType] = {}


def register_pytree_node(nodetype: type, flatten: Callable, unflatten: Callable) -> None:
    """Register a container type: `flatten(node) -> (children, aux)`, `unflatten(aux, children)`.

    Afterwards every transform treats instances of `nodetype` as nodes whose children are pytrees
    (so a dataclass of parameters gets a gradient of the same class). `aux` is static data: it is
    part of the structure (and of compile-cache keys), so it should be hashable and small.

    Args:
        nodetype: the class to register (exact type; subclasses are not included).
        flatten: `node -> (children, aux)` with `children` a list or tuple.
        unflatten: `(aux, children) -> node`, the inverse of `flatten`.

    Returns:
        None; the registration is global to the process, as in JAX.

    Example:
        >>> class Pair:
        ...     def __init__(self, a, b): self.a, self.b = a, b
        >>> register_pytree_node(Pair, lambda p: ([p.a, p.b], None), lambda _, c: Pair(*c))
    """
    _REGISTRY[nodetype] = _NodeType(flatten, unflatten)


register_pytree_node(tuple, lambda t: (list(t), None), lambda _, c: tuple(c))
register_pytree_node(list, lambda t: (t, None), lambda _, c: list(c))
register_pytree_node(type(None), lambda t: ([], None), lambda _, c: None)


def sorted_keys(d: dict) -> tuple:
    """The keys of `d` in the order pytrees visit them: sorted, as in JAX; keys of mixed types
    (`{1: .., "a": ..}`, which JAX cannot sort) are grouped by type name first.

    Args:
        d: a dict inside a pytree.

    Returns:
        A tuple of `d`'s keys in visiting order.

    Raises:
        ValueError: keys of one type cannot be ordered (for example two different objects without `<`).

    Example:
        >>> sorted_keys({"b": 1, "a": 2, 3: 0})
        (3, 'a', 'b')
    """
    if len(d) < 2:
        return tuple(d)
    try:
        return tuple(sorted(d))
    except TypeError:
        pass
    try:
        return tuple(sorted(d, key=lambda k: (type(k).__qualname__, k)))
    except TypeError:
        raise ValueError(f"the keys of a dict in a pytree cannot be sorted ({[type(k).__name__ for k in d]}); "
                         "fgrad visits dict keys in sorted order, as JAX does: use keys of one orderable "
                         "type, such as strings") from None


def _dict_flatten(d: dict):
    keys = sorted_keys(d)
    return [d[k] for k in keys], keys


register_pytree_node(dict, _dict_flatten, lambda keys, c: dict(zip(keys, c)))


class TreeDef:
    """The structure of a pytree with its leaves taken out; hashable, compared by structure."""

    __slots__ = ("kind", "aux", "children", "num_leaves", "_hash")

    def __init__(self, kind, aux, children: tuple):
        self.kind, self.aux, self.children = kind, aux, children
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in children)
        self._hash = hash((kind, _hashable(aux), children))

    def __eq__(self, other):
        return (self is other or isinstance(other, TreeDef) and self._hash == other._hash
                and self.kind == other.kind and _same_aux(self.aux, other.aux) and self.children == other.children)

    def __hash__(self):
        return self._hash

    def __repr__(self):
        if self.kind is None:
            return "*"
        inner = ", ".join(map(repr, self.children))
        return f"{self.kind.__name__}({inner})" if self.aux is None else f"{self.kind.__name__}[{self.aux}]({inner})"


def _hashable(aux):
    """A hashable stand-in for a custom node's aux data (which may be a dict or a list)."""
    try:
        hash(aux)
        return aux
    except TypeError:
        pass
    if isinstance(aux, dict):
        return ("dict", tuple((_hashable(k), _hashable(v)) for k, v in aux.items()))
    if isinstance(aux, (list, tuple)):
        return ("seq", tuple(_hashable(v) for v in aux))
    return ("id", id(aux))


def _same_aux(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):        # arrays in aux data: only the same object is the same
        return False


LEAF = TreeDef(None, None, ())


def _node_type(x) -> _NodeType | None:
    t = type(x)
    found = _REGISTRY.get(t)
    if found is None and isinstance(x, tuple) and hasattr(t, "_fields"):
        found = _NodeType(lambda nt: (list(nt), None), lambda _, c, t=t: t(*c))
        _REGISTRY[t] = found
    return found


# Flattening runs on every call of a transformed function, so it builds only a cheap hashable
# structure key per node; TreeDef objects are made once per distinct key and then looked up.
_TREEDEFS: dict = {}
MAX_TREEDEFS = 4096


def _key(x, leaves: list):
    t = type(x)
    if t in LEAF_TYPES:
        leaves.append(x)
        return None
    if t is tuple or t is list:
        return (t, tuple([_key(c, leaves) for c in x]))
    if t is dict:
        keys = sorted_keys(x)
        return (t, keys, tuple([_key(x[k], leaves) for k in keys]))
    node = _node_type(x)
    if node is None:
        leaves.append(x)
        return None
    children, aux = _flatten_node(node, x)
    return (t, aux, tuple([_key(c, leaves) for c in children]))


def _flatten_node(node: _NodeType, x) -> tuple:
    """A registered node's (children, aux data), checked: a wrong shape is the flatten
    function's mistake, named as such rather than an unpacking error deep inside fgrad."""
    result = node.flatten(x)
    if not (isinstance(result, (tuple, list)) and len(result) == 2 and isinstance(result[0], (list, tuple))):
        raise TypeError(f"the flatten function registered for {type(x).__name__} returned {type(result).__name__}"
                        f"{' of length ' + str(len(result)) if isinstance(result, (tuple, list)) else ''}; "
                        "it must return a pair (children, aux_data) with children a list or tuple")
    return result


# types that are always leaves, tested by exact type on the hot path
LEAF_TYPES = frozenset({float, int, bool, complex, str, np.ndarray, np.float64, np.float32, np.int64, np.bool_})


def _treedef(key) -> TreeDef:
    if key is None:
        return LEAF
    if key[0] is dict:
        return TreeDef(dict, key[1], tuple(_treedef(c) for c in key[2]))
    if len(key) == 2:
        return TreeDef(key[0], None, tuple(_treedef(c) for c in key[1]))
    return TreeDef(key[0], key[1], tuple(_treedef(c) for c in key[2]))


def tree_flatten(tree) -> tuple[list, TreeDef]:
    """Split a pytree into its leaves and its structure.

    Lists, tuples, dicts (keys in sorted order), namedtuples, None and registered types are nodes;
    everything else (arrays, numbers, strings, tracers) is a leaf. None is a node with no leaves.

    Args:
        tree: any pytree.

    Returns:
        `(leaves, treedef)`: the leaves in flattening order, and a hashable structure for `tree_unflatten`.

    Raises:
        ValueError: a dict's keys cannot be sorted.
        TypeError: a registered type's flatten function does not return `(children, aux)`.

    Example:
        >>> tree_flatten({"w": 1.0, "b": (2.0, None)})[0]
        [2.0, 1.0]
    """
    leaves: list = []
    key = _key(tree, leaves)
    try:
        td = _TREEDEFS.get(key)
    except TypeError:                    # unhashable aux data in a custom node
        return leaves, _treedef(key)
    if td is None:
        if len(_TREEDEFS) >= MAX_TREEDEFS:   # bounded: structures seen once (fresh dict keys) are dropped
            _TREEDEFS.clear()
        td = _TREEDEFS[key] = _treedef(key)
    return leaves, td


def tree_unflatten(treedef: TreeDef, leaves) -> Any:
    """Rebuild a pytree from `tree_flatten`'s structure and a sequence of leaves.

    Args:
        treedef: a structure returned by `tree_flatten`.
        leaves: the new leaves, in flattening order, one per leaf of `treedef`.

    Returns:
        A pytree with `treedef`'s structure and the given leaves.

    Raises:
        ValueError: the number of leaves is not the structure's.

    Example:
        >>> leaves, tdef = tree_flatten([1, (2, 3)])
        >>> tree_unflatten(tdef, [10, 20, 30])
        [10, (20, 30)]
    """
    if not isinstance(leaves, (list, tuple)):
        leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(f"tree_unflatten: the structure has {treedef.num_leaves} leaves, got {len(leaves)} "
                         f"({user_location()})")
    return _unflatten(treedef, iter(leaves))


def _unflatten(td: TreeDef, it) -> Any:
    if td.kind is None:
        return next(it)
    children = [_unflatten(c, it) for c in td.children]
    return _REGISTRY[td.kind].unflatten(td.aux, children)


def leaf_paths(treedef: TreeDef) -> list[str]:
    """A readable path for each leaf of `treedef`, in flattening order: `[0]`, `['w']`, `.field`.

    Error messages use these paths to say which input leaf is wrong.

    Args:
        treedef: a structure returned by `tree_flatten`.

    Returns:
        A list of strings, one per leaf.

    Example:
        >>> leaf_paths(tree_flatten({"w": 1.0, "b": (2.0, 3.0)})[1])
        ["['b'][0]", "['b'][1]", "['w']"]
    """
    paths: list[str] = []
    _paths(treedef, "", paths)
    return paths


def _paths(td: TreeDef, prefix: str, out: list) -> None:
    if td.kind is None:
        out.append(prefix)
        return
    if td.kind is dict:
        labels = [f"[{k!r}]" for k in td.aux]
    elif td.kind in (tuple, list):
        labels = [f"[{i}]" for i in range(len(td.children))]
    else:
        fields = getattr(td.kind, "_fields", None)
        labels = [f".{f}" for f in fields] if fields else [f"<{td.kind.__name__} child {i}>"
                                                               for i in range(len(td.children))]
    for label, child in zip(labels, td.children):
        _paths(child, prefix + label, out)


def tree_leaves(tree) -> list:
    """The leaves of a pytree, in flattening order.

    Args:
        tree: any pytree.

    Returns:
        The list of leaves, as `tree_flatten(tree)[0]`.

    Example:
        >>> tree_leaves({"w": [1.0, 2.0], "b": None})
        [1.0, 2.0]
    """
    return tree_flatten(tree)[0]


def tree_map(f: Callable, tree, *rest) -> Any:
    """Apply `f` to every leaf (and the matching leaves of `rest`), keeping the structure.

    Args:
        f: called as `f(leaf, *matching_leaves_of_rest)` for each leaf of `tree`.
        tree: the pytree whose structure the result has.
        *rest: more pytrees of the same structure as `tree`.

    Returns:
        A pytree shaped like `tree` holding `f`'s results.

    Raises:
        ValueError: a pytree in `rest` has a different structure from `tree`.

    Example:
        >>> tree_map(lambda x: 2 * x, {"a": 1, "b": [2, 3]})
        {'a': 2, 'b': [4, 6]}
    """
    leaves, td = tree_flatten(tree)
    others = []
    for r in rest:
        r_leaves, r_td = tree_flatten(r)
        if r_td != td:
            raise ValueError(f"tree_map: pytree structures differ: {td} vs {r_td}")
        others.append(r_leaves)
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])
