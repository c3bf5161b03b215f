"""glassgrad.linalg: norms and distances, decompositions with gradients, low rank and PCA."""

from glassgrad.linalg.eigen import characteristic_polynomial, eig, power_iteration
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
    "cdist",
    "characteristic_polynomial",
    "cosine_similarity",
    "eig",
    "euclidean_distance",
    "manhattan_distance",
    "matrix_norm",
    "norm",
    "pairwise_distances",
    "power_iteration",
    "vector_norm",
]
