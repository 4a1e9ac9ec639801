"""Tensor's methods live in class bodies (Tensor's own or a base class's), never attached after import."""

from __future__ import annotations

import ast
import inspect

import fgrad.torch as torch
from fgrad.torch._methods import TensorMethods
from fgrad.torch._random_inplace import RandomMethods

AUTOMATIC = {"__module__", "__qualname__", "__doc__", "__slots__", "__dict__", "__weakref__", "__firstlineno__",
             "__static_attributes__", "__annotations__"}


def _body_names(cls: type) -> set[str]:
    """The names a class statement binds, read from its source."""
    (node,) = ast.parse(inspect.getsource(cls)).body
    names = set()
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.ClassDef)):
            names.add(stmt.name)
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, ast.AnnAssign) else []
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def test_every_attribute_of_tensor_and_its_bases_is_bound_in_a_class_body():
    for cls in (torch.Tensor, TensorMethods, RandomMethods):
        slots = set(getattr(cls, "__slots__", ()))
        attached = set(vars(cls)) - AUTOMATIC - slots - _body_names(cls)
        assert not attached, (cls.__name__, sorted(attached))


def test_the_methods_come_from_the_base_classes():
    assert TensorMethods in torch.Tensor.__mro__ and RandomMethods in torch.Tensor.__mro__
    for name in ("__add__", "__rmatmul__", "add_", "T", "sum", "view"):
        assert name in vars(TensorMethods), name
    for name in ("uniform_", "normal_", "bernoulli", "multinomial"):
        assert name in vars(RandomMethods), name
