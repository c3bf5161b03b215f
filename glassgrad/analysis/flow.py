"""Gradient flow: per-layer gradient norms, vanishing gradients, RNN growth vs |λ|."""

import numpy as np

from glassgrad.core.autodiff import backward_pass
from glassgrad.core.errors import GradError
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor, node_of

__all__ = ["gradient_flow", "vanishing_gradient_demo", "rnn_gradient_demo"]


def _check_loss(loss, where):
    if not isinstance(loss, Tensor):
        raise TypeError(f"{where}: loss must be a Tensor; got {type(loss).__name__}")
    if loss.size != 1:
        raise GradError(f"{where}: loss must have one element; got shape {loss.shape}")
    if not loss.requires_grad:
        raise GradError(f"{where}: loss does not depend on any parameter")


def _grad_norms(loss, named):
    """‖∂loss/∂p‖ for each (name, p), without touching ``.grad``."""
    seed = Tensor._make(np.ones(loss.shape, loss.dtype))
    _, cot = backward_pass([loss], [seed], [p for _, p in named], create_graph=False)
    return {n: float(np.linalg.norm(cot[id(p)].data)) if id(p) in cot else 0.0 for n, p in named}


def gradient_flow(model, loss):
    """Gradient norm per parameter and per layer (parameters grouped by module prefix).

    Args:
        model: a Module (``named_parameters()``) or a dict name → Tensor.
        loss: a one-element Tensor computed from the model.

    Returns:
        dict with ``params`` (name → ‖g‖), ``layers`` (prefix → ‖g‖ of all its params) and
        ``ratios`` (name → ‖g‖/‖θ‖, the relative update size at learning rate 1).

    Example:
        >>> w = Tensor([3.0, 4.0], requires_grad=True)
        >>> gradient_flow({"fc.weight": w}, (w * w).sum())["layers"]
        {'fc': 10.0}
    """
    _check_loss(loss, "gradient_flow")
    named = list(model.items() if isinstance(model, dict) else model.named_parameters())
    norms = _grad_norms(loss, named)
    layers = {}
    for name, _ in named:
        prefix = name.rsplit(".", 1)[0] if "." in name else name
        layers[prefix] = layers.get(prefix, 0.0) + norms[name] ** 2
    ratios = {n: norms[n] / max(float(np.linalg.norm(p.data)), 1e-300) for n, p in named}
    return {"params": norms, "layers": {k: v**0.5 for k, v in layers.items()}, "ratios": ratios}


def vanishing_gradient_demo(depth=10, activation="sigmoid", width=32, init=None, n=64,
                            generator=0):  # fmt: skip
    """Weight-gradient norms of a deep fully connected stack, first layer first.

    Each layer is h ← act(h Wᵀ + b). ``init`` is "xavier" (N(0, 1/width), default for
    sigmoid/tanh) or "he" (N(0, 2/width), default for relu). With sigmoid, σ' ≤ 1/4 shrinks
    the backward signal at every layer, so early layers get gradients orders of magnitude
    smaller; ReLU with He init keeps the backward variance roughly constant.

    Returns:
        (depth,) array of ‖∂L/∂Wₗ‖ for l = 1..depth, L = mean(output²)/2.

    Example:
        >>> g = vanishing_gradient_demo(depth=8, activation="sigmoid")
        >>> bool(g[0] < 1e-2 * g[-1])
        True
    """
    from glassgrad.core.ops.elementwise import relu, sigmoid, tanh

    acts = {"sigmoid": sigmoid, "relu": relu, "tanh": tanh}
    if activation not in acts:
        raise ValueError(
            f"vanishing_gradient_demo: activation must be one of {sorted(acts)}; got {activation!r}"
        )
    init = init or ("he" if activation == "relu" else "xavier")
    if init not in ("he", "xavier"):
        raise ValueError(f"vanishing_gradient_demo: init must be 'he' or 'xavier'; got {init!r}")
    rng = get_generator(generator)
    scale = np.sqrt((2.0 if init == "he" else 1.0) / width)
    weights = [Tensor(rng.standard_normal((width, width)) * scale, requires_grad=True)
               for _ in range(depth)]  # fmt: skip
    h = Tensor(rng.standard_normal((n, width)))
    for w in weights:
        h = acts[activation](h @ w.T)
    loss = (h * h).mean() * 0.5
    norms = _grad_norms(loss, [(str(i), w) for i, w in enumerate(weights)])
    return np.array([norms[str(i)] for i in range(depth)])


def rnn_gradient_demo(radius, steps=30, hidden=8, nonlinearity="linear", generator=0):
    """‖∂L/∂h_t‖ for t = 0..T in h_t = φ(W h_{t-1} + x_t) with spectral radius |λ| = ``radius``.

    W = radius · Q with Q a random orthogonal matrix, so every eigenvalue has modulus
    ``radius``; L = cᵀh_T. For the linear recurrence ‖∂L/∂h_{T-k}‖ = radius^k ‖c‖
    exactly: gradients explode over time for |λ| > 1 and vanish for |λ| < 1. tanh only
    shrinks them further (|tanh'| ≤ 1).

    Returns:
        (steps + 1,) array of norms, h_0 first.

    Example:
        >>> g = rnn_gradient_demo(0.5, steps=4)
        >>> np.round(g / g[-1], 6)
        array([0.0625, 0.125 , 0.25  , 0.5   , 1.    ])
    """
    from glassgrad.core.ops.elementwise import tanh

    if nonlinearity not in ("linear", "tanh"):
        raise ValueError(
            f"rnn_gradient_demo: nonlinearity must be 'linear' or 'tanh'; got {nonlinearity!r}"
        )
    if not radius > 0:
        raise ValueError(f"rnn_gradient_demo: radius must be > 0; got {radius}")
    rng = get_generator(generator)
    q, _ = np.linalg.qr(rng.standard_normal((hidden, hidden)))
    w = Tensor(radius * q)
    h = Tensor(rng.standard_normal(hidden) * 0.1, requires_grad=True)
    states = [h]
    for _ in range(steps):
        h = w @ h + Tensor(rng.standard_normal(hidden) * 0.1)
        h = tanh(h) if nonlinearity == "tanh" else h
        states.append(h)
    loss = (h * Tensor(rng.standard_normal(hidden))).sum()
    seed = Tensor._make(np.ones(loss.shape, loss.dtype))
    _, cot = backward_pass([loss], [seed], create_graph=False)
    return np.array([np.linalg.norm(cot[id(node_of(s))].data) for s in states])
