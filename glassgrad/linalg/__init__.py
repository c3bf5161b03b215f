"""glassgrad.linalg: norms and distances, decompositions with gradients, low rank and PCA.

The decompositions (with their derivative rules) live in ``glassgrad.core.ops.linalg``; this
namespace re-exports them beside the norms, the eigenvalue helpers and the low-rank tools.
"""

from glassgrad.core.ops.linalg import (
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matrix_power,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)
from glassgrad.linalg.eigen import characteristic_polynomial, eig, power_iteration
from glassgrad.linalg.lowrank import (
    PCA,
    eckart_young,
    explained_variance,
    low_rank_approx,
    reconstruction_error,
)
from glassgrad.linalg.norms import (
    cdist,
    cosine_similarity,
    euclidean_distance,
    manhattan_distance,
    matrix_norm,
    norm,
    pairwise_distances,
    vector_norm,
)

__all__ = [
    # decompositions (core primitives)
    "cholesky",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "matrix_power",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    # eigenvalues the notes' way
    "characteristic_polynomial",
    "eig",
    "power_iteration",
    # low rank
    "PCA",
    "eckart_young",
    "explained_variance",
    "low_rank_approx",
    "reconstruction_error",
    # norms and distances
    "cdist",
    "cosine_similarity",
    "euclidean_distance",
    "manhattan_distance",
    "matrix_norm",
    "norm",
    "pairwise_distances",
    "vector_norm",
]
