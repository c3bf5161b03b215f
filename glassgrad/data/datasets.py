"""Small offline datasets: scikit-learn's bundled digits and iris, and synthetic 2-D problems.

Every loader returns ``(X, y)``: X a float64 Tensor, y an int64 Tensor of class labels
(float64 targets for regression). Randomness comes only from ``generator`` (a
``numpy.random.Generator``, an int seed, or None for ``glassgrad.manual_seed``'s default).
"""

import numpy as np

from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor

__all__ = [
    "load_digits",
    "load_iris",
    "make_moons",
    "make_circles",
    "make_spirals",
    "make_blobs",
    "make_xor",
    "make_regression_1d",
]


def _sklearn_datasets(name):
    try:
        from sklearn import datasets
    except ImportError as err:
        raise ImportError(
            f"{name} needs scikit-learn for its bundled data files; pip install scikit-learn"
        ) from err
    return datasets


def _pair(X, y):
    return Tensor(np.asarray(X, dtype=np.float64)), Tensor(np.asarray(y, dtype=np.int64))


def load_digits(images=False):
    """The 1,797 8×8 handwritten digits bundled with scikit-learn, pixels scaled to [0, 1].

    Args:
        images: return X as (N, 1, 8, 8) images (NCHW) instead of (N, 64) rows.

    Returns:
        ``(X, y)`` with y in 0..9.

    Example:
        >>> X, y = load_digits()
        >>> X.shape, y.shape, float(X.max())
        ((1797, 64), (1797,), 1.0)
    """
    bunch = _sklearn_datasets("load_digits").load_digits()
    X = bunch.data / 16.0
    return _pair(X.reshape(-1, 1, 8, 8) if images else X, bunch.target)


def load_iris():
    """Fisher's 150 iris flowers: 4 measurements (cm), 3 species.

    Example:
        >>> X, y = load_iris()
        >>> X.shape, sorted(set(y.tolist()))
        ((150, 4), [0, 1, 2])
    """
    bunch = _sklearn_datasets("load_iris").load_iris()
    return _pair(bunch.data, bunch.target)


def _check_n(n_samples, where, minimum=1):
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, (int, np.integer))
        or n_samples < minimum
    ):
        raise ValueError(f"{where}: n_samples must be an int >= {minimum}; got {n_samples!r}")
    return int(n_samples)


def _finish(X, y, noise, rng, where, name="noise"):
    """Add N(0, noise²) to X, shuffle the rows, and wrap as Tensors."""
    if not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"{where}: {name} must be a number >= 0; got {noise!r}")
    X = X + noise * rng.standard_normal(X.shape)
    perm = rng.permutation(len(X))
    return _pair(X[perm], y[perm])


def _split(n, k):
    """Sizes of k classes for n samples, as equal as possible (earlier classes get the extra)."""
    return [n // k + (i < n % k) for i in range(k)]


def make_moons(n_samples=100, noise=0.0, generator=None):
    """Two interleaving half circles: class 0 on the unit upper arc, class 1 on (1 - cos, ½ - sin).

    Example:
        >>> X, y = make_moons(6, generator=0)
        >>> X.shape, sorted(y.tolist())
        ((6, 2), [0, 0, 0, 1, 1, 1])
    """
    n_out, n_in = _split(_check_n(n_samples, "make_moons", 2), 2)
    rng = get_generator(generator)
    a, b = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.c_[np.cos(a), np.sin(a)], np.c_[1 - np.cos(b), 0.5 - np.sin(b)]])
    return _finish(X, np.repeat([0, 1], [n_out, n_in]), noise, rng, "make_moons")


def make_circles(n_samples=100, noise=0.0, factor=0.8, generator=None):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (< 1).

    Example:
        >>> X, y = make_circles(8, factor=0.5, generator=0)
        >>> sorted(set((X ** 2).sum(axis=1).numpy().round(6).tolist()))
        [0.25, 1.0]
    """
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1); got {factor!r}")
    n_out, n_in = _split(_check_n(n_samples, "make_circles", 2), 2)
    rng = get_generator(generator)
    a = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    b = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.c_[np.cos(a), np.sin(a)], factor * np.c_[np.cos(b), np.sin(b)]])
    return _finish(X, np.repeat([0, 1], [n_out, n_in]), noise, rng, "make_circles")


def make_spirals(n_samples=100, n_classes=2, noise=0.0, turns=1.0, generator=None):
    """``n_classes`` interleaved Archimedean spiral arms (radius r from 0 to 1, angle 2π·turns·r).

    Arm k is rotated by 2πk/n_classes.

    Example:
        >>> X, y = make_spirals(9, n_classes=3, generator=0)
        >>> X.shape, sorted(y.tolist())
        ((9, 2), [0, 0, 0, 1, 1, 1, 2, 2, 2])
    """
    if not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"make_spirals: n_classes must be an int >= 2; got {n_classes!r}")
    sizes = _split(_check_n(n_samples, "make_spirals", n_classes), n_classes)
    rng = get_generator(generator)
    parts = []
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        theta = 2 * np.pi * (turns * r + k / n_classes)
        parts.append(np.c_[r * np.cos(theta), r * np.sin(theta)])
    y = np.repeat(np.arange(n_classes), sizes)
    return _finish(np.concatenate(parts), y, noise, rng, "make_spirals")


def make_blobs(
    n_samples=100,
    centers=3,
    n_features=2,
    cluster_std=1.0,
    center_box=(-10.0, 10.0),
    generator=None,
):
    """Isotropic Gaussian clusters: class k ~ N(center_k, cluster_std² I).

    Args:
        n_samples: total number of points, split evenly over the clusters.
        centers: a number of clusters (centers drawn uniformly in ``center_box``) or an
            array of shape (k, n_features).
        n_features: dimension of the points when ``centers`` is a number.
        cluster_std: standard deviation of every cluster.
        center_box: (low, high) bounds for randomly drawn centers.
        generator: a ``numpy.random.Generator``, an int seed, or None.

    Example:
        >>> X, y = make_blobs(30, centers=[[0.0, 0.0], [5.0, 5.0]], cluster_std=0.1, generator=0)
        >>> X[y == 1].mean(axis=0).numpy().round(0)
        array([5., 5.])
    """
    rng = get_generator(generator)
    if isinstance(centers, (int, np.integer)):
        if centers < 1:
            raise ValueError(f"make_blobs: centers must be >= 1; got {centers!r}")
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2:
        raise ValueError(f"make_blobs: centers must be (k, n_features); got shape {centers.shape}")
    sizes = _split(_check_n(n_samples, "make_blobs", len(centers)), len(centers))
    y = np.repeat(np.arange(len(centers)), sizes)
    return _finish(centers[y], y, cluster_std, rng, "make_blobs", "cluster_std")


def make_xor(n_samples=100, noise=0.0, generator=None):
    """Points uniform in [-1, 1]², labelled 1 when exactly one coordinate is positive.

    ``noise`` jitters the points after labelling, so some cross the axes.

    Example:
        >>> X, y = make_xor(200, generator=0)
        >>> bool(((X[:, 0] * X[:, 1] < 0).astype("int64") == y).all())
        True
    """
    rng = get_generator(generator)
    X = rng.uniform(-1.0, 1.0, size=(_check_n(n_samples, "make_xor"), 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return _finish(X, y, noise, rng, "make_xor")


def make_regression_1d(n_samples=100, noise=0.1, fn=np.sin, low=-3.0, high=3.0, generator=None):
    """A 1-D regression set y = fn(x) + ε, x ~ U(low, high), ε ~ N(0, noise²).

    The true function ``fn`` (default sin) is known, so fits can be compared with it.

    Returns:
        ``(X, y)``, both float64 of shape (n_samples, 1), sorted by x.

    Example:
        >>> X, y = make_regression_1d(5, noise=0.0, generator=0)
        >>> bool(np.allclose(y.numpy(), np.sin(X.numpy())))
        True
    """
    n = _check_n(n_samples, "make_regression_1d")
    if not isinstance(noise, (int, float)) or noise < 0:
        raise ValueError(f"make_regression_1d: noise must be a number >= 0; got {noise!r}")
    if not callable(fn):
        raise TypeError(f"make_regression_1d: fn must be callable; got {type(fn).__name__}")
    if not low < high:
        raise ValueError(f"make_regression_1d: need low < high; got low={low!r}, high={high!r}")
    rng = get_generator(generator)
    x = np.sort(rng.uniform(low, high, size=n))[:, None]
    y = fn(x) + noise * rng.standard_normal(x.shape)
    return Tensor(x), Tensor(np.asarray(y, dtype=np.float64))
