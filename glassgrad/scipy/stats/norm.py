"""The normal distribution N(loc, scale^2) (``scipy.stats.norm``), from ``prob.Normal``."""

from glassgrad.core.ops import exp
from glassgrad.prob import Normal
from glassgrad.scipy.special import log_ndtr, ndtr, ndtri
from glassgrad.scipy.stats._shared import standardize

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]


def logpdf(x, loc=0.0, scale=1.0):
    """Log density -(x - loc)^2 / (2 scale^2) - log scale - log(2 pi)/2.

    Example:
        >>> round(float(logpdf(1.0, 1.0, 2.0)), 6)
        -1.612086
    """
    return Normal(loc, scale).log_prob(x)


def pdf(x, loc=0.0, scale=1.0):
    """Density exp(logpdf).

    Example:
        >>> round(float(pdf(0.0)), 6)
        0.398942
    """
    return exp(logpdf(x, loc, scale))


def cdf(x, loc=0.0, scale=1.0):
    """CDF Phi((x - loc) / scale).

    Example:
        >>> cdf(3.0, 3.0)
        Tensor(0.5)
    """
    return ndtr(standardize(x, loc, scale, "norm.cdf")[0])


def logcdf(x, loc=0.0, scale=1.0):
    """Log CDF, accurate far into the left tail (``special.log_ndtr``).

    Example:
        >>> round(float(logcdf(-40.0)), 6)
        -804.608442
    """
    return log_ndtr(standardize(x, loc, scale, "norm.logcdf")[0])


def sf(x, loc=0.0, scale=1.0):
    """Survival function 1 - CDF = Phi(-(x - loc) / scale).

    Example:
        >>> sf(0.0)
        Tensor(0.5)
    """
    return ndtr(-standardize(x, loc, scale, "norm.sf")[0])


def logsf(x, loc=0.0, scale=1.0):
    """Log survival function log Phi(-(x - loc) / scale).

    Example:
        >>> round(float(logsf(40.0)), 6)
        -804.608442
    """
    return log_ndtr(-standardize(x, loc, scale, "norm.logsf")[0])


def ppf(q, loc=0.0, scale=1.0):
    """Quantile function loc + scale ndtri(q).

    Example:
        >>> round(float(ppf(0.975)), 6)
        1.959964
    """
    return Normal(loc, scale).icdf(q)


def isf(q, loc=0.0, scale=1.0):
    """Inverse survival function loc - scale ndtri(q).

    Example:
        >>> round(float(isf(0.025)), 6)
        1.959964
    """
    d = Normal(loc, scale)
    return d.loc - d.scale * ndtri(q)
