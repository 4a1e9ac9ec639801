"""``fgrad.torch._printing`` against the real ``repr`` of PyTorch tensors."""

from __future__ import annotations

import importlib
import importlib.util
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

_MODULE_PATH = Path(__file__).resolve().parents[2] / "fgrad" / "torch" / "_printing.py"


def _load_printing():
    """Import the module normally, or by file path while the package is incomplete."""
    try:
        return importlib.import_module("fgrad.torch._printing")
    except Exception:
        spec = importlib.util.spec_from_file_location("_fgrad_printing_under_test", _MODULE_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module


printing = _load_printing()

FLOAT_DTYPES = (np.float32, np.float64, np.float16)
INT_DTYPES = (np.int64, np.int32, np.int16, np.int8, np.uint8)


@pytest.fixture(autouse=True)
def _default_printoptions():
    torch.set_printoptions(profile="default")
    printing.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    printing.set_printoptions(profile="default")


def _dtype_name(tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def _check(arr: np.ndarray) -> None:
    """Compare plain, requires_grad and grad_fn reprs of ``arr`` with torch's."""
    tensor = torch.from_numpy(arr.copy())
    dtype = _dtype_name(tensor)
    assert printing.format_tensor(arr, dtype=dtype) == repr(tensor)
    assert str(tensor) == repr(tensor)
    if tensor.dtype.is_floating_point:
        leaf = tensor.clone().requires_grad_()
        got = printing.format_tensor(arr, dtype=dtype, suffixes=[("requires_grad", "True")])
        assert got == repr(leaf)
        result = leaf * 1
        got = printing.format_tensor(arr, dtype=dtype, suffixes=[("grad_fn", "<MulBackward0>")])
        assert got == repr(result)


def _hand_picked() -> dict[str, np.ndarray]:
    f32 = np.float32
    inf, nan = math.inf, math.nan
    return {
        "scalar_int_valued": np.array(3.0, f32),
        "scalar_fraction": np.array(0.4121, f32),
        "scalar_negative": np.array(-5.4668, f32),
        "scalar_nan": np.array(nan, f32),
        "scalar_int": np.array(7, np.int64),
        "scalar_bool": np.array(True),
        "scalar_f64": np.array(2.5, np.float64),
        "integral_floats": np.array([1.0, 2.0, 3.0], f32),
        "thirds": np.array([2 / 3, 4 / 3, 2.0], f32),
        "ones_2d": np.ones((2, 2), f32),
        "ones_3d": np.ones((2, 3, 4), f32),
        "arange_4d": np.arange(48, dtype=f32).reshape(2, 2, 3, 4) - 20,
        "ints": np.array([1, -20, 300], np.int64),
        "int32": np.array([[1, 2], [3, 4]], np.int32),
        "uint8": np.array([0, 255, 7], np.uint8),
        "bools": np.array([[True, False], [False, True]]),
        "float64": np.array([0.1, 0.2], np.float64),
        "float16": np.array([0.1, 65504.0, -3.0], np.float16),
        "negative": np.array([-1.5, -2.25, 3.0], f32),
        "zeros": np.zeros(4, f32),
        "negative_zero": np.array([-0.0, 0.0, 1.0], f32),
        "negative_zero_fraction": np.array([-0.0, 0.5], f32),
        "nonfinite_only": np.array([nan, inf, -inf], f32),
        "nonfinite_mixed": np.array([nan, -inf, 1.5, inf], f32),
        "nonfinite_int_mode": np.array([nan, 2.0, -inf], f32),
        "large": np.array([1e10, 2e10], f32),
        "small": np.array([1e-5, 3e-5], f32),
        "mixed_magnitudes": np.array([1.0, 1e4, 0.5], f32),
        "integral_sci": np.array([1.0, 1e9], f32),
        "ratio_exactly_1000": np.array([1.0, 1000.0], f32),
        "summarized_1d": np.arange(2000, dtype=f32),
        "summarized_2d": np.arange(40 * 50, dtype=np.int64).reshape(40, 50),
        "summarized_3d": np.linspace(-1, 1, 11 * 12 * 13, dtype=f32).reshape(11, 12, 13),
        "summarized_small_rows": np.arange(1001 * 2, dtype=f32).reshape(1001, 2) / 7,
        "long_1d_wrap": np.linspace(0, 1, 50, dtype=f32),
        "long_int_wrap": np.arange(100, dtype=np.int64) * 1000,
        "wide_2d_wrap": np.linspace(-5, 5, 3 * 30, dtype=np.float64).reshape(3, 30),
        "empty": np.zeros(0, f32),
        "empty_2d": np.zeros((0, 3), f32),
        "empty_int": np.zeros(0, np.int64),
        "empty_bool_2d": np.zeros((2, 0), bool),
        "empty_f64": np.zeros((0,), np.float64),
        "empty_3d_int32": np.zeros((1, 0, 2), np.int32),
    }


_HAND_PICKED = _hand_picked()


@pytest.mark.parametrize("name", sorted(_HAND_PICKED))
def test_hand_picked(name: str) -> None:
    _check(_HAND_PICKED[name])


def test_quoted_examples() -> None:
    fmt = printing.format_tensor
    assert fmt(np.array(3.0, np.float32), dtype="float32") == "tensor(3.)"
    assert fmt(np.array(6.7, np.float32), dtype="float32", suffixes=[("grad_fn", "<AddBackward0>")]) == (
        "tensor(6.7000, grad_fn=<AddBackward0>)"
    )
    expected = "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"
    assert fmt(np.ones((2, 2), np.float32), dtype="float32", suffixes=[("requires_grad", "True")]) == expected
    assert fmt(np.zeros((0, 3), np.float32), dtype="float32") == "tensor([], size=(0, 3))"
    assert fmt(np.array([1e10], np.float32), dtype="float32") == "tensor([1.0000e+10])"


def _random_array(rng: np.random.Generator) -> np.ndarray:
    ndim = int(rng.integers(0, 5))
    shape = tuple(int(n) for n in rng.integers(1, 7 if ndim < 3 else 5, size=ndim))
    if ndim and rng.random() < 0.1:
        shape = shape[:-1] + (int(rng.integers(200, 1300)),)
    kind = rng.choice(["float", "float", "float", "int", "bool"])
    if kind == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if kind == "int":
        dtype = INT_DTYPES[int(rng.integers(len(INT_DTYPES)))]
        info = np.iinfo(dtype)
        high = min(int(info.max), 10 ** int(rng.integers(1, 12)))
        return np.asarray(rng.integers(max(int(info.min), -high), high, size=shape, dtype=dtype))
    return _random_floats(rng, shape)


def _random_floats(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    dtype = FLOAT_DTYPES[int(rng.integers(len(FLOAT_DTYPES)))]
    low, high = sorted(rng.uniform(-6, 12, size=2))
    values = 10.0 ** rng.uniform(low, high, size=shape)
    values = np.where(rng.random(shape) < 0.4, -values, values)
    style = rng.random()
    if style < 0.25:
        values = np.round(values)
    elif style < 0.35:
        values = np.where(rng.random(shape) < 0.3, 0.0, values)
    if rng.random() < 0.2:
        specials = rng.choice([math.nan, math.inf, -math.inf, -0.0], size=shape)
        values = np.where(rng.random(shape) < 0.2, specials, values)
    with np.errstate(over="ignore"):
        return np.asarray(values).astype(dtype)


_RNG = np.random.default_rng(20240611)
_RANDOM = [_random_array(_RNG) for _ in range(400)]


@pytest.mark.parametrize("index", range(len(_RANDOM)))
def test_random(index: int) -> None:
    _check(_RANDOM[index])


_OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"precision": 2, "sci_mode": True},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 0},
    {"edgeitems": 0},
    {"edgeitems": 0, "threshold": 3},
    {"linewidth": 40},
    {"linewidth": 200},
    {"linewidth": 10},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "short", "precision": 6},
]


@pytest.mark.parametrize("options", _OPTION_SETS, ids=[str(o) for o in _OPTION_SETS])
def test_printoptions(options: dict) -> None:
    torch.set_printoptions(**options)
    printing.set_printoptions(**options)
    assert printing.get_printoptions() == torch._tensor_str.get_printoptions()
    arrays = [*_HAND_PICKED.values(), *_RANDOM[:60]]
    for arr in arrays:
        _check(arr)


def test_set_printoptions_resets_sci_mode() -> None:
    printing.set_printoptions(sci_mode=True)
    printing.set_printoptions(precision=3)
    assert printing.get_printoptions()["sci_mode"] is None
    assert printing.format_tensor(np.array([1.5], np.float32), dtype="float32") == "tensor([1.500])"


def test_suffix_order_and_wrapping() -> None:
    arr = np.linspace(-3, 3, 24, dtype=np.float64).reshape(4, 6)
    tensor = torch.from_numpy(arr).requires_grad_()
    got = printing.format_tensor(arr, dtype="float64", suffixes=[("requires_grad", "True")])
    assert got == repr(tensor)
    torch.set_printoptions(linewidth=60)
    printing.set_printoptions(linewidth=60)
    got = printing.format_tensor(arr, dtype="float64", suffixes=[("requires_grad", "True")])
    assert got == repr(tensor)


def test_custom_prefix() -> None:
    got = printing.format_tensor(np.ones((2, 2), np.float32), dtype="float32", prefix="Parameter(")
    assert got == "Parameter([[1., 1.],\n           [1., 1.]])"


def test_module_does_not_import_torch() -> None:
    code = (
        "import importlib.util, sys\n"
        "sys.modules['torch'] = None\n"
        f"spec = importlib.util.spec_from_file_location('p', {str(_MODULE_PATH)!r})\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "import numpy as np\n"
        "print(module.format_tensor(np.arange(3), dtype='int64'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "tensor([0, 1, 2])"
