"""Array manipulation composed from the shape primitives: joining, splitting, flipping, tiling.

None of these has a derivative rule of its own: each is built from ``reshape``, ``transpose``,
``getitem``, ``concatenate`` and ``broadcast_to``, so both sweeps (and ``jit``/``vmap``) come
from those primitives' rules.
"""

import warnings

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.shape import (
    broadcast_to,
    concatenate,
    getitem,
    index_add,
    index_key,
    normalize_axis,
    ravel,
    reshape,
    transpose,
)
from glassgrad.core.tensor import Tensor, to_tensor

__all__ = [
    "moveaxis",
    "hstack",
    "vstack",
    "row_stack",
    "split",
    "array_split",
    "hsplit",
    "vsplit",
    "dsplit",
    "flip",
    "fliplr",
    "flipud",
    "rot90",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "column_stack",
    "diff",
    "roll",
    "pad",
    "tile",
    "repeat",
    "take",
    "take_along_axis",
]


def moveaxis(x, source, destination):
    """Move axes to new positions, keeping the order of the others (``numpy.moveaxis``).

    Example:
        >>> moveaxis(Tensor(np.zeros((2, 3, 4))), 0, -1).shape
        (3, 4, 2)
    """
    x = to_tensor(x)
    src = [normalize_axis(a, x.ndim, "moveaxis")[0] for a in np.atleast_1d(source)]
    dst = [normalize_axis(a, x.ndim, "moveaxis")[0] for a in np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ShapeError(
            f"moveaxis: source {source} and destination {destination} differ in length"
        )
    order = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(x, order)


def hstack(arrays):
    """Join along the second axis (the first for 1-D inputs), as ``numpy.hstack``.

    Example:
        >>> hstack([Tensor([1.0]), Tensor([2.0, 3.0])])
        Tensor([1., 2., 3.])
    """
    xs = [to_tensor(a) for a in arrays]
    xs = [reshape(x, (1,)) if x.ndim == 0 else x for x in xs]
    return concatenate(xs, axis=0 if xs and xs[0].ndim == 1 else 1)


def vstack(arrays):
    """Join along the first axis, 1-D inputs becoming rows, as ``numpy.vstack``.

    Example:
        >>> vstack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])]).shape
        (2, 2)
    """
    xs = [to_tensor(a) for a in arrays]
    return concatenate([reshape(x, (1, -1)) if x.ndim < 2 else x for x in xs], axis=0)


def row_stack(arrays):
    """``vstack`` under its older name; deprecated, as ``numpy.row_stack`` is since NumPy 2.0.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     row_stack([Tensor([1.0]), Tensor([2.0])]).shape
        (2, 1)
    """
    warnings.warn("row_stack is deprecated (as in NumPy 2); use vstack", DeprecationWarning, 2)
    return vstack(arrays)


def split(x, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices (a list), as ``numpy.split``.

    Example:
        >>> [p.tolist() for p in split(Tensor([1.0, 2.0, 3.0, 4.0]), 2)]
        [[1.0, 2.0], [3.0, 4.0]]
    """
    x = to_tensor(x)
    axis = normalize_axis(axis, x.ndim, "split")[0]
    n = x.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections <= 0 or n % indices_or_sections:
            raise ShapeError(
                f"split: axis {axis} of length {n} does not split into "
                f"{indices_or_sections} equal sections (shape {x.shape})"
            )
        step = n // indices_or_sections
        bounds = list(range(step, n, step))
    else:
        bounds = [int(i) for i in indices_or_sections]
    edges = [0, *bounds, n]
    pre = (slice(None),) * axis
    return [getitem(x, pre + (slice(a, b),)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def array_split(x, indices_or_sections, axis=0):
    """Like ``split``, but an int n need not divide the axis: the first sections get one more.

    Example:
        >>> [p.tolist() for p in array_split(Tensor([1.0, 2.0, 3.0]), 2)]
        [[1.0, 2.0], [3.0]]
    """
    x = to_tensor(x)
    if isinstance(indices_or_sections, (int, np.integer)):
        (ax,) = normalize_axis(axis, x.ndim, "array_split")
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"array_split: the number of sections must be positive; got {k}")
        q, r = divmod(x.shape[ax], k)
        indices_or_sections = np.cumsum([q + 1] * r + [q] * (k - r))[:-1].tolist()
    return split(x, indices_or_sections, axis)


def _split_along(name, axis, ndim):
    def fn(x, indices_or_sections):
        x = to_tensor(x)
        if x.ndim < ndim:
            raise ShapeError(f"{name}: expected at least {ndim}-D input; got shape {x.shape}")
        return split(x, indices_or_sections, axis if x.ndim > 1 else 0)

    fn.__name__ = name
    fn.__doc__ = f"``split`` along axis {axis} (``numpy.{name}``)."
    return fn


hsplit, vsplit, dsplit = (
    _split_along("hsplit", 1, 1),
    _split_along("vsplit", 0, 2),
    _split_along("dsplit", 2, 3),
)


def flip(x, axis=None):
    """Reverse the order of elements along ``axis`` (all axes when None).

    Example:
        >>> flip(Tensor([1.0, 2.0, 3.0]))
        Tensor([3., 2., 1.])
    """
    x = to_tensor(x)
    axes = normalize_axis(axis, x.ndim, "flip")
    return getitem(
        x, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(x.ndim))
    )


def _at_least(name, ndim):
    """Flip along ``axis`` after checking that ``x`` has at least ``ndim`` dimensions."""

    def fn(x):
        x = to_tensor(x)
        if x.ndim < ndim:
            raise ShapeError(f"{name}: expected at least {ndim}-D input; got shape {x.shape}")
        return flip(x, axis=ndim - 1)

    fn.__name__ = name
    fn.__doc__ = f"Reverse axis {ndim - 1} (``numpy.{name}``); needs at least {ndim}-D input."
    return fn


fliplr = _at_least("fliplr", 2)
flipud = _at_least("flipud", 1)


def rot90(x, k=1, axes=(0, 1)):
    """Rotate by 90° ``k`` times in the plane of ``axes``, from the first axis to the second.

    Example:
        >>> rot90(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([[2., 4.],
                [1., 3.]])
    """
    x = to_tensor(x)
    a, b = (normalize_axis(i, x.ndim, "rot90")[0] for i in axes)
    if a == b:
        raise ShapeError(f"rot90: axes must differ; got {tuple(axes)}")
    order = list(range(x.ndim))
    order[a], order[b] = b, a
    k %= 4
    if k == 0:
        return x
    if k == 2:
        return flip(x, axis=(a, b))
    return transpose(flip(x, axis=b), order) if k == 1 else flip(transpose(x, order), axis=b)


def _atleast(x, ndim):
    x = to_tensor(x)
    if x.ndim >= ndim:
        return x
    if ndim == 3 and x.ndim >= 1:  # (N,) -> (1, N, 1); (M, N) -> (M, N, 1), as NumPy
        return reshape(x, ((1,) if x.ndim == 1 else ()) + x.shape + (1,))
    return reshape(x, (1,) * (ndim - x.ndim) + x.shape)


def _atleast_fn(ndim):
    def fn(*arrays):
        out = tuple(_atleast(a, ndim) for a in arrays)
        return out[0] if len(out) == 1 else out

    fn.__name__ = f"atleast_{ndim}d"
    fn.__doc__ = f"Each input viewed with at least {ndim} dimensions (``numpy.{fn.__name__}``)."
    return fn


atleast_1d, atleast_2d, atleast_3d = (_atleast_fn(n) for n in (1, 2, 3))


def column_stack(arrays):
    """Join along the second axis, 1-D inputs becoming columns, as ``numpy.column_stack``.

    Example:
        >>> column_stack([Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
        Tensor([[1., 3.],
                [2., 4.]])
    """
    xs = [to_tensor(a) for a in arrays]
    return concatenate([reshape(x, (-1, 1)) if x.ndim < 2 else x for x in xs], axis=1)


def diff(x, n=1, axis=-1):
    """The n-th forward difference along ``axis``: x[1:] - x[:-1], ``n`` times (``numpy.diff``).

    Example:
        >>> diff(Tensor([1.0, 4.0, 9.0]))
        Tensor([3., 5.])
    """
    x = to_tensor(x)
    if x.ndim == 0:
        raise ShapeError("diff: expected at least 1-D input; got a 0-d array")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"diff: n must be a non-negative int; got {n!r}")
    (ax,) = normalize_axis(axis, x.ndim, "diff")
    pre = (slice(None),) * ax
    for _ in range(n):
        x = getitem(x, pre + (slice(1, None),)) - getitem(x, pre + (slice(None, -1),))
    return x


def take(x, indices, axis=None):
    """Elements at integer ``indices`` along ``axis`` (of the flattened input when None).

    Derivative: repeated indices accumulate their cotangents.

    Example:
        >>> take(Tensor([1.0, 2.0, 3.0]), [2, 0, 2])
        Tensor([3., 1., 3.])
    """
    x = to_tensor(x)
    idx = np.asarray(index_key(indices))
    if idx.dtype.kind not in "iu":
        raise TypeError(f"take: indices must be integers; got dtype {idx.dtype}")
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axis(axis, x.ndim, "take")[0]
    return getitem(x, (slice(None),) * axis + (idx,))


def take_along_axis(x, indices, axis):
    """Pick ``x[..., indices[..., k], ...]`` along ``axis``, as ``numpy.take_along_axis``.

    Example:
        >>> take_along_axis(Tensor([[1.0, 2.0], [3.0, 4.0]]), np.array([[1], [0]]), 1)
        Tensor([[2.],
                [3.]])
    """
    x = to_tensor(x)
    idx = np.asarray(index_key(indices))
    axis = normalize_axis(axis, x.ndim, "take_along_axis")[0]
    if idx.ndim != x.ndim:
        raise ShapeError(
            f"take_along_axis: indices have shape {idx.shape}, expected "
            f"{x.ndim} dimensions like x's shape {x.shape}"
        )
    grid = list(np.ogrid[tuple(slice(0, s) for s in idx.shape)])
    grid[axis] = idx
    return getitem(x, tuple(grid))


def roll(x, shift, axis=None):
    """Shift elements cyclically by ``shift`` along ``axis`` (flattened when None).

    Example:
        >>> roll(Tensor([1.0, 2.0, 3.0]), 1)
        Tensor([3., 1., 2.])
    """
    x = to_tensor(x)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    for s, a in zip(np.atleast_1d(shift), np.atleast_1d(axis), strict=True):
        a = normalize_axis(int(a), x.ndim, "roll")[0]
        x = take(x, np.roll(np.arange(x.shape[a]), int(s)), axis=a)
    return x


def repeat(x, repeats, axis=None):
    """Repeat each element ``repeats`` times along ``axis`` (flattened when None).

    Example:
        >>> repeat(Tensor([1.0, 2.0]), 2)
        Tensor([1., 1., 2., 2.])
    """
    x = to_tensor(x)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axis(axis, x.ndim, "repeat")[0]
    return take(x, np.repeat(np.arange(x.shape[axis]), repeats), axis=axis)


def tile(x, reps):
    """Repeat the whole tensor ``reps`` times along each axis, as ``numpy.tile``.

    Example:
        >>> tile(Tensor([1.0, 2.0]), 2)
        Tensor([1., 2., 1., 2.])
    """
    x = to_tensor(x)
    reps = tuple(np.atleast_1d(reps).tolist())
    nd = max(x.ndim, len(reps))
    shape = (1,) * (nd - x.ndim) + x.shape
    reps = (1,) * (nd - len(reps)) + reps
    # (r0, s0, r1, s1, ...) by broadcasting, then merge each pair.
    y = broadcast_to(
        reshape(x, [v for s in shape for v in (1, s)]),
        [v for r, s in zip(reps, shape, strict=True) for v in (r, s)],
    )
    return reshape(y, [r * s for r, s in zip(reps, shape, strict=True)])


def pad(x, pad_width, mode="constant", constant_values=0):
    """Pad each axis, as ``numpy.pad``; modes 'constant', 'edge', 'reflect', 'symmetric', 'wrap'.

    Derivative: constant padding scatters the input into place (``index_add``); the other
    modes are gathers, so padded copies send their cotangents back to their source.

    Example:
        >>> pad(Tensor([1.0, 2.0]), 1)
        Tensor([0., 1., 2., 0.])
    """
    x = to_tensor(x)
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (x.ndim, 2))
    if mode == "constant":
        shape = tuple(int(s + a + b) for s, (a, b) in zip(x.shape, widths, strict=True))
        key = tuple(slice(int(a), int(a + s)) for s, (a, _) in zip(x.shape, widths, strict=True))
        out = index_add(x, key, shape)
        if constant_values:
            fill = np.full(shape, constant_values, dtype=x.dtype)
            fill[key] = 0
            out = out + Tensor._make(fill)
        return out
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ValueError(
            f"pad: unknown mode {mode!r}; expected 'constant', 'edge', 'reflect', "
            "'symmetric' or 'wrap'"
        )
    for a in range(x.ndim):
        x = take(x, np.pad(np.arange(x.shape[a]), widths[a], mode=mode), axis=a)
    return x
