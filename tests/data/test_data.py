"""Datasets, DataLoader and random_split; bundled data against scikit-learn."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import data


def _ds(n=23):
    X = np.arange(n * 2, dtype=np.float64).reshape(n, 2)
    return data.TensorDataset(gg.Tensor(X), gg.Tensor(np.arange(n)))


def _epoch_ids(loader):
    return np.concatenate([yb.numpy() for _, yb in loader])


@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("batch_size", [1, 5, 23, 100])
def test_every_sample_once_per_epoch(shuffle, batch_size):
    loader = data.DataLoader(_ds(), batch_size=batch_size, shuffle=shuffle, generator=3)
    for _ in range(2):
        ids = _epoch_ids(loader)
        assert sorted(ids.tolist()) == list(range(23))
        assert len(list(loader)) == len(loader) == -(-23 // batch_size)
    for xb, yb in loader:  # rows stay paired with their labels
        np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())
        assert xb.dtype == np.float64 and yb.dtype == np.int64


def test_shuffle_same_seed_same_order_and_epochs_differ():
    a = data.DataLoader(_ds(), batch_size=4, shuffle=True, generator=7)
    b = data.DataLoader(_ds(), batch_size=4, shuffle=True, generator=np.random.default_rng(7))
    first_a, first_b = _epoch_ids(a), _epoch_ids(b)
    np.testing.assert_array_equal(first_a, first_b)
    np.testing.assert_array_equal(_epoch_ids(a), _epoch_ids(b))
    assert not np.array_equal(first_a, _epoch_ids(a))  # a new permutation each epoch
    assert not np.array_equal(first_a, np.arange(23))
    c = data.DataLoader(_ds(), batch_size=4, shuffle=True, generator=8)
    assert not np.array_equal(
        _epoch_ids(c), _epoch_ids(data.DataLoader(_ds(), 4, True, generator=7))
    )


def test_default_generator_follows_manual_seed():
    gg.manual_seed(5)
    a = _epoch_ids(data.DataLoader(_ds(), batch_size=4, shuffle=True))
    gg.manual_seed(5)
    b = _epoch_ids(data.DataLoader(_ds(), batch_size=4, shuffle=True))
    np.testing.assert_array_equal(a, b)


def test_drop_last():
    loader = data.DataLoader(_ds(), batch_size=5, drop_last=True)
    sizes = [len(yb) for _, yb in loader]
    assert sizes == [5, 5, 5, 5] and len(loader) == 4
    shuffled = data.DataLoader(_ds(), batch_size=5, shuffle=True, drop_last=True, generator=0)
    ids = _epoch_ids(shuffled)
    assert len(ids) == 20 and len(set(ids.tolist())) == 20


class Squares(data.Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return gg.Tensor([float(i)]), i * i


def test_custom_dataset_collates_through_getitem():
    batches = list(data.DataLoader(Squares(), batch_size=3))
    assert [b[0].shape for b in batches] == [(3, 1), (3, 1), (1, 1)]
    np.testing.assert_array_equal(batches[1][1].numpy(), [9, 16, 25])


def test_random_split_sizes_disjoint_and_seeded():
    ds = _ds(50)
    parts = data.random_split(ds, [30, 15, 5], generator=1)
    assert [len(p) for p in parts] == [30, 15, 5]
    ids = [set(_epoch_ids(data.DataLoader(p, batch_size=8)).tolist()) for p in parts]
    assert set.union(*ids) == set(range(50)) and sum(map(len, ids)) == 50
    again = data.random_split(ds, [30, 15, 5], generator=1)
    np.testing.assert_array_equal(parts[0].indices, again[0].indices)
    frac = data.random_split(ds, [0.7, 0.2, 0.1], generator=1)
    assert [len(p) for p in frac] == [35, 10, 5]
    odd = data.random_split(_ds(10), [1 / 3, 1 / 3, 1 / 3], generator=0)
    assert [len(p) for p in odd] == [4, 3, 3]  # PyTorch deals the remainder round-robin


def test_subset_indexing():
    sub = data.Subset(_ds(), [4, 2])
    x, y = sub[0]
    assert y.item() == 4 and x.tolist() == [8.0, 9.0]
    assert type(y.data) is np.ndarray and y.shape == ()  # one sample's label: a 0-d array


class Samples(data.Dataset):
    def __init__(self, *items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def test_dict_samples_collate_per_key_as_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as torch_collate

    items = [{"x": np.full(3, float(i)), "y": i, "meta": (i, np.eye(2) * i)} for i in range(5)]
    ours = list(data.DataLoader(Samples(*items), batch_size=2))
    theirs = list(torch.utils.data.DataLoader(items, batch_size=2, collate_fn=torch_collate))
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        assert isinstance(a, dict) and list(a) == list(b) == ["x", "y", "meta"]
        np.testing.assert_array_equal(a["x"].numpy(), b["x"].numpy())
        np.testing.assert_array_equal(a["y"].numpy(), b["y"].numpy())
        for ours_field, torch_field in zip(a["meta"], b["meta"], strict=True):
            np.testing.assert_array_equal(ours_field.numpy(), torch_field.numpy())
    assert data.default_collate(["a", "b"]) == ["a", "b"]  # strings stay a list, as in torch


@pytest.mark.parametrize(
    "items,match",
    [
        (
            (np.ones(2), np.ones(2), np.ones(3)),
            r"sample 2 has shape \(3,\); sample 0 has shape \(2,\)",
        ),
        (((1, 2), (1, 2, 3)), "sample 1 has 3 fields; sample 0 has 2 fields"),
        (((1, 2), np.ones(2)), "sample 1 is a ndarray; sample 0 is a tuple"),
        (({"x": 1}, {"y": 1}), r"sample 1 has keys \['y'\]; sample 0 has keys \['x'\]"),
        ((None, None), "sample 0 is a NoneType; expected Tensors, arrays, numbers"),
    ],
)
def test_collate_errors_name_the_sample(items, match):
    with pytest.raises((TypeError if items[0] is None else ValueError), match=match):
        list(data.DataLoader(Samples(*items), batch_size=3))


def test_collate_error_names_the_dataset_index():
    loader = data.DataLoader(Samples(np.ones(2), np.ones(2), np.ones(2), np.ones(5)), batch_size=2)
    with pytest.raises(ValueError, match=r"sample 3 has shape \(5,\); sample 2 has shape \(2,\)"):
        list(loader)


@pytest.mark.parametrize("indices", [[0.5, 1.7], np.array([1.0]), [True, False], [[0, 1]]])
def test_subset_refuses_non_integer_indices(indices):
    with pytest.raises(TypeError, match="Subset: indices must be a sequence of ints"):
        data.Subset(_ds(), indices)


def test_subset_accepts_empty_and_integer_arrays():
    assert len(data.Subset(_ds(), [])) == 0
    assert data.Subset(_ds(), np.array([3], dtype=np.uint8))[0][1].item() == 3


@pytest.mark.parametrize(
    "make,err,match",
    [
        (
            lambda: data.DataLoader(_ds(), batch_size=0),
            ValueError,
            "batch_size must be a positive int; got 0",
        ),
        (lambda: data.DataLoader(_ds(), batch_size=2.5), ValueError, "batch_size"),
        (lambda: data.DataLoader([1, 2], batch_size=True), ValueError, "batch_size"),
        (lambda: data.DataLoader(5), TypeError, "__getitem__ and __len__; got int"),
        (lambda: data.DataLoader(_ds(), 2, shuffle="yes"), TypeError, "shuffle must be True or"),
        (lambda: data.DataLoader(_ds(), 2, drop_last=1), TypeError, "drop_last.*got 1"),
        (lambda: data.DataLoader(_ds(), 2, collate_fn=5), TypeError, "collate_fn.*got int"),
        (lambda: data.random_split(_ds(10), [5, 4]), ValueError, "sum to 9 but the dataset has 10"),
        (lambda: data.random_split(_ds(10), [0.5, 0.4]), ValueError, "sum to 1"),
        (lambda: data.random_split(_ds(10), [-1, 11]), ValueError, "non-negative"),
        (
            lambda: data.TensorDataset(gg.Tensor(np.ones((3, 2))), gg.Tensor(np.ones(4))),
            ValueError,
            r"share their first dimension; got \[\(3, 2\), \(4,\)\]",
        ),
        (lambda: data.TensorDataset(), ValueError, "at least one"),
        (lambda: data.make_moons(1), ValueError, "n_samples must be an int >= 2; got 1"),
        (lambda: data.make_moons(10, noise=-0.1), ValueError, "noise must be a number >= 0"),
        (lambda: data.make_circles(10, factor=1.5), ValueError, "factor"),
        (lambda: data.make_spirals(10, n_classes=1), ValueError, "n_classes"),
        (lambda: data.make_blobs(10, cluster_std=-1), ValueError, "cluster_std"),
        (lambda: data.make_blobs(10, centers=np.ones(3)), ValueError, "centers must be"),
        (lambda: data.make_regression_1d(10, low=1.0, high=0.0), ValueError, "low < high"),
        (lambda: data.make_xor(10, generator="seed"), TypeError, "generator"),
    ],
)
def test_bad_inputs(make, err, match):
    with pytest.raises(err, match=match):
        make()


# ----- bundled and synthetic datasets -------------------------------------------------------
def test_digits_match_sklearn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    X, y = data.load_digits()
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X.numpy(), ref.data / 16.0)
    np.testing.assert_array_equal(y.numpy(), ref.target)
    img, _ = data.load_digits(images=True)
    assert img.shape == (1797, 1, 8, 8)
    np.testing.assert_array_equal(img.numpy()[5, 0], ref.images[5] / 16.0)


def test_iris_matches_sklearn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_iris()
    X, y = data.load_iris()
    np.testing.assert_array_equal(X.numpy(), ref.data)
    np.testing.assert_array_equal(y.numpy(), ref.target)


def test_missing_sklearn_gives_clear_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match="load_digits needs scikit-learn"):
        data.load_digits()


def test_moons_and_circles_geometry():
    X, y = data.make_moons(101, generator=0)
    X, y = X.numpy(), y.numpy()
    outer, inner = X[y == 0], X[y == 1]
    assert len(outer) == 51 and len(inner) == 50
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    X, y = data.make_circles(40, factor=0.3, generator=0)
    r = np.hypot(*X.numpy().T)
    np.testing.assert_allclose(r[y.numpy() == 0], 1.0)
    np.testing.assert_allclose(r[y.numpy() == 1], 0.3)
    Xn, _ = data.make_moons(2000, noise=0.2, generator=0)
    X0, _ = data.make_moons(2000, generator=0)
    assert not np.allclose(Xn.numpy(), X0.numpy())


def test_spirals_blobs_xor():
    X, y = data.make_spirals(300, n_classes=3, generator=0)
    assert np.bincount(y.numpy()).tolist() == [100, 100, 100]
    assert np.hypot(*X.numpy().T).max() <= 1.0 + 1e-12
    centers = np.array([[0.0, 0.0, 0.0], [4.0, -4.0, 1.0]])
    X, y = data.make_blobs(4000, centers=centers, cluster_std=0.5, generator=0)
    for k in range(2):
        pts = X.numpy()[y.numpy() == k]
        np.testing.assert_allclose(pts.mean(0), centers[k], atol=0.05)
        np.testing.assert_allclose(pts.std(0), 0.5, atol=0.03)
    X, y = data.make_xor(500, generator=0)
    np.testing.assert_array_equal(y.numpy(), (X.numpy().prod(axis=1) < 0).astype(np.int64))


def test_regression_1d_noise_level():
    X, y = data.make_regression_1d(20000, noise=0.3, fn=np.cos, generator=0)
    assert X.shape == y.shape == (20000, 1)
    resid = y.numpy() - np.cos(X.numpy())
    assert abs(resid.mean()) < 0.01 and abs(resid.std() - 0.3) < 0.01
    assert np.all(np.diff(X.numpy()[:, 0]) >= 0)


def test_same_generator_seed_same_data():
    a, b = (
        data.make_spirals(50, noise=0.1, generator=4),
        data.make_spirals(50, noise=0.1, generator=4),
    )
    np.testing.assert_array_equal(a[0].numpy(), b[0].numpy())


def test_loader_partition_property():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(
        n=st.integers(1, 40),
        batch_size=st.integers(1, 50),
        shuffle=st.booleans(),
        drop_last=st.booleans(),
        seed=st.integers(0, 2**32 - 1),
    )
    def check(n, batch_size, shuffle, drop_last, seed):
        loader = data.DataLoader(_ds(n), batch_size, shuffle, drop_last, generator=seed)
        batches = [yb.numpy() for _, yb in loader]
        assert len(batches) == len(loader)
        assert all(len(b) == batch_size for b in batches[:-1])
        ids = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
        assert len(set(ids.tolist())) == len(ids)  # no sample twice
        expected = n - n % batch_size if drop_last else n
        assert len(ids) == expected

    check()
