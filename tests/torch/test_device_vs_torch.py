"""torch.device, torch.cuda, torch.accelerator and torch.backends answer as PyTorch 2.13's CPU build does."""

import pickle

import pytest
import torch

import fgrad.torch as ft

SPECS = [("cpu",), ("cpu", 0), ("cpu:0",), ("cuda",), ("cuda", 1), ("cuda:3",), ("mps",), ("meta",)]


@pytest.mark.parametrize("spec", SPECS)
def test_device_prints_and_compares_as_torch(spec):
    t, f = torch.device(*spec), ft.device(*spec)
    assert repr(f) == repr(t) and str(f) == str(t)
    assert (f.type, f.index) == (t.type, t.index)
    for other in SPECS:
        assert (f == ft.device(*other)) == (t == torch.device(*other))
    assert (f == str(t)) == (t == str(t))
    assert ft.device(f) == f and hash(ft.device(*spec)) == hash(f)
    assert pickle.loads(pickle.dumps(f)) == f


@pytest.mark.parametrize("bad", ["foo", "cuda:x", "cpu:", 3])
def test_device_errors_match_torch(bad):
    with pytest.raises(RuntimeError) as expected:
        torch.device(bad)
    with pytest.raises(RuntimeError) as got:
        ft.device(bad)
    assert str(got.value) == str(expected.value)


def test_device_is_immutable():
    with pytest.raises(AttributeError):
        ft.device("cpu").type = "cuda"


def test_runtime_queries():
    assert ft.cuda.is_available() is torch.cuda.is_available() is False
    assert ft.cuda.device_count() == torch.cuda.device_count() == 0
    assert ft.cuda.is_initialized() is torch.cuda.is_initialized()
    assert ft.accelerator.is_available() is torch.accelerator.is_available()
    assert ft.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert ft.accelerator.device_count() == torch.accelerator.device_count()
    assert ft.backends.mps.is_available() is torch.backends.mps.is_available()
    assert ft.backends.mps.is_built() is torch.backends.mps.is_built()
    assert ft.backends.cuda.is_built() is torch.backends.cuda.is_built()
    ft.cuda.manual_seed(3)
    ft.cuda.manual_seed_all(3)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ft.cuda.current_device()


def test_the_usual_device_idiom():
    """`device = "cuda" if available else "cpu"` then moving a model and data there."""
    dev = ft.device("cuda" if ft.cuda.is_available() else "cpu")
    model = ft.nn.Linear(2, 1).to(dev)
    x = ft.ones(3, 2).to(dev)
    assert x.device == dev == ft.device("cpu")
    assert repr(x.cpu().device) == repr(torch.ones(1).cpu().device)
    assert model(x).shape == (3, 1)
    assert repr(ft.get_default_device()) == repr(torch.get_default_device())
    ft.set_default_device("cpu")
    ft.set_default_device(None)
    ft.set_default_device("cuda")      # accepted, as by torch: the next factory raises
    try:
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            ft.zeros(1)
    finally:
        ft.set_default_device("cpu")


def test_generator_device():
    assert repr(ft.Generator().device) == repr(torch.Generator().device)
    assert repr(ft.Generator("cpu").device) == repr(torch.Generator("cpu").device)


MOVES = {
    "tensor.to('cuda')": lambda m: m.ones(2).to("cuda"),
    "tensor.to(device=cuda)": lambda m: m.ones(2).to(device=m.device("cuda", 0)),
    "tensor.cuda()": lambda m: m.ones(2).cuda(),
    "module.to('cuda')": lambda m: m.nn.Linear(2, 2).to("cuda"),
    "dropout p > 1": lambda m: m.nn.functional.dropout(m.ones(2), 1.5),
    "dropout p < 0": lambda m: m.nn.functional.dropout(m.ones(2), -0.1),
}


@pytest.mark.parametrize("name", sorted(MOVES))
def test_what_a_cpu_build_refuses_is_refused_as_torch(name):
    with pytest.raises(Exception) as expected:
        MOVES[name](torch)
    with pytest.raises(Exception) as got:
        MOVES[name](ft)
    assert type(got.value) is type(expected.value) and str(got.value) == str(expected.value)


def test_moving_to_the_cpu_keeps_values_and_dtype():
    x = ft.ones(2, dtype=ft.float64)
    assert x.to("cpu") is x and x.to(ft.device("cpu")).dtype == ft.float64
    assert x.to(device="cpu", dtype=ft.float32).dtype == ft.float32
    assert isinstance(ft.nn.Linear(2, 2).to("cpu"), ft.nn.Linear)
