"""DataLoader: iterate over a dataset in (shuffled) mini-batches of Tensors."""

import numpy as np

from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.data.dataset import Subset, TensorDataset

__all__ = ["DataLoader", "default_collate"]


def default_collate(samples):
    """Batch a list of samples as PyTorch's ``default_collate`` does.

    Tensors, arrays and numbers are stacked along a new first axis; tuples and lists are
    batched field by field (a tuple back), dicts key by key (a dict back), strings kept as a
    list. Samples that do not match (other shapes, lengths, keys or types) raise an error
    naming the sample.

    Example:
        >>> default_collate([(Tensor([1.0]), 0), (Tensor([2.0]), 1)])
        (Tensor([[1.],
                [2.]]), Tensor([0, 1]))
        >>> default_collate([{"x": 1.0}, {"x": 2.0}])
        {'x': Tensor([1., 2.])}
    """
    return _collate(list(samples), range(len(samples)))


def _kind(s):
    return type(s).__name__


def _collate(samples, ids):
    """default_collate, with ``ids`` naming the samples in messages (dataset indices)."""
    first = samples[0]

    def mismatch(i, what, mine, theirs):
        raise ValueError(
            f"default_collate: sample {ids[i]} {what} {mine}; sample {ids[0]} {what} {theirs} "
            "(pass a collate_fn to batch such samples)"
        )

    for i, s in enumerate(samples):
        if isinstance(s, (tuple, list)) != isinstance(first, (tuple, list)) or isinstance(
            s, dict
        ) != isinstance(first, dict):
            mismatch(i, "is a", _kind(s), _kind(first))
    if isinstance(first, dict):
        for i, s in enumerate(samples):
            if set(s) != set(first):
                mismatch(i, "has keys", sorted(s), sorted(first))
        return {k: _collate([s[k] for s in samples], ids) for k in first}
    if isinstance(first, (tuple, list)):
        for i, s in enumerate(samples):
            if len(s) != len(first):
                mismatch(i, "has", f"{len(s)} fields", f"{len(first)} fields")
        return tuple(_collate(list(field), ids) for field in zip(*samples, strict=True))
    if isinstance(first, str):
        return list(samples)
    arrays = [s.data if isinstance(s, Tensor) else np.asarray(s) for s in samples]
    for i, a in enumerate(arrays):
        if a.dtype.kind not in "fiub":
            raise TypeError(
                f"default_collate: sample {ids[i]} is a {_kind(samples[i])}; expected Tensors, "
                "arrays, numbers, tuples, lists, dicts or strings"
            )
        if a.shape != arrays[0].shape:
            mismatch(i, "has shape", a.shape, arrays[0].shape)
    return Tensor._make(np.stack(arrays))


def _batch_indexable(dataset):
    if isinstance(dataset, Subset):
        return _batch_indexable(dataset.dataset)
    return isinstance(dataset, TensorDataset)


class DataLoader:
    """Yield mini-batches of a dataset, each sample exactly once per epoch.

    With ``shuffle=True`` a fresh permutation is drawn from ``generator`` at the start of
    every epoch, so the same seed gives the same sequence of batches. A ``TensorDataset``
    is sliced directly (one fancy index per tensor), anything else goes through ``collate_fn``.

    Args:
        dataset: a ``Dataset`` (anything with ``__getitem__`` and ``__len__``).
        batch_size: samples per batch (the last one may be smaller unless ``drop_last``).
        shuffle: reshuffle at every epoch.
        drop_last: drop the final incomplete batch.
        generator: a ``numpy.random.Generator``, an int seed, or None for the default one.
        collate_fn: turns a list of samples into a batch (default: ``default_collate``).

    Example:
        >>> from glassgrad.data import TensorDataset
        >>> ds = TensorDataset(Tensor([[0.0], [1.0], [2.0], [3.0], [4.0]]))
        >>> [b[0].shape for b in DataLoader(ds, batch_size=2)]
        [(2, 1), (2, 1), (1, 1)]
        >>> len(DataLoader(ds, batch_size=2, drop_last=True))
        2
    """

    def __init__(
        self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None, collate_fn=None
    ):
        if not hasattr(dataset, "__getitem__") or not hasattr(dataset, "__len__"):
            raise TypeError(
                f"DataLoader: dataset needs __getitem__ and __len__; got {type(dataset).__name__}"
            )
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size < 1
        ):
            raise ValueError(f"DataLoader: batch_size must be a positive int; got {batch_size!r}")
        for name, flag in (("shuffle", shuffle), ("drop_last", drop_last)):
            if not isinstance(flag, (bool, np.bool_)):
                raise TypeError(f"DataLoader: {name} must be True or False; got {flag!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(
                f"DataLoader: collate_fn must be callable; got {type(collate_fn).__name__}"
            )
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.generator = get_generator(generator) if shuffle else None
        self.collate_fn = collate_fn or default_collate

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _fetch(self, idx):
        if self.collate_fn is default_collate and _batch_indexable(self.dataset):
            return self.dataset[idx]  # one fancy index per tensor instead of a Python loop
        samples = [self.dataset[int(i)] for i in idx]
        if self.collate_fn is default_collate:
            return _collate(samples, [int(i) for i in idx])  # errors name dataset indices
        return self.collate_fn(samples)

    def __iter__(self):
        n = len(self.dataset)
        order = self.generator.permutation(n) if self.shuffle else np.arange(n)
        for k in range(len(self)):
            yield self._fetch(order[k * self.batch_size : (k + 1) * self.batch_size])
