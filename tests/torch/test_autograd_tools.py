"""torch.autograd's debugging tools in fgrad.torch against PyTorch 2.13: gradcheck and gradgradcheck,
detect_anomaly / set_detect_anomaly, saved_tensors_hooks and grad_fn._saved_* (as PyTorch's tutorials
use them). Results, printed output, warnings and errors must be torch's."""

from __future__ import annotations

import importlib
import warnings

import pytest

torch = pytest.importorskip("torch")
from _torch_compare import assert_same_outcome  # noqa: E402

import fgrad.torch as ft  # noqa: E402

HINT = "\nfgrad hint:"


def same(case) -> None:
    """case(lib) gives the same printed result with fgrad.torch and torch."""
    got, want = case(ft), case(torch)
    assert repr(got) == repr(want), f"{case.__name__}:\nfgrad.torch: {got!r}\ntorch:       {want!r}"


def caught(fn) -> list:
    """(category, message) of the warnings `fn()` emits, and its error (type, message) or result."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            outcome = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the type and message are compared
            outcome = (type(exc).__name__, str(exc).split(HINT)[0])
    return [(w.category.__name__, str(w.message)) for w in seen] + [outcome]


def wrong_square(lib):
    class WrongSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 2

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_tensors
            return g * 3 * a
    return WrongSquare.apply


# --- gradcheck and gradgradcheck ---------------------------------------------------------------------

def test_gradcheck_passes_and_fails_as_torch():
    def case(lib):
        x = lib.tensor([0.5, 1.5, -0.3], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([[1.0, 2.0]], dtype=lib.float64, requires_grad=True)
        f = lambda a, b: (a.sin() * a).sum() * b  # noqa: E731
        return (lib.autograd.gradcheck(f, (x, y)), lib.autograd.gradgradcheck(f, (x, y)),
                lib.autograd.gradcheck(wrong_square(lib), (x,), raise_exception=False))
    same(case)


def test_a_jacobian_mismatch_is_torch_s_gradcheck_error():
    def case(lib):
        error = importlib.import_module(lib.__name__ + ".autograd.gradcheck").GradcheckError
        x = lib.tensor([0.5, 1.5, -0.3], dtype=lib.float64, requires_grad=True)
        try:
            lib.autograd.gradcheck(wrong_square(lib), (x,))
        except error as e:
            return isinstance(e, RuntimeError), str(e)
    same(case)


def test_gradcheck_warns_and_refuses_as_torch():
    for case in (lambda lib: lib.autograd.gradcheck(lambda a: a * 2, (lib.tensor([1.0], requires_grad=True),),
                                                    raise_exception=False),
                 lambda lib: lib.autograd.gradcheck(lambda a: a * 2, (lib.tensor([1.0], dtype=lib.float64),))):
        assert caught(lambda case=case: case(ft)) == caught(lambda case=case: case(torch))


def test_gradgradcheck_catches_a_wrong_second_derivative():
    def case(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a ** 3

            @staticmethod
            def backward(ctx, g):
                a, = ctx.saved_tensors
                return g * 3 * a.detach() ** 2         # right once, constant for the second derivative
        x = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        return lib.autograd.gradcheck(Cube.apply, (x,)), lib.autograd.gradgradcheck(Cube.apply, (x,),
                                                                                  raise_exception=False)
    same(case)


# --- anomaly detection ---------------------------------------------------------------------------------

def _nan_backward(lib, during_forward: bool):
    x = lib.tensor([0.0, 1.0], requires_grad=True)
    if during_forward:
        with lib.autograd.detect_anomaly():
            y = (x.sqrt() * 0).sum()
            y.backward()
    y = (x.sqrt() * 0).sum()
    with lib.autograd.set_detect_anomaly(True):
        y.backward()


@pytest.mark.parametrize("during_forward", [True, False])
def test_anomaly_detection_names_the_node_as_torch(during_forward):
    # both from one line, so the forward stacks in the warnings are the same
    ours, theirs = (caught(lambda lib=lib: _nan_backward(lib, during_forward)) for lib in (ft, torch))
    assert ours == theirs
    assert ours[-1] == ("RuntimeError", "Function 'SqrtBackward0' returned nan values in its 0th output.")
    assert not ft.is_anomaly_enabled() and not torch.is_anomaly_enabled()


def test_without_anomaly_detection_nan_gradients_pass_silently():
    def case(lib):
        x = lib.tensor([0.0, 1.0], requires_grad=True)
        (x.sqrt() * 0).sum().backward()
        return x.grad, lib.is_anomaly_enabled(), lib.is_anomaly_check_nan_enabled()
    same(case)


# --- saved tensors -------------------------------------------------------------------------------------

def test_saved_tensors_as_the_tutorial_reads_them():
    def case(lib):
        lib.manual_seed(0)
        a = lib.randn(5, requires_grad=True)
        y = a.pow(2)
        exp = a.exp()
        m = a * (a + 1)
        found = [y.grad_fn._saved_self, y.grad_fn._saved_self is a, exp.grad_fn._saved_result.equal(exp),
                 exp.grad_fn._saved_result is exp, m.grad_fn._saved_self is a, hasattr(exp.grad_fn, "_saved_self")]
        exp.sum().backward()
        return found
    same(case)


def test_reading_saved_tensors_after_backward_is_torch_s_error():
    def case(lib):
        y = lib.ones(2, requires_grad=True).exp()
        y.sum().backward()
        return y.grad_fn._saved_result
    assert_same_outcome(case, ft, torch)


def test_saved_tensors_hooks_pack_and_unpack_as_torch(capsys):
    def case(lib):
        lib.manual_seed(0)
        a = lib.randn(5, requires_grad=True)
        b = a * 2
        log = []

        def pack_hook(x):
            log.append(("pack", tuple(x.shape)))
            return x * 1

        def unpack_hook(x):
            log.append(("unpack", tuple(x.shape)))
            return x
        with lib.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook):
            c = a * b
            d = c.sin()
        log.append("forward done")
        d.sum().backward()
        return log, a.grad
    same(case)
