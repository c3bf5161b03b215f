"""``glassgrad.numpy.random``: NumPy's legacy random functions on glassgrad's default generator.

``seed(s)`` reseeds ``glassgrad.core.random``'s default generator, so ``gg.manual_seed`` and
``np.random.seed`` are the same switch. Results are Tensors (float64 unless stated).
"""

import numpy as np

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
]


def _t(arr):
    return Tensor._make(np.asarray(arr))


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
    return _t(default_generator().normal(np.asarray(loc), np.asarray(scale), size))


def uniform(low=0.0, high=1.0, size=None):
    """Uniform samples on [low, high).

    Example:
        >>> bool(((uniform(2.0, 3.0, size=5) >= 2.0)).all())
        True
    """
    return _t(default_generator().uniform(np.asarray(low), np.asarray(high), size))


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
