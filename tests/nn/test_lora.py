"""LoRALinear: counts from the notes, start equals the base, merge/unmerge, gradients vs torch,
and fine-tuning only A and B recovers a low-rank change of a weight."""

import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.nn import Linear
from glassgrad.nn.lora import LoRALinear, lora_param_count
from glassgrad.testing import assert_close

torch = pytest.importorskip("torch")


def test_param_count_matches_the_notes():
    # 1000×1000 = 1,000,000 weights; rank 16: 1000×16 + 16×1000 = 32,000 (96.8% fewer, "97%")
    count = lora_param_count(1000, 1000, 16)
    assert count == 32_000 and count.lora == 32_000 and count["lora"] == 32_000
    assert count.full == count["full"] == 1_000_000
    assert_close(count.saving, 0.968, rtol=1e-12)
    assert round(100 * count["saving"]) == 97
    assert lora_param_count(30, 20, 4) == 4 * (20 + 30)


def test_layer_counts_and_frozen_base():
    layer = LoRALinear(Linear(1000, 1000, bias=False, generator=0), r=16, generator=1)
    assert layer.num_trainable == 32_000 == lora_param_count(1000, 1000, 16)
    assert layer.num_total == 1_032_000
    assert [p.shape for p in layer.trainable_parameters()] == [(16, 1000), (1000, 16)]
    assert not layer.base.weight.requires_grad


def test_init_follows_pytorch_kaiming_uniform_and_start_equals_base():
    base = Linear(64, 8, generator=0)
    layer = LoRALinear(base, r=32, alpha=8.0, generator=2)
    ref = torch.empty(32, 64, dtype=torch.float64)
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(ref)[0]
    bound = torch.nn.init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3.0 / fan_in)
    A = layer.lora_A.detach().numpy()
    assert np.abs(A).max() <= bound and np.abs(A).max() > 0.99 * bound
    # the variance of U(-b, b) is b²/3; 2048 draws: within 4 standard errors
    assert abs(A.var() - bound**2 / 3) < 4 * bound**2 * np.sqrt(4 / 45 / A.size)
    assert np.all(layer.lora_B.detach().numpy() == 0)
    x = np.random.default_rng(0).normal(size=(5, 64))
    assert np.array_equal(layer(x).detach().numpy(), base(x).detach().numpy())


def _torch_lora(layer, x):
    W, b = (
        torch.tensor(p.numpy(), dtype=torch.float64) for p in (layer.base.weight, layer.base.bias)
    )
    A, B = (
        torch.tensor(p.detach().numpy(), dtype=torch.float64, requires_grad=True)
        for p in (layer.lora_A, layer.lora_B)
    )
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.linear(xt, W, b) + (xt @ A.T @ B.T) * layer.scaling
    return y, A, B, xt


def test_forward_and_gradients_match_torch(rng):
    layer = LoRALinear(Linear(6, 4, generator=0), r=2, alpha=3.0, generator=1)
    layer.lora_B.data = rng.normal(size=(4, 2))
    x, C = rng.normal(size=(5, 6)), rng.normal(size=(5, 4))
    xg = gg.Tensor(x, requires_grad=True)
    y = layer(xg)
    gg.sum(y * C).backward()
    ty, A, B, xt = _torch_lora(layer, x)
    (ty * torch.tensor(C)).sum().backward()
    assert_close(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    assert_close(layer.lora_A.grad.numpy(), A.grad.numpy(), rtol=1e-10)
    assert_close(layer.lora_B.grad.numpy(), B.grad.numpy(), rtol=1e-10)
    assert_close(xg.grad.numpy(), xt.grad.numpy(), rtol=1e-10)
    assert layer.base.weight.grad is None and layer.base.bias.grad is None


def test_merge_and_unmerge_leave_the_output_unchanged(rng):
    base = Linear(5, 3, generator=0)
    W0 = base.weight.detach().numpy().copy()
    layer = LoRALinear(base, r=2, alpha=4.0, generator=1)
    layer.lora_B.data = rng.normal(size=(3, 2))
    x = rng.normal(size=(7, 5))
    before = layer(x).detach().numpy()
    delta = 2.0 * layer.lora_B.detach().numpy() @ layer.lora_A.detach().numpy()  # α/r = 2
    assert_close(layer.delta_weight().detach().numpy(), delta)
    layer.merge()
    assert layer.merged
    assert_close(base.weight.numpy(), W0 + delta, rtol=1e-12)
    assert_close(layer(x).numpy(), before, rtol=1e-12, atol=1e-12)
    layer.unmerge()
    assert_close(base.weight.numpy(), W0, rtol=1e-12, atol=1e-15)
    assert_close(layer(x).detach().numpy(), before, rtol=1e-12, atol=1e-12)
    with pytest.raises(RuntimeError, match="already unmerged"):
        layer.unmerge()
    with pytest.raises(RuntimeError, match="already merged"):
        layer.merge().merge()


def test_dropout_only_in_training_and_unbiased(rng):
    layer = LoRALinear(Linear(4, 2, generator=0), r=2, dropout=0.5, generator=1)
    layer.lora_B.data = rng.normal(size=(2, 2))
    x = rng.normal(size=(1, 4))
    layer.eval()
    expected = layer(x).detach().numpy()
    layer.train()
    draws = np.stack([layer(x).detach().numpy() for _ in range(2000)])
    assert not np.allclose(draws[0], draws[1]) or not np.allclose(draws[0], expected)
    se = draws.std(axis=0) / np.sqrt(len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - expected) < 4 * se + 1e-12)


def test_fine_tuning_only_a_and_b_recovers_a_low_rank_change(rng):
    d_out, d_in, r = 8, 10, 2
    base = Linear(d_in, d_out, bias=False, generator=0)
    W0 = base.weight.detach().numpy().copy()
    delta = rng.normal(size=(d_out, r)) @ rng.normal(size=(r, d_in)) / 2  # the rank-2 change
    X = rng.normal(size=(64, d_in))
    Y = X @ (W0 + delta).T
    layer = LoRALinear(base, r=r, alpha=float(r), generator=1)
    opt = gg.optim.Adam(layer.trainable_parameters(), lr=0.05)
    schedule = gg.optim.lr_scheduler.ExponentialLR(opt, gamma=0.995)
    for _ in range(400):
        opt.zero_grad()
        loss = gg.mean((layer(X) - Y) ** 2)
        loss.backward()
        opt.step()
        schedule.step()
    assert float(loss) < 1e-12
    assert_close(base.weight.numpy(), W0)  # the base never moved
    learned = layer.delta_weight().detach().numpy()
    assert np.linalg.norm(learned - delta) / np.linalg.norm(delta) < 1e-6
    assert np.linalg.matrix_rank(learned, tol=1e-6) == r


@pytest.mark.parametrize(
    ("call", "err", "match"),
    [
        (lambda: LoRALinear(gg.nn.ReLU(), r=2), TypeError, "base must be an nn.Linear; got ReLU"),
        (lambda: LoRALinear(Linear(3, 2), r=0), ValueError, "r must be a positive int; got 0"),
        (lambda: LoRALinear(Linear(3, 2), r=1.5), ValueError, "got 1.5"),
        (lambda: LoRALinear(Linear(3, 2), r=1, alpha="big"), TypeError, "alpha must be a number"),
        (lambda: LoRALinear(Linear(3, 2), r=1, dropout=1.0), ValueError, r"\[0, 1\); got 1.0"),
        (lambda: lora_param_count(0, 10, 2), ValueError, "d_out must be a positive int; got 0"),
        (lambda: lora_param_count(10, 10, -1), ValueError, "r must be a positive int; got -1"),
        (lambda: lora_param_count(10, 10, 2)["size"], KeyError, "'full', 'lora' or 'saving'"),
    ],
)
def test_bad_input_is_named(call, err, match):
    with pytest.raises(err, match=match):
        call()
