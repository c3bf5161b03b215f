"""Loss modules: each calls its ``functional`` loss with ``reduction`` and its options."""

from glassgrad.nn import functional as F
from glassgrad.nn.activations import _Function

__all__ = [
    "MSELoss",
    "L1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
]


class _Loss(_Function):
    """A module that calls ``_fn(input, target, reduction=..., **options)``."""

    _n_inputs = 2

    def extra_repr(self):
        return ""  # PyTorch prints a loss module without its options


class MSELoss(_Loss):
    """Mean squared error (see ``functional.mse_loss``)."""

    _fn = staticmethod(F.mse_loss)


class L1Loss(_Loss):
    """Mean absolute error (see ``functional.l1_loss``)."""

    _fn = staticmethod(F.l1_loss)


class HuberLoss(_Loss):
    """Huber loss with threshold ``delta`` (see ``functional.huber_loss``)."""

    _fn = staticmethod(F.huber_loss)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy (see ``functional.cross_entropy``)."""

    _fn = staticmethod(F.cross_entropy)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (see ``functional.nll_loss``)."""

    _fn = staticmethod(F.nll_loss)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities (see ``functional.binary_cross_entropy``)."""

    _fn = staticmethod(F.binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (see ``functional.binary_cross_entropy_with_logits``)."""

    _fn = staticmethod(F.binary_cross_entropy_with_logits)


class KLDivLoss(_Loss):
    """KL divergence with log-probability input (see ``functional.kl_div``)."""

    _fn = staticmethod(F.kl_div)
