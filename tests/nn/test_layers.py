import inspect
import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.nn import functional as F
from glassgrad.testing import check_grads

RNG = np.random.default_rng(0)
DTYPES = [np.float64, np.float32]
TOLS = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}


def randn(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch, compare, dtype, bias):
    compare(
        nn.Linear(4, 3, bias=bias, dtype=dtype),
        torch.nn.Linear(4, 3, bias=bias),
        randn(5, 4),
        dtype=dtype,
    )


def test_linear_batched_leading_axes(torch, compare):
    compare(nn.Linear(4, 2), torch.nn.Linear(4, 2), randn(2, 3, 4))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_matches_torch_sequential(torch, compare, dtype):
    ours = nn.MLP([4, 6, 5, 3], activation="tanh", dtype=dtype)
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 6),
        torch.nn.Tanh(),
        torch.nn.Linear(6, 5),
        torch.nn.Tanh(),
        torch.nn.Linear(5, 3),
    )
    compare(ours, theirs, randn(7, 4), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel,stride,padding", [(3, 1, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))])
def test_conv2d_matches_torch(torch, compare, dtype, kernel, stride, padding):
    ours = nn.Conv2d(3, 4, kernel, stride=stride, padding=padding, dtype=dtype)
    theirs = torch.nn.Conv2d(3, 4, kernel, stride=stride, padding=padding)
    compare(ours, theirs, randn(2, 3, 7, 6), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel,stride", [(2, None), (3, 1), ((2, 3), (2, 1))])
def test_pools_match_torch(torch, compare, kernel, stride, dtype):
    x = randn(2, 3, 6, 7)
    compare(nn.MaxPool2d(kernel, stride), torch.nn.MaxPool2d(kernel, stride), x, dtype=dtype)
    compare(nn.AvgPool2d(kernel, stride), torch.nn.AvgPool2d(kernel, stride), x, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_padded_pools_match_torch(torch, compare, dtype):
    x = randn(1, 2, 5, 5)
    compare(nn.MaxPool2d(3, 2, padding=1), torch.nn.MaxPool2d(3, 2, padding=1), x, dtype=dtype)
    compare(nn.AvgPool2d(3, 2, padding=1), torch.nn.AvgPool2d(3, 2, padding=1), x, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_small_cnn_matches_torch(torch, compare, dtype):
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, dtype=dtype),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(64, 10, dtype=dtype),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64, 10),
    )
    compare(ours, theirs, randn(3, 1, 8, 8), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_layer_norm_matches_torch(torch, compare, dtype):
    compare(nn.LayerNorm(5, dtype=dtype), torch.nn.LayerNorm(5), randn(3, 5), dtype=dtype)
    ours = nn.LayerNorm((2, 5), dtype=dtype)
    nn.init.normal_(ours.weight, generator=1)
    nn.init.normal_(ours.bias, generator=2)
    compare(ours, torch.nn.LayerNorm((2, 5)), randn(3, 2, 5), dtype=dtype)
    for kw in (dict(elementwise_affine=False), dict(bias=False)):
        compare(
            nn.LayerNorm(5, **kw, dtype=dtype),
            torch.nn.LayerNorm(5, **kw),
            randn(3, 5),
            dtype=dtype,
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_embedding_matches_torch(torch, compare, dtype):
    idx = np.array([[0, 3, 3], [1, 2, 0]])
    compare(nn.Embedding(4, 5, dtype=dtype), torch.nn.Embedding(4, 5), idx, dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm_without_affine_matches_torch(torch, compare, dtype):
    ours, theirs = (
        nn.BatchNorm1d(3, affine=False, dtype=dtype),
        torch.nn.BatchNorm1d(3, affine=False),
    )
    compare(ours, theirs, randn(6, 3, 2), dtype=dtype)
    for name, buf in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, buf.numpy(), **TOLS[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (6, 3, 4)])
def test_batchnorm_train_then_eval_matches_torch(torch, compare, shape, dtype):
    ours, theirs = nn.BatchNorm1d(3, dtype=dtype), torch.nn.BatchNorm1d(3)
    nn.init.normal_(ours.weight, generator=3)
    for step in range(3):
        compare(ours, theirs, randn(*shape), seed=step, dtype=dtype)
        ours.zero_grad()
        theirs.zero_grad()
    for name, buf in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, buf.numpy(), **TOLS[dtype])
    ours.eval(), theirs.eval()
    ours.zero_grad()
    compare(ours, theirs, randn(*shape), dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_matches_torch(torch, compare, dtype, nonlinearity):
    ours = nn.RNN(3, 4, nonlinearity=nonlinearity, dtype=dtype)
    theirs = torch.nn.RNN(3, 4, nonlinearity=nonlinearity)
    compare(ours, theirs, randn(5, 2, 3), dtype=dtype)


def test_rnn_batch_first_h0_and_unbatched_match_torch(torch, compare):
    ours, theirs = nn.RNN(3, 4, batch_first=True), torch.nn.RNN(3, 4, batch_first=True)
    compare(ours, theirs, randn(2, 5, 3), randn(1, 2, 4))
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, randn(5, 3))


def test_flatten_and_identity():
    x = gg.Tensor(randn(2, 3, 4, 5))
    assert nn.Flatten()(x).shape == (2, 60)
    assert nn.Flatten(0, 1)(x).shape == (6, 4, 5)
    assert nn.Identity()(x) is x


def test_dropout_train_and_eval_behaviour(torch):
    x = gg.Tensor(np.ones((200, 100)))
    d = nn.Dropout(0.3, generator=0)
    y = d(x).data
    kept = y != 0
    # the fraction kept is within 4 standard errors of 1 - p; kept values are scaled by 1/(1-p)
    assert abs(kept.mean() - 0.7) < 4 * math.sqrt(0.3 * 0.7 / y.size)
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    tx = torch.ones(200, 100, dtype=torch.float64)
    ty = torch.nn.Dropout(0.3)(tx)
    np.testing.assert_allclose(np.unique(ty.numpy()), np.unique(y))
    d.eval()
    assert np.array_equal(d(x).data, x.data)
    assert np.array_equal(nn.Dropout(1.0)(x).data, torch.nn.Dropout(1.0)(tx).numpy())


def test_dropout_gradient_is_the_mask():
    x = gg.Tensor(np.ones(50), requires_grad=True)
    y = F.dropout(x, 0.5, generator=1)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)


def test_dropout_same_seed_same_mask():
    x = gg.Tensor(np.ones(30))
    assert np.array_equal(F.dropout(x, 0.5, generator=7).data, F.dropout(x, 0.5, generator=7).data)
    a, b = nn.Dropout(0.5, generator=7), nn.Dropout(0.5, generator=7)
    masks = [a(x).data for _ in range(3)]
    assert not np.array_equal(masks[0], masks[1])  # a seeded module draws a new mask per call
    assert all(np.array_equal(m, b(x).data) for m in masks)  # same seed, same sequence


def test_seeded_layers_draw_each_parameter_afresh():
    # one seed feeds one stream: same-shaped layers of an MLP, and a bias and its weight, differ
    mlp = nn.MLP([4, 4, 4], generator=0)
    assert not np.array_equal(mlp[0].weight.data, mlp[2].weight.data)
    lin = nn.Linear(4, 4, generator=0)
    assert not np.allclose(lin.bias.data, lin.weight.data.ravel()[:4])
    rnn = nn.RNN(4, 4, generator=0)
    assert not np.array_equal(rnn.weight_ih_l0.data, rnn.weight_hh_l0.data)


def test_default_init_bounds_follow_torch():
    lin = nn.Linear(50, 40, generator=0)
    conv = nn.Conv2d(3, 8, 3, generator=0)
    rnn = nn.RNN(5, 16, generator=0)
    for layer, fan_in in ((lin, 50), (conv, 27)):
        bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in)
        for p in (layer.weight, layer.bias):
            # n draws of U(-b, b) all stay below q·b with probability qⁿ: q = 1e-6^(1/n)
            # puts the chance of a false failure at one in a million
            top = np.abs(p.data).max()
            assert 1e-6 ** (1 / p.size) * bound < top <= bound
    for p in rnn.parameters():
        assert np.abs(p.data).max() <= 1 / 4


def test_layers_are_seeded():
    a, b = nn.MLP([3, 4, 2], generator=5), nn.MLP([3, 4, 2], generator=5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert np.array_equal(p.data, q.data)


def test_conv2d_second_order():
    x, w, b = randn(1, 2, 4, 4), randn(3, 2, 2, 2), randn(3)
    check_grads(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (x, w, b), order=2)


def test_layer_norm_and_pool_second_order():
    g, b = randn(4), randn(4)
    check_grads(lambda x, g, b: F.layer_norm(x, (4,), g, b), (randn(3, 4), g, b), order=2)
    check_grads(lambda x: F.max_pool2d(x, 2), (randn(1, 1, 4, 4),), order=2)


def test_batchnorm_cumulative_average_matches_torch(torch, compare):
    ours, theirs = nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    for step in range(3):
        compare(ours, theirs, randn(4, 2), seed=step)
        ours.zero_grad()
        theirs.zero_grad()
    for name, buf in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, buf.numpy(), rtol=1e-12)


def test_rnn_and_batchnorm_second_order():
    rnn, bn = nn.RNN(2, 3, generator=0), nn.BatchNorm1d(3)
    check_grads(lambda x: rnn(x)[0], (randn(4, 1, 2),), order=2)
    check_grads(lambda x: bn(x), (randn(5, 3),), order=2)
    check_grads(lambda w: F.embedding(gg.Tensor(np.array([1, 1, 0])), w) ** 2, (randn(2, 3),))


def test_linear_wrong_features():
    with pytest.raises(ShapeError, match=r"in_features=4.*\(2, 3\)"):
        nn.Linear(4, 2)(gg.Tensor(np.ones((2, 3))))


def test_conv2d_wrong_ndim_and_channels():
    conv = nn.Conv2d(3, 2, 3)
    with pytest.raises(ShapeError, match=r"4-D input.*\(3, 8, 8\)"):
        conv(gg.Tensor(np.ones((3, 8, 8))))
    with pytest.raises(ShapeError, match=r"in_channels=3.*\(1, 2, 8, 8\)"):
        conv(gg.Tensor(np.ones((1, 2, 8, 8))))
    with pytest.raises(ShapeError, match="larger than"):
        conv(gg.Tensor(np.ones((1, 3, 2, 2))))
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(3, 2, -1)


@pytest.mark.parametrize("p", [-0.1, 1.5, "a"])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\]"):
        nn.Dropout(p)


def test_other_layer_errors():
    with pytest.raises(IndexError, match=r"\[0, 3\].*num_embeddings=4"):
        nn.Embedding(4, 2)(gg.Tensor([4]))
    with pytest.raises(DTypeError, match="integers"):
        nn.Embedding(4, 2)(gg.Tensor([1.0]))
    with pytest.raises(ShapeError, match="normalized_shape"):
        nn.LayerNorm(3)(gg.Tensor(np.ones((2, 4))))
    with pytest.raises(ShapeError, match=r"num_features = 3.*\(2, 4\)"):
        nn.BatchNorm1d(3)(gg.Tensor(np.ones((2, 4))))
    with pytest.raises(ValueError, match="more than 1 value"):
        nn.BatchNorm1d(3)(gg.Tensor(np.ones((1, 3))))
    with pytest.raises(ShapeError, match=r"RNN.*\(5, 2, 4\)"):
        nn.RNN(3, 4)(gg.Tensor(np.ones((5, 2, 4))))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="activation"):
        nn.MLP([2, 3], activation="cube")


def test_function_modules_take_the_functions_options(torch):
    # the options (names, order, defaults) of activation and loss modules are F's own
    pairs = [(nn.LeakyReLU, F.leaky_relu, 1), (nn.Softplus, F.softplus, 1)]
    pairs += [(nn.CrossEntropyLoss, F.cross_entropy, 2), (nn.KLDivLoss, F.kl_div, 2)]
    for cls, fn, n_inputs in pairs:
        expected = list(inspect.signature(fn).parameters.values())[n_inputs:]
        assert list(inspect.signature(cls).parameters.values()) == expected
    assert nn.Softplus(2.0).options == {"beta": 2.0, "threshold": 20.0}
    assert repr(nn.Softplus(2.0, threshold=5.0)) == repr(torch.nn.Softplus(2.0, threshold=5.0))
    with pytest.raises(TypeError, match=r"LeakyReLU: too many positional.*negative_slope=0.01"):
        nn.LeakyReLU(0.1, 0.2)
    with pytest.raises(TypeError, match="CrossEntropyLoss: got an unexpected keyword.*smoothing"):
        nn.CrossEntropyLoss(smoothing=0.1)


@pytest.mark.parametrize(
    "make,err,match",
    [
        (lambda: nn.Linear(0, 3), ValueError, "Linear: in_features must be a positive int; got 0"),
        (lambda: nn.Linear(3, 2.5), ValueError, "out_features must be a positive int; got 2.5"),
        (lambda: nn.Linear(3, 2, dtype=np.int64), TypeError, "float32 or float64; got int64"),
        (lambda: nn.Conv2d(1, -4, 3), ValueError, "Conv2d: out_channels.*got -4"),
        (lambda: nn.Embedding(True, 3), ValueError, "num_embeddings.*got True"),
        (lambda: nn.LayerNorm((4, 0)), ValueError, r"normalized_shape\[1\].*got 0"),
        (lambda: nn.BatchNorm1d(0), ValueError, "num_features"),
        (lambda: nn.RNN(3, "4"), ValueError, "RNN: hidden_size must be a positive int; got '4'"),
        (lambda: nn.MLP([4, 0, 2]), ValueError, "Linear: out_features.*got 0"),
    ],
)
def test_layer_sizes_and_dtype_checked_at_construction(make, err, match):
    with pytest.raises(err, match=match):
        make()


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: nn.MaxPool2d(2, stride=0), "MaxPool2d: stride must be a positive int.*got 0"),
        (lambda: nn.AvgPool2d((2, 2), padding=-1), "padding must be a non-negative int.*got -1"),
        (lambda: nn.Conv2d(1, 2, 3, stride=(1, 0)), r"stride.*got \(1, 0\)"),
        (lambda: nn.Conv2d(1, 2, 0), "Conv2d: kernel_size must be a positive int.*got 0"),
        (lambda: F.max_pool2d(gg.Tensor(np.ones((1, 1, 4, 4))), 2.5), "kernel_size.*got 2.5"),
        (
            lambda: F.conv2d(gg.Tensor(np.ones((1, 1, 4, 4))), np.ones((1, 1, 2, 2)), stride=0),
            "stride",
        ),
    ],
)
def test_kernel_stride_padding_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()
