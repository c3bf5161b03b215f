"""KL divergence KL(p || q) = E_p[log p(x) - log q(x)] in closed form for matching pairs."""

import numpy as np

from glassgrad.core.ops import diagonal, expand_dims, inv, log, matmul, sum, where
from glassgrad.prob.continuous import Beta, Gamma, MultivariateNormal, Normal, Uniform
from glassgrad.prob.discrete import Bernoulli, Binomial, Categorical, Poisson
from glassgrad.prob.special import digamma, lbeta, lgamma, xlogy

__all__ = ["kl_divergence", "register_kl"]

_KL = {}


def register_kl(type_p, type_q):
    """Decorator registering ``fn(p, q)`` as the KL divergence for a pair of types."""

    def decorate(fn):
        _KL[(type_p, type_q)] = fn
        return fn

    return decorate


def kl_divergence(p, q):
    """KL(p || q) = E_p[log p - log q] for a registered pair of distribution types.

    Example:
        >>> round(float(kl_divergence(Normal(0.0, 1.0), Normal(1.0, 1.0))), 6)
        0.5
    """
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        pairs = ", ".join(f"{a.__name__}-{b.__name__}" for a, b in _KL)
        pair = f"{type(p).__name__}-{type(q).__name__}"
        raise NotImplementedError(f"kl_divergence: no closed form for {pair}; available: {pairs}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal(p, q):
    # log(sq/sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2
    ratio = (p.scale / q.scale) ** 2
    return 0.5 * (ratio + ((p.loc - q.loc) / q.scale) ** 2 - 1.0 - log(ratio))


def _bernoulli_kl(a, b):
    return xlogy(a, a) - xlogy(a, b) + xlogy(1.0 - a, 1.0 - a) - xlogy(1.0 - a, 1.0 - b)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli(p, q):
    return _bernoulli_kl(p.probs, q.probs)


@register_kl(Binomial, Binomial)
def _kl_binomial(p, q):
    # n KL(Bernoulli(p) || Bernoulli(q)) for equal counts; infinite where p reaches counts
    # that q cannot. (p.n < q.n has no closed form: PyTorch refuses it too.)
    n_p, n_q = p.total_count.data, q.total_count.data
    if np.any(n_p < n_q):
        raise NotImplementedError(
            "kl_divergence: Binomial-Binomial needs p.total_count >= "
            f"q.total_count; got {n_p} and {n_q}"
        )
    return where(n_p > n_q, np.inf, p.total_count * _bernoulli_kl(p.probs, q.probs))


@register_kl(Categorical, Categorical)
def _kl_categorical(p, q):
    return sum(p.probs * p._finite_logits(p.logits - q.logits), axis=-1)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn(p, q):
    # 1/2 [tr(Sq^-1 Sp) + |Lq^-1 (mq - mp)|^2 - d] + log det Lq - log det Lp
    lq_inv = inv(q.scale_tril)
    m = matmul(lq_inv, p.scale_tril)
    z = matmul(lq_inv, expand_dims(q.loc - p.loc, -1))
    trace = sum(sum(m * m, axis=-1), axis=-1)
    maha = sum(sum(z * z, axis=-1), axis=-1)
    log_diag = lambda d: log(diagonal(d.scale_tril, 0, -2, -1))  # log det L = sum log diag L
    logdet = sum(log_diag(q) - log_diag(p), axis=-1)
    return 0.5 * (trace + maha - p.event_shape[0]) + logdet


@register_kl(Uniform, Uniform)
def _kl_uniform(p, q):
    # log((hq - lq) / (hp - lp)) when [lp, hp] lies inside [lq, hq], else infinite
    inside = (q.low.data <= p.low.data) & (p.high.data <= q.high.data)
    return where(inside, log((q.high - q.low) / (p.high - p.low)), np.inf)


@register_kl(Beta, Beta)
def _kl_beta(p, q):
    a1, b1, a2, b2 = p.concentration1, p.concentration0, q.concentration1, q.concentration0
    kl = lbeta(a2, b2) - lbeta(a1, b1) + (a1 - a2) * digamma(a1) + (b1 - b2) * digamma(b1)
    return kl + (a2 - a1 + b2 - b1) * digamma(a1 + b1)


@register_kl(Gamma, Gamma)
def _kl_gamma(p, q):
    a1, r1, a2, r2 = p.concentration, p.rate, q.concentration, q.rate
    kl = (a1 - a2) * digamma(a1) - lgamma(a1) + lgamma(a2) + a2 * (log(r1) - log(r2))
    return kl + a1 * (r2 - r1) / r1


@register_kl(Poisson, Poisson)
def _kl_poisson(p, q):
    return p.rate * (log(p.rate) - log(q.rate)) - p.rate + q.rate
