"""``glassgrad.scipy.stats``: SciPy's distributions as modules of functions (``norm.logpdf``).

Each module (``norm``, ``t``, ``gamma``, ``beta``, ``chi2``, ``poisson``, ``dirichlet``,
``multivariate_normal``) offers SciPy's functions with SciPy's arguments (``loc``, ``scale``,
shape parameters) and SciPy's conventions: ``logpdf`` is -inf and ``pdf`` 0 outside the
support. Densities come from ``glassgrad.prob``'s distributions, so they are differentiable
in every array argument.

    >>> from glassgrad.scipy.stats import norm
    >>> round(float(norm.logpdf(0.0)), 6)
    -0.918939
"""

from glassgrad.scipy.stats import (
    beta,
    chi2,
    dirichlet,
    gamma,
    multivariate_normal,
    norm,
    poisson,
    t,
)

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
