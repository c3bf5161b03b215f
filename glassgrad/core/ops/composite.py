"""Composites: built from primitives, so they carry no derivative code of their own."""

import math
import warnings

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.contractions import matmul
from glassgrad.core.ops.elementwise import (  # noqa: I001
    add,
    arcsin,
    broadcast_pair,
    divide,
    exp,
    greater,
    less,
    log,
    log1p,
    maximum,
    minimum,
    multiply,
    sigmoid,
    sqrt,
    subtract,
    to_tensor,
    where,
)
from glassgrad.core.ops.manipulation import moveaxis
from glassgrad.core.ops.reduce import max, sum
from glassgrad.core.ops.shape import astype, concatenate, normalize_axis, squeeze, stack
from glassgrad.core.primitive import mask
from glassgrad.core.tensor import Tensor  # noqa: F401 (used by the doctest examples)
from glassgrad.core.tracing import TRACES

__all__ = [
    "fmax",
    "fmin",
    "nan_to_num",
    "select",
    "real",
    "imag",
    "conj",
    "conjugate",
    "angle",
    "mean",
    "var",
    "std",
    "square",
    "reciprocal",
    "logsumexp",
    "softmax",
    "log_softmax",
    "dot",
    "arccos",
    "exp2",
    "log2",
    "log10",
    "clip",
    "logaddexp",
    "expit",
    "cross",
    "gradient",
]


def _count(x, axis):
    return int(np.prod([x.shape[a] for a in normalize_axis(axis, x.ndim, "mean")]))


def mean(x, axis=None, keepdims=False):
    """Arithmetic mean over ``axis``: sum(x)/n.

    Example:
        >>> mean(Tensor([1.0, 2.0, 3.0]))
        Tensor(2.)
    """
    x = to_tensor(x)
    n = float(_count(x, axis))
    return divide(sum(x, axis=axis, keepdims=keepdims), n)


def var(x, axis=None, ddof=0, keepdims=False):
    """Variance mean((x - mean(x))²)·n/(n - ddof), as ``numpy.var``.

    Example:
        >>> var(Tensor([1.0, 3.0]))
        Tensor(1.)
    """
    x = to_tensor(x)
    centred = subtract(x, mean(x, axis=axis, keepdims=True))
    return divide(
        sum(multiply(centred, centred), axis=axis, keepdims=keepdims), float(_count(x, axis) - ddof)
    )


def std(x, axis=None, ddof=0, keepdims=False):
    """Standard deviation sqrt(var(x)), as ``numpy.std``.

    Where the variance is 0 (a constant slice) the derivative is 0 to every order, as in
    PyTorch, not the NaN of sqrt'(0)·0.

    Example:
        >>> std(Tensor([1.0, 3.0]))
        Tensor(1.)
    """
    v = var(x, axis=axis, ddof=ddof, keepdims=keepdims)
    if not TRACES and not (v.data == 0).any():  # (a trace takes the general form)
        return sqrt(v)
    zero = mask(lambda a: a == 0, v, elementwise=True)
    one, nought = (Tensor._make(np.asarray(c, v.dtype)) for c in (1.0, 0.0))
    return where(zero, nought, sqrt(where(zero, one, v)))  # the "double where": no inf·0


def square(x):
    """Elementwise x².

    Example:
        >>> square(Tensor(3.0))
        Tensor(9.)
    """
    x = to_tensor(x)
    return multiply(x, x)


def reciprocal(x):
    """Elementwise 1/x.

    Example:
        >>> reciprocal(Tensor(4.0))
        Tensor(0.25)
    """
    return divide(1.0, to_tensor(x))


def logsumexp(x, axis=None, keepdims=False):
    """Log Σ exp(x), computed as m + log Σ exp(x - m) with m = max(x) so it never overflows.

    Example:
        >>> float(logsumexp(Tensor([1000.0, 1000.0])))  # log(2) + 1000
        1000.6931471805599
    """
    x = to_tensor(x)
    shifted, m = _shift_by_max(x, axis, "logsumexp")
    with np.errstate(divide="ignore"):  # a slice of all -inf sums to 0: -inf, as NumPy and torch
        out = add(log(sum(exp(shifted), axis=axis, keepdims=True)), m)
    if keepdims:
        return out
    return squeeze(out, axis=normalize_axis(axis, x.ndim, "logsumexp"))


def _finite_or_zero(a):
    return np.where(np.isfinite(a), a, 0.0).astype(a.dtype, copy=False)


def _shift_by_max(x, axis, name):
    """``(x - m, m)`` with m = max(x) along ``axis`` (kept), a constant for the gradient.

    Any constant shift leaves logsumexp and log_softmax unchanged; the max keeps exp from
    overflowing. A row of all -inf would give (-inf) - (-inf) = nan, so it is shifted by 0.
    """
    normalize_axis(axis, x.ndim, name)  # a bad axis is reported under the caller's name
    m = max(x, axis=axis, keepdims=True).detach()
    if TRACES or not np.all(np.isfinite(m.data)):  # a trace replays on new values
        m = mask(_finite_or_zero, m, elementwise=True)
    return subtract(x, m), m


def log_softmax(x, axis=-1):
    """Log softmax(x) = (x - m) - log Σ exp(x - m), m = max(x): stable for large logits.

    Subtracting m before the log-sum keeps full precision (x - logsumexp(x) loses the low
    digits of log Σ when |m| is large, e.g. logits of 1e4 in float32).

    Example:
        >>> log_softmax(Tensor([0.0, 0.0])).exp()
        Tensor([0.5, 0.5])
    """
    return _log_softmax(to_tensor(x), axis, "log_softmax")


def _log_softmax(x, axis, name):
    shifted, _ = _shift_by_max(x, axis, name)
    return subtract(shifted, log(sum(exp(shifted), axis=axis, keepdims=True)))


def softmax(x, axis=-1):
    """Normalised exponentials exp(x_i)/Σ_j exp(x_j), computed as exp(log_softmax(x)).

    Example:
        >>> softmax(Tensor([0.0, 0.0]))
        Tensor([0.5, 0.5])
    """
    return exp(_log_softmax(to_tensor(x), axis, "softmax"))


def dot(a, b):
    """Dot product of 1-D tensors (Σ aᵢbᵢ), matrix product otherwise (``numpy.dot`` for ≤2-D).

    Example:
        >>> dot(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor(11.)
    """
    a, b = to_tensor(a), to_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return matmul(a, b)


def arccos(x):
    """Elementwise inverse cosine: π/2 - arcsin(x).

    Example:
        >>> arccos(Tensor(1.0))
        Tensor(0.)
    """
    return subtract(np.pi / 2, arcsin(x))


def exp2(x):
    """Elementwise 2ˣ = e^{x·ln 2}.

    Example:
        >>> exp2(Tensor(3.0))
        Tensor(8.)
    """
    return exp(multiply(x, math.log(2.0)))


def log2(x):
    """Elementwise base-2 logarithm log(x)/ln 2.

    Example:
        >>> log2(Tensor(8.0))
        Tensor(3.)
    """
    return divide(log(x), math.log(2.0))


def log10(x):
    """Elementwise base-10 logarithm log(x)/ln 10.

    Example:
        >>> log10(Tensor(100.0))
        Tensor(2.)
    """
    return divide(log(x), math.log(10.0))


def clip(x, a_min=None, a_max=None):
    """Limit values to [a_min, a_max] (either may be None), as ``numpy.clip``.

    At the bounds themselves the gradient goes to ``x`` (PyTorch's ``clamp`` convention);
    below ``a_min`` it goes to ``a_min``, above ``a_max`` to ``a_max``.

    Example:
        >>> clip(Tensor([-2.0, 0.5, 3.0]), 0.0, 1.0)
        Tensor([0. , 0.5, 1. ])
    """
    x = to_tensor(x)
    if a_min is not None:
        x = where(less(x, a_min), *broadcast_pair(a_min, x, "clip"))
    if a_max is not None:
        x = where(greater(x, a_max), *broadcast_pair(a_max, x, "clip"))
    return x


def logaddexp(x, y):
    """log(eˣ + eʸ) = m + log1p(e^{-|x - y|}), m = max(x, y), without overflow.

    Its gradient is (σ(x - y), σ(y - x)); at x = y each side gets 1/2.

    Example:
        >>> round(float(logaddexp(Tensor(0.0), 0.0)), 6)
        0.693147
    """
    x, y = broadcast_pair(x, y, "logaddexp")
    # Shift by the larger operand, a locally constant choice: the value is the same either way.
    first = mask(np.greater_equal, x, y, elementwise=True)
    big, small = where(first, x, y), where(first, y, x)
    return add(big, log1p(exp(subtract(small, big))))


expit = sigmoid


def _nan_ignoring(name, extremum):
    def fn(x, y):
        x, y = broadcast_pair(x, y, name)
        nan_x, nan_y = (mask(np.isnan, t, elementwise=True) for t in (x, y))
        return where(nan_y, x, where(nan_x, y, extremum(x, y)))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {extremum.__name__} that ignores a NaN operand (``numpy.{name}``)."
    return fn


fmax, fmin = _nan_ignoring("fmax", maximum), _nan_ignoring("fmin", minimum)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN → ``nan``, ±inf → ``posinf``/``neginf`` (the dtype's largest magnitude by default).

    Derivative: 1 where x is finite, 0 where a value was replaced.

    Example:
        >>> nan_to_num(Tensor([np.nan, 1.0]))
        Tensor([0., 1.])
    """
    x = to_tensor(x)
    if x.dtype.kind != "f":
        return x
    a, big = x.data, np.finfo(x.dtype).max
    big, small = (big if posinf is None else posinf), (-big if neginf is None else neginf)
    fill = np.where(np.isnan(a), nan, np.where(a > 0, big, small))
    return where(np.isfinite(a), x, Tensor._make(fill.astype(x.dtype)))


def select(condlist, choicelist, default=0):
    """Pick from ``choicelist`` where the first true condition of ``condlist`` holds, else default.

    Example:
        >>> select([Tensor([True, False])], [Tensor([1.0, 2.0])], default=-1.0)
        Tensor([ 1., -1.])
    """
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: {len(condlist)} conditions but {len(choicelist)} choices; they must pair up"
        )
    out = default
    for cond, choice in zip(reversed(condlist), reversed(choicelist), strict=True):
        out = where(cond, choice, out)
    return to_tensor(out)


def _constant(x, values):
    """``values`` in ``x``'s place with a zero derivative: x stays in the graph, unused."""
    return where(np.zeros(x.shape, bool), x, values)


def real(x):
    """Real part: ``x`` itself, as glassgrad's tensors are real. Derivative: 1."""
    return to_tensor(x)


conj = conjugate = real


def imag(x):
    """Imaginary part of a real tensor: zeros. Derivative: 0."""
    x = to_tensor(x)
    return _constant(x, mask(np.imag, x, elementwise=True))


def angle(x):
    """Argument of a real number: 0 for x ≥ +0, π for x ≤ -0 (``numpy.angle``). Derivative: 0."""
    x = to_tensor(x)
    return _constant(x, mask(np.angle, x, elementwise=True))


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, deprecated) along the given axes (``numpy.cross``).

    c = (a₁b₂ - a₂b₁, a₂b₀ - a₀b₂, a₀b₁ - a₁b₀); a 2-vector has a₂ = 0, and two 2-vectors give
    the scalar a₀b₁ - a₁b₀. ``axis`` sets ``axisa``, ``axisb`` and ``axisc`` at once.

    Example:
        >>> cross(Tensor([1.0, 0.0, 0.0]), Tensor([0.0, 1.0, 0.0]))
        Tensor([0., 0., 1.])
    """
    if axis is not None:
        axisa, axisb, axisc = (axis,) * 3
    a, b = to_tensor(a), to_tensor(b)
    if a.ndim < 1 or b.ndim < 1:
        raise ShapeError(f"cross: a and b must be at least 1-D; got shapes {a.shape} and {b.shape}")
    a = moveaxis(a, normalize_axis(axisa, a.ndim, "cross: axisa")[0], -1)
    b = moveaxis(b, normalize_axis(axisb, b.ndim, "cross: axisb")[0], -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ShapeError(
            f"cross: vectors must have 2 or 3 components; got {a.shape[-1]} and {b.shape[-1]}"
        )
    if 2 in (a.shape[-1], b.shape[-1]):
        warnings.warn(
            "cross: arrays of 2-dimensional vectors are deprecated (as in NumPy 2); "
            "use 3-dimensional vectors",
            DeprecationWarning,
            stacklevel=2,
        )
    a0, a1, b0, b1 = a[..., 0], a[..., 1], b[..., 0], b[..., 1]
    last = a0 * b1 - a1 * b0  # the component both cases share, in NumPy's order of operations
    if a.shape[-1] == b.shape[-1] == 2:
        return last
    if a.shape[-1] == 2:
        first, second = a1 * b[..., 2], -(a0 * b[..., 2])
    elif b.shape[-1] == 2:
        first, second = -(a[..., 2] * b1), a[..., 2] * b0
    else:
        first, second = a1 * b[..., 2] - a[..., 2] * b1, a[..., 2] * b0 - a0 * b[..., 2]
    out = stack([first, second, last], axis=-1)
    return moveaxis(out, -1, normalize_axis(axisc, out.ndim, "cross: axisc")[0])


def _spacing(d, n, name):
    """One axis's spacing as NumPy reads it: a scalar, or the steps between 1-D coordinates."""
    if np.ndim(d) == 0:
        return d
    d = np.asarray(d)
    if d.ndim != 1 or len(d) != n:
        raise ShapeError(f"{name}: coordinates must be 1-D of length {n}; got shape {d.shape}")
    steps = np.diff(d.astype(np.float64) if d.dtype.kind in "iu" else d)
    return steps[0] if (steps == steps[0]).all() else steps


def _stencil(f, axis, cut, coeffs):
    """Σ cᵢ·f[cut[i]] along ``axis`` (NumPy's left-to-right sum), coefficients shaped to it."""
    pre = (slice(None),) * axis
    terms = []
    for c, s in zip(coeffs, cut, strict=True):
        c = np.reshape(c, (-1,) + (1,) * (f.ndim - axis - 1)) if np.ndim(c) else c
        terms.append(f[pre + (s,)] * c)
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def _gradient_along(f, axis, dx, edge_order):
    n = f.shape[axis]
    if n < edge_order + 1:
        raise ValueError(
            f"gradient: axis {axis} has {n} samples; edge_order={edge_order} needs at least "
            f"{edge_order + 1}"
        )
    pre = (slice(None),) * axis
    s0, s1, s2 = (slice(i, i + 1) for i in range(3))
    e3, e2, e1 = (slice(n - i, n - i + 1) for i in (3, 2, 1))
    if np.ndim(dx) == 0:
        inner = (f[pre + (slice(2, None),)] - f[pre + (slice(None, -2),)]) / (2.0 * dx)
    else:
        d1, d2 = dx[:-1], dx[1:]
        coeffs = (-d2 / (d1 * (d1 + d2)), (d2 - d1) / (d1 * d2), d1 / (d2 * (d1 + d2)))
        inner = _stencil(f, axis, (slice(None, -2), slice(1, -1), slice(2, None)), coeffs)
    if edge_order == 1:
        first = (f[pre + (s1,)] - f[pre + (s0,)]) / (dx if np.ndim(dx) == 0 else dx[0])
        last = (f[pre + (e1,)] - f[pre + (e2,)]) / (dx if np.ndim(dx) == 0 else dx[-1])
    else:
        if np.ndim(dx) == 0:
            head, tail = (-1.5 / dx, 2.0 / dx, -0.5 / dx), (0.5 / dx, -2.0 / dx, 1.5 / dx)
        else:
            d1, d2 = dx[0], dx[1]
            head = (
                -(2.0 * d1 + d2) / (d1 * (d1 + d2)),
                (d1 + d2) / (d1 * d2),
                -d1 / (d2 * (d1 + d2)),
            )
            d1, d2 = dx[-2], dx[-1]
            tail = (
                d2 / (d1 * (d1 + d2)),
                -(d2 + d1) / (d1 * d2),
                (2.0 * d2 + d1) / (d2 * (d1 + d2)),
            )
        first = _stencil(f, axis, (s0, s1, s2), head)
        last = _stencil(f, axis, (e3, e2, e1), tail)
    return astype(
        concatenate([first, inner, last], axis=axis), f.dtype
    )  # NumPy writes into f.dtype


def gradient(f, *varargs, axis=None, edge_order=1):
    """Derivative estimates of sampled ``f`` along each axis, as ``numpy.gradient``.

    Interior: the second-order central difference (f[i+1] - f[i-1]) / 2h (its non-uniform
    form for coordinate arrays); edges: one-sided differences of order ``edge_order`` (1 or 2).
    ``varargs`` gives the spacing: nothing (1), one scalar for every axis, or one scalar or 1-D
    coordinate array per axis. Linear in ``f``; scalar spacings may be traced too, coordinate
    arrays are constants.

    Example:
        >>> gradient(Tensor([1.0, 2.0, 4.0, 7.0]))
        Tensor([1. , 1.5, 2.5, 3. ])
    """
    f = to_tensor(f)
    if f.dtype.kind not in "fc":
        f = f.astype(np.float64)
    if axis is None:
        axes = tuple(range(f.ndim))
    else:  # in the order given, as NumPy returns them
        axes = tuple(normalize_axis(int(a), f.ndim, "gradient")[0] for a in np.atleast_1d(axis))
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2; got {edge_order!r}")
    if not varargs:
        varargs = (1.0,) * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        varargs = varargs * len(axes)
    elif len(varargs) != len(axes):
        raise TypeError(
            f"gradient: expected no spacing, one scalar or {len(axes)} spacings (one per axis); "
            f"got {len(varargs)}"
        )
    out = tuple(
        _gradient_along(f, ax, _spacing(d, f.shape[ax], "gradient"), edge_order)
        for ax, d in zip(axes, varargs, strict=True)
    )
    return out[0] if len(out) == 1 else out
