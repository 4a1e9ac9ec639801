"""Long programs run interpreted on their first call and as generated code from their second.

Generating and compiling the source of a program of 100,000 equations takes longer than running
it many times over, and many long programs run once (a gradient taken once in a script, a first
step that shows whether a model works). So a NumPy program of at least `TIER_EQUATIONS` equations
starts as an interpreter over its IR: each equation is its primitive's `impl`, the NumPy function
its generated line calls, so the values are the generated code's up to rounding (the generated
code may fuse a chain of arithmetic into one numexpr pass, or write a result into a dead buffer).
The second call generates and compiles the code, as a shorter program does at once, and runs it;
so does reading `source` (what `lower(...).as_text()` shows) before that.

The interpreter drops each value after its last use, as the generated code does, so memory stays
that of one live set; outputs come back as the generated code returns them (0-d outputs as
arrays, an input or a repeated output as a copy).
"""

from __future__ import annotations

import threading

import numpy as np

from ..core import IR, Lit

TIER_EQUATIONS = 20_000   # equations from which the first call is interpreted


class TieredProgram:
    """A NumPy program interpreted on its first call and compiled from its second.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> ir = fgrad.make_ir(lambda x: fnp.sin(x) * 2.0)(np.zeros(3))
        >>> program = TieredProgram(ir)
        >>> program(np.zeros(3))[0], program.compiled is None     # interpreted
        (array([0., 0., 0.]), True)
        >>> program(np.zeros(3))[0], program.compiled is not None   # generated code
        (array([0., 0., 0.]), True)
    """

    def __init__(self, ir: IR):
        self.ir, self.compiled = ir, None
        self.calls = 0
        self._lock = threading.Lock()

    @property
    def fn(self):
        """What callers keep and call (as a `Program`'s `fn`): it goes on to the compiled code."""
        return self.__call__

    def __call__(self, *args):
        if self.compiled is not None:
            return self.compiled.fn(*args)
        with self._lock:
            self.calls += 1
            first = self.calls == 1
        return interpret(self.ir, args) if first else self.compile().fn(*args)

    def compile(self):
        """The generated and compiled program (made on the first request)."""
        with self._lock:
            if self.compiled is None:
                from .numpy_codegen import Program  # numpy_codegen imports this module
                self.compiled = Program(self.ir)
            return self.compiled

    @property
    def source(self) -> str:
        """The generated source, as `Program.source` (compiling the program if not done yet)."""
        return self.compile().source


def interpret(ir: IR, args) -> tuple:
    """Run `ir` on the arrays `args` by each equation's `impl`, dropping values after their last
    use; returns the outputs as the generated program would.

    Example:
        >>> import fgrad, fgrad.numpy as fnp
        >>> interpret(fgrad.make_ir(lambda x: fnp.sum(x * 3.0))(np.ones(2)), [np.ones(2)])
        (array(6.),)
    """
    env = dict(zip(ir.in_vars, args))
    env.update(zip(ir.const_vars, ir.consts))
    last = _last_uses(ir)
    for i, eqn in enumerate(ir.eqns):
        inputs = eqn.inputs
        env[eqn.out] = eqn.prim.impl(*[a.val if type(a) is Lit else env[a] for a in inputs], **eqn.params)
        for a in inputs:
            if type(a) is not Lit and last.get(a) == i:
                env.pop(a, None)       # pop: an equation may read a value twice
        if last.get(eqn.out) == i:
            del env[eqn.out]           # a result nobody reads (a guard's)
    return _outputs(ir, env)


def _last_uses(ir: IR) -> dict:
    """Value -> the index of the equation reading it last (inputs, constants and outputs stay)."""
    last: dict = {}
    for i, eqn in enumerate(ir.eqns):
        for a in eqn.inputs:
            if type(a) is not Lit:
                last[a] = i
        last.setdefault(eqn.out, i)
    for v in (*ir.in_vars, *ir.const_vars, *(o for o in ir.outs if type(o) is not Lit)):
        last.pop(v, None)
    return last


def _outputs(ir: IR, env: dict) -> tuple:
    given = {id(env[v]) for v in (*ir.in_vars, *ir.const_vars)}
    outs, seen = [], set()
    for o in ir.outs:
        if isinstance(o, Lit):
            outs.append(np.asarray(o.val, o.aval.dtype))
            continue
        value = np.asarray(env[o])
        shared = id(value) in given or id(value) in seen or (value.ndim and value.base is not None)
        outs.append(np.array(value) if shared and value.ndim else value)
        seen.add(id(value))
    return tuple(outs)

