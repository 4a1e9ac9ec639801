"""fgrad.torch.utils.data against torch.utils.data: the same batches, in the same order, for the same seeds."""

import collections

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import fgrad.torch as ft
import fgrad.torch.utils.data as fdata


def same(a, b):
    """Structural equality of a torch result and an fgrad.torch result (tensors compared exactly)."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, ft.Tensor), type(b)
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_array_equal(np.asarray(b._data), a.detach().numpy())
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (type(a), type(b))
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in a:
            same(a[k], b[k])
    else:
        assert a == b


def both_datasets(n, width=3):
    x = np.arange(n * width, dtype=np.float32).reshape(n, width)
    y = np.arange(n) % 3
    return (tdata.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
            fdata.TensorDataset(ft.from_numpy(x.copy()), ft.from_numpy(y.copy())))


@pytest.mark.parametrize("n", [1, 7, 10, 64, 101])
@pytest.mark.parametrize("batch_size", [1, 3, 16])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("drop_last", [False, True])
def test_loader_batches(n, batch_size, shuffle, drop_last):
    tds, fds = both_datasets(n)
    torch.manual_seed(n + batch_size)
    ft.manual_seed(n + batch_size)
    tl = tdata.DataLoader(tds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    fl = fdata.DataLoader(fds, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    assert len(tl) == len(fl)
    for _epoch in range(2):
        same(list(tl), list(fl))
    np.testing.assert_array_equal(ft.get_rng_state().numpy(), torch.get_rng_state().numpy())


@pytest.mark.parametrize("seed", [0, 3, 99])
def test_loader_with_generator_and_global_draws_between(seed):
    tds, fds = both_datasets(23)
    tg, fg = torch.Generator().manual_seed(seed), ft.Generator().manual_seed(seed)
    torch.manual_seed(1)
    ft.manual_seed(1)
    tl = tdata.DataLoader(tds, batch_size=5, shuffle=True, generator=tg)
    fl = fdata.DataLoader(fds, batch_size=5, shuffle=True, generator=fg)
    same(list(tl), list(fl))
    same(torch.rand(3), ft.rand(3))
    same(list(tl), list(fl))
    np.testing.assert_array_equal(fg.get_state().numpy(), tg.get_state().numpy())


def test_interleaved_iterators_and_model_init():
    tds, fds = both_datasets(12)
    torch.manual_seed(5)
    ft.manual_seed(5)
    tl = tdata.DataLoader(tds, batch_size=4, shuffle=True)
    fl = fdata.DataLoader(fds, batch_size=4, shuffle=True)
    ti, fi = iter(tl), iter(fl)
    same(torch.nn.Linear(3, 2).weight, ft.nn.Linear(3, 2).weight)
    same(next(ti), next(fi))
    same(torch.randn(2), ft.randn(2))
    same(list(ti), list(fi))


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("num_samples", [None, 5, 40, 70])
def test_random_sampler(replacement, num_samples):
    torch.manual_seed(2)
    ft.manual_seed(2)
    ts = tdata.RandomSampler(range(30), replacement=replacement, num_samples=num_samples)
    fs = fdata.RandomSampler(range(30), replacement=replacement, num_samples=num_samples)
    assert len(ts) == len(fs)
    same(list(ts), list(fs))
    same(list(tdata.BatchSampler(ts, 7, True)), list(fdata.BatchSampler(fs, 7, True)))
    same(list(tdata.BatchSampler(ts, 7, False)), list(fdata.BatchSampler(fs, 7, False)))
    assert len(tdata.BatchSampler(ts, 7, False)) == len(fdata.BatchSampler(fs, 7, False))


def test_sequential_and_subset_random_sampler():
    same(list(tdata.SequentialSampler(range(6))), list(fdata.SequentialSampler(range(6))))
    torch.manual_seed(8)
    ft.manual_seed(8)
    same(list(tdata.SubsetRandomSampler([3, 9, 4, 1])), list(fdata.SubsetRandomSampler([3, 9, 4, 1])))


@pytest.mark.parametrize("lengths", [[3, 7], [0.5, 0.5], [0.3, 0.3, 0.4], [0.25, 0.75], [10]])
def test_random_split(lengths):
    for gen in (None, 4):
        torch.manual_seed(6)
        ft.manual_seed(6)
        kw_t = {} if gen is None else {"generator": torch.Generator().manual_seed(gen)}
        kw_f = {} if gen is None else {"generator": ft.Generator().manual_seed(gen)}
        ts = tdata.random_split(range(10), lengths, **kw_t)
        fs = fdata.random_split(range(10), lengths, **kw_f)
        assert [list(s) for s in ts] == [list(s) for s in fs]
        assert [s.indices for s in ts] == [s.indices for s in fs]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        fdata.random_split(range(10), [3, 3])


Point = collections.namedtuple("Point", "x y")


class Samples:
    def __init__(self, lib, kind):
        self.lib, self.kind = lib, kind

    def __len__(self):
        return 5

    def __getitem__(self, i):
        T = self.lib
        return {
            "tuple": (T.ones(2) * i, i, float(i)),
            "dict": {"a": T.arange(3) + i, "b": [i, i + 1], "name": f"s{i}"},
            "number": float(i) / 2,
            "array": np.full((2, 2), i, np.float32),
            "named": Point(i, T.tensor(float(i))),
            "bool": i % 2 == 0,
            "npscalar": np.float32(i),
        }[self.kind]


@pytest.mark.parametrize("kind", ["tuple", "dict", "number", "array", "named", "bool", "npscalar"])
def test_collate(kind):
    tl = tdata.DataLoader(Samples(torch, kind), batch_size=2)
    fl = fdata.DataLoader(Samples(ft, kind), batch_size=2)
    same(list(tl), list(fl))


def test_no_batching_and_custom_collate():
    same(list(tdata.DataLoader(Samples(torch, "array"), batch_size=None)),
         list(fdata.DataLoader(Samples(ft, "array"), batch_size=None)))
    tl = tdata.DataLoader(range(7), batch_size=3, collate_fn=lambda b: sum(b))
    fl = fdata.DataLoader(range(7), batch_size=3, collate_fn=lambda b: sum(b))
    assert list(tl) == list(fl)
    bs_t = tdata.BatchSampler(tdata.SequentialSampler(range(7)), 2, False)
    bs_f = fdata.BatchSampler(fdata.SequentialSampler(range(7)), 2, False)
    same(list(tdata.DataLoader(range(7), batch_sampler=bs_t)), list(fdata.DataLoader(range(7), batch_sampler=bs_f)))


def test_subset_concat_and_errors():
    tds, fds = both_datasets(6)
    same(tdata.Subset(tds, [4, 1])[1], fdata.Subset(fds, [4, 1])[1])
    assert len(tdata.ConcatDataset([tds, tds])) == len(fdata.ConcatDataset([fds, fds]))
    same((tds + tds)[8], (fds + fds)[8])
    same((tds + tds)[-1], (fds + fds)[-1])
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        fdata.TensorDataset(ft.ones(2), ft.ones(3))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        fdata.DataLoader(fds, sampler=fdata.SequentialSampler(fds), shuffle=True)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        fdata.BatchSampler(fdata.SequentialSampler(fds), 0, False)
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        list(fdata.DataLoader([object(), object()], batch_size=2))


class Stream:
    """The same stream of samples as a torch and an fgrad IterableDataset."""

    @staticmethod
    def make(lib_data, lib, n=11):
        class Counting(lib_data.IterableDataset):
            def __iter__(self):
                return iter([lib.tensor([float(i), 2.0 * i]) for i in range(n)])

            def __len__(self):
                return n
        return Counting()


@pytest.mark.parametrize("batch_size", [None, 1, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset(batch_size, drop_last):
    if batch_size is None and drop_last:
        with pytest.raises(ValueError) as expected:
            tdata.DataLoader(Stream.make(tdata, torch), batch_size=None, drop_last=True)
        with pytest.raises(ValueError) as got:
            fdata.DataLoader(Stream.make(fdata, ft), batch_size=None, drop_last=True)
        assert str(got.value) == str(expected.value)
        return
    tl = tdata.DataLoader(Stream.make(tdata, torch), batch_size=batch_size, drop_last=drop_last)
    fl = fdata.DataLoader(Stream.make(fdata, ft), batch_size=batch_size, drop_last=drop_last)
    same(list(tl), list(fl))
    assert len(tl) == len(fl)
    with pytest.raises(ValueError) as expected:
        tdata.DataLoader(Stream.make(tdata, torch), shuffle=True)
    with pytest.raises(ValueError) as got:
        fdata.DataLoader(Stream.make(fdata, ft), shuffle=True)
    assert str(got.value) == str(expected.value)
