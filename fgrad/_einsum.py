"""einsum on traced arrays: sums over private letters, then pairwise dot_general, then a transpose."""

from __future__ import annotations

import numpy as np

from . import numpy as fnp
from .primitives import linalg, shape


def _parse(subscripts: str, count: int) -> tuple[list[str], str]:
    subscripts = subscripts.replace(" ", "")
    if "..." in subscripts:
        raise NotImplementedError("einsum with '...' is not supported yet; write the axes out")
    ins, _, out = subscripts.partition("->")
    specs = ins.split(",")
    if len(specs) != count:
        raise ValueError(f"einsum: {subscripts!r} names {len(specs)} operand(s) but {count} were given")
    if "->" not in subscripts:
        letters = "".join(specs)
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for spec in specs:
        if len(set(spec)) != len(spec):
            raise NotImplementedError(f"einsum: repeated letters in one operand ({spec!r}) are not supported")
    return specs, out


def _sum_private(x, spec: str, keep: set) -> tuple:
    """Sum away the letters of `spec` that nothing else needs."""
    axes = tuple(i for i, c in enumerate(spec) if c not in keep)
    if not axes:
        return x, spec
    return fnp.sum(x, axis=axes), "".join(c for c in spec if c in keep)


def einsum(subscripts: str, *operands):
    specs, out = _parse(subscripts, len(operands))
    dtype = fnp.result_type(*operands)
    ops = [fnp.astype(fnp._as_operand(o), dtype) for o in operands]
    for op, spec in zip(ops, specs):
        if np.ndim(op) != len(spec):
            raise ValueError(f"einsum: operand of shape {np.shape(op)} does not match {spec!r}")
    later = lambda k: set(out).union(*specs[k + 1:])  # noqa: E731
    cur, cur_spec = _sum_private(ops[0], specs[0], later(0))
    for k in range(1, len(ops)):
        op, spec = _sum_private(ops[k], specs[k], later(k) | set(cur_spec))
        keep = later(k)
        shared = [c for c in cur_spec if c in spec]
        batch = [c for c in shared if c in keep]
        contract = [c for c in shared if c not in keep]
        cur = linalg.dot_general(cur, op, ([cur_spec.index(c) for c in contract], [spec.index(c) for c in contract]),
                                 ([cur_spec.index(c) for c in batch], [spec.index(c) for c in batch]))
        cur_spec = "".join(batch) + "".join(c for c in cur_spec if c not in shared) \
            + "".join(c for c in spec if c not in shared)
    cur, cur_spec = _sum_private(cur, cur_spec, set(out))
    return shape.transpose(cur, [cur_spec.index(c) for c in out])
