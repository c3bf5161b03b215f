"""glassgrad: the mathematics of deep learning, differentiable and visible.

Example:
    >>> import glassgrad as gg
    >>> gg.grad(lambda x: x ** 2)(3.0)
    Tensor(6.)
"""

from glassgrad.core.autodiff import (
    AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled,
)
from glassgrad.core.errors import DTypeError, GlassgradError, GradError, ShapeError
from glassgrad.core.ops import (
    abs, absolute, add, amax, amin, astype, broadcast_to, concatenate, cos, divide, dot, equal,
    exp, expand_dims, greater, greater_equal, less, less_equal, log, log_softmax, logsumexp,
    matmul, max, maximum, mean, min, minimum, multiply, negative, not_equal, power, ravel,
    reciprocal, relu, reshape, sigmoid, sign, sin, softmax, sqrt, square, squeeze, stack, std,
    subtract, sum, sum_to, swapaxes, tanh, transpose, var, where,
)
from glassgrad.core.random import manual_seed
from glassgrad.core.primitive import REGISTRY, Primitive, binary, linear, unary
from glassgrad.core.tensor import Tensor, as_tensor, is_tensor, tensor
from glassgrad.core.transforms import (
    grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, linearize, tree_flatten, tree_unflatten,
    value_and_grad, vjp,
)

__version__ = "0.1.0"

# Subpackages load on first use (PEP 562), so `import glassgrad` needs NumPy alone and stays fast.
_SUBPACKAGES = ("nn", "optim", "data", "linalg", "prob", "analysis", "viz", "testing", "numpy",
                "autograd", "io", "training", "labs")


def __getattr__(name):
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"glassgrad.{name}")
    raise AttributeError(f"module 'glassgrad' has no attribute {name!r}")


__all__ = [
    "AnomalyError", "DTypeError", "GlassgradError", "GradError", "Primitive", "REGISTRY",
    "ShapeError", "Tensor", "abs", "absolute", "add", "amax", "amin", "as_tensor", "astype",
    "binary", "broadcast_to", "concatenate", "cos", "detect_anomaly", "divide", "dot",
    "enable_grad", "equal", "exp", "expand_dims", "grad", "greater", "greater_equal",
    "hessian", "hvp", "is_grad_enabled", "is_tensor", "jacfwd", "jacobian", "jacrev", "jvp",
    "less", "less_equal", "linear", "linearize", "log", "log_softmax", "logsumexp", "manual_seed", "matmul",
    "max", "maximum", "mean", "min", "minimum", "multiply", "negative", "no_grad", "not_equal",
    "power", "ravel", "reciprocal", "relu", "reshape", "set_grad_enabled", "sigmoid", "sign",
    "sin", "softmax", "sqrt", "square", "squeeze", "stack", "std", "subtract", "sum", "sum_to",
    "swapaxes", "tanh", "tensor", "transpose", "tree_flatten", "tree_unflatten", "unary",
    "value_and_grad", "var", "vjp", "where",
]
