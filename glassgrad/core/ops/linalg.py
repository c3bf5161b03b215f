"""Matrix primitives and composites. Rules cite their source and state degenerate cases.

Decompositions with several outputs (eigh, svd, qr) are one primitive whose NumPy forward
packs the outputs along the last axis; the public function unpacks them with ``getitem``, so
each output's cotangent arrives at the one rule (see ``_multi``). ``eigh`` and ``eigvalsh``
read one triangle of their input, as NumPy does (``UPLO``), so their value and gradient are
those of the symmetric matrix built from that triangle: the other triangle gets a zero
gradient. ``cholesky`` is read as symmetric: tangents are symmetrised and cotangents are
returned symmetric, as in PyTorch.

Repeated eigenvalues (eigh) or singular values (svd) make the eigenvector/singular-vector
derivative undefined: the factor 1/(λⱼ - λᵢ) is infinite. glassgrad then warns
(``RuntimeWarning``) and the gradient contains inf/NaN, never a finite wrong number. When the
loss does not depend on the rotation inside a degenerate eigenspace (eigenvalues only, or a
zero cotangent on those pairs) the factor is not needed and the gradient stays finite.
"""

import warnings

import numpy as np

from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.core.ops.contractions import _mT, matmul, tril
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
    broadcast_to,
    concatenate,
    expand_dims,
    getitem,
    reshape,
)
from glassgrad.core.primitive import BATCHING, REGISTRY, Primitive, mask
from glassgrad.core.tensor import Tensor, to_tensor
from glassgrad.core.tracing import TRACES

__all__ = [
    "inv",
    "solve",
    "det",
    "slogdet",
    "cholesky",
    "qr",
    "eigh",
    "eigvalsh",
    "eig",
    "svd",
    "svdvals",
    "pinv",
    "matrix_power",
]


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


# ----- inverse, solve, determinants -------------------------------------------------------------
# Y = A⁻¹: dY = -Y dA Y, so Ā = -Yᵀ G Yᵀ (differentiate A·A⁻¹ = I).
_inv = Primitive(
    "inv",
    _guard("inv", np.linalg.inv),
    vjp=lambda g, out, a: (negative(matmul(_mT(out), matmul(g, _mT(out)))),),
    jvp=lambda t, out, a: negative(matmul(out, matmul(t, out))),
    formula="∂L/∂A = -Yᵀ G Yᵀ",
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
    formula="∂L/∂A = -(A⁻ᵀG) yᵀ, ∂L/∂b = A⁻ᵀG",
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
    formula="∂L/∂A = G·y·A⁻ᵀ (Jacobi's formula)",
)
# d log|det A| = tr(A⁻¹ dA), so Ā = g·A⁻ᵀ.
_logabsdet = Primitive(
    "logabsdet",
    lambda a: np.linalg.slogdet(a)[1],
    vjp=lambda g, out, a: (multiply(expand_dims(g, (-1, -2)), _inv_t(a)),),
    jvp=lambda t, out, a: sum(multiply(_inv_t(a), t), axis=(-1, -2)),
    formula="∂L/∂A = G·A⁻ᵀ",
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
    return mask(_det_sign, x), _logabsdet(x)


def _det_sign(a):
    return np.sign(np.linalg.det(a))


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
    formula="∂L/∂A = L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, symmetrised (Murray 2016)",
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
def _multi(name, fn, cores, vjp, jvp, formula):
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

    prim = Primitive(name, _guard(name, forward), vjp=rule_vjp, jvp=rule_jvp, formula=formula)
    return lambda x: unpack(prim(x), x.shape)


def _gap_inverse(name, d, m):
    """F = 1/d off the diagonal, for the rules' eigen-gap factor, multiplied into ``m``.

    Where d = 0 off the diagonal (a repeated eigen/singular value) the factor is 0 if ``m`` is
    0 there (the loss ignores that rotation) and +inf otherwise, with a warning.
    """
    n = d.shape[-1]
    off = ~np.eye(n, dtype=bool)
    if TRACES:  # jit/vmap replay this on new values: the general formula, masks recomputed
        ok = mask(lambda a: off & (a != 0), d)
        fill = mask(
            lambda a, b: np.where(off & (a == 0) & (b != 0), np.inf, 0.0).astype(a.dtype), d, m
        )
        return multiply(where(ok, divide(1.0, where(ok, d, 1.0)), fill), m)
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
    "eigh",
    lambda a: np.linalg.eigh(a),
    lambda s: [s[-1:], s[-2:]],
    _eigh_vjp,
    _eigh_jvp,
    "∂L/∂A = V (diag(Ḡ_λ) + F∘(Vᵀ Ḡ_V)) Vᵀ, symmetrised; Fᵢⱼ = 1/(λⱼ - λᵢ)",
)


def _read_triangle(x, UPLO, name):
    """The symmetric matrix a LAPACK symmetric routine sees in ``x``: one triangle, mirrored.

    It is linear in ``x``, so the gradient of the unread triangle is exactly zero.
    """
    if UPLO not in ("L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U'; got {UPLO!r}")
    x = _matrix(x, name, square=True)
    return _copyltu(x if UPLO == "L" else _mT(x))  # the upper triangle is xᵀ's lower one


def eigh(x, UPLO="L"):
    """Eigen-decomposition of symmetric matrices: ``(w, V)`` with A = V·diag(w)·Vᵀ, w ascending.

    Only the lower (``UPLO='L'``) or upper (``'U'``) triangle is read, as in NumPy; the other
    triangle has zero gradient.

    Derivative: dλ = diag(Vᵀ dA V); dV = V(F∘(Vᵀ dA V)), F_ij = 1/(λⱼ - λᵢ). Repeated
    eigenvalues: see the module note (warning, inf/NaN in the eigenvector gradient).

    Example:
        >>> w, v = eigh(Tensor([[2.0, 9.0], [0.0, 1.0]]))  # reads the lower triangle
        >>> w
        Tensor([1., 2.])
    """
    return tuple(_eigh(_read_triangle(x, UPLO, "eigh")))


# dλ = diag(Vᵀ dA V), so Ā = V diag(w̄) Vᵀ; V comes from the differentiable eigh.
def _eigvalsh_vjp(g, out, a):
    v = eigh(a)[1]
    return (_sym(matmul(multiply(v, expand_dims(g, -2)), _mT(v))),)


def _eigvalsh_jvp(t, out, a):
    v = eigh(a)[1]
    return _diag_part(matmul(_mT(v), matmul(_sym(t), v)))


_eigvalsh = Primitive(
    "eigvalsh",
    _guard("eigvalsh", np.linalg.eigvalsh),
    vjp=_eigvalsh_vjp,
    jvp=_eigvalsh_jvp,
    formula="∂λᵢ/∂A = vᵢvᵢᵀ",
)


def eigvalsh(x, UPLO="L"):
    """Eigenvalues of symmetric matrices, ascending; reads one triangle (``UPLO``), as eigh.

    Derivative: dλᵢ = vᵢᵀ·dA·vᵢ, finite even for repeated eigenvalues.

    Example:
        >>> eigvalsh(Tensor([[2.0, 1.0], [1.0, 2.0]]))
        Tensor([1., 3.])
    """
    return _eigvalsh(_read_triangle(x, UPLO, "eigvalsh"))


def _eig_parts(a):
    w, v = np.linalg.eig(a)
    if np.iscomplexobj(w):
        raise ValueError(
            f"eig: the input of shape {a.shape} has complex eigenvalues; glassgrad's eig is "
            "real (use eigh for symmetric matrices)"
        )
    return w, v


def _eig_vjp(gs, outs, a):
    # A V = V diag(w) with unit-norm columns (NumPy's normalisation). With M = VᵀV̄ and
    # F_ij = 1/(λⱼ - λᵢ): Ā = V⁻ᵀ (diag(w̄) + F∘(M - VᵀV diag(diag M))) Vᵀ (Giles 2008).
    (gw, gv), (w, v) = gs, outs
    m = matmul(_mT(v), gv)
    m = subtract(m, multiply(matmul(_mT(v), v), expand_dims(_diag_part(m), -2)))
    inner = add(_diag_embed(gw), _gap_inverse("eig", _gaps(w), m))
    return matmul(_mT(inv(v)), matmul(inner, _mT(v)))


def _eig_jvp(t, outs, a):
    # P = V⁻¹ dA V: dλ = diag(P); dV = V C - V diag(diag(VᵀV C)), C = F∘P keeps |vₖ| = 1.
    w, v = outs
    p = matmul(inv(v), matmul(t, v))
    dv = matmul(v, _gap_inverse("eig", _gaps(w), p))
    dv = subtract(dv, multiply(v, expand_dims(_diag_part(matmul(_mT(v), dv)), -2)))
    return [_diag_part(p), dv]


_eig = _multi(
    "eig",
    _eig_parts,
    lambda s: [s[-1:], s[-2:]],
    _eig_vjp,
    _eig_jvp,
    "∂L/∂A = V⁻ᵀ (diag(Ḡ_λ) + F∘(VᵀḠ_V - VᵀV diag(VᵀḠ_V))) Vᵀ; Fᵢⱼ = 1/(λⱼ - λᵢ)",
)


def eig(x):
    """Eigen-decomposition of a real matrix with real eigenvalues: ``(w, V)``, A V = V diag(w).

    Eigenvalues come in NumPy's order and each eigenvector column has unit norm; a matrix with
    complex eigenvalues raises ``ValueError``.

    Derivative: with P = V⁻¹ dA V, dλ = diag(P) and dV = V(F∘P) rescaled to keep unit
    columns, F_ij = 1/(λⱼ - λᵢ) (infinite for repeated eigenvalues, as eigh).

    Example:
        >>> w, v = eig(Tensor([[2.0, 1.0], [0.0, 3.0]]))
        >>> w
        Tensor([2., 3.])
    """
    return tuple(_eig(_matrix(x, "eig", square=True)))


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


_svd = _multi(
    "svd",
    _svd_parts,
    _svd_cores,
    _svd_vjp,
    _svd_jvp,
    "Townsend 2016: F-matrix rule with 1/(σⱼ² - σᵢ²)",
)


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
    formula="∂σᵢ/∂A = uᵢvᵢᵀ",
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


_qr = _multi(
    "qr",
    lambda a: np.linalg.qr(a),
    lambda s: [s[-2:], (s[-1], s[-1])],
    _qr_vjp,
    _qr_jvp,
    "∂L/∂A = (Ḡ_Q + Q copyltu(M)) R⁻ᵀ, M = R Ḡ_Rᵀ - Ḡ_Qᵀ Q",
)


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
    formula="Golub & Pereyra, where the rank is locally constant",
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


# The matrix rules above act on stacks (..., m, n) through ops that broadcast explicitly, so
# tangents with a leading batch axis (jacfwd) go through their JVPs unchanged.
for _name in "inv det logabsdet cholesky eigh eigvalsh eig svd svdvals qr pinv".split():
    BATCHING[REGISTRY[_name]] = REGISTRY[_name].jvp
BATCHING[_solve] = lambda ta, tb, out, a, b: _solve_jvp(ta, tb, out, a, b, solver=solve)
