"""``glassgrad.numpy`` runs NumPy-style code unchanged: values equal NumPy's, gradients equal
finite differences (check_grads) and PyTorch's."""

import numpy
import pytest

import glassgrad as gg
import glassgrad.numpy as gnp
from glassgrad.testing import check_grads


# Each program is written once against a module ``np`` and run on NumPy and on glassgrad.numpy.
def mlp_loss(np, x):
    w = np.reshape(np.arange(12.0), (3, 4)) / 10.0
    h = np.tanh(np.matmul(np.reshape(x, (2, 3)), w))
    return np.mean(np.log1p(np.exp(h))) + np.sum(np.square(h)) * 0.1


def stats(np, x):
    z = (x - np.mean(x)) / np.std(x, ddof=1)
    return np.sum(np.clip(z, -1.0, 1.0) ** 3) + np.max(np.abs(z)) + np.var(x, ddof=1)


def shapes(np, x):
    a = np.reshape(x, (2, 3))
    b = np.concatenate([a, np.flip(a, axis=1)], axis=0)
    c = np.stack([np.transpose(b), np.roll(np.transpose(b), 1, axis=0)])
    return np.sum(np.cumsum(c, axis=2) * np.tile(np.arange(4.0), (2, 3, 1))) + np.prod(x[:3])


def linalg(np, x):
    a = np.reshape(x, (2, 3))
    m = np.matmul(a, np.transpose(a)) + np.eye(2)
    sign, logdet = np.linalg.slogdet(m)
    return (
        logdet
        + np.trace(np.linalg.inv(m))
        + np.linalg.norm(a)
        + np.sum(np.linalg.eigvalsh(m) ** 2)
        + np.einsum("ij,ij->", a, a)
    )


def trig(np, x):
    y = np.sin(x) * np.cos(x) + np.arctan2(x, 2.0) + np.sinh(x / 3) - np.arcsin(x / 4)
    return np.sum(np.sort(y) * np.linspace(0.0, 1.0, x.shape[0])) + np.logaddexp(x[0], x[1])


PROGRAMS = [mlp_loss, stats, shapes, linalg, trig]
X = numpy.array([0.3, -1.2, 0.7, 1.9, -0.4, 1.1])


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_values_equal_numpy(prog):
    ours = prog(gnp, gnp.array(X))
    assert isinstance(ours, gg.Tensor)
    numpy.testing.assert_allclose(ours.data, prog(numpy, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_gradients_match_finite_differences(prog):
    check_grads(lambda x: prog(gnp, x), (X,), order=2)


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.__name__)
def test_gradients_match_torch(prog):
    torch = pytest.importorskip("torch")
    xt = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    expected = torch.autograd.grad(prog(TorchNumpy(torch), xt), xt)[0].numpy()
    numpy.testing.assert_allclose(
        gg.grad(lambda x: prog(gnp, x))(X).data, expected, rtol=1e-10, atol=1e-12
    )


class TorchNumpy:
    """Just enough of NumPy's names on torch (float64) to run PROGRAMS as an oracle."""

    def __init__(self, torch):
        self.t = torch
        self.linalg = self
        self.pi = numpy.pi

    def __getattr__(self, name):
        t = self.t
        alias = {
            "arctan2": t.atan2,
            "arcsin": t.asin,
            "concatenate": t.cat,
            "abs": t.abs,
            "transpose": lambda a: a.T,
            "trace": t.trace,
            "einsum": t.einsum,
            "inv": t.linalg.inv,
            "eigvalsh": t.linalg.eigvalsh,
            "norm": t.linalg.norm,
            "logaddexp": t.logaddexp,
            "prod": t.prod,
            "square": t.square,
        }
        return alias.get(name) or getattr(t, name)

    def _t(self, v):
        return self.t.as_tensor(v, dtype=self.t.float64)

    def arange(self, n):
        return self.t.arange(n, dtype=self.t.float64)

    def eye(self, n):
        return self.t.eye(n, dtype=self.t.float64)

    def linspace(self, a, b, n):
        return self.t.linspace(a, b, n, dtype=self.t.float64)

    def mean(self, x):
        return x.mean()

    def std(self, x, ddof=0):
        return x.std(correction=ddof)

    def var(self, x, ddof=0):
        return x.var(correction=ddof)

    def max(self, x):
        return x.max()

    def clip(self, x, lo, hi):
        return self.t.clamp(x, lo, hi)

    def flip(self, x, axis):
        return self.t.flip(x, (axis,))

    def roll(self, x, s, axis):
        return self.t.roll(x, s, axis)

    def tile(self, x, reps):
        return x.repeat(*reps)

    def cumsum(self, x, axis):
        return self.t.cumsum(x, axis)

    def sort(self, x):
        return self.t.sort(x, stable=True).values

    def slogdet(self, m):
        return self.t.linalg.slogdet(m)

    def arctan2(self, y, x):
        return self.t.atan2(y, self._t(x) * self.t.ones_like(y))

    def logaddexp(self, a, b):
        return self.t.logaddexp(a, b)

    def concatenate(self, xs, axis):
        return self.t.cat(xs, axis)

    def matmul(self, a, b):
        return a @ b

    def sum(self, x):
        return x.sum()


def test_creation_and_constants():
    assert gnp.zeros((2, 3)).shape == (2, 3) and gnp.ones(2).dtype == numpy.float64
    numpy.testing.assert_array_equal(gnp.arange(1, 7, 2).data, numpy.arange(1, 7, 2))
    numpy.testing.assert_allclose(gnp.linspace(0, 1, 5).data, numpy.linspace(0, 1, 5))
    numpy.testing.assert_array_equal(gnp.eye(3, k=1).data, numpy.eye(3, k=1))
    numpy.testing.assert_array_equal(gnp.full((2,), 3.5).data, [3.5, 3.5])
    assert gnp.zeros_like(gnp.ones(3, dtype=gnp.float32)).dtype == numpy.float32
    assert gnp.identity(2).shape == (2, 2) and gnp.empty((1, 2)).shape == (1, 2)
    assert (gnp.pi, gnp.e, gnp.newaxis) == (numpy.pi, numpy.e, None)
    assert numpy.isinf(gnp.inf) and numpy.isnan(gnp.nan)
    x = gnp.array([1.0, 2.0])
    assert x[:, gnp.newaxis].shape == (2, 1)
    assert gnp.shape([[1, 2]]) == (1, 2) and gnp.ndim(x) == 1 and gnp.size(x) == 2


def test_accepts_lists_scalars_and_ndarrays():
    numpy.testing.assert_allclose(gnp.exp([0.0, 1.0]).data, numpy.exp([0.0, 1.0]))
    numpy.testing.assert_allclose(gnp.maximum(numpy.array([1.0, 5.0]), 3).data, [3.0, 5.0])
    assert float(gnp.sqrt(4.0)) == 2.0
    assert float(gnp.dot([1.0, 2.0], [3.0, 4.0])) == 11.0


def test_random_is_seeded_by_glassgrad():
    gnp.random.seed(3)
    a = gnp.random.randn(2, 2)
    gg.manual_seed(3)
    numpy.testing.assert_array_equal(gnp.random.randn(2, 2).data, a.data)
    assert gnp.random.rand(4).shape == (4,) and gnp.random.normal(size=(2,)).shape == (2,)
    ints = gnp.random.randint(2, 5, size=100)
    assert ints.dtype == numpy.int64 and ints.data.min() >= 2 and ints.data.max() < 5
    assert sorted(gnp.random.permutation(5).tolist()) == [0, 1, 2, 3, 4]
    assert len(set(gnp.random.choice(10, size=10, replace=False).tolist())) == 10
    u = gnp.random.uniform(-1.0, 1.0, size=50).data
    assert u.min() >= -1.0 and u.max() < 1.0
    rng = gnp.random.default_rng(0)
    assert rng.integers(100) == numpy.random.default_rng(0).integers(100)


def test_permutation_of_a_tensor_is_differentiable():
    x = gg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (gnp.random.permutation(x) * gg.Tensor([1.0, 1.0, 1.0])).sum().backward()
    numpy.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])


def test_linalg_svd_signature():
    a = numpy.array([[3.0, 1.0], [1.0, 2.0], [0.5, 0.0]])
    numpy.testing.assert_allclose(
        gnp.linalg.svd(a, compute_uv=False).data, numpy.linalg.svd(a, compute_uv=False)
    )
    u, s, vh = gnp.linalg.svd(a, full_matrices=False)
    numpy.testing.assert_allclose((u.data * s.data) @ vh.data, a, atol=1e-12)
    with pytest.raises(ValueError, match=r"svd: full_matrices=True .* shape \(3, 2\)"):
        gnp.linalg.svd(a)


def test_random_distributions_match_numpy_generator_and_refuse_traced_parameters():
    draws = {
        "standard_normal": ((), (3,)),
        "exponential": ((2.0,), (3,)),
        "gamma": ((2.0, 0.5), (3,)),
        "beta": ((2.0, 3.0), (3,)),
        "binomial": ((10, 0.3), (3,)),
        "poisson": ((3.0,), (3,)),
        "dirichlet": (([1.0, 2.0],), (2,)),
        "multivariate_normal": (([0.0, 1.0], [[2.0, 0.5], [0.5, 1.0]]), (4,)),
        "normal": ((1.0, 2.0), (3,)),
        "uniform": ((-1.0, 1.0), (3,)),
    }
    for name, (params, size) in draws.items():
        gnp.random.seed(11)
        ours = getattr(gnp.random, name)(*params, size=size)
        ref = getattr(numpy.random.default_rng(11), name)(*params, size=size)
        numpy.testing.assert_array_equal(ours.data, ref)
    assert gnp.random.random_sample is gnp.random.random
    assert (
        gnp.random.RandomState(0).randn(2).tolist() == numpy.random.RandomState(0).randn(2).tolist()
    )
    with pytest.raises(gg.GradError, match="random.normal: a sample is not differentiable"):
        gg.grad(lambda m: gnp.sum(gnp.random.normal(m, 1.0, size=2)))(0.5)
