"""fgrad in one screen: the seed tutorials' gradients with the functional API.

Run:  python examples/quickstart.py            (add --all-code to see every generated function)
"""

import sys

import numpy as np

import fgrad
import fgrad.numpy as fnp


def parabola(x):
    return 2 * x**2 + 3                      # d/dx = 4x


def sin_of_square(x):
    return fnp.sin(x**2)                     # d/dx = 2x cos(x^2)


def bce_neuron(params, x, y):
    """One sigmoid neuron with binary cross-entropy, as in the PyTorch tutorial."""
    p = fgrad.nn.sigmoid(params["w"] * x + params["b"])
    return -(y * fnp.log(p) + (1 - y) * fnp.log(1 - p))


def mean_of_squares(x):
    return fnp.mean(x**2)


def main():
    print("d/dx (2x^2 + 3) at x = 2:      ", fgrad.grad(parabola)(2.0))
    print("d/dx sin(x^2)   at x = 3:      ", fgrad.grad(sin_of_square)(3.0))

    params = {"w": np.float32(1.0), "b": np.float32(0.0)}
    loss, grads = fgrad.value_and_grad(bce_neuron)(params, np.float32(6.7), np.float32(0.0))
    print(f"BCE neuron: loss {loss:.4f}, dL/dw {grads['w']:.4f}, dL/db {grads['b']:.4f}")

    x = np.array([1.0, 2.0, 3.0])
    print("grad of mean(x**2) at [1, 2, 3]:", fgrad.grad(mean_of_squares)(x))

    print("\nThe IR of sin(x^2):")
    print(fgrad.make_ir(sin_of_square)(3.0))
    print("\nThe IR of its gradient (reverse mode is an IR-to-IR transform):")
    print(fgrad.make_ir(fgrad.grad(sin_of_square))(3.0))
    print("\nThe NumPy source fgrad generates for that gradient:")
    print(fgrad.jit(fgrad.grad(sin_of_square)).lower(3.0).as_text(everything="--all-code" in sys.argv))

    third = fgrad.grad(fgrad.grad(fgrad.grad(sin_of_square)))
    print("Third derivative of sin(x^2) at x = 3:", third(3.0))


if __name__ == "__main__":
    main()
