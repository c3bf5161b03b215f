import numpy as np
import pytest

import glassgrad as gg
from glassgrad.analysis import (
    filter_normalize,
    interpolate,
    loss_landscape_1d,
    loss_landscape_2d,
    random_direction,
)
from glassgrad.core.errors import ShapeError


def test_2d_slice_of_a_quadratic_equals_the_closed_form(rng):
    n = 5
    m = rng.normal(size=(n, n))
    H = m @ m.T + np.eye(n)
    w_star, w0 = rng.normal(size=n), rng.normal(size=n)
    w = gg.Tensor(w0.copy(), requires_grad=True)

    def loss(params):
        d = params[0] - gg.Tensor(w_star)
        return 0.5 * (d * (gg.Tensor(H) @ d)).sum()

    d1, d2 = rng.normal(size=n), rng.normal(size=n)
    r = loss_landscape_2d([w], loss, directions=[[d1], [d2]], span=0.7, steps=9)
    a, b = np.meshgrid(r.alphas, r.betas, indexing="ij")
    e = w0 - w_star
    # L(α, β) = L₀ + α gᵀd₁ + β gᵀd₂ + ½(α²d₁ᵀHd₁ + 2αβ d₁ᵀHd₂ + β²d₂ᵀHd₂), g = H(w₀ - w*)
    g = H @ e
    h11, h12, h22 = d1 @ H @ d1, d1 @ H @ d2, d2 @ H @ d2
    closed = 0.5 * e @ H @ e + a * (g @ d1) + b * (g @ d2)
    closed = closed + 0.5 * (a * a * h11 + 2 * a * b * h12 + b * b * h22)
    np.testing.assert_allclose(r.losses, closed, rtol=1e-12)
    assert r.center_loss == pytest.approx(0.5 * e @ H @ e)
    np.testing.assert_array_equal(w.data, w0)  # parameters restored


def mlp_params(rng):
    w1 = gg.Tensor(rng.normal(size=(6, 4)), requires_grad=True)
    b1 = gg.Tensor(rng.normal(size=6), requires_grad=True)
    w2 = gg.Tensor(rng.normal(size=(3, 6)), requires_grad=True)
    return [w1, b1, w2]


def mlp_loss(params, X, y):
    w1, b1, w2 = params
    return ((gg.tanh(X @ w1.T + b1) @ w2.T - y) ** 2).mean()


def test_filter_normalisation_norms_equal_the_weights(rng):
    params = mlp_params(rng)
    d = random_direction(params, generator=1)
    for di, p in zip(d, params, strict=True):
        if p.ndim == 1:
            np.testing.assert_array_equal(di, 0.0)
        else:
            np.testing.assert_allclose(
                np.linalg.norm(di, axis=1), np.linalg.norm(p.data, axis=1), rtol=1e-12
            )
    conv = rng.normal(size=(4, 2, 3, 3))
    (dc,) = filter_normalize([rng.normal(size=conv.shape)], [conv])
    np.testing.assert_allclose(
        np.sqrt((dc**2).sum(axis=(1, 2, 3))), np.sqrt((conv**2).sum(axis=(1, 2, 3)))
    )
    kept = random_direction(params, bias="keep", generator=1)
    np.testing.assert_array_equal(kept[1], params[1].data)


def test_centre_equals_model_loss_and_interpolation(rng):
    params = mlp_params(rng)
    X, y = gg.Tensor(rng.normal(size=(10, 4))), gg.Tensor(rng.normal(size=(10, 3)))

    def loss(ps):
        return mlp_loss(ps, X, y)

    base = loss(params).item()
    r2 = loss_landscape_2d(params, loss, steps=5, generator=3)
    assert r2.losses[2, 2] == pytest.approx(base, rel=1e-14) and r2.center_loss == pytest.approx(
        base
    )
    r1 = loss_landscape_1d(params, loss, steps=5, generator=3)
    assert r1.losses[2] == pytest.approx(base, rel=1e-14)
    other = [p.data + 1.0 for p in params]
    ri = interpolate(params, loss, [p.data for p in params], other, alphas=[0.0, 0.5, 1.0])
    mid = [gg.Tensor(p.data + 0.5) for p in params]
    end = [gg.Tensor(o) for o in other]
    np.testing.assert_allclose(ri.losses, [base, loss(mid).item(), loss(end).item()], rtol=1e-13)


def test_with_data_and_a_module_like_model(rng):
    params = mlp_params(rng)

    class Net:
        def parameters(self):
            return params

        def __call__(self, X):
            return gg.tanh(X @ params[0].T + params[1]) @ params[2].T

    X, y = gg.Tensor(rng.normal(size=(10, 4))), gg.Tensor(rng.normal(size=(10, 3)))
    r = loss_landscape_2d(Net(), lambda out, t: ((out - t) ** 2).mean(), (X, y), steps=3,
                          generator=0, progress=True)  # fmt: skip
    assert r.losses[1, 1] == pytest.approx(mlp_loss(params, X, y).item())


def test_bad_input(rng):
    params = mlp_params(rng)
    with pytest.raises(
        ShapeError, match=r"direction\[0\] has shape \(2,\); parameter 0 has shape \(6, 4\)"
    ):
        loss_landscape_1d(params, lambda ps: ps[0].sum(), direction=[np.ones(2), 0, 0])
    with pytest.raises(ShapeError, match="has 1 arrays for 3 parameters"):
        interpolate(params, lambda ps: ps[0].sum(), [np.ones((6, 4))], [np.ones((6, 4))])
    with pytest.raises(ShapeError, match=r"one-element Tensor; got \(6, 4\)"):
        loss_landscape_1d(params, lambda ps: ps[0] * 1.0, steps=3)
    with pytest.raises(TypeError, match="Module or a non-empty list of Tensors"):
        loss_landscape_1d([], lambda ps: 0.0)
    with pytest.raises(ValueError, match="bias must be 'zero' or 'keep'"):
        random_direction(params, bias="drop")


def test_pca_landscape_of_a_gd_path(rng):
    from glassgrad.analysis import pca_landscape
    from glassgrad.optim import SGD

    params = mlp_params(rng)
    X, y = gg.Tensor(rng.normal(size=(10, 4))), gg.Tensor(rng.normal(size=(10, 3)))
    opt = SGD(params, lr=0.05)
    snaps = []
    for _ in range(15):
        snaps.append([p.data.copy() for p in params])
        opt.zero_grad()
        mlp_loss(params, X, y).backward()
        opt.step()
    snaps.append([p.data.copy() for p in params])
    r = pca_landscape(params, lambda ps: mlp_loss(ps, X, y), snaps, steps=7)
    assert r.path.shape == (16, 2) and np.allclose(r.path[-1], 0.0)
    assert r.explained[0] > 0.5
    # the grid point nearest the final parameters reproduces the model's loss when it is (0, 0)
    flat = [np.concatenate([d.ravel() for d in ds]) for ds in r.directions]
    np.testing.assert_allclose(np.array(flat) @ np.array(flat).T, np.eye(2), atol=1e-12)
    # each grid value is the loss at final + αᵢ d₁ + βⱼ d₂, and the path lies inside the grid
    a, b = r.alphas[2], r.betas[5]
    moved = [
        gg.Tensor(p.data + a * d1 + b * d2) for p, d1, d2 in zip(params, *r.directions, strict=True)
    ]
    assert r.losses[2, 5] == pytest.approx(mlp_loss(moved, X, y).item(), rel=1e-13)
    assert r.alphas[0] < r.path[:, 0].min() and r.path[:, 1].max() < r.betas[-1]


def test_batched_grid_equals_pointwise(rng):
    params = mlp_params(rng)
    X, y = gg.Tensor(rng.normal(size=(10, 4))), gg.Tensor(rng.normal(size=(10, 3)))

    def batched_loss(ps):  # parameters carry a leading grid axis G
        w1, b1, w2 = ps
        h = gg.tanh(X @ w1.mT + gg.expand_dims(b1, 1))
        return ((h @ w2.mT - y) ** 2).mean(axis=(1, 2))

    pointwise = loss_landscape_2d(params, lambda ps: mlp_loss(ps, X, y), steps=5, generator=4)
    for batch in (1, 7, 25):
        r = loss_landscape_2d(params, batched_loss, steps=5, generator=4, batch=batch)
        np.testing.assert_allclose(r.losses, pointwise.losses, rtol=1e-13)
    assert r.center_loss == pytest.approx(pointwise.center_loss, rel=1e-13)
    one = loss_landscape_1d(params, lambda ps: mlp_loss(ps, X, y), steps=7, generator=5)
    for batch in (2, 7):
        rb = loss_landscape_1d(params, batched_loss, steps=7, generator=5, batch=batch)
        np.testing.assert_allclose(rb.losses, one.losses, rtol=1e-13)
        assert rb.center_loss == pytest.approx(one.center_loss, rel=1e-13)
    ends = [p.data for p in params], [p.data + 0.3 for p in params]
    line = interpolate(params, lambda ps: mlp_loss(ps, X, y), *ends, alphas=np.linspace(0, 1, 5))
    rb = interpolate(params, batched_loss, *ends, alphas=np.linspace(0, 1, 5), batch=3)
    np.testing.assert_allclose(rb.losses, line.losses, rtol=1e-13)
    with pytest.raises(ValueError, match=r"loss_landscape_1d: batch needs data=None.*got 0"):
        loss_landscape_1d(params, batched_loss, steps=3, batch=0)
    with pytest.raises(ShapeError, match=r"one loss per point, shape \(7,\); got \(\)"):
        loss_landscape_2d(params, lambda ps: ps[0].sum(), steps=5, generator=4, batch=7)
    with pytest.raises(ValueError, match="batch needs data=None"):
        loss_landscape_2d(params, batched_loss, (X, y), steps=5, batch=7)
