"""NumPy's array-manipulation composites: values equal NumPy's, gradients pass check_grads."""

import numpy as np
import pytest

import glassgrad.numpy as gnp
from glassgrad.core.errors import ShapeError
from glassgrad.testing import check_grads

A = np.random.default_rng(3).standard_normal((2, 3, 4))
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
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_values_equal_numpy(case):
    _, f = case
    got, want = f(gnp), f(np)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.data, want)


@pytest.mark.parametrize(
    "f",
    [
        lambda x: gnp.rot90(x, 1, (0, 2)),
        gnp.fliplr,
        lambda x: gnp.atleast_3d(x[0]),
        lambda x: gnp.column_stack([x[0, :, 0], x[1]]),
        lambda x: gnp.diff(x, 2, axis=2),
    ],
)
def test_gradients(f):
    check_grads(f, (A,), order=2)


def test_several_inputs_give_a_tuple_and_bad_input_is_named():
    a, b = gnp.atleast_2d(1.0, np.ones(3))
    assert (a.shape, b.shape) == ((1, 1), (1, 3))
    with pytest.raises(ShapeError, match=r"fliplr: expected at least 2-D input; got shape \(3,\)"):
        gnp.fliplr(np.ones(3))
    with pytest.raises(ShapeError, match="rot90: axes must differ"):
        gnp.rot90(A, 1, (1, 1))
    with pytest.raises(ValueError, match="diff: n must be a non-negative int; got -1"):
        gnp.diff(A, -1)
