"""Weight initialisation with PyTorch's fan and gain conventions.

Each ``*_`` function replaces ``tensor.data`` in place (no graph is recorded) and returns the
tensor. Randomness comes from ``generator`` (a ``numpy.random.Generator``, an int seed, or
None for glassgrad's default generator).
"""

import math

import numpy as np

from glassgrad.core.random import get_generator

# fmt: off
__all__ = [
    "calculate_gain", "calculate_fan_in_and_fan_out", "uniform_", "normal_", "constant_", "zeros_",
    "ones_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]
# fmt: on

_LINEAR_GAINS = ("linear", "conv1d", "conv2d", "conv3d", "sigmoid", "identity")


def calculate_gain(nonlinearity, param=None):
    """Recommended gain for a nonlinearity: relu √2, tanh 5/3, leaky_relu √(2/(1+a²)), selu 3/4.

    Example:
        >>> round(calculate_gain("relu"), 6)
        1.414214
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope must be a number; got {slope!r}")
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def calculate_fan_in_and_fan_out(tensor):
    """fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field (ndim ≥ 2).

    Example:
        >>> from glassgrad import Tensor
        >>> calculate_fan_in_and_fan_out(Tensor(np.zeros((8, 3, 5, 5))))
        (75, 200)
    """
    if tensor.ndim < 2:
        raise ValueError(
            f"fan in and fan out need a tensor with at least 2 dimensions; got shape {tensor.shape}"
        )
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fill(tensor, values):
    tensor.data = np.asarray(values, dtype=tensor.dtype).reshape(tensor.shape)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with samples of U(a, b).

    Example:
        >>> from glassgrad import Tensor
        >>> bool((uniform_(Tensor(np.zeros(5)), -1, 1, generator=0).data < 1).all())
        True
    """
    return _fill(tensor, get_generator(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with samples of N(mean, std²).

    Example:
        >>> from glassgrad import Tensor
        >>> normal_(Tensor(np.zeros(3)), generator=0).shape
        (3,)
    """
    return _fill(tensor, get_generator(generator).normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with ``val``.

    Example:
        >>> from glassgrad import Tensor
        >>> constant_(Tensor(np.zeros(2)), 3.0)
        Tensor([3., 3.])
    """
    return _fill(tensor, np.full(tensor.shape, val))


def zeros_(tensor):
    """Fill with 0.

    Example:
        >>> from glassgrad import Tensor
        >>> zeros_(Tensor(np.ones(2)))
        Tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor):
    """Fill with 1.

    Example:
        >>> from glassgrad import Tensor
        >>> ones_(Tensor(np.zeros(2)))
        Tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def _xavier_std(tensor, gain):
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(−a, a) with a = gain·√(6/(fan_in + fan_out)) (Glorot & Bengio, 2010).

    Example:
        >>> from glassgrad import Tensor
        >>> xavier_uniform_(Tensor(np.zeros((3, 2))), generator=0).shape
        (3, 2)
    """
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)  # PyTorch's arithmetic, to the bit
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std²) with std = gain·√(2/(fan_in + fan_out)).

    Example:
        >>> from glassgrad import Tensor
        >>> xavier_normal_(Tensor(np.zeros((3, 2))), generator=0).shape
        (3, 2)
    """
    return normal_(tensor, 0.0, _xavier_std(tensor, gain), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming init: mode must be 'fan_in' or 'fan_out'; got {mode!r}")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(−b, b) with b = gain·√(3/fan) (He et al., 2015); ``a`` is leaky_relu's slope.

    Example:
        >>> from glassgrad import Tensor
        >>> w = kaiming_uniform_(Tensor(np.zeros((4, 9))), a=math.sqrt(5), generator=0)
        >>> bool((abs(w.data) <= 1 / 3).all())
        True
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std²) with std = gain/√fan.

    Example:
        >>> from glassgrad import Tensor
        >>> kaiming_normal_(Tensor(np.zeros((4, 9))), generator=0).shape
        (4, 9)
    """
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity), generator)
