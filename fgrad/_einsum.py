"""einsum on traced arrays: NumPy's subscripts (a string or the interleaved form), lowered to
diagonals (a gather), sums, pairwise dot_general and a final transpose.

Labels are ints: letters number as NumPy numbers them in the interleaved form ('A'..'Z' are 0..25,
'a'..'z' are 26..51, so sorting ints sorts letters as NumPy does), and the axes an ellipsis stands for
are -n..-1, lined up from the right as broadcasting lines them up.
"""

from __future__ import annotations

import string

import numpy as np

from . import numpy as fnp
from .core import shape_of
from .errors import user_location
from .primitives import linalg

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _error(cls: type, message: str) -> Exception:
    """NumPy's exception class and wording, plus where in the user's code it happened."""
    return cls(f"einsum: {message} (at {user_location()})")


def _string_spec(spec: str, k: int) -> list:
    if spec.count("...") > 1 or "." in spec.replace("...", "", 1):
        raise _error(ValueError, f"einstein sum subscripts string contains a '.' that is not part of an ellipsis "
                     f"('...') in operand {k}; write exactly one '...' where it stands for axes")
    head, ell, tail = spec.partition("...")
    for c in head + tail:
        if c not in _LETTERS:
            raise _error(ValueError, f"invalid subscript {c!r} in einstein sum subscripts string, subscripts must be "
                         "letters (a-z, A-Z)")
    return [_LETTERS.index(c) for c in head] + ([Ellipsis] if ell else []) + [_LETTERS.index(c) for c in tail]


def _parse_string(subscripts: str, count: int) -> tuple[list, list | None]:
    subscripts = subscripts.replace(" ", "")
    if subscripts.count("->") > 1:
        raise _error(ValueError, f"einstein sum subscripts string {subscripts!r} contains more than one '->'; "
                     "write the inputs, one '->', then the output")
    ins, arrow, out = subscripts.partition("->")
    specs = ins.split(",")
    if len(specs) != count:
        side = "more" if count > len(specs) else "fewer"
        raise _error(ValueError, f"{side} operands provided to einstein sum function than specified in the subscripts "
                     f"string ({count} operand(s), {len(specs)} in {subscripts!r}); give one subscript per operand")
    return [_string_spec(s, k) for k, s in enumerate(specs)], (_string_spec(out, -1) if arrow else None)


def _sublist(sub, k) -> list:
    if not isinstance(sub, (list, tuple)):
        raise _error(TypeError, f"in the interleaved form einsum(x, [0, 1], y, [1, 2], [0, 2]) each operand is "
                     f"followed by a list of ints (or ...); sublist {k} is a {type(sub).__name__}")
    labels = list(sub)
    for label in labels:
        if label is Ellipsis:
            continue
        if not isinstance(label, (int, np.integer)) or isinstance(label, bool):
            raise _error(TypeError, f"each subscript must be either an integer or an ellipsis, got {label!r} in "
                         f"sublist {k}")
        if not 0 <= label < len(_LETTERS):
            raise _error(ValueError, f"subscript {label} is not within the valid range [0, {len(_LETTERS)})")
    return [lab if lab is Ellipsis else int(lab) for lab in labels]


def _parse_interleaved(args) -> tuple[list, list, list | None]:
    operands, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(operands) > len(subs):       # an odd count: the last item is the output sublist
        out = _sublist(operands.pop(), "out")
    return operands, [_sublist(s, k) for k, s in enumerate(subs)], out


def _expand(spec: list, shape: tuple, k) -> list:
    """The operand's labels with its ellipsis replaced by one negative label per axis it covers."""
    named = len(spec) - (Ellipsis in spec)
    ndim = len(shape)
    if ndim < named or (ndim > named and Ellipsis not in spec):
        raise _error(ValueError, f"operand {k} of shape {shape} has {len(shape)} dimension(s) but its subscripts "
                     f"name {named}; "
                     "give one subscript per axis, or '...' for the leading ones")
    if Ellipsis not in spec:
        return spec
    at = spec.index(Ellipsis)
    return spec[:at] + list(range(named - ndim, 0)) + spec[at + 1:]


def _output(labels: list, out: list | None) -> list:
    ell = -min([0] + [lab for ls in labels for lab in ls])
    everywhere = [lab for ls in labels for lab in ls]
    if out is None:                     # implicit: ellipsis axes, then labels seen once, sorted
        return list(range(-ell, 0)) + sorted(lab for lab in set(everywhere) if lab >= 0 and everywhere.count(lab) == 1)
    out = _expand(out, (1,) * (len(out) - 1 + ell), "out") if Ellipsis in out else out
    for lab in out:
        if out.count(lab) > 1:
            raise _error(ValueError, f"einstein sum subscripts string includes output subscript {_LETTERS[lab]!r} "
                         "multiple times; name each output axis once")
        if lab not in everywhere:
            raise _error(ValueError, f"einstein sum subscripts string included output subscript {_LETTERS[lab]!r} "
                         "which never appeared in an input")
    return out


def _sizes(operands, labels) -> dict:
    """The size of each label; a size-1 axis broadcasts, other disagreements are errors."""
    sizes: dict = {}
    for k, (op, ls) in enumerate(zip(operands, labels)):
        for lab, n in zip(ls, shape_of(op)):
            if sizes.get(lab, 1) not in (1, n) and n != 1:
                name = _LETTERS[lab] if lab >= 0 else "..."
                raise _error(ValueError, f"size of label {name!r} for operand {k} ({n}) does not match "
                             f"previous terms ({sizes[lab]}); operands must agree on each label's size")
            sizes[lab] = max(sizes.get(lab, 1), n)
    return sizes


def _diagonal(x, ls: list, lab) -> tuple:
    """Keep only the entries where every axis labelled `lab` has the same index (x[i, i] for 'ii')."""
    at = [i for i, lb in enumerate(ls) if lb == lab]
    rest = [i for i, lb in enumerate(ls) if lb != lab]
    x = fnp.transpose(x, at + rest)
    ar = np.arange(shape_of(x)[0])
    return x[(ar,) * len(at)], [lab] + [ls[i] for i in rest]


def _prepare(x, ls: list, sizes: dict, needed: set) -> tuple:
    """Diagonals for repeated labels, broadcast size-1 axes dropped, labels nothing else needs summed."""
    for lab in [lab for lab in dict.fromkeys(ls) if ls.count(lab) > 1]:
        x, ls = _diagonal(x, ls, lab)
    drop = [i for i, lab in enumerate(ls) if shape_of(x)[i] == 1 and sizes[lab] > 1]
    if drop:
        x, ls = fnp.reshape(x, [d for i, d in enumerate(shape_of(x)) if i not in drop]), \
            [lab for i, lab in enumerate(ls) if i not in drop]
    return _sum_private(x, ls, needed)


def _sum_private(x, ls: list, keep: set) -> tuple:
    axes = tuple(i for i, lab in enumerate(ls) if lab not in keep)
    if not axes:
        return x, ls
    return fnp.sum(x, axis=axes), [lab for lab in ls if lab in keep]


def _contract(cur, cur_ls: list, op, ls: list, keep: set) -> tuple:
    """One pairwise product: shared labels still needed are batch axes, the others are summed."""
    shared = [lab for lab in cur_ls if lab in ls]
    batch = [lab for lab in shared if lab in keep]
    summed = [lab for lab in shared if lab not in keep]
    out = linalg.dot_general(cur, op, ([cur_ls.index(c) for c in summed], [ls.index(c) for c in summed]),
                             ([cur_ls.index(c) for c in batch], [ls.index(c) for c in batch]))
    return out, batch + [c for c in cur_ls if c not in shared] + [c for c in ls if c not in shared]


def einsum(*args):
    """Traced einsum: ``einsum('ij,jk->ik', a, b)`` or ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if isinstance(args[0], str):
        operands = list(args[1:])
        specs, out = _parse_string(args[0], len(operands))
    else:
        operands, specs, out = _parse_interleaved(args)
    operands = [fnp._as_operand(o) for o in operands]
    dtype = fnp.result_type(*operands)
    operands = [fnp.astype(o, dtype) for o in operands]
    labels = [_expand(s, shape_of(o), k) for k, (s, o) in enumerate(zip(specs, operands))]
    out = _output(labels, out)
    sizes = _sizes(operands, labels)
    later = [set(out).union(*labels[k + 1:]) for k in range(len(labels))]
    cur, cur_ls = _prepare(operands[0], labels[0], sizes, later[0])
    for k in range(1, len(operands)):
        op, ls = _prepare(operands[k], labels[k], sizes, later[k] | set(cur_ls))
        cur, cur_ls = _contract(cur, cur_ls, op, ls, later[k])
    cur, cur_ls = _sum_private(cur, cur_ls, set(out))
    return fnp.transpose(cur, [cur_ls.index(lab) for lab in out])
