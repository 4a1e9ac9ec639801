"""fgrad.checkpoint (remat) against jax.checkpoint (float64) on both backends: gradients, policies,
static_argnums, composition with jvp, vmap and jit; the recomputation stays in the backward program
(in the IR, in vjp's saved residuals, and in the peak memory of a long chain); print_saved_residuals."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
from assertions import close  # noqa: E402

import fgrad  # noqa: E402
import fgrad.ad_checkpoint  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.ir_print import typecheck  # noqa: E402
from fgrad.remat import saved_residuals  # noqa: E402

W = np.random.default_rng(0).standard_normal((4, 4)) / 2


def layer(np_):
    return lambda x: np_.sin(np_.tanh(W @ x) * 1.5)


def chain(np_, wrap, depth=3):
    f = wrap(layer(np_))
    def loss(x):
        for _ in range(depth):
            x = f(x)
        return np_.sum(x ** 2)
    return loss


POLICIES = {"nothing": (None, None),
            "dots": (fgrad.checkpoint_policies.dots_saveable, jax.checkpoint_policies.dots_saveable),
            "everything": (fgrad.checkpoint_policies.everything_saveable,
                           jax.checkpoint_policies.everything_saveable)}


@pytest.mark.parametrize("policy", sorted(POLICIES))
def test_gradients_match_jax_checkpoint(policy, backend):
    ours, theirs = POLICIES[policy]
    f = chain(fnp, lambda g: fgrad.checkpoint(g, policy=ours))
    jf = chain(jnp, lambda g: jax.checkpoint(g, policy=theirs))
    x = np.linspace(-1.0, 1.0, 4)
    close(fgrad.grad(f)(x), jax.grad(jf)(x))
    close(fgrad.jit(fgrad.grad(f))(x), jax.grad(jf)(x))
    close(fgrad.value_and_grad(f)(x)[0], jf(x))


def test_second_order_jvp_and_vmap_match_jax(backend):
    f, jf = fgrad.checkpoint(layer(fnp)), jax.checkpoint(layer(jnp))
    x, t = np.linspace(-1.0, 1.0, 4), np.arange(4.0)
    scalar, j_scalar = (lambda x: fnp.sum(f(x) ** 3)), (lambda x: jnp.sum(jf(x) ** 3))
    close(fgrad.hessian(scalar)(x), jax.hessian(j_scalar)(x))
    for a, b in zip(fgrad.jvp(f, (x,), (t,)), jax.jvp(jf, (x,), (t,))):
        close(a, b)
    xs = np.stack([x, 2 * x, -x])
    close(fgrad.vmap(fgrad.grad(scalar))(xs), jax.vmap(jax.grad(j_scalar))(xs))
    close(fgrad.grad(lambda xs: fnp.sum(fgrad.vmap(f)(xs)))(xs), jax.grad(lambda xs: jnp.sum(jax.vmap(jf)(xs)))(xs))


def test_static_argnums_allow_python_control_flow():
    def build(np_, ckpt):
        def f(x, n):
            for _ in range(n):
                x = np_.sin(x) if n > 1 else np_.cos(x)
            return x
        g = ckpt(f, static_argnums=(1,))
        return lambda x: np_.sum(g(x, 3) + g(x, 1))
    x = np.array([0.2, 0.9])
    close(fgrad.grad(build(fnp, fgrad.checkpoint))(x), jax.grad(build(jnp, jax.checkpoint))(x))


def test_remat_is_checkpoint():
    assert fgrad.remat is fgrad.checkpoint


def test_the_recomputation_is_in_the_backward_pass_and_not_merged():
    f = chain(fnp, fgrad.checkpoint, depth=1)
    plain = chain(fnp, lambda g: g, depth=1)
    x = np.linspace(-1.0, 1.0, 4)
    gir = fgrad.make_ir(fgrad.value_and_grad(f))(x)
    typecheck(gir)
    names = [e.prim.name for e in gir.eqns]
    # the forward pass computes tanh once; the backward pass computes it again behind the barrier
    assert names.count("tanh") == 2 and "remat_barrier" in names
    barrier = names.index("remat_barrier")
    assert "tanh" in names[barrier:] and "tanh" in names[:barrier]
    assert [e.prim.name for e in fgrad.make_ir(fgrad.value_and_grad(plain))(x).eqns].count("tanh") == 1


def residual_count(fun, x) -> int:
    return len(saved_residuals(fun, x))


def test_vjp_saves_only_the_checkpointed_inputs():
    x = np.linspace(-1.0, 1.0, 4)
    ckpt, plain = chain(fnp, fgrad.checkpoint, depth=4), chain(fnp, lambda g: g, depth=4)
    saved = saved_residuals(ckpt, x)
    # one input per checkpointed layer (x and the three layer outputs) and the last output
    assert len(saved) <= 5 < residual_count(plain, x)
    assert saved[0][1] == "from the argument x"
    out, pull = fgrad.vjp(ckpt, x)
    close(pull(1.0)[0], jax.grad(chain(jnp, jax.checkpoint, depth=4))(x))


def _printed(capsys, print_saved_residuals, fun, *args) -> list[str]:
    print_saved_residuals(fun, *args)
    return capsys.readouterr().out.splitlines()


def _sin_times(np_):
    return lambda x, y: np_.sum(np_.sin(x) * y)


def test_print_saved_residuals_prints_what_jax_prints(capsys):
    from jax.ad_checkpoint import print_saved_residuals
    args = np.ones(3), np.ones(3)
    ours = _printed(capsys, fgrad.print_saved_residuals, _sin_times(fnp), *args)
    assert ours == _printed(capsys, print_saved_residuals, _sin_times(jnp), *args)
    assert any(line.startswith("f64[3] output of cos from ") and "test_remat.py:" in line for line in ours)


def _layers(np_, lib, policy=None):
    """The checkpointing guide's three layers: dot then sin, each output named."""
    name = fgrad.ad_checkpoint.checkpoint_name if lib is fgrad else jax.ad_checkpoint.checkpoint_name

    def g(w, x):
        return np_.sin(np_.dot(w, x))

    def f(w1, w2, w3, x):
        for label, w in zip("abc", (w1, w2, w3)):
            x = name(g(w, x), name=label)
        return x
    return f if policy is None else lib.checkpoint(f, policy=policy(lib.checkpoint_policies))


POLICY_CASES = {
    "none": None,
    "dots": lambda p: p.dots_with_no_batch_dims_saveable,
    "names": lambda p: p.save_only_these_names("a"),
    "all names but": lambda p: p.save_any_names_but_these("a"),
    "both": lambda p: p.save_from_both_policies(p.save_only_these_names("b"), p.dots_saveable),
    "nothing": lambda p: p.nothing_saveable,
}


@pytest.mark.parametrize("case", sorted(POLICY_CASES))
def test_residuals_under_policies_and_names_print_as_jax(case, capsys):
    from jax.ad_checkpoint import print_saved_residuals
    args = [np.ones((5, 4)), np.ones((6, 5)), np.ones((7, 6)), np.ones(4)]
    ours = _printed(capsys, fgrad.print_saved_residuals, _layers(fnp, fgrad, POLICY_CASES[case]), *args)
    assert ours == _printed(capsys, print_saved_residuals, _layers(jnp, jax, POLICY_CASES[case]), *args)
    ours = fgrad.grad(lambda *a: fnp.sum(_layers(fnp, fgrad, POLICY_CASES[case])(*a)), argnums=(0, 3))(*args)
    theirs = jax.grad(lambda *a: jnp.sum(_layers(jnp, jax, POLICY_CASES[case])(*a)), argnums=(0, 3))(*args)
    for a, b in zip(ours, theirs):
        close(a, b)


def test_checkpoint_name_is_checked_and_vanishes_from_the_program():
    with pytest.raises(TypeError, match="name must be a str"):
        fgrad.ad_checkpoint.checkpoint_name(np.ones(2), 3)
    source = fgrad.jit(lambda x: fgrad.ad_checkpoint.checkpoint_name(fnp.sin(x), "s") * 2.0).lower(1.0).as_text()
    assert "name" not in source.split("def ", 1)[1].split("(", 1)[1]


def peak_bytes(fun, x) -> int:
    """The peak of memory allocated by a first call (tracing and compiling take a few kB; the
    program's arrays and the scratch buffers it keeps between calls are the rest)."""
    tracemalloc.start()
    try:
        fun(x)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_of_a_long_chain_is_lower(capsys, monkeypatch):
    """A chain of 24 elementwise layers on 2**18 float64 values (2 MiB each): without checkpointing,
    the gradient keeps every layer's intermediates; checkpointing every layer keeps one input per
    layer and recomputes the rest. On one thread: with more, the chain runs in block regions, which
    keep one piece's intermediates at a time (tests/test_blocks.py)."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    def block(x):
        return fnp.sin(fnp.cos(x) * 1.1 + x * 0.5)

    def loss(wrap):
        g = wrap(block)
        def f(x):
            for _ in range(24):
                x = g(x)
            return fnp.sum(x)
        return fgrad.grad(f)
    x = np.linspace(-1.0, 1.0, 1 << 18)
    close(loss(fgrad.checkpoint)(x), loss(lambda g: g)(x))
    plain, ckpt = peak_bytes(loss(lambda g: g), x), peak_bytes(loss(fgrad.checkpoint), x)
    with capsys.disabled():
        print(f"\npeak memory of the gradient of 24 layers on 2 MiB: {plain / 2**20:.1f} MiB without "
              f"checkpoint, {ckpt / 2**20:.1f} MiB with")
    assert ckpt < 0.75 * plain
