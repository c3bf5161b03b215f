"""Continuous distributions: Normal, Uniform, Beta, Gamma, MultivariateNormal (PyTorch names).

``rsample`` is reparameterised for all of them; for Gamma and Beta the noise is the CDF level,
held fixed (implicit reparameterisation, as PyTorch's).
"""

import math

import numpy as np

from glassgrad.core.ops import (
    broadcast_to,
    cholesky,
    cumsum,
    diagonal,
    exp,
    expand_dims,
    inv,
    log,
    matmul,
    relu,
    sum,
    where,
)
from glassgrad.core.primitive import Primitive
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.prob.distribution import (
    Distribution,
    _broadcast,
    _param,
    _positive,
    _require,
    _sample_shape,
)
from glassgrad.prob.special import digamma, erfc, lbeta, lgamma, ndtri

__all__ = ["Normal", "Uniform", "Beta", "Gamma", "MultivariateNormal"]

_LOG_2PI = math.log(2.0 * math.pi)


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
_beta_sample = Primitive(
    "prob.beta_sample",
    lambda a, b, x: x.copy(),
    _beta_vjp,
    _beta_jvp,
    formula="∂x/∂a = -(∂F/∂a)/p(x), ∂x/∂b = -(∂F/∂b)/p(x), ∂x/∂x₀ = 0",
)


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
    "prob.standard_gamma",
    lambda a, x: x.copy(),
    formula="∂x/∂a = -(∂P/∂a)/p(x), ∂x/∂x₀ = 0",
    vjps=(lambda g, out, a, x: g * _gamma_dx_da(a, out), lambda g, out, a, x: 0.0 * g),
    jvp=lambda ta, tx, out, a, x: ta * _gamma_dx_da(a, out),
)


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
        forms = {
            "covariance_matrix": covariance_matrix,
            "precision_matrix": precision_matrix,
            "scale_tril": scale_tril,
        }
        given = [(n, m) for n, m in forms.items() if m is not None]
        if len(given) != 1:
            raise ValueError(f"{own}: give exactly one of {', '.join(forms)}")
        loc, (name, mat) = _param(loc, "loc", own), given[0]
        mat, d = _param(mat, name, own), (loc.shape or (0,))[-1]
        _require(loc.ndim > 0, own, "loc", "at least 1-D", loc.shape)
        _require(
            mat.ndim >= 2 and mat.shape[-2:] == (d, d),
            own,
            name,
            f"of shape (..., {d}, {d}) to match loc",
            mat.shape,
        )
        if name == "scale_tril":
            ok = np.all(np.triu(mat.data, 1) == 0) and np.all(np.diagonal(mat.data, 0, -2, -1) > 0)
            _require(ok, own, name, "lower triangular with a positive diagonal", mat.data)
            tril = mat
        else:
            sym = np.allclose(mat.data, np.swapaxes(mat.data, -1, -2))
            _require(
                sym and np.all(np.linalg.eigvalsh(mat.data) > 0),
                own,
                name,
                "symmetric positive definite",
                mat.data,
            )
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
