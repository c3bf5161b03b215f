"""Datasets: indexable collections of samples, and ways to split them."""

import numpy as np

from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "Subset", "random_split"]


class Dataset:
    """Base class: subclasses define ``__getitem__(i)`` and ``__len__()``."""

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are rows of tensors that share their first dimension.

    ``dataset[i]`` is the tuple ``(t[i] for t in tensors)``; an array of indices gives a batch.

    Example:
        >>> X, y = Tensor([[1.0, 2.0], [3.0, 4.0]]), Tensor([0, 1])
        >>> ds = TensorDataset(X, y)
        >>> len(ds), ds[1]
        (2, (Tensor([3., 4.]), Tensor(1)))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in self.tensors]
        if None in sizes or len(set(sizes)) != 1:
            shapes = [t.shape for t in self.tensors]
            raise ValueError(
                f"TensorDataset: tensors must share their first dimension; got {shapes}"
            )

    def __getitem__(self, index):
        return tuple(Tensor._make(np.asarray(t.data[index])) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order.

    Example:
        >>> ds = Subset(TensorDataset(Tensor([10.0, 20.0, 30.0])), [2, 0])
        >>> [s[0].item() for s in (ds[0], ds[1])]
        [30.0, 10.0]
    """

    def __init__(self, dataset, indices):
        arr = np.asarray(indices)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise TypeError(
                f"Subset: indices must be a sequence of ints; got {arr.dtype} values of shape "
                f"{arr.shape}"
            )
        self.dataset = dataset
        self.indices = arr.astype(np.int64)

    def __getitem__(self, index):
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into disjoint random ``Subset``s of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1 (the
    remainder after flooring is dealt one at a time, round-robin, as PyTorch does).

    Example:
        >>> train, test = random_split(TensorDataset(Tensor(range(10))), [0.8, 0.2], generator=0)
        >>> len(train), len(test)
        (8, 2)
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths or any(not isinstance(x, (int, float, np.number)) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative numbers; got {lengths}")
    if all(isinstance(x, (int, np.integer)) for x in lengths):
        if sum(lengths) != n:
            raise ValueError(
                f"random_split: lengths sum to {sum(lengths)} but the dataset has {n} samples"
            )
    else:
        if not np.isclose(sum(lengths), 1.0) or any(x > 1 for x in lengths):
            raise ValueError(
                f"random_split: fractions must lie in [0, 1] and sum to 1; got {lengths} "
                f"(sum {sum(lengths)})"
            )
        counts = [int(np.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    perm = get_generator(generator).permutation(n)
    bounds = np.cumsum([0, *lengths])
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
