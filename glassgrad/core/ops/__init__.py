"""glassgrad's operations: primitives (with derivative rules) and composites (without)."""

from glassgrad.core.ops.composite import (
    dot, log_softmax, logsumexp, mean, reciprocal, softmax, square, std, var,
)
from glassgrad.core.ops.elementwise import (
    abs, absolute, add, broadcast_pair, const_like, cos, divide, equal, exp, greater,
    greater_equal, less, less_equal, log, logical_and, logical_not, logical_or, maximum,
    minimum, multiply, negative, not_equal, power, relu, sigmoid, sign, sin, sqrt, subtract,
    tanh, to_tensor, where,
)
from glassgrad.core.ops.linalg import matmul
from glassgrad.core.ops.reduce import amax, amin, max, min, sum
from glassgrad.core.ops.shape import (
    astype, broadcast_to, concatenate, expand_dims, getitem, identity, index_add, index_key,
    normalize_axis, ravel, reshape, squeeze, stack, sum_to, swapaxes, transpose,
)

__all__ = [
    "abs", "absolute", "add", "amax", "amin", "astype", "broadcast_pair", "broadcast_to",
    "concatenate", "const_like", "cos", "divide", "dot", "equal", "exp", "expand_dims",
    "getitem", "greater", "greater_equal", "identity", "index_add", "index_key", "less",
    "less_equal", "log", "log_softmax", "logical_and", "logical_not", "logical_or",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "multiply", "negative",
    "normalize_axis", "not_equal", "power", "ravel", "reciprocal", "relu", "reshape",
    "sigmoid", "sign", "sin", "softmax", "sqrt", "square", "squeeze", "stack", "std",
    "subtract", "sum", "sum_to", "swapaxes", "tanh", "to_tensor", "transpose", "var", "where",
]
