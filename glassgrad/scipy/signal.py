"""``glassgrad.scipy.signal``: ``convolve`` (N-dimensional, full/valid/same), differentiable."""

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops import pad, tensordot, to_tensor, transpose

__all__ = ["convolve", "correlate"]


def convolve(in1, in2, mode="full", method="auto", *, axes=None, dot_axes=((), ())):
    """N-dimensional convolution out[k] = sum_j in1[k - j] in2[j] (``scipy.signal.convolve``).

    ``mode``: 'full' (every overlap, n1 + n2 - 1 per axis), 'valid' (full overlaps only,
    |n1 - n2| + 1; one input must be at least as large as the other on every convolved axis)
    or 'same' (``in1``'s size, centred on the full result). ``method`` is accepted for SciPy's
    signature; the result is always the direct sum.

    HIPS autograd's extension is supported too: ``axes=(axes1, axes2)`` pairs the axes to
    convolve (default: all), ``dot_axes`` pairs axes summed over as in ``tensordot``; other
    axes are kept, and the result's axes are in1's kept axes, in2's kept axes, then the
    convolved ones (a convolutional layer is ``convolve(x, w, axes=([2, 3], [2, 3]),
    dot_axes=([1], [0]), mode='valid')``).

    Derivative: bilinear, so d out = conv(d in1, in2) + conv(in1, d in2).

    Example:
        >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
        Tensor([0. , 1. , 2.5, 4. , 1.5])
    """
    in1, in2 = to_tensor(in1), to_tensor(in2)
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same'; got {mode!r}")
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"convolve: method must be 'auto', 'direct' or 'fft'; got {method!r}")
    if axes is None:
        if in1.ndim != in2.ndim:
            raise ShapeError(
                f"convolve: in1 and in2 must have the same number of dimensions; got shapes "
                f"{in1.shape} and {in2.shape}"
            )
        axes = (range(in1.ndim), range(in2.ndim))
    a, b = _grouped(in1, axes[0], dot_axes[0]), _grouped(in2, axes[1], dot_axes[1])
    (ia, ca), (ib, cb) = a[1:], b[1:]
    s1, s2 = np.array(ca, dtype=int), np.array(cb, dtype=int)
    if (
        len(ca) != len(cb)
        or a[0].shape[len(ia) : -len(ca) or None] != b[0].shape[len(ib) : -len(cb) or None]
    ):
        raise ShapeError(
            f"convolve: axes {axes} and dot_axes {dot_axes} do not pair up for shapes "
            f"{in1.shape} and {in2.shape}"
        )
    if mode == "valid" and not (np.all(s1 >= s2) or np.all(s2 >= s1)):
        raise ShapeError(
            f"convolve: mode='valid' needs one input at least as large as the other on every "
            f"convolved axis; got shapes {in1.shape} and {in2.shape}"
        )
    if np.prod(s1) >= np.prod(s2):  # loop over the entries of the smaller kernel
        out = _full(a[0], len(ia), b[0], len(ib), len(cb))
    else:  # in2 ⊛ in1, with the kept axes put back in in1, in2 order
        out = _full(b[0], len(ib), a[0], len(ia), len(ca))
        n_a, n_b = len(ia), len(ib)
        out = transpose(out, [*range(n_b, n_b + n_a), *range(n_b), *range(n_a + n_b, out.ndim)])
    if mode == "full":
        return out
    start = np.minimum(s1, s2) - 1 if mode == "valid" else (s2 - 1) // 2
    size = np.abs(s1 - s2) + 1 if mode == "valid" else s1
    keep = (slice(None),) * (len(ia) + len(ib))
    return out[keep + tuple(slice(int(i), int(i + n)) for i, n in zip(start, size, strict=True))]


def _grouped(x, conv, dot):
    """``x`` with its axes ordered (kept, dot, conv), and the kept and conv shapes."""
    conv = [int(c) % max(x.ndim, 1) for c in conv]
    dot = [int(d) % max(x.ndim, 1) for d in dot]
    kept = [i for i in range(x.ndim) if i not in conv and i not in dot]
    order = kept + dot + conv
    if sorted(order) != list(range(x.ndim)):
        raise ShapeError(f"convolve: axes {conv} and dot_axes {dot} overlap for shape {x.shape}")
    y = x if order == list(range(x.ndim)) else transpose(x, order)
    return y, tuple(x.shape[i] for i in kept), tuple(x.shape[i] for i in conv)


def _full(x, nx, k, nk, nc):
    """Full convolution of grouped x (nx kept axes) and k (nk kept axes), nc conv axes each.

    A sum of shifted windows of the zero-padded x, one per entry j of k's convolved axes,
    each contracted with k[..., j] over the dot axes. Result axes: x kept, k kept, conv.
    """
    ks = np.array(k.shape[k.ndim - nc :], dtype=int)
    xs = np.array(x.shape[x.ndim - nc :], dtype=int)
    padded = pad(x, [(0, 0)] * (x.ndim - nc) + [(int(n - 1), int(n - 1)) for n in ks])
    n_dot, n_out = x.ndim - nx - nc, xs + ks - 1
    lead = (slice(None),) * (x.ndim - nc)
    out = None
    for j in np.ndindex(*ks):
        window = padded[
            lead + tuple(slice(int(s), int(s + n)) for s, n in zip(ks - 1 - j, n_out, strict=True))
        ]
        dots = (list(range(nx, nx + n_dot)), list(range(nk, nk + n_dot)))
        term = tensordot(window, k[(Ellipsis, *j)], axes=dots)  # (x kept, conv, k kept)
        nt = term.ndim
        term = transpose(term, [*range(nx), *range(nx + nc, nt), *range(nx, nx + nc)])
        out = term if out is None else out + term
    return out


def correlate(in1, in2, mode="full", method="auto"):
    """Cross-correlation: convolution with ``in2`` flipped on every axis.

    Example:
        >>> correlate([1.0, 2.0, 3.0], [0.0, 1.0, 0.5], mode="same")
        Tensor([2. , 3.5, 3. ])
    """
    in2 = to_tensor(in2)
    return convolve(in1, in2[(slice(None, None, -1),) * in2.ndim], mode, method)
