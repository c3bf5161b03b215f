"""Reductions: sum (linear) and the max/min reductions (ties share the gradient)."""

import numpy as np

from glassgrad.core.ops.elementwise import const_like, multiply, to_tensor
from glassgrad.core.ops.shape import broadcast_to, normalize_axis, reshape
from glassgrad.core.primitive import Primitive, linear
from glassgrad.core.tensor import Tensor  # noqa: F401 (used by the doctest examples)

__all__ = ["sum", "max", "min", "amax", "amin"]


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _unreduce(g, x, axis, keepdims):
    """Broadcast a reduced cotangent back to ``x``'s shape."""
    if not keepdims:
        g = reshape(g, _kept_shape(x.shape, axis))
    return broadcast_to(g, x.shape)


_sum = linear("sum", lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
              vjp=lambda g, out, x, axis, keepdims: (_unreduce(g, x, axis, keepdims),))


def sum(x, axis=None, keepdims=False):
    """Sum of elements over ``axis`` (all axes when None), as ``numpy.sum``.

    Derivative: the cotangent is broadcast back over the summed axes.

    Example:
        >>> sum(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=0)
        Tensor([4., 6.])
    """
    x = to_tensor(x)
    return _sum(x, axis=normalize_axis(axis, x.ndim, "sum"), keepdims=bool(keepdims))


def _share(x, out, axis, keepdims):
    # Equal maxima share the cotangent equally, as PyTorch's amax/amin and max() reductions.
    o = out.data if keepdims else out.data.reshape(_kept_shape(x.shape, axis))
    mask = x.data == o
    return const_like(mask / mask.sum(axis=axis, keepdims=True), x)


def _extremum(name, fn):
    def vjp(g, out, x, axis, keepdims):
        return (multiply(_unreduce(g, x, axis, keepdims), _share(x, out, axis, keepdims)),)

    def jvp(t, out, x, axis, keepdims):
        return sum(multiply(t, _share(x, out, axis, keepdims)), axis=axis, keepdims=keepdims)

    return Primitive(name, lambda x, axis, keepdims: fn(x, axis=axis, keepdims=keepdims),
                     vjp=vjp, jvp=jvp)


_max = _extremum("max", np.max)
_min = _extremum("min", np.min)


def _reduce_checked(prim, x, axis, keepdims):
    x = to_tensor(x)
    axes = normalize_axis(axis, x.ndim, prim.name)
    if x.size == 0:
        raise ValueError(f"{prim.name}: zero-size tensor of shape {x.shape} has no {prim.name}")
    return prim(x, axis=axes, keepdims=bool(keepdims))


def max(x, axis=None, keepdims=False):
    """Maximum over ``axis`` (``numpy.max`` / ``amax``).

    Derivative: 1 at the maximum; k tied maxima get 1/k each (PyTorch's ``amax``).

    Example:
        >>> max(Tensor([1.0, 3.0, 2.0]))
        Tensor(3.)
    """
    return _reduce_checked(_max, x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    """Minimum over ``axis`` (``numpy.min`` / ``amin``); tied minima share the gradient.

    Example:
        >>> min(Tensor([1.0, 3.0, 2.0]))
        Tensor(1.)
    """
    return _reduce_checked(_min, x, axis, keepdims)


amax = max
amin = min
