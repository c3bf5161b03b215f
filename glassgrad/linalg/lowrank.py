"""Low rank: truncated SVD, the Eckart–Young theorem, explained variance and PCA.

Eckart–Young: among all matrices of rank ≤ r, the truncated SVD W_r = U_r diag(σ_1..σ_r) V_rᵀ
is closest to W, with ‖W − W_r‖_F = √(σ²_{r+1} + … ) and ‖W − W_r‖₂ = σ_{r+1}. PCA is the
truncated SVD of the centred data; its signs follow scikit-learn's ``svd_flip``.
"""

import numpy as np

from glassgrad.core import ops
from glassgrad.core.errors import ShapeError
from glassgrad.core.ops import linalg as core_linalg
from glassgrad.core.tensor import Tensor
from glassgrad.linalg.norms import _float_tensor, matrix_norm

__all__ = [
    "low_rank_approx",
    "reconstruction_error",
    "eckart_young",
    "explained_variance",
    "PCA",
]


def _matrix(W, name, arg="W"):
    W = _float_tensor(W)
    if W.ndim != 2:
        raise ShapeError(f"{name}: {arg} must be a 2-D matrix; got shape {W.shape}")
    return W


def _check_rank(r, W, name):
    k = min(W.shape)
    if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or not 0 <= r <= k:
        raise ValueError(
            f"{name}: r must be an int in [0, min(m, n)] = [0, {k}] for W of shape {W.shape}; "
            f"got {r!r}"
        )


def _svd(W):
    return core_linalg.svd(W, full_matrices=False)


def low_rank_approx(W, r):
    """Best rank-r approximation W_r = U[:, :r] diag(σ[:r]) Vᵀ[:r] (truncated SVD).

    Differentiable through the SVD (well defined when σ_r > σ_{r+1}). Shape (m, n) → (m, n).

    Example:
        >>> low_rank_approx(Tensor([[3.0, 0.0], [0.0, 1.0]]), 1)
        Tensor([[3., 0.],
                [0., 0.]])
    """
    W = _matrix(W, "low_rank_approx")
    _check_rank(r, W, "low_rank_approx")
    U, S, Vh = _svd(W)
    return ops.matmul(U[:, :r] * S[:r], Vh[:r])


def reconstruction_error(W, r, ord="fro"):
    """‖W − W_r‖ in the matrix norm ``ord`` ('fro', 'nuc', 2, ...; see ``matrix_norm``).

    Example:
        >>> reconstruction_error(Tensor([[3.0, 0.0], [0.0, 1.0]]), 1)
        Tensor(1.)
    """
    W = _matrix(W, "reconstruction_error")
    return matrix_norm(W - low_rank_approx(W, r), ord)


def eckart_young(W, r):
    """Check Eckart–Young: measured errors of W_r beside the ones the singular values predict.

    Returns a dict of floats: ``fro_error`` = ‖W − W_r‖_F and ``fro_predicted`` =
    √(Σ_{i>r} σ_i²); ``spectral_error`` = ‖W − W_r‖₂ and ``spectral_predicted`` = σ_{r+1}
    (0 when r = min(m, n)).

    Example:
        >>> report = eckart_young(Tensor([[3.0, 0.0], [0.0, 1.0]]), 1)
        >>> report["fro_error"], report["fro_predicted"], report["spectral_predicted"]
        (1.0, 1.0, 1.0)
    """
    W = _matrix(W, "eckart_young")
    _check_rank(r, W, "eckart_young")
    s = core_linalg.svdvals(W).numpy()
    residual = W - low_rank_approx(W, r)
    return {
        "fro_error": float(matrix_norm(residual, "fro")),
        "fro_predicted": float(np.sqrt(np.sum(s[r:] ** 2))),
        "spectral_error": float(matrix_norm(residual, 2)),
        "spectral_predicted": float(s[r]) if r < len(s) else 0.0,
    }


def explained_variance(s, cumulative=False):
    """Share of the total "energy" per singular value: σ_i² / Σ_j σ_j² (cumulative optional).

    Example:
        >>> explained_variance(Tensor([3.0, 1.0]))
        Tensor([0.9, 0.1])
    """
    s = ops.to_tensor(s)
    if s.ndim != 1 or s.size == 0 or not np.all(s.data >= 0):
        raise ValueError(
            f"explained_variance: s must be a non-empty 1-D tensor of singular values >= 0; "
            f"got shape {s.shape}"
        )
    energy = s * s
    ratio = energy / ops.sum(energy)
    return Tensor(np.cumsum(ratio.data)) if cumulative else ratio


class PCA:
    """Principal component analysis by SVD of the centred data, as scikit-learn's ``PCA``.

    X − mean = U S Vᵀ; ``components_`` = Vᵀ[:k] (each row's largest |entry| made positive,
    scikit-learn's ``svd_flip``), ``explained_variance_`` = S²/(n − 1),
    ``explained_variance_ratio_`` = its share of the total. ``n_components``: an int, a
    fraction in (0, 1) of variance to keep, or None (all). ``whiten`` scales scores to unit
    variance.

    Example:
        >>> X = Tensor([[0.0, 0.0], [2.0, 2.0], [4.0, 4.0]])
        >>> PCA(1).fit(X).explained_variance_ratio_
        Tensor([1.])
    """

    def __init__(self, n_components=None, whiten=False):
        self.n_components = n_components
        self.whiten = whiten

    def _check_n_components(self, limit):
        k = self.n_components
        if k is None or (isinstance(k, float) and 0 < k < 1):
            return
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= limit:
            raise ValueError(
                f"PCA: n_components must be an int in [0, min(n_samples, n_features)] = "
                f"[0, {limit}] or a float in (0, 1); got {k!r}"
            )

    def _n_kept(self, ratio, limit):
        k = self.n_components
        if k is None:
            return limit
        if isinstance(k, float):  # keep the fewest components explaining that fraction
            return int(np.searchsorted(np.cumsum(ratio), k, side="right")) + 1
        return int(k)

    def fit(self, X, y=None):
        """Learn the mean and the principal axes of X (n_samples, n_features); returns self."""
        X = _matrix(X, "PCA.fit", "X")
        n, d = X.shape
        if n < 2:
            raise ValueError(f"PCA.fit: X needs at least 2 samples; got shape {X.shape}")
        self._check_n_components(min(n, d))
        self.mean_ = ops.mean(X, axis=0)
        U, S, Vh = _svd(X - self.mean_)
        # svd_flip (v-based): make the largest-magnitude entry of each row of Vᵀ positive
        signs = np.sign(Vh.data[np.arange(Vh.shape[0]), np.argmax(np.abs(Vh.data), axis=1)])
        Vh = Vh * ops.const_like(np.where(signs == 0, 1.0, signs)[:, None], Vh)
        variance = S * S / float(n - 1)
        ratio = variance / ops.maximum(ops.sum(variance), np.finfo(float).tiny)
        k = self._n_kept(ratio.data, min(n, d))
        self.n_components_, self.n_samples_, self.n_features_in_ = k, n, d
        self.components_ = Vh[:k]
        self.singular_values_ = S[:k]
        self.explained_variance_ = variance[:k]
        self.explained_variance_ratio_ = ratio[:k]
        rest = variance.data[k:]
        self.noise_variance_ = float(rest.mean()) if rest.size else 0.0
        return self

    def _checked(self, X, name, width_attr):
        if not hasattr(self, "components_"):
            raise RuntimeError(f"PCA.{name}: this PCA is not fitted yet; call fit(X) first")
        X = _matrix(X, f"PCA.{name}", "X")
        width = getattr(self, width_attr)
        if X.shape[1] != width:
            raise ShapeError(f"PCA.{name}: X must have {width} columns; got shape {X.shape}")
        return X

    def _scale(self):
        return ops.sqrt(self.explained_variance_)

    def transform(self, X):
        """Scores (X − mean) Vᵀ_k, shape (n, k); divided by √explained_variance_ if whiten."""
        X = self._checked(X, "transform", "n_features_in_")
        Z = ops.matmul(X - self.mean_, ops.transpose(self.components_))
        return Z / self._scale() if self.whiten else Z

    def fit_transform(self, X, y=None):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z):
        """Map scores back to feature space: Z V_k + mean (undoing whitening first)."""
        Z = self._checked(Z, "inverse_transform", "n_components_")
        if self.whiten:
            Z = Z * self._scale()
        return ops.matmul(Z, self.components_) + self.mean_
