"""Newton's method against closed forms; gradient clipping against torch.nn.utils."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import optim

A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
B = np.array([1.0, -2.0, 0.5])


def quadratic(x):
    return 0.5 * (x * (gg.Tensor(A) @ x)).sum() - (gg.Tensor(B) * x).sum()


def test_newton_solves_quadratic_in_one_step():
    x = gg.Tensor([5.0, -3.0, 2.0], requires_grad=True)
    opt = optim.Newton([x])
    opt.step(lambda: quadratic(x))
    np.testing.assert_allclose(x.data, np.linalg.solve(A, B), rtol=1e-12, atol=1e-12)


def test_newton_damped_step_closed_form():
    x0 = np.array([5.0, -3.0, 2.0])
    x = gg.Tensor(x0.copy(), requires_grad=True)
    optim.Newton([x], lr=0.7, damping=0.3).step(lambda: quadratic(x))
    expected = x0 - 0.7 * np.linalg.solve(A + 0.3 * np.eye(3), A @ x0 - B)
    np.testing.assert_allclose(x.data, expected, rtol=1e-12)


def test_newton_several_params_matrix_shapes():
    # f(W, b) = ½‖W - M‖² + ½‖b - c‖²: Hessian identity, one step lands on (M, c)
    rng = np.random.default_rng(0)
    M, c = rng.normal(size=(2, 3)), rng.normal(size=2)
    W, b = (
        gg.Tensor(np.zeros((2, 3)), requires_grad=True),
        gg.Tensor(np.ones(2), requires_grad=True),
    )
    optim.Newton([W, b]).step(lambda: 0.5 * ((W - M) ** 2).sum() + 0.5 * ((b - c) ** 2).sum())
    np.testing.assert_allclose(W.data, M, atol=1e-12)
    np.testing.assert_allclose(b.data, c, atol=1e-12)


def _rosen(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def test_newton_first_step_on_rosenbrock_matches_analytic_hessian():
    x0 = np.array([-1.2, 1.0])
    a, b = x0
    g = np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])
    H = np.array([[2 - 400 * (b - 3 * a * a), -400 * a], [-400 * a, 200.0]])
    x = gg.Tensor(x0.copy(), requires_grad=True)
    optim.Newton([x]).step(lambda: _rosen(x))
    np.testing.assert_allclose(x.data, x0 - np.linalg.solve(H, g), rtol=1e-12)


def test_newton_line_search_converges_on_rosenbrock():
    x = gg.Tensor([-1.2, 1.0], requires_grad=True)
    opt = optim.Newton([x], line_search=True)
    losses = [opt.step(lambda: _rosen(x)).item() for _ in range(30)]
    assert all(b <= a for a, b in zip(losses, losses[1:], strict=False))  # Armijo: monotone
    np.testing.assert_allclose(x.data, [1.0, 1.0], atol=1e-8)


def test_newton_bad_inputs():
    x = gg.Tensor([1.0, 1.0], requires_grad=True)
    opt = optim.Newton([x])
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()
    with pytest.raises(ValueError, match="one-element Tensor.*shape \\(2,\\)"):
        opt.step(lambda: x * 2)
    with pytest.raises(np.linalg.LinAlgError, match="singular; pass damping"):
        opt.step(lambda: (x * gg.Tensor([1.0, 0.0])).sum() ** 2)


# ----- clipping ------------------------------------------------------------------------------
torch = pytest.importorskip("torch")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=s) for s in [(3, 4), (4,), (2,), ()]]
    ours = [gg.Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad, q.grad = gg.Tensor(g), torch.tensor(g)
    total = optim.clip_grad_norm_(ours, max_norm, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-12)
    for p, q in zip(ours, theirs, strict=True):
        assert type(p.grad.data) is np.ndarray
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_matches_torch():
    g = np.random.default_rng(1).normal(size=(5, 3))
    p = gg.Tensor(np.zeros_like(g), requires_grad=True)
    q = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
    p.grad, q.grad = gg.Tensor(g), torch.tensor(g)
    optim.clip_grad_value_(p, 0.3)
    torch.nn.utils.clip_grad_value_(q, 0.3)
    np.testing.assert_array_equal(p.grad.data, q.grad.numpy())
    s = gg.Tensor(np.array(0.0), requires_grad=True)
    s.grad = gg.Tensor(np.array(-2.0))
    optim.clip_grad_value_([s], 0.3)
    assert type(s.grad.data) is np.ndarray and s.grad.item() == -0.3


def test_clip_bad_inputs():
    with pytest.raises(ValueError, match="max_norm must be a number >= 0; got -1"):
        optim.clip_grad_norm_([], -1)
    with pytest.raises(ValueError, match="norm_type"):
        optim.clip_grad_norm_([], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"parameters\[0\] must be a Tensor; got list"):
        optim.clip_grad_value_([[1.0]], 1.0)
    with pytest.raises(ValueError, match="clip_value"):
        optim.clip_grad_value_([], -0.5)


# ----- Newton against the same algorithm written in PyTorch (torch.autograd.functional.hessian)
def _torch_newton(init, loss_fn, steps, lr=1.0, damping=0.0, line_search=False):
    """θ ← θ - tΔ with (H + δI)Δ = g, t halved until Armijo (c₁ = 1e-4) holds, in torch."""
    shapes = [a.shape for a in init]
    sizes = [a.size for a in init]
    flat = torch.tensor(np.concatenate([a.ravel() for a in init]), dtype=torch.float64)

    def f(v):
        return loss_fn([c.reshape(s) for c, s in zip(torch.split(v, sizes), shapes, strict=True)])

    for _ in range(steps):
        v = flat.clone().requires_grad_(True)
        f0 = f(v)
        (g,) = torch.autograd.grad(f0, v)
        hess = torch.autograd.functional.hessian(f, flat) + damping * torch.eye(len(flat))
        delta = torch.linalg.solve(hess, g)
        t, slope = lr, float(g @ delta)
        for _ in range(50):
            new = flat - t * delta
            if not line_search or f(new).item() <= f0.item() - 1e-4 * t * slope:
                break
            t *= 0.5
        flat = new
    return flat.numpy()


def _mlp_loss(p, X, Y):
    w1, b1, w2, b2 = p
    return ((((X @ w1.T + b1).tanh() @ w2.T + b2) - Y) ** 2).mean()


_RNG = np.random.default_rng(3)
_X, _Y = _RNG.normal(size=(12, 3)), _RNG.normal(size=(12, 2))
_MLP_INIT = [_RNG.normal(size=s) * 0.5 for s in [(4, 3), (4,), (2, 4), (2,)]]


@pytest.mark.parametrize(
    "problem,steps,kwargs",
    [
        ("rosenbrock", 8, dict(line_search=True)),  # mid-way, while steps are being halved
        ("rosenbrock", 100, dict(lr=0.5, damping=10.0)),
        ("mlp", 10, dict(damping=0.5, line_search=True)),
    ],
)
def test_newton_matches_torch_reference(problem, steps, kwargs):
    if problem == "rosenbrock":
        init = [np.array([-1.2, 1.0])]
        loss, tloss = (lambda p: _rosen(p[0])), (lambda p: _rosen(p[0]))
    else:
        init = _MLP_INIT
        data = gg.Tensor(_X), gg.Tensor(_Y)
        tdata = torch.tensor(_X), torch.tensor(_Y)
        loss, tloss = (lambda p: _mlp_loss(p, *data)), (lambda p: _mlp_loss(p, *tdata))
    params = [gg.Tensor(a.copy(), requires_grad=True) for a in init]
    opt = optim.Newton(params, **kwargs)
    for _ in range(steps):
        opt.step(lambda: loss(params))
    expected = _torch_newton(init, tloss, steps, **kwargs)
    ours = np.concatenate([p.data.ravel() for p in params])
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert not np.allclose(ours, np.concatenate([a.ravel() for a in init]))


def test_clip_grad_norm_float32_and_nonfinite():
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=s).astype(np.float32) for s in [(4, 3), (3,)]]
    ours = [gg.Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, q, g in zip(ours, theirs, grads, strict=True):
        p.grad, q.grad = gg.Tensor(g), torch.tensor(g)
    total = optim.clip_grad_norm_(ours, 0.3)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 0.3)
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-6)
    for p, q in zip(ours, theirs, strict=True):
        assert p.grad.dtype == np.float32
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-6)
    ours[0].grad = gg.Tensor(np.array([np.inf], dtype=np.float32))
    with pytest.raises(RuntimeError, match="total gradient norm is inf"):
        optim.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)


def test_newton_float32_params_stay_float32():
    x = gg.Tensor(np.array([5.0, -3.0, 2.0], dtype=np.float32), requires_grad=True)
    a, b = gg.Tensor(A.astype(np.float32)), gg.Tensor(B.astype(np.float32))
    optim.Newton([x]).step(lambda: 0.5 * (x * (a @ x)).sum() - (b * x).sum())
    assert x.dtype == np.float32
    np.testing.assert_allclose(x.data, np.linalg.solve(A, B), rtol=1e-5, atol=1e-6)


def test_newton_zero_dim_parameter():
    w = gg.Tensor(np.array(1.0), requires_grad=True)
    optim.Newton([w]).step(lambda: (w - 3.0) ** 2 * 2.0)
    assert type(w.data) is np.ndarray and w.shape == ()
    np.testing.assert_allclose(w.item(), 3.0, rtol=1e-15)
