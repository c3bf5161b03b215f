"""``glassgrad.scipy.signal``: ``convolve`` (N-dimensional, full/valid/same), differentiable."""

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops import pad, to_tensor

__all__ = ["convolve", "correlate"]


def convolve(in1, in2, mode="full", method="auto"):
    """N-dimensional convolution out[k] = sum_j in1[k - j] in2[j] (``scipy.signal.convolve``).

    ``mode``: 'full' (every overlap, shape n1 + n2 - 1), 'valid' (full overlaps only, shape
    |n1 - n2| + 1; one input must be at least as large as the other on every axis) or 'same'
    (shape of ``in1``, centred on the full result). ``method`` is accepted for SciPy's
    signature; the result is always the direct sum.

    Derivative: bilinear, so d out = conv(d in1, in2) + conv(in1, d in2).

    Example:
        >>> convolve([1.0, 2.0, 3.0], [0.0, 1.0, 0.5])
        Tensor([0. , 1. , 2.5, 4. , 1.5])
    """
    in1, in2 = to_tensor(in1), to_tensor(in2)
    if in1.ndim != in2.ndim:
        raise ShapeError(
            f"convolve: in1 and in2 must have the same number of dimensions; got shapes "
            f"{in1.shape} and {in2.shape}"
        )
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"convolve: mode must be 'full', 'valid' or 'same'; got {mode!r}")
    if method not in ("auto", "direct", "fft"):
        raise ValueError(f"convolve: method must be 'auto', 'direct' or 'fft'; got {method!r}")
    s1, s2 = np.array(in1.shape, dtype=int), np.array(in2.shape, dtype=int)
    if mode == "valid" and not (np.all(s1 >= s2) or np.all(s2 >= s1)):
        raise ShapeError(
            f"convolve: mode='valid' needs one input at least as large as the other on every "
            f"axis; got shapes {in1.shape} and {in2.shape}"
        )
    big, small = (in1, in2) if in1.size >= in2.size else (in2, in1)  # loop over the smaller
    out = _full(big, small)
    if mode == "full":
        return out
    start = np.minimum(s1, s2) - 1 if mode == "valid" else (s2 - 1) // 2
    size = np.abs(s1 - s2) + 1 if mode == "valid" else s1
    return out[tuple(slice(int(a), int(a + n)) for a, n in zip(start, size, strict=True))]


def _full(x, k):
    """Full convolution as a sum of shifted copies of the zero-padded ``x``, one per k[j]."""
    ks = np.array(k.shape, dtype=int)
    padded = pad(x, [(int(n - 1), int(n - 1)) for n in ks])
    n_out = np.array(x.shape, dtype=int) + ks - 1
    out = None
    for j in np.ndindex(*k.shape):
        window = tuple(slice(int(a), int(a + n)) for a, n in zip(ks - 1 - j, n_out, strict=True))
        term = k[j] * padded[window]
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
