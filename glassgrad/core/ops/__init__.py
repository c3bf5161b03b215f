"""glassgrad's operations: primitives (with derivative rules) and composites (without)."""

# fmt: off
# ruff: noqa: I001
from glassgrad.core.ops.composite import (
    arccos, clip, dot, exp2, expit, log10, log2, log_softmax, logaddexp, logsumexp, mean,
    reciprocal, softmax, square, std, var,
)
from glassgrad.core.ops.elementwise import (
    abs, absolute, add, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, broadcast_pair, cbrt,
    const_like, cos, cosh, divide, equal, erf, exp, expm1, greater, greater_equal, less,
    less_equal, log, log1p, logical_and, logical_not, logical_or, maximum, minimum, multiply,
    negative, not_equal, power, relu, sigmoid, sign, sin, sinh, sqrt, subtract, tan, tanh,
    where,
)
from glassgrad.core.ops.contractions import (
    diag, diagonal, einsum, inner, kron, matmul, outer, tensordot, trace, tril, triu, vdot,
)
from glassgrad.core.ops.linalg import (
    cholesky, det, eigh, eigvalsh, inv, matrix_power, pinv, qr, slogdet, solve, svd, svdvals,
)
from glassgrad.core.ops.reduce import amax, amin, cumprod, cumsum, max, min, prod, sum
from glassgrad.core.ops.shape import (
    astype, broadcast_to, concatenate, expand_dims, flip, getitem, hstack, identity, index_add,
    index_key, moveaxis, normalize_axis, pad, ravel, repeat, reshape, roll, split, squeeze,
    stack, sum_to, swapaxes, take, take_along_axis, tile, transpose, vstack,
)
from glassgrad.core.ops.sorting import argmax, argmin, argsort, isfinite, isinf, isnan, sort
from glassgrad.core.tensor import to_tensor

__all__ = [
    # elementwise
    "abs", "absolute", "add", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "cbrt", "clip", "cos", "cosh", "divide", "erf", "exp", "exp2", "expit", "expm1",
    "log", "log10", "log1p", "log2", "logaddexp", "maximum", "minimum", "multiply", "negative",
    "power", "reciprocal", "relu", "sigmoid", "sign", "sin", "sinh", "sqrt", "square",
    "subtract", "tan", "tanh", "where",
    # comparisons and tests
    "equal", "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_not",
    "logical_or", "not_equal", "isfinite", "isinf", "isnan",
    # reductions
    "amax", "amin", "argmax", "argmin", "cumprod", "cumsum", "logsumexp", "log_softmax", "max",
    "mean", "min", "prod", "softmax", "std", "sum", "var",
    # shape and indexing
    "astype", "broadcast_to", "concatenate", "expand_dims", "flip", "getitem", "hstack",
    "identity", "index_add", "moveaxis", "pad", "ravel", "repeat", "reshape", "roll", "split",
    "squeeze", "stack", "sum_to", "swapaxes", "take", "take_along_axis", "tile", "transpose",
    "vstack", "argsort", "sort",
    # linear algebra
    "cholesky", "det", "diag", "diagonal", "dot", "eigh", "eigvalsh", "einsum", "inner", "inv",
    "kron", "matmul", "matrix_power", "outer", "pinv", "qr", "slogdet", "solve", "svd",
    "svdvals", "tensordot", "trace", "tril", "triu", "vdot",
    # helpers
    "broadcast_pair", "const_like", "index_key", "normalize_axis", "to_tensor",
]
# fmt: on
