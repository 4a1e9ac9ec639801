"""Differential fuzzing against jax: random programs over fgrad.numpy, run by fgrad and by jax.

Each seed makes one program (elementwise math with broadcasting, reductions, shape ops, indexing
and `.at[]` updates, contractions, concatenate and stack), written as Python source over a module
`m`, so the same text runs with `m = fgrad.numpy` and with `m = jax.numpy`. fgrad's values, grad,
value_and_grad, vjp and second derivatives (grad of a scalar reduction of grad) must match jax in
float64 on the numpy backend, and under `fgrad.jit(..., backend="xla")` called twice; the same
program in float32 must match loosely and give float32 values and gradients, as jax does.

A failure prints the program's source and its seed. The count run in CI is small; a long fuzz:

    FGRAD_FUZZ_COUNT=10000 .venv/bin/python -m pytest -q tests/test_fuzz_jax.py
"""

from __future__ import annotations

import functools
import os

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402

COUNT = int(os.environ.get("FGRAD_FUZZ_COUNT", "20"))
XLA_EVERY = 4            # the xla backend compiles slowly: every fourth program in the CI count
F32_EVERY = 2

UNARY = ["m.sin({a})", "m.cos({a})", "m.tanh({a})", "m.exp(m.sin({a}))", "m.log(1.0 + {a} * {a})",
         "m.sqrt({a} * {a} + 0.5)", "m.abs({a})", "{a} ** 2", "{a} ** 3", "-{a}", "m.arctan({a})",
         "m.abs({a}) ** 1.5", "m.log1p(m.abs({a}))", "{a} * 2.5", "3.0 - {a}", "m.square({a})"]
BINARY = ["{a} + {b}", "{a} - {b}", "{a} * {b}", "{a} / (1.0 + {b} * {b})", "m.maximum({a}, {b})",
          "m.minimum({a}, {b})", "m.where({a} > {b}, {a}, {b} * 2.0)", "(1.0 + {a} * {a}) ** {b}",
          "m.where({b} > 0.1, m.sqrt(m.abs({b})), {a})", "m.power(m.abs({a}) + 0.5, {b})"]
REDUCE = ["sum", "mean", "max", "min", "prod"]


class Generator:
    """One random program: statements `vK = expression`, with the shape of every value known."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.shapes: dict = {}
        self.lines: list = []
        self.x_shape = self.random_shape()
        self.y_shape = self.partner_shape(self.x_shape)
        self.shapes.update(x=self.x_shape, y=self.y_shape)

    def random_shape(self, max_ndim=3) -> tuple:
        return tuple(int(d) for d in self.rng.integers(1, 5, size=self.rng.integers(0, max_ndim + 1)))

    def partner_shape(self, shape) -> tuple:
        choice = self.rng.integers(4)
        if choice == 0 or not shape:
            return shape if choice == 0 else self.random_shape()
        if choice == 1:             # broadcasts against `shape`
            return tuple(1 if self.rng.random() < 0.4 else d for d in shape)[int(self.rng.integers(len(shape))):]
        return self.random_shape() if choice == 2 else shape

    def pick(self, recent=True) -> str:
        names = list(self.shapes)
        weights = np.arange(1, len(names) + 1, dtype=float) ** (2 if recent else 0)
        return names[int(self.rng.choice(len(names), p=weights / weights.sum()))]

    def add(self, expr: str, shape: tuple) -> None:
        name = f"v{len(self.lines)}"
        self.lines.append(f"    {name} = {expr}")
        self.shapes[name] = tuple(shape)

    def shape_of(self, expr: str) -> tuple:
        env = {k: np.full(s, 0.7) for k, s in self.shapes.items()}
        with np.errstate(all="ignore"):
            return np.shape(eval(expr, {"m": np}, env))  # noqa: S307 - our own generated text

    def step(self) -> None:
        ops = [self.unary, self.binary, self.binary, self.reduce, self.reshape, self.transpose,
               self.expand_squeeze, self.index, self.index, self.at_update, self.contract,
               self.concat, self.broadcast]
        ops[int(self.rng.integers(len(ops)))]()

    def unary(self) -> None:
        a = self.pick()
        self.add(str(self.rng.choice(UNARY)).format(a=a), self.shapes[a])

    def binary(self) -> None:
        a = self.pick()
        partners = [b for b, s in self.shapes.items() if _broadcasts(s, self.shapes[a])]
        b = str(self.rng.choice(partners))
        expr = str(self.rng.choice(BINARY)).format(a=a, b=b) if self.rng.random() < 0.5 else \
            str(self.rng.choice(BINARY)).format(a=b, b=a)
        self.add(expr, np.broadcast_shapes(self.shapes[a], self.shapes[b]))

    def reduce(self) -> None:
        a = self.pick()
        shape, name = self.shapes[a], str(self.rng.choice(REDUCE + ["norm", "argmax"]))
        if name == "norm":
            return self.add(f"m.linalg.norm({a})", ())
        if name == "argmax":
            return self.add(f"m.reshape({a}, (-1,))[m.argmax({a})]", ())
        axis = self.random_axes(len(shape))
        keep = bool(self.rng.integers(2))
        if name == "prod" and int(np.prod(shape)) > 8:
            name = "sum"
        expr = f"m.{name}({a}, axis={axis!r}, keepdims={keep})"
        self.add(expr, self.shape_of(expr))

    def random_axes(self, ndim: int):
        if ndim == 0 or self.rng.random() < 0.2:
            return None
        if self.rng.random() < 0.5:
            return int(self.rng.integers(-ndim, ndim))
        k = int(self.rng.integers(1, ndim + 1))
        return tuple(int(i) for i in self.rng.choice(ndim, size=k, replace=False))

    def reshape(self) -> None:
        a = self.pick()
        size, dims = int(np.prod(self.shapes[a])), []
        while size > 1 and len(dims) < 3:
            d = int(self.rng.choice([k for k in range(1, size + 1) if size % k == 0]))
            dims.append(d)
            size //= d
        dims = dims + [size] if size > 1 or not dims else dims
        shown = list(dims)
        if self.rng.random() < 0.3:
            shown[int(self.rng.integers(len(shown)))] = -1
        self.add(f"m.reshape({a}, {tuple(shown)!r})", tuple(dims))

    def transpose(self) -> None:
        a = self.pick()
        nd = len(self.shapes[a])
        if nd < 2:
            return self.unary()
        if self.rng.random() < 0.5:
            i, j = (int(v) for v in self.rng.choice(nd, 2, replace=False))
            expr = f"m.swapaxes({a}, {i}, {j - nd})"
        else:
            expr = f"m.transpose({a}, {tuple(int(p) for p in self.rng.permutation(nd))!r})"
        self.add(expr, self.shape_of(expr))

    def expand_squeeze(self) -> None:
        a = self.pick()
        shape = self.shapes[a]
        ones = [i for i, d in enumerate(shape) if d == 1]
        if ones and self.rng.random() < 0.6:
            expr = f"m.squeeze({a}, axis={int(self.rng.choice(ones)) - len(shape)})" if self.rng.random() < 0.7 \
                else f"m.squeeze({a})"
        else:
            expr = f"m.expand_dims({a}, {int(self.rng.integers(-len(shape) - 1, len(shape) + 1))})"
        self.add(expr, self.shape_of(expr))

    def broadcast(self) -> None:
        a = self.pick()
        shape = (int(self.rng.integers(1, 4)),) + self.shapes[a]
        self.add(f"m.broadcast_to({a}, {shape!r})", shape)

    def index_text(self, shape, unique=False) -> str | None:
        """A random index for an array of `shape`: slices with steps, ints, arrays, None, `...`."""
        items, arrays = ["None"] if not shape else [], 0
        for d in shape:
            r = self.rng.random()
            if r < 0.4:
                start, stop = (int(v) if self.rng.random() < 0.6 else None for v in self.rng.integers(-d, d + 1, 2))
                step = int(self.rng.choice([1, 2, -1, -2, 3])) if self.rng.random() < 0.6 else None
                items.append(f"{'' if start is None else start}:{'' if stop is None else stop}"
                             + ("" if step is None else f":{step}"))
            elif r < 0.6:
                items.append(str(int(self.rng.integers(-d, d))))
            elif r < 0.75 and arrays == 0:
                k = int(self.rng.integers(1, d + 1)) if unique else int(self.rng.integers(1, 4))
                picks = self.rng.choice(d, k, replace=False) if unique else self.rng.integers(-d, d, k)
                items.append(f"m.asarray({[int(p) for p in picks]!r})")
                arrays += 1
            else:
                items.append(":")
            if self.rng.random() < 0.15:
                items.append("None")
        if items and self.rng.random() < 0.2:
            cut = int(self.rng.integers(len(items)))
            items = items[:cut] + ["..."] + [i for i in items[cut:] if i == "None"]
        return ", ".join(items) if items else None

    def index(self) -> None:
        a = self.pick()
        idx = self.index_text(self.shapes[a])
        if idx is None:
            return self.unary()
        expr = f"{a}[{idx}]"
        shape = self.shape_of(expr)
        if 0 in shape:
            return self.unary()
        self.add(expr, shape)

    def at_update(self) -> None:
        a = self.pick()
        kind = str(self.rng.choice(["add", "set"]))
        idx = self.index_text(self.shapes[a], unique=kind == "set")
        if idx is None or 0 in self.shape_of(f"{a}[{idx}]"):
            return self.unary()
        self.add(f"{a}.at[{idx}].{kind}(m.cos({a}[{idx}]) * 2.0)", self.shapes[a])

    def contract(self) -> None:
        a = self.pick()
        shape = self.shapes[a]
        same = [b for b, s in self.shapes.items() if s == shape]
        b = str(self.rng.choice(same))
        forms = {1: ["m.dot({a}, {b})", "{a} @ {b}", "m.einsum('i,i->', {a}, {b})", "m.einsum('i,j->ij', {a}, {b})"],
                 2: ["{a} @ m.swapaxes({b}, 0, 1)", "m.einsum('ij,kj->ik', {a}, {b})", "m.einsum('ij,ij->i', {a}, {b})",
                     "m.einsum('ij,ik->jk', {a}, {b})", "m.dot({a}, {b}.T)"],
                 3: ["{a} @ m.swapaxes({b}, 1, 2)", "m.einsum('bij,bkj->bik', {a}, {b})",
                     "m.matmul(m.swapaxes({a}, 1, 2), {b})", "m.einsum('bij,bij->b', {a}, {b})"]}
        if len(shape) not in forms:
            return self.binary()
        chosen = str(self.rng.choice(forms[len(shape)]))
        matrices = [b for b, s in self.shapes.items() if len(s) == 2 and s[0] == shape[-1]]
        if matrices and self.rng.random() < 0.4:        # (..., k) @ (k, n), broadcasting the batch
            chosen, b = "m.matmul({a}, {b})", str(self.rng.choice(matrices))
        expr = chosen.format(a=a, b=b)
        self.add(expr, self.shape_of(expr))

    def concat(self) -> None:
        a = self.pick()
        shape = self.shapes[a]
        b = str(self.rng.choice([b for b, s in self.shapes.items() if s == shape]))
        if not shape or self.rng.random() < 0.3:
            axis = int(self.rng.integers(-len(shape) - 1, len(shape) + 1))
            expr = f"m.stack([{a}, {b}], axis={axis})"
        else:
            axis = None if self.rng.random() < 0.25 else int(self.rng.integers(-len(shape), len(shape)))
            expr = f"m.concatenate([{a}, {b}, {a}], axis={axis})"
        self.add(expr, self.shape_of(expr))

    def source(self, steps: int) -> str:
        while len(self.lines) < steps:
            self.step()
        last = len(self.lines) - 1
        # every value reaches the output, so no statement is dead code
        rest = " + ".join(f"m.sum(m.sin(v{k}))" for k in range(last))
        out = f"v{last} + 0.5 * ({rest})" if rest else f"v{last}"
        return "\n".join([
            "def f(x, y):", *self.lines, f"    return {out}", "",
            "def loss(x, y, c):", "    return m.sum(f(x, y) * c)", "",
            "def second(x, y, c, u, w):",
            "    gx, gy = grad(loss, argnums=(0, 1))(x, y, c)",
            "    return m.sum(gx * u) + m.sum(gy * w)", ""])


def _broadcasts(a: tuple, b: tuple) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def build(source: str, module, grad):
    namespace = {"m": module, "grad": grad}
    exec(compile(source, "<fuzz-program>", "exec"), namespace)  # noqa: S102 - generated test program
    return namespace


class Case:
    """A valid program (jax runs it to finite values), its inputs and jax's answers in float64."""

    def __init__(self, seed: int):
        for attempt in range(20):
            gen = Generator(seed * 1000 + attempt)
            self.source = gen.source(int(gen.rng.integers(3, 9)))
            rng = np.random.default_rng(seed)
            self.x = rng.uniform(-1.5, 1.5, gen.x_shape)
            self.y = rng.uniform(-1.5, 1.5, gen.y_shape)
            try:
                self.jax = build(self.source, jnp, jax.grad)
                out = jax.eval_shape(self.jax["f"], self.x, self.y)
            except Exception:  # noqa: BLE001 - a program jax rejects is not a test: make another
                continue
            self.c, self.u, self.w = (rng.uniform(-1, 1, s) for s in (out.shape, gen.x_shape, gen.y_shape))
            self.want = [np.asarray(v) for v in self.oracle()]
            if all(np.isfinite(v).all() and np.abs(v).max(initial=0) < 1e6 for v in self.want):
                return
        pytest.skip("no finite program for this seed")

    def oracle(self):
        f, loss, second = self.jax["f"], self.jax["loss"], self.jax["second"]

        def everything(x, y, c, u, w):
            return (f(x, y), loss(x, y, c), *jax.grad(loss, (0, 1))(x, y, c),
                    *jax.grad(second, (0, 1))(x, y, c, u, w))
        return jax.jit(everything)(self.x, self.y, self.c, self.u, self.w)   # one compile: eager is slower

    def fail(self, what: str) -> str:
        return f"{what}\n--- program (replay with this seed's Case) ---\n{self.source}\nx={self.x!r}\ny={self.y!r}"


@functools.lru_cache(maxsize=COUNT)
def make_case(seed: int) -> Case:
    return Case(seed)


SEEDS = pytest.mark.parametrize("seed", range(COUNT), ids=lambda s: f"seed{s}")


def close(case: Case, got, want, what: str, rtol=1e-7, f32=False):
    got = np.asarray(got)
    if f32:
        assert got.dtype == np.float32, case.fail(f"{what}: dtype {got.dtype}, jax gives float32")
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    atol = (2e-3 if f32 else 1e-9) * scale
    assert got.shape == np.shape(want), case.fail(f"{what}: shape {got.shape}, jax {np.shape(want)}")
    np.testing.assert_allclose(got, want, rtol=2e-3 if f32 else rtol, atol=atol, err_msg=case.fail(what))


def fgrad_answers(case: Case, x, y, c, u, w) -> dict:
    """Every transform fgrad offers for the program, on the default (numpy) backend."""
    fg = build(case.source, fnp, fgrad.grad)
    f, loss, second = fg["f"], fg["loss"], fg["second"]
    value, pullback = fgrad.vjp(f, x, y)
    (loss_value, vg), g = fgrad.value_and_grad(loss, argnums=(0, 1))(x, y, c), fgrad.grad(loss, (0, 1))(x, y, c)
    return {"value": fgrad.jit(f)(x, y), "vjp value": value, "loss (value_and_grad)": loss_value,
            "grad x": g[0], "grad y": g[1], "value_and_grad x": vg[0], "value_and_grad y": vg[1],
            "vjp x": pullback(c)[0], "vjp y": pullback(c)[1],
            "jit(grad) x": fgrad.jit(fgrad.grad(loss, (0, 1)))(x, y, c)[0],
            "second order x": fgrad.grad(second, (0, 1))(x, y, c, u, w)[0],
            "second order y": fgrad.grad(second, (0, 1))(x, y, c, u, w)[1]}


ORACLE_INDEX = {"value": 0, "vjp value": 0, "loss (value_and_grad)": 1, "grad x": 2, "grad y": 3,
                "value_and_grad x": 2, "value_and_grad y": 3, "vjp x": 2, "vjp y": 3, "jit(grad) x": 2,
                "second order x": 4, "second order y": 5}


@SEEDS
def test_float64_numpy_backend(seed):
    case = make_case(seed)
    got = fgrad_answers(case, case.x, case.y, case.c, case.u, case.w)
    for what, value in got.items():
        close(case, value, case.want[ORACLE_INDEX[what]], what)


@pytest.mark.parametrize("seed", range(0, COUNT, F32_EVERY), ids=lambda s: f"seed{s}")
def test_float32_keeps_float32(seed):
    case = make_case(seed)
    args = [v.astype(np.float32) for v in (case.x, case.y, case.c, case.u, case.w)]
    got = fgrad_answers(case, *args)
    for what, value in got.items():
        close(case, value, case.want[ORACLE_INDEX[what]], f"float32 {what}", f32=True)


@pytest.mark.parametrize("seed", range(0, COUNT, XLA_EVERY), ids=lambda s: f"seed{s}")
def test_xla_backend(seed):
    case = make_case(seed)
    fg = build(case.source, fnp, fgrad.grad)
    value = fgrad.jit(fg["f"], backend="xla")
    grads = fgrad.jit(fgrad.grad(fg["loss"], (0, 1)), backend="xla")
    second = fgrad.jit(fgrad.grad(fg["second"], (0, 1)), backend="xla")
    for call in range(2):                      # a second call reuses the compiled program
        close(case, value(case.x, case.y), case.want[0], f"xla value (call {call + 1})")
        gx, gy = grads(case.x, case.y, case.c)
        close(case, gx, case.want[2], f"xla grad x (call {call + 1})")
        close(case, gy, case.want[3], f"xla grad y (call {call + 1})")
    hx, hy = second(case.x, case.y, case.c, case.u, case.w)
    close(case, hx, case.want[4], "xla second order x")
    close(case, hy, case.want[5], "xla second order y")


# --- regressions the fuzzer found, or that were known, kept as plain tests --------------------

S = np.float64(1.5)
V = np.array([1.0, 5.0, 3.0, 2.0])
REGRESSIONS = {
    # second order through x[None] of a 0-d value: the scalar fast path indexed a Python float
    "none of a scalar, multiply": (lambda m: lambda x: m.sum(x[None] * x[None]), S),
    "none of a scalar, matmul": (lambda m: lambda x: x[None] @ x[None], S),
    "none of a scalar, norm": (lambda m: lambda x: m.linalg.norm(x[None]) * x, S),
    # xla: the gradient of x[argmax(x)] scattered a literal
    "index at argmax": (lambda m: lambda x: x[m.argmax(x)] * x[0], V),
    # xla: two scatter-adds for the transposes of x[::-1] and x[::-1][:] aborted the process
    "reversed then full slice": (lambda m: lambda x: m.sum(x[::-1][:] * x), V),
    "strided slices of slices": (lambda m: lambda x: m.sum(x[::-2][::-1] * x[1::2] ** 2), V),
}


@pytest.mark.parametrize("backend", ["numpy", "xla"])
@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regressions(name, backend):
    make, x = REGRESSIONS[name]
    f, jf = make(fnp), make(jnp)
    g = fgrad.jit(fgrad.grad(f), backend=backend)
    gg = fgrad.jit(fgrad.grad(lambda x: fnp.sum(fgrad.grad(f)(x) * x)), backend=backend)
    want, want2 = jax.grad(jf)(x), jax.grad(lambda x: jnp.sum(jax.grad(jf)(x) * x))(x)
    for _ in range(2):
        np.testing.assert_allclose(np.asarray(g(x)), want, rtol=1e-12)
        np.testing.assert_allclose(np.asarray(gg(x)), want2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(f))(x) if np.ndim(x) == 0 else gg(x),
                               jax.grad(jax.grad(jf))(x) if np.ndim(x) == 0 else want2, rtol=1e-12, atol=1e-12)


def test_full_slice_is_no_operation():
    ir = fgrad.make_ir(fgrad.grad(lambda x: fnp.sum(x[:][0:4, ...] * x)))(V)
    assert "gather" not in {e.prim.name for e in ir.eqns} and "scatter_add" not in {e.prim.name for e in ir.eqns}
