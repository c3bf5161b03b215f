"""Probability: distributions, KL divergence, Bayes' rule, Naive Bayes, expectation, mixtures.

Everything is written in glassgrad ops so densities and their parameters are differentiable;
randomness comes from an explicit ``numpy.random.Generator`` (or the default one).
"""

from glassgrad.prob.distributions import (
    Bernoulli,
    Beta,
    Binomial,
    Categorical,
    Distribution,
    Gamma,
    MultivariateNormal,
    Normal,
    Poisson,
    Uniform,
)
from glassgrad.prob.kl import kl_divergence, register_kl
from glassgrad.prob.special import (
    digamma,
    erf,
    erfc,
    lbeta,
    lgamma,
    ndtri,
    polygamma,
    softplus,
    xlogy,
)

__all__ = [
    "Distribution",
    "Normal",
    "Bernoulli",
    "Categorical",
    "MultivariateNormal",
    "Uniform",
    "Beta",
    "Gamma",
    "Poisson",
    "Binomial",
    "kl_divergence",
    "register_kl",
    "erf",
    "erfc",
    "ndtri",
    "lgamma",
    "digamma",
    "polygamma",
    "xlogy",
    "softplus",
    "lbeta",
]
