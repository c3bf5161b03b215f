"""The analysis tools on real nn Modules (landscapes, spectra, gradient flow)."""

import numpy as np
import pytest

import glassgrad as gg

nn = pytest.importorskip("glassgrad.nn")
from glassgrad.analysis import (  # noqa: E402
    gradient_flow,
    hessian_spectrum,
    interpolate,
    loss_landscape_2d,
    random_direction,
)


def data(rng, n=12):
    return gg.Tensor(rng.normal(size=(n, 4))), gg.Tensor(rng.integers(0, 3, size=n))


def test_landscape_of_an_mlp_centre_is_the_model_loss(rng):
    gg.manual_seed(0)
    model = nn.MLP([4, 8, 3])
    X, y = data(rng)
    before = [p.data.copy() for p in model.parameters()]
    r = loss_landscape_2d(model, nn.F.cross_entropy, (X, y), steps=5, generator=1)
    assert r.losses[2, 2] == pytest.approx(nn.F.cross_entropy(model(X), y).item(), rel=1e-14)
    assert r.center_loss == pytest.approx(r.losses[2, 2], rel=1e-14)
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)
    other = [p.data * 0.5 for p in model.parameters()]
    ri = interpolate(model, nn.F.cross_entropy, before, other, data=(X, y), alphas=[1.0])
    for p, o in zip(model.parameters(), other, strict=True):
        p.data = o
    assert ri.losses[0] == pytest.approx(nn.F.cross_entropy(model(X), y).item(), rel=1e-14)


def test_filter_normalisation_on_a_conv_net():
    gg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
    d = random_direction(model, generator=2)
    for di, (name, p) in zip(d, model.named_parameters(), strict=True):
        if p.ndim == 1:
            assert not di.any(), name
        else:
            axes = tuple(range(1, p.ndim))
            np.testing.assert_allclose(
                np.sqrt((di**2).sum(axis=axes)), np.sqrt((p.data**2).sum(axis=axes)), rtol=1e-12
            )


def test_hessian_spectrum_of_a_model_vs_full_hessian(rng):
    gg.manual_seed(1)
    model = nn.MLP([4, 3, 2], activation="tanh")
    X, y = data(rng)
    y = gg.Tensor(y.data % 2)
    params = list(model.parameters())
    s = hessian_spectrum(lambda *ps: nn.F.cross_entropy(model(X), y), params, k=3)

    shapes = [p.shape for p in params]
    cuts = np.cumsum([p.size for p in params])[:-1]

    def flat_loss(v):
        parts = [
            gg.reshape(v[a:b], s_)
            for a, b, s_ in zip([0, *cuts], [*cuts, v.shape[0]], shapes, strict=True)
        ]
        w1, b1, w2, b2 = parts
        return nn.F.cross_entropy(gg.tanh(X @ w1.T + b1) @ w2.T + b2, y)

    v0 = np.concatenate([p.data.ravel() for p in params])
    full = np.linalg.eigvalsh(gg.hessian(flat_loss)(v0).data)
    np.testing.assert_allclose(s.top, full[::-1][:3], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(s.bottom, full[:3], rtol=1e-8, atol=1e-12)


def test_gradient_flow_of_a_module(rng):
    gg.manual_seed(2)
    model = nn.MLP([4, 8, 8, 3])
    X, y = data(rng)
    loss = nn.F.cross_entropy(model(X), y)
    r = gradient_flow(model, loss)
    assert set(r["layers"]) == {"0", "2", "4"}
    loss.backward()
    for name, p in model.named_parameters():
        assert r["params"][name] == pytest.approx(np.linalg.norm(p.grad.data), rel=1e-12)


def test_pca_landscape_of_an_mlp_trained_with_adam(rng):
    from glassgrad.analysis import pca_landscape
    from glassgrad.optim import Adam

    gg.manual_seed(3)
    model = nn.MLP([4, 8, 3])
    X, y = data(rng, n=24)
    opt = Adam(model.parameters(), lr=0.05)
    snaps = []
    for _ in range(20):
        snaps.append([p.data.copy() for p in model.parameters()])
        opt.zero_grad()
        nn.F.cross_entropy(model(X), y).backward()
        opt.step()
    snaps.append([p.data.copy() for p in model.parameters()])
    final = nn.F.cross_entropy(model(X), y).item()
    r = pca_landscape(model, nn.F.cross_entropy, snaps, data=(X, y), steps=5)
    assert r.path.shape == (21, 2) and np.allclose(r.path[-1], 0.0)
    # the path's coordinates reproduce each snapshot's offset within the plane
    flat = np.array([np.concatenate([d.ravel() for d in ds]) for ds in r.directions])
    offsets = [np.concatenate([(s - p.data).ravel() for s, p in zip(snap, model.parameters(),
                                                                    strict=True)])
               for snap in snaps]  # fmt: skip
    np.testing.assert_allclose(r.path, np.array(offsets) @ flat.T, atol=1e-12)
    assert 0.0 < r.explained.sum() <= 1.0 + 1e-12
    # a grid value is the loss of the model moved to final + αᵢ d₁ + βⱼ d₂; the model is restored
    i, j = 1, 3
    before = [p.data.copy() for p in model.parameters()]
    for p, d1, d2 in zip(model.parameters(), *r.directions, strict=True):
        p.data = p.data + r.alphas[i] * d1 + r.betas[j] * d2
    assert r.losses[i, j] == pytest.approx(nn.F.cross_entropy(model(X), y).item(), rel=1e-12)
    for p, b in zip(model.parameters(), before, strict=True):
        p.data = b
    assert nn.F.cross_entropy(model(X), y).item() == final
    assert r.alphas[0] < r.path[:, 0].min() and r.path[:, 0].max() < r.alphas[-1]
    assert r.betas[0] < r.path[:, 1].min() and r.path[:, 1].max() < r.betas[-1]
