"""Truncated SVD, Eckart–Young and PCA vs NumPy, PyTorch and scikit-learn."""

import functools

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.core.errors import ShapeError
from glassgrad.linalg import (
    PCA,
    eckart_young,
    explained_variance,
    low_rank_approx,
    reconstruction_error,
)
from glassgrad.testing import assert_close, check_grads

torch = pytest.importorskip("torch")


def _truncated(W, r):
    U, s, Vh = np.linalg.svd(W, full_matrices=False)
    return (U[:, :r] * s[:r]) @ Vh[:r], s


@pytest.mark.parametrize("shape", [(6, 4), (3, 5)])
def test_low_rank_approx_matches_numpy_truncated_svd(rng, shape):
    W = rng.normal(size=shape)
    for r in range(min(shape) + 1):
        approx = low_rank_approx(W, r).numpy()
        assert_close(approx, _truncated(W, r)[0], atol=1e-12)
        assert np.linalg.matrix_rank(approx) == r
    assert_close(low_rank_approx(W, min(shape)).numpy(), W, atol=1e-12)


def test_low_rank_approx_gradient_matches_torch(rng):
    W, C = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    x = gg.Tensor(W, requires_grad=True)
    gg.sum(low_rank_approx(x, 2) * C).backward()
    t = torch.tensor(W, dtype=torch.float64, requires_grad=True)
    U, S, Vh = torch.linalg.svd(t, full_matrices=False)
    ((U[:, :2] * S[:2]) @ Vh[:2] * torch.tensor(C)).sum().backward()
    assert_close(x.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-10)
    check_grads(lambda a: low_rank_approx(a, 2), (W[:4, :3],), order=1)


@pytest.mark.parametrize("r", [0, 1, 2, 3, 4])
def test_eckart_young_identity(rng, r):
    W = rng.normal(size=(6, 4))
    s = np.linalg.svd(W, compute_uv=False)
    report = eckart_young(W, r)
    assert_close(report["fro_error"] ** 2, np.sum(s[r:] ** 2), atol=1e-12)
    assert_close(report["fro_error"], report["fro_predicted"], atol=1e-12)
    assert_close(report["spectral_error"], report["spectral_predicted"], atol=1e-12)
    assert_close(report["spectral_predicted"], s[r] if r < 4 else 0.0)


def test_truncated_svd_beats_other_rank_r_projections(rng):
    W = rng.normal(size=(8, 6))
    best = float(reconstruction_error(W, 2))
    for _ in range(20):
        Q, _ = np.linalg.qr(rng.normal(size=(8, 2)))
        assert best <= np.linalg.norm(W - Q @ (Q.T @ W)) + 1e-12


def test_reconstruction_error_orders(rng):
    W = rng.normal(size=(5, 5))
    _, s = _truncated(W, 2)
    assert_close(float(reconstruction_error(W, 2)), np.sqrt(np.sum(s[2:] ** 2)))
    assert_close(float(reconstruction_error(W, 2, ord=2)), s[2])
    assert_close(float(reconstruction_error(W, 2, ord="nuc")), np.sum(s[2:]))


def test_explained_variance(rng):
    s = np.sort(rng.uniform(0.1, 3.0, size=5))[::-1]
    assert_close(explained_variance(s).numpy(), s**2 / np.sum(s**2))
    cum = explained_variance(s, cumulative=True).numpy()
    assert_close(cum, np.cumsum(s**2) / np.sum(s**2))
    assert_close(cum[-1], 1.0)
    check_grads(explained_variance, (s,), order=2)


@functools.cache
def _datasets():
    from sklearn.datasets import load_digits, load_iris

    # the first 400 digits keep the test fast; all 64 pixel features stay
    return {"digits": load_digits().data[:400], "iris": load_iris().data}


@pytest.mark.parametrize("name", ["digits", "iris"])
@pytest.mark.parametrize(("k", "whiten"), [(2, False), (3, True), (0.9, False), (None, False)])
def test_pca_matches_sklearn(name, k, whiten):
    from sklearn.decomposition import PCA as SkPCA

    X = _datasets()[name]
    ours = PCA(k, whiten=whiten).fit(X)
    ref = SkPCA(k, whiten=whiten, svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    for attr in (
        "components_",
        "explained_variance_",
        "explained_variance_ratio_",
        "singular_values_",
        "mean_",
    ):
        assert_close(getattr(ours, attr).numpy(), getattr(ref, attr), rtol=1e-9, atol=1e-10)
    assert_close(ours.noise_variance_, ref.noise_variance_, rtol=1e-9, atol=1e-12)
    Z = ours.transform(X)
    assert_close(Z.numpy(), ref.transform(X), rtol=1e-9, atol=1e-9)
    assert_close(ours.fit_transform(X).numpy(), ref.transform(X), rtol=1e-9, atol=1e-9)
    assert_close(
        ours.inverse_transform(Z).numpy(),
        ref.inverse_transform(ref.transform(X)),
        rtol=1e-9,
        atol=1e-9,
    )


def test_pca_keeping_every_component_reconstructs_exactly(rng):
    X = rng.normal(size=(10, 4))
    pca = PCA().fit(X)
    assert_close(pca.inverse_transform(pca.transform(X)).numpy(), X, atol=1e-12)
    assert_close(float(gg.sum(pca.explained_variance_ratio_)), 1.0)


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (
            lambda: low_rank_approx(np.ones((3, 4)), 4),
            ValueError,
            r"r must be an int in \[0, min\(m, n\)\] = \[0, 3\] for W of shape \(3, 4\); got 4",
        ),
        (lambda: low_rank_approx(np.ones((3, 4)), -1), ValueError, "got -1"),
        (lambda: low_rank_approx(np.ones((3, 4)), 1.5), ValueError, "got 1.5"),
        (lambda: low_rank_approx(np.ones(3), 1), ShapeError, r"2-D matrix; got shape \(3,\)"),
        (lambda: reconstruction_error(np.ones((2, 2)), 1, ord="max"), ValueError, "ord must be"),
        (lambda: eckart_young(np.ones((2, 2)), 3), ValueError, r"= \[0, 2\]"),
        (lambda: explained_variance(np.ones((2, 2))), ValueError, r"1-D .* got shape \(2, 2\)"),
        (lambda: explained_variance([-1.0, 2.0]), ValueError, ">= 0"),
        (
            lambda: PCA(5).fit(np.ones((4, 3))),
            ValueError,
            r"n_components must be an int in \[0, min\(n_samples, n_features\)\] = \[0, 3\].*got 5",
        ),
        (
            lambda: PCA(1).fit(np.ones((1, 3))),
            ValueError,
            r"at least 2 samples; got shape \(1, 3\)",
        ),
        (lambda: PCA(1).fit(np.ones(3)), ShapeError, r"X must be a 2-D matrix; got shape \(3,\)"),
        (lambda: PCA(1).transform(np.ones((2, 3))), RuntimeError, "not fitted yet"),
        (
            lambda: PCA(1).fit(np.eye(3)).transform(np.ones((2, 4))),
            ShapeError,
            r"3 columns; got shape \(2, 4\)",
        ),
        (
            lambda: PCA(1).fit(np.eye(3)).inverse_transform(np.ones((2, 2))),
            ShapeError,
            r"1 columns; got shape \(2, 2\)",
        ),
    ],
)
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()
