"""Naive Bayes classifiers with scikit-learn's estimator contract, computed in log space.

log P(c | x) = log P(c) + sum_j log P(x_j | c) - log sum_c' exp(...): summing logs instead
of multiplying probabilities keeps hundreds of tiny likelihoods from underflowing to 0. The
base class turns ``_joint_log_likelihood`` into predictions once; subclasses only count.
"""

import inspect
from dataclasses import dataclass

import numpy as np

from glassgrad.core.ops import logsumexp

__all__ = ["MultinomialNB", "BernoulliNB", "GaussianNB", "NaiveBayesExplanation", "NotFittedError"]


def _check(ok, message, error=ValueError):
    if not ok:
        raise error(message)


def _array(x):
    """An ndarray from an array, a Tensor or a sparse matrix (``toarray``, no scipy import)."""
    x = x.toarray() if hasattr(x, "toarray") else x
    return np.asarray(x.data if hasattr(x, "requires_grad") else x)


def _as_2d(X, owner):
    """Dense finite float64 (n, F) array, with scikit-learn's wording for each failure."""
    X = _array(X)
    _check(not np.iscomplexobj(X), f"{owner}: Complex data not supported; X has dtype {X.dtype}")
    try:
        X = X.astype(np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{owner}: X must be numeric; got dtype {X.dtype} ({err})") from None
    _check(
        X.ndim == 2,
        f"{owner}: X must be 2-D (n_samples, n_features); got shape {X.shape}. "
        "Reshape your data with X.reshape(-1, 1) or X.reshape(1, -1)",
    )
    for axis, what in ((0, "sample"), (1, "feature")):
        _check(
            X.shape[axis] > 0,
            f"{owner}: found array with 0 {what}(s) (shape={X.shape}) "
            "while a minimum of 1 is required.",
        )
    _check(np.all(np.isfinite(X)), f"{owner}: X contains NaN or infinity")
    return X


class NotFittedError(ValueError, AttributeError):
    """Raised when predicting with an estimator that has not been fitted."""


@dataclass
class NaiveBayesExplanation:
    """Why a sample got its class: log prior + per-feature log terms = joint log likelihood."""

    classes: np.ndarray
    log_prior: np.ndarray  # (K,)
    contributions: np.ndarray  # (K, F): log P(x_j | c)
    joint_log_likelihood: np.ndarray  # (K,)
    log_proba: np.ndarray  # (K,)


class _BaseNB:
    """Predictions from ``_joint_log_likelihood``; parameters handling; fit via partial_fit."""

    def get_params(self, deep=True):
        """Constructor parameters as a dict (scikit-learn contract)."""
        names = inspect.signature(type(self).__init__).parameters
        return {n: getattr(self, n) for n in names if n != "self"}

    def set_params(self, **params):
        """Set constructor parameters; returns self."""
        valid = self.get_params()
        for key, value in params.items():
            _check(
                key in valid,
                f"{self._name('set_params')}: invalid parameter {key!r}; valid: {sorted(valid)}",
            )
            setattr(self, key, value)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _name(self, method):
        return f"{type(self).__name__}.{method}"

    def _check_Xy(self, X, y, method):
        name = self._name(method)
        _check(y is not None, f"{name}: requires y to be passed, but the target y is None")
        X, y = _as_2d(X, name), _array(y)
        y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
        _check(
            y.ndim == 1 and y.shape[0] == X.shape[0],
            f"{name}: y must be 1-D with one label "
            f"per row of X ({X.shape[0]}); got shape {y.shape}",
        )
        if np.issubdtype(y.dtype, np.floating):
            _check(np.all(np.isfinite(y)), f"{name}: Input y contains NaN or infinity")
            _check(np.all(y == np.round(y)), f"{name}: Unknown label type: continuous")
        return X, y

    def _check_features(self, X, method):
        n, cls = self.n_features_in_, type(self).__name__
        _check(
            X.shape[1] == n,
            f"{self._name(method)}: X has {X.shape[1]} features, but {cls} "
            f"is expecting {n} features as input",
        )

    def _check_X(self, X, method):
        _check(
            hasattr(self, "classes_"),
            f"{self._name(method)}: this estimator is not fitted; call fit first",
            NotFittedError,
        )
        X = _as_2d(X, self._name(method))
        self._check_features(X, method)
        return X

    def fit(self, X, y):
        """Learn the class and feature statistics from scratch; returns self."""
        for attr in ("classes_", "epsilon_"):  # start from scratch, unlike partial_fit
            self.__dict__.pop(attr, None)
        X, y = self._check_Xy(X, y, "fit")
        return self.partial_fit(X, y, classes=np.unique(y))

    def partial_fit(self, X, y, classes=None):
        """Update the statistics with one more batch; the first call needs ``classes``."""
        X, y = self._check_Xy(X, y, "partial_fit")
        name = self._name("partial_fit")
        if not hasattr(self, "classes_"):
            _check(classes is not None, f"{name}: classes must be given on the first call")
            self.classes_, self.n_features_in_ = np.unique(np.asarray(classes)), X.shape[1]
            self._init_counters(len(self.classes_), X.shape[1])
        self._check_features(X, "partial_fit")
        unknown = np.unique(y[~np.isin(y, self.classes_)])
        _check(unknown.size == 0, f"{name}: labels {unknown} are not in classes {self.classes_}")
        Y = (y[:, None] == self.classes_[None, :]).astype(np.float64)
        self._count(X, Y)
        return self

    def predict_log_proba(self, X):
        """Log posteriors log P(c | x) = jll - logsumexp(jll) per row, shape (n, K)."""
        jll = self._joint_log_likelihood(self._check_X(X, "predict_log_proba"))
        return jll - logsumexp(jll, axis=1, keepdims=True).data

    def predict_proba(self, X):
        """P(c | x), shape (n, K); rows sum to 1."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X):
        """The most probable class per row."""
        jll = self._joint_log_likelihood(self._check_X(X, "predict"))
        return self.classes_[np.argmax(jll, axis=1)]

    def score(self, X, y):
        """Mean accuracy of ``predict(X)`` against ``y``."""
        X, y = self._check_Xy(X, y, "score")
        return float(np.mean(self.predict(X) == y))

    def explain_prediction(self, x):
        """Split one sample's decision into log prior + one log-likelihood term per feature.

        Example:
            >>> nb = MultinomialNB().fit(np.array([[2, 0], [0, 2]]), np.array([0, 1]))
            >>> e = nb.explain_prediction(np.array([1, 0]))
            >>> bool(np.allclose(e.log_prior + e.contributions.sum(1), e.joint_log_likelihood))
            True
        """
        X = self._check_X(np.reshape(x, (1, -1)), "explain_prediction")
        terms = self._feature_log_terms(X[0])
        log_prior = self._log_prior()
        jll = log_prior + terms.sum(axis=1)
        return NaiveBayesExplanation(
            self.classes_, log_prior, terms, jll, jll - logsumexp(jll).data
        )

    def word_contributions(self, x, feature_names=None, positive=None, negative=None):
        """Each feature's contribution to the log-odds of ``positive`` over ``negative``.

        Returns ``(name, value, log_odds_contribution)`` for the features whose terms differ
        between the two classes and are non-zero, largest magnitude first. ``positive`` and
        ``negative`` default to the last and first class.
        """
        e = self.explain_prediction(x)
        classes = list(self.classes_)
        pos = classes.index(classes[-1] if positive is None else positive)
        neg = classes.index(classes[0] if negative is None else negative)
        diff = e.contributions[pos] - e.contributions[neg]
        names = feature_names if feature_names is not None else [f"x{j}" for j in range(len(diff))]
        _check(
            len(names) == len(diff),
            f"{self._name('word_contributions')}: feature_names "
            f"has {len(names)} names for {len(diff)} features",
        )
        x = np.ravel(x)
        rows = [(str(names[j]), float(x[j]), float(diff[j])) for j in np.flatnonzero(diff)]
        return sorted(rows, key=lambda r: -abs(r[2]))


class _DiscreteNB(_BaseNB):
    """Shared counting for multinomial and Bernoulli models: per-class feature counts."""

    def _init_counters(self, n_classes, n_features):
        self.class_count_ = np.zeros(n_classes)
        self.feature_count_ = np.zeros((n_classes, n_features))

    def _count(self, X, Y):
        X = self._prepare(X)
        ok = np.isscalar(self.alpha) and self.alpha >= 0
        _check(ok, f"{self._name('fit')}: alpha must be a number >= 0; got {self.alpha!r}")
        self.feature_count_ += Y.T @ X
        self.class_count_ += Y.sum(axis=0)
        self._update_feature_log_prob()
        self._update_class_log_prior()

    def _update_class_log_prior(self):
        k = len(self.classes_)
        if self.class_prior is not None:
            prior = np.asarray(self.class_prior, dtype=np.float64)
            _check(
                prior.shape == (k,),
                f"{self._name('fit')}: class_prior must have one "
                f"entry per class ({k}); got shape {prior.shape}",
            )
            self.class_log_prior_ = np.log(prior)
        elif self.fit_prior:
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(self.class_count_) - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(k, -np.log(k))

    def _log_prior(self):
        return self.class_log_prior_


class MultinomialNB(_DiscreteNB):
    """Multinomial Naive Bayes for counts: log P(x | c) = sum_j x_j log theta_cj + const.

    theta_cj = (N_cj + alpha) / (N_c + alpha F), with N_cj the count of feature j in class c.

    Example:
        >>> X = np.array([[3, 0, 1], [2, 0, 0], [0, 2, 1], [0, 3, 0]])
        >>> MultinomialNB().fit(X, np.array([0, 0, 1, 1])).predict(np.array([[1, 0, 0]]))
        array([0])
    """

    def __init__(self, alpha=1.0, fit_prior=True, class_prior=None):
        self.alpha, self.fit_prior, self.class_prior = alpha, fit_prior, class_prior

    def _prepare(self, X):
        _check(np.all(X >= 0), f"{self._name('fit')}: Negative values in data; X must be counts")
        return X

    def _update_feature_log_prob(self):
        smoothed = self.feature_count_ + self.alpha
        self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))

    def _joint_log_likelihood(self, X):
        return X @ self.feature_log_prob_.T + self.class_log_prior_

    def _feature_log_terms(self, x):
        return x[None, :] * self.feature_log_prob_


class BernoulliNB(_DiscreteNB):
    """Bernoulli Naive Bayes: log P(x | c) = sum_j x_j log p_cj + (1 - x_j) log(1 - p_cj).

    p_cj = (N_cj + alpha) / (N_c + 2 alpha); features are thresholded at ``binarize`` first.

    Example:
        >>> X = np.array([[1, 0], [1, 1], [0, 1], [0, 1]])
        >>> BernoulliNB().fit(X, np.array([0, 0, 1, 1])).predict(np.array([[1, 0]]))
        array([0])
    """

    def __init__(self, alpha=1.0, binarize=0.0, fit_prior=True, class_prior=None):
        self.alpha, self.binarize = alpha, binarize
        self.fit_prior, self.class_prior = fit_prior, class_prior

    def _prepare(self, X):
        return X if self.binarize is None else (X > self.binarize).astype(np.float64)

    def _update_feature_log_prob(self):
        smoothed = self.feature_count_ + self.alpha
        denom = self.class_count_ + 2.0 * self.alpha
        self.feature_log_prob_ = np.log(smoothed) - np.log(denom[:, None])

    def _joint_log_likelihood(self, X):
        X = self._prepare(X)
        log_not = np.log(1.0 - np.exp(self.feature_log_prob_))
        jll = X @ (self.feature_log_prob_ - log_not).T
        return jll + self.class_log_prior_ + log_not.sum(axis=1)

    def _feature_log_terms(self, x):
        x = self._prepare(x[None, :])
        log_not = np.log(1.0 - np.exp(self.feature_log_prob_))
        return x * self.feature_log_prob_ + (1.0 - x) * log_not


class GaussianNB(_BaseNB):
    """Gaussian Naive Bayes: log P(x | c) = sum_j log N(x_j; theta_cj, var_cj).

    Variances get ``epsilon_ = var_smoothing * max_j Var(x_j)`` added for stability.

    Example:
        >>> X = np.array([[0.0], [0.2], [3.0], [3.3]])
        >>> GaussianNB().fit(X, np.array([0, 0, 1, 1])).predict(np.array([[2.5]]))
        array([1])
    """

    def __init__(self, priors=None, var_smoothing=1e-9):
        self.priors, self.var_smoothing = priors, var_smoothing

    def _init_counters(self, n_classes, n_features):
        self.class_count_ = np.zeros(n_classes)
        self.theta_ = np.zeros((n_classes, n_features))
        self.var_ = np.zeros((n_classes, n_features))

    def _count(self, X, Y):
        ok = np.isscalar(self.var_smoothing) and self.var_smoothing >= 0
        _check(ok, f"{self._name('fit')}: var_smoothing must be >= 0; got {self.var_smoothing!r}")
        # As scikit-learn: epsilon comes from the current batch and is taken out of the stored
        # variances before merging, then added back (so fit and partial_fit agree with it).
        self.epsilon_ = self.var_smoothing * np.var(X, axis=0).max()
        self.var_ -= self.epsilon_ if self.class_count_.sum() > 0 else 0.0
        for i in np.flatnonzero(Y.sum(axis=0)):
            self._merge(i, X[Y[:, i] == 1])
        self.var_ += self.epsilon_
        self._set_prior()

    def _merge(self, i, Xi):
        """Combine the stored mean/variance of class i with a new batch (Chan et al.)."""
        n_old, n_new = self.class_count_[i], Xi.shape[0]
        mu_new, var_new = Xi.mean(axis=0), Xi.var(axis=0)
        if n_old > 0:
            n = n_old + n_new
            ssd = n_old * self.var_[i] + n_new * var_new
            ssd += (n_new * n_old / n) * (self.theta_[i] - mu_new) ** 2
            mu_new = (n_new * mu_new + n_old * self.theta_[i]) / n
            var_new = ssd / n
        self.theta_[i], self.var_[i] = mu_new, var_new
        self.class_count_[i] += n_new

    def _set_prior(self):
        k = len(self.classes_)
        if self.priors is None:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
            return
        priors = np.asarray(self.priors, dtype=np.float64)
        ok = priors.shape == (k,) and np.all(priors >= 0) and np.isclose(priors.sum(), 1.0)
        _check(
            ok,
            f"{self._name('fit')}: priors must be {k} non-negative numbers summing to 1; "
            f"got {priors}",
        )
        self.class_prior_ = priors

    def _log_prior(self):
        with np.errstate(divide="ignore"):
            return np.log(self.class_prior_)

    def _joint_log_likelihood(self, X):
        log_norm = -0.5 * np.sum(np.log(2.0 * np.pi * self.var_), axis=1)
        sq = ((X[:, None, :] - self.theta_[None]) ** 2 / self.var_[None]).sum(axis=2)
        return self._log_prior() + log_norm - 0.5 * sq

    def _feature_log_terms(self, x):
        sq = (x[None, :] - self.theta_) ** 2 / self.var_
        return -0.5 * (np.log(2.0 * np.pi * self.var_) + sq)
