"""Eigenvalues the way the notes compute them: det(λI − A) = 0, and power iteration.

``characteristic_polynomial`` uses the Faddeev–LeVerrier recursion in glassgrad ops, so its
coefficients are differentiable in A. ``eig`` finds the polynomial's roots with NumPy and
then takes one Newton step λ = λ₀ − p(λ₀)/p′(λ₀) on the recorded coefficients: the step
leaves the value unchanged (p(λ₀) ≈ 0) but gives the exact first derivative of a simple
eigenvalue, dλ = −(∂p/∂c)·dc / p′(λ). Symmetric matrices should use ``eigh``.
"""

import numpy as np

from glassgrad.core import ops
from glassgrad.core.errors import ShapeError
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.linalg.norms import _float_tensor

__all__ = ["characteristic_polynomial", "eig", "power_iteration"]


def _square(A, name):
    A = _float_tensor(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape[0] == 0:
        raise ShapeError(f"{name}: A must be a non-empty square matrix (n, n); got shape {A.shape}")
    return A


def _trace(M):
    eye = ops.const_like(np.eye(M.shape[0]), M)
    return ops.sum(M * eye)


def characteristic_polynomial(A):
    """Coefficients of det(λI − A) = λⁿ + c₁λⁿ⁻¹ + … + cₙ, highest degree first (``np.poly``).

    Faddeev–LeVerrier: M₁ = I, c_k = −tr(A M_k)/k, M_{k+1} = A M_k + c_k I.
    Differentiable in A (e.g. c₁ = −tr A, cₙ = (−1)ⁿ det A).

    Example:
        >>> characteristic_polynomial(Tensor([[2.0, 1.0], [1.0, 2.0]]))
        Tensor([ 1., -4.,  3.])
    """
    A = _square(A, "characteristic_polynomial")
    n = A.shape[0]
    eye = ops.const_like(np.eye(n), A)
    coeffs, M = [ops.const_like(1.0, A)], eye
    for k in range(1, n + 1):
        AM = ops.matmul(A, M)
        c = -_trace(AM) / float(k)
        coeffs.append(c)
        M = AM + c * eye
    return ops.stack(coeffs)


def _horner(coeffs, x):
    out = coeffs[0]
    for k in range(1, coeffs.shape[0]):
        out = out * x + coeffs[k]
    return out


def _positive_sign(v):
    """Flip each column so its first clearly non-zero entry is positive (a fixed convention)."""
    big = np.abs(v) > 1e-8 * np.abs(v).max(axis=0, keepdims=True)
    first = v[np.argmax(big, axis=0), np.arange(v.shape[1])]
    return v * np.where(first < 0, -1.0, 1.0)


def eig(A, tol=1e-8):
    """Real eigenvalues (ascending) and unit eigenvectors (columns) of a small square matrix.

    Solves det(λI − A) = 0 (``characteristic_polynomial``), then (A − λI)v = 0 for each λ.
    Eigenvalues carry first derivatives (simple ones; repeated ones carry none); eigenvectors
    are constants with their first non-zero entry positive. Complex spectra raise ValueError.

    Example:
        >>> w, V = eig(Tensor([[2.0, 1.0], [1.0, 2.0]]))
        >>> w
        Tensor([1., 3.])
        >>> V
        Tensor([[ 0.70710678,  0.70710678],
                [-0.70710678,  0.70710678]])
    """
    A = _square(A, "eig")
    n = A.shape[0]
    coeffs = characteristic_polynomial(A)
    roots = np.roots(coeffs.data) if n > 1 else np.array([A.data[0, 0]])
    # A root of multiplicity m is found only to about eps^(1/m): compare with sqrt(tol).
    gap = np.sqrt(tol) * max(1.0, float(np.abs(A.data).max()))
    if np.abs(roots.imag).max(initial=0.0) > gap:
        raise ValueError(f"eig: A has complex eigenvalues {np.round(roots, 6)}; only real spectra")
    roots = np.sort(roots.real)
    values, vectors = [], []
    for group in np.split(roots, np.flatnonzero(np.diff(roots) > gap) + 1):
        lam = group.mean()
        if len(group) == 1:  # simple root: one Newton step on the graph gives its derivative
            slope = np.polyval(np.polyder(coeffs.data), lam)
            values.append(lam - _horner(coeffs, lam) / float(slope))
        else:
            values += [ops.const_like(lam, A)] * len(group)
        # (A - λI)v = 0: the null space has one dimension per repeated root (A diagonalizable)
        _, _, vt = np.linalg.svd(A.data - lam * np.eye(n))
        vectors.append(vt[n - len(group) :].T)
    eigenvalues = ops.stack(values)
    return eigenvalues, Tensor(_positive_sign(np.concatenate(vectors, axis=1)))


def power_iteration(A, num_iters=1000, tol=1e-10, generator=None):
    """Dominant eigenpair (largest |λ|) of a square matrix by repeated multiplication.

    v ← Av / ‖Av‖ until ‖Av − λv‖ ≤ tol·‖A‖, then λ = vᵀAv (the Rayleigh quotient, on the
    graph, so dλ/dA = vvᵀ for symmetric A). The start vector is drawn from ``generator``.

    Example:
        >>> lam, v = power_iteration(Tensor([[2.0, 1.0], [1.0, 2.0]]), generator=0)
        >>> lam
        Tensor(3.)
        >>> v
        Tensor([0.70710678, 0.70710678])
    """
    A = _square(A, "power_iteration")
    if not isinstance(num_iters, (int, np.integer)) or num_iters < 1:
        raise ValueError(f"power_iteration: num_iters must be a positive int; got {num_iters!r}")
    if not tol >= 0:
        raise ValueError(f"power_iteration: tol must be non-negative; got {tol!r}")
    a = A.data
    v = get_generator(generator).standard_normal(a.shape[0])
    v /= np.linalg.norm(v)
    limit = tol * max(np.linalg.norm(a), np.finfo(a.dtype).tiny)
    for _ in range(num_iters):
        w = a @ v
        if not np.linalg.norm(w) > 0:
            break  # v lies in the null space: the eigenvalue is 0
        v = w / np.linalg.norm(w)
        if np.linalg.norm(a @ v - (v @ a @ v) * v) <= limit:
            break
    v = _positive_sign(v[:, None])[:, 0].astype(a.dtype)
    vt = ops.const_like(v, A)
    return ops.dot(vt, ops.matmul(A, vt)), vt
