"""Activation modules: each calls its ``functional`` function with the options it was made with."""

import inspect

from glassgrad.nn import functional as F
from glassgrad.nn.module import Module, _extra

__all__ = [
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "Sigmoid",
    "Tanh",
    "Softplus",
    "SiLU",
    "Softmax",
    "LogSoftmax",
    "ACTIVATIONS",
]


class _Function(Module):
    """A module that calls ``_fn(*inputs, **options)``; options appear in ``repr``.

    The options are ``_fn``'s parameters after its ``_n_inputs`` inputs, with the same names,
    order and defaults (one source for both), and they make up the class's signature.
    """

    _n_inputs = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_fn" in cls.__dict__:
            options = list(inspect.signature(cls._fn).parameters.values())[cls._n_inputs :]
            cls.__signature__ = inspect.Signature(options)

    def __init__(self, *args, **kwargs):
        super().__init__()
        try:
            bound = self.__signature__.bind(*args, **kwargs)
        except TypeError as err:
            raise TypeError(
                f"{type(self).__name__}: {err}; its options are {self.__signature__}"
            ) from None
        bound.apply_defaults()
        self.options = dict(bound.arguments)

    def forward(self, *inputs):
        """Apply the function."""
        return self._fn(*inputs, **self.options)

    def extra_repr(self):
        return _extra(**self.options)


class ReLU(_Function):
    """max(x, 0)."""

    _fn = staticmethod(F.relu)


class Sigmoid(_Function):
    """1/(1 + e^{-x})."""

    _fn = staticmethod(F.sigmoid)


class Tanh(_Function):
    """tanh(x)."""

    _fn = staticmethod(F.tanh)


class SiLU(_Function):
    """x·σ(x)."""

    _fn = staticmethod(F.silu)


class LeakyReLU(_Function):
    """x for x > 0, negative_slope·x otherwise."""

    _fn = staticmethod(F.leaky_relu)


class ELU(_Function):
    """x for x > 0, α(eˣ − 1) otherwise."""

    _fn = staticmethod(F.elu)


class GELU(_Function):
    """x·Φ(x) (``approximate="tanh"`` for the tanh form)."""

    _fn = staticmethod(F.gelu)


class Softplus(_Function):
    """(1/β)·log(1 + e^{βx}), linear above the threshold."""

    _fn = staticmethod(F.softplus)


class Softmax(_Function):
    """Softmax along ``dim``."""

    _fn = staticmethod(F.softmax)


class LogSoftmax(_Function):
    """Log-softmax along ``dim``."""

    _fn = staticmethod(F.log_softmax)


# MLP's activation names → modules
ACTIVATIONS = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "gelu": GELU,
    "silu": SiLU,
    "elu": ELU,
    "leaky_relu": LeakyReLU,
    "softplus": Softplus,
}
