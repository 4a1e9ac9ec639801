"""Long generated programs as a chain of part-functions, each compiled on its own.

Python's `compile()` holds the syntax tree of everything it is given at once, about 4.5 KB a
statement, so one module of two million statements takes gigabytes whether or not it is split into
functions. The NumPy backend therefore cuts a long program into parts of `PART_LINES` lines, each a
function of its own compiled separately: peak compile memory is that of one part. A driver named as
the program calls the parts in turn. A value one part computes and a later part reads waits in the
dict `env`; the part holding its last use takes it out, so an array dies where it would in one
function, and each value is stored and read once (no list of live values is passed along).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import CodeType

PART_LINES = 2000   # lines of one part: compile memory stays ~10 MB whatever the program's length


@dataclass
class Part:
    """One part of a long program: its first line in the body, the names it reads from earlier
    parts (True where its last use is in this part, so the value leaves `env`), the names it
    leaves in `env` for later parts."""

    start: int
    reads: dict = field(default_factory=dict)
    exports: list = field(default_factory=list)


def part_functions(name: str, params: str, body: list, parts: list, prologue: list) -> list:
    """The sources of the driver `name(params)` and of its `parts`, one string per function.

    `body` is the program's indented lines; `prologue` opens every part (the workspace line).

    Example:
        >>> first, second = Part(0, exports=["b"]), Part(1, reads={"b": True})
        >>> chunks = part_functions("program", "a", ["    b = a + 1", "    return (b,)"], [first, second], [])
        >>> print(chunks[0], end="")
        def program(a):
            # 2 parts, each compiled on its own (compile memory grows with a function's length)
            env = {}   # the values one part computes and a later part reads
            _program_part0(a, env)
            return _program_part1(env)
    """
    count, ends = len(parts), [p.start for p in parts[1:]] + [len(body)]
    driver = [f"def {name}({params}):",
              f"    # {count} parts, each compiled on its own (compile memory grows with a function's length)",
              "    env = {}   # the values one part computes and a later part reads"]
    chunks = []
    for k, (part, end) in enumerate(zip(parts, ends)):
        fn = f"_{name}_part{k}"
        args = f"{params}, env" if k == 0 and params else "env"
        driver.append(f"    {'return ' if k == count - 1 else ''}{fn}({args})")
        head = [f"def {fn}({args}):", f"    # part {k + 1} of {count}"]
        names = list(part.reads)
        for j in range(0, len(names), 8):
            group = names[j:j + 8]
            reads = ", ".join(f'env.pop("{n}")' if part.reads[n] else f'env["{n}"]' for n in group)
            head.append(f"    {', '.join(group)}, = {reads},")
        tail = [f"    env.update({', '.join(f'{n}={n}' for n in part.exports[j:j + 8])})"
                for j in range(0, len(part.exports), 8)]
        chunks.append("\n".join(head + prologue + body[part.start:end] + tail) + "\n")
    return ["\n".join(driver) + "\n"] + chunks


def compile_pieces(pieces: list, filename: str, namespace: dict) -> None:
    """Compile and run the source `"".join(pieces)` one piece at a time, each with the line numbers
    it has in the whole source, so tracebacks and pdb point at the registered text.

    Example:
        >>> ns = {}
        >>> compile_pieces(["def f():\\n    return 1\\n", "\\ndef g():\\n    return f() + 1\\n"], "<demo>", ns)
        >>> ns["g"]()
        2
    """
    offset = 0
    for piece in pieces:
        if piece.strip():
            code = compile(piece, filename, "exec")
            exec(_shifted(code, offset), namespace)  # noqa: S102 - our own generated code
        offset += piece.count("\n")


def _shifted(code: CodeType, lines: int) -> CodeType:
    """`code` (and the code nested in it) `lines` lines further down: line tables are relative to
    the first line, so moving that moves every line (cheaper than re-walking a syntax tree)."""
    consts = tuple(_shifted(c, lines) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_firstlineno=code.co_firstlineno + lines, co_consts=consts)
