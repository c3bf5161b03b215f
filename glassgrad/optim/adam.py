"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

import math

import numpy as np

from glassgrad.optim.optimizer import Optimizer, check_hyper

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), PyTorch's ``torch.optim.Adam``.

    Update at step t for gradient g of parameter θ::

        g ← -g  if maximize;     g ← g + λ θ   (weight_decay λ; AdamW instead: θ ← θ (1 - γ λ))
        m ← β₁ m + (1 - β₁) g                 first moment
        v ← β₂ v + (1 - β₂) g²                second moment
        v̂max ← max(v̂max, v), use it for v    if amsgrad
        θ ← θ - γ/(1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + ε)

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([1.0, -1.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w  # the first Adam step moves every coordinate by about lr
        Tensor([ 0.9, -0.9], requires_grad=True)
    """

    _decoupled = False

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0.0,
        amsgrad=False,
        maximize=False,
    ):
        super().__init__(
            params,
            dict(
                lr=lr,
                betas=betas,
                eps=eps,
                weight_decay=weight_decay,
                amsgrad=amsgrad,
                maximize=maximize,
            ),
        )

    _nonnegative = ("eps", "weight_decay")

    def _validate(self, group):
        where = type(self).__name__
        super()._validate(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2); got {betas!r}")
        check_hyper(where, "betas[0]", betas[0], 0.0, 1.0)
        check_hyper(where, "betas[1]", betas[1], 0.0, 1.0)

    _scalars = (
        "one_minus_beta1",
        "one_minus_beta2",
        "beta2",
        "bias_correction2_sqrt",
        "eps",
        "step_size",
        "weight_decay",
        "decay",
    )

    def _prepare(self, p, state, group):
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p)
            state["exp_avg_sq"] = np.zeros_like(p)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p)
        state["step"] += 1
        t, lr, wd = state["step"], group["lr"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        key = (group["maximize"], wd != 0 and not self._decoupled, wd != 0 and self._decoupled)
        scalars = (1 - beta1, 1 - beta2, beta2, math.sqrt(1 - beta2**t), group["eps"])
        return key + (group["amsgrad"],), scalars + (lr / (1 - beta1**t), wd, 1 - lr * wd)

    def _lines(self, key):
        maximize, l2, decoupled, amsgrad = key
        lines = self._direction_lines(maximize, l2)
        theta = "p"
        if decoupled:  # AdamW shrinks θ itself; the gradient is left alone
            lines, theta = [*lines, "q = np.multiply(p, decay)"], "q"
        # The moment arrays belong to the optimizer, so they are updated in place, and the one
        # scratch array w serves every temporary (m += (1-β₁)(g - m); v = β₂v + (1-β₂)·g·g).
        lines += [
            "np.subtract(g, m, out=w)",
            "np.multiply(w, one_minus_beta1, out=w)",
            "np.add(m, w, out=m)",
            "np.multiply(g, one_minus_beta2, out=w)",
            "np.multiply(w, g, out=w)",
            "np.multiply(v, beta2, out=v)",
            "np.add(v, w, out=v)",
        ]
        buffers = [("m", "exp_avg"), ("v", "exp_avg_sq")]
        if amsgrad:  # the denominator uses the running maximum of v
            lines.append("v = np.maximum(vmax, v, out=vmax)")
            buffers.append(("vmax", "max_exp_avg_sq"))
        return buffers, lines + [
            "np.sqrt(v, out=w)",  # the denominator √v / √(1 - β₂ᵗ) + ε
            "np.divide(w, bias_correction2_sqrt, out=w)",
            "np.add(w, eps, out=w)",
            "np.divide(m, w, out=w)",  # θ ← θ - γ/(1 - β₁ᵗ) · m / denominator
            "np.multiply(w, step_size, out=w)",
            f"np.subtract({theta}, w, out=new)",
        ]


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), ``torch.optim.AdamW``.

    Same update as ``Adam`` except that weight decay shrinks the parameter directly,
    θ ← θ (1 - γ λ), before the moment updates, instead of adding λθ to the gradient.

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w * 0.0).sum().backward()  # zero gradient: only the decay acts
        >>> opt.step()
        >>> w
        Tensor([0.95], requires_grad=True)
    """

    _decoupled = True

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        maximize=False,
    ):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)
