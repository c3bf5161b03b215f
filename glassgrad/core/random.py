"""The default random generator, seeded by ``manual_seed`` (PyTorch's ``torch.manual_seed``).

Functions that draw random numbers take an explicit ``generator`` (a
``numpy.random.Generator``); when it is None they use this module's default one.
"""

import numpy as np

from glassgrad.core.errors import ConcretizationError
from glassgrad.core.tracing import TRACES

__all__ = ["manual_seed", "default_generator", "get_generator"]

_DEFAULT = [np.random.default_rng(0)]


def manual_seed(seed):
    """Reseed the default generator and return it.

    Example:
        >>> a = manual_seed(1).random()
        >>> b = manual_seed(1).random()
        >>> a == b
        True
    """
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int; got {seed!r}")
    _DEFAULT[0] = np.random.default_rng(int(seed))
    return _DEFAULT[0]


def default_generator():
    """Return the default ``numpy.random.Generator``."""
    return _DEFAULT[0]


def get_generator(generator=None):
    """Return ``generator`` if given (a Generator or an int seed), else the default one."""
    if TRACES:
        raise ConcretizationError(
            "random numbers drawn inside a function traced by jit or vmap would be frozen at "
            "their traced values; draw them outside and pass them in as arguments"
        )
    if generator is None:
        return _DEFAULT[0]
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(int(generator))
    raise TypeError(
        "generator must be a numpy.random.Generator, an int seed or None; "
        f"got {type(generator).__name__}"
    )
