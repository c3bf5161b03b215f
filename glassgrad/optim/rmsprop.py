"""RMSprop and Adagrad: per-coordinate step sizes from running squared gradients."""

import numpy as np

from glassgrad.optim.optimizer import Optimizer

__all__ = ["RMSprop", "Adagrad"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton, 2012), PyTorch's ``torch.optim.RMSprop``.

    Update for gradient g of parameter θ::

        g ← -g  if maximize;   g ← g + λ θ                  (weight_decay λ)
        v ← α v + (1 - α) g²                                (alpha α)
        ḡ ← α ḡ + (1 - α) g,   d ← √(v - ḡ²) + ε   if centered, else d ← √v + ε
        b ← μ b + g / d,  θ ← θ - γ b       if momentum μ > 0, else θ ← θ - γ g / d

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.99)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> round(w.item(), 4)  # 1 - 0.01 · 2 / √(0.01 · 4)
        0.9
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0.0,
        momentum=0.0,
        centered=False,
        maximize=False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                alpha=alpha,
                eps=eps,
                weight_decay=weight_decay,
                momentum=momentum,
                centered=centered,
                maximize=maximize,
            ),
        )

    _nonnegative = ("alpha", "eps", "weight_decay", "momentum")

    def _update(self, p, g, state, group):
        alpha, mu = group["alpha"], group["momentum"]
        g = self._direction(p, g, group["maximize"], group["weight_decay"])
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p)
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p)
        state["step"] += 1
        v = state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
        if group["centered"]:
            ga = state["grad_avg"] = state["grad_avg"] + (1 - alpha) * (g - state["grad_avg"])
            v = v - ga * ga
        denom = np.sqrt(v) + group["eps"]
        if mu > 0:
            buf = state["momentum_buffer"] = mu * state["momentum_buffer"] + g / denom
            return p - group["lr"] * buf
        return p - group["lr"] * (g / denom)


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's ``torch.optim.Adagrad``.

    Update at step t for gradient g of parameter θ::

        g ← -g  if maximize;   g ← g + λ θ         (weight_decay λ)
        γ̃ ← γ / (1 + (t - 1) η)                    (lr_decay η)
        s ← s + g²                                 (s starts at initial_accumulator_value)
        θ ← θ - γ̃ g / (√s + ε)

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = Adagrad([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> round(w.item(), 6)  # 1 - 0.5 · 2 / √4
        0.5
    """

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0.0,
        weight_decay=0.0,
        initial_accumulator_value=0.0,
        eps=1e-10,
        maximize=False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                lr_decay=lr_decay,
                weight_decay=weight_decay,
                initial_accumulator_value=initial_accumulator_value,
                eps=eps,
                maximize=maximize,
            ),
        )

    _nonnegative = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _update(self, p, g, state, group):
        g = self._direction(p, g, group["maximize"], group["weight_decay"])
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p, group["initial_accumulator_value"])
        state["step"] += 1
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        s = state["sum"] = state["sum"] + g * g
        return p - clr * (g / (np.sqrt(s) + group["eps"]))
