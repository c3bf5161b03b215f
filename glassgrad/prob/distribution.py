"""The ``Distribution`` base class and the parameter checks its subclasses share.

Parameters broadcast into ``batch_shape``; ``log_prob``, ``cdf``, ``entropy``, ``mean`` and
``variance`` are differentiable in the parameters. ``sample`` draws without gradients from a
``numpy.random.Generator``; ``rsample`` writes the draw as a differentiable function of the
parameters and fixed noise (the reparameterisation trick).
"""

import math

import numpy as np

from glassgrad.core.autodiff import no_grad
from glassgrad.core.ops import (
    broadcast_to,
    exp,
    sqrt,
    to_tensor,
)
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor

__all__ = ["Distribution"]

_LOG_2PI = math.log(2.0 * math.pi)


def _param(x, name, owner):
    """A float Tensor parameter (ints become float64), checked to be finite."""
    x = to_tensor(x)
    x = x if np.issubdtype(x.dtype, np.floating) else Tensor(x.data.astype(np.float64))
    _require(np.isfinite(x.data), owner, name, "finite", x.data)
    return x


def _positive(x, name, owner):
    x = _param(x, name, owner)
    _require(x.data > 0, owner, name, "positive", x.data)
    return x


def _require(ok, owner, name, what, value):
    if not np.all(ok):
        raise ValueError(f"{owner}: {name} must be {what}; got {value}")


def _broadcast(owner, *params):
    """Broadcast the parameters to one batch shape (differentiably)."""
    try:
        shape = np.broadcast_shapes(*[p.shape for p in params])
    except ValueError:
        shapes = ", ".join(str(p.shape) for p in params)
        raise ValueError(f"{owner}: parameter shapes {shapes} do not broadcast") from None
    return shape, [p if p.shape == shape else broadcast_to(p, shape) for p in params]


def _sample_shape(sample_shape, owner):
    if isinstance(sample_shape, (int, np.integer)):
        sample_shape = (sample_shape,)
    try:
        shape = tuple(int(s) for s in sample_shape)
    except TypeError:
        message = f"{owner}: sample_shape must be a tuple of ints; got {sample_shape!r}"
        raise TypeError(message) from None
    if any(s < 0 for s in shape):
        raise ValueError(f"{owner}: sample_shape must be non-negative; got {shape}")
    return shape


class Distribution:
    """Base class: shapes, ``prob``, ``stddev``, ``sample`` and value checks.

    Subclasses set ``batch_shape`` and ``event_shape`` and implement ``log_prob``,
    ``_support(values)`` (a boolean array) and ``_draw(shape, rng)`` (or ``rsample``).
    """

    has_rsample = False
    event_shape = ()

    @property
    def _name(self):
        return type(self).__name__

    def _extended_shape(self, sample_shape=()):
        return tuple(sample_shape) + tuple(self.batch_shape) + tuple(self.event_shape)

    @property
    def stddev(self):
        """Standard deviation sqrt(variance)."""
        return sqrt(self.variance)

    def prob(self, value):
        """Density or mass exp(log_prob(value))."""
        return exp(self.log_prob(value))

    def _value(self, value, method="log_prob"):
        """Check that ``value`` broadcasts with the batch (and for log_prob, is in the support)."""
        name = f"{self._name}.{method}"
        value = _param(value, "value", name)
        try:
            np.broadcast_shapes(value.shape, self._extended_shape())
        except ValueError:
            shape = self._extended_shape()
            raise ValueError(
                f"{name}: value of shape {value.shape} does not broadcast with "
                f"batch_shape + event_shape {shape}"
            ) from None
        if method == "log_prob":
            _require(self._support(value.data), name, "value", "in the support", value.data)
        return value

    def sample(self, sample_shape=(), generator=None):
        """Draw ``sample_shape + batch_shape + event_shape`` values, without gradients."""
        shape, rng = _sample_shape(sample_shape, f"{self._name}.sample"), get_generator(generator)
        with no_grad():
            if self.has_rsample:
                return self.rsample(shape, rng).detach()
            return Tensor(self._draw(self._extended_shape(shape), rng))

    def rsample(self, sample_shape=(), generator=None):
        """Reparameterised sample; only for distributions with ``has_rsample``."""
        raise NotImplementedError(
            f"{self._name}.rsample: no reparameterised sampler for this "
            "distribution; use sample() (no gradient)"
        )

    def _noise(self, sample_shape, generator, draw):
        shape = self._extended_shape(_sample_shape(sample_shape, f"{self._name}.rsample"))
        return Tensor(draw(get_generator(generator), shape))

    def _np(self, *ts):
        out = [np.broadcast_to(t.data, self.batch_shape) for t in ts]
        return out[0] if len(out) == 1 else out

    def __repr__(self):
        return f"{self._name}(batch_shape={self.batch_shape})"
