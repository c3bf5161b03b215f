"""GaussianMixture vs scikit-learn from the same start; Kalman filter vs the batch posterior."""

import numpy as np
import pytest

from glassgrad.prob.kalman import KalmanFilter
from glassgrad.prob.mixture import GaussianMixture

sk_mixture = pytest.importorskip("sklearn.mixture")


def _blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [6.0, 1.0], [1.0, 7.0]])
    cov = np.array([[1.0, 0.3], [0.3, 0.5]])
    parts = [rng.multivariate_normal(c, cov, 60 + 20 * i) for i, c in enumerate(centers)]
    X = np.concatenate(parts)
    return X, centers


def test_gmm_matches_sklearn_from_the_same_init():
    X, centers = _blobs()
    init = dict(weights_init=[0.3, 0.3, 0.4], means_init=centers + 0.5,
                precisions_init=np.stack([np.eye(2)] * 3))  # fmt: skip
    ours = GaussianMixture(3, max_iter=200, tol=1e-10, **init).fit(X)
    theirs = sk_mixture.GaussianMixture(3, max_iter=200, tol=1e-10, **init).fit(X)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.covariances_, theirs.covariances_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.weights_, theirs.weights_, rtol=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-8)
    np.testing.assert_allclose(ours.score_samples(X), theirs.score_samples(X), rtol=1e-9)
    assert ours.score(X) == pytest.approx(theirs.score(X), rel=1e-10)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    assert ours.converged_ and ours.n_iter_ == theirs.n_iter_


def test_gmm_random_init_recovers_separated_blobs():
    X, centers = _blobs()
    gm = GaussianMixture(3, generator=1).fit(X)
    found = gm.means_[np.argsort(gm.means_[:, 0] + 10 * gm.means_[:, 1])]
    expected = centers[np.argsort(centers[:, 0] + 10 * centers[:, 1])]
    np.testing.assert_allclose(found, expected, atol=0.4)
    np.testing.assert_allclose(np.sort(gm.weights_), [60 / 240, 80 / 240, 100 / 240], atol=0.02)


def test_gmm_one_component_is_the_sample_mean_and_covariance():
    X, _ = _blobs()
    gm = GaussianMixture(1, reg_covar=0.0).fit(X)
    np.testing.assert_allclose(gm.means_[0], X.mean(0), rtol=1e-12)
    np.testing.assert_allclose(gm.covariances_[0], np.cov(X.T, bias=True), rtol=1e-10)


def test_kalman_static_state_equals_the_batch_posterior():
    # x ~ N(m0, v0), z_i ~ N(x, r): posterior precision 1/v0 + n/r, mean (m0/v0 + sum z / r) / prec
    z = np.random.default_rng(2).normal(3.0, 0.5, 25)
    m0, v0, r = 1.0, 4.0, 0.25
    means, variances = KalmanFilter(m0, v0, observation_var=r).filter(z)
    n = np.arange(1, 26)
    prec = 1 / v0 + n / r
    np.testing.assert_allclose(variances, 1 / prec, rtol=1e-13)
    np.testing.assert_allclose(means, (m0 / v0 + np.cumsum(z) / r) / prec, rtol=1e-13)


def test_kalman_random_walk_steady_state_variance():
    # with a = 1: the predicted variance P solves P = P r / (P + r) + q
    q, r = 0.1, 1.0
    _, variances = KalmanFilter(0.0, 1.0, process_var=q, observation_var=r).filter(np.zeros(200))
    p = (q + np.sqrt(q * q + 4 * q * r)) / 2
    assert variances[-1] == pytest.approx(p * r / (p + r), rel=1e-12)


BAD = [
    (
        lambda: GaussianMixture(0).fit(np.zeros((3, 1))),
        ValueError,
        "n_components must be an int >= 1",
    ),
    (lambda: GaussianMixture(2).fit(np.zeros(3)), ValueError, "X must be a finite 2-D array"),
    (lambda: GaussianMixture(5).fit(np.zeros((3, 1))), ValueError, "need at least n_components=5"),
    (
        lambda: GaussianMixture(1).fit(np.ones((4, 2))).predict(np.ones((2, 3))),
        ValueError,
        "X has 3 features, expected 2",
    ),
    (
        lambda: KalmanFilter(initial_var=-1.0),
        ValueError,
        "initial_var must be a finite number >= 0",
    ),
    (lambda: KalmanFilter(observation_var=0.0), ValueError, "observation_var must be positive"),
    (lambda: KalmanFilter().filter([[1.0]]), ValueError, "observations must be a finite 1-D"),
]


def test_bad_input(make, err, match):  # one case per row of BAD (see conftest.py)
    with pytest.raises(err, match=match):
        make()
