"""Generated NumPy code: workspace buffers reused across calls never leak into results."""

import threading

import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.backends.numpy_codegen import BIG


def loss(x):
    return fnp.sum(fnp.tanh(x) * fnp.exp(-x ** 2) + fnp.log1p(x ** 2))


def expected_grad(x):
    t, e = np.tanh(x), np.exp(-x ** 2)
    return e * (1 - t * t) - 2 * x * t * e + 2 * x / (1 + x ** 2)


def test_large_temporaries_use_a_workspace():
    source = fgrad.jit(fgrad.grad(loss)).lower(np.ones(BIG)).as_text()
    assert "= _ws()" in source and "out=_w0" in source


def test_results_survive_later_calls():
    g = fgrad.grad(loss)
    x1, x2 = np.linspace(-2, 2, BIG), np.linspace(-1, 3, BIG)
    first = g(x1)
    kept = first.copy()
    second = g(x2)
    np.testing.assert_array_equal(first, kept)
    np.testing.assert_allclose(second, expected_grad(x2), rtol=1e-12, atol=1e-14)
    assert not np.shares_memory(first, second)


def test_threads_get_their_own_workspace():
    g = fgrad.grad(loss)
    inputs = [np.linspace(-2 + k, 2 + k, BIG * 4) for k in range(4)]
    g(inputs[0])
    results = [None] * len(inputs)

    def work(k):
        for _ in range(20):
            results[k] = g(inputs[k])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(inputs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, r in zip(inputs, results):
        np.testing.assert_allclose(r, expected_grad(x), rtol=1e-12, atol=1e-14)
