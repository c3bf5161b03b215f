"""glassgrad's operations: primitives (with derivative rules) and composites (without)."""

# fmt: off
# ruff: noqa: I001, F401
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

# The import lines above are the one list of the ops' names; everything else is derived.
# Helpers the ops share, and the identity node of the transforms: not exported at the top level.
INTERNAL = (
    "broadcast_pair", "const_like", "getitem", "identity", "index_add", "index_key",
    "normalize_axis", "to_tensor",
)
# Not NumPy functions, or kept in numpy.linalg: glassgrad.numpy leaves these out.
NOT_NUMPY = (
    "astype", "cholesky", "det", "eigh", "eigvalsh", "erf", "expit", "inv", "log_softmax",
    "logsumexp", "matrix_power", "pinv", "qr", "relu", "sigmoid", "slogdet", "softmax", "solve",
    "sum_to", "svd", "svdvals",
)
# fmt: on
__all__ = sorted(n for n, v in globals().items() if n[0] != "_" and callable(v))
PUBLIC = [n for n in __all__ if n not in INTERNAL]
NUMPY = [n for n in PUBLIC if n not in NOT_NUMPY]
