"""Sorting, arg-reductions and float tests. Indices carry no gradient; ``sort`` does."""

import numpy as np

from glassgrad.core.ops.manipulation import take_along_axis
from glassgrad.core.ops.shape import normalize_axis, ravel
from glassgrad.core.primitive import mask
from glassgrad.core.tensor import Tensor, to_tensor  # noqa: F401 (Tensor: the doctests)

__all__ = [
    "sort",
    "argsort",
    "partition",
    "argpartition",
    "argmax",
    "argmin",
    "isnan",
    "isfinite",
    "isinf",
]


def _axis(x, axis, name):
    """Flatten for axis=None, else check the axis; returns (x, axis)."""
    if axis is None:
        return ravel(x), 0
    return x, normalize_axis(axis, x.ndim, name)[0]


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (stable: ties keep their order). No gradient.

    Example:
        >>> argsort(Tensor([3.0, 1.0, 2.0]))
        Tensor([1, 2, 0])
    """
    x, axis = _axis(to_tensor(x), axis, "argsort")
    return mask(lambda a: np.argsort(a, axis=axis, kind="stable"), x)


def sort(x, axis=-1):
    """Sorted copy of ``x`` along ``axis`` (flattened when None), ascending.

    Derivative: a permutation, so each output's cotangent goes back to the element that
    landed there; tied elements keep their input order (a stable sort).

    Example:
        >>> sort(Tensor([3.0, 1.0, 2.0]))
        Tensor([1., 2., 3.])
    """
    x, axis = _axis(to_tensor(x), axis, "sort")
    return take_along_axis(x, mask(lambda a: np.argsort(a, axis=axis, kind="stable"), x), axis)


def argpartition(x, kth, axis=-1):
    """Indices that partition ``x`` around its ``kth`` elements (``numpy.argpartition``).

    No gradient (integer indices).

    Example:
        >>> argpartition(Tensor([3.0, 1.0, 2.0]), 0)[0]
        Tensor(1)
    """
    x, axis = _axis(to_tensor(x), axis, "argpartition")
    return mask(lambda a: np.argpartition(a, kth, axis=axis), x)


def partition(x, kth, axis=-1):
    """Copy of ``x`` with each ``kth`` element where a sort would put it (``numpy.partition``).

    Smaller elements come before it and larger ones after, in no given order; the values equal
    NumPy's. Derivative: a permutation, so each output's cotangent goes back to the element
    that landed there (as for ``sort``). NumPy may write a -0.0 there as 0.0; this keeps its sign.

    Example:
        >>> partition(Tensor([3.0, 1.0, 2.0]), 1)[1]
        Tensor(2.)
    """
    x, axis = _axis(to_tensor(x), axis, "partition")
    sources = mask(lambda a: _sources(a, np.partition(a, kth, axis=axis), axis), x)
    return take_along_axis(x, sources, axis)


def _sources(a, b, axis):
    """Indices i with b = take_along_axis(a, i, axis), for b a permutation of a along axis.

    argpartition's arrangement may differ from partition's, so each value of b is matched to
    one of a's by sorting both (stably, NaN last).
    """
    idx = np.empty(a.shape, dtype=np.intp)
    np.put_along_axis(
        idx, np.argsort(b, axis, kind="stable"), np.argsort(a, axis, kind="stable"), axis
    )
    return idx


def _arg(fn, name, x, axis, keepdims):
    x = to_tensor(x)
    if x.size == 0:
        raise ValueError(f"{name}: zero-size tensor of shape {x.shape} has no {name}")
    if axis is not None:
        axis = normalize_axis(axis, x.ndim, name)[0]
    return mask(lambda a: np.asarray(fn(a, axis=axis, keepdims=keepdims)), x)


def argmax(x, axis=None, keepdims=False):
    """Index of the first maximum along ``axis`` (of the flattened input when None).

    Example:
        >>> argmax(Tensor([1.0, 3.0, 3.0]))
        Tensor(1)
    """
    return _arg(np.argmax, "argmax", x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    """Index of the first minimum along ``axis`` (of the flattened input when None).

    Example:
        >>> argmin(Tensor([[2.0, 1.0], [0.0, 5.0]]), axis=1)
        Tensor([1, 0])
    """
    return _arg(np.argmin, "argmin", x, axis, keepdims)


def isnan(x):
    """Elementwise test for NaN; boolean, no gradient.

    Example:
        >>> isnan(Tensor([1.0, float("nan")]))
        Tensor([False,  True])
    """
    return mask(np.isnan, to_tensor(x), elementwise=True)


def isinf(x):
    """Elementwise test for ±inf; boolean, no gradient.

    Example:
        >>> isinf(Tensor([1.0, float("inf")]))
        Tensor([False,  True])
    """
    return mask(np.isinf, to_tensor(x), elementwise=True)


def isfinite(x):
    """Elementwise test for finite values (not NaN or ±inf); boolean, no gradient.

    Example:
        >>> isfinite(Tensor([1.0, float("inf")]))
        Tensor([ True, False])
    """
    return mask(np.isfinite, to_tensor(x), elementwise=True)
