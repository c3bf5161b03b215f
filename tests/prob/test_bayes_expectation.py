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


def test_bias_variance_constant_model_fixed_design():
    x = np.linspace(-1, 1, 10)
    sigma, rounds = 0.5, 4000
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(0), lambda t: t, x, x, sigma, rounds, generator=1
    )
    assert r.variance == pytest.approx(sigma**2 / 10, rel=4 * np.sqrt(2 / rounds))
    assert r.bias2 == pytest.approx(np.mean(x**2), abs=4 * sigma**2 / 10 / np.sqrt(rounds) + 1e-3)
    assert r.noise == sigma**2
    assert r.expected_error == pytest.approx(r.bias2 + r.variance + r.noise)


def test_bias_variance_linear_model_is_unbiased_with_hat_variance():
    x, xt = np.linspace(0, 2, 8), np.array([0.0, 1.0, 3.0])
    sigma, rounds = 0.3, 4000
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(1), lambda t: 2 * t - 1, x, xt, sigma, rounds, generator=2
    )
    v, vt = np.stack([np.ones_like(x), x], 1), np.stack([np.ones_like(xt), xt], 1)
    hat = np.einsum("ij,jk,ik->i", vt, np.linalg.inv(v.T @ v), vt)
    assert r.variance == pytest.approx(sigma**2 * hat.mean(), rel=4 * np.sqrt(2 / rounds))
    assert r.bias2 < 4 * sigma**2 * hat.max() / rounds


def test_bias_variance_random_design():
    # constant model, x ~ U(-1, 1): prediction mean(y) has variance (1/3 + sigma^2) / n
    n, sigma, rounds = 20, 0.4, 4000
    xt = np.array([-0.5, 0.0, 0.8])
    r = bias_variance_decomposition(
        lambda: PolynomialRegression(0),
        lambda t: t,
        lambda g: g.uniform(-1, 1, n),
        xt,
        sigma,
        rounds,
        generator=3,
    )
    assert r.variance == pytest.approx((1 / 3 + sigma**2) / n, rel=4 * np.sqrt(2 / rounds))
    assert r.bias2 == pytest.approx(np.mean(xt**2), abs=0.01)


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
    (lambda: PolynomialRegression(-1), ValueError, "degree must be int >= 0"),
    (lambda: bias_variance_decomposition(None, np.sin, [0.0], [0.0], 0.1), TypeError, "callable"),
    (
        lambda: bias_variance_decomposition(PolynomialRegression, np.sin, [0.0], [0.0], -1.0),
        ValueError,
        "noise_std must be a number >= 0",
    ),
    (
        lambda: bias_variance_decomposition(PolynomialRegression, np.sin, [0.0], [0.0], 0.1, 1),
        ValueError,
        "n_rounds must be an int >= 2",
    ),
]


@pytest.mark.parametrize("make, err, match", BAD)
def test_bad_input(make, err, match):
    with pytest.raises(err, match=match):
        make()
