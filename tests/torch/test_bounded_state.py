"""No process-wide side effects and bounded memory: importing fgrad.torch leaves NumPy's error state
alone, its ops still make inf and nan silently (as torch does), and every cache it keeps stays at its
bound while thousands of distinct shapes go through forward and backward."""

from __future__ import annotations

import gc
import linecache
import subprocess
import sys
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402
from fgrad.torch import _graph, _lru, _node_backward, autograd  # noqa: E402


def test_import_leaves_numpy_error_state_alone():
    code = ("import numpy as np; before = np.geterr(); import fgrad.torch as t; "
            "t.log(t.zeros(1)); assert np.geterr() == before, (before, np.geterr()); print('same')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "same", out.stderr


def _edge_values(lib):
    x = lib.tensor([0.0, 1.0, -1.0, 3e38], requires_grad=True)
    y = lib.log(x) + 1 / x + x * 1e10 + lib.sqrt(x) + lib.exp(x * 100)
    (y - y).sum().backward()            # inf - inf too
    return y.detach().numpy(), x.grad.numpy()


def test_ops_make_inf_and_nan_silently_and_the_callers_state_is_kept():
    before = np.geterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):          # the caller's own state: raise
            got = _edge_values(ft)
            with pytest.raises(FloatingPointError):
                np.log(np.zeros(1))             # still the caller's state after the shim's ops
    assert np.geterr() == before
    with np.errstate(all="ignore"):
        want = _edge_values(torch)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w))
        np.testing.assert_allclose(np.nan_to_num(g), np.nan_to_num(w), rtol=1e-6)


def test_optimizer_step_and_integer_ops_are_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = ft.tensor([0.0, 1.0], requires_grad=True)
        opt = ft.optim.Adam([w], lr=0.1, eps=0.0)
        (w * 0.0).sum().backward()
        opt.step()                               # 0 / (sqrt(0) + 0): nan, as torch
        assert np.isnan(w.detach().numpy()).all()
        assert (ft.tensor([1.0, -1.0]) // 0).tolist() == [float("inf"), float("-inf")]


def test_lru_evicts_the_least_recently_used():
    cache = _lru.LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.touch("a")
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    assert cache.put("a", 9) == 1                # a second writer gets the stored value


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2 ** 20


# The shim's caches at an eighth of their sizes: eviction is the same code at any bound, and every
# cache then turns over several times in a thousand shapes instead of ten thousand.
LOWERED_BOUNDS = [(_graph._SIG_INDEX, 512), (_node_backward._BACKWARDS, 256), (autograd._SEEN_ONCE, 128),
                  (autograd.CACHE, 16)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_shapes_past_every_cache_bound_keep_memory_flat(monkeypatch):
    """2,000 distinct shapes through forward and backward (eager, then compiled): once the caches
    are full, a thousand more shapes leave every cache at its bound and add under half an object and
    6 kB of memory per shape."""
    for cache, bound in LOWERED_BOUNDS:
        assert bound < cache.maxsize
        monkeypatch.setattr(cache, "maxsize", bound)
    caches = {"signatures": _graph._SIG_INDEX, "node backwards": _node_backward._BACKWARDS,
              "structures seen once": autograd._SEEN_ONCE}

    def drive(sizes):
        for n in sizes:
            x = ft.ones(n, requires_grad=True)
            for _ in range(autograd.EAGER_RUNS_BEFORE_COMPILING + 1):   # eagerly, then compiled
                (x * 2).sum().backward()
            assert x.grad.shape == (n,)

    drive(range(1, 1001))                         # every cache reaches its bound (two signatures a shape)
    gc.collect()
    objects, rss, lines = len(gc.get_objects()), _rss_mb(), len(linecache.cache)
    drive(range(1001, 2001))
    gc.collect()
    for name, cache in caches.items():
        assert len(cache) == cache.maxsize, name
    assert autograd.cache_info()["size"] == autograd.cache_info()["maxsize"]
    assert len(_graph._NODE_CLASSES) <= _graph._NODE_CLASSES.maxsize
    assert len(gc.get_objects()) - objects < 500
    assert len(linecache.cache) <= lines + 5     # generated sources leave with their programs
    assert _rss_mb() - rss < 6
