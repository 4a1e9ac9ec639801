"""torch.optim: SGD (momentum, dampening, weight decay, Nesterov) and Adam, updating leaves in place.

The updates follow torch's formulas operation by operation, in the parameters' dtype, so they match
torch.optim to rounding.

Example:
    >>> import fgrad.torch as torch
    >>> w = torch.tensor([1.0], requires_grad=True)
    >>> opt = torch.optim.SGD([w], lr=0.1)
    >>> (w ** 2).sum().backward()
    >>> opt.step()
    >>> w
    tensor([0.8000], requires_grad=True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from ._graph import bump_version, no_grad
from .tensor import Tensor


class Optimizer:
    """Parameter groups, per-parameter state, zero_grad and the printed form torch uses."""

    def __init__(self, params: Iterable, defaults: dict):
        self.defaults = defaults
        self.state: dict = {}
        self.param_groups: list = []
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but "
                            f"got {params.type()}")
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        for group in groups:
            self.add_param_group(dict(group))

    def add_param_group(self, group: dict) -> None:
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        for p in group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients (to None by default, as torch 2). Example: ``opt.zero_grad()``."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad._data = np.zeros_like(p.grad._data)

    def step(self, closure: Callable | None = None):
        loss = None
        if closure is not None:
            from ._graph import enable_grad
            with enable_grad():
                loss = closure()
        with no_grad(), np.errstate(all="ignore"):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, p.grad._data, group, self.state.setdefault(p, {}))
                        bump_version(p)         # an in-place change, as torch counts it
        return loss

    def _update(self, p: Tensor, grad: np.ndarray, group: dict, state: dict) -> None:
        raise NotImplementedError

    def state_dict(self) -> dict:
        index = {}
        groups = []
        for group in self.param_groups:
            ids = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append({**{k: v for k, v in group.items() if k != "params"}, "params": ids})
        state = {index[id(p)]: {k: (Tensor._wrap(v.copy()) if isinstance(v, np.ndarray) else v)
                                for k, v in s.items()} for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        params = [p for group in self.param_groups for p in group["params"]]
        for k, s in state_dict["state"].items():
            self.state[params[k]] = {n: (v._data.copy() if isinstance(v, Tensor) else v) for n, v in s.items()}
        for group, saved in zip(self.param_groups, state_dict["param_groups"]):
            group.update({k: v for k, v in saved.items() if k != "params"})

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


_LABELS = {"lr": "learning rate", "momentum": "momentum value", "weight_decay": "weight_decay value",
           "eps": "epsilon value"}


def _check_at_least(low: float, **values) -> None:
    """torch's ValueError for a hyperparameter below its lower bound, in torch's order of checks."""
    for name, value in values.items():
        if not low <= value:
            raise ValueError(f"Invalid {_LABELS[name]}: {value}")


class SGD(Optimizer):
    """Stochastic gradient descent with torch's momentum, dampening, weight decay and Nesterov.

    Example: ``torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)``.
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach=None, differentiable: bool = False, fused=None):
        _check_at_least(0.0, lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                                  "foreach": foreach, "differentiable": differentiable, "fused": fused})

    def _update(self, p, grad, group, state):
        d_p = -grad if group["maximize"] else grad
        if group["weight_decay"] != 0:
            d_p = d_p + group["weight_decay"] * p._data
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(d_p, copy=True)
            else:
                buf *= momentum
                buf += (1 - group["dampening"]) * d_p
            d_p = d_p + momentum * buf if group["nesterov"] else buf
        p._data += (-group["lr"]) * d_p


class Adam(Optimizer):
    """Adam (and AdamW's decoupled weight decay when asked) with torch's bias corrections.

    Example: ``torch.optim.Adam(model.parameters(), lr=1e-3)``.
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False, fused=None,
                 decoupled_weight_decay: bool = False):
        _check_at_least(0.0, lr=lr, eps=eps)
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        _check_at_least(0.0, weight_decay=weight_decay)
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable, "fused": fused,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _update(self, p, grad, group, state):
        beta1, beta2 = group["betas"]
        lr, wd = group["lr"], group["weight_decay"]
        grad = -grad if group["maximize"] else grad
        if wd != 0:
            if group["decoupled_weight_decay"]:
                p._data *= 1 - lr * wd
            else:
                grad = grad + wd * p._data
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p._data)
            state["exp_avg_sq"] = np.zeros_like(p._data)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p._data)
        state["step"] += 1
        step, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
        m += (grad - m) * (1 - beta1)
        v *= beta2
        v += (1 - beta2) * grad * grad
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = lr / (1 - beta1 ** step)
        denom = np.sqrt(v) / math.sqrt(1 - beta2 ** step) + group["eps"]
        p._data += (-step_size) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01). Example: ``torch.optim.AdamW(params, lr=1e-3)``."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, **kwargs):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True, **kwargs)
