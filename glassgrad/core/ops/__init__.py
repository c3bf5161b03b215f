"""glassgrad's operations: primitives (with derivative rules) and composites (without)."""

# fmt: off
# ruff: noqa: I001
from glassgrad.core.ops import (
    composite, contractions, elementwise, linalg, manipulation, reduce, shape, sorting,
)
from glassgrad.core.tensor import to_tensor  # noqa: F401 (exported)

# Each module's __all__ names its functions once (elementwise derives it from its registry
# entries); this namespace is their union.
for _module in (elementwise, composite, reduce, shape, manipulation, sorting, contractions, linalg):
    globals().update({_name: getattr(_module, _name) for _name in _module.__all__})
# Helpers the ops share, and the identity node of the transforms: not exported at the top level.
INTERNAL = (
    "broadcast_pair", "const_like", "getitem", "identity", "index_add", "index_key",
    "normalize_axis", "to_tensor",
)
# Not NumPy functions, or kept in numpy.linalg: glassgrad.numpy leaves these out.
NOT_NUMPY = (
    "astype", "cholesky", "det", "eig", "eigh", "eigvalsh", "erf", "expit", "inv", "log_softmax",
    "logsumexp", "matrix_power", "pinv", "qr", "relu", "sigmoid", "slogdet", "softmax", "solve",
    "sum_to", "svd", "svdvals",
)
# fmt: on
__all__ = sorted(n for n, v in globals().items() if n[0] != "_" and callable(v))
PUBLIC = [n for n in __all__ if n not in INTERNAL]
NUMPY = [n for n in PUBLIC if n not in NOT_NUMPY]
