"""Norms, distances and cosine similarity vs NumPy/SciPy (values) and PyTorch (gradients)."""

import math

import numpy as np
import pytest
from scipy.spatial.distance import cdist as scipy_cdist

import glassgrad as gg
from glassgrad.core.errors import ShapeError
from glassgrad.linalg import (
    cdist,
    cosine_similarity,
    euclidean_distance,
    manhattan_distance,
    matrix_norm,
    norm,
    pairwise_distances,
    vector_norm,
)
from glassgrad.testing import assert_close, check_grads

torch = pytest.importorskip("torch")
INF = math.inf
SVD_ORDS = ["nuc", 2, -2]


def _t(a):
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=True)


def _grad(fn, *arrays):
    """Value and gradients of ``sum(fn(*xs))`` with glassgrad."""
    xs = [gg.Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(*xs)
    gg.sum(out).backward()
    return out.detach().numpy(), [x.grad.detach().numpy() for x in xs]


def _torch_grad(fn, *arrays):
    ts = [_t(a) for a in arrays]
    out = fn(*ts)
    out.sum().backward()
    # torch leaves .grad None when the output does not depend on an input (ord=0): zeros
    grads = [np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in ts]
    return out.detach().numpy(), grads


def _compare(gg_fn, torch_fn, *arrays, rtol=1e-10, atol=1e-12):
    out, grads = _grad(gg_fn, *arrays)
    tout, tgrads = _torch_grad(torch_fn, *arrays)
    assert_close(out, tout, rtol=rtol, atol=atol)
    for g, tg in zip(grads, tgrads, strict=True):
        assert not np.isnan(g).any()
        assert_close(g, tg, rtol=rtol, atol=atol)


# ----- values vs NumPy -------------------------------------------------------------------------
@pytest.mark.parametrize("ord", [None, 1, 2, INF, -INF, 0, 3, 0.5, -1])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_vector_norm_values_match_numpy(rng, ord, axis):
    x = rng.normal(size=(3, 4))
    x[0, 1] = 0.0  # for ord = -1 NumPy too gives 0 where an entry is 0
    with np.errstate(divide="ignore"):
        expected = np.linalg.norm(x, ord=ord, axis=axis, keepdims=True)
    out = norm(x, ord=ord, axis=axis, keepdims=True)
    assert out.shape == expected.shape
    assert_close(out.numpy(), expected)
    assert_close(norm(x, ord=ord, axis=axis).numpy(), np.squeeze(expected, axis))


@pytest.mark.parametrize("ord", [None, "fro", 1, -1, INF, -INF, *SVD_ORDS])
@pytest.mark.parametrize("axis", [(0, 1), (1, 0), (2, 0)])
def test_matrix_norm_values_match_numpy(rng, ord, axis):
    x = rng.normal(size=(3, 4, 5))
    expect = np.linalg.norm(x, ord=ord, axis=axis)
    assert_close(norm(x, ord=ord, axis=axis).numpy(), expect)
    kept = norm(x, ord=ord, axis=axis, keepdims=True)
    assert_close(kept.numpy(), np.linalg.norm(x, ord=ord, axis=axis, keepdims=True))


@pytest.mark.parametrize("ord", [None, 1, 2, INF, -INF])
def test_norm_axis_none_matches_numpy(rng, ord):
    v, m = rng.normal(size=5), rng.normal(size=(3, 2))
    assert_close(norm(v, ord=ord).numpy(), np.linalg.norm(v, ord=ord))
    assert_close(norm(m, ord=ord).numpy(), np.linalg.norm(m, ord=ord))
    x = rng.normal(size=(2, 3, 4))
    assert_close(norm(x, keepdims=True).numpy(), np.linalg.norm(x, keepdims=True))


def test_float32_is_preserved_without_nan():
    x = gg.Tensor(np.array([[0.0, 0.0], [3.0, 4.0]], np.float32), requires_grad=True)
    outs = [vector_norm(x, o, axis=1) for o in (1, 2, 3, INF, 0)]
    outs += [matrix_norm(x), cosine_similarity(x, x), cdist(x, x)]
    outs += [pairwise_distances(x, metric=m) for m in ("cosine", "euclidean")]
    for out in outs:
        assert out.dtype == np.float32 and np.isfinite(out.detach().numpy()).all()
    assert_close(
        pairwise_distances(x, metric="cosine").detach().numpy(), [[1, 1], [1, 0]], atol=1e-6
    )


def test_integer_input_becomes_float():
    out = vector_norm(np.array([3, 4]))
    assert out.dtype == np.float64 and float(out) == 5.0


# ----- gradients vs PyTorch, including the conventions at zero and at ties ---------------------
@pytest.mark.parametrize("ord", [1, 2, INF, -INF, 0, 3, 1.5, 0.5, -1, -2.5])
@pytest.mark.parametrize("axis", [None, 1, (0, 1)])
def test_vector_norm_grad_matches_torch(rng, ord, axis):
    x = rng.normal(size=(3, 4))
    dim = axis if axis is not None else None
    _compare(
        lambda a: vector_norm(a, ord, axis=axis),
        lambda a: torch.linalg.vector_norm(a, ord, dim=dim),
        x,
    )


@pytest.mark.parametrize("ord", [1, 2, INF, -INF, 3, 1.5, 0.5, -1, -2.5])
def test_norm_of_zero_vector_has_zero_gradient_like_torch(ord):
    # a negative ord gives 0 wherever an entry is 0, with gradient 0, as PyTorch
    x = np.zeros((2, 3))
    x[1] = [1.0, -2.0, 0.0]  # one zero row, one row with a zero entry
    _compare(
        lambda a: vector_norm(a, ord, axis=1), lambda a: torch.linalg.vector_norm(a, ord, dim=1), x
    )


def test_l2_norm_at_zero_has_finite_higher_derivatives():
    f = lambda x: vector_norm(x)  # noqa: E731
    g = gg.grad(f)(np.zeros(3))
    h = gg.hessian(f)(np.zeros(3))
    assert_close(g.numpy(), np.zeros(3))
    assert np.isfinite(h.numpy()).all()
    assert np.isfinite(gg.jacrev(gg.jacrev(gg.grad(f)))(np.zeros(2)).numpy()).all()


def test_inf_norm_ties_split_like_torch():
    x = np.array([[3.0, -3.0, 1.0], [2.0, 2.0, -2.0]])
    _compare(
        lambda a: vector_norm(a, INF, axis=1), lambda a: torch.linalg.vector_norm(a, INF, dim=1), x
    )
    _grad_x = _grad(lambda a: vector_norm(a, INF, axis=1), x)[1][0]
    assert_close(_grad_x, [[0.5, -0.5, 0.0], [1 / 3, 1 / 3, -1 / 3]])


@pytest.mark.parametrize("ord", [1, 2, 3, 2.5, INF])
def test_vector_norm_check_grads_order_2(rng, ord):
    x = rng.normal(size=(2, 3))
    check_grads(lambda a: vector_norm(a, ord, axis=-1), (x,), order=2)


@pytest.mark.parametrize("ord", ["fro", 1, -1, INF, -INF, *SVD_ORDS])
def test_matrix_norm_grad_matches_torch(rng, ord):
    x = rng.normal(size=(2, 3, 4))
    _compare(
        lambda a: matrix_norm(a, ord),
        lambda a: torch.linalg.matrix_norm(a, ord),
        x,
        rtol=1e-9,
        atol=1e-10,
    )
    _compare(
        lambda a: matrix_norm(a, ord, axis=(0, 2)),
        lambda a: torch.linalg.matrix_norm(a, ord, dim=(0, 2)),
        x,
        rtol=1e-9,
        atol=1e-10,
    )


@pytest.mark.parametrize("ord", ["fro", 1, INF, *SVD_ORDS])
def test_matrix_norm_check_grads(rng, ord):
    x = rng.normal(size=(3, 4))
    check_grads(lambda a: matrix_norm(a, ord), (x,), order=2 if ord != "nuc" else 1)


@pytest.mark.parametrize("ord", SVD_ORDS)
@pytest.mark.parametrize("M", [np.zeros((2, 3)), np.eye(3), np.diag([2.0, 2.0, 1.0])])
def test_spectral_norms_at_repeated_singular_values_match_torch(ord, M):
    # ties between equal singular values share the gradient, as in torch.linalg.matrix_norm
    _compare(lambda a: matrix_norm(a, ord), lambda a: torch.linalg.matrix_norm(a, ord), M)


def test_frobenius_norm_of_zero_matrix_has_zero_gradient():
    _compare(lambda a: matrix_norm(a), lambda a: torch.linalg.matrix_norm(a), np.zeros((2, 2)))


# ----- distances --------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, 3.0, INF])
def test_cdist_matches_scipy_and_torch(rng, p):
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    y[0, :2] = x[1, :2]  # a partial match: p = 0 counts the differing coordinates
    metric = {1.0: "cityblock", 2.0: "euclidean", INF: "chebyshev"}.get(p, "minkowski")
    kw = {"p": p} if metric == "minkowski" else {}
    expected = 3 * scipy_cdist(x, y, "hamming") if p == 0 else scipy_cdist(x, y, metric, **kw)
    assert_close(cdist(x, y, p).numpy(), expected)
    _compare(lambda a, b: cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), x, y)


def test_cdist_batched_and_coincident_points_have_zero_gradient(rng):
    x = rng.normal(size=(2, 3, 4))
    y = np.concatenate([x[:, :2], rng.normal(size=(2, 2, 4))], axis=1)
    for p in (1.0, 2.0):
        _compare(
            lambda a, b: cdist(a, b, p),  # noqa: B023
            lambda a, b: torch.cdist(a, b, p, compute_mode="donot_use_mm_for_euclid_dist"),  # noqa: B023
            x,
            y,
        )


def test_euclidean_and_manhattan_distance(rng):
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    assert_close(euclidean_distance(x, y).numpy(), np.linalg.norm(x - y, axis=-1))
    assert_close(manhattan_distance(x, y, axis=0).numpy(), np.abs(x - y).sum(axis=0))
    _compare(euclidean_distance, lambda a, b: torch.linalg.vector_norm(a - b, dim=-1), x, x)
    check_grads(euclidean_distance, (x, y), order=2)


def test_cosine_similarity_matches_torch(rng):
    x, y = rng.normal(size=(4, 5)), rng.normal(size=(4, 5))
    x[1], y[2], x[3] = 0.0, 0.0, 1e-10  # zero vectors and a norm below eps
    for axis in (-1, 0):
        _compare(
            lambda a, b: cosine_similarity(a, b, axis=axis),  # noqa: B023
            lambda a, b: torch.nn.functional.cosine_similarity(a, b, dim=axis),  # noqa: B023
            x,
            y,
            rtol=1e-9,
        )
    _compare(
        lambda a, b: cosine_similarity(a, b, eps=0.5),
        lambda a, b: torch.nn.functional.cosine_similarity(a, b, eps=0.5),
        x,
        y[:1],
    )
    check_grads(cosine_similarity, (x[[0, 2]], y[[0, 1]]), order=2)


def test_cosine_similarity_notes_example():
    assert_close(float(cosine_similarity([1.0, 2.0], [2.0, 4.0])), 1.0)
    assert_close(float(cosine_similarity([1.0, 0.0], [0.0, 3.0])), 0.0)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "sqeuclidean"])
def test_pairwise_distances_matches_sklearn(rng, metric):
    from sklearn.metrics import pairwise_distances as sk_pairwise

    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    assert_close(
        pairwise_distances(X, Y, metric).numpy(), sk_pairwise(X, Y, metric=metric), atol=1e-12
    )
    D = pairwise_distances(X, metric=metric).numpy()
    assert_close(D, sk_pairwise(X, metric=metric), atol=1e-12)


def test_pairwise_distances_gradients_match_torch_including_the_zero_diagonal(rng):
    X = rng.normal(size=(4, 3))
    X[3] = 0.0  # a zero row: cosine similarity 0, distance 1
    _compare(
        lambda a: pairwise_distances(a),
        lambda a: torch.cdist(a, a, compute_mode="donot_use_mm_for_euclid_dist"),
        X,
    )
    _compare(
        lambda a: pairwise_distances(a, metric="cosine"),
        lambda a: 1 - torch.nn.functional.cosine_similarity(a[:, None], a[None], dim=-1),
        X[:3],
    )
    # the zero row, as scikit-learn's normalize leaves it: D[3, j] = D[j, 3] = 1 - x_3 . u_j,
    # so the gradient of the sum of D is -2 sum_j u_j (u_j the unit rows, u_3 = 0)
    _, (g,) = _grad(lambda a: pairwise_distances(a, metric="cosine"), X)
    units = X[:3] / np.linalg.norm(X[:3], axis=1, keepdims=True)
    assert_close(g[3], -2 * units.sum(axis=0), rtol=1e-12)


# ----- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: vector_norm(np.ones(3), "fro"), ValueError, "vector_norm: ord must be a real"),
        (lambda: vector_norm(np.ones(3), axis=2), ShapeError, "axis 2 is out of bounds"),
        (lambda: matrix_norm(np.ones((2, 2)), 3), ValueError, "matrix_norm: ord must be one of"),
        (lambda: matrix_norm(np.ones(3)), ShapeError, "at least 2 dimensions; got 1"),
        (lambda: matrix_norm(np.ones((2, 2)), axis=(0, 0)), ShapeError, "axes must differ"),
        (lambda: matrix_norm(np.ones((2, 2)), axis=0), ShapeError, "axis must be a pair"),
        (lambda: norm(np.ones(3), "fro", axis=0), ValueError, "invalid norm order 'fro'"),
        (lambda: norm(np.ones((2, 2, 2)), 1), ShapeError, r"1-D or 2-D; got shape \(2, 2, 2\)"),
        (lambda: norm(np.ones((2, 2, 2)), axis=(0, 1, 2)), ShapeError, "int or a pair"),
        (lambda: vector_norm(np.ones(2, complex)), TypeError, "complex values are not supported"),
        (lambda: vector_norm(np.ones(0), INF), ValueError, r"non-empty tensor; got shape \(0,\)"),
        (
            lambda: cdist(np.ones((2, 3)), np.ones((2, 4))),
            ShapeError,
            r"same M; got shapes \(2, 3\) and \(2, 4\)",
        ),
        (lambda: cdist(np.ones(3), np.ones((2, 3))), ShapeError, r"got shapes \(3,\)"),
        (lambda: cdist(np.ones((2, 3)), np.ones((2, 3)), p=-1), ValueError, "non-negative; got -1"),
        (
            lambda: euclidean_distance(np.ones(3), np.ones(4)),
            ShapeError,
            r"euclidean_distance: .* x has shape \(3,\), y has shape \(4,\)",
        ),
        (
            lambda: manhattan_distance(np.ones((2, 3)), np.ones(2)),
            ShapeError,
            r"manhattan_distance: .* x has shape \(2, 3\), y has shape \(2,\)",
        ),
        (lambda: cosine_similarity(np.ones(3), np.ones(3), eps=0), ValueError, "eps must be"),
        (lambda: pairwise_distances(np.ones((2, 3)), metric="hamming"), ValueError, "metric"),
        (
            lambda: pairwise_distances(np.ones((2, 3)), np.ones((2, 2))),
            ShapeError,
            r"got shapes \(2, 3\) and \(2, 2\)",
        ),
    ],
)
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()
