"""Bayes' rule, expectation/variance, Monte Carlo and bias-variance vs closed forms."""

import numpy as np
import pytest

from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import grad
from glassgrad.prob.bayes import bayes_rule, sequential_update
from glassgrad.prob.expectation import (
    PolynomialRegression,
    bias_variance_decomposition,
    expectation,
    monte_carlo,
    variance,
)


def test_disease_example_exact():
    r = bayes_rule(0.01, 0.99, 0.05)
    evidence = 0.01 * 0.99 + 0.99 * 0.05
    assert abs(float(r.evidence) - evidence) < 1e-15
    assert abs(float(r.posterior) - 0.0099 / evidence) < 1e-15


def test_vector_and_log_forms_agree():
    prior, lik = np.array([0.5, 0.3, 0.2]), np.array([0.1, 0.4, 0.8])
    r = bayes_rule(prior, lik)
    joint = prior * lik
    np.testing.assert_allclose(r.posterior.data, joint / joint.sum(), rtol=1e-15)
    np.testing.assert_allclose(float(r.evidence), joint.sum(), rtol=1e-15)
    lr = bayes_rule(np.log(prior), np.log(lik), log=True)
    np.testing.assert_allclose(np.exp(lr.posterior.data), r.posterior.data, rtol=1e-14)
    np.testing.assert_allclose(float(lr.evidence), np.log(joint.sum()), rtol=1e-14)
    # batched likelihoods: one row per observation
    rb = bayes_rule(prior, np.stack([lik, lik[::-1]]))
    np.testing.assert_allclose(rb.posterior.data[1], prior * lik[::-1] / (prior * lik[::-1]).sum())


def test_log_space_survives_underflow():
    # 2000 observations each with likelihood 1e-200 would underflow a product to 0
    log_lik = np.array([2000 * np.log(1e-200), 2000 * np.log(2e-200)])
    r = bayes_rule(np.log([0.5, 0.5]), log_lik, log=True)
    assert np.all(np.isfinite(r.posterior.data))
    assert float(np.exp(r.posterior.data[1])) == pytest.approx(1.0)
    assert np.prod(np.full(2000, 1e-200)) == 0.0  # the naive product form


def test_posterior_is_differentiable_in_the_prior():
    # d/dp [p a / (p a + (1 - p) b)] = a b / (p a + (1 - p) b)^2
    a, b, p = 0.99, 0.05, 0.01
    g = grad(lambda q: bayes_rule(q, a, b).posterior)(p)
    assert abs(float(g) - a * b / (p * a + (1 - p) * b) ** 2) < 1e-10


def test_sequential_update_equals_batch_posterior():
    lik = np.array([[0.5, 0.9], [0.5, 0.1], [0.5, 0.9], [0.5, 0.9]])
    post = sequential_update([0.5, 0.5], lik)
    for t in range(4):
        joint = 0.5 * lik[: t + 1].prod(axis=0)
        np.testing.assert_allclose(post.data[t], joint / joint.sum(), rtol=1e-13)
    long = sequential_update([0.5, 0.5], np.tile([[1e-200, 2e-200]], (2000, 1)))
    assert np.all(np.isfinite(long.data)) and long.data[-1, 1] == pytest.approx(1.0)


def test_expectation_and_variance_notes_examples():
    assert float(expectation([0.0, 1.0], [0.3, 0.7])) == pytest.approx(0.7, abs=1e-15)
    assert float(variance([0.0, 1.0], [0.3, 0.7])) == pytest.approx(0.21, abs=1e-15)
    assert float(expectation([1.0, 3.0], [0.5, 0.5])) == 2.0
    assert float(variance([1.0, 3.0], [0.5, 0.5])) == 1.0
    assert float(variance([1.0, 3.0], [0.5, 0.5], method="moments")) == 1.0
    x, p = Tensor([1.0, 2.0, 5.0], requires_grad=True), np.array([0.2, 0.5, 0.3])
    variance(x, p).backward()  # dVar/dx_i = 2 p_i (x_i - E[X])
    np.testing.assert_allclose(x.grad.data, 2 * p * (x.data - (p * x.data).sum()), rtol=1e-14)


def test_monte_carlo_coin_and_standard_error():
    r = monte_carlo(lambda x: x, lambda n, g: (g.random(n) < 0.7).astype(float), 40000, 0)
    se = np.sqrt(0.21 / 40000)
    assert abs(r.estimate - 0.7) < 4 * se
    assert r.std_error == pytest.approx(se, rel=0.02) and r.n == 40000


def test_monte_carlo_of_the_notes_one_or_three_example():
    # X in {1, 3} with equal probability: E[X] = 2 and Var(X) = E[(X - 2)^2] = 1, so the
    # standard error of a mean of n draws is 1/sqrt(n); (X - 2)^2 = 1 always, with error 0
    draw = lambda n, g: g.choice([1.0, 3.0], n)  # noqa: E731
    r = monte_carlo(lambda x: x, draw, 10000, generator=1)
    assert abs(r.estimate - 2.0) < 4 * 0.01 and r.std_error == pytest.approx(0.01, rel=0.02)
    r = monte_carlo(lambda x: (x - 2.0) ** 2, draw, 10000, generator=1)
    assert r.estimate == 1.0 and r.std_error == 0.0


def _bootstrap_constant_model(y, n_rounds):
    """Closed forms for the bootstrap of a constant (sample-mean) model on targets y.

    A resample's mean y* has E[y*] = mean(y) and Var(y*) = v = m2 / n (m2 the mean squared
    deviation of y), and its excess kurtosis is (m4 / m2^2 - 3) / n. Returns v and the standard
    error of the variance of n_rounds such means (the spread of a sample variance).
    """
    n, d = len(y), y - y.mean()
    m2, m4 = np.mean(d**2), np.mean(d**4)
    v = m2 / n
    return v, v * np.sqrt((2 + (m4 / m2**2 - 3) / n) / n_rounds)


def _bias2_tolerance(offset, v, n_rounds):
    # the mean of n_rounds bootstrap means is off by delta ~ N(0, v / B); bias^2 moves by
    # 2 delta offset + delta^2: four standard errors of delta bound both terms
    se = np.sqrt(v / n_rounds)
    return 8 * abs(offset) * se + 16 * se**2


def test_bias_variance_bootstrap_constant_model_matches_its_closed_form():
    rng = np.random.default_rng(4)
    x, xt, sigma, rounds = np.linspace(-1, 1, 30), np.array([-0.5, 0.2, 0.9]), 0.5, 4000
    y = x + sigma * rng.standard_normal(30)
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(0), x, y, xt, lambda t: t, rounds, generator=5
    )
    v, se = _bootstrap_constant_model(y, rounds)
    assert abs(r.variance - v * (1 - 1 / rounds)) < 4 * se  # ddof 0 over the rounds
    exact_bias2 = np.mean((y.mean() - xt) ** 2) + v / rounds
    assert abs(r.bias2 - exact_bias2) < _bias2_tolerance(np.mean(y.mean() - xt), v, rounds)
    assert r.noise == pytest.approx(np.mean((y - x) ** 2), rel=1e-14)  # residuals around f
    assert r.expected_error == pytest.approx(r.bias2 + r.variance + r.noise, rel=1e-14)
    given = bias_variance_decomposition(
        lambda: PolynomialRegression(0), x, y, xt, lambda t: t, rounds, noise_std=sigma
    )
    assert given.noise == sigma**2


def test_bias_variance_bootstrap_recovers_the_random_design_truth():
    # Resampling rows mimics drawing (x, y) afresh. For x ~ U(-1, 1), y = x + sigma eps and a
    # constant model fitted to n points: prediction mean(y), so variance (1/3 + sigma^2) / n
    # and bias^2 = mean_x (0 - x)^2 at the test points.
    n, sigma, rounds = 2000, 0.4, 2000
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, n)
    y = x + sigma * rng.standard_normal(n)
    xt = np.array([-0.5, 0.0, 0.8])
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(0), x, y, xt, lambda t: t, rounds, generator=7
    )
    m2 = 1 / 3 + sigma**2
    # m2 is estimated from the n points: E[(x + sigma eps)^4] = 1/5 + 6 (1/3) sigma^2 + 3 sigma^4
    m4 = 1 / 5 + 2 * sigma**2 + 3 * sigma**4
    se_var = m2 / n * np.sqrt((m4 - m2**2) / m2**2 / n + 2 / rounds)
    assert abs(r.variance - m2 / n) < 4 * se_var
    assert abs(r.bias2 - np.mean(xt**2)) < _bias2_tolerance(np.mean(xt), 2 * m2 / n, 1)
    assert abs(r.noise - sigma**2) < 4 * sigma**2 * np.sqrt(2 / n)


def test_bias_variance_bootstrap_of_an_exact_fit_is_zero():
    x = np.linspace(0, 2, 12)
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(1), x, 3 * x - 1, np.array([0.0, 5.0]), lambda t: 3 * t - 1,
        50, generator=8,
    )  # fmt: skip
    assert r.bias2 < 1e-24 and r.variance < 1e-24 and r.noise == 0.0


def test_bias_variance_bootstrap_takes_2d_inputs_and_scikit_learn_models():
    from sklearn.linear_model import LinearRegression

    X = np.random.default_rng(9).normal(size=(40, 3))
    truth = lambda A: A @ np.array([1.0, -2.0, 0.5]) + 3.0  # noqa: E731
    r = bias_variance_decomposition(LinearRegression, X, truth(X), X[:5], truth, 20, generator=0)
    assert r.bias2 < 1e-24 and r.variance < 1e-24 and r.noise == 0.0


def test_bias_variance_fresh_draws_constant_model_fixed_design():
    x = np.linspace(-1, 1, 10)
    sigma, rounds = 0.5, 4000
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(0), x, None, x, lambda t: t, rounds, "fresh", sigma, 1
    )
    assert r.variance == pytest.approx(sigma**2 / 10, rel=4 * np.sqrt(2 / rounds))
    assert r.bias2 == pytest.approx(np.mean(x**2), abs=4 * sigma**2 / 10 / np.sqrt(rounds) + 1e-3)
    assert r.noise == sigma**2
    assert r.expected_error == pytest.approx(r.bias2 + r.variance + r.noise)


def test_bias_variance_fresh_draws_linear_model_is_unbiased_with_hat_variance():
    x, xt = np.linspace(0, 2, 8), np.array([0.0, 1.0, 3.0])
    sigma, rounds = 0.3, 4000
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(1), x, None, xt, lambda t: 2 * t - 1, rounds, "fresh", sigma, 2
    )
    v, vt = np.stack([np.ones_like(x), x], 1), np.stack([np.ones_like(xt), xt], 1)
    hat = np.einsum("ij,jk,ik->i", vt, np.linalg.inv(v.T @ v), vt)
    assert r.variance == pytest.approx(sigma**2 * hat.mean(), rel=4 * np.sqrt(2 / rounds))
    assert r.bias2 < 4 * sigma**2 * hat.max() / rounds


def _bvd(**changes):
    args = dict(model_factory=PolynomialRegression, X=[0.0, 1.0, 2.0], y=[0.0, 1.0, 2.0],
                X_test=[0.0], true_fn=np.sin)  # fmt: skip
    return bias_variance_decomposition(**{**args, **changes})


BAD = [
    (lambda: bayes_rule(1.5, 0.5, 0.5), ValueError, r"prior must be probabilities in \[0, 1\]"),
    (lambda: bayes_rule([0.5, 0.6], [0.1, 0.2]), ValueError, "prior must sum to 1"),
    (lambda: bayes_rule([0.5, 0.5], [0.1, 0.2, 0.3]), ValueError, "likelihood must end with"),
    (lambda: bayes_rule([0.5, 0.5], [0.1, 0.2], 0.3), ValueError, "likelihood_not is for one"),
    (lambda: bayes_rule([0.5, 0.5], [0.0, 0.0]), ValueError, "evidence is 0"),
    (lambda: bayes_rule([0.0, 0.1], [0.0, 0.0], log=True), ValueError, "log prior must be <= 0"),
    (lambda: bayes_rule(0.0, 0.0, 0.1, log=True), ValueError, "with log=True give a vector"),
    (lambda: sequential_update([0.5, 0.5], [0.1, 0.2]), ValueError, r"likelihoods \(T, K\)"),
    (lambda: expectation([1.0, 2.0], [0.5]), ValueError, "values and probs must be vectors"),
    (lambda: expectation([1.0, 2.0], [0.5, 0.6]), ValueError, "probs must be non-negative and sum"),
    (lambda: variance([1.0], [1.0], method="x"), ValueError, "method must be 'central'"),
    (lambda: monte_carlo(np.sin, lambda n, g: g.random(n), 1), ValueError, "n must be an int >= 2"),
    (lambda: monte_carlo(np.mean, lambda n, g: g.random(n), 5), ValueError, "must have n=5 rows"),
    (lambda: monte_carlo(np.sin, [0.5], 5), TypeError, "f and sampler must be callable; got"),
    (lambda: PolynomialRegression(-1), ValueError, "degree must be int >= 0"),
    (
        lambda: PolynomialRegression(1).fit(np.ones((4, 2)), np.ones(4)),
        ValueError,
        r"x must be 1-D \(one input\); got shape \(4, 2\)",
    ),
    (lambda: _bvd(model_factory=None), TypeError, "model_factory and true_fn must be callable"),
    (lambda: _bvd(noise_std=-1.0), ValueError, "noise_std must be None or a number >= 0"),
    (lambda: _bvd(n_rounds=1), ValueError, "n_rounds must be an int >= 2; got 1"),
    (lambda: _bvd(method="jackknife"), ValueError, "method must be 'bootstrap' or 'fresh'"),
    (lambda: _bvd(method="fresh"), ValueError, "method='fresh' draws targets, so it needs"),
    (lambda: _bvd(y=[1.0]), ValueError, r"one target per row of X, shape \(3,\); got shape \(1,\)"),
    (lambda: _bvd(X=[], y=[]), ValueError, r"X needs at least one row; got shape \(0,\)"),
]


def test_bad_input(make, err, match):  # one case per row of BAD (see conftest.py)
    with pytest.raises(err, match=match):
        make()
