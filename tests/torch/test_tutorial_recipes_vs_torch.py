"""What PyTorch's recipes and intermediate tutorials call, against PyTorch 2.13: channel dropout,
movedim, custom Functions with a jvp under forward AD, gradcheck's forward mode, gradgradcheck's
random grad_outputs, torch.utils.benchmark."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402


@pytest.mark.parametrize("name,shape", [("dropout1d", (2, 3, 4)), ("dropout1d", (3, 4)), ("dropout2d", (2, 5, 3, 3)),
                                        ("dropout2d", (4, 6, 2)), ("dropout3d", (2, 3, 2, 2, 2)),
                                        ("dropout3d", (3, 2, 2, 2))])
@pytest.mark.parametrize("p", [0.25, 0.5, 0.9])
def test_channel_dropout_draws_torchs_mask(name, shape, p):
    def run(lib):
        lib.manual_seed(7)
        x = lib.arange(float(np.prod(shape))).reshape(shape) + 1
        return getattr(lib.nn.functional, name)(x, p).numpy(), lib.rand(3).numpy()
    (got, after_got), (want, after_want) = run(ft), run(torch)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(after_got, after_want)      # the generator advanced as torch's did


@pytest.mark.parametrize("cls,ndim", [("Dropout1d", 3), ("Dropout2d", 4), ("Dropout3d", 5)])
def test_channel_dropout_modules_print_and_stop_in_eval(cls, ndim):
    for lib in (ft, torch):
        module = getattr(lib.nn, cls)(0.3)
        assert repr(module) == f"{cls}(p=0.3, inplace=False)"
        x = lib.arange(2.0 ** ndim).reshape((2,) * ndim)
        np.testing.assert_array_equal(module.eval()(x).numpy(), x.numpy())
        assert not bool((module.train()(x) == x).all())    # 16+ channels: some are dropped or scaled


def test_channel_dropout_errors_match_torch():
    assert_same_outcome(lambda t: t.nn.functional.dropout1d(t.ones(2, 2, 2, 2)), ft, torch)
    assert_same_outcome(lambda t: t.nn.functional.dropout2d(t.ones(2, 2), p=1.5), ft, torch)
    assert_same_outcome(lambda t: t.nn.Dropout2d(-0.1), ft, torch)
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        ft.nn.functional.dropout2d(ft.ones(2, 2, 2))


MOVES = [(0, -1), (1, 0), ((0, 1), (2, 0)), ([2, 0], [0, 1]), ((0, 1), (1,)), ((0, 0), (1, 2)), ((0, 1), (2, 2)),
         (3, 0), (0, -4)]


@pytest.mark.parametrize("source,destination", MOVES)
def test_movedim_matches_torch(source, destination):
    assert_same_outcome(lambda t: t.arange(24.).reshape(2, 3, 4).movedim(source, destination).numpy().tolist(),
                        ft, torch)
    assert_same_outcome(lambda t: t.moveaxis(t.arange(24.).reshape(2, 3, 4), source, destination).shape, ft, torch)


def test_movedim_backward_and_node_name():
    def run(lib):
        x = lib.arange(24.).reshape(2, 3, 4).requires_grad_()
        y = x.movedim((0, 2), (1, 0))
        (y * lib.arange(24.).reshape(y.shape)).sum().backward()
        return type(y.grad_fn).__name__, x.grad.numpy()
    (name, grad), (want_name, want_grad) = run(ft), run(torch)
    assert name == want_name == "PermuteBackward0"
    np.testing.assert_array_equal(grad, want_grad)


def _exp_function(lib):
    class Fn(lib.autograd.Function):
        @staticmethod
        def forward(ctx, foo):
            result = lib.exp(foo)
            ctx.result = result
            return result

        @staticmethod
        def jvp(ctx, g):
            out = g * ctx.result
            del ctx.result         # torch's tutorial frees it: the jvp must be read once
            return out
    return Fn


@pytest.mark.parametrize("requires_grad", [True, False])
def test_function_jvp_under_forward_ad(requires_grad):
    def run(lib):
        fwAD = lib.autograd.forward_ad
        primal = lib.linspace(-1, 1, 12, dtype=lib.float64).reshape(3, 4).requires_grad_(requires_grad)
        tangent = lib.linspace(2, 3, 12, dtype=lib.float64).reshape(3, 4)
        with fwAD.dual_level():
            out = _exp_function(lib).apply(fwAD.make_dual(primal, tangent)) * 2
            return fwAD.unpack_dual(out).tangent.detach().numpy()
    np.testing.assert_allclose(run(ft), run(torch), rtol=1e-15)


def test_function_without_jvp_says_so_under_forward_ad():
    class Square(ft.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * x
    with pytest.raises(NotImplementedError, match="implement the jvp function"):
        Square.jvp(None, None)


def test_gradcheck_forward_mode_only():
    x = torch.rand(3, 3, dtype=torch.double, requires_grad=True)
    kwargs = dict(check_forward_ad=True, check_backward_ad=False, check_undefined_grad=False, check_batched_grad=False)
    for lib, value in ((ft, ft.tensor(x.detach().numpy(), requires_grad=True)), (torch, x)):
        assert lib.autograd.gradcheck(_exp_function(lib).apply, (value,), **kwargs) is True


def test_gradcheck_forward_mode_finds_a_wrong_jvp():
    class Wrong(ft.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.exp()

        @staticmethod
        def jvp(ctx, g):
            return g * 2
    x = ft.rand(2, dtype=ft.float64, requires_grad=True)
    from fgrad.torch.gradcheck import GradcheckError
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        ft.autograd.gradcheck(Wrong.apply, (x,), check_forward_ad=True, check_backward_ad=False)


def test_unpack_dual_keeps_a_tangent_of_the_primals_layout():
    for lib in (ft, torch):
        fwAD = lib.autograd.forward_ad
        primal, tangent = lib.ones(3, 3), lib.full((3, 3), 2.0)
        with fwAD.dual_level():
            assert fwAD.unpack_dual(fwAD.make_dual(primal, tangent)).tangent is tangent
            assert fwAD.unpack_dual(fwAD.make_dual(primal, tangent.T)).tangent is not tangent


def test_gradgradcheck_draws_grad_outputs_from_torchs_generator():
    def run(lib):
        lib.manual_seed(3)
        x = lib.rand(3, 3, dtype=lib.float64, requires_grad=True)
        assert lib.autograd.gradgradcheck(lambda t: t ** 2, x)
        return lib.rand(4, dtype=lib.float64).numpy()
    np.testing.assert_array_equal(run(ft), run(torch))


def test_benchmark_timer_measures_and_prints_as_torch():
    import torch.utils.benchmark as tb

    import fgrad.torch.utils.benchmark as fb
    for lib in (fb, tb):
        m = lib.Timer("y = x * 2", setup="x = 3", globals={}).timeit(20)
        assert m.number_per_run == 20 and len(m.times) == 1 and m.times[0] > 0
        lines = repr(m).splitlines()
        assert lines[0].startswith("<torch.utils.benchmark.utils.common.Measurement object at 0x")
        assert lines[1:3] == ["y = x * 2", "setup: x = 3"]
        assert lines[-1] == "  1 measurement, 20 runs , 1 thread"
        blocked = lib.Timer("sum(range(5))", label="sums").blocked_autorange(min_run_time=0.01)
        assert sum(blocked.raw_times) >= 0.01 and repr(blocked).splitlines()[1] == "sums"
    with pytest.raises(SyntaxError):
        fb.Timer("x = ")


def _ensemble(lib):
    lib.manual_seed(0)
    return [lib.nn.Sequential(lib.nn.Linear(4, 3), lib.nn.ReLU(), lib.nn.Linear(3, 2)) for _ in range(3)]


def test_stack_module_state_and_vmap_over_functional_call():
    def run(lib):
        models = _ensemble(lib)
        params, buffers = lib.func.stack_module_state(models)
        x = lib.linspace(-1, 1, 20).reshape(5, 4)
        out = lib.vmap(lambda p, b, x: lib.func.functional_call(models[0], (p, b), (x,)), in_dims=(0, 0, None))(
            params, buffers, x)
        flags = [p.requires_grad for p in params.values()]
        return list(params), flags, params["0.weight"].is_leaf, out.detach().numpy()
    got, want = run(ft), run(torch)
    assert got[:3] == want[:3]
    np.testing.assert_allclose(got[3], want[3], rtol=1e-6)


def test_stack_module_state_errors_match_torch():
    assert_same_outcome(lambda t: t.func.stack_module_state([]), ft, torch)
    assert_same_outcome(lambda t: t.func.stack_module_state([t.nn.Linear(2, 2), t.nn.Linear(2, 2).eval()]), ft, torch)
    assert_same_outcome(lambda t: t.func.stack_module_state([t.nn.Linear(2, 2), t.nn.Tanh()]), ft, torch)
    assert_same_outcome(lambda t: t.func.stack_module_state([t.nn.Linear(2, 2),
                                                             t.nn.Linear(2, 2).requires_grad_(False)]), ft, torch)


def test_per_sample_grads_keep_the_parameters_order():
    def run(lib):
        model = _ensemble(lib)[0]
        params = {k: v.detach() for k, v in model.named_parameters()}
        targets = lib.tensor([0, 1, 1, 0])

        def loss(p, x, target):
            return lib.nn.functional.cross_entropy(lib.func.functional_call(model, p, (x[None],)), target[None])
        grads = lib.func.vmap(lib.func.grad(loss), in_dims=(None, 0, 0))(params, lib.ones(4, 4), targets)
        return list(grads), [g.detach().numpy() for g in grads.values()]
    (names, grads), (want_names, want_grads) = run(ft), run(torch)
    assert names == want_names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for g, w in zip(grads, want_grads):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-7)


BN_SHAPES = [(1, 4, 4), (8, 3), (2, 3, 5, 5), (16, 10), (4, 6, 7), (64, 5), (2, 7), (33, 9), (5, 1)]


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_float32_is_torchs_to_the_bit(shape):
    """Output, running statistics and eval output equal torch's bits (its summation order, its
    thread split of (N, C) inputs and its fused multiply-adds); the gradient within rounding."""
    rng = np.random.default_rng(sum(shape))
    x = (rng.random(shape) * 20 + 5).astype(np.float32)
    c = shape[1]

    def run(lib):
        m = (lib.nn.BatchNorm1d if len(shape) < 4 else lib.nn.BatchNorm2d)(c)
        with lib.no_grad():
            m.weight.copy_(lib.linspace(0.5, 1.5, c))
            m.bias.copy_(lib.linspace(-1, 1, c))
        xt = lib.tensor(x, requires_grad=True)
        y = m(xt)
        (y * y).sum().backward()
        evaluated = m.eval()(lib.tensor(x)).detach().numpy()
        return [y.detach().numpy(), m.running_mean.numpy(), m.running_var.numpy(), evaluated, xt.grad.numpy()]
    got, want = run(ft), run(torch)
    for g, w in zip(got[:4], want[:4]):
        np.testing.assert_array_equal(g, w)
    np.testing.assert_allclose(got[4], want[4], rtol=1e-4, atol=1e-4)


def test_batch_norm_module_dtype_converts_its_buffers():
    for lib in (ft, torch):
        m = lib.nn.BatchNorm1d(3, dtype=lib.float64)
        assert (m.weight.dtype, m.running_mean.dtype, m.running_var.dtype) == (lib.float64,) * 3
        assert m.num_batches_tracked.dtype == lib.int64


def test_num_threads_match_torch_and_can_be_set():
    assert ft.get_num_threads() == torch.get_num_threads()
    before = ft.get_num_threads()
    try:
        ft.set_num_threads(3)
        assert ft.get_num_threads() == 3
    finally:
        ft.set_num_threads(before)
    assert_same_outcome(lambda t: t.set_num_threads(0), ft, torch)


# sizes whose last partial vector holds 7 elements, and sizes torch splits between threads, are the
# documented exceptions (fgrad.torch._cascade)
SUM_SIZES = [1, 3, 7, 8, 9, 14, 16, 33, 64, 100, 255, 256, 257, 1000, 2000, 4096, 10000, 32760]


@pytest.mark.parametrize("n", SUM_SIZES)
def test_float32_whole_sums_are_torchs_to_the_bit(n):
    rng = np.random.default_rng(n)
    for scale in (1e-3, 1.0, 1e3):
        a = (rng.normal(size=n) * scale).astype(np.float32)
        b = rng.normal(size=n).astype(np.float32)
        for fn in (lambda t, a=a: t.tensor(a).sum(), lambda t, a=a: t.tensor(a).mean(),
                   lambda t, a=a: t.tensor(a).reshape(-1, 1).sum(),
                   lambda t, a=a, b=b: t.nn.functional.mse_loss(t.tensor(a), t.tensor(b)),
                   lambda t, a=a, b=b: t.nn.functional.mse_loss(t.tensor(a), t.tensor(b), reduction="sum")):
            assert fn(ft).item() == fn(torch).item()


def test_sum_gradient_is_unchanged_by_the_cascade():
    x = ft.linspace(-1, 1, 2000, requires_grad=True)
    (x.sum() * 2 + x.mean()).backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(2000, 2 + 1 / 2000, np.float32))


IN_PLACE_VIEWS = {"unsqueeze_": lambda a: a.unsqueeze_(0), "squeeze_": lambda a: a.squeeze_(),
                  "squeeze_dim": lambda a: a.squeeze_(1), "transpose_": lambda a: a.transpose_(0, 2),
                  "t_": lambda a: a.reshape(2, 3).t_()}


@pytest.mark.parametrize("name", IN_PLACE_VIEWS)
def test_in_place_views_name_their_nodes_as_torch(name):
    def run(lib):
        x = lib.arange(6.).reshape(2, 1, 3).requires_grad_()
        a = x * 2
        out = IN_PLACE_VIEWS[name](a)
        (out * lib.arange(6.).reshape(out.shape)).sum().backward()
        return out.grad_fn.name(), tuple(out.shape), x.grad.numpy()
    got, want = run(ft), run(torch)
    assert got[:2] == want[:2]
    np.testing.assert_array_equal(got[2], want[2])


LSTM_CONFIGS = [dict(bidirectional=True), dict(proj_size=2), dict(bidirectional=True, proj_size=2, num_layers=2),
                dict(bidirectional=True, num_layers=3, batch_first=True), dict(bidirectional=True, bias=False)]


@pytest.mark.parametrize("config", LSTM_CONFIGS, ids=str)
def test_lstm_bidirectional_and_projections_match_torch(config):
    def run(lib):
        lib.manual_seed(0)
        m = lib.nn.LSTM(3, 4, **config)
        x = lib.linspace(-1, 1, 30).reshape(5, 2, 3).requires_grad_()
        out, (h, c) = m(x)
        (out.sum() + h.sum() * 2 + c.sum() * 3).backward()
        single, (h1, _) = m(lib.linspace(-1, 1, 15).reshape(5, 3))
        names = [type(out.grad_fn).__name__, type(h.grad_fn).__name__]
        return (repr(m), [n for n, _ in m.named_parameters()], names,
                [v.detach().numpy() for v in (out, h, c, x.grad, m.weight_ih_l0.grad, single, h1)])
    got, want = run(ft), run(torch)
    assert got[:3] == want[:3]
    for g, w in zip(got[3], want[3]):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6)


def test_lstm_projection_size_errors_match_torch():
    assert_same_outcome(lambda t: t.nn.LSTM(3, 4, proj_size=4), ft, torch)
    assert_same_outcome(lambda t: t.nn.LSTM(3, 4, proj_size=-1), ft, torch)


CREATIONS = {"randn": lambda t: t.randn(2, 3), "rand": lambda t: t.rand(2, 3), "zeros": lambda t: t.zeros(2, 3),
             "ones": lambda t: t.ones(2, 3), "empty": lambda t: t.empty(2, 3), "full": lambda t: t.full((2, 3), 1.0),
             "linspace": lambda t: t.linspace(0, 1, 5), "randint": lambda t: t.randint(5, (3,))}


@pytest.mark.parametrize("name", CREATIONS)
def test_profiler_logs_creation_ops_as_torch(name):
    def run(lib):
        with lib.profiler.profile() as prof:
            CREATIONS[name](lib)
        return sorted((e.key, e.count) for e in prof.key_averages())
    assert run(ft) == run(torch)
