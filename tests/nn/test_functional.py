import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.nn import functional as F
from glassgrad.testing import check_grads

RNG = np.random.default_rng(1)
DTYPES = [np.float64, np.float32]
REDUCTIONS = ["mean", "sum", "none"]

ACTIVATIONS = [
    ("relu", {}, "relu"),
    ("leaky_relu", {"negative_slope": 0.2}, "leaky_relu"),
    ("elu", {"alpha": 1.3}, "elu"),
    ("gelu", {}, "gelu"),
    ("gelu", {"approximate": "tanh"}, "gelu"),
    ("sigmoid", {}, "sigmoid"),
    ("tanh", {}, "tanh"),
    ("softplus", {}, "softplus"),
    ("softplus", {"beta": 2.0, "threshold": 3.0}, "softplus"),
    ("silu", {}, "silu"),
    ("softmax", {"dim": 1}, "softmax"),
    ("log_softmax", {"dim": 0}, "log_softmax"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,kwargs,torch_name", ACTIVATIONS)
def test_activation_matches_torch(compare_F, name, kwargs, torch_name, dtype):
    x = RNG.standard_normal((4, 5)) * 3
    compare_F(name, x, dtype=dtype, torch_name=torch_name, **kwargs)


def test_activation_modules_match_functions(torch):
    x = gg.Tensor(RNG.standard_normal(6))
    pairs = [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
        (nn.ELU(0.5), torch.nn.ELU(0.5)),
        (nn.GELU("tanh"), torch.nn.GELU("tanh")),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softplus(2.0), torch.nn.Softplus(2.0)),
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.Softmax(0), torch.nn.Softmax(0)),
        (nn.LogSoftmax(0), torch.nn.LogSoftmax(0)),
    ]
    for ours, theirs in pairs:
        np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x.data)).numpy(), rtol=1e-12)
    assert repr(nn.LeakyReLU(0.1)) == "LeakyReLU(negative_slope=0.1)"


def test_activations_second_order():
    x = RNG.standard_normal(5)
    for fn in (F.gelu, F.elu, F.softplus, F.silu, lambda t: F.gelu(t, approximate="tanh")):
        check_grads(fn, (x,), order=2)


def test_activations_extreme_inputs_finite(torch):
    x = np.array([-1e4, -50.0, 0.0, 50.0, 1e4])
    for name in ("sigmoid", "softplus", "silu", "gelu", "elu"):
        t = gg.Tensor(x, requires_grad=True)
        y = getattr(F, name)(t)
        y.sum().backward()
        tt = torch.tensor(x, requires_grad=True)
        getattr(torch.nn.functional, name)(tt).sum().backward()
        np.testing.assert_allclose(y.data, getattr(torch.nn.functional, name)(tt).detach().numpy())
        np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), atol=1e-300)


@pytest.mark.parametrize("dtype", DTYPES)
def test_erf_and_softplus_tails_match_torch(torch, compare_fn, compare_F, dtype):
    # erf and log(1 + e^z) come from the core (ops.erf, ops.logaddexp): values and gradients
    # must stay equal to PyTorch's far into both tails
    x = np.array([-30.0, -6.0, -2.0, -1e-3, 0.0, 0.5, 3.0, 6.0, 30.0])
    compare_fn(F.erf, torch.special.erf, x, dtype=dtype)
    z = np.array([-1e4, -200.0, -30.0, -1.0, 0.0, 1e-3, 2.0, 15.0, 19.9, 25.0, 1e4])
    compare_F("softplus", z, dtype=dtype)
    compare_F("softplus", z, dtype=dtype, beta=0.5, threshold=60.0)
    compare_F("gelu", z, dtype=dtype)


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(gg.Tensor(1.0), approximate="fast")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "name,kwargs", [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {"delta": 0.7})]
)
def test_regression_losses_match_torch(compare_F, name, kwargs, reduction, dtype):
    x, y = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 3))
    compare_F(name, x, y, dtype=dtype, reduction=reduction, **kwargs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_class_targets(compare_F, reduction, smoothing, dtype):
    x, y = RNG.standard_normal((7, 4)), RNG.integers(0, 4, 7)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    compare_F("cross_entropy", x, y, dtype=dtype, **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(compare_F, reduction, smoothing, dtype):
    x = RNG.standard_normal((5, 3))
    p = RNG.random((5, 3))
    p /= p.sum(1, keepdims=True)
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    compare_F("cross_entropy", x, p, dtype=dtype, **kw)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_ignore_index_and_spatial(compare_F, smoothing):
    x, y = RNG.standard_normal((4, 3, 2, 2)), RNG.integers(0, 3, (4, 2, 2))
    y[0, 0, 0] = y[2, 1, 1] = -100
    compare_F("cross_entropy", x, y, label_smoothing=smoothing)
    compare_F("cross_entropy", x[:, :, 0, 0], np.array([0, 1, 2, 1]), ignore_index=1)


def test_cross_entropy_unbatched(compare_F):
    compare_F("cross_entropy", RNG.standard_normal(4), np.array(2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_extreme_logits(compare_F, reduction, smoothing, dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [0.0, 0.0, -1e4]])
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    for y in (np.array([1, 2, 2]), np.array([[0.2, 0.8, 0.0], [1.0, 0.0, 0.0], [0.0, 0.5, 0.5]])):
        compare_F("cross_entropy", x, y, dtype=dtype, wrt=(0,), **kw)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_matches_torch(compare_F, reduction, dtype):
    logp = np.log(RNG.dirichlet(np.ones(4), size=6))
    compare_F("nll_loss", logp, RNG.integers(0, 4, 6), dtype=dtype, reduction=reduction)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_torch(compare_F, reduction, dtype):
    p, t = RNG.uniform(0.05, 0.95, 8), RNG.random(8)
    compare_F("binary_cross_entropy", p, t, dtype=dtype, reduction=reduction)


def test_bce_clamps_log_at_minus_100(torch):
    p, t = np.array([0.0, 1.0, 1e-60, 0.5]), np.array([1.0, 0.0, 1.0, 1.0])
    ours = F.binary_cross_entropy(gg.Tensor(p), gg.Tensor(t), reduction="none")
    theirs = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p), torch.tensor(t), reduction="none"
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_gradient_near_0_and_1_matches_torch(torch, reduction):
    # PyTorch's gradient is g·(p − t)/max(p(1 − p), 1e-12) for the input (about -1e12 where
    # p < e^-100 and t = 1, not the 0 of the clamped log) and g·(log(1 − p) − log p) for
    # the target.
    p = np.array([0.0, 1.0, 1e-60, 1e-50, 1e-13, 0.3, 1 - 1e-13, 0.5, 0.0, 1.0])
    t = np.array([1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.25, 0.0, 1.0])
    inner = slice(2, 8)  # 0 < p < 1: the target's gradient is finite
    x, y = gg.Tensor(p, requires_grad=True), gg.Tensor(t, requires_grad=True)
    tx, ty = (torch.tensor(a, requires_grad=True) for a in (p, t))
    loss = F.binary_cross_entropy(x[inner], y[inner], reduction=reduction)
    theirs = torch.nn.functional.binary_cross_entropy(tx[inner], ty[inner], reduction=reduction)
    cot = RNG.standard_normal(6) if reduction == "none" else 1.0
    loss.backward(gg.Tensor(cot) if reduction == "none" else None)
    theirs.backward(torch.tensor(cot) if reduction == "none" else None)
    np.testing.assert_allclose(loss.data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)
    x.grad, tx.grad = None, None  # at p = 0 and 1 the input's gradient matches too
    F.binary_cross_entropy(x, gg.Tensor(t), reduction=reduction).sum().backward()
    torch.nn.functional.binary_cross_entropy(
        tx, torch.tensor(t), reduction=reduction
    ).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_matches_torch(torch, compare_fn, compare_F, reduction, dtype):
    z = np.array([-1e4, -40.0, -1.5, 0.0, 0.3, 40.0, 1e4])
    t = RNG.random(7)
    w = RNG.uniform(0.5, 2.0, 7)
    compare_F("binary_cross_entropy_with_logits", z, t, dtype=dtype, reduction=reduction)
    compare_fn(  # pos_weight is a tensor argument: passed positionally to both
        lambda a, b, c: F.binary_cross_entropy_with_logits(a, b, reduction, pos_weight=c),
        lambda a, b, c: torch.nn.functional.binary_cross_entropy_with_logits(
            a, b, reduction=reduction, pos_weight=c
        ),
        z,
        t,
        w,
        dtype=dtype,
        wrt=(0, 1),
    )


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_div_matches_torch(compare_F, reduction, log_target, dtype):
    logq = np.log(RNG.dirichlet(np.ones(4), size=3))
    p = RNG.dirichlet(np.ones(4), size=3)
    p[0, 1] = 0.0
    target = np.log(RNG.dirichlet(np.ones(4), size=3)) if log_target else p
    kw = dict(reduction=reduction, log_target=log_target)
    compare_F("kl_div", logq, target, dtype=dtype, wrt=(0,), **kw)
    # the gradient in the target too, away from t = 0 (where PyTorch's is nan)
    target[0, 1] = np.log(0.1) if log_target else 0.1
    compare_F("kl_div", logq, target, dtype=dtype, **kw)


def test_loss_modules_match_functions(torch):
    x, y = RNG.standard_normal((5, 3)), RNG.integers(0, 3, 5)
    p = RNG.random((5, 3))
    cases = [
        (nn.MSELoss("sum"), torch.nn.MSELoss(reduction="sum"), x, p),
        (nn.L1Loss(), torch.nn.L1Loss(), x, p),
        (nn.HuberLoss(delta=0.5), torch.nn.HuberLoss(delta=0.5), x, p),
        (
            nn.CrossEntropyLoss(label_smoothing=0.1),
            torch.nn.CrossEntropyLoss(label_smoothing=0.1),
            x,
            y,
        ),
        (nn.NLLLoss(), torch.nn.NLLLoss(), x, y),
        (nn.BCELoss(), torch.nn.BCELoss(), p, p),
        (nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), x, p),
        (nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), x, p),
    ]
    for ours, theirs, a, b in cases:
        np.testing.assert_allclose(
            ours(gg.Tensor(a), gg.Tensor(b)).data,
            theirs(torch.tensor(a), torch.tensor(b)).numpy(),
            rtol=1e-12,
        )


def test_losses_second_order():
    x, p = RNG.standard_normal((3, 4)), RNG.random((3, 4))
    y = gg.Tensor(np.array([0, 3, 1]))
    check_grads(lambda a: F.cross_entropy(a, y, label_smoothing=0.1), (x,), order=2)
    check_grads(lambda a: F.binary_cross_entropy_with_logits(a, gg.Tensor(p)), (x,), order=2)
    q = RNG.uniform(0.05, 0.95, (3, 4))
    check_grads(F.binary_cross_entropy, (q, p), order=2)


def test_naive_forms_fail_where_stable_forms_do_not():
    big = gg.Tensor([[1e3, 0.0]])
    with np.errstate(all="ignore"):
        assert np.isnan(F.naive_softmax(big).data).any()
        assert not np.isfinite(F.naive_cross_entropy(big, gg.Tensor([1])).data)
        assert np.isinf(F.naive_binary_cross_entropy(gg.Tensor([40.0]), gg.Tensor([0.0])).data)
    assert np.isfinite(F.cross_entropy(big, gg.Tensor([1])).data)
    # on moderate inputs the naive and stable forms agree
    x, y = RNG.standard_normal((4, 3)), gg.Tensor(np.array([0, 2, 1, 1]))
    np.testing.assert_allclose(
        F.naive_cross_entropy(gg.Tensor(x), y).data,
        F.cross_entropy(gg.Tensor(x), y).data,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        F.naive_softmax(gg.Tensor(x)).data, F.softmax(gg.Tensor(x)).data, rtol=1e-12
    )


def test_loss_errors():
    x = gg.Tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match=r"\[0, 3\].*got \[4\]"):
        F.cross_entropy(x, gg.Tensor(np.array([0, 4, 1])))
    with pytest.raises(IndexError, match=r"got \[-1\]"):
        F.nll_loss(x, gg.Tensor(np.array([0, -1, 1])))
    with pytest.raises(DTypeError, match="integers.*float64"):
        F.cross_entropy(x, gg.Tensor(np.array([0.0, 1.0, 1.0])))
    with pytest.raises(ShapeError, match=r"target shape \(2,\).*expected target shape \(3,\)"):
        F.cross_entropy(x, gg.Tensor(np.array([0, 1])))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, gg.Tensor(np.array([0, 1, 1])), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        F.binary_cross_entropy(gg.Tensor([1.5]), gg.Tensor([1.0]))
    with pytest.raises(ShapeError, match="do not broadcast"):
        F.mse_loss(x, gg.Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="delta"):
        F.huber_loss(x, x, delta=0.0)
    with pytest.raises(gg.ShapeError, match="softmax: axis 2 is out of bounds.*dimension 2"):
        F.softmax(x, dim=2)
    with pytest.raises(gg.ShapeError, match="log_softmax: axis -3"):
        F.log_softmax(x, dim=-3)
    with pytest.raises(
        ShapeError, match=r"linear: weight must be \(out_features, 4\).*got .*\(4,\)"
    ):
        F.linear(x, gg.Tensor(np.ones(4)))
    with pytest.raises(ShapeError, match=r"\(out_features, 4\).*got weight shape \(2, 3\)"):
        F.linear(x, gg.Tensor(np.ones((2, 3))))


def test_layer_norm_takes_an_int_shape(torch, compare_fn):
    compare_fn(
        lambda t: F.layer_norm(t, 5),
        lambda t: torch.nn.functional.layer_norm(t, (5,)),
        RNG.standard_normal((3, 5)),
    )
