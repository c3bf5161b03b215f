"""Optimizers, learning-rate schedules and gradient clipping (PyTorch names and numbers).

Example:
    >>> import glassgrad as gg
    >>> from glassgrad.optim import SGD
    >>> w = gg.Tensor([2.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.25)
    >>> for _ in range(3):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w  # each step halves w
    Tensor([0.25], requires_grad=True)
"""

from glassgrad.optim import lr_scheduler
from glassgrad.optim.adam import Adam, AdamW
from glassgrad.optim.clip import clip_grad_norm_, clip_grad_value_
from glassgrad.optim.newton import Newton
from glassgrad.optim.optimizer import Optimizer
from glassgrad.optim.rmsprop import Adagrad, RMSprop
from glassgrad.optim.sgd import SGD

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "Newton",
    "Optimizer",
    "RMSprop",
    "SGD",
    "clip_grad_norm_",
    "clip_grad_value_",
    "lr_scheduler",
]
