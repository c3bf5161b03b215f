import numpy as np
import pytest

import glassgrad as gg
from glassgrad.analysis import (
    compare_optimizers,
    gradient_flow,
    newton_vs_gd,
    pca_project,
    quadratic_bowl,
    rnn_gradient_demo,
    rosenbrock,
    trajectory,
    vanishing_gradient_demo,
)
from glassgrad.core.errors import GradError, ShapeError
from glassgrad.optim import SGD

A = np.array([[3.0, 1.0], [1.0, 2.0]])


def quad(x):
    return 0.5 * (x * (gg.Tensor(A) @ x)).sum()


def test_gd_matches_closed_form_iterates():
    eta, x0 = 0.2, np.array([1.0, -2.0])
    t = trajectory(quad, x0, "sgd", steps=15, lr=eta)
    step = np.eye(2) - eta * A
    expected = [np.linalg.matrix_power(step, k) @ x0 for k in range(16)]
    np.testing.assert_allclose(t.path, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.losses, [0.5 * e @ A @ e for e in expected], rtol=1e-12)
    assert not t.diverged


def test_divergence_above_two_over_L_is_reported_not_raised():
    big = 2.0 / np.linalg.eigvalsh(A).max()
    t = trajectory(quad, [1.0, 1.0], SGD, steps=2000, lr=1.05 * big)
    assert t.diverged and "steps" in t.reason
    assert len(t.path) < 2001
    ok = trajectory(quad, [1.0, 1.0], SGD, steps=200, lr=0.95 * big)
    assert not ok.diverged and np.linalg.norm(ok.path[-1]) < 1e-2


def test_overflow_to_nan_is_reported():
    t = trajectory(lambda x: (gg.exp(x * x)).sum(), [3.0], "sgd", steps=50, lr=1.0, max_norm=1e300)
    assert t.diverged and "non-finite" in t.reason


def test_momentum_nesterov_adam_match_torch():
    torch = pytest.importorskip("torch")
    bowl = quadratic_bowl(10.0)
    runs = {
        "mom": (torch.optim.SGD, dict(lr=0.05, momentum=0.9), ("sgd", dict(lr=0.05, momentum=0.9))),
        "nag": (
            torch.optim.SGD,
            dict(lr=0.05, momentum=0.9, nesterov=True),
            ("sgd", dict(lr=0.05, momentum=0.9, nesterov=True)),
        ),
        "adam": (torch.optim.Adam, dict(lr=0.1), ("adam", dict(lr=0.1))),
    }
    ours = compare_optimizers(bowl, [1.5, 1.0], {k: v[2] for k, v in runs.items()}, steps=20)
    for k, (cls, hyper, _) in runs.items():
        p = torch.tensor([1.5, 1.0], dtype=torch.float64, requires_grad=True)
        opt = cls([p], **hyper)
        path = [p.detach().numpy().copy()]
        for _ in range(20):
            opt.zero_grad()
            (0.5 * (p[0] ** 2 + 10.0 * p[1] ** 2)).backward()
            opt.step()
            path.append(p.detach().numpy().copy())
        np.testing.assert_allclose(ours[k].path, path, rtol=1e-10, atol=1e-12)


def test_newton_vs_gd_on_ill_conditioned_quadratic():
    r = newton_vs_gd(quadratic_bowl(100.0), [1.0, 1.0], lr=0.009, steps=10)
    np.testing.assert_allclose(r["newton"].path[1], [0.0, 0.0], atol=1e-12)
    assert r["gd"].losses[-1] > 1e-3  # GD still crawling along the flat direction
    t = trajectory(rosenbrock(), [-1.0, 1.5], "newton", steps=30, line_search=True)
    np.testing.assert_allclose(t.path[-1], [1.0, 1.0], atol=1e-6)


def test_unknown_optimizer_and_bad_f():
    with pytest.raises(ValueError, match=r"unknown optimizer 'lbfgs'"):
        trajectory(quad, [1.0, 1.0], "lbfgs")
    with pytest.raises(TypeError, match="optimizer must be a name"):
        trajectory(quad, [1.0, 1.0], 3)
    with pytest.raises(ShapeError, match=r"one-element Tensor; got \(2,\)"):
        trajectory(lambda x: x * 2, [1.0, 1.0], "sgd", steps=1, lr=0.1)


def test_pca_project_recovers_a_line_and_matches_sklearn(rng):
    pts = rng.normal(size=(12, 6))
    coords, comps, explained = pca_project(pts, center=pts.mean(0))
    from sklearn.decomposition import PCA

    ref = PCA(2).fit(pts)
    np.testing.assert_allclose(explained, ref.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(np.abs(comps @ ref.components_.T), np.eye(2), atol=1e-10)
    with pytest.raises(ShapeError, match="n_components"):
        pca_project(pts, n_components=7)


def test_vanishing_sigmoid_but_not_relu_he():
    sig = vanishing_gradient_demo(depth=10, activation="sigmoid")
    relu = vanishing_gradient_demo(depth=10, activation="relu")
    assert sig[0] / sig[-1] < 1e-3
    assert 0.1 < relu[0] / relu[-1] < 10
    with pytest.raises(ValueError, match="activation must be one of"):
        vanishing_gradient_demo(activation="softsign")


@pytest.mark.parametrize("radius", [0.8, 1.0, 1.25])
def test_rnn_gradient_growth_is_radius_to_the_t(radius):
    g = rnn_gradient_demo(radius, steps=20)
    k = np.arange(20, -1, -1)
    np.testing.assert_allclose(g / g[-1], radius**k, rtol=1e-10)
    t = rnn_gradient_demo(radius, steps=20, nonlinearity="tanh")
    assert np.all(t <= g * (1 + 1e-12))  # tanh' ≤ 1 only shrinks


def test_gradient_flow_per_layer(rng):
    w1 = gg.Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    b1 = gg.Tensor(rng.normal(size=4), requires_grad=True)
    w2 = gg.Tensor(rng.normal(size=(1, 4)), requires_grad=True)
    x = gg.Tensor(rng.normal(size=(5, 3)))
    loss = (gg.tanh(x @ w1.T + b1) @ w2.T).mean()
    named = {"0.weight": w1, "0.bias": b1, "1.weight": w2}
    r = gradient_flow(named, loss)
    gw1, gb1, gw2 = gg.grad(lambda a, b, c: (gg.tanh(x @ a.T + b) @ c.T).mean(), argnums=(0, 1, 2))(
        w1.data, b1.data, w2.data
    )
    assert r["params"]["1.weight"] == pytest.approx(np.linalg.norm(gw2.data))
    assert r["layers"]["0"] == pytest.approx(
        np.hypot(np.linalg.norm(gw1.data), np.linalg.norm(gb1.data))
    )
    assert w1.grad is None  # .grad is untouched
    with pytest.raises(GradError, match=r"one element; got shape \(5, 1\)"):
        gradient_flow(named, gg.tanh(x @ w1.T + b1) @ w2.T)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Newton"])
def test_every_optimizer_by_name_records_its_own_steps(name):
    import glassgrad.optim as optim

    hyper = {} if name == "Newton" else {"lr": 0.05}
    t = trajectory(quad, [1.0, -2.0], name.lower(), steps=12, **hyper)
    # the same optimizer driven by hand from the same start
    x = gg.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    opt = getattr(optim, name)([x], **hyper)
    path = [x.data.copy()]
    for _ in range(12):

        def closure():
            opt.zero_grad()
            loss = quad(x)
            if loss.requires_grad:
                loss.backward()
            return loss

        opt.step(closure)
        path.append(x.data.copy())
    np.testing.assert_allclose(t.path, path, rtol=1e-13, atol=1e-15)
    assert not t.diverged and t.losses[-1] < t.losses[0]
    assert t.label.startswith(name.lower())
