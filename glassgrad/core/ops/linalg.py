"""Matrix primitives and composites. Rules cite their source and state degenerate cases.

Decompositions with several outputs (eigh, svd, qr) are one primitive whose NumPy forward
packs the outputs along the last axis; the public function unpacks them with ``getitem``, so
each output's cotangent arrives at the one rule (see ``_multi``). Symmetric inputs (eigh,
eigvalsh, cholesky) are read as symmetric: tangents are symmetrised and cotangents are
returned symmetric, as in PyTorch.

Repeated eigenvalues (eigh) or singular values (svd) make the eigenvector/singular-vector
derivative undefined: the factor 1/(λⱼ - λᵢ) is infinite. glassgrad then warns
(``RuntimeWarning``) and the gradient contains inf/NaN, never a finite wrong number. When the
loss does not depend on the rotation inside a degenerate eigenspace (eigenvalues only, or a
zero cotangent on those pairs) the factor is not needed and the gradient stays finite.
"""

import builtins
import string
import warnings

import numpy as np

from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.core.ops.elementwise import (
    add,
    const_like,
    divide,
    multiply,
    negative,
    subtract,
    where,
)
from glassgrad.core.ops.reduce import sum
from glassgrad.core.ops.shape import (
    _lift,
    _transpose,
    broadcast_to,
    concatenate,
    expand_dims,
    getitem,
    index_add,
    normalize_axis,
    reshape,
    sum_to,
    transpose,
)
from glassgrad.core.primitive import REGISTRY, Primitive
from glassgrad.core.tensor import Tensor, to_tensor

__all__ = [
    "matmul",
    "inv",
    "solve",
    "det",
    "slogdet",
    "cholesky",
    "qr",
    "eigh",
    "eigvalsh",
    "svd",
    "svdvals",
    "pinv",
    "matrix_power",
    "trace",
    "diagonal",
    "diag",
    "triu",
    "tril",
    "outer",
    "inner",
    "vdot",
    "tensordot",
    "einsum",
    "kron",
]


def _mT(x):
    """Swap the last two axes of a Tensor (``.mT``), straight to the transpose primitive."""
    n = x.ndim
    return _transpose(x, axes=(*range(n - 2), n - 1, n - 2))


def _eye(n, ref):
    return const_like(np.eye(n), ref)


def _sym(x):
    return multiply(add(x, _mT(x)), 0.5)


def _diag_part(x):
    """Diagonal of the last two axes, shape (..., n); a composite (a masked sum)."""
    return sum(multiply(x, _eye(x.shape[-1], x)), axis=-1)


def _diag_embed(v):
    """Matrices with ``v`` (..., n) on the diagonal."""
    return multiply(expand_dims(v, -2), _eye(v.shape[-1], v))


def _matrix(x, name, square=False):
    """Check that ``x`` is a (stack of) real matrices; integers become float64."""
    x = to_tensor(x)
    if x.dtype.kind not in "fiub":
        raise DTypeError(f"{name}: expected a real floating matrix; got dtype {x.dtype}")
    if x.ndim < 2:
        raise ShapeError(f"{name}: expected a matrix of shape (..., m, n); got shape {x.shape}")
    if square and x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"{name}: expected square matrices (..., n, n); got shape {x.shape}")
    return x if x.dtype.kind == "f" else Tensor._make(x.data.astype(np.float64))


def _guard(name, fn):
    """Run a NumPy decomposition, restating LinAlgError with the op's name."""

    def run(*arrays, **params):
        try:
            return fn(*arrays, **params)
        except np.linalg.LinAlgError as e:
            raise np.linalg.LinAlgError(f"{name}: {e} (input shape {arrays[0].shape})") from None

    return run


# ----- matmul -----------------------------------------------------------------------------------
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
    vjps=(
        lambda g, out, a, b: sum_to(matmul(g, _mT(b)), a.shape),
        lambda g, out, a, b: sum_to(matmul(_mT(a), g), b.shape),
    ),
    jvp=_matmul_jvp,
    sparse_jvp=True,
    # Batched tangents (B, ..., m, k): ones after B line them up with the other batch dims.
    batched_jvp=lambda ta, tb, out, a, b: _matmul_jvp(
        *(None if t is None else _lift(t, out.ndim) for t in (ta, tb)), out, a, b
    ),
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


# ----- inverse, solve, determinants -------------------------------------------------------------
# Y = A⁻¹: dY = -Y dA Y, so Ā = -Yᵀ G Yᵀ (differentiate A·A⁻¹ = I).
_inv = Primitive(
    "inv",
    _guard("inv", np.linalg.inv),
    vjp=lambda g, out, a: (negative(matmul(_mT(out), matmul(g, _mT(out)))),),
    jvp=lambda t, out, a: negative(matmul(out, matmul(t, out))),
)


def inv(x):
    """Matrix inverse A⁻¹ of (a stack of) square matrices.

    Derivative: d(A⁻¹) = -A⁻¹·dA·A⁻¹. A singular matrix raises ``LinAlgError``.

    Example:
        >>> inv(Tensor([[2.0, 0.0], [0.0, 4.0]]))
        Tensor([[0.5 , 0.  ],
                [0.  , 0.25]])
    """
    return _inv(_matrix(x, "inv", square=True))


def _solve_jvp(ta, tb, out, a, b, solver=None):
    # X = A⁻¹B: A dX = dB - dA X. Batched tangents need the public solve, which broadcasts A.
    rhs = (
        tb
        if ta is None
        else (negative(matmul(ta, out)) if tb is None else subtract(tb, matmul(ta, out)))
    )
    return (solver or _solve)(a, rhs)


# Reverse (Giles 2008): B̄ = A⁻ᵀ G, Ā = -B̄ Xᵀ.
_solve = Primitive(
    "solve",
    _guard("solve", np.linalg.solve),
    vjps=(
        lambda g, out, a, b: negative(matmul(_solve(_mT(a), g), _mT(out))),
        lambda g, out, a, b: _solve(_mT(a), g),
    ),
    jvp=_solve_jvp,
    sparse_jvp=True,
    batched_jvp=lambda ta, tb, out, a, b: _solve_jvp(ta, tb, out, a, b, solver=solve),
)


def solve(a, b):
    """Solve A·X = B for X. ``b`` of shape (..., n) is a vector, (..., n, k) a matrix.

    Derivative: B̄ = A⁻ᵀ·G, Ā = -B̄·Xᵀ.

    Example:
        >>> solve(Tensor([[2.0, 0.0], [0.0, 4.0]]), Tensor([2.0, 2.0]))
        Tensor([1. , 0.5])
    """
    a = _matrix(a, "solve", square=True)
    b = to_tensor(b, a)
    vector = b.ndim == 1
    bm = reshape(b, b.shape + (1,)) if vector else b
    if bm.ndim < 2 or bm.shape[-2] != a.shape[-1]:
        raise ShapeError(
            f"solve: a has shape {a.shape} but b has shape {b.shape}; "
            f"expected b of shape ({a.shape[-1]},) or (..., {a.shape[-1]}, k)"
        )
    batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    a = broadcast_to(a, batch + a.shape[-2:])
    bm = broadcast_to(bm, batch + bm.shape[-2:])
    x = _solve(a, bm)
    return reshape(x, x.shape[:-1]) if vector else x


def _inv_t(a):
    return _mT(inv(a))


# d det(A) = det(A)·tr(A⁻¹ dA) (Jacobi's formula), so Ā = g·det(A)·A⁻ᵀ.
_det = Primitive(
    "det",
    np.linalg.det,
    vjp=lambda g, out, a: (multiply(expand_dims(multiply(g, out), (-1, -2)), _inv_t(a)),),
    jvp=lambda t, out, a: multiply(out, sum(multiply(_inv_t(a), t), axis=(-1, -2))),
)
# d log|det A| = tr(A⁻¹ dA), so Ā = g·A⁻ᵀ.
_logabsdet = Primitive(
    "logabsdet",
    lambda a: np.linalg.slogdet(a)[1],
    vjp=lambda g, out, a: (multiply(expand_dims(g, (-1, -2)), _inv_t(a)),),
    jvp=lambda t, out, a: sum(multiply(_inv_t(a), t), axis=(-1, -2)),
)


def det(x):
    """Determinant of (a stack of) square matrices.

    Derivative: d det A = det A·tr(A⁻¹ dA) (Jacobi); the gradient at a singular A raises.

    Example:
        >>> det(Tensor([[1.0, 2.0], [3.0, 4.0]])).item()
        -2.0000000000000004
    """
    return _det(_matrix(x, "det", square=True))


def slogdet(x):
    """Sign and log|det| of square matrices, as ``numpy.linalg.slogdet``: ``(sign, logabsdet)``.

    Derivative: d log|det A| = tr(A⁻¹ dA); the sign has no gradient.

    Example:
        >>> sign, logabs = slogdet(Tensor([[-2.0, 0.0], [0.0, 1.0]]))
        >>> float(sign), round(float(logabs), 6)
        (-1.0, 0.693147)
    """
    x = _matrix(x, "slogdet", square=True)
    return Tensor._make(np.sign(np.linalg.det(x.data))), _logabsdet(x)


# ----- Cholesky ------------------------------------------------------------------------------
def _phi(x):
    """Φ(X): strictly lower triangle plus half the diagonal."""
    n = x.shape[-1]
    return multiply(x, const_like(np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n), x))


# A = LLᵀ (Murray 2016, "Differentiation of the Cholesky decomposition"):
# dL = L·Φ(L⁻¹ dA L⁻ᵀ) and Ā = sym(L⁻ᵀ Φ(Lᵀ L̄) L⁻¹), with dA symmetrised.
_cholesky = Primitive(
    "cholesky",
    _guard("cholesky", np.linalg.cholesky),
    vjp=lambda g, out, a: (_sym(matmul(_inv_t(out), matmul(_phi(matmul(_mT(out), g)), inv(out)))),),
    jvp=lambda t, out, a: matmul(out, _phi(matmul(inv(out), matmul(_sym(t), _inv_t(out))))),
)


def cholesky(x):
    """Lower-triangular L with A = L·Lᵀ for symmetric positive-definite A.

    Derivative: dL = L·Φ(L⁻¹·dA·L⁻ᵀ), Φ = strict lower triangle + half the diagonal.

    Example:
        >>> cholesky(Tensor([[4.0, 2.0], [2.0, 2.0]]))
        Tensor([[2., 0.],
                [1., 1.]])
    """
    return _cholesky(_matrix(x, "cholesky", square=True))


# ----- multi-output decompositions ----------------------------------------------------------
def _multi(name, fn, cores, vjp, jvp):
    """A primitive whose forward ``fn`` returns several arrays, packed along the last axis.

    ``cores(shape)`` gives the trailing shape of each output for an input of ``shape``; the
    rules ``vjp(gs, outs, x)`` and ``jvp(t, outs, x)`` see the unpacked outputs.
    """

    def unpack(p, shape):
        parts, start = [], 0
        for core in cores(shape):
            size = int(np.prod(core))
            part = getitem(p, (Ellipsis, slice(start, start + size)))
            parts.append(reshape(part, p.shape[:-1] + core))
            start += size
        return parts

    def forward(x):
        outs = fn(x)
        return np.concatenate([o.reshape(x.shape[:-2] + (-1,)) for o in outs], axis=-1)

    def rule_vjp(g, out, x):
        return (vjp(unpack(g, x.shape), unpack(out, x.shape), x),)

    def rule_jvp(t, out, x):  # t may carry a leading batch axis (see the end of the module)
        parts = jvp(t, unpack(out, x.shape), x)
        return concatenate([reshape(p, t.shape[:-2] + (-1,)) for p in parts], axis=-1)

    prim = Primitive(name, _guard(name, forward), vjp=rule_vjp, jvp=rule_jvp)
    return lambda x: unpack(prim(x), x.shape)


def _gap_inverse(name, d, m):
    """F = 1/d off the diagonal, for the rules' eigen-gap factor, multiplied into ``m``.

    Where d = 0 off the diagonal (a repeated eigen/singular value) the factor is 0 if ``m`` is
    0 there (the loss ignores that rotation) and +inf otherwise, with a warning.
    """
    n = d.shape[-1]
    off = ~np.eye(n, dtype=bool)
    ok = off & (d.data != 0)
    if ok.sum() == off.sum() * (d.size // max(n * n, 1)):
        return multiply(where(off, divide(1.0, where(off, d, 1.0)), 0.0), m)
    bad = off & (d.data == 0) & (m.data != 0)
    if bad.any():
        warnings.warn(
            f"{name}: repeated eigen/singular values; the derivative of the vectors "
            "is undefined and the gradient contains inf/NaN",
            RuntimeWarning,
            stacklevel=4,
        )
    fill = const_like(np.where(bad, np.inf, 0.0), d)
    return multiply(where(ok, divide(1.0, where(ok, d, 1.0)), fill), m)


def _gaps(w):
    """E_ij = w_j - w_i for w of shape (..., n)."""
    return subtract(expand_dims(w, -2), expand_dims(w, -1))


def _eigh_vjp(gs, outs, a):
    # Ā = V (diag(w̄) + F∘(VᵀV̄)) Vᵀ, F_ij = 1/(λⱼ - λᵢ) (Giles 2008; Seeger et al. 2015).
    (gw, gv), (w, v) = gs, outs
    inner = add(_diag_embed(gw), _gap_inverse("eigh", _gaps(w), matmul(_mT(v), gv)))
    return _sym(matmul(v, matmul(inner, _mT(v))))


def _eigh_jvp(t, outs, a):
    # P = Vᵀ dA V: dλ = diag(P), dV = V (F∘P).
    w, v = outs
    p = matmul(_mT(v), matmul(_sym(t), v))
    return [_diag_part(p), matmul(v, _gap_inverse("eigh", _gaps(w), p))]


_eigh = _multi(
    "eigh", lambda a: np.linalg.eigh(a), lambda s: [s[-1:], s[-2:]], _eigh_vjp, _eigh_jvp
)


def eigh(x):
    """Eigen-decomposition of symmetric matrices: ``(w, V)`` with A = V·diag(w)·Vᵀ, w ascending.

    Derivative: dλ = diag(Vᵀ dA V); dV = V(F∘(Vᵀ dA V)), F_ij = 1/(λⱼ - λᵢ). Repeated
    eigenvalues: see the module note (warning, inf/NaN in the eigenvector gradient).

    Example:
        >>> w, v = eigh(Tensor([[2.0, 0.0], [0.0, 1.0]]))
        >>> w
        Tensor([1., 2.])
    """
    return tuple(_eigh(_matrix(x, "eigh", square=True)))


# dλ = diag(Vᵀ dA V), so Ā = V diag(w̄) Vᵀ; V comes from the differentiable eigh.
def _eigvalsh_vjp(g, out, a):
    v = eigh(a)[1]
    return (_sym(matmul(multiply(v, expand_dims(g, -2)), _mT(v))),)


def _eigvalsh_jvp(t, out, a):
    v = eigh(a)[1]
    return _diag_part(matmul(_mT(v), matmul(_sym(t), v)))


_eigvalsh = Primitive(
    "eigvalsh", _guard("eigvalsh", np.linalg.eigvalsh), vjp=_eigvalsh_vjp, jvp=_eigvalsh_jvp
)


def eigvalsh(x):
    """Eigenvalues of symmetric matrices, ascending.

    Derivative: dλᵢ = vᵢᵀ·dA·vᵢ, finite even for repeated eigenvalues.

    Example:
        >>> eigvalsh(Tensor([[2.0, 1.0], [1.0, 2.0]]))
        Tensor([1., 3.])
    """
    return _eigvalsh(_matrix(x, "eigvalsh", square=True))


def _svd_parts(a):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u, s, vh


def _svd_cores(shape):
    m, n = shape[-2:]
    k = min(m, n)
    return [(m, k), (k,), (k, n)]


def _svd_vjp(gs, outs, a):
    # Townsend 2016, "Differentiating the singular value decomposition", real case:
    # Ā = U[F∘(UᵀŪ - ŪᵀU)S + diag(S̄) + S F∘(VᵀV̄ - V̄ᵀV)]Vᵀ
    #     + (I - UUᵀ)ŪS⁻¹Vᵀ + US⁻¹V̄ᵀ(I - VVᵀ),  F_ij = 1/(sⱼ² - sᵢ²).
    (gu, gs_, gvh), (u, s, vh) = gs, outs
    v, gv = _mT(vh), _mT(gvh)
    d = _gaps(multiply(s, s))
    uu, vv = matmul(_mT(u), gu), matmul(_mT(v), gv)
    j = multiply(_gap_inverse("svd", d, subtract(uu, _mT(uu))), expand_dims(s, -2))
    k = multiply(expand_dims(s, -1), _gap_inverse("svd", d, subtract(vv, _mT(vv))))
    core = matmul(u, matmul(add(add(j, k), _diag_embed(gs_)), vh))
    sinv = divide(1.0, s)
    left = matmul(subtract(gu, matmul(u, uu)), multiply(expand_dims(sinv, -1), vh))
    right = matmul(multiply(u, expand_dims(sinv, -2)), subtract(_mT(gv), matmul(_mT(vv), _mT(v))))
    return add(core, add(left, right))


def _svd_jvp(t, outs, a):
    # dP = UᵀdA V: dS = diag(dP), dU = U F∘(dP S + S dPᵀ) + (I - UUᵀ)dA V S⁻¹,
    # dV = V F∘(S dP + dPᵀ S) + (I - VVᵀ)dAᵀ U S⁻¹ (Townsend 2016).
    u, s, vh = outs
    v = _mT(vh)
    d = _gaps(multiply(s, s))
    dp = matmul(_mT(u), matmul(t, v))
    s_row, s_col = expand_dims(s, -2), expand_dims(s, -1)
    sinv = expand_dims(divide(1.0, s), -2)
    tv, tu = matmul(t, v), matmul(_mT(t), u)
    du = add(
        matmul(u, _gap_inverse("svd", d, add(multiply(dp, s_row), multiply(s_col, _mT(dp))))),
        multiply(subtract(tv, matmul(u, matmul(_mT(u), tv))), sinv),
    )
    dv = add(
        matmul(v, _gap_inverse("svd", d, add(multiply(s_col, dp), multiply(_mT(dp), s_row)))),
        multiply(subtract(tu, matmul(v, matmul(_mT(v), tu))), sinv),
    )
    return [du, _diag_part(dp), _mT(dv)]


_svd = _multi("svd", _svd_parts, _svd_cores, _svd_vjp, _svd_jvp)


def svd(x, full_matrices=False):
    """Reduced singular value decomposition ``(U, S, Vh)`` with A = U·diag(S)·Vh.

    Shapes: (..., m, n) → (..., m, k), (..., k), (..., k, n), k = min(m, n).

    Derivative: Townsend (2016); needs distinct, non-zero singular values for U and Vh
    (repeated ones: warning and inf/NaN, see the module note).

    Example:
        >>> u, s, vh = svd(Tensor([[3.0, 0.0], [0.0, -2.0]]))
        >>> s
        Tensor([3., 2.])
    """
    if full_matrices:
        raise ValueError(
            "svd: only the reduced SVD (full_matrices=False) is differentiable; "
            "got full_matrices=True"
        )
    return tuple(_svd(_matrix(x, "svd")))


def _svdvals_vjp(g, out, a):
    u, _, vh = svd(a)
    return (matmul(multiply(u, expand_dims(g, -2)), vh),)


def _svdvals_jvp(t, out, a):
    u, _, vh = svd(a)
    return _diag_part(matmul(_mT(u), matmul(t, _mT(vh))))


_svdvals = Primitive(
    "svdvals",
    _guard("svdvals", lambda a: np.linalg.svd(a, compute_uv=False)),
    vjp=_svdvals_vjp,
    jvp=_svdvals_jvp,
)


def svdvals(x):
    """Singular values, descending, shape (..., min(m, n)).

    Derivative: dsᵢ = uᵢᵀ·dA·vᵢ, finite for repeated (non-zero) singular values.

    Example:
        >>> svdvals(Tensor([[3.0, 0.0], [0.0, -2.0]]))
        Tensor([3., 2.])
    """
    return _svdvals(_matrix(x, "svdvals"))


def _copyltu(m):
    # Lower triangle mirrored to the upper one: tril(M) + tril(M, -1)ᵀ.
    return add(tril(m), _mT(tril(m, -1)))


def _qr_vjp(gs, outs, a):
    # A = QR, m >= n (Liao et al. 2019; Walter & Lehmann 2018):
    # M = R R̄ᵀ - Q̄ᵀ Q, Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ.
    (gq, gr), (q, r) = gs, outs
    m = subtract(matmul(r, _mT(gr)), matmul(_mT(gq), q))
    return matmul(add(gq, matmul(q, _copyltu(m))), _inv_t(r))


def _qr_jvp(t, outs, a):
    # C = Qᵀ dA R⁻¹, X = tril(C, -1) - tril(C, -1)ᵀ (= Qᵀ dQ, skew): dR = (C - X)R,
    # dQ = dA R⁻¹ - Q(C - X).
    q, r = outs
    t_rinv = matmul(t, inv(r))
    c = matmul(_mT(q), t_rinv)
    low = tril(c, -1)
    upper = subtract(c, subtract(low, _mT(low)))
    return [subtract(t_rinv, matmul(q, upper)), matmul(upper, r)]


_qr = _multi("qr", lambda a: np.linalg.qr(a), lambda s: [s[-2:], (s[-1], s[-1])], _qr_vjp, _qr_jvp)


def qr(x):
    """Reduced QR decomposition ``(Q, R)`` of (..., m, n) matrices with m ≥ n.

    Derivative: dR = (C - X)·R, dQ = dA·R⁻¹ - Q·(C - X), C = Qᵀ·dA·R⁻¹,
    X = tril(C, -1) - tril(C, -1)ᵀ (needs full column rank).

    Example:
        >>> q, r = qr(Tensor([[3.0, 0.0], [4.0, 5.0]]))
        >>> abs(r.data[0, 0])
        np.float64(5.0)
    """
    x = _matrix(x, "qr")
    if x.shape[-2] < x.shape[-1]:
        raise ShapeError(f"qr: expected m >= n for a shape (..., m, n) input; got shape {x.shape}")
    return tuple(_qr(x))


# ----- pseudo-inverse -----------------------------------------------------------------------
def _pinv_jvp(t, out, a, rcond):
    # Golub & Pereyra 1973 (constant rank): dA⁺ = -A⁺dAA⁺ + A⁺A⁺ᵀdAᵀ(I - AA⁺)
    # + (I - A⁺A)dAᵀA⁺ᵀA⁺.
    p, pt, tt = out, _mT(out), _mT(t)
    left = subtract(_eye(a.shape[-2], a), matmul(a, p))
    right = subtract(_eye(a.shape[-1], a), matmul(p, a))
    return add(
        negative(matmul(p, matmul(t, p))),
        add(matmul(matmul(p, pt), matmul(tt, left)), matmul(right, matmul(tt, matmul(pt, p)))),
    )


def _pinv_vjp(g, out, a, rcond):
    # The transpose of the JVP: Ā = -PᵀGPᵀ + (I - AP)GᵀPPᵀ + PᵀPGᵀ(I - PA).
    p, pt, gt = out, _mT(out), _mT(g)
    left = subtract(_eye(a.shape[-2], a), matmul(a, p))
    right = subtract(_eye(a.shape[-1], a), matmul(p, a))
    return (
        add(
            negative(matmul(pt, matmul(g, pt))),
            add(matmul(left, matmul(gt, matmul(p, pt))), matmul(matmul(pt, p), matmul(gt, right))),
        ),
    )


_pinv = Primitive(
    "pinv",
    _guard("pinv", lambda a, rcond: np.linalg.pinv(a, rcond=rcond)),
    vjp=_pinv_vjp,
    jvp=_pinv_jvp,
)


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse A⁺ (singular values below ``rcond``·max are dropped).

    Derivative: Golub & Pereyra, valid where the rank is locally constant.

    Example:
        >>> pinv(Tensor([[2.0, 0.0], [0.0, 0.0]]))
        Tensor([[0.5, 0. ],
                [0. , 0. ]])
    """
    return _pinv(_matrix(x, "pinv"), rcond=rcond)


def matrix_power(x, n):
    """A to the integer power ``n`` by repeated squaring (negative n uses inv(A)).

    Example:
        >>> matrix_power(Tensor([[1.0, 1.0], [0.0, 1.0]]), 3)
        Tensor([[1., 3.],
                [0., 1.]])
    """
    x = _matrix(x, "matrix_power", square=True)
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"matrix_power: n must be an int; got {n!r}")
    if n < 0:
        x, n = inv(x), -n
    result = None
    while n:
        if n & 1:
            result = x if result is None else matmul(result, x)
        n >>= 1
        if n:
            x = matmul(x, x)
    return broadcast_to(_eye(x.shape[-1], x), x.shape) if result is None else result


# ----- diagonals, triangles, products (composites) ----------------------------------------
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


# The matrix rules above act on stacks (..., m, n) through ops that broadcast explicitly, so
# tangents with a leading batch axis (jacfwd) go through their JVPs unchanged.
for _name in "inv det logabsdet cholesky eigh eigvalsh svd svdvals qr pinv".split():
    REGISTRY[_name].batched_jvp = REGISTRY[_name].jvp
