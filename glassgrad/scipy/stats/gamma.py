"""The gamma distribution with shape ``a`` (``scipy.stats.gamma``), from ``prob.Gamma``."""

from glassgrad.core.ops import exp
from glassgrad.prob import Gamma
from glassgrad.scipy.special import gammainc
from glassgrad.scipy.stats._shared import on_support, standardize

__all__ = ["logpdf", "pdf", "cdf"]


def logpdf(x, a, loc=0.0, scale=1.0):
    """Log density (a-1) log z - z - lgamma(a) - log scale, z = (x - loc)/scale > 0 (-inf else).

    Example:
        >>> round(float(logpdf(1.0, 1.0)), 12)
        -1.0
    """
    z, log_scale = standardize(x, loc, scale, "gamma.logpdf")
    return on_support(z.data > 0, 1.0, Gamma(a, 1.0).log_prob, z) - log_scale


def pdf(x, a, loc=0.0, scale=1.0):
    """Density exp(logpdf) (0 outside the support).

    Example:
        >>> round(float(pdf(2.0, 1.0, scale=2.0)), 6)
        0.18394
    """
    return exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0.0, scale=1.0):
    """CDF P(a, (x - loc) / scale), the regularised lower incomplete gamma (``gammainc``).

    Example:
        >>> round(float(cdf(1.0, 1.0)), 6)
        0.632121
    """
    return gammainc(a, standardize(x, loc, scale, "gamma.cdf")[0])
