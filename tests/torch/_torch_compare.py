"""Running one snippet with PyTorch and with fgrad.torch, and comparing what each raised."""

from __future__ import annotations

import re

HINT = "\nfgrad hint:"


# a set in a message prints in hash order, which differs between torch's compiled constant and ours
_SET_DISPLAY = re.compile(r"\{('[^'{}]*'(?:, '[^'{}]*')+)\}")


def _sorted_sets(message: str) -> str:
    return _SET_DISPLAY.sub(lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


def outcome(fn, lib):
    """('ok', result) or (exception type, message); fgrad's hint line is left out of the message."""
    try:
        return "ok", fn(lib)
    except Exception as exc:  # noqa: BLE001 - the type is what is compared
        return type(exc), _sorted_sets(str(exc).split(HINT)[0])


def assert_same_outcome(fn, fgrad_torch, torch) -> None:
    """fn(fgrad.torch) raises what fn(torch) raises (type and message), or both return equal results."""
    got, want = outcome(fn, fgrad_torch), outcome(fn, torch)
    assert got[0] is want[0], f"{fn.__name__}: fgrad.torch gave {got}, torch gave {want}"
    assert got[1] == want[1], f"{fn.__name__}: fgrad.torch said {got[1]!r}, torch said {want[1]!r}"
