"""Decompositions re-exported by glassgrad.linalg: values vs NumPy, gradients vs PyTorch.

Eigenvectors and singular vectors are only defined up to sign, so gradients are compared on
gauge-invariant losses: functions of the eigenvalues, of the singular values, of projectors
v vᵀ and of the product U diag(s) Vᵀ.
"""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import linalg as LA
from glassgrad.testing import assert_close, check_grads

torch = pytest.importorskip("torch")


def _sym(rng, n):
    B = rng.normal(size=(n, n))
    return B + B.T


def _spd(rng, n):
    B = rng.normal(size=(n, n))
    return B @ B.T + n * np.eye(n)


def _compare(gg_loss, torch_loss, *arrays, rtol=1e-8, atol=1e-10):
    xs = [gg.Tensor(a, requires_grad=True) for a in arrays]
    value = gg_loss(*xs)
    value.backward()
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    tvalue = torch_loss(*ts)
    tvalue.backward()
    assert_close(float(value), tvalue.detach().item(), rtol=1e-10, atol=1e-12)
    for x, t in zip(xs, ts, strict=True):
        assert_close(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


def test_reexported_names_are_the_core_functions():
    from glassgrad.core.ops import linalg as core

    for name in (
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
    ):
        assert getattr(LA, name) is getattr(core, name)
        assert name in LA.__all__


def test_eigh_values_and_gauge_invariant_gradients(rng):
    A = _sym(rng, 4)
    w, V = LA.eigh(A)
    ref_w, _ = np.linalg.eigh(A)
    assert_close(w.numpy(), ref_w, atol=1e-12)
    assert_close(A @ V.numpy(), V.numpy() * w.numpy(), atol=1e-12)
    C = rng.normal(size=(4, 4))

    def ours(a):
        w, V = LA.eigh(a)
        top = V[:, -1:]
        return gg.sum(w * w) + gg.sum(gg.matmul(top, top.T) * C)

    def theirs(a):  # eigh reads the lower triangle: the upper one has zero gradient
        w, V = torch.linalg.eigh(torch.tril(a) + torch.tril(a, -1).T)
        top = V[:, -1:]
        return (w * w).sum() + (top @ top.T * torch.tensor(C)).sum()

    _compare(ours, theirs, A)
    check_grads(lambda a: LA.eigvalsh(a + a.T), (rng.normal(size=(3, 3)),), order=2)


def test_svd_values_and_gauge_invariant_gradients(rng):
    A = rng.normal(size=(5, 3))
    U, s, Vh = LA.svd(A, full_matrices=False)
    assert_close(s.numpy(), np.linalg.svd(A, compute_uv=False), atol=1e-12)
    assert_close((U.numpy() * s.numpy()) @ Vh.numpy(), A, atol=1e-12)
    C = rng.normal(size=(5, 3))

    def ours(a):
        U, s, Vh = LA.svd(a, full_matrices=False)
        rebuilt = gg.matmul(U[:, :2] * s[:2], Vh[:2])  # ‖U_k diag(s_k) V_kᵀ‖-type loss
        return gg.sum(rebuilt * C) + gg.sum(s[:2])  # plus the top-2 singular values

    def theirs(a):
        U, s, Vh = torch.linalg.svd(a, full_matrices=False)
        return ((U[:, :2] * s[:2]) @ Vh[:2] * torch.tensor(C)).sum() + s[:2].sum()

    _compare(ours, theirs, A)
    _compare(
        lambda a: gg.sum(LA.svdvals(a) ** 2), lambda a: (torch.linalg.svdvals(a) ** 2).sum(), A
    )
    check_grads(LA.svdvals, (rng.normal(size=(3, 2)),), order=2)


def test_qr_and_cholesky_gradients(rng):
    A = rng.normal(size=(4, 3))
    Q, R = LA.qr(A)
    assert_close(Q.numpy() @ R.numpy(), A, atol=1e-12)
    C1, C2 = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    _compare(
        lambda a: gg.sum(LA.qr(a)[0] * C1) + gg.sum(LA.qr(a)[1] * C2),
        lambda a: (
            (torch.linalg.qr(a)[0] * torch.tensor(C1)).sum()
            + (torch.linalg.qr(a)[1] * torch.tensor(C2)).sum()
        ),
        A,
    )
    S = _spd(rng, 3)
    assert_close(LA.cholesky(S).numpy(), np.linalg.cholesky(S), atol=1e-12)
    _compare(
        lambda a: gg.sum(LA.cholesky(a) * C2),
        lambda a: (torch.linalg.cholesky(a) * torch.tensor(C2)).sum(),
        S,
    )


def test_solve_inv_det_slogdet_pinv_matrix_power(rng):
    A, b = rng.normal(size=(3, 3)) + 3 * np.eye(3), rng.normal(size=(3, 2))
    assert_close(LA.solve(A, b).numpy(), np.linalg.solve(A, b), atol=1e-12)
    assert_close(LA.inv(A).numpy(), np.linalg.inv(A), atol=1e-12)
    assert_close(float(LA.det(A)), np.linalg.det(A))
    sign, logdet = LA.slogdet(A)
    assert_close((float(sign), float(logdet)), np.linalg.slogdet(A))
    _compare(
        lambda a, c: gg.sum(LA.solve(a, c) ** 2),
        lambda a, c: (torch.linalg.solve(a, c) ** 2).sum(),
        A,
        b,
    )
    _compare(lambda a: gg.sum(LA.inv(a) ** 2), lambda a: (torch.linalg.inv(a) ** 2).sum(), A)
    _compare(LA.det, torch.linalg.det, A)
    _compare(lambda a: LA.slogdet(a)[1], lambda a: torch.linalg.slogdet(a)[1], A)
    M = rng.normal(size=(4, 3))
    _compare(lambda a: gg.sum(LA.pinv(a) ** 2), lambda a: (torch.linalg.pinv(a) ** 2).sum(), M)
    _compare(
        lambda a: gg.sum(LA.matrix_power(a, 3)), lambda a: torch.linalg.matrix_power(a, 3).sum(), A
    )
    check_grads(LA.det, (A,), order=2)
    check_grads(LA.inv, (A,), order=2)


@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh_reads_one_triangle_in_value_and_gradient(rng, uplo):
    # NumPy's eigh never looks at the other triangle, so neither may the gradient: central
    # differences of numpy.linalg.eigh itself are the oracle, entry by entry.
    import glassgrad.numpy as gnp

    a = rng.normal(size=(4, 4))
    c = rng.normal(size=4)
    w, _ = gnp.linalg.eigh(a, UPLO=uplo)
    assert_close(w.numpy(), np.linalg.eigh(a, UPLO=uplo)[0], atol=1e-12)
    g = gg.grad(lambda x: gg.sum(gnp.linalg.eigh(x, UPLO=uplo)[0] * c))(a).numpy()
    fd, h = np.zeros_like(a), 1e-6
    for idx in np.ndindex(a.shape):
        e = np.zeros_like(a)
        e[idx] = h
        up, down = np.linalg.eigh(a + e, UPLO=uplo)[0], np.linalg.eigh(a - e, UPLO=uplo)[0]
        fd[idx] = (up - down) @ c / (2 * h)
    assert_close(g, fd, atol=1e-8)
    unread = np.triu(np.ones((4, 4)), 1) if uplo == "L" else np.tril(np.ones((4, 4)), -1)
    assert np.all(g[unread == 1] == 0.0)
    gv = gg.grad(lambda x: gg.sum(gnp.linalg.eigvalsh(x, UPLO=uplo) * c))(a).numpy()
    assert_close(gv, g, atol=1e-12)


def test_eigh_rejects_a_bad_uplo():
    with pytest.raises(ValueError, match="UPLO must be 'L' or 'U'"):
        gg.eigh(np.eye(2), UPLO="X")


def test_eig_real_spectrum_values_and_gradients(rng):
    import glassgrad.numpy as gnp

    b = np.eye(4) + 0.3 * rng.normal(size=(4, 4))
    a = (b * np.array([-1.0, 0.5, 2.0, 3.5])) @ np.linalg.inv(b)
    w, v = gnp.linalg.eig(a)
    rw, rv = np.linalg.eig(a)
    assert_close(w.numpy(), rw, atol=1e-12)
    assert_close(v.numpy(), rv, atol=1e-12)
    assert_close(gnp.linalg.eigvals(a).numpy(), rw, atol=1e-12)
    check_grads(lambda x: gnp.linalg.eig(x), (a,), order=2, modes=("fwd", "rev"))
    # d(sum w)/dA = I (the trace); the eigenvalue gradient is (V⁻ᵀ diag(c) Vᵀ)
    assert_close(gg.grad(lambda x: gg.sum(gnp.linalg.eig(x)[0]))(a).numpy(), np.eye(4))


def test_eig_raises_for_complex_eigenvalues():
    import glassgrad.numpy as gnp

    with pytest.raises(ValueError, match="complex eigenvalues"):
        gnp.linalg.eig([[0.0, -1.0], [1.0, 0.0]])
