"""Characteristic polynomial, eig and power iteration vs NumPy, PyTorch and the notes."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.core.errors import ShapeError
from glassgrad.linalg import characteristic_polynomial, eig, power_iteration
from glassgrad.testing import assert_close, check_grads

torch = pytest.importorskip("torch")


def _real_spectrum_matrix(rng, n):
    """A non-symmetric matrix with known, distinct real eigenvalues: P diag(d) P⁻¹."""
    d = np.arange(1.0, n + 1) * 1.5 - 2.0
    P = rng.normal(size=(n, n)) + 2 * np.eye(n)
    return P @ np.diag(d) @ np.linalg.inv(P), d


def test_notes_worked_example():
    # det(A − λI) = (2 − λ)² − 1 = λ² − 4λ + 3 = 0  ⇒  λ = 1, 3
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    assert_close(characteristic_polynomial(A).numpy(), [1.0, -4.0, 3.0])
    w, V = eig(A)
    assert_close(w.numpy(), [1.0, 3.0])
    s = 1 / np.sqrt(2)
    assert_close(V.numpy(), [[s, s], [-s, s]])
    assert_close(A @ V.numpy(), V.numpy() * w.numpy())
    lam, v = power_iteration(A, generator=3)  # the dominant pair: λ = 3, v = (1, 1)/√2
    assert_close(float(lam), 3.0, rtol=1e-12)
    assert_close(v.numpy(), [s, s], atol=1e-10)


def test_characteristic_polynomial_matches_numpy_and_is_differentiable(rng):
    A = rng.normal(size=(4, 4))
    assert_close(characteristic_polynomial(A).numpy(), np.poly(A), rtol=1e-10, atol=1e-12)
    check_grads(characteristic_polynomial, (rng.normal(size=(3, 3)),), order=2)


def test_constant_coefficient_is_signed_determinant_with_torch_gradient(rng):
    A = rng.normal(size=(3, 3))
    x = gg.Tensor(A, requires_grad=True)
    characteristic_polynomial(x)[-1].backward()
    t = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    (-torch.linalg.det(t)).backward()
    assert_close(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_eig_matches_numpy_on_non_symmetric(rng, n):
    A, d = _real_spectrum_matrix(rng, n)
    w, V = eig(A)
    assert_close(w.numpy(), d, rtol=1e-8, atol=1e-9)
    assert_close(A @ V.numpy(), V.numpy() * w.numpy(), atol=1e-8)
    assert_close(np.linalg.norm(V.numpy(), axis=0), np.ones(n))


@pytest.mark.parametrize("n", [2, 3])
def test_eig_gradient_matches_torch(rng, n):
    A, _ = _real_spectrum_matrix(rng, n)
    x = gg.Tensor(A, requires_grad=True)
    w, _ = eig(x)
    gg.sum(w * w * gg.Tensor(np.arange(1.0, n + 1))).backward()
    t = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    tw = torch.sort(torch.linalg.eigvals(t).real).values
    (tw * tw * torch.arange(1.0, n + 1, dtype=torch.float64)).sum().backward()
    assert_close(x.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-9)
    check_grads(lambda a: eig(a)[0], (A,), order=1)


def test_eig_repeated_eigenvalues():
    w, V = eig(np.diag([2.0, 5.0, 2.0]))
    assert_close(w.numpy(), [2.0, 2.0, 5.0])
    assert_close(np.abs(V.numpy().T @ V.numpy()), np.eye(3), atol=1e-12)
    w, V = eig(3 * np.eye(3))
    assert_close(w.numpy(), [3.0, 3.0, 3.0])


def test_power_iteration_dominant_pair_and_gradient(rng):
    B = rng.normal(size=(5, 5))
    S = B @ B.T
    x = gg.Tensor(S, requires_grad=True)
    lam, v = power_iteration(x, generator=1)
    vals, vecs = np.linalg.eigh(S)
    assert_close(float(lam), vals[-1], rtol=1e-9)
    assert_close(abs(v.numpy() @ vecs[:, -1]), 1.0, rtol=1e-9)
    lam.backward()
    t = torch.tensor(S, dtype=torch.float64, requires_grad=True)
    torch.linalg.eigvalsh(t)[-1].backward()
    assert_close(x.grad.numpy(), t.grad.numpy(), rtol=1e-7, atol=1e-9)


def test_power_iteration_negative_dominant_and_zero_matrix():
    lam, v = power_iteration(np.diag([-4.0, 1.0]), generator=0)
    assert_close(float(lam), -4.0)
    assert_close(v.numpy(), [1.0, 0.0], atol=1e-9)
    assert float(power_iteration(np.zeros((2, 2)), generator=0)[0]) == 0.0


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: eig(np.ones((2, 3))), ShapeError, r"square matrix \(n, n\); got shape \(2, 3\)"),
        (lambda: eig(np.ones(3)), ShapeError, r"got shape \(3,\)"),
        (lambda: eig(np.array([[0.0, -1.0], [1.0, 0.0]])), ValueError, "complex eigenvalues"),
        (lambda: characteristic_polynomial(np.ones((0, 0))), ShapeError, "non-empty square"),
        (lambda: power_iteration(np.ones((3, 2))), ShapeError, r"got shape \(3, 2\)"),
        (lambda: power_iteration(np.eye(2), num_iters=0), ValueError, "num_iters must be"),
        (lambda: power_iteration(np.eye(2), tol=-1.0), ValueError, "tol must be non-negative"),
    ],
)
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()
