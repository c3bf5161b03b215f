import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from scipy import stats

import glassgrad as gg
from glassgrad.analysis import himmelblau, loss_landscape_1d, loss_landscape_2d, trajectory
from glassgrad.viz import (
    bernoulli_bars,
    decision_boundary,
    eigen_transform,
    gaussian_curves,
    gradient_field,
    learning_rate_comparison,
    optimizer_comparison,
    plot_gradient_flow,
    plot_interpolation,
    plot_landscape,
    plot_rnn_gradients,
    plot_trajectories,
    plot_vanishing_gradients,
    prior_posterior,
    save_figure,
    tangent_slopes,
    training_curves,
    unit_balls,
)


def is_figure(fig):
    from matplotlib.figure import Figure

    return isinstance(fig, Figure)


def test_save_figure_writes_png_and_svg(tmp_path):
    fig, data = unit_balls()
    paths = save_figure(fig, tmp_path / "balls")
    assert [p[-4:] for p in paths] == [".png", ".svg"]
    with open(paths[0], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    ET.parse(paths[1])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["balls.png", "balls.svg"]
    with pytest.raises(ValueError, match="formats must be png, svg or pdf; got 'gif'"):
        save_figure(fig, tmp_path / "x", formats=("gif",))


def test_tangent_slopes_are_2x():
    fig, d = tangent_slopes()
    assert is_figure(fig)
    np.testing.assert_allclose(d["slopes"], 2 * d["points"])
    np.testing.assert_allclose(d["values"], d["points"] ** 2)


def test_gradient_field_matches_analytic():
    fig, d = gradient_field(himmelblau(), n=7)
    X, Y = d["X"], d["Y"]
    np.testing.assert_allclose(d["U"], 4 * X * (X * X + Y - 11) + 2 * (X + Y * Y - 7))
    np.testing.assert_allclose(d["V"], 2 * (X * X + Y - 11) + 4 * Y * (X + Y * Y - 7))
    assert is_figure(fig)


def test_unit_balls_have_unit_norm_and_known_shapes():
    fig, d = unit_balls()
    for p, pts in d.items():
        np.testing.assert_allclose(np.linalg.norm(pts, ord=p, axis=1), 1.0, rtol=1e-12)
    assert np.abs(d[1]).sum(1).max() == pytest.approx(1.0)  # diamond: |x| + |y| = 1
    assert np.abs(d[math.inf]).max() == pytest.approx(1.0)  # square


def test_eigen_transform():
    fig, d = eigen_transform([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(sorted(d["eigenvalues"]), [1.0, 3.0])
    A = np.array([[2.0, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(d["image"], A @ d["circle"])
    for lam, v in zip(d["eigenvalues"], d["eigenvectors"].T, strict=True):
        np.testing.assert_allclose(A @ v, lam * v)
    with pytest.raises(ValueError, match=r"2x2; got shape \(3,\)"):
        eigen_transform([1.0, 2.0, 3.0])


def test_bernoulli_and_gaussian_vs_scipy():
    _, d = bernoulli_bars((0.3, 0.9))
    for p, v in d.items():
        np.testing.assert_allclose(v["pmf"], stats.bernoulli(p).pmf([0, 1]))
        assert v["mean"] == pytest.approx(stats.bernoulli(p).mean())
        assert v["std"] == pytest.approx(stats.bernoulli(p).std())
    _, g = gaussian_curves(((0.0, 1.0), (1.0, 0.5)))
    for mu, s in ((0.0, 1.0), (1.0, 0.5)):
        np.testing.assert_allclose(g[(mu, s)], stats.norm(mu, s).pdf(g["x"]), rtol=1e-12)


def test_prior_posterior_is_the_conjugate_beta():
    _, d = prior_posterior(2.0, 3.0, heads=7, tails=2)
    np.testing.assert_allclose(
        d["posterior"], stats.beta(9, 5).pdf(d["theta"]), rtol=1e-3, atol=1e-4
    )
    assert d["posterior_mean"] == pytest.approx(9 / 14, rel=1e-5)


def test_decision_boundary_of_a_linear_classifier(rng):
    X = rng.normal(size=(60, 2))
    w, b = np.array([1.0, -2.0]), 0.3
    y = (X @ w + b > 0).astype(int)
    fig, d = decision_boundary(lambda P: P @ gg.Tensor(w) + b, X, y, resolution=40)
    expected = (d["xx"] * w[0] + d["yy"] * w[1] + b > 0).astype(int)
    np.testing.assert_array_equal(d["classes"], expected)
    assert d["accuracy"] == 1.0
    two = np.stack([-(X @ w + b), X @ w + b], axis=1)
    _, d2 = decision_boundary(
        lambda P: gg.Tensor(np.stack([-(P.data @ w + b), P.data @ w + b], 1)), X, y, 40
    )
    np.testing.assert_array_equal(d2["classes"], expected)
    assert two.shape == (60, 2)
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\); got \(60, 3\)"):
        decision_boundary(lambda P: P, rng.normal(size=(60, 3)), y)


def test_training_curves():
    h = {"train_loss": [1.0, 0.5, 0.2], "val_loss": [1.1, 0.6, 0.4], "val_acc": [0.5, 0.7, 0.8]}
    fig, data = training_curves(h)
    assert data is h and len(fig.axes) == 2
    with pytest.raises(ValueError, match="non-empty dict"):
        training_curves([])


def test_learning_rate_picture_shows_divergence_without_crashing():
    fig, runs = learning_rate_comparison()
    assert is_figure(fig)
    small, good, large = runs.values()
    assert large.diverged and not good.diverged and not small.diverged
    assert good.losses[-1] < small.losses[-1]
    assert any("diverged" in t.get_text() for t in fig.axes[0].get_legend().get_texts())


def test_optimizer_comparison_newton_reaches_rosenbrock_minimum():
    fig, runs = optimizer_comparison(steps=60)
    assert set(runs) == {"GD", "momentum", "Nesterov", "Adam", "Newton"}
    np.testing.assert_allclose(runs["Newton"].path[-1], [1.0, 1.0], atol=1e-6)
    assert runs["momentum"].losses[-1] < runs["GD"].losses[-1]


def test_landscape_and_flow_plots(rng):
    w = gg.Tensor(rng.normal(size=(3, 2)))

    def loss(ps):
        return (ps[0] ** 2).sum()

    r2 = loss_landscape_2d([w], loss, steps=5, generator=0)
    for kind in ("contour", "surface"):
        fig, data = plot_landscape(r2, kind=kind)
        assert is_figure(fig) and data is r2
    with pytest.raises(ValueError, match="kind must be"):
        plot_landscape(r2, kind="heat")
    fig, _ = plot_interpolation(loss_landscape_1d([w], loss, steps=5, generator=0))
    assert is_figure(fig)
    fig, norms = plot_gradient_flow({"0": 1e-6, "1": 1e-3, "2": 1.0})
    assert fig.axes[0].get_yscale() == "log"
    fig, data = plot_rnn_gradients((0.9, 1.1), steps=10)
    np.testing.assert_allclose(data[1.1][0] / data[1.1][-1], 1.1**10)
    t = {"gd": trajectory(himmelblau(), [0.0, 0.0], "sgd", steps=20, lr=0.01)}
    fig, _ = plot_trajectories(himmelblau(), t)
    assert is_figure(fig)
    fig, data = plot_vanishing_gradients(depth=6)
    assert data["sigmoid"][0] / data["sigmoid"][-1] < 1e-2 < data["relu"][0] / data["relu"][-1]


def test_bad_input_names_the_argument(rng):
    w = gg.Tensor(rng.normal(size=3))
    r1 = loss_landscape_1d([w], lambda ps: (ps[0] ** 2).sum(), steps=3, generator=0)
    with pytest.raises(ValueError, match=r"plot_landscape: needs a 2-D landscape.*shape \(3,\)"):
        plot_landscape(r1)
    r2 = loss_landscape_2d([w], lambda ps: (ps[0] ** 2).sum(), steps=3, generator=0)
    with pytest.raises(
        ValueError, match=r"plot_interpolation: needs 1-D losses; got shape \(3, 3\)"
    ):
        plot_interpolation(r2)
    with pytest.raises(ValueError, match=r"gradient_field: bounds must be .*got None"):
        gradient_field(lambda p: (p * p).sum(-1))
    with pytest.raises(ValueError, match=r"bernoulli_bars: each p must be in \[0, 1\]"):
        bernoulli_bars((0.5, 1.5))
    with pytest.raises(ValueError, match="gaussian_curves: each sigma must be > 0"):
        gaussian_curves(((0.0, 0.0),))
    with pytest.raises(ValueError, match="prior_posterior: need a, b > 0.*a=0"):
        prior_posterior(a=0)
    _, d = gradient_field(lambda p: (p * p).sum(-1), bounds=((-1, 1), (0, 2)), n=3)
    np.testing.assert_allclose(d["U"], 2 * d["X"])
    np.testing.assert_allclose(d["Y"][-1], 2.0)


def all_drawings():
    w = gg.Tensor(np.ones((2, 2)))
    r2 = loss_landscape_2d([w], lambda ps: (ps[0] ** 2).sum(), steps=4, generator=0)
    t = {"gd": trajectory(himmelblau(), [0.0, 0.0], "sgd", steps=5, lr=0.01)}
    return {
        "tangent": lambda: tangent_slopes(),
        "field": lambda: gradient_field(himmelblau(), n=5),
        "balls": lambda: unit_balls(n=50),
        "eigen": lambda: eigen_transform(n=50),
        "bernoulli": lambda: bernoulli_bars(),
        "gauss": lambda: gaussian_curves(n=50),
        "bayes": lambda: prior_posterior(n=51),
        "boundary": lambda: decision_boundary(lambda P: P[:, 0], [[0, 0], [1, 1]], [0, 1], 10),
        "curves": lambda: training_curves({"loss": [1.0, 0.5]}),
        "interpolation": lambda: plot_interpolation(
            loss_landscape_1d([w], lambda ps: (ps[0] ** 2).sum(), steps=4, generator=0)
        ),
        "learning_rates": lambda: learning_rate_comparison(steps=5),
        "optimizers": lambda: optimizer_comparison(steps=5),
        "contour": lambda: plot_landscape(r2),
        "surface": lambda: plot_landscape(r2, kind="surface"),
        "trajectories": lambda: plot_trajectories(himmelblau(), t),
        "flow": lambda: plot_gradient_flow([1e-3, 1.0]),
        "rnn": lambda: plot_rnn_gradients((0.9,), steps=3),
        "vanishing": lambda: plot_vanishing_gradients(depth=3),
    }


@pytest.mark.slow
def test_every_drawing_writes_png_and_svg(tmp_path):
    for name, draw in all_drawings().items():
        fig, _ = draw()
        assert is_figure(fig), name
        png, svg = save_figure(fig, tmp_path / name)
        assert open(png, "rb").read(4) == b"\x89PNG", name
        ET.parse(svg)
