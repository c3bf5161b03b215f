"""``glassgrad.numpy.random``: NumPy's legacy random functions on glassgrad's default generator.

``seed(s)`` reseeds ``glassgrad.core.random``'s default generator, so ``gg.manual_seed`` and
``np.random.seed`` are the same switch. Results are Tensors (float64 unless stated); draws are
constants (no gradient flows into a distribution's parameters through them). ``RandomState``
and ``Generator`` are NumPy's own classes: their draws are ndarrays, which mix with Tensors.
"""

import numpy as np

from glassgrad.core.errors import GradError
from glassgrad.core.ops import take, to_tensor
from glassgrad.core.random import default_generator, get_generator, manual_seed
from glassgrad.core.tensor import Tensor

__all__ = [
    "seed",
    "rand",
    "randn",
    "random",
    "normal",
    "uniform",
    "randint",
    "choice",
    "permutation",
    "shuffle",
    "default_rng",
    "standard_normal",
    "random_sample",
    "exponential",
    "gamma",
    "beta",
    "binomial",
    "poisson",
    "dirichlet",
    "multivariate_normal",
    "RandomState",
    "Generator",
]

RandomState = np.random.RandomState
Generator = np.random.Generator


def _t(arr):
    return Tensor._make(np.asarray(arr))


def _draw(method, *params, size=None):
    """``method`` of the default generator on the values of ``params``, as a Tensor.

    A draw is a constant: a parameter that is being differentiated raises, instead of
    silently getting no gradient.
    """
    for p in params:
        if isinstance(p, Tensor) and p.requires_grad:
            raise GradError(
                f"random.{method}: a sample is not differentiable in its parameters; "
                "reparameterise (e.g. loc + scale * randn()) or pass .detach()"
            )
    values = [np.asarray(p.data if isinstance(p, Tensor) else p) for p in params]
    return _t(getattr(default_generator(), method)(*values, size=size))


def seed(seed=None):
    """Reseed the default generator (``glassgrad.manual_seed``); None picks fresh entropy.

    Example:
        >>> seed(0); a = rand(2)
        >>> seed(0); bool((rand(2) == a).all())
        True
    """
    manual_seed(int(np.random.SeedSequence().entropy % 2**32) if seed is None else seed)


def rand(*shape):
    """Uniform samples on [0, 1) of the given shape.

    Example:
        >>> rand(2, 3).shape
        (2, 3)
    """
    return _t(default_generator().random(shape))


def random(size=None):
    """Uniform samples on [0, 1) (``numpy.random.random``).

    Example:
        >>> random((2,)).shape
        (2,)
    """
    return _t(default_generator().random(size))


def randn(*shape):
    """Standard normal samples of the given shape.

    Example:
        >>> randn(3).shape
        (3,)
    """
    return _t(default_generator().standard_normal(shape))


def normal(loc=0.0, scale=1.0, size=None):
    """Normal samples with mean ``loc`` and standard deviation ``scale``.

    Example:
        >>> normal(1.0, 0.0, size=2)
        Tensor([1., 1.])
    """
    return _draw("normal", loc, scale, size=size)


def uniform(low=0.0, high=1.0, size=None):
    """Uniform samples on [low, high).

    Example:
        >>> bool(((uniform(2.0, 3.0, size=5) >= 2.0)).all())
        True
    """
    return _draw("uniform", low, high, size=size)


def randint(low, high=None, size=None):
    """Integers in [low, high) (in [0, low) when high is None), as int64.

    Example:
        >>> randint(3, size=4).dtype
        dtype('int64')
    """
    if high is None:
        low, high = 0, low
    return _t(default_generator().integers(low, high, size, dtype=np.int64))


def choice(a, size=None, replace=True, p=None):
    """Random elements of ``a`` (an int n means arange(n)); differentiable in ``a``'s values.

    Example:
        >>> choice(5, size=3, replace=False).shape
        (3,)
    """
    if isinstance(a, (int, np.integer)):
        return _t(
            default_generator().choice(a, size, replace, np.asarray(p) if p is not None else p)
        )
    a = to_tensor(a)
    idx = default_generator().choice(len(a), size, replace, None if p is None else np.asarray(p))
    return take(a, idx, axis=0)


def permutation(x):
    """A shuffled copy of ``x`` along its first axis (of arange(x) for an int).

    Example:
        >>> sorted(permutation(4).tolist())
        [0, 1, 2, 3]
    """
    if isinstance(x, (int, np.integer)):
        return _t(default_generator().permutation(x))
    x = to_tensor(x)
    return take(x, default_generator().permutation(len(x)), axis=0)


def shuffle(x):
    """Shuffle a NumPy array in place along its first axis (Tensors: use ``permutation``).

    Example:
        >>> a = np.arange(3); shuffle(a); sorted(a.tolist())
        [0, 1, 2]
    """
    if isinstance(x, Tensor):
        raise TypeError("shuffle: Tensors are not changed in place; use permutation(x)")
    default_generator().shuffle(x)


def default_rng(seed=None):
    """A ``numpy.random.Generator``: from ``seed``, or drawn from the default generator.

    Example:
        >>> bool(default_rng(0).integers(10) == default_rng(0).integers(10))
        True
    """
    if seed is None:
        return np.random.default_rng(default_generator().integers(2**63))
    return get_generator(seed)


def standard_normal(size=None):
    """Standard normal samples (``numpy.random.standard_normal``).

    Example:
        >>> standard_normal((2, 2)).shape
        (2, 2)
    """
    return _draw("standard_normal", size=size)


random_sample = random


def exponential(scale=1.0, size=None):
    """Exponential samples with mean ``scale``.

    Example:
        >>> bool((exponential(2.0, size=3) >= 0).all())
        True
    """
    return _draw("exponential", scale, size=size)


def gamma(shape, scale=1.0, size=None):
    """Gamma samples with shape k and scale theta (mean k theta).

    Example:
        >>> gamma(2.0, size=4).shape
        (4,)
    """
    return _draw("gamma", shape, scale, size=size)


def beta(a, b, size=None):
    """Beta(a, b) samples on (0, 1).

    Example:
        >>> beta(2.0, 3.0, size=2).shape
        (2,)
    """
    return _draw("beta", a, b, size=size)


def binomial(n, p, size=None):
    """Binomial(n, p) counts, as int64.

    Example:
        >>> binomial(10, 0.5, size=3).dtype
        dtype('int64')
    """
    return _draw("binomial", n, p, size=size)


def poisson(lam=1.0, size=None):
    """Poisson(lam) counts, as int64.

    Example:
        >>> poisson(3.0, size=2).shape
        (2,)
    """
    return _draw("poisson", lam, size=size)


def dirichlet(alpha, size=None):
    """Dirichlet(alpha) samples: rows on the simplex.

    Example:
        >>> round(float(dirichlet([1.0, 2.0, 3.0]).sum()), 12)
        1.0
    """
    return _draw("dirichlet", alpha, size=size)


def multivariate_normal(mean, cov, size=None):
    """Samples of N(mean, cov), shape ``size + (d,)``.

    Example:
        >>> multivariate_normal([0.0, 0.0], [[1.0, 0.0], [0.0, 1.0]], size=5).shape
        (5, 2)
    """
    return _draw("multivariate_normal", mean, cov, size=size)
