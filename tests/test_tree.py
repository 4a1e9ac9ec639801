"""fgrad.tree against jax.tree_util: flattening order, rebuilding, and the leaf-count check."""

from __future__ import annotations

import jax
import pytest

from fgrad.tree import tree_flatten, tree_map, tree_unflatten

TREES = [[1, (2, 3)], {"b": 1, "a": [2, {"c": 3}]}, (1,), [], {"x": None, "y": (4, 5)}]


@pytest.mark.parametrize("tree", TREES, ids=range(len(TREES)))
def test_leaves_order_and_rebuild_match_jax(tree):
    leaves, tdef = tree_flatten(tree)
    assert leaves == jax.tree_util.tree_leaves(tree)
    assert tree_unflatten(tdef, [2 * v for v in leaves]) == jax.tree_util.tree_map(lambda v: 2 * v, tree)
    assert tree_map(lambda v: v + 1, tree) == jax.tree_util.tree_map(lambda v: v + 1, tree)


@pytest.mark.parametrize("count", [2, 4])
def test_a_wrong_number_of_leaves_is_a_value_error(count):
    _, tdef = tree_flatten([1, (2, 3)])
    with pytest.raises(ValueError, match=f"3 leaves, got {count} .*test_tree.py"):
        tree_unflatten(tdef, list(range(count)))


def test_an_iterator_of_leaves_is_accepted():
    _, tdef = tree_flatten({"a": 1, "b": 2})
    assert tree_unflatten(tdef, iter([5, 6])) == {"a": 5, "b": 6}
