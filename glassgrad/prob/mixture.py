"""Gaussian mixture fitted by expectation-maximisation (EM), full covariances."""

import math

import numpy as np

from glassgrad.core.random import get_generator

__all__ = ["GaussianMixture"]

_LOG_2PI = math.log(2 * math.pi)


def _log_gaussians(X, means, covs):
    """Log N(x_n; mu_k, Sigma_k) for every sample and component, shape (n, K)."""
    out = np.empty((X.shape[0], len(means)))
    for k, (mu, cov) in enumerate(zip(means, covs, strict=True)):
        chol = np.linalg.cholesky(cov)
        z = np.linalg.solve(chol, (X - mu).T)
        log_det = np.sum(np.log(np.diag(chol)))
        out[:, k] = (
            -0.5 * np.sum(z * z, axis=0) - log_det - 0.5 * X.shape[1] * math.log(2 * math.pi)
        )
    return out


class GaussianMixture:
    """p(x) = sum_k w_k N(x; mu_k, Sigma_k), fitted by EM (scikit-learn's ``GaussianMixture``).

    E-step: r_nk = w_k N(x_n; mu_k, Sigma_k) / p(x_n). M-step: N_k = sum_n r_nk, w_k = N_k / n,
    mu_k = sum_n r_nk x_n / N_k, Sigma_k = sum_n r_nk (x_n - mu_k)(x_n - mu_k)^T / N_k + reg I.
    Stops when the mean log-likelihood changes by less than ``tol``. Without ``means_init`` the
    means start at distinct random samples drawn with ``generator``.

    Example:
        >>> X = np.array([[-3.0], [-2.0], [2.0], [3.0]])
        >>> gm = GaussianMixture(2, means_init=[[-3.0], [3.0]]).fit(X)
        >>> np.round(gm.means_.ravel(), 2).tolist(), np.round(gm.weights_, 2).tolist()
        ([-2.5, 2.5], [0.5, 0.5])
    """

    def __init__(
        self,
        n_components=1,
        max_iter=100,
        tol=1e-3,
        reg_covar=1e-6,
        weights_init=None,
        means_init=None,
        precisions_init=None,
        generator=None,
    ):
        self.n_components, self.max_iter, self.tol = n_components, max_iter, tol
        self.reg_covar, self.weights_init, self.means_init = reg_covar, weights_init, means_init
        self.precisions_init, self.generator = precisions_init, generator

    def _check(self, X, method):
        X = np.asarray(X.data if hasattr(X, "requires_grad") else X, dtype=np.float64)
        name = f"GaussianMixture.{method}"
        if X.ndim != 2 or not np.all(np.isfinite(X)):
            raise ValueError(f"{name}: X must be a finite 2-D array; got shape {X.shape}")
        if method != "fit" and X.shape[1] != self.means_.shape[1]:
            d = self.means_.shape[1]
            raise ValueError(f"{name}: X has {X.shape[1]} features, expected {d}")
        return X

    def _m_step(self, X, resp):
        nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps  # keeps empty components finite
        self.weights_ = nk / nk.sum()
        self.means_ = resp.T @ X / nk[:, None]
        diffs = [X - m for m in self.means_]
        covs = [(resp[:, k, None] * d).T @ d / nk[k] for k, d in enumerate(diffs)]
        self.covariances_ = np.stack(covs) + self.reg_covar * np.eye(X.shape[1])

    def _e_step(self, X):
        weighted = _log_gaussians(X, self.means_, self.covariances_) + np.log(self.weights_)
        norm = np.logaddexp.reduce(weighted, axis=1)
        return norm, weighted - norm[:, None]

    def _initialise(self, X):
        """Responsibilities from the nearest initial mean, then the given initial parameters."""
        k = self.n_components
        start = X[get_generator(self.generator).choice(X.shape[0], k, replace=False)]
        means = start if self.means_init is None else np.asarray(self.means_init, dtype=float)
        self._m_step(X, np.eye(k)[np.argmin(((X[:, None] - means[None]) ** 2).sum(-1), axis=1)])
        self.means_ = means
        if self.weights_init is not None:
            self.weights_ = np.asarray(self.weights_init, dtype=np.float64)
        if self.precisions_init is not None:
            self.covariances_ = np.linalg.inv(np.asarray(self.precisions_init, dtype=np.float64))

    def fit(self, X):
        """Run EM from the initial parameters until converged or ``max_iter``; returns self."""
        k = self.n_components
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"GaussianMixture: n_components must be an int >= 1; got {k!r}")
        X = self._check(X, "fit")
        if X.shape[0] < k:
            raise ValueError(f"GaussianMixture.fit: need at least n_components={k} samples")
        self._initialise(X)
        self.lower_bound_, self.converged_, self.n_iter_ = -np.inf, False, 0
        while self.n_iter_ < self.max_iter and not self.converged_:
            previous, self.n_iter_ = self.lower_bound_, self.n_iter_ + 1
            norm, log_resp = self._e_step(X)
            self._m_step(X, np.exp(log_resp))
            self.lower_bound_ = float(norm.mean())
            self.converged_ = abs(self.lower_bound_ - previous) < self.tol
        return self

    def predict_proba(self, X):
        """Responsibilities P(component k | x), shape (n, K)."""
        return np.exp(self._e_step(self._check(X, "predict_proba"))[1])

    def predict(self, X):
        """The most responsible component per sample."""
        return np.argmax(self.predict_proba(X), axis=1)

    def score_samples(self, X):
        """Log p(x) per sample."""
        return self._e_step(self._check(X, "score_samples"))[0]

    def score(self, X):
        """Mean log-likelihood (1/n) sum_n log p(x_n)."""
        return float(np.mean(self.score_samples(X)))
