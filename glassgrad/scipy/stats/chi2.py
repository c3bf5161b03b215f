"""The chi-squared distribution with ``df`` degrees of freedom: gamma(df/2, scale=2)."""

from glassgrad.core.ops import to_tensor
from glassgrad.scipy.stats import gamma

__all__ = ["logpdf", "pdf", "cdf"]


def logpdf(x, df, loc=0.0, scale=1.0):
    """Log density of gamma(a=df/2, loc, 2 scale).

    Example:
        >>> round(float(logpdf(2.0, 2.0)), 6)  # exp(-x/2)/2
        -1.693147
    """
    return gamma.logpdf(x, 0.5 * to_tensor(df), loc, 2.0 * to_tensor(scale))


def pdf(x, df, loc=0.0, scale=1.0):
    """Density of gamma(a=df/2, loc, 2 scale).

    Example:
        >>> round(float(pdf(2.0, 2.0)), 6)
        0.18394
    """
    return gamma.pdf(x, 0.5 * to_tensor(df), loc, 2.0 * to_tensor(scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """CDF of gamma(a=df/2, loc, 2 scale).

    Example:
        >>> round(float(cdf(2.0, 2.0)), 6)  # 1 - exp(-1)
        0.632121
    """
    return gamma.cdf(x, 0.5 * to_tensor(df), loc, 2.0 * to_tensor(scale))
