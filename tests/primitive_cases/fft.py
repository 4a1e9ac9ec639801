"""Cases for the fft primitives (fgrad/primitives/fft.py): fft, ifft, rfft and irfft through
fgrad.numpy.fft, with real inputs and real outputs, cropping, padding, axes and norms."""

from __future__ import annotations

from types import SimpleNamespace

import fgrad.numpy as fnp

from .complex import make_complex, rnd

FG = SimpleNamespace(np=fnp)


def _z(m, x, y):
    return make_complex(m)(x, y)


BUILD = {
    "fft": lambda m: lambda x, y: m.np.real(m.np.fft.fft(_z(m, x, y), n=5, axis=0) * m.np.fft.fft(y)[:1]),
    "ifft": lambda m: lambda x, y: m.np.imag(m.np.fft.ifft2(_z(m, x, y) * x, norm="ortho")),
    "rfft": lambda m: lambda x, y: m.np.abs(m.np.fft.rfft(x * y, n=6)) ** 2,
    "irfft": lambda m: lambda x, y: (m.np.fft.irfft(_z(m, x, y), n=5, norm="forward")
                                     * m.np.fft.irfftn(_z(m, y, x), s=(3, 5))),
}

DIFF = {name: [(build(FG), [rnd(3, 4), rnd(3, 4, seed=1)])] for name, build in BUILD.items()}
JVP = {name: [(build, [rnd(3, 4), rnd(3, 4, seed=1)])] for name, build in BUILD.items()}
VMAP = {name: (build, [(lambda rng, s: rng.uniform(-1.5, 1.5, s), (3, 4))] * 2) for name, build in BUILD.items()}
XLA = {name: (build(FG), [(3, 4), (3, 4)], {}) for name, build in BUILD.items()}
