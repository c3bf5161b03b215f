"""NumPy composites (array manipulation, NaN handling, selection, complex parts of real input):
values equal NumPy's to the bit, gradients pass check_grads."""

import warnings

import numpy as np
import pytest

import glassgrad as gg
import glassgrad.numpy as gnp
from glassgrad.core.errors import GradError, ShapeError
from glassgrad.testing import check_grads

A = np.random.default_rng(3).standard_normal((2, 3, 4))
X = np.array([np.nan, -np.inf, np.inf, -2.0, 0.0, -0.0, 3.0, 1.0])
SX, SZ = np.array([0.0, 0.4, 1.5]), np.array([-1.0, 0.1, 0.2, 1.9])  # uneven coordinates
Y = np.array([1.0, np.nan, 2.0, -2.0, np.nan, 1.0, np.nan, 1.0])
CASES = [
    ("fliplr", lambda m: m.fliplr(A)),
    ("flipud", lambda m: m.flipud(A)),
    ("rot90", lambda m: m.rot90(A)),
    ("rot90 k=3 axes=(2, 0)", lambda m: m.rot90(A, 3, (2, 0))),
    ("rot90 k=-2 axes=(1, 2)", lambda m: m.rot90(A, -2, (1, 2))),
    ("atleast_1d", lambda m: m.atleast_1d(A[0, 0, 0])),
    ("atleast_2d", lambda m: m.atleast_2d(A[0, 0])),
    ("atleast_3d 1-D", lambda m: m.atleast_3d(A[0, 0])),
    ("atleast_3d 2-D", lambda m: m.atleast_3d(A[0])),
    ("column_stack", lambda m: m.column_stack([A[0, :, 0], A[1]])),
    ("diff", lambda m: m.diff(A)),
    ("diff n=2 axis=1", lambda m: m.diff(A, 2, axis=1)),
    ("diff n=0", lambda m: m.diff(A, 0)),
    ("fmax", lambda m: m.fmax(X, Y)),
    ("fmin", lambda m: m.fmin(X, Y)),
    ("nan_to_num", lambda m: m.nan_to_num(X)),
    ("nan_to_num float32", lambda m: m.nan_to_num(X.astype(np.float32), posinf=9.0)),
    ("select", lambda m: m.select([X > 0, Y < 0], [X * 2.0, Y], -7.0)),
    ("real", lambda m: m.real(X)),
    ("conj", lambda m: m.conj(X)),
    ("imag", lambda m: m.imag(X)),
    ("angle", lambda m: m.angle(X)),
    ("cross", lambda m: m.cross(A[0, :, :3], A[1, :, 1:])),
    ("cross broadcast axisa axisb axisc", lambda m: m.cross(A[0, :3], A[:, :, :1], 0, 1, 0)),
    ("cross axis", lambda m: m.cross(A[:, :, :3], A[:, :, 1:], axis=-1)),
    ("cross ints", lambda m: m.cross(np.arange(6).reshape(2, 3), [1, -2, 5])),
    ("partition", lambda m: m.partition(A, 1)),
    ("partition kth list axis=0", lambda m: m.partition(A, [0, -1], axis=0)),
    ("partition axis=None ties", lambda m: m.partition(np.round(A) + 0.5, (3, 12), axis=None)),
    ("gradient", lambda m: m.gradient(A)),
    ("gradient scalar", lambda m: m.gradient(A, 0.3, axis=2)),
    ("gradient edge_order=2", lambda m: m.gradient(A, SX, SZ, axis=(1, 2), edge_order=2)),
    ("gradient coords axis", lambda m: m.gradient(A, SZ, SX, axis=(2, 1))),
    ("gradient uniform coords", lambda m: m.gradient(A, np.arange(4), axis=-1)),
    ("gradient ints", lambda m: m.gradient(np.arange(6) ** 2, edge_order=2)),
    ("gradient float32", lambda m: m.gradient(A.astype(np.float32), np.float64(0.7))),
]
SPLITS = [
    ("array_split 3 axis=2", lambda m: m.array_split(A, 3, axis=2)),
    ("array_split 4 axis=1", lambda m: m.array_split(A, 4, axis=1)),
    ("hsplit", lambda m: m.hsplit(A, 3)),
    ("hsplit 1-D", lambda m: m.hsplit(A[0, 0], 2)),
    ("vsplit", lambda m: m.vsplit(A, [1])),
    ("dsplit", lambda m: m.dsplit(A, [1, 3])),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_equal_numpy(case):
    _, f = case
    got, want = f(gnp), f(np)
    if not isinstance(want, tuple):  # gradient along several axes gives one array per axis
        got, want = (got,), (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape and g.dtype == w.dtype
        np.testing.assert_array_equal(g.data, w)
        np.testing.assert_array_equal(np.signbit(g.data), np.signbit(w))  # -0.0 stays -0.0


@pytest.mark.parametrize("case", SPLITS, ids=[c[0] for c in SPLITS])
def test_splits_equal_numpy(case):
    _, f = case
    got, want = f(gnp), f(np)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g.data, w)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: gnp.rot90(x, 1, (0, 2)),
        gnp.fliplr,
        lambda x: gnp.atleast_3d(x[0]),
        lambda x: gnp.column_stack([x[0, :, 0], x[1]]),
        lambda x: gnp.diff(x, 2, axis=2),
        lambda x: gnp.concatenate([gnp.ravel(p) for p in gnp.array_split(x, 3, axis=2)]),
        lambda x: gnp.fmax(x, 0.3) + gnp.fmin(x, np.where(A > 0, np.nan, -0.2)),
        lambda x: gnp.select([A > 0.5, A < -0.5], [x**2, gnp.sin(x)], x),
        lambda x: gnp.nan_to_num(x) + gnp.imag(x) + gnp.angle(x) * x + gnp.conj(x),
        lambda x: gnp.cross(x[0, :, :3], x[1:, :, 1:]),
        lambda x: gnp.cross(x[:, :3], x[:1], axisa=1, axisb=1, axisc=-2),
        lambda x: gnp.partition(x, [1, 2]),
        lambda x: gnp.partition(x, 3, axis=None),
        lambda x: gnp.concatenate([gnp.ravel(g) for g in gnp.gradient(x, 0.5, SX, SZ)]),
        lambda x: gnp.gradient(x, SZ, axis=2, edge_order=2),
    ],
)
def test_gradients(f):
    check_grads(f, (A,), order=2)


def test_two_vector_cross_and_row_stack_are_deprecated_as_in_numpy():
    a, b = A[0, :, :2], A[1, :, 1:]
    for p, q in ((a, b), (b, a), (a, a[::-1])):
        with pytest.warns(DeprecationWarning, match="2-dimensional vectors"):
            got = gnp.cross(p, q)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            want = np.cross(p, q)
        assert got.shape == want.shape
        np.testing.assert_array_equal(got.data, want)
    with pytest.warns(DeprecationWarning, match="row_stack"):
        got = gnp.row_stack([A[0, 0], A[1]])
    np.testing.assert_array_equal(got.data, np.vstack([A[0, 0], A[1]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        check_grads(lambda x: gnp.cross(x[0, :, :2], x[1, :, 1:]), (A,), order=2)
        check_grads(lambda x: gnp.cross(x[0, :, :2], x[1, :, 2:]), (A,), order=2)


def test_partition_keeps_nans_and_its_gradient_follows_the_elements():
    x = np.array([3.0, np.nan, -1.0, 2.0, 0.5])
    np.testing.assert_array_equal(gnp.partition(x, 2).data, np.partition(x, 2))
    t = gnp.array(A[0, 0])
    t.requires_grad = True
    w = np.array([1.0, 10.0, 100.0, 1000.0])
    gnp.sum(gnp.partition(t, 1) * w).backward()
    out = np.partition(A[0, 0], 1)
    want = np.zeros(4)
    for j, v in enumerate(out):
        want[np.flatnonzero(A[0, 0] == v)] = w[j]
    np.testing.assert_array_equal(t.grad.data, want)


def test_gradient_with_traced_scalar_spacing():
    f = np.array([1.0, 4.0, 9.0, 16.0])
    g = gg.grad(lambda h: gnp.sum(gnp.gradient(f, h, edge_order=2)))(0.5)
    # Σ gradient(f, h) = Σ gradient(f, 1) / h, so its derivative is -Σ gradient(f, 1) / h²
    np.testing.assert_allclose(g.data, -np.gradient(f, edge_order=2).sum() / 0.25, rtol=1e-15)
    # coordinate arrays are constants: a traced one stops with the clear error, never a zero
    with pytest.raises(GradError, match="would turn it into a constant"):
        gg.grad(lambda c: gnp.sum(gnp.gradient(f, c)))(np.array([0.0, 1.0, 3.0, 4.0]))


def test_replaced_values_carry_no_gradient():
    x = gnp.array(X)
    x.requires_grad = True
    gnp.sum(gnp.nan_to_num(x) * 0.5).backward()
    np.testing.assert_array_equal(x.grad.data, np.where(np.isfinite(X), 0.5, 0.0))


def test_several_inputs_give_a_tuple_and_bad_input_is_named():
    a, b = gnp.atleast_2d(1.0, np.ones(3))
    assert (a.shape, b.shape) == ((1, 1), (1, 3))
    with pytest.raises(ShapeError, match=r"fliplr: expected at least 2-D input; got shape \(3,\)"):
        gnp.fliplr(np.ones(3))
    with pytest.raises(ShapeError, match="rot90: axes must differ"):
        gnp.rot90(A, 1, (1, 1))
    with pytest.raises(ValueError, match="diff: n must be a non-negative int; got -1"):
        gnp.diff(A, -1)
    with pytest.raises(ValueError, match="select: 1 conditions but 2 choices"):
        gnp.select([X > 0], [X, Y])
    with pytest.raises(ShapeError, match=r"dsplit: expected at least 3-D input"):
        gnp.dsplit(np.ones((2, 2)), 2)
    with pytest.raises(ShapeError, match="cross: vectors must have 2 or 3 components; got 4 and 3"):
        gnp.cross(A, A[..., :3])
    with pytest.raises(ShapeError, match="cross: a and b must be at least 1-D"):
        gnp.cross(1.0, A)
    with pytest.raises(ShapeError, match="cross: axisc"):
        gnp.cross(A[..., :3], A[..., :3], axisc=3)
    with pytest.raises(ValueError, match="gradient: edge_order must be 1 or 2; got 3"):
        gnp.gradient(A, edge_order=3)
    with pytest.raises(ValueError, match="gradient: axis 0 has 2 samples; edge_order=2 needs"):
        gnp.gradient(A, edge_order=2)
    with pytest.raises(TypeError, match="gradient: expected no spacing, one scalar or 3"):
        gnp.gradient(A, 1.0, 2.0)
    with pytest.raises(ShapeError, match="gradient: coordinates must be 1-D of length 3"):
        gnp.gradient(A, SZ, axis=1)


def test_round_and_prod_dtype_follow_numpy():
    x = np.array([1.25, 2.5, -0.35, 3.14159])
    np.testing.assert_array_equal(gnp.round(x, 1).data, np.round(x, 1))
    np.testing.assert_array_equal(gnp.round(x).data, np.round(x))
    ints = np.array([[2, 3], [4, 5]])
    for kw in ({}, {"dtype": np.float64}, {"dtype": np.float32}, {"axis": 0, "dtype": float}):
        got, want = gnp.prod(ints, **kw), np.prod(ints, **kw)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got.data, want)
    check_grads(lambda v: gnp.prod(v, axis=1, dtype=np.float64), (A[0],), order=2)
