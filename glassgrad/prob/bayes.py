"""Bayes' rule: posterior = prior x likelihood / evidence, for one or many hypotheses."""

from typing import NamedTuple

import numpy as np

from glassgrad.core.ops import exp, log, logsumexp, stack, sum, to_tensor
from glassgrad.core.tensor import Tensor

__all__ = ["BayesResult", "bayes_rule", "sequential_update"]


class BayesResult(NamedTuple):
    """Posterior and evidence from ``bayes_rule`` (log-space values when ``log=True``)."""

    posterior: Tensor
    evidence: Tensor


def _check(ok, message):
    if not ok:
        raise ValueError(message)


def _probabilities(x, name, fn):
    x = to_tensor(x)
    x = x if np.issubdtype(x.dtype, np.floating) else Tensor(x.data.astype(np.float64))
    ok = np.all((x.data >= 0) & (x.data <= 1))
    _check(ok, f"{fn}: {name} must be probabilities in [0, 1]; got {x.data}")
    return x


def bayes_rule(prior, likelihood, likelihood_not=None, log=False):
    """Posterior P(H | E) = P(E | H) P(H) / P(E) and evidence P(E) = sum_H P(E | H) P(H).

    Three forms: a scalar hypothesis A with ``likelihood`` = P(E|A) and ``likelihood_not`` =
    P(E|not A); a vector of exclusive hypotheses (``prior`` sums to 1, ``likelihood[i]`` =
    P(E|H_i)); or ``log=True``, where the inputs are log prior and log likelihoods and the
    result holds log posterior and log evidence (stable for tiny probabilities).

    Example (a test with 99% sensitivity and 5% false positives for a 1%-prevalence disease):
        >>> r = bayes_rule(0.01, 0.99, 0.05)
        >>> round(float(r.posterior), 4), round(float(r.evidence), 4)
        (0.1667, 0.0594)
    """
    if log:
        _check(likelihood_not is None, "bayes_rule: with log=True give a vector of hypotheses")
        joint = _log_values(prior, "prior") + _log_values(likelihood, "likelihood")
        log_evidence = logsumexp(joint, axis=-1)
        return BayesResult(joint - log_evidence, log_evidence)
    prior = _probabilities(prior, "prior", "bayes_rule")
    likelihood = _probabilities(likelihood, "likelihood", "bayes_rule")
    shapes = f"got shapes {prior.shape} and {likelihood.shape}"
    if likelihood_not is not None:
        _check(
            prior.ndim == likelihood.ndim == 0,
            f"bayes_rule: likelihood_not is for one "
            f"hypothesis, so prior and likelihood must be scalars; {shapes}",
        )
        likelihood_not = _probabilities(likelihood_not, "likelihood_not", "bayes_rule")
        joint = prior * likelihood
        evidence = joint + (1.0 - prior) * likelihood_not
        return BayesResult(joint / evidence, evidence)
    _check(
        prior.ndim == 1 and prior.shape == likelihood.shape[-1:],
        "bayes_rule: prior must be "
        f"a vector over hypotheses and likelihood must end with the same length; {shapes}",
    )
    total = float(prior.data.sum())
    _check(abs(total - 1.0) <= 1e-8, f"bayes_rule: prior must sum to 1; got sum {total}")
    joint = prior * likelihood
    evidence = sum(joint, axis=-1)
    _check(np.all(evidence.data > 0), "bayes_rule: evidence is 0 (no hypothesis explains the data)")
    return BayesResult(joint / sum(joint, axis=-1, keepdims=True), evidence)


def _log_values(x, name):
    x = to_tensor(x)
    _check(x.ndim == 1 or name != "prior", f"bayes_rule: log prior must be a vector; got {x.shape}")
    _check(np.all(x.data <= 0), f"bayes_rule: log {name} must be <= 0 (log probabilities)")
    return x


def sequential_update(prior, likelihoods):
    """Apply Bayes' rule once per observation: each posterior is the next prior.

    ``likelihoods`` has shape (T, K): row t holds P(e_t | H_k). Works in log space, so long
    sequences do not underflow. Returns the (T, K) posteriors after each observation.

    Example (is a coin fair (P(H) = 0.5) or biased (P(H) = 0.9)? three heads):
        >>> post = sequential_update([0.5, 0.5], [[0.5, 0.9]] * 3)
        >>> round(float(post[-1, 1]), 4)
        0.8536
    """
    prior = _probabilities(prior, "prior", "sequential_update")
    likelihoods = _probabilities(likelihoods, "likelihoods", "sequential_update")
    ok = likelihoods.ndim == 2 and prior.ndim == 1 and likelihoods.shape[1:] == prior.shape
    _check(
        ok,
        "sequential_update: prior must have shape (K,) and likelihoods (T, K); got "
        f"{prior.shape} and {likelihoods.shape}",
    )
    with np.errstate(divide="ignore"):
        log_post, out = log(prior), []
        for t in range(likelihoods.shape[0]):
            log_post = bayes_rule(log_post, log(likelihoods[t]), log=True).posterior
            out.append(exp(log_post))
    return stack(out)
