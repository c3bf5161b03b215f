"""Distributions vs scipy.stats (values), PyTorch float64 (gradients, KL) and sample moments."""

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

from glassgrad import prob as D
from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import grad
from glassgrad.prob.kl import kl_divergence
from glassgrad.testing import check_grads

torch = pytest.importorskip("torch")
TD = torch.distributions
S = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.7]])

# name: (ours, scipy frozen, torch ctor(param tensors), params, values)
CASES = {
    "normal": (
        lambda a, b: D.Normal(a, b),
        lambda a, b: st.norm(a, b),
        TD.Normal,
        ([0.0, 1.0, -2.0], [1.0, 2.0, 0.5]),
        [-1.0, 0.3, 2.0],
    ),
    "uniform": (
        lambda a, b: D.Uniform(a, b),
        lambda a, b: st.uniform(a, b - a),
        TD.Uniform,
        ([0.0, -1.0, 2.0], [1.0, 3.0, 2.5]),
        [0.5, 2.9, 2.0],
    ),
    "beta": (
        lambda a, b: D.Beta(a, b),
        lambda a, b: st.beta(a, b),
        TD.Beta,
        ([2.0, 0.5, 7.0], [3.0, 1.5, 0.9]),
        [0.3, 0.6, 0.99],
    ),
    "gamma": (
        lambda a, r: D.Gamma(a, r),
        lambda a, r: st.gamma(a, scale=1 / np.asarray(r)),
        TD.Gamma,
        ([2.0, 0.5, 9.0], [3.0, 1.5, 0.2]),
        [0.3, 0.6, 40.0],
    ),
    "poisson": (
        lambda r: D.Poisson(r),
        lambda r: st.poisson(r),
        TD.Poisson,
        ([2.0, 7.5, 0.3],),
        [3.0, 0.0, 1.0],
    ),
    "bernoulli": (
        lambda p: D.Bernoulli(probs=p),
        lambda p: st.bernoulli(p),
        lambda p: TD.Bernoulli(probs=p),
        ([0.2, 0.7, 0.5],),
        [1.0, 0.0, 1.0],
    ),
    "binomial": (
        lambda p: D.Binomial(np.array([10.0, 4.0, 1.0]), probs=p),
        lambda p: st.binom([10, 4, 1], p),
        lambda p: TD.Binomial(torch.tensor([10.0, 4.0, 1.0], dtype=torch.float64), probs=p),
        ([0.3, 0.8, 0.5],),
        [3.0, 4.0, 0.0],
    ),
}
CDF = {"normal", "uniform", "gamma", "poisson", "bernoulli", "binomial"}
# Beta/Gamma entropy gradients need trigamma, which PyTorch computes only to ~1e-9; they are
# checked against scipy's polygamma in test_beta_gamma_entropy_gradients instead.
ENTROPY_TORCH = {"normal", "uniform", "bernoulli"}


def _scipy_logp(name, frozen, x):
    discrete = name in {"poisson", "bernoulli", "binomial"}
    return frozen.logpmf(x) if discrete else frozen.logpdf(x)


@pytest.mark.parametrize("name", CASES)
def test_values_match_scipy(name):
    ours, ref, _, params, x = CASES[name]
    d, s = ours(*[np.array(p) for p in params]), ref(*[np.array(p) for p in params])
    close = lambda a, b: np.testing.assert_allclose(a.data, b, rtol=1e-12, atol=1e-12)  # noqa: E731
    close(d.log_prob(np.array(x)), _scipy_logp(name, s, x))
    close(d.prob(np.array(x)), np.exp(_scipy_logp(name, s, x)))
    close(d.mean, s.mean())
    close(d.variance, s.var())
    close(d.stddev, s.std())
    close(d.entropy(), s.entropy())
    if name in CDF:
        close(d.cdf(np.array(x)), s.cdf(x))
    assert d.batch_shape == (3,) and d.event_shape == ()


@pytest.mark.parametrize("name", ["poisson", "bernoulli", "binomial"])
def test_discrete_cdf_between_and_beyond_the_support_matches_scipy(name):
    ours, ref, _, params, _ = CASES[name]
    d, s = ours(*[np.array(p) for p in params]), ref(*[np.array(p) for p in params])
    for x in ([2.5, 0.999, -0.5], [-3.0, 1e6, 12.0], [[0.0], [1.0], [3.7]]):
        np.testing.assert_allclose(d.cdf(np.array(x)).data, s.cdf(x), rtol=1e-12, atol=1e-15)


def test_gamma_cdf_matches_scipy_and_its_gradients_torch():
    a0, r0 = np.array([2.0, 0.5, 9.0]), np.array([3.0, 1.5, 0.2])
    d, ref = D.Gamma(a0, r0), st.gamma(a0, scale=1 / r0)
    for x in ([-1.0, 0.0, 400.0], [[1e-3], [2.0], [100.0]]):
        np.testing.assert_allclose(d.cdf(np.array(x)).data, ref.cdf(x), rtol=1e-12, atol=1e-300)
    x = np.array([0.3, 0.6, 40.0])
    a, r, v = (Tensor(t, requires_grad=True) for t in (a0, r0, x))
    D.Gamma(a, r).cdf(v).sum().backward()
    ta, tr, tv = _torch_params([a0, r0, x])
    TD.Gamma(ta.detach(), tr).cdf(tv).sum().backward()  # torch has no gradient in a
    np.testing.assert_allclose(v.grad.data, tv.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(v.grad.data, ref.pdf(x), rtol=1e-12)
    np.testing.assert_allclose(r.grad.data, tr.grad.numpy(), rtol=1e-12)
    fd = (sp.gammainc(a0 + 1e-6, r0 * x) - sp.gammainc(a0 - 1e-6, r0 * x)) / 2e-6
    np.testing.assert_allclose(a.grad.data, fd, rtol=1e-7)
    check_grads(lambda c: D.Gamma(c, r0).cdf(x), (a0,), order=2)


def _torch_params(params):
    return [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in params]


@pytest.mark.parametrize("name", CASES)
def test_log_prob_and_entropy_gradients_match_torch(name):
    ours, _, tctor, params, x = CASES[name]
    ps = [Tensor(np.array(p), requires_grad=True) for p in params]
    d = ours(*ps)
    loss = (d.log_prob(np.array(x)) * Tensor([1.0, 2.0, 3.0])).sum()
    if name in ENTROPY_TORCH:
        loss = loss + d.entropy().sum()
    loss.backward()
    tp = _torch_params(params)
    td = tctor(*tp)
    tloss = (td.log_prob(torch.tensor(x, dtype=torch.float64)) * torch.tensor([1.0, 2, 3])).sum()
    if name in ENTROPY_TORCH:
        tloss = tloss + td.entropy().sum()
    tloss.backward()
    assert abs(float(loss) - tloss.item()) < 1e-10
    for p, q in zip(ps, tp, strict=True):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_beta_gamma_entropy_gradients():
    import scipy.special as sp

    a, b = Tensor([0.5, 3.0], requires_grad=True), Tensor([2.0, 0.7], requires_grad=True)
    D.Beta(a, b).entropy().sum().backward()
    av, bv = a.data, b.data
    np.testing.assert_allclose(
        a.grad.data,
        -(av - 1) * sp.polygamma(1, av) + (av + bv - 2) * sp.polygamma(1, av + bv),
        rtol=1e-12,
    )
    c, r = Tensor([0.5, 3.0], requires_grad=True), Tensor([2.0, 0.7], requires_grad=True)
    D.Gamma(c, r).entropy().sum().backward()
    np.testing.assert_allclose(c.grad.data, 1 + (1 - c.data) * sp.polygamma(1, c.data), rtol=1e-12)
    np.testing.assert_allclose(r.grad.data, -1 / r.data, rtol=1e-14)


def test_normal_icdf_inverts_cdf_and_matches_scipy():
    d = D.Normal([0.0, 1.0], [1.0, 3.0])
    p = np.array([0.025, 0.8])
    np.testing.assert_allclose(d.icdf(p).data, st.norm([0, 1], [1, 3]).ppf(p), rtol=1e-13)
    np.testing.assert_allclose(d.cdf(d.icdf(p)).data, p, rtol=1e-13)
    check_grads(lambda q: D.Normal(0.5, 2.0).icdf(q), (np.array([0.1, 0.6]),), order=2)


def test_bernoulli_logits_match_probs_and_torch():
    z = np.array([-2.0, 0.0, 3.0])
    a, b = D.Bernoulli(logits=z), D.Bernoulli(probs=1 / (1 + np.exp(-z)))
    x = np.array([1.0, 0.0, 0.0])
    np.testing.assert_allclose(a.log_prob(x).data, b.log_prob(x).data, rtol=1e-12)
    t = TD.Bernoulli(logits=torch.tensor(z, dtype=torch.float64))
    np.testing.assert_allclose(a.log_prob(x).data, t.log_prob(torch.tensor(x)).numpy(), rtol=1e-13)
    np.testing.assert_allclose(a.entropy().data, t.entropy().numpy(), rtol=1e-13)
    assert np.isnan(D.Bernoulli(probs=0.5).mode.data) and float(D.Bernoulli(probs=0.6).mode) == 1.0


def test_categorical_vs_torch():
    logits = np.array([[0.1, -1.0, 2.0, 0.3], [1.0, 1.0, 1.0, -3.0]])
    x = np.array([2, 3])
    ours = D.Categorical(logits=Tensor(logits, requires_grad=True))
    tl = torch.tensor(logits, requires_grad=True)
    theirs = TD.Categorical(logits=tl)
    (ours.log_prob(x).sum() + ours.entropy().sum()).backward()
    (theirs.log_prob(torch.tensor(x)).sum() + theirs.entropy().sum()).backward()
    np.testing.assert_allclose(
        ours.log_prob(x).data, theirs.log_prob(torch.tensor(x)).detach(), rtol=1e-13
    )
    np.testing.assert_allclose(ours.entropy().data, theirs.entropy().detach(), rtol=1e-13)
    probs = D.Categorical(probs=[2.0, 6.0, 0.0, 2.0]).probs.data  # normalised, as PyTorch
    np.testing.assert_allclose(probs, [0.2, 0.6, 0.0, 0.2])
    assert D.Categorical(logits=logits).batch_shape == (2,)
    np.testing.assert_array_equal(D.Categorical(logits=logits).mode.data, [2, 0])


def test_categorical_matches_scipy_multinomial_with_one_trial():
    # a Categorical draw is a Multinomial(1, p) draw written as the index of its one-hot vector
    p = np.array([[0.1, 0.6, 0.3], [0.25, 0.25, 0.5]])
    d, k = D.Categorical(probs=p), np.array([1, 2])
    ref = st.multinomial(1, p)
    np.testing.assert_allclose(d.log_prob(k).data, ref.logpmf(np.eye(3)[k]), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().data, ref.entropy(), rtol=1e-12)


def test_categorical_zero_probability_has_finite_gradients():
    p = Tensor([0.5, 0.3, 0.0, 0.2], requires_grad=True)
    d = D.Categorical(probs=p)
    assert float(d.log_prob(2)) == -np.inf
    (d.log_prob(0) + d.entropy()).backward()
    # sum p = 1: d/dp_j [log p_0 - sum_k p_k log p_k] = [j=0]/p_0 - 1 - log p_j - H
    q, h = p.data, -(0.5 * np.log(0.5) + 0.3 * np.log(0.3) + 0.2 * np.log(0.2))
    expected = np.eye(4)[0] / 0.5 - 1.0 - np.log(np.where(q > 0, q, 1.0)) - h
    expected[2] = -h  # at p_2 = 0 the term p log p is held at 0 (its one-sided slope is -inf)
    np.testing.assert_allclose(p.grad.data, expected, rtol=1e-12)
    kl = kl_divergence(d, D.Categorical(probs=[0.25, 0.25, 0.25, 0.25]))
    assert np.isfinite(float(kl))


def test_categorical_logit_gradient_vs_torch():
    logits = np.array([0.1, -1.0, 2.0, 0.3])
    lt = Tensor(logits, requires_grad=True)
    D.Categorical(logits=lt).log_prob(1).backward()
    tl = torch.tensor(logits, requires_grad=True)
    TD.Categorical(logits=tl).log_prob(torch.tensor(1)).backward()
    np.testing.assert_allclose(lt.grad.data, tl.grad.numpy(), rtol=1e-13)


@pytest.mark.parametrize("form", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_mvn_vs_scipy_and_torch(form):
    mat = {
        "covariance_matrix": S,
        "precision_matrix": np.linalg.inv(S),
        "scale_tril": np.linalg.cholesky(S),
    }[form]
    loc = np.array([1.0, -1.0, 0.5])
    x = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, -1.0]])
    ml, mm = Tensor(loc, requires_grad=True), Tensor(mat, requires_grad=True)
    d = D.MultivariateNormal(ml, **{form: mm})
    ref = st.multivariate_normal(loc, S)
    np.testing.assert_allclose(d.log_prob(x).data, ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().data, ref.entropy(), rtol=1e-12)
    np.testing.assert_allclose(d.covariance_matrix.data, S, atol=1e-12)
    np.testing.assert_allclose(d.variance.data, np.diag(S), rtol=1e-12)
    np.testing.assert_allclose(d.mean.data, ref.mean, rtol=1e-15)
    np.testing.assert_allclose(d.covariance_matrix.data, ref.cov, rtol=1e-12, atol=1e-15)
    assert d.batch_shape == () and d.event_shape == (3,)
    (d.log_prob(x).sum() + d.entropy()).backward()
    tl, tm = torch.tensor(loc, requires_grad=True), torch.tensor(mat, requires_grad=True)
    td = TD.MultivariateNormal(tl, **{form: tm})
    (td.log_prob(torch.tensor(x)).sum() + td.entropy()).backward()
    np.testing.assert_allclose(ml.grad.data, tl.grad.numpy(), rtol=1e-10)
    if form == "scale_tril":
        np.testing.assert_allclose(np.tril(mm.grad.data), np.tril(tm.grad.numpy()), rtol=1e-10)
    else:  # torch's symmetric-input gradient is not symmetrised; compare the symmetric part
        sym = lambda g: 0.5 * (g + g.T)  # noqa: E731
        np.testing.assert_allclose(sym(mm.grad.data), sym(tm.grad.numpy()), rtol=1e-10)


def _patch_noise(monkeypatch, eps):
    monkeypatch.setattr(TD.normal, "_standard_normal", lambda *a, **k: torch.tensor(eps))
    monkeypatch.setattr(
        TD.multivariate_normal, "_standard_normal", lambda *a, **k: torch.tensor(eps)
    )


def _patch_uniform(monkeypatch, u):
    monkeypatch.setattr(TD.uniform.torch, "rand", lambda *a, **k: torch.tensor(u))


# (distribution, its two parameters, generator, the standard noise behind a sample, patcher)
RSAMPLE_TWO_PARAMS = {
    "Normal": ([[0.5, -1.0], [2.0, 0.3]], 3, lambda x, a, b: (x - a) / b, _patch_noise),
    "Uniform": ([[1.0, -2.0], [3.0, 0.5]], 2, lambda x, a, b: (x - a) / (b - a), _patch_uniform),
}


@pytest.mark.parametrize("name", RSAMPLE_TWO_PARAMS)
def test_rsample_gradients_match_torch(name, monkeypatch):
    params, seed, noise_of, patch = RSAMPLE_TWO_PARAMS[name]
    a, b = (Tensor(p, requires_grad=True) for p in params)
    x = getattr(D, name)(a, b).rsample((4,), generator=seed)
    (x**3).sum().backward()
    patch(monkeypatch, noise_of(x.data, a.data, b.data))
    ta, tb = _torch_params(params)
    tx = getattr(TD, name)(ta, tb).rsample((4,))
    (tx**3).sum().backward()
    np.testing.assert_allclose(x.data, tx.detach().numpy(), rtol=1e-13)
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, tb.grad.numpy(), rtol=1e-12)


def test_mvn_rsample_gradient_matches_torch(monkeypatch):
    tril = np.linalg.cholesky(S)
    lt, loc = Tensor(tril, requires_grad=True), Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = D.MultivariateNormal(loc, scale_tril=lt).rsample((5,), generator=1)
    (x**2).sum().backward()
    eps = np.linalg.solve(tril, (x.data - loc.data).T).T
    _patch_noise(monkeypatch, eps)
    tlt, tloc = _torch_params([tril, [1.0, 2.0, 3.0]])
    tx = TD.MultivariateNormal(tloc, scale_tril=tlt).rsample((5,))
    (tx**2).sum().backward()
    np.testing.assert_allclose(np.tril(lt.grad.data), np.tril(tlt.grad.numpy()), rtol=1e-11)
    np.testing.assert_allclose(loc.grad.data, tloc.grad.numpy(), rtol=1e-12)


def test_uniform_rsample_gradient():
    low, high = Tensor(1.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    x = D.Uniform(low, high).rsample((6,), generator=0)
    x.sum().backward()
    u = (x.data - 1.0) / 2.0
    assert np.isclose(float(low.grad), (1 - u).sum()) and np.isclose(float(high.grad), u.sum())


def test_gamma_rsample_implicit_gradients_match_scipy_and_torch():
    # x(a) = F^-1(u; a) at a fixed CDF level u: scipy's gammaincinv differentiated by central
    # differences is the oracle, to first (step 1e-6) and second order (step 1e-4, whose
    # rounding error is about 1e-16 x / h^2 = 1e-8 x)
    a0, rate = np.array([[0.3, 2.0, 9.0, 40.0]] * 3), np.array([1.0, 0.5, 2.0, 3.0])
    a, r = Tensor(a0, requires_grad=True), Tensor(rate, requires_grad=True)
    x = D.Gamma(a, r).rsample(generator=np.random.default_rng(1))
    expected = np.random.default_rng(1).standard_gamma(a0) / rate
    np.testing.assert_allclose(x.data, expected, rtol=1e-15)
    x.sum().backward()
    g = x.data * rate  # the standard Gamma draws
    inverse = lambda h: sp.gammaincinv(a0 + h, sp.gammainc(a0, g)) / rate  # noqa: E731
    np.testing.assert_allclose(a.grad.data, (inverse(1e-6) - inverse(-1e-6)) / 2e-6, rtol=1e-7)
    np.testing.assert_allclose(r.grad.data, -(x.data / rate).sum(0), rtol=1e-13)
    # PyTorch approximates dx/da (to about 1e-4 here): a loose cross-check of the same rule
    torch_grad = torch._standard_gamma_grad(T(a0), T(g)).numpy() / rate
    np.testing.assert_allclose(a.grad.data, torch_grad, rtol=5e-4)
    first = lambda b: D.Gamma(b, r.data).rsample(generator=np.random.default_rng(1)).sum()  # noqa: E731
    second = grad(lambda b: grad(first)(b).sum())(a0).data
    h = 1e-4
    fd2 = (inverse(h) - 2 * x.data + inverse(-h)) / h**2
    np.testing.assert_allclose(second, fd2, rtol=1e-5, atol=10 * 1e-8 * x.data.max())


def test_beta_rsample_implicit_gradients_match_scipy_and_torch():
    # the oracle as for Gamma: x(a, b) = I^-1(u; a, b) at a fixed level u, by scipy's betaincinv
    a0, b0 = np.array([[0.3, 2.0, 9.0, 40.0, 0.7]] * 4), np.array([0.5, 3.0, 1.2, 30.0, 0.9])
    a, b = Tensor(a0, requires_grad=True), Tensor(b0, requires_grad=True)
    x = D.Beta(a, b).rsample(generator=np.random.default_rng(3))
    np.testing.assert_allclose(x.data, np.random.default_rng(3).beta(a0, b0), rtol=1e-15)
    assert np.any(x.data < 0.5) and np.any(x.data > 0.5)  # both branches of the series
    x.sum().backward()
    u = sp.betainc(a0, b0, x.data)
    inv = lambda ha, hb: sp.betaincinv(a0 + ha, b0 + hb, u)  # noqa: E731
    dx_da, dx_db = (inv(1e-6, 0) - inv(-1e-6, 0)) / 2e-6, (inv(0, 1e-6) - inv(0, -1e-6)) / 2e-6
    np.testing.assert_allclose(a.grad.data, dx_da, rtol=1e-6)
    np.testing.assert_allclose(b.grad.data, dx_db.sum(0), rtol=1e-6)
    # PyTorch's Beta rsample differentiates the same CDF, with an approximation (~1e-3 here)
    X, conc = np.stack([x.data, 1 - x.data], -1), np.stack(np.broadcast_arrays(a0, b0), -1)
    ref = TD.dirichlet._Dirichlet_backward(T(X), T(conc), T([1.0, 0.0])).numpy()
    np.testing.assert_allclose(a.grad.data, ref[..., 0], rtol=2e-3)
    np.testing.assert_allclose(dx_db, ref[..., 1], rtol=2e-3)
    first = lambda c: D.Beta(c, b0).rsample(generator=np.random.default_rng(3)).sum()  # noqa: E731
    second = grad(lambda c: grad(first)(c).sum())(a0).data
    # betaincinv is itself accurate to about 1e-15, so the second difference takes h = 1e-3:
    # rounding error about 1e-15 / h^2 = 1e-9, truncation error of order h^2 = 1e-6 relative
    h = 1e-3
    fd2 = (inv(h, 0) - 2 * inv(0, 0) + inv(-h, 0)) / h**2
    np.testing.assert_allclose(second, fd2, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("make", [lambda a: D.Gamma(a, 2.0), lambda a: D.Beta(a, 2.0)])
def test_implicit_rsample_forward_and_reverse_modes_agree(make):
    import glassgrad as gg

    a0 = np.array([0.5, 2.0, 7.0])
    draw = lambda a: make(a).rsample(generator=np.random.default_rng(0))  # noqa: E731
    np.testing.assert_allclose(gg.jacfwd(draw)(a0).data, gg.jacrev(draw)(a0).data, rtol=1e-13)
    total = lambda a: draw(a).sum()  # noqa: E731
    H = gg.hessian(total)(a0).data  # forward over reverse
    np.testing.assert_allclose(H, gg.jacrev(gg.grad(total))(a0).data, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(H, np.diag(np.diag(H)), atol=0)  # each draw has its own a


SAMPLERS = [
    D.Normal(1.0, 2.0),
    D.Uniform(-1.0, 3.0),
    D.Beta(2.0, 5.0),
    D.Gamma(3.0, 2.0),
    D.Poisson(4.0),
    D.Bernoulli(probs=0.3),
    D.Binomial(10, probs=0.4),
    D.Categorical(probs=[0.2, 0.5, 0.3]),
]


@pytest.mark.parametrize("d", SAMPLERS, ids=lambda d: type(d).__name__)
def test_sample_moments_within_4_standard_errors(d):
    n = 20000
    x = d.sample((n,), generator=np.random.default_rng(7)).data.astype(np.float64)
    assert x.shape == (n,)
    if isinstance(d, D.Categorical):
        p = d.probs.data
        mean, var = (
            (np.arange(3) * p).sum(),
            (np.arange(3) ** 2 * p).sum() - (np.arange(3) * p).sum() ** 2,
        )
    else:
        mean, var = float(d.mean), float(d.variance)
    assert abs(x.mean() - mean) < 4 * np.sqrt(var / n)
    fourth = np.mean((x - mean) ** 4)
    assert abs(x.var() - var) < 4 * np.sqrt((fourth - var**2) / n)


def test_mvn_sample_moments():
    d = D.MultivariateNormal([1.0, 0.0, -1.0], covariance_matrix=S)
    x = d.sample((40000,), generator=2).data
    assert x.shape == (40000, 3)
    se = np.sqrt(np.diag(S) / 40000)
    assert np.all(np.abs(x.mean(0) - [1.0, 0.0, -1.0]) < 4 * se)
    # a sample covariance entry of a Gaussian has variance (S_ii S_jj + S_ij^2) / n
    se_cov = np.sqrt((np.outer(np.diag(S), np.diag(S)) + S**2) / 40000)
    assert np.all(np.abs(np.cov(x.T) - S) < 4 * se_cov)


def test_batch_broadcasting_and_sample_shape():
    d = D.Normal(np.zeros((2, 1)), np.ones(3))
    assert d.batch_shape == (2, 3)
    assert d.sample((4, 5), generator=0).shape == (4, 5, 2, 3)
    assert d.rsample(generator=0).shape == (2, 3)
    assert D.Gamma(np.ones(2), 1.0).sample(3, generator=0).shape == (3, 2)
    assert D.MultivariateNormal(np.zeros((4, 3)), covariance_matrix=S).batch_shape == (4,)


def T(x):
    return torch.tensor(x, dtype=torch.float64)


KL_PAIRS = [
    (
        lambda: D.Normal([0.0, 1.0], [1.0, 2.0]),
        lambda: D.Normal([1.0, -1.0], [0.5, 3.0]),
        lambda: TD.Normal(T([0.0, 1.0]), T([1.0, 2.0])),
        lambda: TD.Normal(T([1.0, -1.0]), T([0.5, 3.0])),
    ),
    (
        lambda: D.Bernoulli(probs=[0.2, 0.9]),
        lambda: D.Bernoulli(probs=[0.5, 0.4]),
        lambda: TD.Bernoulli(probs=T([0.2, 0.9])),
        lambda: TD.Bernoulli(probs=T([0.5, 0.4])),
    ),
    (
        lambda: D.Categorical(probs=[0.2, 0.3, 0.5]),
        lambda: D.Categorical(logits=[1.0, 0.0, -1.0]),
        lambda: TD.Categorical(probs=T([0.2, 0.3, 0.5])),
        lambda: TD.Categorical(logits=T([1.0, 0.0, -1.0])),
    ),
    (
        lambda: D.MultivariateNormal([0.0, 1.0, 2.0], covariance_matrix=S),
        lambda: D.MultivariateNormal([1.0, 1.0, 0.0], covariance_matrix=np.eye(3) + S),
        lambda: TD.MultivariateNormal(T([0.0, 1.0, 2.0]), T(S)),
        lambda: TD.MultivariateNormal(T([1.0, 1.0, 0.0]), T(np.eye(3) + S)),
    ),
    (
        lambda: D.Uniform([0.0, 0.0], [1.0, 2.0]),
        lambda: D.Uniform([-1.0, 0.5], [2.0, 3.0]),
        lambda: TD.Uniform(T([0.0, 0.0]), T([1.0, 2.0])),
        lambda: TD.Uniform(T([-1.0, 0.5]), T([2.0, 3.0])),
    ),
    (
        lambda: D.Beta([2.0, 0.5], [3.0, 1.5]),
        lambda: D.Beta([1.0, 4.0], [1.0, 2.0]),
        lambda: TD.Beta(T([2.0, 0.5]), T([3.0, 1.5])),
        lambda: TD.Beta(T([1.0, 4.0]), T([1.0, 2.0])),
    ),
    (
        lambda: D.Gamma([2.0, 0.5], [3.0, 1.5]),
        lambda: D.Gamma([1.0, 4.0], [1.0, 2.0]),
        lambda: TD.Gamma(T([2.0, 0.5]), T([3.0, 1.5])),
        lambda: TD.Gamma(T([1.0, 4.0]), T([1.0, 2.0])),
    ),
    (
        lambda: D.Binomial(np.array([5.0, 3.0]), probs=[0.2, 0.9]),
        lambda: D.Binomial(np.array([5.0, 3.0]), logits=[0.5, -1.0]),
        lambda: TD.Binomial(T([5.0, 3.0]), probs=T([0.2, 0.9])),
        lambda: TD.Binomial(T([5.0, 3.0]), logits=T([0.5, -1.0])),
    ),
    (
        lambda: D.Poisson([2.0, 0.5]),
        lambda: D.Poisson([1.0, 4.0]),
        lambda: TD.Poisson(T([2.0, 0.5])),
        lambda: TD.Poisson(T([1.0, 4.0])),
    ),
]


@pytest.mark.parametrize("p, q, tp, tq", KL_PAIRS, ids=lambda f: "")
def test_kl_matches_torch(p, q, tp, tq):
    ours = kl_divergence(p(), q()).data
    theirs = TD.kl_divergence(tp(), tq()).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(kl_divergence(p(), p()).data, 0.0, atol=1e-12)


KL_GRADS = [
    (lambda a, b: kl_divergence(D.Beta(a, b), D.Beta(b, a)), ([2.0, 0.7], [1.5, 3.0])),
    (lambda a, r: kl_divergence(D.Gamma(a, r), D.Gamma(r, a)), ([2.0, 0.7], [1.5, 3.0])),
    (lambda r: kl_divergence(D.Poisson(r), D.Poisson(1.0 + r * r)), ([2.0, 0.4],)),
    (lambda p: kl_divergence(D.Bernoulli(probs=p), D.Bernoulli(probs=0.5)), ([0.2, 0.9],)),
    (lambda p: kl_divergence(D.Binomial(4, probs=p), D.Binomial(4, probs=0.3)), ([0.2, 0.9],)),
    (
        lambda z: kl_divergence(D.Categorical(logits=z), D.Categorical(probs=[0.2, 0.8])),
        ([1.0, -0.5],),
    ),
    (
        lambda m, L: kl_divergence(
            D.MultivariateNormal(m, scale_tril=L * np.tri(2)),
            D.MultivariateNormal(np.ones(2), S[:2, :2]),
        ),
        ([0.3, -0.2], [[1.5, 0.0], [0.4, 0.8]]),
    ),
]


@pytest.mark.parametrize("f, args", KL_GRADS)
def test_kl_gradients_order_2(f, args):
    check_grads(f, tuple(np.array(a) for a in args), order=2)


def test_kl_binomial_counts():
    p, q = D.Binomial(np.array([5.0, 6.0]), probs=0.3), D.Binomial(5.0, probs=0.4)
    assert kl_divergence(p, q).data[1] == np.inf
    with pytest.raises(NotImplementedError, match="p.total_count >= q.total_count"):
        kl_divergence(q, p)


def test_binomial_logits_match_scipy():
    z, k = np.array([-3.0, 0.2, 4.0]), np.array([0.0, 3.0, 7.0])
    d = D.Binomial(7.0, logits=z)
    ref = st.binom(7, 1 / (1 + np.exp(-z)))
    np.testing.assert_allclose(d.log_prob(k).data, ref.logpmf(k), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(k).data, ref.cdf(k), rtol=1e-12)


def test_kl_uniform_outside_support_is_inf_and_gradient_vs_torch():
    assert float(kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.5, 3.0))) == np.inf
    a = Tensor([0.3, -0.2], requires_grad=True)
    kl_divergence(D.Normal(a, 1.5), D.Normal(0.0, [1.0, 2.0])).sum().backward()
    ta = torch.tensor([0.3, -0.2], dtype=torch.float64, requires_grad=True)
    TD.kl_divergence(TD.Normal(ta, 1.5), TD.Normal(0.0, T([1.0, 2.0]))).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-13)


BAD = [
    (lambda: D.Normal(0.0, -1.0), ValueError, "Normal: scale must be positive"),
    (lambda: D.Normal(0.0, np.nan), ValueError, "Normal: scale must be finite"),
    (lambda: D.Normal(np.zeros(2), np.ones(3)), ValueError, "do not broadcast"),
    (lambda: D.Bernoulli(probs=1.2), ValueError, r"Bernoulli: probs must be in \[0, 1\]"),
    (lambda: D.Bernoulli(probs=0.2, logits=0.0), ValueError, "exactly one of probs or logits"),
    (lambda: D.Bernoulli(), ValueError, "exactly one of probs or logits"),
    (lambda: D.Categorical(probs=[-0.1, 1.1]), ValueError, "Categorical: probs must be non-neg"),
    (lambda: D.Categorical(probs=0.5), ValueError, "last axis of categories"),
    (lambda: D.Uniform(1.0, 1.0), ValueError, "Uniform: low must be < high"),
    (lambda: D.Beta(0.0, 1.0), ValueError, "Beta: concentration1 must be positive"),
    (lambda: D.Gamma(1.0, -2.0), ValueError, "Gamma: rate must be positive"),
    (lambda: D.Poisson(0.0), ValueError, "Poisson: rate must be positive"),
    (lambda: D.Binomial(2.5, probs=0.5), ValueError, "total_count must be a non-negative integer"),
    (
        lambda: D.MultivariateNormal([0.0, 0.0], covariance_matrix=[[1.0, 2.0], [2.0, 1.0]]),
        ValueError,
        "covariance_matrix must be symmetric positive definite",
    ),
    (
        lambda: D.MultivariateNormal([0.0, 0.0], covariance_matrix=np.eye(3)),
        ValueError,
        r"must be of shape \(..., 2, 2\)",
    ),
    (lambda: D.MultivariateNormal([0.0, 0.0]), ValueError, "give exactly one of covariance_matrix"),
    (
        lambda: D.MultivariateNormal([0.0, 0.0], scale_tril=[[1.0, 1.0], [0.0, 1.0]]),
        ValueError,
        "scale_tril must be lower triangular",
    ),
    (
        lambda: D.Normal(np.zeros(2), 1.0).log_prob(np.zeros(3)),
        ValueError,
        r"value of shape \(3,\) does not broadcast",
    ),
    (
        lambda: D.Beta(1.0, 1.0).log_prob(1.5),
        ValueError,
        "Beta.log_prob: value must be in the support",
    ),
    (lambda: D.Poisson(1.0).log_prob(1.5), ValueError, "must be in the support"),
    (lambda: D.Bernoulli(probs=0.5).log_prob(0.5), ValueError, "must be in the support"),
    (lambda: D.Categorical(probs=[0.5, 0.5]).log_prob(2), ValueError, "must be in the support"),
    (lambda: D.Uniform(0.0, 1.0).log_prob(1.0), ValueError, "must be in the support"),
    (lambda: D.Normal(0.0, [1.0, 2.0]).cdf([0.0] * 3), ValueError, r"Normal.cdf: value of shape"),
    (lambda: D.Gamma(1.0, [1.0, 2.0]).cdf([0.0] * 3), ValueError, r"Gamma.cdf: value of shape"),
    (lambda: D.Poisson([1.0, 2.0]).cdf([[1.0] * 3]), ValueError, r"Poisson.cdf: value of shape"),
    (lambda: D.Uniform(0.0, 1.0).cdf(np.nan), ValueError, "Uniform.cdf: value must be finite"),
    (lambda: D.Normal(0.0, 1.0).icdf(1.5), ValueError, r"Normal.icdf: value must be in \[0, 1\]"),
    (lambda: D.Poisson(1.0).rsample(), NotImplementedError, "Poisson.rsample: no reparameterised"),
    (lambda: D.Normal(0.0, 1.0).sample((-1,)), ValueError, "sample_shape must be non-negative"),
    (lambda: D.Normal(0.0, 1.0).sample(generator="x"), TypeError, "generator must be"),
    (
        lambda: kl_divergence(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0)),
        NotImplementedError,
        "no closed form for Normal-Gamma",
    ),
]


def test_bad_input(make, err, match):  # one case per row of BAD (see conftest.py)
    with pytest.raises(err, match=match):
        make()


GRAD_CASES = [
    (lambda a, b: D.Beta(a, b).log_prob(np.array([0.3, 0.8])), ([2.0, 0.7], [1.5, 3.0])),
    (lambda a, r: D.Gamma(a, r).log_prob(np.array([0.5, 2.0])), ([2.0, 0.7], [1.5, 3.0])),
    (lambda a, b: D.Beta(a, b).entropy(), ([2.0, 0.7], [1.5, 3.0])),
    (lambda m, s: D.Normal(m, s).cdf(np.array([0.1, -0.4])), ([0.0, 1.0], [1.5, 0.5])),
    (lambda r: D.Poisson(r).log_prob(np.array([3.0, 0.0])), ([2.0, 0.4],)),
    (lambda r: D.Poisson(r).cdf(np.array([3.0, 0.5])), ([2.0, 0.4],)),
    (lambda p: D.Binomial(6.0, probs=p).cdf(np.array([2.0, 4.5])), ([0.3, 0.8],)),
    (
        lambda c: D.MultivariateNormal(np.zeros(2), covariance_matrix=0.5 * (c + c.T)).log_prob(
            np.array([0.3, -0.2])
        ),
        ([[2.0, 0.3], [0.3, 1.0]],),
    ),
]


@pytest.mark.parametrize("f, args", GRAD_CASES)
def test_parameter_gradients_order_2(f, args):
    check_grads(f, tuple(np.array(a) for a in args), order=2)
