"""Broadcasting and indexing: Hypothesis draws shapes and index keys, finite differences
(check_grads) and PyTorch check the gradients."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassgrad as gg
import glassgrad.core.ops as ops
from glassgrad.testing import check_grads

torch = pytest.importorskip("torch")

BINARY = {
    "add": (ops.add, torch.add),
    "subtract": (ops.subtract, torch.sub),
    "multiply": (ops.multiply, torch.mul),
    "divide": (ops.divide, torch.div),
    "maximum": (ops.maximum, torch.maximum),
    "arctan2": (ops.arctan2, torch.atan2),
    "power": (lambda x, y: ops.power(ops.exp(x), y), lambda x, y: torch.exp(x) ** y),
    "where": (
        lambda x, y: ops.where(ops.greater(x, 0.0), x, y),
        lambda x, y: torch.where(x > 0, x, y),
    ),
}
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


def _values(shape, seed):
    r = np.random.default_rng(seed)
    return r.uniform(0.5, 1.5, shape) * r.choice([-1.0, 1.0], shape)


@SETTINGS
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
    st.sampled_from(sorted(BINARY)),
)
def test_broadcasting_gradients_match_torch(shapes, name):
    ours, theirs = BINARY[name]
    sx, sy = shapes.input_shapes
    x, y = _values(sx, 1), _values(sy, 2)
    w = _values(shapes.result_shape, 3)
    gx, gy = gg.grad(lambda a, b: ops.sum(ours(a, b) * w), argnums=(0, 1))(x, y)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    tgx, tgy = torch.autograd.grad((theirs(xt, yt) * torch.tensor(w)).sum(), (xt, yt))
    assert gx.shape == sx and gy.shape == sy
    np.testing.assert_allclose(gx.data, tgx.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gy.data, tgy.numpy(), rtol=1e-10, atol=1e-12)


FIXED_PAIRS = [((), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)), ((1, 3), (2, 1)), ((2, 3), (2, 3))]


@pytest.mark.parametrize(("sx", "sy"), FIXED_PAIRS)
def test_broadcast_pairs_second_order(sx, sy):
    check_grads(
        lambda a, b: ops.tanh(a) * ops.exp(b) + a / (b * b + 1.0),
        (_values(sx, 4), _values(sy, 5)),
        order=2,
    )


@SETTINGS
@given(st.data())
def test_basic_indexing_gradients(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    key = data.draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    x = _values(shape, 6)
    if np.asarray(x[key]).size == 0:
        return
    check_grads(lambda a: a[key] * a[key], (x,), order=1)


@SETTINGS
@given(st.data())
def test_integer_array_indexing_accumulates_repeats(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    key = data.draw(
        hnp.integer_array_indices(shape, result_shape=hnp.array_shapes(max_dims=2, max_side=5))
    )
    x = _values(shape, 7)
    w = _values(np.asarray(x[key]).shape, 8)
    g = gg.grad(lambda a: ops.sum(a[key] * w))(x)
    xt = torch.tensor(x, requires_grad=True)
    tkey = tuple(torch.as_tensor(k) for k in key)
    (tg,) = torch.autograd.grad((xt[tkey] * torch.tensor(w)).sum(), xt)
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.data())
def test_boolean_mask_indexing(data):
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4))
    mask = data.draw(hnp.arrays(bool, shape))
    x = _values(shape, 9)
    g = gg.grad(lambda a: ops.sum(ops.sin(a[mask])))(x)
    np.testing.assert_allclose(g.data, np.where(mask, np.cos(x), 0.0), rtol=1e-12)


def test_mixed_slice_and_list_index_with_repeats():
    x = _values((3, 4), 10)
    key = (slice(1, None), [0, 2, 0])
    g = gg.grad(lambda a: ops.sum(a[key] ** 2))(x)
    xt = torch.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad((xt[1:, [0, 2, 0]] ** 2).sum(), xt)
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-12)
    check_grads(lambda a: a[key] ** 2, (x,), order=2)


@pytest.mark.parametrize(
    ("f", "shape"),
    [
        (lambda a: ops.moveaxis(a, (0, 1), (2, 0)), (2, 3, 4)),
        (lambda a: ops.split(a, 2, axis=1)[1], (2, 4)),
        (lambda a: ops.take_along_axis(a, np.array([[0, 0], [2, 1]]), 1), (2, 3)),
        (lambda a: ops.repeat(a, [2, 0, 1], axis=1), (2, 3)),
        (lambda a: ops.tile(a, (2, 1, 2)), (2, 3)),
        (lambda a: ops.pad(a, ((0, 1), (2, 1)), mode="wrap"), (2, 3)),
        (lambda a: ops.pad(a, ((1, 1), (0, 2)), mode="edge"), (2, 3)),
        (lambda a: ops.roll(a, (1, -1), (0, 1)), (2, 3)),
        (lambda a: ops.expand_dims(ops.squeeze(a), (0, 2)), (1, 3, 1)),
    ],
)
def test_shape_composites_check_grads(f, shape):
    check_grads(lambda a: f(a) ** 2, (_values(shape, 11),), order=2)
