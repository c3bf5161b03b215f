"""Newton's method: the exact second-order step for small problems."""

import numpy as np

from glassgrad.core.autodiff import backward_pass, enable_grad, no_grad
from glassgrad.core.ops import concatenate, reshape
from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import graph_jacobian
from glassgrad.optim.optimizer import Optimizer

__all__ = ["Newton"]


def _gradient_and_hessian(loss, params):
    """Flat gradient g and Hessian H of ``loss`` w.r.t. ``params`` (forward-over-reverse).

    H is the forward-mode Jacobian of the recorded gradient: the core's ``jacfwd`` sweeps,
    which push the identity basis through the gradient's graph in batches.
    """
    seed = Tensor._make(np.ones(loss.shape, loss.dtype))
    with enable_grad():
        _, cot = backward_pass([loss], [seed], params, create_graph=True)
        grads = [cot.get(id(p), Tensor._make(np.zeros_like(p.data))) for p in params]
        flat_g = concatenate([reshape(g, (-1,)) for g in grads])
        blocks = graph_jacobian(flat_g, params)  # ∂g/∂p, shape (n,) + p.shape, per parameter
    hess = np.concatenate([b.data.reshape(flat_g.size, -1) for b in blocks], axis=1)
    return flat_g.data, hess.astype(np.float64)  # solved in float64


class Newton(Optimizer):
    r"""Newton's method with optional damping and backtracking (Armijo) line search.

    At θ with gradient g and Hessian H of the loss returned by ``closure``::

        solve (H + δ I) Δ = g                      (damping δ)
        θ ← θ - t Δ,  t = lr, halved while f(θ - tΔ) > f(θ) - c₁ t gᵀΔ   (if line_search)

    On a quadratic ½θᵀAθ - bᵀθ one undamped step with lr=1 lands on the minimiser A⁻¹b.
    The Hessian has (number of parameters)² entries: this is for small problems.

    Args:
        params: parameters (leaf Tensors).
        lr: step length t (the initial one when line searching).
        damping: δ ≥ 0 added to the Hessian's diagonal (Levenberg-style regularisation).
        line_search: backtrack until the Armijo condition with c₁ = 1e-4 holds.

    Example:
        >>> from glassgrad import Tensor
        >>> w = Tensor([3.0, -2.0], requires_grad=True)
        >>> opt = Newton([w])
        >>> loss = opt.step(lambda: ((w - 1.0) ** 2).sum() + (w[0] * w[1]) * 0.5)
        >>> w  # the minimiser of this quadratic, in one step
        Tensor([0.8, 0.8], requires_grad=True)
    """

    def __init__(self, params, lr=1.0, damping=0.0, line_search=False):
        super().__init__(params, dict(lr=lr, damping=damping, line_search=line_search))
        if len(self.param_groups) != 1:
            raise ValueError("Newton: expects a single parameter group")

    _nonnegative = ("damping",)

    def step(self, closure=None):
        """Take one Newton step; ``closure()`` must recompute and return the scalar loss."""
        if closure is None or not callable(closure):
            raise TypeError("Newton.step: needs a closure that recomputes and returns the loss")
        group = self.param_groups[0]
        params = group["params"]
        with enable_grad():
            loss = closure()
        if not isinstance(loss, Tensor) or loss.size != 1 or not loss.requires_grad:
            raise ValueError(
                "Newton.step: the closure must return a one-element Tensor that depends on the "
                f"parameters; got {type(loss).__name__}"
                + (f" of shape {loss.shape}" if isinstance(loss, Tensor) else "")
            )
        g, hess = _gradient_and_hessian(loss, params)
        hess[np.diag_indices_from(hess)] += group["damping"]
        try:
            delta = np.linalg.solve(hess, g)
        except np.linalg.LinAlgError as err:
            raise np.linalg.LinAlgError(
                "Newton.step: the Hessian is singular; pass damping > 0"
            ) from err
        start = [p.data for p in params]
        t, f0, slope = group["lr"], loss.item(), float(g @ delta)
        for _ in range(50):
            self._move(params, start, t * delta)
            if not group["line_search"]:
                break
            with no_grad():
                if closure().item() <= f0 - 1e-4 * t * slope:
                    break
            t *= 0.5
        self.state.setdefault(params[0], {})["step_size"] = t
        return loss

    @staticmethod
    def _move(params, start, delta):
        offset = 0
        for p, p0 in zip(params, start, strict=False):
            d = delta[offset : offset + p.size].reshape(p.shape)
            p.data = np.asarray(p0 - d, dtype=p.dtype)
            offset += p.size
