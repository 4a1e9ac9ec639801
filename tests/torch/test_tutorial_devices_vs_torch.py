"""PyTorch's default-device recipes, against a CPU-only PyTorch 2.13: ``with torch.device(...)``,
set_default_device, factories asked for CUDA, and load_state_dict(assign=True) after torch.load(mmap=True)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import fgrad.torch as ft  # noqa: E402

if torch.cuda.is_available():
    pytest.skip("compares with a CPU-only PyTorch build", allow_module_level=True)

FACTORIES = {
    "zeros": lambda t, **kw: t.zeros(2, 3, **kw),
    "ones": lambda t, **kw: t.ones(2, **kw),
    "empty": lambda t, **kw: t.empty(4, **kw),
    "full": lambda t, **kw: t.full((2,), 1.5, **kw),
    "tensor": lambda t, **kw: t.tensor([1.0, 2.0], **kw),
    "as_tensor": lambda t, **kw: t.as_tensor([1.0, 2.0], **kw),
    "arange": lambda t, **kw: t.arange(5, **kw),
    "linspace": lambda t, **kw: t.linspace(0, 1, 5, **kw),
    "eye": lambda t, **kw: t.eye(3, **kw),
    "zeros_like": lambda t, **kw: t.zeros_like(t.ones(2), **kw),
    "rand": lambda t, **kw: t.rand(2, **kw),
    "randn": lambda t, **kw: t.randn(2, 2, **kw),
    "randint": lambda t, **kw: t.randint(0, 5, (3,), **kw),
    "randperm": lambda t, **kw: t.randperm(4, **kw),
    "normal": lambda t, **kw: t.normal(0.0, 1.0, (2,), **kw),
    "randn_like": lambda t, **kw: t.randn_like(t.ones(2), **kw),
    "linear": lambda t, **kw: t.nn.Linear(3, 2),
}


def _outcome(lib, build, **kwargs):
    try:
        out = build(lib, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the outcome compared is the exception
        return type(exc).__name__, str(exc)
    return "ok", str(getattr(out, "device", "module"))


@pytest.mark.parametrize("name", [n for n in FACTORIES if n != "linear"])
@pytest.mark.parametrize("where", ["cpu", "cuda", "cuda:1"])
def test_factory_with_an_explicit_device_matches_torch(name, where):
    assert _outcome(ft, FACTORIES[name], device=where) == _outcome(torch, FACTORIES[name], device=where)


def test_a_refused_cuda_draw_leaves_the_generator_where_it_was():
    for lib in (ft, torch):
        lib.manual_seed(0)
        with pytest.raises(AssertionError):
            lib.randn(3, device="cuda")
    np.testing.assert_array_equal(ft.randn(3).numpy(), torch.randn(3).numpy())


def _inside(lib, where, build):
    with lib.device(where):
        return _outcome(lib, build)


@pytest.mark.parametrize("name", [n for n in FACTORIES if not n.endswith("_like")])
@pytest.mark.parametrize("where", ["cpu", "cuda"])
def test_factories_inside_a_device_block_match_torch(name, where):
    assert _inside(ft, where, FACTORIES[name]) == _inside(torch, where, FACTORIES[name])


def test_a_device_block_ends_with_its_with_statement():
    for lib in (ft, torch):
        with pytest.raises(AssertionError), lib.device("cuda"):
            lib.zeros(1)
        assert lib.zeros(1).device == lib.device("cpu")
        assert lib.get_default_device() == lib.device("cpu")
        with lib.device("cpu") as d:
            assert d == lib.device("cpu")


def _with_default(lib, where):
    lib.set_default_device(where)
    try:
        return _outcome(lib, FACTORIES["zeros"])
    finally:
        lib.set_default_device("cpu")


@pytest.mark.parametrize("where", ["cpu", "cuda"])
def test_set_default_device_then_a_factory_matches_torch(where):
    assert _with_default(ft, where) == _with_default(torch, where)


def _load_assign(lib, folder):
    lib.manual_seed(0)
    source = lib.nn.ModuleList([lib.nn.Linear(1, 1) for _ in range(3)])
    path = str(folder / f"{lib.__name__}.pth")
    lib.save(source.state_dict(), path)
    state = lib.load(path, mmap=True)
    target = lib.nn.ModuleList([lib.nn.Linear(1, 1) for _ in range(3)])
    result = target.load_state_dict(state, assign=True)
    same_objects = all(target.state_dict()[k] is v or target.state_dict()[k].data_ptr() == v.data_ptr()
                       for k, v in state.items())
    return repr(result), same_objects, [p.detach().numpy() for p in target.parameters()]


def test_load_state_dict_assign_after_mmap_load_matches_torch(tmp_path):
    got, want = _load_assign(ft, tmp_path), _load_assign(torch, tmp_path)
    assert got[:2] == want[:2]
    for a, b in zip(got[2], want[2]):
        np.testing.assert_array_equal(a, b)


def _other_thread_outcome(lib):
    import threading
    seen = []
    with lib.device("cuda"):
        worker = threading.Thread(target=lambda: seen.append(_outcome(lib, FACTORIES["zeros"])))
        worker.start()
        worker.join()
    return seen


def test_a_device_block_is_the_opening_threads_own():
    assert _other_thread_outcome(ft) == _other_thread_outcome(torch) == [("ok", "cpu")]
