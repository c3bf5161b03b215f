"""Probability distributions with PyTorch's interface, written in glassgrad ops.

Parameters broadcast into ``batch_shape``; ``log_prob``, ``cdf``, ``entropy``, ``mean`` and
``variance`` are differentiable in the parameters. ``sample`` draws without gradients from a
``numpy.random.Generator``; ``rsample`` (Normal, MultivariateNormal, Uniform, Gamma, Beta)
writes the draw as a differentiable function of the parameters and fixed noise (the
reparameterisation trick; for Gamma and Beta the noise is the CDF level, held fixed).
"""

# fmt: off
# fmt: off
# ruff: noqa: I001
import math

import numpy as np

from glassgrad.core.autodiff import no_grad
from glassgrad.core.ops import (
    broadcast_to, cumsum, exp, expand_dims, log, log_softmax, matmul, relu, sigmoid, sqrt, sum,
    to_tensor, where,
)
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.core.ops import cholesky, diagonal, inv
from glassgrad.core.primitive import Primitive
from glassgrad.prob.special import digamma, erfc, lbeta, lgamma, ndtri, softplus, xlogy

__all__ = [
    "Distribution", "Normal", "Bernoulli", "Categorical", "MultivariateNormal", "Uniform",
    "Beta", "Gamma", "Poisson", "Binomial",
]

_LOG_2PI = math.log(2.0 * math.pi)


def _param(x, name, owner):
    """A float Tensor parameter (ints become float64), checked to be finite."""
    x = to_tensor(x)
    x = x if np.issubdtype(x.dtype, np.floating) else Tensor(x.data.astype(np.float64))
    _require(np.isfinite(x.data), owner, name, "finite", x.data)
    return x


def _positive(x, name, owner):
    x = _param(x, name, owner)
    _require(x.data > 0, owner, name, "positive", x.data)
    return x


def _require(ok, owner, name, what, value):
    if not np.all(ok):
        raise ValueError(f"{owner}: {name} must be {what}; got {value}")


def _broadcast(owner, *params):
    """Broadcast the parameters to one batch shape (differentiably)."""
    try:
        shape = np.broadcast_shapes(*[p.shape for p in params])
    except ValueError:
        shapes = ", ".join(str(p.shape) for p in params)
        raise ValueError(f"{owner}: parameter shapes {shapes} do not broadcast") from None
    return shape, [p if p.shape == shape else broadcast_to(p, shape) for p in params]


def _sample_shape(sample_shape, owner):
    if isinstance(sample_shape, (int, np.integer)):
        sample_shape = (sample_shape,)
    try:
        shape = tuple(int(s) for s in sample_shape)
    except TypeError:
        message = f"{owner}: sample_shape must be a tuple of ints; got {sample_shape!r}"
        raise TypeError(message) from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{owner}: sample_shape must be non-negative; got {shape}")
    return shape


class Distribution:
    """Base class: shapes, ``prob``, ``stddev``, ``sample`` and value checks.

    Subclasses set ``batch_shape`` and ``event_shape`` and implement ``log_prob``,
    ``_support(values)`` (a boolean array) and ``_draw(shape, rng)`` (or ``rsample``).
    """

    has_rsample = False
    event_shape = ()

    @property
    def _name(self):
        return type(self).__name__

    def _extended_shape(self, sample_shape=()):
        return tuple(sample_shape) + tuple(self.batch_shape) + tuple(self.event_shape)

    @property
    def stddev(self):
        """Standard deviation sqrt(variance)."""
        return sqrt(self.variance)

    def prob(self, value):
        """Density or mass exp(log_prob(value))."""
        return exp(self.log_prob(value))

    def _value(self, value, method="log_prob"):
        """Check that ``value`` broadcasts with the batch (and for log_prob, is in the support)."""
        name = f"{self._name}.{method}"
        value = _param(value, "value", name)
        try:
            np.broadcast_shapes(value.shape, self._extended_shape())
        except ValueError:
            shape = self._extended_shape()
            raise ValueError(f"{name}: value of shape {value.shape} does not broadcast with "
                             f"batch_shape + event_shape {shape}") from None
        if method == "log_prob":
            _require(self._support(value.data), name, "value", "in the support", value.data)
        return value

    def sample(self, sample_shape=(), generator=None):
        """Draw ``sample_shape + batch_shape + event_shape`` values, without gradients."""
        shape, rng = _sample_shape(sample_shape, f"{self._name}.sample"), get_generator(generator)
        with no_grad():
            if self.has_rsample:
                return self.rsample(shape, rng).detach()
            return Tensor(self._draw(self._extended_shape(shape), rng))

    def rsample(self, sample_shape=(), generator=None):
        """Reparameterised sample; only for distributions with ``has_rsample``."""
        raise NotImplementedError(f"{self._name}.rsample: no reparameterised sampler for this "
                                  "distribution; use sample() (no gradient)")

    def _noise(self, sample_shape, generator, draw):
        shape = self._extended_shape(_sample_shape(sample_shape, f"{self._name}.rsample"))
        return Tensor(draw(get_generator(generator), shape))

    def _np(self, *ts):
        out = [np.broadcast_to(t.data, self.batch_shape) for t in ts]
        return out[0] if len(out) == 1 else out

    def __repr__(self):
        return f"{self._name}(batch_shape={self.batch_shape})"


class Normal(Distribution):
    """Normal N(loc, scale^2): p(x) = exp(-(x - mu)^2 / (2 sigma^2)) / (sigma sqrt(2 pi)).

    Example:
        >>> d = Normal(0.0, 1.0)
        >>> round(float(d.log_prob(0.0)), 6), round(float(d.cdf(1.959964)), 6)
        (-0.918939, 0.975)
    """

    has_rsample = True

    def __init__(self, loc, scale):
        loc, scale = _param(loc, "loc", "Normal"), _positive(scale, "scale", "Normal")
        self.batch_shape, (self.loc, self.scale) = _broadcast("Normal", loc, scale)

    mean = mode = property(lambda self: self.loc)
    variance = property(lambda self: self.scale * self.scale)
    stddev = property(lambda self: self.scale)

    _support = lambda self, x: np.isfinite(x)

    def log_prob(self, value):
        """Log p(x) = -(x - mu)^2 / (2 sigma^2) - log sigma - log(2 pi) / 2."""
        z = (self._value(value) - self.loc) / self.scale
        return -0.5 * z * z - log(self.scale) - 0.5 * _LOG_2PI

    def cdf(self, value):
        """F(x) = erfc(-(x - mu) / (sigma sqrt 2)) / 2."""
        x = self._value(value, "cdf")
        return 0.5 * erfc(-(x - self.loc) / (self.scale * math.sqrt(2.0)))

    def icdf(self, value):
        """F^-1(p) = mu + sigma ndtri(p), for p in [0, 1]."""
        p = _param(value, "value", "Normal.icdf")
        _require((p.data >= 0) & (p.data <= 1), "Normal.icdf", "value", "in [0, 1]", p.data)
        return self.loc + self.scale * ndtri(p)

    def entropy(self):
        """H = 1/2 + log(2 pi)/2 + log sigma."""
        return 0.5 + 0.5 * _LOG_2PI + log(self.scale)

    def rsample(self, sample_shape=(), generator=None):
        """X = mu + sigma eps, eps ~ N(0, 1)."""
        eps = self._noise(sample_shape, generator, lambda r, s: r.standard_normal(s))
        return self.loc + self.scale * eps


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


class Uniform(Distribution):
    """Uniform on [low, high): p(x) = 1 / (high - low).

    Example:
        >>> round(float(Uniform(0.0, 4.0).cdf(1.0)), 6)
        0.25
    """

    has_rsample = True

    def __init__(self, low, high):
        low, high = _param(low, "low", "Uniform"), _param(high, "high", "Uniform")
        self.batch_shape, (self.low, self.high) = _broadcast("Uniform", low, high)
        _require(self.low.data < self.high.data, "Uniform", "low", "< high", self.low.data)

    mean = property(lambda self: 0.5 * (self.low + self.high))
    variance = property(lambda self: (self.high - self.low) ** 2 / 12.0)

    _support = lambda self, x: (x >= self.low.data) & (x < self.high.data)

    def log_prob(self, value):
        """Log p(x) = -log(high - low) on the support."""
        x = self._value(value)
        return -log(self.high - self.low) + 0.0 * x

    def cdf(self, value):
        """F(x) = clip((x - low) / (high - low), 0, 1)."""
        x = self._value(value, "cdf")
        f = (x - self.low) / (self.high - self.low)
        return where(f.data < 0, 0.0, where(f.data > 1, 1.0, f))

    def entropy(self):
        """H = log(high - low)."""
        return log(self.high - self.low)

    def rsample(self, sample_shape=(), generator=None):
        """X = low + (high - low) u, u ~ U[0, 1)."""
        u = self._noise(sample_shape, generator, lambda r, s: r.random(s))
        return self.low + (self.high - self.low) * u


def _running(first, step, n_terms, ndim):
    """Running sums ``first + sum_{j<n} step(j)``, n = 0, 1, ..., along a new first axis.

    Series terms are built this way from log t_0 and the log ratios log(t_{j+1}/t_j): one log
    per term instead of one lgamma, and the steps are small near the series' peak, so little
    rounding builds up where the terms matter. ``ndim`` axes are left for broadcasting.
    """
    steps = step(Tensor(np.arange(n_terms, dtype=np.float64).reshape((-1,) + (1,) * ndim)))
    return first + cumsum(steps, axis=0) - steps


def _beta_dx_dab(a, b, x):
    """(dx/da, dx/db) for x ~ Beta(a, b) at a fixed CDF level I_x(a, b) (implicit, as Gamma's).

    I_y(p, q) = sum_n exp((p+n) log y + q log(1-y) + lgamma(p+q+n) - lgamma(p+n+1) - lgamma(q))
    converges like y^n, so it is summed at y = min(x, 1 - x), with I_x(a, b) = 1 - I_{1-x}(b, a)
    for x > 1/2; past n = 4(p + q) each term is below 0.625 times the one before.
    """
    flip = x.data > 0.5
    p, q, y = where(flip, b, a), where(flip, a, b), where(flip, 1.0 - x, x)
    n_terms = int(4.0 * np.max(a.data + b.data, initial=0.0) + 100.0)
    log_y, log_1y = log(y), log(1.0 - y)
    first = p * log_y + q * log_1y + lgamma(p + q) - lgamma(p + 1.0) - lgamma(q)
    step = lambda j: log_y + log(p + q + j) - log(p + 1.0 + j)
    terms = exp(_running(first, step, n_terms, x.ndim))
    psi_pqn = _running(digamma(p + q), lambda j: 1.0 / (p + q + j), n_terms, x.ndim)
    psi_pn1 = _running(digamma(p + 1.0), lambda j: 1.0 / (p + 1.0 + j), n_terms, x.ndim)
    dp = sum(terms * (log_y + psi_pqn - psi_pn1), axis=0)
    dq = sum(terms * (log_1y + psi_pqn - digamma(q)), axis=0)
    density = exp((a - 1.0) * log(x) + (b - 1.0) * log(1.0 - x) - lbeta(a, b))
    return where(flip, dq, -dp) / density, where(flip, dp, -dq) / density


def _beta_vjp(g, out, a, b, x):
    da, db = _beta_dx_dab(a, b, out)
    return g * da, g * db, 0.0 * g


def _beta_jvp(ta, tb, tx, out, a, b, x):
    da, db = _beta_dx_dab(a, b, out)
    return ta * da + tb * db


# x ~ Beta(a, b) drawn by NumPy enters the graph through its implicit derivatives in a and b.
_beta_sample = Primitive("prob.beta_sample", lambda a, b, x: x.copy(), _beta_vjp, _beta_jvp,
                         formula="∂x/∂a = -(∂F/∂a)/p(x), ∂x/∂b = -(∂F/∂b)/p(x), ∂x/∂x₀ = 0")


class Beta(Distribution):
    """Beta(a, b) on (0, 1): p(x) = x^(a-1) (1-x)^(b-1) / B(a, b).

    ``rsample`` is reparameterised implicitly, as PyTorch's: dX/da = -(dF/da) / p(X) holding
    the CDF F(X; a, b) fixed (likewise for b).

    Example:
        >>> round(float(Beta(2.0, 2.0).prob(0.5)), 6)
        1.5
    """

    has_rsample = True

    def __init__(self, concentration1, concentration0):
        a = _positive(concentration1, "concentration1", "Beta")
        b = _positive(concentration0, "concentration0", "Beta")
        self.batch_shape, (self.concentration1, self.concentration0) = _broadcast("Beta", a, b)

    # mean a / (a + b); variance a b / ((a + b)^2 (a + b + 1))
    mean = property(lambda self: self.concentration1 / (self.concentration1 + self.concentration0))
    variance = property(lambda self: self.mean * (1.0 - self.mean) / (self._total + 1.0))
    _total = property(lambda self: self.concentration1 + self.concentration0)

    _support = lambda self, x: (x > 0) & (x < 1)

    def log_prob(self, value):
        """Log p(x) = (a-1) log x + (b-1) log(1-x) - log B(a, b)."""
        x, a, b = self._value(value), self.concentration1, self.concentration0
        return (a - 1.0) * log(x) + (b - 1.0) * log(1.0 - x) - lbeta(a, b)

    def entropy(self):
        """H = log B(a,b) - (a-1) psi(a) - (b-1) psi(b) + (a+b-2) psi(a+b)."""
        a, b = self.concentration1, self.concentration0
        h = lbeta(a, b) - (a - 1.0) * digamma(a) - (b - 1.0) * digamma(b)
        return h + (a + b - 2.0) * digamma(a + b)

    def rsample(self, sample_shape=(), generator=None):
        """X ~ Beta(a, b), kept inside (0, 1), with its implicit derivatives in a and b."""
        shape = self._extended_shape(_sample_shape(sample_shape, "Beta.rsample"))
        a, b = broadcast_to(self.concentration1, shape), broadcast_to(self.concentration0, shape)
        x = get_generator(generator).beta(a.data, b.data)
        x = np.clip(x, np.finfo(x.dtype).tiny, 1.0 - np.finfo(x.dtype).epsneg)
        return _beta_sample(a, b, Tensor(x))


def _gamma_series(a, x):
    """The terms exp((a+n) log x - x - lgamma(a+n+1)), n = 0, 1, ..., and psi(a+n+1).

    The terms sum to the regularised lower incomplete gamma P(a, x), the CDF of Gamma(a, 1) at
    x > 0; they peak near n = x and fall like exp(-k^2/2) at n = x + k sqrt(x).
    """
    top = float(np.max(x.data, initial=0.0))
    n_terms, log_x = int(top + 12.0 * math.sqrt(top) + 40.0), log(x)
    first = a * log_x - x - lgamma(a + 1.0)
    terms = exp(_running(first, lambda j: log_x - log(a + 1.0 + j), n_terms, x.ndim))
    psi = _running(digamma(a + 1.0), lambda j: 1.0 / (a + 1.0 + j), n_terms, x.ndim)
    return terms, psi


def _gamma_dx_da(a, x):
    """dx/da for x ~ Gamma(a, 1) at a fixed CDF level u = P(a, x) (implicit reparameterisation).

    Differentiating u = P(a, x(a)) gives dx/da = -(dP/da) / p(x), each series term of dP/da
    being the term times (log x - psi(a+n+1)). Written in glassgrad ops of (a, x), with x the
    recorded sample, so it differentiates again.
    """
    terms, psi = _gamma_series(a, x)
    dP_da = sum(terms * (log(x) - psi), axis=0)
    return -dP_da * exp(x - (a - 1.0) * log(x) + lgamma(a))  # divided by the density p(x)


# x ~ Gamma(a, 1) drawn by NumPy enters the graph through its implicit derivative in a.
_standard_gamma = Primitive(
    "prob.standard_gamma", lambda a, x: x.copy(),
    formula="∂x/∂a = -(∂P/∂a)/p(x), ∂x/∂x₀ = 0",
    vjps=(lambda g, out, a, x: g * _gamma_dx_da(a, out), lambda g, out, a, x: 0.0 * g),
    jvp=lambda ta, tx, out, a, x: ta * _gamma_dx_da(a, out))


class Gamma(Distribution):
    """Gamma(a, rate r) on (0, inf): p(x) = r^a x^(a-1) e^(-r x) / Gamma(a).

    ``rsample`` is reparameterised implicitly, as PyTorch's: X = G / r with G ~ Gamma(a, 1)
    and dG/da = -(dF/da) / p(G) holding the CDF F(G; a) fixed.

    Example:
        >>> round(float(Gamma(1.0, 2.0).prob(0.0 + 1.0)), 6)
        0.270671
    """

    has_rsample = True

    def __init__(self, concentration, rate):
        a, r = _positive(concentration, "concentration", "Gamma"), _positive(rate, "rate", "Gamma")
        self.batch_shape, (self.concentration, self.rate) = _broadcast("Gamma", a, r)

    mean = property(lambda self: self.concentration / self.rate)
    variance = property(lambda self: self.concentration / self.rate**2)

    mode = property(lambda self: relu(self.concentration - 1.0) / self.rate)  # max(a - 1, 0) / r

    _support = lambda self, x: x > 0

    def log_prob(self, value):
        """Log p(x) = a log r + (a-1) log x - r x - lgamma(a)."""
        x, a, r = self._value(value), self.concentration, self.rate
        return a * log(r) + (a - 1.0) * log(x) - r * x - lgamma(a)

    def cdf(self, value):
        """F(x) = P(a, r x), the regularised lower incomplete gamma function (0 for x <= 0)."""
        z = self.rate * self._value(value, "cdf")
        inside = z.data > 0
        terms, _ = _gamma_series(self.concentration, where(inside, z, 1.0))
        return where(inside, sum(terms, axis=0), 0.0)

    def entropy(self):
        """H = a - log r + lgamma(a) + (1 - a) psi(a)."""
        a = self.concentration
        return a - log(self.rate) + lgamma(a) + (1.0 - a) * digamma(a)

    def rsample(self, sample_shape=(), generator=None):
        """X = G / rate, G ~ Gamma(a, 1) (clamped to the smallest positive float, as PyTorch)."""
        shape = self._extended_shape(_sample_shape(sample_shape, "Gamma.rsample"))
        a = broadcast_to(self.concentration, shape)
        g = np.maximum(get_generator(generator).standard_gamma(a.data), np.finfo(a.dtype).tiny)
        return _standard_gamma(a, Tensor(g)) / self.rate


class MultivariateNormal(Distribution):
    """N(mu, Sigma) in d dimensions, Sigma = L L^T given as covariance, precision or scale_tril.

    p(x) = exp(-1/2 (x-mu)^T Sigma^-1 (x-mu)) / sqrt((2 pi)^d det Sigma).

    Example:
        >>> d = MultivariateNormal([0.0, 0.0], covariance_matrix=[[1.0, 0.0], [0.0, 1.0]])
        >>> round(float(d.log_prob([0.0, 0.0])), 6)
        -1.837877
    """

    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None):
        own = "MultivariateNormal"
        forms = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix,
                 "scale_tril": scale_tril}
        given = [(n, m) for n, m in forms.items() if m is not None]
        if len(given) != 1:
            raise ValueError(f"{own}: give exactly one of {', '.join(forms)}")
        loc, (name, mat) = _param(loc, "loc", own), given[0]
        mat, d = _param(mat, name, own), (loc.shape or (0,))[-1]
        _require(loc.ndim > 0, own, "loc", "at least 1-D", loc.shape)
        _require(mat.ndim >= 2 and mat.shape[-2:] == (d, d), own, name,
                 f"of shape (..., {d}, {d}) to match loc", mat.shape)
        if name == "scale_tril":
            ok = np.all(np.triu(mat.data, 1) == 0) and np.all(np.diagonal(mat.data, 0, -2, -1) > 0)
            _require(ok, own, name, "lower triangular with a positive diagonal", mat.data)
            tril = mat
        else:
            sym = np.allclose(mat.data, np.swapaxes(mat.data, -1, -2))
            _require(sym and np.all(np.linalg.eigvalsh(mat.data) > 0), own, name,
                     "symmetric positive definite", mat.data)
            tril = cholesky(mat if name == "covariance_matrix" else inv(mat))
        self.batch_shape = np.broadcast_shapes(loc.shape[:-1], tril.shape[:-2])
        self.event_shape = (d,)
        self.loc = broadcast_to(loc, self.batch_shape + (d,))
        self.scale_tril = broadcast_to(tril, self.batch_shape + (d, d))

    @property
    def covariance_matrix(self):
        """Sigma = L L^T."""
        return matmul(self.scale_tril, self.scale_tril.mT)

    @property
    def precision_matrix(self):
        """Sigma^-1."""
        return inv(self.covariance_matrix)

    mean = mode = property(lambda self: self.loc)
    variance = property(lambda self: sum(self.scale_tril**2, axis=-1))

    _support = lambda self, x: np.isfinite(x)

    def _half_log_det(self):
        return sum(log(diagonal(self.scale_tril, 0, -2, -1)), axis=-1)

    def log_prob(self, value):
        """Log p(x) = -|L^-1 (x - mu)|^2 / 2 - sum log diag L - d log(2 pi) / 2."""
        diff = self._value(value) - self.loc
        z = matmul(inv(self.scale_tril), expand_dims(diff, -1))
        maha = sum(sum(z * z, axis=-1), axis=-1)
        return -0.5 * maha - self._half_log_det() - 0.5 * self.event_shape[0] * _LOG_2PI

    def entropy(self):
        """H = d (1 + log 2 pi) / 2 + sum log diag L."""
        return 0.5 * self.event_shape[0] * (1.0 + _LOG_2PI) + self._half_log_det()

    def rsample(self, sample_shape=(), generator=None):
        """X = mu + L eps, eps ~ N(0, I)."""
        eps = self._noise(sample_shape, generator, lambda r, s: r.standard_normal(s))
        return self.loc + sum(self.scale_tril * expand_dims(eps, -2), axis=-1)
