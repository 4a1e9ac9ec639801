"""torch.save / torch.load: files fgrad.torch writes load in PyTorch 2.13, and files PyTorch writes load here."""

import collections
import datetime
import io
import pickle
import zipfile

import numpy as np
import pytest
import torch

import fgrad.torch as ft

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def same(a, b):
    """Equal structure and exactly equal tensors; `a` from one library, `b` from the other."""
    if isinstance(a, (torch.Tensor, ft.Tensor)):
        assert isinstance(b, (torch.Tensor, ft.Tensor))
        assert str(a.dtype) == str(b.dtype) and tuple(a.shape) == tuple(b.shape)
        assert bool(a.requires_grad) == bool(b.requires_grad)
        assert isinstance(a, (torch.nn.Parameter, ft.nn.Parameter)) == isinstance(b, (torch.nn.Parameter,
                                                                                      ft.nn.Parameter))
        np.testing.assert_array_equal(_numpy(a), _numpy(b))
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        assert isinstance(a, collections.OrderedDict) == isinstance(b, collections.OrderedDict)
        for k in a:
            same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, (torch.dtype, ft.dtype)):
        assert str(a) == str(b)
    else:
        assert a == b and type(a) is type(b)


def _numpy(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t._data)


def checkpoints(T):
    """The same checkpoint built with either library: tensors of every dtype and shape, a model, an optimizer."""
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(4, 3), T.nn.ReLU(), T.nn.Linear(3, 1))
    opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(T.ones(2, 4)).sum().backward()
    opt.step()
    tensors = {d: (T.arange(12) % 3).to(getattr(T, d)).reshape(3, 4) for d in DTYPES}
    return {
        "tensors": tensors,
        "scalars": [T.tensor(2.5), T.tensor(7), T.zeros(0, 3), T.ones(1, 1, 2, dtype=T.float64)],
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "parameter": model[0].weight,
        "grad_leaf": T.ones(3, requires_grad=True),
        "meta": {"epoch": 3, "loss": 0.25, "name": "run", "flags": (True, None), "dtype": T.float64},
    }


@pytest.fixture(params=["path", "buffer"])
def target(request, tmp_path):
    return tmp_path / "ckpt.pt" if request.param == "path" else io.BytesIO()


def _rewind(target):
    if isinstance(target, io.BytesIO):
        target.seek(0)
    return target


def test_fgrad_file_loads_in_torch(target):
    ft.save(checkpoints(ft), target)
    loaded = torch.load(_rewind(target))           # weights_only=True, torch's default
    same(checkpoints(torch)["tensors"], loaded["tensors"])
    same(loaded["scalars"], checkpoints(ft)["scalars"])
    same(loaded["model"], checkpoints(ft)["model"])
    same(loaded["parameter"], checkpoints(ft)["parameter"])
    same(loaded["grad_leaf"], checkpoints(ft)["grad_leaf"])
    same(loaded["meta"], checkpoints(ft)["meta"])
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    model.load_state_dict(loaded["model"])
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    opt.load_state_dict(loaded["optimizer"])


def test_torch_file_loads_in_fgrad(target):
    torch.save(checkpoints(torch), target)
    loaded = ft.load(_rewind(target))
    same(checkpoints(torch)["tensors"], loaded["tensors"])
    same(checkpoints(torch)["scalars"], loaded["scalars"])
    same(checkpoints(torch)["model"], loaded["model"])
    same(checkpoints(torch)["parameter"], loaded["parameter"])
    same(checkpoints(torch)["meta"], loaded["meta"])
    model = ft.nn.Sequential(ft.nn.Linear(4, 3), ft.nn.ReLU(), ft.nn.Linear(3, 1))
    assert repr(model.load_state_dict(loaded["model"])) == "<All keys matched successfully>"
    assert set(loaded["optimizer"]) == {"state", "param_groups"}


def test_views_and_shared_storage_from_torch():
    base = torch.arange(20.0).reshape(4, 5)
    buf = io.BytesIO()
    torch.save({"t": base.t(), "slice": base[1:3, ::2], "row": base[2], "base": base}, buf)
    loaded = ft.load(_rewind(buf))
    for key, expected in {"t": base.t(), "slice": base[1:3, ::2], "row": base[2], "base": base}.items():
        np.testing.assert_array_equal(loaded[key]._data, expected.numpy())


def test_views_share_one_storage_in_torch():
    x = ft.arange(20.0).reshape(4, 5)
    buf = io.BytesIO()
    ft.save({"x": x, "t": x.t(), "part": x[1:3, ::2], "row": x[2], "alone": ft.ones(2)}, buf)
    loaded = torch.load(_rewind(buf))
    pointers = {k: v.untyped_storage().data_ptr() for k, v in loaded.items()}
    assert pointers["x"] == pointers["t"] == pointers["part"] == pointers["row"] != pointers["alone"]
    loaded["x"][2, 0] = -1.0
    assert loaded["row"][0].item() == loaded["t"][0, 2].item() == -1.0
    assert len([n for n in zipfile.ZipFile(_rewind(buf)).namelist() if "/data/" in n]) == 2


def test_round_trip_in_fgrad_and_views():
    x = ft.arange(20.0).reshape(4, 5)
    buf = io.BytesIO()
    ft.save({"t": x.t(), "part": x[1:3], "x": x}, buf)
    loaded = ft.load(_rewind(buf))
    same(loaded["t"], x.t())
    same(loaded["part"], x[1:3])
    torch_loaded = torch.load(_rewind(buf))
    np.testing.assert_array_equal(torch_loaded["t"].numpy(), x.t()._data)


def test_records_follow_torch_layout(tmp_path):
    path = tmp_path / "model.pt"
    ft.save({"w": ft.ones(3)}, path)
    names = zipfile.ZipFile(path).namelist()
    assert names[0] == "model/data.pkl" and "model/version" in names and "model/byteorder" in names
    with zipfile.ZipFile(path) as zf, open(path, "rb") as raw:
        info = zf.getinfo("model/data/0")
        raw.seek(info.header_offset + 26)
        name_len, extra_len = np.frombuffer(raw.read(4), np.uint16)
        assert (info.header_offset + 30 + name_len + extra_len) % 64 == 0
    torch.serialization.load(path, mmap=True)          # torch's memory map needs the alignment


class NotAWeight:
    def __init__(self):
        self.when = datetime.date(2020, 1, 1)


def test_weights_only_refuses_other_globals():
    buf = io.BytesIO()
    torch.save({"obj": NotAWeight(), "x": torch.ones(2)}, buf)
    with pytest.raises(pickle.UnpicklingError) as expected:
        torch.load(_rewind(buf))
    with pytest.raises(pickle.UnpicklingError) as got:
        ft.load(_rewind(buf))
    assert str(got.value).split("\n")[0] == str(expected.value).split("\n")[0]
    assert "weights_only" in str(got.value)
    loaded = ft.load(_rewind(buf), weights_only=False)
    assert loaded["obj"].when == datetime.date(2020, 1, 1)
    same(torch.ones(2), loaded["x"])


def test_load_errors():
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        ft.load(io.BytesIO(b"not a checkpoint"))
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ft.load(io.BytesIO(b"PK"), map_location="cuda")
