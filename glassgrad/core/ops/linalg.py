"""Matrix primitives. Rules cite their source; the structurally special ones state two rules."""

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.elementwise import add, to_tensor
from glassgrad.core.ops.shape import reshape, sum_to, swapaxes
from glassgrad.core.primitive import Primitive

__all__ = ["matmul"]


def _mT(x):
    return swapaxes(x, -1, -2)


def _matmul_jvp(ta, tb, out, a, b):
    # Product rule: d(AB) = dA·B + A·dB.
    if ta is None:
        return matmul(a, tb)
    return matmul(ta, b) if tb is None else add(matmul(ta, b), matmul(a, tb))


# For C = A @ B with batch broadcasting: dA = G Bᵀ and dB = Aᵀ G, summed over broadcast batch
# dimensions with sum_to (the rule for broadcasting, stated once).
_matmul = Primitive(
    "matmul",
    np.matmul,
    vjps=(lambda g, out, a, b: sum_to(matmul(g, _mT(b)), a.shape),
          lambda g, out, a, b: sum_to(matmul(_mT(a), g), b.shape)),
    jvp=_matmul_jvp,
    sparse_jvp=True,
)


def matmul(a, b):
    """Matrix product ``a @ b`` with NumPy's rules for 1-D operands and batch broadcasting.

    Derivative: for C = AB, dL/dA = G·Bᵀ and dL/dB = Aᵀ·G.

    Example:
        >>> matmul(Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[5.0, 6.0], [7.0, 8.0]]))
        Tensor([[19., 22.],
                [43., 50.]])
    """
    a, b = to_tensor(a), to_tensor(b, a)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"matmul: operands must be at least 1-D; got shapes {a.shape} and {b.shape}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ShapeError(
            f"matmul: inner dimensions differ: a has shape {a.shape} (last axis {a.shape[-1]}), "
            f"b has shape {b.shape} (contracting axis {b.shape[-2 if b.ndim > 1 else 0]})"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"matmul: batch dimensions do not broadcast: a has shape {a.shape}, b has shape {b.shape}"
        ) from None
    # 1-D operands become matrices so the rules above only ever see matrices.
    if a.ndim == 1 and b.ndim == 1:
        return reshape(_matmul(reshape(a, (1, -1)), reshape(b, (-1, 1))), ())
    if a.ndim == 1:
        out = _matmul(reshape(a, (1, -1)), b)
        return reshape(out, out.shape[:-2] + out.shape[-1:])
    if b.ndim == 1:
        return reshape(_matmul(a, reshape(b, (-1, 1))), a.shape[:-1])
    return _matmul(a, b)
