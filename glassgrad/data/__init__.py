"""Datasets, mini-batch loading and small offline datasets (PyTorch's ``torch.utils.data`` names).

Example:
    >>> from glassgrad.data import DataLoader, TensorDataset, make_moons
    >>> X, y = make_moons(100, noise=0.1, generator=0)
    >>> loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    >>> [len(xb) for xb, yb in loader]
    [32, 32, 32, 4]
"""

from glassgrad.data.dataset import Dataset, Subset, TensorDataset, random_split
from glassgrad.data.datasets import (
    load_digits,
    load_iris,
    make_blobs,
    make_circles,
    make_moons,
    make_regression_1d,
    make_spirals,
    make_xor,
)
from glassgrad.data.loader import DataLoader, default_collate

__all__ = [
    "DataLoader",
    "Dataset",
    "Subset",
    "TensorDataset",
    "default_collate",
    "load_digits",
    "load_iris",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_regression_1d",
    "make_spirals",
    "make_xor",
    "random_split",
]
