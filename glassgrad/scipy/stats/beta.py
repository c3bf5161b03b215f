"""The beta distribution on (loc, loc + scale) (``scipy.stats.beta``), from ``prob.Beta``."""

import numpy as np

from glassgrad.core.ops import clip, exp
from glassgrad.prob import Beta
from glassgrad.scipy.special import betainc
from glassgrad.scipy.stats._shared import on_support, standardize

__all__ = ["logpdf", "pdf", "cdf"]


def logpdf(x, a, b, loc=0.0, scale=1.0):
    """Log density (a-1) log z + (b-1) log(1-z) - log B(a, b) - log scale, z in (0, 1).

    Example:
        >>> round(float(logpdf(0.5, 2.0, 2.0)), 6)  # log 1.5
        0.405465
    """
    z, log_scale = standardize(x, loc, scale, "beta.logpdf")
    inside = (z.data > 0) & (z.data < 1)
    return on_support(inside, 0.5, Beta(a, b).log_prob, z) - log_scale


def pdf(x, a, b, loc=0.0, scale=1.0):
    """Density exp(logpdf) (0 outside the support).

    Example:
        >>> round(float(pdf(0.5, 2.0, 2.0)), 6)
        1.5
    """
    return exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0.0, scale=1.0):
    """CDF I_z(a, b) (``betainc``), z clipped to [0, 1]; differentiable in x, loc and scale.

    Example:
        >>> cdf(0.5, 2.0, 2.0)
        Tensor(0.5)
    """
    z = standardize(x, loc, scale, "beta.cdf")[0]
    return betainc(a, b, clip(z, 0.0, 1.0) if np.any((z.data < 0) | (z.data > 1)) else z)
