import numpy as np
import pytest

import glassgrad as gg
from glassgrad.analysis import (
    HessianOperator,
    classify_critical_point,
    hessian_spectrum,
    himmelblau,
    plateau,
    quadratic_bowl,
    rastrigin,
    rosenbrock,
    saddle,
    wide_sharp,
)
from glassgrad.core.errors import ShapeError


def random_problem(rng, n):
    """f(w) = ½ wᵀAw + Σ tanh(cᵢ wᵢ)·wᵢ² — non-quadratic, with a random symmetric A."""
    m = rng.normal(size=(n, n))
    a, c = gg.Tensor((m + m.T) / 2), gg.Tensor(rng.normal(size=n))
    return lambda w: 0.5 * (w * (a @ w)).sum() + (gg.tanh(c * w) * w * w).sum()


@pytest.mark.parametrize("n, method", [(6, "exact"), (50, "lanczos")])
def test_spectrum_matches_eigvalsh_of_full_hessian(rng, n, method):
    f = random_problem(rng, n)
    w0 = rng.normal(size=n)
    full = np.linalg.eigvalsh(gg.hessian(f)(w0).data)
    s = hessian_spectrum(f, gg.Tensor(w0), k=3, method=method, iters=n)
    assert s.method == method
    np.testing.assert_allclose(s.top, full[::-1][:3], rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(s.bottom, full[:3], rtol=1e-8, atol=1e-8)


def test_lanczos_with_fewer_steps_than_n_finds_separated_extremes(rng):
    n = 120
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    ev = np.concatenate([[50.0, 40.0, 30.0], rng.uniform(-1, 1, n - 6), [-20.0, -25.0, -35.0]])
    a = gg.Tensor(q @ np.diag(ev) @ q.T)
    s = hessian_spectrum(lambda w: 0.5 * (w * (a @ w)).sum(), gg.Tensor(np.zeros(n)), k=3)
    assert s.method == "lanczos" and s.hvps < n
    np.testing.assert_allclose(s.top, [50, 40, 30], rtol=1e-6)
    np.testing.assert_allclose(s.bottom, [-35, -25, -20], rtol=1e-6)


def test_hvp_agrees_with_glassgrad_hvp(rng):
    f = random_problem(rng, 5)
    w0, v = rng.normal(size=5), rng.normal(size=5)
    op = HessianOperator(f, [gg.Tensor(w0)])
    np.testing.assert_allclose(op.matvec(v), gg.hvp(f, (w0,), (v,)).data, rtol=1e-12)


def test_spectrum_of_several_parameter_tensors(rng):
    X, y = gg.Tensor(rng.normal(size=(8, 3))), gg.Tensor(rng.normal(size=8))
    W, b = gg.Tensor(rng.normal(size=3)), gg.Tensor(0.1)

    def loss(W_, b_):
        return ((gg.tanh(X @ W_ + b_) - y) ** 2).mean()

    def flat(v):
        return loss(v[:3], v[3])

    full = np.linalg.eigvalsh(gg.hessian(flat)(np.append(W.data, 0.1)).data)
    s = hessian_spectrum(loss, [W, b], k=2)
    np.testing.assert_allclose(s.top, full[::-1][:2], rtol=1e-9)


@pytest.mark.parametrize(
    "f, kind",
    [
        (lambda p: p[0] ** 2 + p[1] ** 2, "minimum"),
        (lambda p: -(p[0] ** 2) - p[1] ** 2, "maximum"),
        (lambda p: p[0] ** 2 - p[1] ** 2, "saddle"),
        (lambda p: p[0] ** 4, "degenerate"),
        (lambda p: p[0] ** 2 + p[1] ** 4, "degenerate"),
    ],
)
def test_classify_textbook_points(f, kind):
    r = classify_critical_point(f, [0.0, 0.0])
    assert r["kind"] == kind
    assert r["grad_norm"] == 0.0


def test_classify_vs_eigvalsh_and_not_critical(rng):
    f = random_problem(rng, 4)
    x = rng.normal(size=4)
    r = classify_critical_point(f, x)
    np.testing.assert_allclose(r["eigenvalues"], np.linalg.eigvalsh(gg.hessian(f)(x).data))
    assert r["kind"] == "not critical"
    np.testing.assert_allclose(r["grad_norm"], np.linalg.norm(gg.grad(f)(x).data))


def test_toy_functions_critical_points_are_what_they_claim():
    toys = (himmelblau(), quadratic_bowl(5.0), saddle(), wide_sharp(), rosenbrock(), rastrigin())
    for fn in (*toys, plateau()):
        for point, kind in fn.critical_points.items():
            r = classify_critical_point(fn, point, grad_tol=1e-4)
            assert r["kind"] == kind, (fn.name, point, r)
    np.testing.assert_allclose(
        classify_critical_point(quadratic_bowl(7.0), [0, 0])["eigenvalues"], [1.0, 7.0]
    )
    for fn in (*toys, plateau()):  # the stated Hessian at the first critical point
        point = next(iter(fn.critical_points))
        h = gg.hessian(lambda p, fn=fn: fn(p))(np.array(point)).data
        np.testing.assert_allclose(fn.hessian, h, rtol=1e-6, atol=1e-9, err_msg=fn.name)


def test_bad_input(rng):
    f = random_problem(rng, 4)
    with pytest.raises(ValueError, match=r"k must be an int in \[1, n=4\]; got 5"):
        hessian_spectrum(f, gg.Tensor(np.zeros(4)), k=5)
    with pytest.raises(ShapeError, match=r"one-element Tensor.*\(4,\)"):
        hessian_spectrum(lambda w: w * 2, gg.Tensor(np.zeros(4)), k=1)
    with pytest.raises(ValueError, match="method must be"):
        hessian_spectrum(f, gg.Tensor(np.zeros(4)), k=1, method="qr")
    with pytest.raises(ShapeError, match="last axis 2"):
        saddle()(gg.Tensor([1.0, 2.0, 3.0]))
