"""glassgrad: the mathematics of deep learning, differentiable and visible.

Example:
    >>> import glassgrad as gg
    >>> gg.grad(lambda x: x ** 2)(3.0)
    Tensor(6.)
"""

# fmt: off
# ruff: noqa: I001
from glassgrad.core.autodiff import (
    AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled,
)
from glassgrad.core.errors import (
    DTypeError, GlassgradError, GradError, ShapeError,
)
from glassgrad.core.ops import (
    abs, absolute, add, amax, amin, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
    argmax, argmin, argsort, astype, broadcast_to, cbrt, cholesky, clip, concatenate, cos, cosh,
    cumprod, cumsum, det, diag, diagonal, divide, dot, eigh, eigvalsh, einsum, equal, erf, exp,
    exp2, expand_dims, expit, expm1, flip, greater, greater_equal, hstack, inner, inv, isfinite,
    isinf, isnan, kron, less, less_equal, log, log10, log1p, log2, log_softmax, logaddexp,
    logical_and, logical_not, logical_or, logsumexp, matmul, matrix_power, max, maximum, mean, min,
    minimum, moveaxis, multiply, negative, not_equal, outer, pad, pinv, power, prod, qr, ravel,
    reciprocal, relu, repeat, reshape, roll, sigmoid, sign, sin, sinh, slogdet, softmax, solve,
    sort, split, sqrt, square, squeeze, stack, std, subtract, sum, sum_to, svd, svdvals, swapaxes,
    take, take_along_axis, tan, tanh, tensordot, tile, trace, transpose, tril, triu, var, vdot,
    vstack, where,
)
from glassgrad.core.primitive import (
    REGISTRY, Primitive, binary, linear, nondifferentiable, unary,
)
from glassgrad.core.random import (
    manual_seed,
)
from glassgrad.core.tensor import (
    Tensor, as_tensor, is_tensor, tensor,
)
from glassgrad.core.transforms import (
    custom_jvp, custom_vjp, grad, hessian, hessian_rev, hvp, jacfwd, jacobian, jacrev, jvp,
    linearize, tree_flatten, tree_unflatten, value_and_grad, vjp,
)

__version__ = "0.1.0"

# Subpackages load on first use (PEP 562), so `import glassgrad` needs NumPy alone and stays fast.
_SUBPACKAGES = ("nn", "optim", "data", "linalg", "prob", "analysis", "viz", "testing", "numpy",
                "autograd", "io", "training", "labs")


# Functions of a layer above the core, also loaded on first use: gg.save / gg.load.
_LAZY = {"save": "io", "load": "io"}


def __getattr__(name):
    if name in _SUBPACKAGES or name in _LAZY:
        import importlib

        module = importlib.import_module(f"glassgrad.{_LAZY.get(name, name)}")
        return getattr(module, name) if name in _LAZY else module
    raise AttributeError(f"module 'glassgrad' has no attribute {name!r}")


__all__ = [
    "abs", "absolute", "add", "amax", "amin", "AnomalyError", "arccos", "arccosh", "arcsin",
    "arcsinh", "arctan", "arctan2", "arctanh", "argmax", "argmin", "argsort", "as_tensor",
    "astype", "binary", "broadcast_to", "cbrt", "cholesky", "clip", "concatenate", "cos", "cosh",
    "cumprod", "cumsum", "custom_jvp", "custom_vjp", "det", "detect_anomaly", "diag", "diagonal",
    "divide", "dot", "DTypeError", "eigh", "eigvalsh", "einsum", "enable_grad", "equal", "erf",
    "exp", "exp2", "expand_dims", "expit", "expm1", "flip", "GlassgradError", "grad", "GradError",
    "greater", "greater_equal", "hessian", "hessian_rev", "hstack", "hvp", "inner", "inv",
    "is_grad_enabled", "is_tensor", "isfinite", "isinf", "isnan", "jacfwd", "jacobian", "jacrev",
    "jvp", "kron", "less", "less_equal", "linear", "linearize", "load", "log", "log10", "log1p",
    "log2", "log_softmax", "logaddexp", "logical_and", "logical_not", "logical_or", "logsumexp",
    "manual_seed", "matmul", "matrix_power", "max", "maximum", "mean", "min", "minimum",
    "moveaxis", "multiply", "negative", "no_grad", "nondifferentiable", "not_equal", "outer",
    "pad", "pinv", "power", "Primitive", "prod", "qr", "ravel", "reciprocal", "REGISTRY", "relu",
    "repeat", "reshape", "roll", "save", "set_grad_enabled", "ShapeError", "sigmoid", "sign",
    "sin", "sinh", "slogdet", "softmax", "solve", "sort", "split", "sqrt", "square", "squeeze",
    "stack", "std", "subtract", "sum", "sum_to", "svd", "svdvals", "swapaxes", "take",
    "take_along_axis", "tan", "tanh", "Tensor", "tensor", "tensordot", "tile", "trace",
    "transpose", "tree_flatten", "tree_unflatten", "tril", "triu", "unary", "value_and_grad",
    "var", "vdot", "vjp", "vstack", "where",
]
# fmt: on
