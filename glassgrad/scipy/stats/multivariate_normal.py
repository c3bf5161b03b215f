"""The multivariate normal N(mean, cov) (``scipy.stats.multivariate_normal``).

As SciPy, only the lower triangle of ``cov`` is read (it is mirrored into a symmetric matrix),
so the gradient with respect to the upper triangle is zero; ``cov`` may also be a scalar or the
diagonal as a vector. Densities come from ``prob.MultivariateNormal``.
"""

import numpy as np

from glassgrad.core.ops import broadcast_to, diag, exp, squeeze, to_tensor
from glassgrad.prob import MultivariateNormal
from glassgrad.scipy.linalg import mirror_triangle

__all__ = ["logpdf", "pdf", "entropy"]


def _dist(mean, cov, allow_singular, name):
    if allow_singular:
        raise NotImplementedError(f"{name}: allow_singular=True is not supported")
    cov = to_tensor(cov)
    if mean is None:
        mean = np.zeros(cov.shape[-1] if cov.ndim else 1)
    mean = to_tensor(mean)
    dim = mean.shape[-1] if mean.ndim else (cov.shape[-1] if cov.ndim else 1)
    if mean.ndim == 0:
        mean = broadcast_to(mean, (dim,))
    if cov.ndim == 0:
        cov = diag(broadcast_to(cov, (dim,)))
    elif cov.ndim == 1:
        cov = diag(cov)
    return MultivariateNormal(mean, covariance_matrix=mirror_triangle(cov))


def logpdf(x, mean=None, cov=1, allow_singular=False):
    """Log density -(x - mean)^T cov^-1 (x - mean)/2 - log det(2 pi cov)/2, over x's last axis.

    For a 1-dimensional distribution a 1-D ``x`` holds several points, and the result is
    squeezed, as SciPy's.

    Example:
        >>> round(float(logpdf([0.0, 0.0], cov=[[1.0, 0.0], [0.0, 1.0]])), 6)  # -log(2 pi)
        -1.837877
    """
    d = _dist(mean, cov, allow_singular, "multivariate_normal.logpdf")
    x = to_tensor(x)
    if d.event_shape[0] == 1 and x.shape[-1:] != (1,):
        x = x.reshape(x.shape + (1,))
    out = d.log_prob(x)
    return squeeze(out) if out.ndim else out


def pdf(x, mean=None, cov=1, allow_singular=False):
    """Density exp(logpdf).

    Example:
        >>> round(float(pdf([0.0], cov=1.0)), 6)
        0.398942
    """
    return exp(logpdf(x, mean, cov, allow_singular))


def entropy(mean=None, cov=1):
    """Differential entropy d (1 + log 2 pi)/2 + log det(cov)/2.

    Example:
        >>> round(float(entropy(cov=1.0)), 6)
        1.418939
    """
    return _dist(mean, cov, False, "multivariate_normal.entropy").entropy()
