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

    _scalars = ("lr", "momentum", "one_minus_dampening", "weight_decay")

    def _prepare(self, p, state, group):
        mu = group["momentum"]
        first = mu != 0 and state.get("momentum_buffer") is None
        if first:  # the buffer starts as the first gradient (copied in by the kernel)
            state["momentum_buffer"] = np.empty_like(p)
        key = (group["maximize"], group["weight_decay"] != 0, mu != 0, group["nesterov"], first)
        return key, (group["lr"], mu, 1 - group["dampening"], group["weight_decay"])

    def _lines(self, key):
        maximize, l2, momentum, nesterov, first = key
        lines = self._direction_lines(maximize, l2)
        if momentum:  # the buffer belongs to the optimizer: updated in place
            if first:
                lines.append("np.copyto(b, g)")
            else:
                lines += [
                    "np.multiply(b, momentum, out=b)",
                    "np.add(b, np.multiply(one_minus_dampening, g), out=b)",
                ]
            lines.append("g = np.add(g, np.multiply(momentum, b))" if nesterov else "g = b")
        lines.append("np.subtract(p, np.multiply(lr, g), out=new)")
        return [("b", "momentum_buffer")] if momentum else [], lines
