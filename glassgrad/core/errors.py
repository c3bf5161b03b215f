"""Errors raised at glassgrad's public boundary.

Each subclasses the built-in exception a NumPy or PyTorch user would catch, so
``except ValueError`` keeps working, while ``except GlassgradError`` catches them all.
"""

__all__ = [
    "GlassgradError",
    "ShapeError",
    "DTypeError",
    "GradError",
    "AnomalyError",
    "ConcretizationError",
    "fmt_shape",
]


class GlassgradError(Exception):
    """Base class of every error glassgrad raises on purpose."""


class ShapeError(GlassgradError, ValueError):
    """Operands or arguments have shapes that do not fit."""


class DTypeError(GlassgradError, TypeError):
    """An argument has a dtype the operation cannot take (complex, object, integer grads)."""


class GradError(GlassgradError, RuntimeError):
    """A gradient was asked for in a way that has no answer (non-scalar seed, no path)."""


class AnomalyError(GradError):
    """A NaN or Inf appeared in a forward value or a gradient under ``detect_anomaly``."""


class ConcretizationError(GlassgradError, TypeError):
    """A traced value was asked to steer Python (``if``, ``float``, a NumPy mask) under jit/vmap."""


def fmt_shape(shape):
    """Format a shape the way NumPy prints it: ``(2, 3)``, ``()``, ``(3,)``."""
    return str(tuple(shape))
