"""Grad mode is per thread, as in PyTorch, and threads training at once all get PyTorch's gradients."""

from __future__ import annotations

import threading

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import fgrad.torch as ft  # noqa: E402


def _in_thread(fn):
    out = []
    thread = threading.Thread(target=lambda: out.append(fn()))
    thread.start()
    thread.join()
    return out[0]


def test_new_thread_records_even_when_the_caller_is_in_no_grad():
    for lib in (ft, torch):
        with lib.no_grad():
            inside = _in_thread(lambda lib=lib: (lib.ones(2, requires_grad=True) * 2).requires_grad)
            here = (lib.ones(2, requires_grad=True) * 2).requires_grad
        assert (inside, here) == (True, False)


def test_no_grad_in_one_thread_leaves_another_recording():
    entered, done = threading.Event(), threading.Event()
    seen = {}

    def quiet_thread():
        with ft.no_grad():
            entered.set()
            done.wait(10)
            seen["other"] = (ft.ones(1, requires_grad=True) * 2).requires_grad

    thread = threading.Thread(target=quiet_thread)
    thread.start()
    entered.wait(10)
    seen["main"] = ft.is_grad_enabled(), (ft.ones(1, requires_grad=True) * 2).requires_grad
    done.set()
    thread.join()
    assert seen == {"main": (True, True), "other": False}


def _train(lib, seed: int, steps: int = 15):
    """A small MLP trained with SGD (momentum) on fixed data; returns the final weights and last loss."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden = 3 + seed % 3, 4 + seed % 2          # several shapes, some shared between threads
    x = lib.tensor(rng.normal(size=(16, n_in)), dtype=lib.float64)
    y = lib.tensor(rng.normal(size=(16, 1)), dtype=lib.float64)
    w1 = lib.tensor(rng.normal(size=(n_in, n_hidden)) * 0.5, dtype=lib.float64, requires_grad=True)
    w2 = lib.tensor(rng.normal(size=(n_hidden, 1)) * 0.5, dtype=lib.float64, requires_grad=True)
    opt = lib.optim.SGD([w1, w2], lr=0.05, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((lib.tanh(x @ w1) @ w2 - y) ** 2).mean()
        loss.backward()
        with lib.no_grad():            # each thread flips its own grad mode here
            w1.grad.mul_(1.0)
        opt.step()
    return w1.detach().numpy().copy(), w2.detach().numpy().copy(), loss.item()


def test_eight_threads_training_at_once_match_torch():
    seeds = list(range(8))
    start = threading.Barrier(len(seeds))
    results, errors = {}, []

    def worker(seed):
        try:
            start.wait(10)
            results[seed] = _train(ft, seed)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(s,)) for s in seeds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for seed in seeds:
        want = _train(torch, seed)
        for got_part, want_part in zip(results[seed], want):
            np.testing.assert_allclose(got_part, want_part, rtol=1e-10, atol=1e-12)
