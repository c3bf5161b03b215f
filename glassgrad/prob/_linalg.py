"""The two matrix primitives the multivariate normal needs: inverse and Cholesky factor.

Rules are written in glassgrad ops (matmul and these two), so they differentiate again.
"""

# fmt: off
import numpy as np

from glassgrad.core.ops import matmul, sum, swapaxes, to_tensor
from glassgrad.core.primitive import Primitive
from glassgrad.core.tensor import Tensor

__all__ = ["inv", "cholesky", "diagonal", "lower_half"]


def _mT(x):
    return swapaxes(x, -1, -2)


def lower_half(x):
    """Phi(x): the strictly lower triangle plus half the diagonal (a linear mask)."""
    n = x.shape[-1]
    mask = np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)
    return x * Tensor._make(mask.astype(x.dtype))


def diagonal(x):
    """The diagonal of the last two axes, shape (..., n)."""
    return sum(x * Tensor._make(np.eye(x.shape[-1], dtype=x.dtype)), axis=-1)


# d(A^-1) = -A^-1 dA A^-1, so the cotangent is -A^-T g A^-T.
_inv = Primitive(
    "prob_inv",
    np.linalg.inv,
    vjp=lambda g, out, a: (-matmul(_mT(out), matmul(g, _mT(out))),),
    jvp=lambda t, out, a: -matmul(out, matmul(t, out)),
    register=False,
)


def _cholesky_jvp(t, out, a):
    # dL = L Phi(L^-1 dA L^-T)  (Murray 2016, "Differentiation of the Cholesky decomposition").
    li = inv(out)
    return matmul(out, lower_half(matmul(li, matmul(t, _mT(li)))))


def _cholesky_vjp(g, out, a):
    # Abar = 1/2 (S + S^T) with S = L^-T Phi(L^T Lbar) L^-1 (same reference).
    li = inv(out)
    s = matmul(_mT(li), matmul(lower_half(matmul(_mT(out), g)), li))
    return (0.5 * (s + _mT(s)),)


_cholesky = Primitive(
    "prob_cholesky", np.linalg.cholesky, vjp=_cholesky_vjp, jvp=_cholesky_jvp, register=False
)


def inv(a):
    """Matrix inverse over the last two axes. Derivative: d(A^-1) = -A^-1 dA A^-1."""
    return _inv(to_tensor(a))


def cholesky(a):
    """Lower Cholesky factor L with A = L L^T (A symmetric positive definite)."""
    return _cholesky(to_tensor(a))
