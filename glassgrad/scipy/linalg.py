"""``glassgrad.scipy.linalg``: SciPy's linear-algebra names on glassgrad's differentiable ops.

Routines for symmetric or triangular matrices read only the triangle SciPy reads, so the
gradient with respect to the other triangle is zero.
"""

import numpy as np

from glassgrad.core.ops import (
    add,
    det,
    inv,
    swapaxes,
    to_tensor,
    tril,
    triu,
)
from glassgrad.core.ops import (
    cholesky as _cholesky,
)
from glassgrad.core.ops import (
    eigh as _eigh,
)
from glassgrad.core.ops import (
    solve as _solve,
)

__all__ = ["cholesky", "det", "eigh", "inv", "mirror_triangle", "solve", "solve_triangular"]


def mirror_triangle(a, lower=True):
    """The symmetric matrix made of ``a``'s lower (or upper) triangle: T + strict(T)ᵀ.

    Example:
        >>> mirror_triangle([[1.0, 9.0], [2.0, 3.0]])
        Tensor([[1., 2.],
                [2., 3.]])
    """
    a = to_tensor(a)
    part, k = (tril, -1) if lower else (triu, 1)
    return add(part(a), swapaxes(part(a, k), -1, -2))


def cholesky(a, lower=False):
    """Cholesky factor of a symmetric positive-definite matrix, reading one triangle of ``a``.

    Upper U with A = UᵀU (SciPy's default) or, with ``lower=True``, lower L with A = LLᵀ.

    Example:
        >>> cholesky([[4.0, 2.0], [2.0, 2.0]])
        Tensor([[2., 1.],
                [0., 1.]])
    """
    low = _cholesky(mirror_triangle(a, lower))
    return low if lower else swapaxes(low, -1, -2)


def eigh(a, lower=True, eigvals_only=False):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, reading one triangle.

    Example:
        >>> eigh([[2.0, 0.0], [5.0, 1.0]], eigvals_only=True, lower=False)
        Tensor([1., 2.])
    """
    w, v = _eigh(a, UPLO="L" if lower else "U")
    return w if eigvals_only else (w, v)


def solve(a, b):
    """Solution x of a x = b (``numpy.linalg.solve``'s rules).

    Example:
        >>> solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 2.0])
        Tensor([1. , 0.5])
    """
    return _solve(a, b)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    """Solution x of T x = b (or Tᵀ x = b for trans=1/'T'), T the lower or upper triangle of a.

    With ``unit_diagonal`` the diagonal of ``a`` is not read and taken to be ones.

    Example:
        >>> solve_triangular([[2.0, 7.0], [1.0, 4.0]], [2.0, 5.0], lower=True)
        Tensor([1., 1.])
    """
    a = to_tensor(a)
    if trans not in (0, 1, "N", "T"):
        raise ValueError(f"solve_triangular: trans must be 0, 1, 'N' or 'T'; got {trans!r}")
    part = tril if lower else triu
    t = part(a, -1 if lower else 1) + np.eye(a.shape[-1]) if unit_diagonal else part(a)
    return _solve(swapaxes(t, -1, -2) if trans in (1, "T") else t, b)
