"""Shape primitives. All are linear, so each states only its VJP (its adjoint)."""

import math

import numpy as np

from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.core.primitive import BATCHING, linear, nondifferentiable
from glassgrad.core.tensor import Tensor, to_tensor
from glassgrad.core.tracing import TRACES

__all__ = [
    "reshape",
    "transpose",
    "swapaxes",
    "broadcast_to",
    "sum_to",
    "getitem",
    "index_add",
    "concatenate",
    "stack",
    "expand_dims",
    "squeeze",
    "ravel",
    "astype",
    "identity",
    "index_key",
    "normalize_axis",
]


def normalize_axis(axis, ndim, name):
    """Return ``axis`` as a sorted tuple of non-negative ints; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    if not isinstance(axes, (tuple, list)):
        raise TypeError(f"{name}: axis must be an int or a tuple of ints; got {axis!r}")
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{name}: axis must be an int or a tuple of ints; got {axis!r}")
        if not -ndim <= a < max(ndim, 1):
            raise ShapeError(f"{name}: axis {a} is out of bounds for a tensor of dimension {ndim}")
        out.append(int(a) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ShapeError(f"{name}: repeated axis in {axis!r}")
    return tuple(sorted(out))


# Batched tangents (``jacfwd``) carry a leading batch axis B; each linear op's batched rule
# applies the op to them with its parameters shifted past that axis.
def _lift(t, ndim):
    """A batched tangent ``(B, *s)`` with ones after B, up to ``ndim`` dims besides B."""
    return reshape(t, t.shape[:1] + (1,) * (ndim + 1 - t.ndim) + t.shape[1:])


# ----- reshape / transpose ------------------------------------------------------------------------
_reshape = linear(
    "reshape",
    lambda x, shape: x.reshape(shape),  # the method np.reshape calls
    vjp=lambda g, out, x, shape: (reshape(g, x.shape),),
    formula="∂L/∂a = reshape(G, a.shape)",
)
BATCHING[_reshape] = lambda t, out, x, shape: reshape(t, t.shape[:1] + shape)


def reshape(x, shape):
    """Give ``x`` a new shape with the same number of elements (one dimension may be -1).

    Example:
        >>> reshape(Tensor([1.0, 2.0, 3.0, 4.0]), (2, 2)).shape
        (2, 2)
    """
    x = to_tensor(x)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if shape == x.shape:
        return x
    try:
        target = shape
        if -1 in shape or math.prod(shape) != x.size:  # let NumPy infer -1 or refuse
            target = np.broadcast_to(np.empty((), np.int8), x.shape).reshape(shape).shape
    except ValueError:
        raise ShapeError(
            f"reshape: cannot reshape a tensor of shape {x.shape} into {shape}"
        ) from None
    if target == x.shape:
        return x
    return _reshape(x, shape=target)


_transpose = linear(
    "transpose",
    lambda x, axes: x.transpose(axes),  # the method: no dispatch wrapper
    vjp=lambda g, out, x, axes: (transpose(g, tuple(np.argsort(axes))),),
    formula="∂L/∂a = transpose(G, argsort(axes))",
)
BATCHING[_transpose] = lambda t, out, x, axes: transpose(t, (0, *(a + 1 for a in axes)))


def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is None), as NumPy.

    Example:
        >>> transpose(Tensor([[1.0, 2.0, 3.0]])).shape
        (3, 1)
    """
    x = to_tensor(x)
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    axes = tuple(int(a) % max(x.ndim, 1) for a in axes)
    if sorted(axes) != list(range(x.ndim)):
        raise ShapeError(f"transpose: axes {axes} are not a permutation of {x.ndim} dimensions")
    if axes == tuple(range(x.ndim)):
        return x
    return _transpose(x, axes=axes)


def swapaxes(x, axis1, axis2):
    """Interchange two axes.

    Example:
        >>> swapaxes(Tensor(np.zeros((2, 3, 4))), 0, 2).shape
        (4, 3, 2)
    """
    x = to_tensor(x)
    a1, a2 = (
        normalize_axis(axis1, x.ndim, "swapaxes")[0],
        normalize_axis(axis2, x.ndim, "swapaxes")[0],
    )
    axes = list(range(x.ndim))
    axes[a1], axes[a2] = axes[a2], axes[a1]
    return transpose(x, axes)


def ravel(x):
    """Flatten to one dimension.

    Example:
        >>> ravel(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([1., 2., 3., 4.])
    """
    x = to_tensor(x)
    return reshape(x, (x.size,))


def expand_dims(x, axis):
    """Insert length-1 axes at ``axis`` (int or tuple), as NumPy.

    Example:
        >>> expand_dims(Tensor([1.0, 2.0]), 0).shape
        (1, 2)
    """
    x = to_tensor(x)
    return reshape(x, np.expand_dims(np.empty(x.shape, np.int8), axis).shape)


def squeeze(x, axis=None):
    """Remove length-1 axes (all of them, or those in ``axis``).

    Example:
        >>> squeeze(Tensor([[1.0], [2.0]])).shape
        (2,)
    """
    x = to_tensor(x)
    try:
        shape = np.squeeze(np.empty(x.shape, np.int8), axis).shape
    except ValueError:
        raise ShapeError(
            f"squeeze: axis {axis} does not have length 1 in shape {x.shape}"
        ) from None
    return reshape(x, shape)


# ----- broadcast_to and sum_to: each other's adjoint -------------------------------------------
def _sum_to(x, shape):
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    # the reduction np.sum runs, without its Python wrappers
    return (np.add.reduce(x, axis=axes, keepdims=True) if axes else x).reshape(shape)


_broadcast_to = linear(
    "broadcast_to",
    lambda x, shape: np.broadcast_to(x, shape),
    vjp=lambda g, out, x, shape: (sum_to(g, x.shape),),
    formula="∂L/∂a = sum_to(G, a.shape): the copies' gradients add up",
)
BATCHING[_broadcast_to] = lambda t, out, x, shape: broadcast_to(
    _lift(t, len(shape)), t.shape[:1] + shape
)
_sum_to_prim = linear(
    "sum_to",
    _sum_to,
    vjp=lambda g, out, x, shape: (broadcast_to(g, x.shape),),
    formula="∂L/∂a = broadcast_to(G, a.shape)",
)
BATCHING[_sum_to_prim] = lambda t, out, x, shape: reshape(
    sum_to(t, t.shape[:1] + (1,) * (x.ndim - len(shape)) + shape), t.shape[:1] + shape
)


def broadcast_to(x, shape):
    """Broadcast ``x`` to ``shape`` (NumPy rules). Derivative: the adjoint is ``sum_to``.

    Example:
        >>> broadcast_to(Tensor([1.0, 2.0]), (2, 2))
        Tensor([[1., 2.],
                [1., 2.]])
    """
    x = to_tensor(x)
    shape = tuple(int(s) for s in shape)
    if x.shape == shape:
        return x
    if not _broadcasts(x.shape, shape):
        raise ShapeError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    return _broadcast_to(x, shape=shape)


def _broadcasts(small, big):
    try:
        return np.broadcast_shapes(small, big) == tuple(big)
    except ValueError:
        return False


def sum_to(x, shape):
    """Sum ``x`` down to ``shape`` (the adjoint of ``broadcast_to``).

    Example:
        >>> sum_to(Tensor([[1.0, 2.0], [3.0, 4.0]]), (2,))
        Tensor([4., 6.])
    """
    x = to_tensor(x)
    shape = tuple(shape)
    if x.shape == shape:
        return x
    if not _broadcasts(shape, x.shape):
        raise ShapeError(f"sum_to: cannot sum shape {x.shape} down to {shape}")
    return _sum_to_prim(x, shape=shape)


# ----- indexing -------------------------------------------------------------------------------
def index_key(key):
    """Turn Tensors and lists inside an index into ndarrays (indices carry no gradient)."""
    if isinstance(key, tuple):
        return tuple(index_key(k) for k in key)
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, list):
        return np.asarray(key)
    return key


def _is_basic(key):
    keys = key if isinstance(key, tuple) else (key,)
    return not any(isinstance(k, np.ndarray) for k in keys)


def _index_add(g, key, shape):
    z = np.zeros(shape, dtype=g.dtype)
    if _is_basic(key):
        z[key] = g
    else:
        np.add.at(z, key, g)  # repeated indices add up
    return z


def _batch_index(t, out, x, key, shape=None):
    # The key gets a full slice for the batch axis. NumPy moves the axes of advanced indices
    # that stand apart (x[[0, 1], :, 0]) to the front, past the batch axis: run those per slice.
    key = key if isinstance(key, tuple) else (key,)
    adv = [i for i, k in enumerate(key) if isinstance(k, (np.ndarray, int, np.integer, np.bool_))]
    if not _is_basic(key) and adv[-1] - adv[0] >= len(adv):
        return NotImplemented
    key = (slice(None), *key)
    if shape is None:
        return _getitem(t, key=key)
    return _index_add_prim(t, key=key, shape=t.shape[:1] + shape)


_getitem = linear(
    "getitem",
    lambda x, key: x[key],
    vjp=lambda g, out, x, key: (index_add(g, key, x.shape),),
    formula="∂L/∂a = index_add(G, key, a.shape): G scattered into the selected slots",
)
BATCHING[_getitem] = _batch_index
_index_add_prim = linear(
    "index_add",
    _index_add,
    vjp=lambda g, out, x, key, shape: (_getitem(g, key=key),),
    formula="∂L/∂a = G[key]",
)
BATCHING[_index_add_prim] = _batch_index


def getitem(x, key):
    """NumPy indexing ``x[key]``: slices, integers, None, Ellipsis, integer and boolean arrays.

    Derivative: the cotangent is scattered back with ``index_add`` (repeats accumulate).

    Example:
        >>> getitem(Tensor([[1.0, 2.0], [3.0, 4.0]]), (slice(None), 1))
        Tensor([2., 4.])
    """
    x = to_tensor(x)
    key = index_key(key)
    try:
        if not TRACES:  # a traced index is checked by the primitive itself
            x.data[key]
    except IndexError as e:
        raise IndexError(f"getitem: index {key!r} is invalid for shape {x.shape}: {e}") from None
    return _getitem(x, key=key)


def index_add(g, key, shape):
    """Scatter ``g`` into zeros of ``shape`` at ``key``, adding at repeated indices.

    Example:
        >>> index_add(Tensor([1.0, 1.0]), np.array([0, 0]), (2,))
        Tensor([2., 0.])
    """
    return _index_add_prim(to_tensor(g), key=index_key(key), shape=tuple(shape))


# ----- joining -------------------------------------------------------------------------------
def _concat_vjp(g, out, *xs, axis):
    bounds = np.cumsum([x.shape[axis] for x in xs])[:-1]
    starts = [0, *bounds]
    ends = [*bounds, g.shape[axis]]
    pre = (slice(None),) * axis
    pieces = zip(starts, ends, strict=True)
    return tuple(_getitem(g, key=pre + (slice(int(s), int(e)),)) for s, e in pieces)


_concatenate = linear(
    "concatenate",
    lambda *xs, axis: np.concatenate(xs, axis=axis),
    vjp=_concat_vjp,
    formula="∂L/∂aₖ = G[slice k]",
)
BATCHING[_concatenate] = lambda *args, axis: _concatenate(*args[: len(args) // 2], axis=axis + 1)


def concatenate(arrays, axis=0):
    """Join a sequence of tensors along an existing axis.

    Example:
        >>> concatenate([Tensor([1.0]), Tensor([2.0, 3.0])])
        Tensor([1., 2., 3.])
    """
    xs = [to_tensor(a) for a in arrays]
    if not xs:
        raise ValueError("concatenate: need at least one array")
    axis = normalize_axis(axis, xs[0].ndim, "concatenate")[0]
    for i, x in enumerate(xs):
        if (
            x.ndim != xs[0].ndim
            or x.shape[:axis] + x.shape[axis + 1 :] != xs[0].shape[:axis] + xs[0].shape[axis + 1 :]
        ):
            raise ShapeError(
                f"concatenate: array {i} has shape {x.shape}, which does not match "
                f"array 0's shape {xs[0].shape} outside axis {axis}"
            )
    return _concatenate(*xs, axis=axis)


def stack(arrays, axis=0):
    """Join tensors of the same shape along a new axis.

    Example:
        >>> stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
        (2, 2)
    """
    xs = [to_tensor(a) for a in arrays]
    if not xs:
        raise ValueError("stack: need at least one array")
    for i, x in enumerate(xs):
        if x.shape != xs[0].shape:
            raise ShapeError(
                f"stack: array {i} has shape {x.shape}, array 0 has shape {xs[0].shape}"
            )
    axis = normalize_axis(axis, xs[0].ndim + 1, "stack")[0]
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis)


# ----- dtype and identity -----------------------------------------------------------------------
_astype = linear(
    "astype",
    lambda x, dtype: x.astype(dtype),
    vjp=lambda g, out, x, dtype: (astype(g, x.dtype),),
    formula="∂y/∂a = 1 (G cast back to a's dtype)",
)
BATCHING[_astype] = lambda t, out, x, dtype: _astype(t, dtype=dtype)
_astype_nondiff = nondifferentiable("astype_nondiff", lambda x, dtype: x.astype(dtype))
_identity = linear(
    "identity", lambda x: x, vjp=lambda g, out, x: (g,), elementwise=True, formula="∂y/∂a = 1"
)


def astype(x, dtype):
    """Cast to ``dtype``; differentiable between floating dtypes, constant otherwise.

    Example:
        >>> astype(Tensor([1.5]), "float32").dtype
        dtype('float32')
    """
    x = to_tensor(x)
    dtype = np.dtype(dtype)
    if dtype == x.dtype:
        return x
    if dtype.kind == "c":
        raise DTypeError(f"astype: complex dtypes are not supported; got {dtype}")
    if dtype.kind == "f" and x.dtype.kind == "f":
        return _astype(x, dtype=dtype)
    return _astype_nondiff(x, dtype=dtype)


def identity(x):
    """Return a new node equal to ``x`` (used to mark the inputs of a transform).

    Example:
        >>> identity(Tensor(1.0))
        Tensor(1.)
    """
    return _identity(to_tensor(x))


# ----- rearranging (composites of the primitives above) -------------------------------------
