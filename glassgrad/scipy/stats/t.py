"""Student's t distribution with ``df`` degrees of freedom (``scipy.stats.t``)."""

from glassgrad.core.ops import exp, log
from glassgrad.scipy.special import stdtr, t_logpdf
from glassgrad.scipy.stats._shared import standardize

__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf"]


def logpdf(x, df, loc=0.0, scale=1.0):
    """Log density of t at z = (x - loc)/scale, minus log scale (``special.t_logpdf``).

    Example:
        >>> round(float(logpdf(0.0, 1.0)), 6)  # Cauchy: -log(pi)
        -1.14473
    """
    z, log_scale = standardize(x, loc, scale, "t.logpdf")
    return t_logpdf(z, df) - log_scale


def pdf(x, df, loc=0.0, scale=1.0):
    """Density exp(logpdf).

    Example:
        >>> round(float(pdf(0.0, 1.0)), 6)
        0.31831
    """
    return exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0.0, scale=1.0):
    """CDF stdtr(df, (x - loc) / scale); differentiable in x, loc and scale (not df).

    Example:
        >>> cdf(2.0, 4.0, loc=2.0)
        Tensor(0.5)
    """
    return stdtr(df, standardize(x, loc, scale, "t.cdf")[0])


def logcdf(x, df, loc=0.0, scale=1.0):
    """Log CDF.

    Example:
        >>> round(float(logcdf(0.0, 3.0)), 6)
        -0.693147
    """
    return log(cdf(x, df, loc, scale))


def sf(x, df, loc=0.0, scale=1.0):
    """Survival function stdtr(df, -(x - loc) / scale).

    Example:
        >>> sf(0.0, 3.0)
        Tensor(0.5)
    """
    return stdtr(df, -standardize(x, loc, scale, "t.sf")[0])
