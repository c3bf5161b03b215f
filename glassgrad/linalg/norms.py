"""Norms, distances and cosine similarity: differentiable compositions of core ops.

Convention at zero (as PyTorch): the L1 and L2 norms of a zero vector have gradient 0 (the
zero subgradient), never NaN, to every order. The L2 norm uses the "double where": the
square root is only ever evaluated at a positive number, so neither its derivative nor any
higher one meets 1/0. Ties in the L-inf norm share the gradient equally (PyTorch's rule).
"""

import math
from numbers import Real

import numpy as np

from glassgrad.core import ops
from glassgrad.core.errors import ShapeError
from glassgrad.core.ops import linalg as core_linalg
from glassgrad.core.tensor import Tensor  # noqa: F401 (used by the doctest examples)

__all__ = [
    "norm",
    "vector_norm",
    "matrix_norm",
    "euclidean_distance",
    "manhattan_distance",
    "cdist",
    "cosine_similarity",
    "pairwise_distances",
]

_MATRIX_ORDS = ("fro", "nuc", 2, -2, 1, -1, math.inf, -math.inf)


def _float_tensor(x):
    """Return ``x`` as a floating Tensor (integers and bools become float64, as NumPy)."""
    x = ops.to_tensor(x)
    if x.dtype.kind != "f":
        x = ops.astype(x, np.float64)
    return x


def _masked(cond, x, fill):
    """``where(cond, fill, x)`` with ``cond`` a NumPy mask: the safe half of the double where."""
    return ops.where(cond, fill, x)


def _safe_root(s, p):
    """``s ** (1/p)`` for s >= 0, with value and every derivative finite (0) where s == 0."""
    zero = s.data == 0
    if not zero.any():
        return ops.sqrt(s) if p == 2 else ops.power(s, 1.0 / p)
    safe = _masked(zero, s, 1.0)
    root = ops.sqrt(safe) if p == 2 else ops.power(safe, 1.0 / p)
    return _masked(zero, root, 0.0)


def _abs_pow(x, p):
    """``|x| ** p`` (p > 0) with the zero subgradient at x == 0 (infinite slope for p < 1)."""
    a = ops.absolute(x)
    zero = x.data == 0
    if not zero.any():
        return ops.power(a, float(p))
    return _masked(zero, ops.power(_masked(zero, a, 1.0), float(p)), 0.0)


def _check_ord(ord, name):
    if isinstance(ord, bool) or not isinstance(ord, Real) or math.isnan(ord):
        raise ValueError(f"{name}: ord must be a real number (inf, -inf, 0, 1, 2, p); got {ord!r}")


def vector_norm(x, ord=2, axis=None, keepdims=False):
    """Vector p-norm over ``axis`` (all elements when None), as ``torch.linalg.vector_norm``.

    ‖x‖_p = (Σ|x_i|^p)^{1/p}; ord=inf is max|x_i|, -inf is min|x_i|, 0 counts non-zeros.
    A negative ord gives 0 where an entry is 0 (|0|^p is infinite), with gradient 0 (PyTorch).
    Derivative: ∂‖x‖_p/∂x_i = sign(x_i)|x_i|^{p-1}/‖x‖_p^{p-1} (0 at x = 0).

    Example:
        >>> vector_norm(Tensor([3.0, -4.0]))
        Tensor(5.)
        >>> vector_norm(Tensor([3.0, -4.0]), ord=1)
        Tensor(7.)
    """
    _check_ord(ord, "vector_norm")
    x = _float_tensor(x)
    axes = ops.normalize_axis(axis, x.ndim, "vector_norm")
    if x.size == 0 and ord in (math.inf, -math.inf):
        raise ValueError(f"vector_norm: ord={ord} needs a non-empty tensor; got shape {x.shape}")
    if ord == math.inf:
        return ops.amax(ops.absolute(x), axis=axes, keepdims=keepdims)
    if ord == -math.inf:
        return ops.amin(ops.absolute(x), axis=axes, keepdims=keepdims)
    if ord == 0:  # a count: piecewise constant, so its gradient is 0 (kept on the graph)
        nonzero = 0.0 * x + ops.const_like(x.data != 0, x)
        return ops.sum(nonzero, axis=axes, keepdims=keepdims)
    if ord == 1:
        return ops.sum(ops.absolute(x), axis=axes, keepdims=keepdims)
    if ord == 2:
        return _safe_root(ops.sum(x * x, axis=axes, keepdims=keepdims), 2)
    if ord > 0:
        return _safe_root(ops.sum(_abs_pow(x, ord), axis=axes, keepdims=keepdims), ord)
    zero = x.data == 0  # the sum is only formed over non-zero entries; a zero masks the result
    powers = ops.power(_masked(zero, ops.absolute(x), 1.0), float(ord))
    root = ops.power(ops.sum(powers, axis=axes, keepdims=keepdims), 1.0 / ord)
    return _masked(np.any(zero, axis=axes, keepdims=keepdims), root, 0.0)


def _matrix_axes(axis, ndim, name):
    if not isinstance(axis, (tuple, list)) or len(axis) != 2:
        raise ShapeError(f"{name}: axis must be a pair of ints for a matrix norm; got {axis!r}")
    if ndim < 2:
        raise ShapeError(f"{name}: a matrix norm needs at least 2 dimensions; got {ndim}")
    rows, cols = (ops.normalize_axis(a, ndim, name)[0] for a in axis)
    if rows == cols:
        raise ShapeError(f"{name}: the two axes must differ; got {axis!r}")
    return rows, cols


def _drop_axes(y, axes, keepdims):
    """Remove the kept length-1 ``axes`` of ``y`` unless ``keepdims``."""
    return y if keepdims else ops.squeeze(y, axis=axes)


def matrix_norm(x, ord="fro", axis=(-2, -1), keepdims=False):
    """Matrix norm over the two ``axis`` dimensions, as ``torch.linalg.matrix_norm``.

    'fro': √Σx_ij²; 'nuc': Σσ_i; 2 / -2: largest / smallest singular value; 1 / -1: max /
    min column sum of |x_ij|; inf / -inf: max / min row sum.
    Derivative: 'fro' gives x/‖x‖_F (0 at 0); 'nuc' gives U Vᵀ; 2 gives u₁v₁ᵀ.

    Example:
        >>> matrix_norm(Tensor([[1.0, -2.0], [3.0, 4.0]]), ord=1)
        Tensor(6.)
    """
    if ord not in _MATRIX_ORDS or isinstance(ord, bool):
        raise ValueError(
            f"matrix_norm: ord must be one of 'fro', 'nuc', 2, -2, 1, -1, inf, -inf; got {ord!r}"
        )
    x = _float_tensor(x)
    rows, cols = _matrix_axes(axis, x.ndim, "matrix_norm")
    if ord == "fro":
        return vector_norm(x, 2, axis=(rows, cols), keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        rest = [i for i in range(x.ndim) if i not in (rows, cols)]
        s = core_linalg.svdvals(ops.transpose(x, rest + [rows, cols]))
        reduce = {"nuc": ops.sum, 2: ops.amax, -2: ops.amin}[ord]
        out = reduce(s, axis=-1)
        return ops.expand_dims(out, sorted((rows, cols))) if keepdims else out
    if ord in (math.inf, -math.inf):
        rows, cols = cols, rows
    reduce = ops.amax if ord > 0 else ops.amin
    sums = ops.sum(ops.absolute(x), axis=rows, keepdims=True)
    return _drop_axes(reduce(sums, axis=cols, keepdims=True), (rows, cols), keepdims)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm with ``numpy.linalg.norm``'s rules for ``ord`` and ``axis``.

    ``axis`` an int: vector norm; a pair: matrix norm; None: the 2-norm of all elements when
    ord is None, else the vector norm of a 1-D or the matrix norm of a 2-D ``x``.

    Example:
        >>> norm(Tensor([[1.0, 2.0], [2.0, 4.0]]))
        Tensor(5.)
        >>> norm(Tensor([[1.0, 2.0], [2.0, 4.0]]), ord=float("inf"))
        Tensor(6.)
        >>> norm(Tensor([[1.0, 2.0], [2.0, 4.0]]), ord="nuc")  # rank 1: σ = (5, 0)
        Tensor(5.)
    """
    x = _float_tensor(x)
    if axis is None:
        if ord is None:
            out = vector_norm(x, 2)
            return ops.reshape(out, (1,) * x.ndim) if keepdims else out
        if x.ndim not in (1, 2):
            raise ShapeError(
                f"norm: with ord={ord!r} and axis=None, x must be 1-D or 2-D; got shape {x.shape}"
            )
        axis = tuple(range(x.ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
        return vector_norm(x, 2 if ord is None else ord, axis=axes, keepdims=keepdims)
    if len(axes) == 2:
        return matrix_norm(x, "fro" if ord is None else ord, axis=axes, keepdims=keepdims)
    raise ShapeError(f"norm: axis must be an int or a pair of ints; got {axis!r}")


def _pair(x, y, name):
    """Float Tensors x and y, checked to broadcast together (ShapeError naming ``name``)."""
    return ops.broadcast_pair(_float_tensor(x), _float_tensor(y), name)


def euclidean_distance(x, y, axis=-1, keepdims=False):
    """Euclidean distance d(x, y) = ‖x − y‖₂ along ``axis`` (gradient 0 where x == y).

    Example:
        >>> euclidean_distance(Tensor([0.0, 0.0]), Tensor([3.0, 4.0]))
        Tensor(5.)
    """
    x, y = _pair(x, y, "euclidean_distance")
    return vector_norm(x - y, 2, axis=axis, keepdims=keepdims)


def manhattan_distance(x, y, axis=-1, keepdims=False):
    """Manhattan distance d(x, y) = ‖x − y‖₁ = Σ|x_i − y_i| along ``axis``.

    Example:
        >>> manhattan_distance(Tensor([0.0, 0.0]), Tensor([3.0, -4.0]))
        Tensor(7.)
    """
    x, y = _pair(x, y, "manhattan_distance")
    return vector_norm(x - y, 1, axis=axis, keepdims=keepdims)


def cdist(x, y, p=2.0):
    """All pairwise p-distances between the rows of ``x`` and of ``y`` (``torch.cdist``).

    Shapes: x (..., P, M) and y (..., R, M) give (..., P, R) with out[i, j] = ‖x_i − y_j‖_p.

    Example:
        >>> cdist(Tensor([[0.0, 0.0], [3.0, 0.0]]), Tensor([[3.0, 4.0]]))
        Tensor([[5.],
                [4.]])
    """
    x, y = _float_tensor(x), _float_tensor(y)
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ShapeError(
            "cdist: x and y must be (..., P, M) and (..., R, M) with the same M; "
            f"got shapes {x.shape} and {y.shape}"
        )
    _check_ord(p, "cdist")
    if p < 0:
        raise ValueError(f"cdist: p must be non-negative; got {p}")
    diff = ops.expand_dims(x, -2) - ops.expand_dims(y, -3)
    return vector_norm(diff, p, axis=-1)


def _clamp_value(n, eps):
    """``max(n, eps)`` in value, but with the gradient of ``n`` (PyTorch's cosine_similarity)."""
    return n + ops.const_like(np.maximum(n.data, eps) - n.data, n)


def cosine_similarity(x, y, axis=-1, eps=1e-8):
    """Cosine of the angle between x and y along ``axis``, as PyTorch's formula.

    cos = Σ (x / max(‖x‖, ε)) (y / max(‖y‖, ε)); a zero vector gives 0, with finite gradients.

    Example:
        >>> cosine_similarity(Tensor([1.0, 0.0]), Tensor([1.0, 1.0]))
        Tensor(0.7071)
    """
    x, y = _pair(x, y, "cosine_similarity")
    if not isinstance(eps, Real) or eps <= 0:
        raise ValueError(f"cosine_similarity: eps must be a positive number; got {eps!r}")
    nx = _clamp_value(vector_norm(x, 2, axis=axis, keepdims=True), eps)
    ny = _clamp_value(vector_norm(y, 2, axis=axis, keepdims=True), eps)
    return ops.sum((x / nx) * (y / ny), axis=axis)


def _unit_rows(A):
    """Rows scaled to length 1; a zero row stays 0, with gradient as if its norm were 1.

    This is scikit-learn's ``normalize``: the similarity of a zero row is 0 and no gradient
    meets 1/0 (PyTorch's 1/eps instead gives gradients of order 1e8 there).
    """
    n = vector_norm(A, 2, axis=1, keepdims=True)
    return A / ops.where(n.data == 0, 1.0, n)


_METRICS = ("euclidean", "manhattan", "cityblock", "l1", "l2", "cosine", "sqeuclidean")


def pairwise_distances(X, Y=None, metric="euclidean"):
    """Distance matrix between the rows of X and Y (Y = X when None), as scikit-learn's.

    Metrics: 'euclidean' ('l2'), 'sqeuclidean', 'manhattan' ('cityblock', 'l1') and 'cosine'
    (1 − cosine similarity; a zero row has similarity 0). Shapes: (n, d), (m, d) → (n, m).

    Example:
        >>> pairwise_distances(Tensor([[0.0, 1.0], [1.0, 0.0]]), metric="manhattan")
        Tensor([[0., 2.],
                [2., 0.]])
    """
    if metric not in _METRICS:
        raise ValueError(f"pairwise_distances: metric must be one of {_METRICS}; got {metric!r}")
    X = _float_tensor(X)
    Y = X if Y is None else _float_tensor(Y)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ShapeError(
            "pairwise_distances: X and Y must be 2-D with the same number of columns; "
            f"got shapes {X.shape} and {Y.shape}"
        )
    if metric == "cosine":
        return 1.0 - ops.matmul(_unit_rows(X), ops.transpose(_unit_rows(Y)))
    if metric == "sqeuclidean":
        diff = ops.expand_dims(X, 1) - ops.expand_dims(Y, 0)
        return ops.sum(diff * diff, axis=-1)
    return cdist(X, Y, p=2 if metric in ("euclidean", "l2") else 1)
