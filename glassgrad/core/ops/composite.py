"""Composites: built from primitives, so they carry no derivative code of their own."""

import numpy as np

from glassgrad.core.ops.elementwise import (
    add, divide, exp, log, multiply, sqrt, subtract, to_tensor,
)
from glassgrad.core.ops.linalg import matmul
from glassgrad.core.ops.reduce import max, sum
from glassgrad.core.ops.shape import normalize_axis, squeeze
from glassgrad.core.tensor import Tensor

__all__ = ["mean", "var", "std", "square", "reciprocal", "logsumexp", "softmax", "log_softmax",
           "dot"]


def _count(x, axis):
    return int(np.prod([x.shape[a] for a in normalize_axis(axis, x.ndim, "mean")]))


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``: sum(x)/n.

    Example:
        >>> mean(Tensor([1.0, 2.0, 3.0]))
        Tensor(2.)
    """
    x = to_tensor(x)
    return divide(sum(x, axis=axis, keepdims=keepdims), float(_count(x, axis)))


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance mean((x - mean(x))²)·n/(n - ddof), as ``numpy.var``.

    Example:
        >>> var(Tensor([1.0, 3.0]))
        Tensor(1.)
    """
    x = to_tensor(x)
    centred = subtract(x, mean(x, axis=axis, keepdims=True))
    return divide(sum(multiply(centred, centred), axis=axis, keepdims=keepdims),
                  float(_count(x, axis) - ddof))


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation sqrt(var(x)), as ``numpy.std``.

    Example:
        >>> std(Tensor([1.0, 3.0]))
        Tensor(1.)
    """
    return sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))


def square(x):
    """Elementwise x².

    Example:
        >>> square(Tensor(3.0))
        Tensor(9.)
    """
    x = to_tensor(x)
    return multiply(x, x)


def reciprocal(x):
    """Elementwise 1/x.

    Example:
        >>> reciprocal(Tensor(4.0))
        Tensor(0.25)
    """
    return divide(1.0, to_tensor(x))


def logsumexp(x, axis=None, keepdims=False):
    """log Σ exp(x), computed as m + log Σ exp(x - m) with m = max(x) so it never overflows.

    Example:
        >>> float(logsumexp(Tensor([1000.0, 1000.0])))  # log(2) + 1000
        1000.6931471805599
    """
    x = to_tensor(x)
    m = max(x, axis=axis, keepdims=True).detach()  # any constant shift gives the same value
    m = _finite_shift(m)
    out = add(log(sum(exp(subtract(x, m)), axis=axis, keepdims=True)), m)
    if keepdims:
        return out
    return squeeze(out, axis=normalize_axis(axis, x.ndim, "logsumexp"))


def _finite_shift(m):
    # A row of all -inf would give (-inf) - (-inf) = nan; shift by 0 there instead.
    if np.all(np.isfinite(m.data)):
        return m
    return Tensor._make(np.where(np.isfinite(m.data), m.data, 0.0).astype(m.dtype))


def log_softmax(x, axis=-1):
    """log softmax(x) = x - logsumexp(x), stable for large logits.

    Example:
        >>> log_softmax(Tensor([0.0, 0.0])).exp()
        Tensor([0.5, 0.5])
    """
    return subtract(x, logsumexp(x, axis=axis, keepdims=True))


def softmax(x, axis=-1):
    """softmax(x)_i = exp(x_i)/Σ_j exp(x_j), computed as exp(log_softmax(x)).

    Example:
        >>> softmax(Tensor([0.0, 0.0]))
        Tensor([0.5, 0.5])
    """
    return exp(log_softmax(x, axis=axis))


def dot(a, b):
    """Dot product of 1-D tensors (Σ aᵢbᵢ), matrix product otherwise (``numpy.dot`` for ≤2-D).

    Example:
        >>> dot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor(11.)
    """
    a, b = to_tensor(a), to_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return matmul(a, b)

