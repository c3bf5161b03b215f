"""Discrete distributions: Bernoulli, Binomial, Poisson, Categorical (PyTorch names).

Each is parameterised by ``probs`` or ``logits`` (Poisson by its rate); ``sample`` draws
without gradients, while ``log_prob``, ``entropy`` and the moments are differentiable.
"""

import math

import numpy as np

from glassgrad.core.ops import (
    exp,
    expand_dims,
    log,
    log_softmax,
    sigmoid,
    sum,
    where,
)
from glassgrad.core.tensor import Tensor
from glassgrad.prob.distribution import (
    Distribution,
    _broadcast,
    _param,
    _positive,
    _require,
)
from glassgrad.prob.special import lgamma, softplus, xlogy

__all__ = ["Bernoulli", "Binomial", "Poisson", "Categorical"]

_LOG_2PI = math.log(2.0 * math.pi)


class _ProbsOrLogits(Distribution):
    """Shared parameter handling for Bernoulli, Binomial (elementwise) and Categorical."""

    def _set_probs(self, probs, logits, categorical=False):
        name = self._name
        if (probs is None) == (logits is None):
            raise ValueError(f"{name}: give exactly one of probs or logits")
        if categorical and np.ndim(probs if logits is None else logits) == 0:
            raise ValueError(f"{name}: parameters need a last axis of categories; got shape ()")
        if probs is not None:
            p = _param(probs, "probs", name)
            if categorical:  # any non-negative weights, normalised along the last axis
                _require(p.data >= 0, name, "probs", "non-negative", p.data)
                _require(p.data.sum(-1) > 0, name, "probs", "summing to > 0", p.data)
                p = p / sum(p, axis=-1, keepdims=True)
            else:
                _require((p.data >= 0) & (p.data <= 1), name, "probs", "in [0, 1]", p.data)
            self.probs = p
            with np.errstate(divide="ignore"):
                if categorical:  # log 0 = -inf with a zero (not NaN) gradient
                    self.logits = where(p.data > 0, log(where(p.data > 0, p, 1.0)), -np.inf)
                else:
                    self.logits = log(p) - log(1.0 - p)
        else:
            self.logits = z = _param(logits, "logits", name)
            self.probs = sigmoid(z) if not categorical else exp(log_softmax(z, axis=-1))
        self._from_logits = logits is not None


class Bernoulli(_ProbsOrLogits):
    """Bernoulli(p): P(x) = p^x (1 - p)^(1 - x) for x in {0, 1}; from probs or logits.

    Example:
        >>> round(float(Bernoulli(probs=0.7).log_prob(1.0)), 6)
        -0.356675
    """

    def __init__(self, probs=None, logits=None):
        self._set_probs(probs, logits)
        self.batch_shape = self.probs.shape

    mean = property(lambda self: self.probs)
    variance = property(lambda self: self.probs * (1.0 - self.probs))

    @property
    def mode(self):
        """1 if p > 1/2, 0 if p < 1/2, NaN at a tie (as PyTorch)."""
        p = self.probs.data
        return Tensor(np.where(p == 0.5, np.nan, (p > 0.5).astype(p.dtype)))

    _support = lambda self, x: (x == 0) | (x == 1)
    _k_max = property(lambda self: 1)

    def log_prob(self, value):
        """Log P(x) = x log p + (1 - x) log(1 - p); from logits z: x z - softplus(z)."""
        x = self._value(value)
        if self._from_logits:
            return x * self.logits - softplus(self.logits)
        return xlogy(x, self.probs) + xlogy(1.0 - x, 1.0 - self.probs)

    def cdf(self, value):
        """F(x) = sum of P(k) over the integers k <= x."""
        return _enumerated_cdf(self, value)

    def entropy(self):
        """H = -p log p - (1 - p) log(1 - p)."""
        p = self.probs
        return -(xlogy(p, p) + xlogy(1.0 - p, 1.0 - p))

    _draw = lambda self, shape, rng: (rng.random(shape) < self._np(self.probs)).astype(np.float64)


class Binomial(_ProbsOrLogits):
    """Binomial(n, p): P(k) = C(n, k) p^k (1 - p)^(n - k) for k = 0..n.

    Example:
        >>> round(float(Binomial(10, probs=0.5).prob(5.0)), 6)
        0.246094
    """

    def __init__(self, total_count=1, probs=None, logits=None):
        n = _param(total_count, "total_count", "Binomial")
        ok = (n.data >= 0) & (n.data == np.round(n.data))
        _require(ok, "Binomial", "total_count", "a non-negative integer", n.data)
        self._set_probs(probs, logits)
        self.batch_shape, (self.total_count, self.probs) = _broadcast("Binomial", n, self.probs)

    mean = property(lambda self: self.total_count * self.probs)
    variance = property(lambda self: self.total_count * self.probs * (1.0 - self.probs))

    _support = lambda self, x: (x >= 0) & (x <= self.total_count.data) & (x == np.round(x))

    def log_prob(self, value):
        """Log P(k) = lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + k log p + (n-k) log(1-p)."""
        k, n, p = self._value(value), self.total_count, self.probs
        log_comb = lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0)
        return log_comb + xlogy(k, p) + xlogy(n - k, 1.0 - p)

    def cdf(self, value):
        """F(x) = sum of P(k) over the integers k <= x."""
        return _enumerated_cdf(self, value)

    def entropy(self):
        """H = -sum_k P(k) log P(k), summed over the finite support 0..max(n)."""
        return _enumerated_entropy(self)

    _k_max = property(lambda self: int(np.max(self.total_count.data)))

    def _draw(self, shape, rng):
        n, p = self._np(self.total_count, self.probs)
        return rng.binomial(n.astype(np.int64), p, size=shape).astype(np.float64)


class Poisson(Distribution):
    """Poisson(rate): P(k) = rate^k e^(-rate) / k! for k = 0, 1, 2, ...

    Example:
        >>> round(float(Poisson(2.0).prob(0.0)), 6)
        0.135335
    """

    def __init__(self, rate):
        self.rate = _positive(rate, "rate", "Poisson")
        self.batch_shape = self.rate.shape

    mean = variance = property(lambda self: self.rate)
    mode = property(lambda self: Tensor(np.floor(self.rate.data)))

    _support = lambda self, x: (x >= 0) & (x == np.round(x))

    def log_prob(self, value):
        """Log P(k) = k log rate - rate - lgamma(k + 1)."""
        k = self._value(value)
        return xlogy(k, self.rate) - self.rate - lgamma(k + 1.0)

    def cdf(self, value):
        """F(x) = sum of P(k) over the integers k <= x."""
        return _enumerated_cdf(self, value)

    def entropy(self):
        """H = -sum_k P(k) log P(k), summed to far beyond the mean (the tail is below 1e-16)."""
        return _enumerated_entropy(self)

    @property
    def _k_max(self):
        r = float(np.max(self.rate.data))
        return int(r + 30.0 * math.sqrt(r) + 40)

    _draw = lambda self, shape, rng: rng.poisson(self._np(self.rate), size=shape).astype(np.float64)


def _pmf_table(dist, k_max, shape):
    """Values 0..k_max along a new first axis, a mask of the support, and log P(k) there."""
    ks = np.arange(k_max + 1, dtype=np.float64).reshape((-1,) + (1,) * len(shape))
    ks = np.broadcast_to(ks, (k_max + 1,) + tuple(shape))
    inside = dist._support(ks)
    return ks, inside, dist.log_prob(Tensor(np.where(inside, ks, 0.0)))


def _enumerated_entropy(dist):
    """-sum_k P(k) log P(k) over k = 0.._k_max, masking values beyond each element's support."""
    _, inside, logp = _pmf_table(dist, dist._k_max, dist.batch_shape)
    return -sum(where(inside, exp(logp) * logp, 0.0), axis=0)


def _enumerated_cdf(dist, value):
    """F(x) = sum_{k <= x} P(k) on 0, 1, 2, ...: differentiable in the parameters.

    Terms beyond ``_k_max`` are left out; their mass is below 1e-16.
    """
    x = dist._value(value, "cdf")
    shape = np.broadcast_shapes(x.shape, tuple(dist.batch_shape))
    top = np.floor(np.broadcast_to(x.data, shape))
    ks, inside, logp = _pmf_table(dist, int(np.clip(top.max(initial=0), 0, dist._k_max)), shape)
    return sum(where(inside & (ks <= top), exp(logp), 0.0), axis=0)


class Categorical(_ProbsOrLogits):
    """Categorical over {0..K-1}: P(k) = p_k, from probs (normalised) or logits (softmax).

    ``batch_shape`` is the parameter shape without its last axis; values are class indices.
    A zero probability gives log p_k = -inf, and p_k log p_k is held at 0 with a zero gradient
    (PyTorch clamps p_k to a tiny epsilon instead).

    Example:
        >>> round(float(Categorical(probs=[0.2, 0.3, 0.5]).log_prob(2)), 6)
        -0.693147
    """

    def __init__(self, probs=None, logits=None):
        self._set_probs(probs, logits, categorical=True)
        if self.probs.ndim == 0:
            raise ValueError("Categorical: parameters need a last axis of categories; got shape ()")
        self.logits = log_softmax(self.logits, axis=-1) if self._from_logits else self.logits
        self.batch_shape = self.probs.shape[:-1]
        self.num_categories = self.probs.shape[-1]

    mean = variance = property(lambda self: Tensor(np.full(self.batch_shape, np.nan)))
    mode = property(lambda self: Tensor(np.argmax(self.probs.data, axis=-1)))

    _support = lambda self, x: (x >= 0) & (x < self.num_categories) & (x == np.round(x))

    def log_prob(self, value):
        """Log P(k) = log p_k, picked with a one-hot mask so gradients reach the logits."""
        k = self._value(value).data
        onehot = expand_dims(Tensor(k), -1).data == np.arange(self.num_categories)
        logp = where(onehot, self.logits, 0.0)
        return sum(logp, axis=-1)

    def entropy(self):
        """H = -sum_k p_k log p_k (0 log 0 = 0)."""
        return -sum(self.probs * self._finite_logits(self.logits), axis=-1)

    def _finite_logits(self, logits):
        """Logits with 0 where p = 0, so p log p = 0 there and no 0 * inf reaches a gradient."""
        return where(self.probs.data > 0, logits, 0.0)

    def _draw(self, shape, rng):
        cdf = np.cumsum(
            np.broadcast_to(self.probs.data, self.batch_shape + (self.num_categories,)), -1
        )
        u = rng.random(shape + (1,))
        return np.minimum((u > cdf).sum(-1), self.num_categories - 1).astype(np.int64)
