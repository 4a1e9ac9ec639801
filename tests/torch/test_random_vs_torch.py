"""fgrad.torch's random numbers against PyTorch 2.13's own: bit for bit, for many shapes, seeds and orders."""

import math

import numpy as np
import pytest
import torch

import fgrad.torch as ft

SEEDS = [0, 1, 7, 2**31 - 1, 2**32 + 5, 67280421310721]
SHAPES = [(), (1,), (3,), (15,), (16,), (17,), (31,), (33,), (4, 5), (2, 3, 8), (100,), (1000,)]


def assert_same(a, b):
    expected = a.detach().numpy()
    got = np.asarray(b._data)
    assert got.shape == expected.shape and got.dtype == expected.dtype, (got.shape, got.dtype, expected.dtype)
    np.testing.assert_array_equal(got, expected)


def both(seed, fn):
    torch.manual_seed(seed)
    ft.manual_seed(seed)
    return fn(torch), fn(ft)


def check(seed, fn):
    a, b = both(seed, fn)
    assert_same(a, b)
    assert_same(torch.get_rng_state(), ft.get_rng_state())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", SEEDS)
def test_rand_and_randn(seed, dtype, shape):
    check(seed, lambda T: T.rand(shape, dtype=getattr(T, dtype)))
    check(seed, lambda T: T.randn(shape, dtype=getattr(T, dtype)))


@pytest.mark.parametrize("seed", range(40))
def test_randn_long_vectorised_path(seed):
    n = 16 * (seed % 9 + 1) + seed % 16
    check(seed, lambda T: T.randn(n))
    check(seed, lambda T: T.randn(n, dtype=T.float64))


def test_randn_million_float32():
    check(3, lambda T: T.randn(1_000_000))


SMALL_BOUNDS = [(0, 2), (-5, 5), (3, 100), (0, 2**24)]
WIDE_BOUNDS = [(0, 2**28 - 1), (0, 2**28), (-2**40, 2**40)]


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize(("dtype", "bounds"), [(d, b) for d in ("int64", "int32", "float32", "float64")
                                               for b in SMALL_BOUNDS + (WIDE_BOUNDS if d[-2:] == "64" else [])])
def test_randint(seed, dtype, bounds):
    low, high = bounds
    check(seed, lambda T: T.randint(low, high, (3, 7), dtype=getattr(T, dtype)))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 10, 257, 5000, 65536, 65537, 200_003])
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_randperm(seed, n):
    check(seed, lambda T: T.randperm(n))


@pytest.mark.parametrize("seed", SEEDS[3:])
def test_randperm_dtypes_and_generators(seed):
    check(seed, lambda T: T.randperm(300, dtype=T.int32))
    check(seed, lambda T: T.randperm(77, dtype=T.float32))
    check(seed, lambda T: T.randperm(1000, generator=T.Generator().manual_seed(seed + 1)))
    check(seed, lambda T: [T.randperm(n) for n in (6, 1, 40, 3)][-1])     # the engine moves on as torch's


@pytest.mark.parametrize("n, dtype", [(3000, "float16"), (2049, "float16"), (300, "int8"), (257, "uint8"),
                                      (256, "uint8"), (40000, "int16"), (100, "bool"),
                                      (2**24 + 2, "float32")])
def test_randperm_dtypes_too_narrow_fail_as_in_torch(n, dtype):
    outcomes = []
    for T in (torch, ft):
        T.manual_seed(4)
        try:
            got = T.randperm(n, dtype=getattr(T, dtype))
        except (RuntimeError, NotImplementedError) as e:
            got = (type(e).__name__, str(e).split("\n")[0])
        else:
            got = got.numpy().tolist()
        outcomes.append((got, T.get_rng_state().numpy().tolist()))      # nothing drawn on a refusal
    assert outcomes[0] == outcomes[1]


def _swaps(offsets) -> list:
    """torch's small-n randperm loop, written out: step i swaps positions i and i + offsets[i]."""
    r = list(range(len(offsets) + 1))
    for i, k in enumerate(offsets):
        r[i], r[i + k] = r[i + k], r[i]
    return r


def _inside_out(picks) -> list:
    """torch's large-n randperm loop, written out (its n, 2**32 / 20, is too big for a test to reach)."""
    r = list(range(len(picks)))
    for i, k in enumerate(picks):
        r[i], r[k] = r[k], i
    return r


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 129, 130, 1000, 70_000])
def test_shuffles_replay_the_loops(n):
    from fgrad.torch._shuffle import forward_shuffle, forward_shuffle_arrays, inside_out_shuffle
    rng = np.random.default_rng(n)
    steps = np.arange(n)
    for offsets in (rng.integers(0, n - steps[:-1]), np.zeros(n - 1, np.int64), n - 1 - steps[:-1],
                    np.minimum(1, n - 2 - steps[:-1])):
        assert forward_shuffle(offsets).tolist() == _swaps(offsets.tolist())
        assert forward_shuffle_arrays(offsets).tolist() == _swaps(offsets.tolist())
    for picks in (rng.integers(0, steps + 1), np.zeros(n, np.int64), steps, np.maximum(steps - 1, 0), steps // 2):
        assert inside_out_shuffle(picks).tolist() == _inside_out(picks.tolist())


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("shape", [(3,), (20,), (4, 9)])
def test_normal_overloads(seed, shape):
    n = int(np.prod(shape))
    check(seed, lambda T: T.normal(2.0, 3.0, size=shape))
    check(seed, lambda T: T.normal(T.arange(float(n)).reshape(shape), 0.5))
    check(seed, lambda T: T.normal(1.5, T.arange(1.0, n + 1.0).reshape(shape)))
    check(seed, lambda T: T.normal(T.arange(float(n)).reshape(shape), T.arange(1.0, n + 1.0).reshape(shape)))
    check(seed, lambda T: T.normal(T.zeros(shape, dtype=T.float64), T.ones(shape, dtype=T.float64)))


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_bernoulli_and_multinomial(seed):
    check(seed, lambda T: T.bernoulli(T.full((5, 9), 0.3)))
    check(seed, lambda T: T.bernoulli(T.linspace(0, 1, 50, dtype=T.float64)))
    check(seed, lambda T: T.bernoulli(T.ones(40), 0.25))
    check(seed, lambda T: T.multinomial(T.tensor([0.1, 0.5, 0.2, 0.2]), 1))
    check(seed, lambda T: T.multinomial(T.tensor([0.1, 0.5, 0.2, 0.2, 3.0]), 4))
    check(seed, lambda T: T.multinomial(T.tensor([[1.0, 2.0, 3.0], [0.0, 1.0, 1.0]]), 9, replacement=True))
    check(seed, lambda T: T.multinomial(T.rand(3, 50, dtype=T.float64), 20))


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_samplers(seed, dtype):
    def fresh(T, shape=(6, 5)):
        return T.empty(shape, dtype=getattr(T, dtype))
    check(seed, lambda T: fresh(T).uniform_(-2.5, 7.25))
    check(seed, lambda T: fresh(T).uniform_(-1 / math.sqrt(3), 1 / math.sqrt(3)))
    check(seed, lambda T: fresh(T).normal_(1.0, 0.5))
    check(seed, lambda T: fresh(T, (4,)).normal_(-3.0, 2.0))
    check(seed, lambda T: fresh(T).t().normal_(1.0, 0.5))
    check(seed, lambda T: fresh(T, (8, 6))[:, ::2].uniform_())
    check(seed, lambda T: fresh(T).exponential_(2.0))
    check(seed, lambda T: fresh(T).bernoulli_(0.7))
    check(seed, lambda T: fresh(T).bernoulli_(T.rand(6, 5, dtype=getattr(T, dtype))))
    check(seed, lambda T: fresh(T).random_())
    check(seed, lambda T: fresh(T).random_(3, 9))
    check(seed, lambda T: fresh(T).random_(11))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_random_full_range_integers(dtype):
    check(4, lambda T: T.empty(50, dtype=getattr(T, dtype)).random_())


def test_like_functions():
    check(2, lambda T: T.rand_like(T.ones(3, 4, dtype=T.float64)))
    check(2, lambda T: T.randn_like(T.ones(17)))
    check(2, lambda T: T.randint_like(T.ones(5), 10))
    check(2, lambda T: T.randint_like(T.ones(5, dtype=T.int32), 3, 30))


CALLS = [
    lambda T: T.rand(5), lambda T: T.randn(3), lambda T: T.randn(20, dtype=T.float64), lambda T: T.randn(1),
    lambda T: T.randint(0, 7, (4,)), lambda T: T.randperm(9), lambda T: T.empty(3, dtype=T.float64).normal_(),
    lambda T: T.bernoulli(T.full((6,), 0.5)), lambda T: T.multinomial(T.ones(5), 2),
    lambda T: T.nn.Linear(4, 3).weight, lambda T: T.empty(18).exponential_(),
]


@pytest.mark.parametrize("order_seed", range(25))
def test_any_sequence_of_calls(order_seed):
    """The cached Box-Muller sample and the engine position carry across calls exactly as in PyTorch."""
    order = np.random.default_rng(order_seed).integers(0, len(CALLS), 12)
    torch.manual_seed(order_seed)
    ft.manual_seed(order_seed)
    for i in order:
        assert_same(CALLS[i](torch), CALLS[i](ft))
    assert_same(torch.get_rng_state(), ft.get_rng_state())


def test_generators_are_independent_streams():
    tg, fg = torch.Generator().manual_seed(11), ft.Generator().manual_seed(11)
    torch.manual_seed(0)
    ft.manual_seed(0)
    assert_same(torch.rand(3, generator=tg), ft.rand(3, generator=fg))
    assert_same(torch.rand(4), ft.rand(4))
    assert_same(torch.randn(5, generator=tg), ft.randn(5, generator=fg))
    assert_same(torch.randperm(6, generator=tg), ft.randperm(6, generator=fg))
    assert_same(torch.randint(0, 5, (3,), generator=tg), ft.randint(0, 5, (3,), generator=fg))
    assert_same(torch.empty(4).uniform_(generator=tg), ft.empty(4).uniform_(generator=fg))
    assert_same(tg.get_state(), fg.get_state())
    assert tg.initial_seed() == fg.initial_seed() == 11
    assert torch.Generator().initial_seed() == ft.Generator().initial_seed()
    assert_same(torch.randn(20, generator=torch.Generator()), ft.randn(20, generator=ft.Generator()))


def test_state_moves_between_libraries():
    torch.manual_seed(9)
    torch.randn(3)                                   # leaves a cached normal sample in the state
    torch_state = torch.get_rng_state()
    ft.set_rng_state(ft.tensor(torch_state.numpy()))
    assert_same(torch.randn(5), ft.randn(5))
    ft.manual_seed(21)
    ft.rand(700)
    ft.randn(1, dtype=ft.float64)
    torch.set_rng_state(torch.from_numpy(ft.get_rng_state().numpy()))
    assert_same(torch.randn(40), ft.randn(40))
    assert_same(torch.get_rng_state(), ft.get_rng_state())


def test_state_round_trip_replays():
    ft.manual_seed(3)
    state = ft.get_rng_state()
    a = ft.randn(10)
    ft.set_rng_state(state)
    assert ft.equal(a, ft.randn(10))


def test_seed_and_initial_seed():
    ft.manual_seed(123)
    assert ft.initial_seed() == 123
    s = ft.seed()
    assert ft.initial_seed() == s
    torch.manual_seed(s)
    assert_same(torch.rand(5), ft.rand(5))


def test_manual_seed_returns_the_default_generator():
    g = ft.manual_seed(0)
    assert g is ft.default_generator and isinstance(g, ft.Generator)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("shape", [(5, 3), (4, 6, 3, 3), (2, 7)])
def test_nn_init(seed, shape):
    init_fns = [
        lambda T, w: T.nn.init.uniform_(w, -0.3, 0.8),
        lambda T, w: T.nn.init.normal_(w, 0.1, 0.02),
        lambda T, w: T.nn.init.xavier_uniform_(w, gain=1.5),
        lambda T, w: T.nn.init.xavier_normal_(w),
        lambda T, w: T.nn.init.kaiming_uniform_(w, a=math.sqrt(5)),
        lambda T, w: T.nn.init.kaiming_uniform_(w, mode="fan_out", nonlinearity="relu"),
        lambda T, w: T.nn.init.kaiming_normal_(w, nonlinearity="leaky_relu", a=0.2),
        lambda T, w: T.nn.init.constant_(w, 0.25),
        lambda T, w: T.nn.init.ones_(w),
        lambda T, w: T.nn.init.zeros_(w),
    ]
    for fn in init_fns:
        check(seed, lambda T, fn=fn: fn(T, T.empty(shape)))


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (6, 2), (4, 2, 3)])
def test_orthogonal_and_trunc_normal(shape):
    a, b = both(1, lambda T: T.nn.init.orthogonal_(T.empty(shape), gain=2.0))
    np.testing.assert_allclose(b._data, a.numpy(), rtol=1e-5, atol=1e-5)
    assert_same(torch.get_rng_state(), ft.get_rng_state())
    check(1, lambda T: T.nn.init.trunc_normal_(T.empty(shape), mean=0.5, std=0.2, a=0.0, b=1.0))
    check(2, lambda T: T.nn.init.trunc_normal_(T.empty(shape, dtype=T.float64), std=0.02))
    check(3, lambda T: T.nn.init.trunc_normal_(T.empty(shape), mean=0.0, std=1.0, a=1.5, b=3.0))


def test_eye_and_calculate_gain():
    assert_same(torch.nn.init.eye_(torch.empty(3, 5)), ft.nn.init.eye_(ft.empty(3, 5)))
    for name, param in [("linear", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
                        ("leaky_relu", 0.3), ("selu", None), ("conv2d", None), ("sigmoid", None)]:
        assert ft.nn.init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        ft.nn.init.calculate_gain("swish")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        ft.nn.init.xavier_uniform_(ft.empty(3))


@pytest.mark.parametrize("sizes", [(3, 2), (1, 1), (10, 7), (128, 64)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_default_initialisation(sizes, bias):
    a, b = both(0, lambda T: T.nn.Linear(*sizes, bias=bias))
    assert_same(a.weight, b.weight)
    assert (a.bias is None) == (b.bias is None)
    if bias:
        assert_same(a.bias, b.bias)
    assert repr(a.weight) == repr(b.weight)
    assert_same(torch.get_rng_state(), ft.get_rng_state())


def test_linear_prints_as_torch():
    torch.manual_seed(0)
    ft.manual_seed(0)
    assert str(torch.nn.Linear(3, 2).weight) == str(ft.nn.Linear(3, 2).weight)
    a, b = both(5, lambda T: T.nn.Sequential(T.nn.Linear(4, 8), T.nn.ReLU(), T.nn.Linear(8, 1)))
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert_same(pa, pb)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("shape", [(7,), (16, 33), (2, 3, 5)])
def test_dropout_masks(p, shape):
    check(p * 100, lambda T: T.nn.functional.dropout(T.ones(shape), p))
    check(3, lambda T: T.nn.Dropout(p)(T.arange(float(np.prod(shape))).reshape(shape)))
    check(3, lambda T: T.nn.functional.dropout(T.ones(shape, dtype=T.float64), p))


def test_dropout_gradient_uses_the_mask():
    torch.manual_seed(4)
    ft.manual_seed(4)
    xt, xf = torch.ones(20, requires_grad=True), ft.ones(20, requires_grad=True)
    torch.nn.functional.dropout(xt, 0.4).sum().backward()
    ft.nn.functional.dropout(xf, 0.4).sum().backward()
    assert_same(xt.grad, xf.grad)


def test_errors_match_torch():
    for fn in (lambda T: T.randint(5, 5, (2,)), lambda T: T.empty(2).uniform_(3, 1),
               lambda T: T.empty(2).normal_(0, -1), lambda T: T.multinomial(T.tensor([1.0, -1.0]), 1),
               lambda T: T.multinomial(T.tensor([1.0, 1.0]), 3), lambda T: T.randperm(-1),
               lambda T: T.multinomial(T.tensor([1.0, -1.0]), 2, True), lambda T: T.multinomial(T.zeros(2), 1),
               lambda T: T.multinomial(T.ones(2, 2, 2), 1), lambda T: T.normal(T.zeros(2), -1.0),
               lambda T: T.empty(2).bernoulli_(1.5), lambda T: T.empty(2).exponential_(-1),
               lambda T: T.bernoulli(T.tensor([2.0]))):
        with pytest.raises(RuntimeError) as expected:
            fn(torch)
        with pytest.raises(RuntimeError) as got:
            fn(ft)
        assert str(got.value).split("\n")[0] == str(expected.value).split("\n")[0]
    with pytest.raises(TypeError):
        ft.set_rng_state([1, 2, 3])
    with pytest.raises(RuntimeError, match="RNG state"):
        ft.set_rng_state(ft.zeros(10, dtype=ft.uint8))


@pytest.mark.parametrize("n", [1, 5, 16, 40])
def test_float16_uniform(n):
    check(6, lambda T: T.rand(n, dtype=T.float16))
    check(6, lambda T: T.empty(n, dtype=T.float16).uniform_(-2.0, 3.0))


def test_float16_normal_scalar_path():
    check(6, lambda T: T.randn(15, dtype=T.float16))


@pytest.mark.parametrize("n", [16, 17, 40, 1000, 4099])
def test_float16_normal_blocked_path_runs_the_float32_kernel_and_rounds(n):
    # check() also compares the generator states after the draw: the stream continues where torch's does
    check(6, lambda T: T.randn(n, dtype=T.float16))
    check(7, lambda T: T.empty(n, dtype=T.float16).normal_(0.1, 0.3))


def test_fork_rng_restores_the_stream():
    torch.manual_seed(2)
    ft.manual_seed(2)
    with torch.random.fork_rng(), ft.random.fork_rng():
        assert_same(torch.randn(7), ft.randn(7))
    assert_same(torch.rand(4), ft.rand(4))
    assert_same(torch.get_rng_state(), ft.get_rng_state())
    assert ft.random.initial_seed() == torch.random.initial_seed() == 2


@pytest.mark.parametrize("seed", [2**64, -2**63 - 1])
def test_seed_overflow_is_torch_error(seed):
    with pytest.raises(ValueError) as expected:
        torch.manual_seed(seed)
    with pytest.raises(ValueError) as got:
        ft.manual_seed(seed)
    lines = str(got.value).split("\n")
    assert lines[0] == str(expected.value) and "test_random_vs_torch.py" in lines[1]


@pytest.mark.parametrize("seed", [-1, -2**63, 2**63, 2**64 - 1, True])
def test_unusual_seeds(seed):
    check(seed, lambda T: T.rand(3))
    assert ft.initial_seed() == torch.initial_seed()


def _random_call(rng):
    """One sampler call with a random shape, dtype, and sometimes a strided view as the target."""
    shape = tuple(int(d) for d in rng.integers(1, 7, rng.integers(0, 4)))
    dtype = ["float32", "float64"][rng.integers(2)]
    kind = rng.integers(7)
    last = int(rng.integers(1, 40))

    def target(T):
        t = T.empty(shape + (last,), dtype=getattr(T, dtype))
        return t.transpose(0, -1) if t.ndim > 1 and kind % 2 else t

    seeds = rng.integers(0, 2**31, 2)
    return [lambda T: T.rand(shape, dtype=getattr(T, dtype)), lambda T: T.randn(shape, dtype=getattr(T, dtype)),
            lambda T: target(T).normal_(float(seeds[0] % 5), 2.0), lambda T: target(T).uniform_(-1.5, 0.5),
            lambda T: T.randint(-3, int(seeds[1]) + 1, shape), lambda T: target(T).bernoulli_(0.35),
            lambda T: T.randperm(int(seeds[0] % 60))][kind]


@pytest.mark.parametrize("seed", range(30))
def test_random_programs(seed):
    rng = np.random.default_rng(1000 + seed)
    calls = [_random_call(rng) for _ in range(8)]
    torch.manual_seed(seed)
    ft.manual_seed(seed)
    for call in calls:
        assert_same(call(torch), call(ft))
    assert_same(torch.get_rng_state(), ft.get_rng_state())


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_normal_cauchy_geometric(seed, dtype):
    def fresh(T, n=37):
        return T.empty(n, dtype=getattr(T, dtype))
    check(seed, lambda T: fresh(T).log_normal_())
    check(seed, lambda T: fresh(T, 5).log_normal_(0.5, 0.3))
    check(seed, lambda T: fresh(T).cauchy_(1.0, 2.0))
    check(seed, lambda T: fresh(T).geometric_(0.3))
    check(seed, lambda T: T.empty(9, dtype=T.int64).geometric_(0.05))
