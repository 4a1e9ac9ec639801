"""torch.save / torch.load in PyTorch's zip format, readable by PyTorch 2.13 and reading what it writes.

A checkpoint is an uncompressed zip holding `<name>/data.pkl` (a protocol-2 pickle in which every tensor
is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)` and every
storage a persistent id `('storage', torch.FloatStorage, key, 'cpu', numel)`), one `<name>/data/<key>`
record of raw little-endian bytes per storage (aligned to 64 bytes, as PyTorch aligns them), and the
`version`, `byteorder`, `.format_version`, `.storage_alignment` and `.data/serialization_id` records.
The pickle names torch's globals without importing torch: they are written as opcodes by hand.

Loading follows `weights_only=True` (the default): only tensors, storages, containers, numbers, strings
and a few torch types are rebuilt; any other global is refused, as torch refuses it.

Example:
    >>> import io, fgrad.torch as torch
    >>> buf = io.BytesIO(); torch.save({"w": torch.ones(2)}, buf); _ = buf.seek(0)
    >>> torch.load(buf)["w"]
    tensor([1., 1.])
"""

from __future__ import annotations

import collections
import hashlib
import io
import os
import pickle
import struct
import zipfile

import numpy as np

from . import _dtypes
from .ops import wrap
from .tensor import Tensor

_STORAGES = {"FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
             "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16, "CharStorage": np.int8,
             "ByteStorage": np.uint8, "BoolStorage": np.bool_}
_STORAGE_OF = {np.dtype(v): k for k, v in _STORAGES.items()}
_ALIGN = 64
_UNSAFE = ("Weights only load failed. This file can still be loaded, to do so you have two options, "
           "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. ")


class _TorchGlobal:
    """A name in torch's namespace, pickled as a GLOBAL opcode (torch need not be importable)."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):            # pickle wants reduce functions to be callable; never called here
        raise TypeError(f"{self.module}.{self.name} is a name for PyTorch's unpickler, not a function here")


_REBUILD_TENSOR = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")


class _Storage:
    def __init__(self, key: str, array: np.ndarray, owner: np.ndarray):
        self.key, self.array, self.owner = key, array, owner     # owner keeps the root (and its id) alive


class _Writer(pickle._Pickler):
    """Pickles tensors as PyTorch does, collecting their storages for the zip's data records."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages: list[_Storage] = []
        self.by_root: dict[int, _Storage] = {}      # id of a root array -> its storage

    def _storage_of(self, array: np.ndarray):
        """(storage, offset, strides) of a tensor's array: views of one buffer share one storage, as in torch."""
        root = array
        while isinstance(root.base, np.ndarray):
            root = root.base
        item = array.itemsize
        shift = array.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        shareable = (root.flags.c_contiguous and root.dtype == array.dtype and shift % item == 0
                     and all(st >= 0 and st % item == 0 for st in array.strides))
        if not shareable:
            root, shift = np.require(array, requirements="C"), 0
        storage = self.by_root.get(id(root))
        if storage is None:
            storage = self.by_root[id(root)] = _Storage(str(len(self.storages)), root.reshape(-1), root)
            self.storages.append(storage)
        return storage, shift // item, tuple(st // item for st in (array.strides if shareable else root.strides))

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            kind = _TorchGlobal("torch", _STORAGE_OF[obj.array.dtype])
            return ("storage", kind, obj.key, "cpu", obj.array.size)
        return None

    def save_global(self, obj, name=None):
        if isinstance(obj, (_TorchGlobal, _dtypes.dtype)):
            module = obj.module if isinstance(obj, _TorchGlobal) else "torch"
            self.write(pickle.GLOBAL + f"{module}\n{obj.name}\n".encode())
            self.memoize(obj)
            return
        super().save_global(obj, name)

    def reducer_override(self, obj):
        from .nn.modules import Parameter
        if isinstance(obj, Parameter):
            return _REBUILD_PARAMETER, (_plain(obj), obj.requires_grad, _ordered())
        if isinstance(obj, Tensor):
            storage, offset, strides = self._storage_of(obj._data)
            return _REBUILD_TENSOR, (storage, offset, tuple(obj._data.shape), strides, obj.requires_grad,
                                     _ordered())
        if isinstance(obj, (_TorchGlobal, _dtypes.dtype)):
            return obj.name                   # a global: pickle hands it to save_global
        return NotImplemented


def _plain(p) -> Tensor:
    return wrap(p._data)


def _ordered():
    return collections.OrderedDict()


def save(obj, f, pickle_module=None, pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Write `obj` (tensors, state_dicts, optimizer state, containers) to a path or binary file.

    Args:
        obj: what to save: tensors, and dicts, lists and tuples of them and of plain values.
        f: a path, or a binary file open for writing.
        pickle_module: accepted for PyTorch's signature.
        pickle_protocol: accepted for PyTorch's signature.

    Returns:
        None. The file is PyTorch's zip format, so real PyTorch loads it too.

    Example:
        >>> import io, fgrad.torch as torch
        >>> torch.save(torch.nn.Linear(2, 1).state_dict(), io.BytesIO())
    """
    buf = io.BytesIO()
    writer = _Writer(buf)
    writer.dump(obj)
    pickled = buf.getvalue()
    name = _archive_name(f)
    serial = str(int(hashlib.sha1(pickled).hexdigest(), 16))[:40].zfill(40)
    records = [("data.pkl", pickled), (".format_version", b"1"), (".storage_alignment", b"64"),
               ("byteorder", b"little")]
    records += [(f"data/{s.key}", s.array.astype(s.array.dtype.newbyteorder("<")).tobytes())
                for s in writer.storages]
    records += [("version", b"3\n"), (".data/serialization_id", serial.encode())]
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as out:
            _write_zip(out, name, records)
    else:
        _write_zip(f, name, records)


def _archive_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"


def _write_zip(out, name: str, records) -> None:
    """Stored (uncompressed) records, each data record starting at a multiple of 64 bytes."""
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for rel, data in records:
            info = zipfile.ZipInfo(f"{name}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            header_end = target.tell() + 30 + len(info.filename.encode()) + 4
            pad = -header_end % _ALIGN
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            zf.writestr(info, data)
    out.write(target.getvalue())


# --- loading --------------------------------------------------------------------------------------

def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    itemsize = storage.itemsize
    if not size:
        array = storage[storage_offset:storage_offset + 1].reshape(())
    else:
        array = np.lib.stride_tricks.as_strided(storage[storage_offset:], tuple(size),
                                                tuple(s * itemsize for s in stride))
    t = wrap(np.array(array))
    t._rg = bool(requires_grad)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None, *state):
    from .nn.modules import Parameter
    return Parameter(data, requires_grad)


_ALLOWED = {("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
            ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
            ("collections", "OrderedDict"): collections.OrderedDict,
            ("torch", "Size"): _dtypes.Size,
            ("torch", "device"): _dtypes.device,
            ("builtins", "set"): set, ("builtins", "frozenset"): frozenset, ("builtins", "slice"): slice,
            ("builtins", "complex"): complex}


class _Reader(pickle.Unpickler):
    def __init__(self, file, records, prefix: str, weights_only: bool):
        super().__init__(file)
        self.records, self.prefix, self.weights_only = records, prefix, weights_only
        self.loaded: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str):
        if module == "torch" and name in _STORAGES:
            return np.dtype(_STORAGES[name])
        if module == "torch" and isinstance(getattr(_dtypes, name, None), _dtypes.dtype):
            return getattr(_dtypes, name)
        if (module, name) in _ALLOWED:
            return _ALLOWED[module, name]
        if self.weights_only:
            raise pickle.UnpicklingError(
                f"{_UNSAFE}\n\t(1) Re-running `torch.load` with `weights_only` set to `False` will likely "
                f"succeed, but it can result in arbitrary code execution.\n\tWeightsUnpickler error: Unsupported "
                f"global: GLOBAL {module}.{name} was not an allowed global by default.")
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind, dtype, key, _location, numel = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError(f"Unknown saved id type: {kind}")
        if key not in self.loaded:
            raw = self.records.read(f"{self.prefix}/data/{key}")
            self.loaded[key] = np.frombuffer(raw, np.dtype(dtype).newbyteorder("<"))[:numel].astype(dtype)
        return self.loaded[key]


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = None, mmap=None,
         **pickle_load_args):
    """Read what `save` (this library's or PyTorch's) wrote; only weights unless weights_only=False.

    Args:
        f: a path, or a binary file open for reading.
        map_location: "cpu", a dict or a function, as in PyTorch; tensors load on the CPU.
        weights_only: by default (and when True) only tensors, containers and plain values load.

    Returns:
        The saved object, its tensors as fgrad.torch tensors.

    Example:
        >>> import io, fgrad.torch as torch
        >>> buf = io.BytesIO(); torch.save([torch.arange(3)], buf); _ = buf.seek(0)
        >>> torch.load(buf)
        [tensor([0, 1, 2])]
    """
    if map_location is not None and not callable(map_location) and not isinstance(map_location, dict):
        _dtypes.check_device(map_location)
    source = open(f, "rb") if isinstance(f, (str, os.PathLike)) else f
    try:
        data = source.read()
    finally:
        if source is not f:
            source.close()
    if not data.startswith(b"PK"):
        raise RuntimeError("Invalid magic number; corrupt file? (only PyTorch's zip format, written by "
                           "torch.save since PyTorch 1.6, can be read here)")
    with zipfile.ZipFile(io.BytesIO(data)) as records:
        names = records.namelist()
        prefix = names[0].split("/")[0]
        pkl = next((n for n in names if n == f"{prefix}/data.pkl"), None)
        if pkl is None:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        reader = _Reader(io.BytesIO(records.read(pkl)), records, prefix, weights_only is not False)
        return reader.load()
