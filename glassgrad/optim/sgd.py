"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

import numpy as np

from glassgrad.optim.optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (PyTorch's ``torch.optim.SGD``).

    Update, for gradient g of parameter θ at step t::

        g ← -g                      if maximize
        g ← g + λ θ                 (weight_decay λ)
        b ← g  (t = 1),  b ← μ b + (1 - τ) g  (t > 1)     (momentum μ, dampening τ)
        g ← g + μ b  if nesterov  else  g ← b             (when μ ≠ 0)
        θ ← θ - γ g                                        (lr γ)

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([1.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> round(w.item(), 4)  # 1 - 0.2 = 0.8, then 0.8 - 0.1·(0.9·2 + 1.6) = 0.46
        0.46
    """

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0.0,
        dampening=0.0,
        weight_decay=0.0,
        nesterov=False,
        maximize=False,
    ):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening = 0; "
                f"got momentum={momentum!r}, dampening={dampening!r}"
            )
        super().__init__(
            params,
            dict(
                lr=lr,
                momentum=momentum,
                dampening=dampening,
                weight_decay=weight_decay,
                nesterov=nesterov,
                maximize=maximize,
            ),
        )

    _nonnegative = ("momentum", "dampening", "weight_decay")

    def _update(self, p, g, state, group):
        g = self._direction(p, g, group["maximize"], group["weight_decay"])
        mu = group["momentum"]
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = np.array(g)  # a copy, an array even if 0-d
            else:  # the buffer belongs to the optimizer: update it in place
                buf *= mu
                buf += (1 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        return p - group["lr"] * g
