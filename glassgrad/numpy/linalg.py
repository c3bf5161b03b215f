"""``glassgrad.numpy.linalg``: NumPy's ``linalg`` names on glassgrad's differentiable ops."""

import numpy as np

from glassgrad.core.ops import diagonal as _diagonal
from glassgrad.core.ops import linalg as _core
from glassgrad.core.ops import matmul, outer, tensordot, to_tensor, trace  # noqa: F401 (exported)

# The core's decompositions and solvers under their NumPy names; svd (NumPy's signature),
# norm, eigvals and the last-two-axes diagonal are defined below.
globals().update({name: getattr(_core, name) for name in _core.__all__ if name != "svd"})
__all__ = [
    *_core.__all__,
    *("norm", "eigvals", "matmul", "outer", "tensordot", "trace", "diagonal", "LinAlgError"),
]

LinAlgError = np.linalg.LinAlgError


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, as ``numpy.linalg.norm`` (``glassgrad.linalg.norm``).

    Example:
        >>> norm([3.0, 4.0])
        Tensor(5.)
    """
    from glassgrad.linalg import norm as _norm

    return _norm(to_tensor(x), ord=ord, axis=axis, keepdims=keepdims)


def svd(a, full_matrices=True, compute_uv=True):
    """SVD with NumPy's signature; square inputs or ``full_matrices=False`` give (U, S, Vh).

    Example:
        >>> svd([[3.0, 0.0], [0.0, 2.0]], compute_uv=False)
        Tensor([3., 2.])
    """
    a = to_tensor(a)
    if not compute_uv:
        return _core.svdvals(a)
    if full_matrices and a.ndim >= 2 and a.shape[-1] != a.shape[-2]:
        raise ValueError(
            f"svd: full_matrices=True is not differentiable for a non-square "
            f"input of shape {a.shape}; pass full_matrices=False"
        )
    return _core.svd(a, full_matrices=False)


def diagonal(x, offset=0):
    """Diagonals of the last two axes (``numpy.linalg.diagonal``).

    Example:
        >>> diagonal([[1.0, 2.0], [3.0, 4.0]])
        Tensor([1., 4.])
    """
    return _diagonal(x, offset, axis1=-2, axis2=-1)


def eigvals(a):
    """Eigenvalues of a real matrix with real eigenvalues (``eig(a)[0]``).

    Example:
        >>> eigvals([[2.0, 1.0], [0.0, 3.0]])
        Tensor([2., 3.])
    """
    return _core.eig(a)[0]
