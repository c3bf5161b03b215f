"""Figures with sliders: the grid's order, and every frame's numbers against an oracle."""

import json
import math
import re

import numpy as np
import pytest

from glassgrad.labs import playground
from glassgrad.labs.interactive import Interactive, evaluate_grid, param_grid

pytest.importorskip("plotly")


def _frame(fig, **params):
    """The frame the sliders show at ``params`` (every slider named)."""
    return fig.frames[fig.grid.index(params)]


def _xy(trace):
    return np.array(trace["x"], dtype=float), np.array(trace["y"], dtype=float)


def test_param_grid_is_row_major_and_evaluate_keeps_its_order():
    grid = param_grid(a=[1, 2], b=[10, 20, 30])
    assert grid[:4] == [{"a": 1, "b": 10}, {"a": 1, "b": 20}, {"a": 1, "b": 30}, {"a": 2, "b": 10}]
    assert evaluate_grid(lambda a, b: a * b, grid) == [10, 20, 30, 20, 40, 60]
    with pytest.raises(ValueError, match="axis 'b' has no values"):
        param_grid(a=[1], b=[])


def test_frames_on_a_process_pool_equal_the_serial_frames():
    # The sliders' frames are a grid like any sweep: two local processes give the same bits.
    grid = param_grid(lr=[0.02, 0.082, 0.15], momentum=[0.0, 0.9])
    serial = evaluate_grid(playground._valley_frame, grid)
    np.testing.assert_equal(evaluate_grid(playground._valley_frame, grid, executor=2), serial)
    assert len({json.dumps(f["title"]) for f in serial}) == len(grid)


def test_html_holds_one_slider_per_axis_and_safe_json():
    fig = Interactive(
        lambda k: {"data": [{"x": [k], "y": [math.inf]}], "title": "</script> k"},
        {"k": ("rank k", [1.0, 2.5])},
        start={"k": 2.5},
    )
    page = fig.to_html("fig-a")
    assert page.count('type="range"') == 1 and 'value="1"' in page
    assert "<output>2.5</output>" in page
    data = re.search(r'<script type="application/json">(.*?)</script>', page, re.S).group(1)
    spec = json.loads(data.replace("<\\/", "</"))
    assert spec["frames"][1]["data"][0]["y"] == [None]  # non-finite → null, never NaN in JSON
    assert spec["sliders"] == [{"name": "k", "label": "rank k", "values": ["1", "2.5"]}]
    assert repr(fig) == "Interactive(sliders: k (2); 2 frames)"


def test_gd_learning_rate_frames_follow_the_closed_form():
    fig = playground.gd_learning_rate()
    for lr in (0.1, 0.4, 0.9):
        k, x = _xy(_frame(fig, lr=lr)["data"][0])
        np.testing.assert_allclose(x, (1 - 2 * lr) ** k, rtol=1e-4, atol=1e-9)
    assert "diverges" in _frame(fig, lr=1.05)["title"]
    assert "converges" in _frame(fig, lr=0.95)["title"]


def test_momentum_valley_frames_are_the_heavy_ball_recursion():
    fig = playground.gd_valley()
    x, v, path = np.array([-1.8, 0.6]), np.zeros(2), [np.array([-1.8, 0.6])]
    for _ in range(60):
        v = 0.6 * v + np.array([1.0, 25.0]) * x
        x = x - 0.04 * v
        path.append(x)
    px, py = _xy(_frame(fig, lr=0.04, momentum=0.6)["data"][0])
    np.testing.assert_allclose(np.stack([px, py], 1), np.array(path), rtol=1e-4, atol=1e-6)
    assert "diverged" in _frame(fig, lr=0.1, momentum=0.0)["title"]  # 0.1 > 2/25
    assert "diverged" not in _frame(fig, lr=0.1, momentum=0.6)["title"]  # < 2(1 + β)/25


def test_adam_frames_match_torch():
    torch = pytest.importorskip("torch")
    fig = playground.adam_betas()
    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=0.1, betas=(0.5, 0.99))
    path = [p.detach().numpy().copy()]
    for _ in range(200):
        opt.zero_grad()
        ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2).backward()
        opt.step()
        path.append(p.detach().numpy().copy())
    px, py = _xy(_frame(fig, beta1=0.5, beta2=0.99)["data"][0])
    np.testing.assert_allclose(np.stack([px, py], 1), np.array(path), rtol=1e-3, atol=1e-4)


def test_svd_and_lora_frames_follow_eckart_young():
    rng = np.random.default_rng(0)
    image = rng.random((20, 16))
    s = np.linalg.svd(image, compute_uv=False)
    fig = playground.svd_rank(image)
    title = _frame(fig, k=4)["title"]
    expected = 100 * np.sqrt(np.sum(s[4:] ** 2)) / np.linalg.norm(image)
    assert f"relative error {expected:.1f}%" in title and f"{4 * (20 + 16 + 1)} numbers" in title
    shown = np.array(_frame(fig, k=4)["data"][0]["z"], dtype=float)[::-1]
    u, _, vt = np.linalg.svd(image)
    np.testing.assert_allclose(shown, (u[:, :4] * s[:4]) @ vt[:4], rtol=1e-4, atol=1e-4)
    delta = rng.standard_normal((12, 10))
    sd = np.linalg.svd(delta, compute_uv=False)
    lora = _frame(playground.lora_rank(delta), r=2)
    assert lora["data"][0]["y"] == [120, 2 * (12 + 10)]
    assert f"{100 * np.sqrt(np.sum(sd[:2] ** 2) / np.sum(sd**2)):.1f}% of" in lora["title"]


def test_bayes_and_gaussian_frames_match_the_formulas():
    scipy_stats = pytest.importorskip("scipy.stats")
    bayes = playground.bayes_test()
    prior, posterior = _frame(bayes, prior=0.01, sensitivity=0.99, false_alarm=0.05)["data"][0]["y"]
    assert prior == 0.01 and posterior == pytest.approx(0.0099 / 0.0594, rel=1e-4)
    gauss = playground.gaussian()
    x, pdf = _xy(_frame(gauss, mu=1.0, sigma=0.5)["data"][0])
    np.testing.assert_allclose(pdf, scipy_stats.norm(1.0, 0.5).pdf(x), rtol=1e-4, atol=1e-9)


def test_matrix_frames_show_the_image_of_the_circle_and_the_eigenvectors():
    fig = playground.matrix_circle()
    frame = _frame(fig, b=0.5, c=0.5)
    x, y = _xy(frame["data"][0])
    a = np.array([[1.5, 0.5], [0.5, 1.0]])
    theta = np.linspace(0, 2 * np.pi, 121)
    np.testing.assert_allclose(np.stack([x, y]), a @ [np.cos(theta), np.sin(theta)], atol=1e-4)
    for trace in frame["data"][1:]:  # each drawn segment is ±λv, so A·v = λ·v along it
        tip = np.array([trace["x"][1], trace["y"][1]])
        lam = float(trace["name"].split("= ")[1].split(" ")[0])
        np.testing.assert_allclose(a @ (tip / lam), tip, atol=1e-3)
    assert len(frame["data"]) == 3
    rotation = _frame(fig, b=-1.0, c=1.0)
    assert len(rotation["data"]) == 1 and "complex eigenvalues" in rotation["title"]


def test_every_lab_figure_has_axis_titles_and_a_caption():
    figs = [
        playground.gd_learning_rate(),
        playground.gd_valley(),
        playground.bayes_test(),
        playground.gaussian(),
        playground.matrix_circle(),
        playground.lora_rank(np.eye(4)),
    ]
    for fig in figs:
        assert fig.caption and fig.layout["yaxis"]["title"]["text"]
        assert fig.layout["xaxis"]["title"]["text"]
