"""Gradient clipping by global norm or by value (PyTorch's ``torch.nn.utils`` semantics)."""

import numpy as np

from glassgrad.core.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _with_grads(parameters, where):
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{where}: parameters[{i}] must be a Tensor; got {type(p).__name__}")
    return [p for p in params if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = ‖(‖g₁‖ₚ, …, ‖gₖ‖ₚ)‖ₚ (p = ``norm_type``, ``inf`` for the largest |entry|);
    every gradient is multiplied by min(1, max_norm / (total + 1e-6)).

    Returns:
        The total norm before clipping, as a 0-d Tensor.

    Example:
        >>> w = Tensor([0.0, 0.0], requires_grad=True)
        >>> w.grad = Tensor([3.0, 4.0])
        >>> clip_grad_norm_([w], max_norm=1.0)
        Tensor(5.)
        >>> w.grad.numpy().round(4)
        array([0.6, 0.8])
    """
    if not isinstance(max_norm, (int, float)) or max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be a number >= 0; got {max_norm!r}")
    p = float(norm_type)
    if p <= 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be > 0 or inf; got {norm_type!r}")
    params = _with_grads(parameters, "clip_grad_norm_")
    if not params:
        return Tensor(0.0)
    grads = [np.asarray(q.grad.data) for q in params]
    if np.isinf(p):
        norms = np.array([np.max(np.abs(g)) if g.size else 0.0 for g in grads])
        total = np.max(norms)
    else:
        norms = np.array([np.linalg.norm(g.ravel(), ord=p) for g in grads])
        total = np.linalg.norm(norms, ord=p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total gradient norm is {total}")
    coef = min(max_norm / (total + 1e-6), 1.0)
    for q, g in zip(params, grads, strict=False):
        q.grad = Tensor._make(np.asarray(g * coef, dtype=g.dtype))  # an array even if 0-d
    return Tensor(total)


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into [-clip_value, clip_value].

    Example:
        >>> w = Tensor([0.0, 0.0], requires_grad=True)
        >>> w.grad = Tensor([-3.0, 0.5])
        >>> clip_grad_value_([w], 1.0)
        >>> w.grad
        Tensor([-1. ,  0.5])
    """
    if not isinstance(clip_value, (int, float)) or clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be a number >= 0; got {clip_value!r}")
    for q in _with_grads(parameters, "clip_grad_value_"):
        q.grad = Tensor._make(np.asarray(np.clip(q.grad.data, -clip_value, clip_value)))
