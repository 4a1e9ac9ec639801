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


def test_print_saved_residuals(capsys):
    fgrad.print_saved_residuals(lambda x, y: fnp.sum(fnp.sin(x) * y), np.ones(3), np.ones(3))
    lines = capsys.readouterr().out.splitlines()
    from jax.ad_checkpoint import print_saved_residuals
    print_saved_residuals(lambda x, y: jnp.sum(jnp.sin(x) * y), np.ones(3), np.ones(3))
    theirs = capsys.readouterr().out.splitlines()
    # jax adds the source line of each operation ("output of cos from file.py:12 (f)")
    assert sorted(lines) == sorted(line.split(" from /")[0] for line in theirs)


def peak_bytes(fun, x) -> int:
    """The peak of memory allocated by a first call (tracing and compiling take a few kB; the
    program's arrays and the scratch buffers it keeps between calls are the rest)."""
    tracemalloc.start()
    try:
        fun(x)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_of_a_long_chain_is_lower(capsys):
    """A chain of 24 elementwise layers on 2**18 float64 values (2 MiB each): without checkpointing,
    the gradient keeps every layer's intermediates; checkpointing every layer keeps one input per
    layer and recomputes the rest."""
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
