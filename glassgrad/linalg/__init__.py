"""glassgrad.linalg: norms and distances, decompositions with gradients, low rank and PCA."""

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
    "cosine_similarity",
    "euclidean_distance",
    "manhattan_distance",
    "matrix_norm",
    "norm",
    "pairwise_distances",
    "vector_norm",
]
