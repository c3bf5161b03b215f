"""Probability: distributions, KL divergence, Bayes' rule, Naive Bayes, expectation, mixtures.

Everything is written in glassgrad ops so densities and their parameters are differentiable;
randomness comes from an explicit ``numpy.random.Generator`` (or the default one).
"""

# fmt: off
# ruff: noqa: I001
from glassgrad.prob.bayes import BayesResult, bayes_rule, sequential_update
from glassgrad.prob.continuous import Beta, Gamma, MultivariateNormal, Normal, Uniform
from glassgrad.prob.discrete import Bernoulli, Binomial, Categorical, Poisson
from glassgrad.prob.distribution import Distribution
from glassgrad.prob.expectation import (
    BiasVariance, MonteCarloResult, PolynomialRegression, bias_variance_decomposition,
    expectation, monte_carlo, variance,
)
from glassgrad.prob.kalman import KalmanFilter
from glassgrad.prob.kl import kl_divergence, register_kl
from glassgrad.prob.mixture import GaussianMixture
from glassgrad.prob.naive_bayes import (
    BernoulliNB, NaiveBayesExplanation, GaussianNB, MultinomialNB, NotFittedError,
)
from glassgrad.prob.special import (
    digamma, erf, erfc, lbeta, lgamma, ndtri, polygamma, softplus, xlogy,
)
from glassgrad.prob.text import CountVectorizer

__all__ = [
    "Distribution", "Normal", "Bernoulli", "Categorical", "MultivariateNormal", "Uniform",
    "Beta", "Gamma", "Poisson", "Binomial", "kl_divergence", "register_kl",
    "bayes_rule", "sequential_update", "BayesResult",
    "MultinomialNB", "BernoulliNB", "GaussianNB", "NaiveBayesExplanation", "NotFittedError",
    "CountVectorizer", "GaussianMixture", "KalmanFilter",
    "expectation", "variance", "monte_carlo", "MonteCarloResult",
    "PolynomialRegression", "bias_variance_decomposition", "BiasVariance",
    "erf", "erfc", "ndtri", "lgamma", "digamma", "polygamma", "xlogy", "softplus", "lbeta",
]
