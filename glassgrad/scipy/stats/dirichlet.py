"""The Dirichlet distribution (``scipy.stats.dirichlet``): components along the first axis."""

import numpy as np

from glassgrad.core.ops import concatenate, exp, expand_dims, sum, to_tensor
from glassgrad.scipy.special import gammaln, xlogy

__all__ = ["logpdf", "pdf"]


def logpdf(x, alpha):
    """Log density sum_i (alpha_i - 1) log x_i + lgamma(sum alpha) - sum lgamma(alpha_i).

    ``x`` has shape (K,) or (K, N) (N points, as SciPy) for ``alpha`` of shape (K,); K - 1
    components stand for K, the last being 1 - sum of the others.

    Derivative: d/dx_i = (alpha_i - 1)/x_i; d/dalpha_i = log x_i + psi(sum alpha) - psi(alpha_i).

    Example:
        >>> round(float(logpdf([0.2, 0.3, 0.5], [1.0, 1.0, 1.0])), 12)  # log Gamma(3)
        0.69314718056
    """
    x, alpha = to_tensor(x), to_tensor(alpha)
    if alpha.ndim != 1 or x.ndim not in (1, 2) or x.shape[0] not in (len(alpha) - 1, len(alpha)):
        raise ValueError(
            f"dirichlet.logpdf: expected alpha of shape (K,) and x of shape (K,) or (K, N) "
            f"(or K - 1 rows); got alpha {alpha.shape} and x {x.shape}"
        )
    if x.shape[0] == len(alpha) - 1:
        x = concatenate([x, expand_dims(1.0 - sum(x, axis=0), 0)], axis=0)
    if np.any(x.data < 0) or np.any(np.abs(np.sum(x.data, axis=0) - 1.0) > 1e-9):
        raise ValueError(
            f"dirichlet.logpdf: x must lie on the simplex (non-negative, summing to 1 along "
            f"the first axis); got sums {np.sum(x.data, axis=0)}"
        )
    a = alpha if x.ndim == 1 else expand_dims(alpha, -1)
    return sum(xlogy(a - 1.0, x), axis=0) + gammaln(sum(alpha)) - sum(gammaln(alpha))


def pdf(x, alpha):
    """Density exp(logpdf).

    Example:
        >>> round(float(pdf([0.2, 0.3, 0.5], [1.0, 1.0, 1.0])), 12)
        2.0
    """
    return exp(logpdf(x, alpha))
