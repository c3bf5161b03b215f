"""Contractions: matrix products, einsum and kron, diagonals and triangles.

``matmul`` is the one primitive here; every other function is a composite of it and of the
shape and elementwise ops, so it carries no derivative code of its own.
"""

import builtins
import string

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops.elementwise import add, const_like, multiply
from glassgrad.core.ops.reduce import sum
from glassgrad.core.ops.shape import (
    _lift,
    _transpose,
    broadcast_to,
    getitem,
    index_add,
    normalize_axis,
    reshape,
    sum_to,
    transpose,
)
from glassgrad.core.primitive import BATCHING, Primitive
from glassgrad.core.tensor import Tensor, to_tensor  # noqa: F401 (Tensor: doctests)

__all__ = [
    "matmul",
    "outer",
    "inner",
    "vdot",
    "tensordot",
    "einsum",
    "kron",
    "trace",
    "diagonal",
    "diag",
    "triu",
    "tril",
]


def _mT(x):
    """Swap the last two axes of a Tensor (``.mT``), straight to the transpose primitive."""
    n = x.ndim
    return _transpose(x, axes=(*range(n - 2), n - 1, n - 2))


# ----- matmul -----------------------------------------------------------------------------------
def _matmul_jvp(ta, tb, out, a, b):
    # Product rule: d(AB) = dA·B + A·dB.
    if ta is None:
        return matmul(a, tb)
    return matmul(ta, b) if tb is None else add(matmul(ta, b), matmul(a, tb))


def _matmul_vjp_b(g, out, a, b):
    # A transposed matrix operand (the Wᵀ of a linear layer's x @ Wᵀ) gets its cotangent
    # as (Gᵀ A)ᵀ, laid out like the operand, so W's gradient comes out C-contiguous (as
    # PyTorch's linear backward computes it) and an optimizer reads it in memory order.
    if a.ndim == b.ndim == 2 and b.data.flags.f_contiguous and not b.data.flags.c_contiguous:
        return _mT(matmul(_mT(g), a))
    return sum_to(matmul(_mT(a), g), b.shape)


# For C = A @ B with batch broadcasting: dA = G Bᵀ and dB = Aᵀ G, summed over broadcast batch
# dimensions with sum_to (the rule for broadcasting, stated once).
_matmul = Primitive(
    "matmul",
    np.matmul,
    vjps=(lambda g, out, a, b: sum_to(matmul(g, _mT(b)), a.shape), _matmul_vjp_b),
    jvp=_matmul_jvp,
    sparse_jvp=True,
    # Batched tangents (B, ..., m, k): ones after B line them up with the other batch dims.
    formula="∂L/∂A = G Bᵀ, ∂L/∂B = Aᵀ G",
    saves=(0, 1),
)


def _batch_matmul(ta, tb, out, a, b):
    # A batch (B, ..., n, k) against one matrix (k, m) is a single (B·...·n, k) @ (k, m)
    # product: NumPy would loop over the batch with one small product (a row: gemv) each.
    if tb is None and b.ndim == 2 and ta.shape[1:] == a.shape:
        return reshape(matmul(reshape(ta, (-1, b.shape[0])), b), ta.shape[:1] + out.shape)
    return _matmul_jvp(*(None if t is None else _lift(t, out.ndim) for t in (ta, tb)), out, a, b)


BATCHING[_matmul] = _batch_matmul


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
        raise ShapeError(
            f"matmul: operands must be at least 1-D; got shapes {a.shape} and {b.shape}"
        )
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ShapeError(
            f"matmul: inner dimensions differ: a has shape {a.shape} (last axis {a.shape[-1]}), "
            f"b has shape {b.shape} (contracting axis {b.shape[-2 if b.ndim > 1 else 0]})"
        )
    try:
        if a.ndim > 2 or b.ndim > 2:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(
            f"matmul: batch dimensions do not broadcast: a has shape {a.shape}, "
            f"b has shape {b.shape}"
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


# ----- diagonals and triangles, products (composites) ----------------------------------------
def diagonal(x, offset=0, axis1=0, axis2=1):
    """Diagonal of ``x`` over ``axis1``/``axis2`` (NumPy defaults), appended as the last axis.

    Example:
        >>> diagonal(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([1., 4.])
    """
    x = to_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"diagonal: expected at least 2 dimensions; got shape {x.shape}")
    a1, a2 = (normalize_axis(a, x.ndim, "diagonal")[0] for a in (axis1, axis2))
    if a1 == a2:
        raise ShapeError(f"diagonal: axis1 and axis2 must differ; got {axis1} and {axis2}")
    rest = [i for i in range(x.ndim) if i not in (a1, a2)]
    x = transpose(x, rest + [a1, a2])
    rows, cols = x.shape[-2:]
    start_r, start_c = max(-offset, 0), max(offset, 0)
    size = max(min(rows - start_r, cols - start_c), 0)
    i = np.arange(size)
    return getitem(x, (Ellipsis, i + start_r, i + start_c))


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal, as ``numpy.trace``.

    Example:
        >>> trace(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor(5.)
    """
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def diag(v, k=0):
    """1-D input: a square matrix with ``v`` on the k-th diagonal; 2-D: its k-th diagonal.

    Example:
        >>> diag(Tensor([1.0, 2.0]))
        Tensor([[1., 0.],
                [0., 2.]])
    """
    v = to_tensor(v)
    if v.ndim == 2:
        return diagonal(v, k)
    if v.ndim != 1:
        raise ShapeError(f"diag: expected a 1-D or 2-D input; got shape {v.shape}")
    n = v.shape[0] + abs(k)
    i = np.arange(v.shape[0])
    return index_add(v, (i + max(-k, 0), i + max(k, 0)), (n, n))


def _triangle(x, k, fn, name):
    x = to_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"{name}: expected at least 2 dimensions; got shape {x.shape}")
    return multiply(x, const_like(fn(np.ones(x.shape[-2:]), k), x))


def tril(x, k=0):
    """Lower triangle (entries with column - row ≤ k), others zero.

    Example:
        >>> tril(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([[1., 0.],
                [3., 4.]])
    """
    return _triangle(x, k, np.tril, "tril")


def triu(x, k=0):
    """Upper triangle (entries with column - row ≥ k), others zero.

    Example:
        >>> triu(Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([[1., 2.],
                [0., 4.]])
    """
    return _triangle(x, k, np.triu, "triu")


def outer(a, b):
    """Outer product aᵢ·bⱼ of the flattened inputs.

    Example:
        >>> outer(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor([[3., 4.],
                [6., 8.]])
    """
    a, b = to_tensor(a), to_tensor(b)
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def inner(a, b):
    """Sum over the last axes: Σₖ a[..., k]·b[..., k] (``numpy.inner``).

    Example:
        >>> inner(Tensor([1.0, 2.0]), Tensor([3.0, 4.0]))
        Tensor(11.)
    """
    a, b = to_tensor(a), to_tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        return multiply(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(a, b):
    """Dot product of the flattened inputs.

    Example:
        >>> vdot(Tensor([[1.0, 2.0]]), Tensor([3.0, 4.0]))
        Tensor(11.)
    """
    a, b = to_tensor(a), to_tensor(b)
    if a.size != b.size:
        raise ShapeError(
            f"vdot: inputs have {a.size} and {b.size} elements (shapes {a.shape} and {b.shape})"
        )
    return sum(multiply(reshape(a, (-1,)), reshape(b, (-1,))))


def tensordot(a, b, axes=2):
    """Sum of products over ``axes`` (int n: last n of a with first n of b), as NumPy.

    Example:
        >>> tensordot(Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([[1.0, 0.0], [0.0, 1.0]]))
        Tensor(5.)
    """
    a, b = to_tensor(a), to_tensor(b)
    if isinstance(axes, (int, np.integer)):
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, (int, np.integer)) else list(x) for x in axes)
    ax_a = [normalize_axis(i, a.ndim, "tensordot")[0] for i in ax_a]
    ax_b = [normalize_axis(i, b.ndim, "tensordot")[0] for i in ax_b]
    if [a.shape[i] for i in ax_a] != [b.shape[i] for i in ax_b]:
        raise ShapeError(
            f"tensordot: summed axes differ in size: a has shape {a.shape} "
            f"(axes {ax_a}), b has shape {b.shape} (axes {ax_b})"
        )
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = int(np.prod([a.shape[i] for i in ax_a]))
    am = reshape(transpose(a, free_a + ax_a), (-1, k))
    bm = reshape(transpose(b, ax_b + free_b), (k, -1))
    return reshape(matmul(am, bm), [a.shape[i] for i in free_a] + [b.shape[i] for i in free_b])


def _einsum_terms(subscripts, operands):
    """Split ``'ij,jk->ik'`` into input terms and the output term, expanding '...'."""
    spec = subscripts.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    terms = ins.split(",")
    if len(terms) != len(operands):
        raise ValueError(
            f"einsum: {len(terms)} terms in {subscripts!r} for {len(operands)} operands"
        )
    spare = [c for c in string.ascii_uppercase if c not in spec]
    extra = [op.ndim - len(t.replace("...", "")) for t, op in zip(terms, operands, strict=True)]
    width = max(extra + [0])
    ell = "".join(spare[:width])
    terms = [
        t.replace("...", ell[width - (op.ndim - len(t.replace("...", ""))) :])
        for t, op in zip(terms, operands, strict=False)
    ]
    if not arrow:
        letters = "".join(terms)
        out = ell + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell)
        )
    return terms, out.replace("...", ell)


def einsum(subscripts, *operands):
    """Einstein summation (``numpy.einsum`` with explicit or implicit output, and '...').

    Composite: each operand's repeated letters become a diagonal, the operands are aligned
    by broadcasting, multiplied, and the letters missing from the output are summed.

    Example:
        >>> einsum("ij,jk->ik", Tensor([[1.0, 2.0]]), Tensor([[3.0], [4.0]]))
        Tensor([[11.]])
    """
    ops = [to_tensor(o) for o in operands]
    terms, out = _einsum_terms(subscripts, ops)
    pairs = [_einsum_operand(t, x) for t, x in zip(terms, ops, strict=True)]
    sizes = {}
    for t, x in pairs:
        for c, s in zip(t, x.shape, strict=True):
            if sizes.setdefault(c, s) != s and 1 not in (s, sizes[c]):
                raise ShapeError(f"einsum: letter {c!r} has sizes {sizes[c]} and {s}")
            sizes[c] = builtins.max(sizes[c], s)
    if len(pairs) == 2 and all(x.shape == tuple(sizes[c] for c in t) for t, x in pairs):
        return _einsum_pair(*pairs[0], *pairs[1], out, sizes)
    letters = list(out) + sorted(set(sizes) - set(out))
    prod = None
    for t, x in pairs:
        own = dict(zip(t, x.shape, strict=True))
        x = transpose(x, [t.index(c) for c in letters if c in t])
        x = reshape(x, [own.get(c, 1) for c in letters])
        prod = x if prod is None else multiply(prod, x)
    prod = broadcast_to(prod, [sizes[c] for c in letters])
    return sum(prod, axis=tuple(range(len(out), len(letters))))


def _einsum_operand(t, x):
    """Check one operand against its term; repeated letters become a diagonal."""
    if len(t) != x.ndim:
        raise ShapeError(
            f"einsum: term {t!r} has {len(t)} letters but its operand has shape {x.shape}"
        )
    while len(set(t)) < len(t):
        c = next(c for c in t if t.count(c) > 1)
        i, j = t.index(c), t.index(c, t.index(c) + 1)
        x = diagonal(x, 0, i, j)
        t = t[:i] + t[i + 1 : j] + t[j + 1 :] + c
    return t, x


def _einsum_pair(ta, a, tb, b, out, sizes):
    """Two operands as one batched matmul: (batch, free a, summed) @ (batch, summed, free b)."""
    a, ta = _sum_letters(a, ta, tb + out)
    b, tb = _sum_letters(b, tb, ta + out)
    batch = [c for c in out if c in ta and c in tb]
    summed = [c for c in ta if c in tb and c not in out]
    fa, fb = [c for c in ta if c not in tb], [c for c in tb if c not in ta]

    def block(x, t, groups):
        x = transpose(x, [t.index(c) for g in groups for c in g])
        return reshape(
            x,
            [sizes[c] for c in groups[0]]
            + [int(np.prod([sizes[c] for c in g])) for g in groups[1:]],
        )

    r = matmul(block(a, ta, [batch, fa, summed]), block(b, tb, [batch, summed, fb]))
    r = reshape(r, [sizes[c] for c in batch + fa + fb])
    have = batch + fa + fb
    return transpose(r, [have.index(c) for c in out])


def _sum_letters(x, t, keep):
    """Sum out the letters of ``t`` that appear nowhere in ``keep``."""
    gone = [i for i, c in enumerate(t) if c not in keep]
    if not gone:
        return x, t
    return sum(x, axis=tuple(gone)), "".join(c for c in t if c in keep)


def kron(a, b):
    """Kronecker product: blocks a[i, j]·b, as ``numpy.kron``.

    Example:
        >>> kron(Tensor([1.0, 2.0]), Tensor([1.0, 10.0]))
        Tensor([ 1., 10.,  2., 20.])
    """
    a, b = to_tensor(a), to_tensor(b)
    nd = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + a.shape)
    b = reshape(b, (1,) * (nd - b.ndim) + b.shape)
    # Interleave the axes: a's axis i pairs with b's axis i, a's index the slower one.
    prod = multiply(
        reshape(a, [s for d in a.shape for s in (d, 1)]),
        reshape(b, [s for d in b.shape for s in (1, d)]),
    )
    return reshape(prod, [x * y for x, y in zip(a.shape, b.shape, strict=False)])
