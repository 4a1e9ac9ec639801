"""Newton's method with the second derivative from grad(grad(f)).

Run:  python examples/newton.py

Gradient descent steps by -lr * f'(x). Newton's method steps by -f'(x) / f''(x): it divides the
slope by the curvature, so near a minimum it converges in a handful of steps, with no learning
rate to tune. fgrad gives f'' as one more grad. Saves examples/out/newton.png: the size of the
gradient per iteration, on a log scale, where quadratic convergence shows as a curve bending down.
"""

import numpy as np
from _plot import save_curves

import fgrad
import fgrad.numpy as fnp


def f(x):
    """A smooth, non-quadratic function with its minimum near x = 0.59."""
    return fnp.exp(x) - 2.0 * x + 0.25 * x ** 4


def newton_1d(fun, x, steps=8):
    """Minimise a scalar function of one variable; prints each iterate, returns x and |f'| per step."""
    d1 = fgrad.grad(fun)
    d2 = fgrad.grad(d1)
    sizes = []
    for i in range(steps):
        slope, curvature = d1(x), d2(x)
        sizes.append(abs(float(slope)))
        print(f"iter {i}  x {x:.12f}  f'(x) {slope: .3e}  f''(x) {curvature:.4f}")
        x = x - slope / curvature
    return x, sizes


def rosenbrock(p):
    """The classic banana-shaped valley; minimum at (1, 1)."""
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def hessian(fun, p):
    """The full Hessian, one row per gradient of a component of the gradient."""
    rows = [fgrad.grad(lambda q, i=i: fgrad.grad(fun)(q)[i])(p) for i in range(len(p))]
    return np.stack(rows)


def newton_nd(fun, p, steps=8):
    """Newton's method in n dimensions: solve H dp = -g each step; returns p and |grad| per step."""
    grad = fgrad.grad(fun)
    sizes = []
    for i in range(steps):
        g = grad(p)
        sizes.append(float(np.linalg.norm(g)))
        print(f"iter {i}  p {np.array2string(p, precision=6)}  |grad| {sizes[-1]:.3e}")
        p = p - np.linalg.solve(hessian(fun, p), g)
    return p, sizes


def main():
    print("one variable: f(x) = exp(x) - 2x + x^4/4")
    x, sizes_1d = newton_1d(f, 0.0)
    print(f"minimum at x = {x:.12f}, f'(x) = {float(fgrad.grad(f)(x)):.1e}")
    print("two variables: Rosenbrock from (-1.2, 1)")
    p, sizes_nd = newton_nd(rosenbrock, np.array([-1.2, 1.0]))
    print(f"minimum at {p}, final loss {float(rosenbrock(p)):.3e}")
    save_curves({"f(x) = exp(x) - 2x + x^4/4": sizes_1d, "Rosenbrock": sizes_nd}, "newton",
                xlabel="Newton iteration", ylabel="size of the gradient")


if __name__ == "__main__":
    main()
