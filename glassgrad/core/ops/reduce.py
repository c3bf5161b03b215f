"""Reductions: sum (linear) and the max/min reductions (ties share the gradient)."""

import numpy as np

from glassgrad.core.ops.elementwise import multiply
from glassgrad.core.ops.manipulation import moveaxis
from glassgrad.core.ops.shape import (
    astype,
    broadcast_to,
    concatenate,
    getitem,
    normalize_axis,
    ravel,
    reshape,
    transpose,
)
from glassgrad.core.primitive import BATCHING, Primitive, linear, mask
from glassgrad.core.tensor import (
    Tensor,  # noqa: F401 (used by the doctest examples)
    to_tensor,
)

__all__ = ["sum", "max", "min", "amax", "amin", "prod", "cumsum", "cumprod"]


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _unreduce(g, x, axis, keepdims):
    """Broadcast a reduced cotangent back to ``x``'s shape."""
    if not keepdims:
        g = reshape(g, _kept_shape(x.shape, axis))
    return broadcast_to(g, x.shape)


_sum = linear(
    "sum",
    lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims),  # x.sum's reduce
    vjp=lambda g, out, x, axis, keepdims: (_unreduce(g, x, axis, keepdims),),
    formula="∂y/∂aᵢ = 1: G is broadcast back over the summed axes",
)
BATCHING[_sum] = lambda t, out, x, axis, keepdims: _sum(  # the batch axis comes first
    t, axis=tuple(a + 1 for a in axis), keepdims=keepdims
)


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
    def share(xa, oa):
        hit = xa == (oa if keepdims else oa.reshape(_kept_shape(xa.shape, axis)))
        return (hit / hit.sum(axis=axis, keepdims=True)).astype(xa.dtype)

    return mask(share, x, out)


def _extremum(name, fn):
    def vjp(g, out, x, axis, keepdims):
        return (multiply(_unreduce(g, x, axis, keepdims), _share(x, out, axis, keepdims)),)

    def jvp(t, out, x, axis, keepdims, lead=0):
        t = multiply(t, _share(x, out, axis, keepdims))
        return _sum(t, axis=tuple(a + lead for a in axis), keepdims=keepdims)

    prim = Primitive(
        name,
        lambda x, axis, keepdims: fn(x, axis=axis, keepdims=keepdims),
        vjp=vjp,
        jvp=jvp,
        formula="∂y/∂aᵢ = 1[aᵢ = y] / #ties (ties share G equally)",
    )
    BATCHING[prim] = lambda t, out, x, axis, keepdims: jvp(t, out, x, axis, keepdims, lead=1)
    return prim


_max = _extremum("max", np.maximum.reduce)  # what np.max runs, without its Python wrapper
_min = _extremum("min", np.minimum.reduce)


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


def _last_axis(x, axis, name):
    """``x`` with ``axis`` moved last (flattened first when axis is None), and the axis used."""
    x = to_tensor(x)
    if axis is None:
        return ravel(x), 0
    a = normalize_axis(axis, x.ndim, name)[0]
    return moveaxis(x, a, -1), a


def prod(x, axis=None, keepdims=False, *, dtype=None):
    """Product of elements over ``axis``, as ``numpy.prod`` (``dtype``: cast first).

    Composite: halves are multiplied pairwise until one element is left, so the gradient
    (the product of the other elements) is exact even where some elements are zero.

    Example:
        >>> prod(Tensor([[1.0, 2.0], [3.0, 4.0]]), axis=1)
        Tensor([ 2., 12.])
    """
    x = to_tensor(x) if dtype is None else astype(x, dtype)
    axes = normalize_axis(axis, x.ndim, "prod")
    rest = [i for i in range(x.ndim) if i not in axes]
    y = reshape(transpose(x, rest + list(axes)), [x.shape[i] for i in rest] + [-1])
    if y.shape[-1] == 0:
        return reshape(multiply(sum(y, axis=-1), 0.0) + 1.0, _out_shape(x.shape, axes, keepdims))
    while y.shape[-1] > 1:
        half = y.shape[-1] // 2
        paired = multiply(
            getitem(y, (Ellipsis, slice(0, half))), getitem(y, (Ellipsis, slice(half, 2 * half)))
        )
        odd = [getitem(y, (Ellipsis, slice(2 * half, None)))] if y.shape[-1] % 2 else []
        y = concatenate([paired, *odd], axis=-1)
    return reshape(y, _out_shape(x.shape, axes, keepdims))


def _out_shape(shape, axes, keepdims):
    if keepdims:
        return _kept_shape(shape, axes)
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def _cumsum_vjp(g, out, x, axis):
    # The adjoint of a running sum is the running sum from the other end.
    rev = (slice(None),) * axis + (slice(None, None, -1),)
    return (getitem(_cumsum(getitem(g, rev), axis=axis), rev),)


_cumsum = linear(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    vjp=_cumsum_vjp,
    formula="∂L/∂aᵢ = Σ_{j≥i} Gⱼ (a reversed cumulative sum)",
)
BATCHING[_cumsum] = lambda t, out, x, axis: _cumsum(t, axis=axis + 1)


def cumsum(x, axis=None):
    """Running sum along ``axis`` (over the flattened input when None), as ``numpy.cumsum``.

    Derivative: the cotangent's running sum taken from the end.

    Example:
        >>> cumsum(Tensor([1.0, 2.0, 3.0]))
        Tensor([1., 3., 6.])
    """
    x = to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    return _cumsum(x, axis=normalize_axis(axis, x.ndim, "cumsum")[0])


def cumprod(x, axis=None):
    """Running product along ``axis``, as ``numpy.cumprod``.

    Composite (a Hillis-Steele scan: log₂ n rounds of shifted products), exact at zeros.

    Example:
        >>> cumprod(Tensor([1.0, 2.0, 3.0]))
        Tensor([1., 2., 6.])
    """
    y, a = _last_axis(x, axis, "cumprod")
    n, step = y.shape[-1], 1
    while step < n:
        head = getitem(y, (Ellipsis, slice(0, step)))
        tail = multiply(
            getitem(y, (Ellipsis, slice(step, None))), getitem(y, (Ellipsis, slice(0, n - step)))
        )
        y = concatenate([head, tail], axis=-1)
        step *= 2
    return y if axis is None else moveaxis(y, -1, a)
