"""The Poisson distribution with mean ``mu`` (``scipy.stats.poisson``), from ``prob.Poisson``.

Functions are differentiable in ``mu``; the count ``k`` has no derivative (a traced ``k``
raises ``GradError``).
"""

import numpy as np

from glassgrad.core.ops import exp, log
from glassgrad.prob import Poisson
from glassgrad.scipy.stats._shared import discrete, on_support

__all__ = ["logpmf", "pmf", "cdf", "logcdf", "sf"]


def logpmf(k, mu, loc=0):
    """Log mass k log mu - mu - lgamma(k + 1) at integers k - loc >= 0 (-inf elsewhere).

    Example:
        >>> round(float(logpmf(0, 2.0)), 12)
        -2.0
    """
    k = discrete(k, "poisson.logpmf") - loc
    inside = (k.data >= 0) & (k.data == np.round(k.data))
    return on_support(inside, 0.0, Poisson(mu).log_prob, k)


def pmf(k, mu, loc=0):
    """Mass exp(logpmf).

    Example:
        >>> round(float(pmf(0, 2.0)), 6)
        0.135335
    """
    return exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """CDF: the sum of the masses at the integers up to k - loc.

    Example:
        >>> round(float(cdf(1, 2.0)), 6)  # 3 exp(-2)
        0.406006
    """
    return Poisson(mu).cdf(discrete(k, "poisson.cdf") - loc)


def logcdf(k, mu, loc=0):
    """Log CDF.

    Example:
        >>> round(float(logcdf(0, 2.0)), 12)
        -2.0
    """
    return log(cdf(k, mu, loc))


def sf(k, mu, loc=0):
    """Survival function 1 - CDF.

    Example:
        >>> round(float(sf(1, 2.0)), 6)
        0.593994
    """
    return 1.0 - cdf(k, mu, loc)
