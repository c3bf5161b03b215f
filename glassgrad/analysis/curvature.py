"""Curvature: Hessian spectra by Lanczos on Hessian-vector products, critical points."""

import numpy as np

from glassgrad.analysis.result import Result
from glassgrad.core.autodiff import backward_pass, enable_grad, forward_pass
from glassgrad.core.errors import GradError, ShapeError
from glassgrad.core.tensor import Tensor

__all__ = ["HessianOperator", "hessian_spectrum", "classify_critical_point", "lanczos"]


def _as_params(params, where):
    """A list of leaf Tensors requiring grad (arrays and numbers are wrapped)."""
    if isinstance(params, (Tensor, np.ndarray, float, int)):
        params = [params]
    out = []
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            p = Tensor(np.asarray(p, dtype=np.float64), requires_grad=True)
        elif not p.requires_grad:
            p = Tensor(p.data, requires_grad=True)
        elif p.op is not None:
            raise GradError(f"{where}: params[{i}] must be a leaf Tensor; got op {p.op.name}")
        out.append(p)
    if not out:
        raise ValueError(f"{where}: params is empty")
    return out


class HessianOperator:
    """v ↦ H v for the scalar ``f(*params)``, never forming H.

    The gradient graph is recorded once (reverse sweep with ``create_graph``); each product
    is then one forward sweep over it, the forward-over-reverse HVP of ``glassgrad.hvp``
    without re-tracing f for every vector.

    Example:
        >>> from glassgrad import Tensor
        >>> H = HessianOperator(lambda w: (w ** 3).sum(), [Tensor([1.0, 2.0])])
        >>> H.matvec(np.array([1.0, 0.0]))
        array([6., 0.])
    """

    def __init__(self, f, params, where="HessianOperator"):
        self.params = _as_params(params, where)
        with enable_grad():
            loss = f(*self.params)
        if not isinstance(loss, Tensor) or loss.size != 1:
            shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
            raise ShapeError(f"{where}: f must return a one-element Tensor (a loss); got {shape}")
        if not loss.requires_grad:
            raise GradError(f"{where}: f's output does not depend on params")
        self.loss = float(loss.item())
        seed = Tensor._make(np.ones(loss.shape, loss.dtype))
        _, cot = backward_pass([loss], [seed], self.params, create_graph=True)
        zero = [Tensor._make(np.zeros(p.shape, p.dtype)) for p in self.params]
        self.grads = [cot.get(id(p), z) for p, z in zip(self.params, zero, strict=False)]
        self.gradient = np.concatenate([g.data.ravel() for g in self.grads])
        self.n = self.gradient.size
        self.calls = 0

    def matvec(self, v):
        """H v for a flat vector v of length n."""
        v = np.asarray(v, dtype=np.float64)
        parts = np.split(v, np.cumsum([p.size for p in self.params])[:-1])
        tangents = [
            Tensor._make(t.reshape(p.shape).astype(p.dtype))
            for t, p in zip(parts, self.params, strict=False)
        ]
        self.calls += 1
        cols = forward_pass(self.params, tangents, self.grads, create_graph=False)
        return np.concatenate([c.data.ravel() for c in cols]).astype(np.float64)

    def dense(self):
        """The full n×n Hessian (n products with unit vectors), symmetrised."""
        h = np.stack([self.matvec(e) for e in np.eye(self.n)], axis=1)
        return 0.5 * (h + h.T)


def lanczos(matvec, n, iters, generator=None):
    """Ritz values of a symmetric operator: ``iters`` Lanczos steps, full reorthogonalisation.

    Builds an orthonormal basis Q of the Krylov space and T = QᵀHQ (tridiagonal);
    T's eigenvalues approximate H's extreme eigenvalues first.

    Example:
        >>> a = np.diag([1.0, 2.0, 5.0])
        >>> np.round(lanczos(lambda v: a @ v, 3, 3), 6)
        array([1., 2., 5.])
    """
    rng = np.random.default_rng(0 if generator is None else generator)
    q = rng.standard_normal(n)
    basis = [q / np.linalg.norm(q)]
    alphas, betas = [], []
    for j in range(iters):
        w = matvec(basis[j])
        alphas.append(float(basis[j] @ w))
        qs = np.array(basis)
        for _ in range(2):  # twice is enough (Kahan-Parlett)
            w = w - qs.T @ (qs @ w)
        beta = float(np.linalg.norm(w))
        if j == iters - 1 or beta < 1e-10 * max(1.0, abs(alphas[-1])):
            break
        betas.append(beta)
        basis.append(w / beta)
    t = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
    return np.linalg.eigvalsh(t)


class Spectrum(Result):
    """Result of :func:`hessian_spectrum`: keys ``top``, ``bottom``, ``method``, ``n``, ``hvps``."""


def hessian_spectrum(f, params, k=5, method="auto", exact_below=64, iters=None, generator=None):
    """Top-k and bottom-k eigenvalues of the Hessian of scalar ``f(*params)``.

    Lanczos on Hessian-vector products (``iters`` steps, default min(n, max(4k, 40))), so H
    is never formed; for n ≤ ``exact_below`` (or ``method="exact"``) H is built from n
    products and ``numpy.linalg.eigvalsh`` gives the exact spectrum.

    Args:
        f: function of the parameters returning a one-element Tensor.
        params: a Tensor or a list of Tensors (leaves; e.g. ``model.parameters()``,
            with ``f = lambda *ps: loss_fn(model(X), y)``).
        k: how many eigenvalues from each end (1 ≤ k ≤ n).
        method: "auto", "exact" or "lanczos".
        exact_below: with "auto", sizes n up to this use the exact spectrum.
        iters: Lanczos steps.
        generator: seed or Generator for the Lanczos start vector.

    Returns:
        A ``Spectrum`` with ``top`` (descending), ``bottom`` (ascending), ``method``,
        ``n`` and ``hvps`` (Hessian-vector products used).

    Example:
        >>> from glassgrad import Tensor
        >>> s = hessian_spectrum(lambda w: (w * w * Tensor([1.0, 2.0, 3.0])).sum(),
        ...                      Tensor([1.0, 1.0, 1.0]), k=1)
        >>> s.top, s.bottom
        (array([6.]), array([2.]))
    """
    op = HessianOperator(f, params, "hessian_spectrum")
    if not isinstance(k, (int, np.integer)) or not 1 <= k <= op.n:
        raise ValueError(f"hessian_spectrum: k must be an int in [1, n={op.n}]; got {k!r}")
    if method not in ("auto", "exact", "lanczos"):
        raise ValueError(f"hessian_spectrum: method must be auto/exact/lanczos; got {method!r}")
    if method == "exact" or (method == "auto" and op.n <= exact_below):
        evals, method = np.linalg.eigvalsh(op.dense()), "exact"
    else:
        steps = min(op.n, max(4 * k, 40)) if iters is None else int(iters)
        evals, method = lanczos(op.matvec, op.n, steps, generator), "lanczos"
    return Spectrum(top=evals[::-1][:k].copy(), bottom=evals[:k].copy(), method=method,
                    n=op.n, hvps=op.calls, loss=op.loss)  # fmt: skip


def classify_critical_point(f, x, tol=1e-6, grad_tol=1e-5):
    """Gradient norm, Hessian eigenvalues and the kind of the point ``x`` of scalar ``f``.

    Kinds: 'minimum' (all λ > tol), 'maximum' (all λ < -tol), 'saddle' (both signs),
    'degenerate' (some |λ| ≤ tol and no sign change: the second-order test is silent),
    and 'not critical' when ‖∇f‖ > grad_tol.

    Example:
        >>> classify_critical_point(lambda p: p[0] ** 2 - p[1] ** 2, [0.0, 0.0])["kind"]
        'saddle'
    """
    x = np.asarray(x.data if isinstance(x, Tensor) else x, dtype=np.float64)
    op = HessianOperator(f, [x], "classify_critical_point")
    evals = np.linalg.eigvalsh(op.dense())
    gnorm = float(np.linalg.norm(op.gradient))
    if gnorm > grad_tol:
        kind = "not critical"
    elif np.all(evals > tol):
        kind = "minimum"
    elif np.all(evals < -tol):
        kind = "maximum"
    elif evals.max() > tol and evals.min() < -tol:
        kind = "saddle"
    else:
        kind = "degenerate"
    return {"kind": kind, "grad_norm": gnorm, "eigenvalues": evals, "value": op.loss}
