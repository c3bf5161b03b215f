"""Bayes' rule: posterior = prior x likelihood / evidence, for one or many hypotheses."""

# fmt: off
from dataclasses import dataclass

import numpy as np

from glassgrad.core.ops import exp, log, logsumexp, stack, sum, to_tensor
from glassgrad.core.tensor import Tensor

__all__ = ["BayesResult", "bayes_rule", "sequential_update"]


@dataclass
class BayesResult:
    """Posterior and evidence from ``bayes_rule`` (log-space values when ``log=True``)."""

    posterior: Tensor
    evidence: Tensor


def _probabilities(x, name, fn):
    x = to_tensor(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = Tensor(x.data.astype(np.float64))
    if not np.all((x.data >= 0) & (x.data <= 1)):
        raise ValueError(f"{fn}: {name} must be probabilities in [0, 1]; got {x.data}")
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
        if likelihood_not is not None:
            raise ValueError(
                "bayes_rule: with log=True give a vector of hypotheses, not likelihood_not"
            )
        joint = _log_values(prior, "prior") + _log_values(likelihood, "likelihood")
        log_evidence = logsumexp(joint, axis=-1)
        return BayesResult(joint - log_evidence, log_evidence)
    prior = _probabilities(prior, "prior", "bayes_rule")
    likelihood = _probabilities(likelihood, "likelihood", "bayes_rule")
    if likelihood_not is not None:
        if prior.ndim or likelihood.ndim:
            raise ValueError(
                "bayes_rule: likelihood_not is for one hypothesis; prior and likelihood must "
                f"be scalars, got shapes {prior.shape} and {likelihood.shape}"
            )
        likelihood_not = _probabilities(likelihood_not, "likelihood_not", "bayes_rule")
        joint = prior * likelihood
        evidence = joint + (1.0 - prior) * likelihood_not
        return BayesResult(joint / evidence, evidence)
    if prior.ndim != 1 or prior.shape != likelihood.shape[-1:]:
        raise ValueError(
            "bayes_rule: prior must be a vector over hypotheses and likelihood must end with "
            f"the same length; got shapes {prior.shape} and {likelihood.shape}"
        )
    if abs(float(prior.data.sum()) - 1.0) > 1e-8:
        raise ValueError(f"bayes_rule: prior must sum to 1; got sum {prior.data.sum()}")
    joint = prior * likelihood
    evidence = sum(joint, axis=-1)
    if np.any(evidence.data == 0):
        raise ValueError(
            "bayes_rule: evidence is 0 (every hypothesis gives the data probability 0)"
        )
    return BayesResult(joint / sum(joint, axis=-1, keepdims=True), evidence)


def _log_values(x, name):
    x = to_tensor(x)
    if x.ndim != 1 and name == "prior":
        raise ValueError(
            f"bayes_rule: log prior must be a vector over hypotheses; got shape {x.shape}"
        )
    if np.any(x.data > 0):
        raise ValueError(
            f"bayes_rule: log {name} must be <= 0 (log of probabilities); got {x.data}"
        )
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
    if likelihoods.ndim != 2 or prior.ndim != 1 or likelihoods.shape[1] != prior.shape[0]:
        raise ValueError(
            "sequential_update: prior must have shape (K,) and likelihoods (T, K); got "
            f"{prior.shape} and {likelihoods.shape}"
        )
    with np.errstate(divide="ignore"):
        log_post, out = log(prior), []
        for t in range(likelihoods.shape[0]):
            log_post = bayes_rule(log_post, log(likelihoods[t]), log=True).posterior
            out.append(exp(log_post))
    return stack(out)
