"""Helpers shared by the ``glassgrad.scipy.stats`` modules: location-scale and the support."""

import numpy as np

from glassgrad.core.errors import GradError
from glassgrad.core.ops import log, to_tensor, where


def standardize(x, loc, scale, name):
    """``(z, log scale)`` with z = (x - loc) / scale; a non-positive scale is an error."""
    scale = to_tensor(scale)
    if not np.all(scale.data > 0):
        raise ValueError(f"{name}: scale must be positive; got {scale.data}")
    return (to_tensor(x) - loc) / scale, log(scale)


def on_support(inside, safe, log_density, z, fill=-np.inf):
    """``log_density(z)`` where ``inside``, ``fill`` elsewhere (SciPy's -inf outside).

    The density is evaluated at ``safe`` outside the support, so neither its value nor its
    gradient there can be NaN.
    """
    inside = np.asarray(inside)
    if inside.all():
        return log_density(z)
    return where(inside, log_density(where(inside, z, safe)), fill)


def discrete(k, name):
    """``k`` as a Tensor; a traced ``k`` has no derivative (the mass is a step function)."""
    k = to_tensor(k)
    if k.requires_grad:
        raise GradError(f"{name}: k is a count and has no derivative; pass it as a constant")
    return k
