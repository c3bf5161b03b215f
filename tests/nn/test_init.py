import math

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.nn import init

SHAPES = [(30, 20), (16, 3, 5, 5), (8, 4, 3)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fans_match_torch(torch, shape):
    ours = init.calculate_fan_in_and_fan_out(gg.Tensor(np.zeros(shape)))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))


@pytest.mark.parametrize(
    "name,param",
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("leaky_relu", math.sqrt(5)),
        ("selu", None),
        ("conv2d", None),
    ],
)
def test_gains_match_torch(torch, name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param), rel=1e-15
    )


def test_bad_arguments():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'cube'"):
        init.calculate_gain("cube")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_uniform_(gg.Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(gg.Tensor(np.zeros((3, 3))), mode="fan_avg")


def _bound_and_std(torch, shape, name, **kw):
    """The bound (uniform) or std (normal) PyTorch's formula gives for this init."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    gain = kw.get("gain", 1.0)
    if name.startswith("xavier"):
        std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
        std = torch.nn.init.calculate_gain(
            kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0)
        ) / math.sqrt(fan)
    return math.sqrt(3.0) * std, std


CASES = [
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": 2.0}),
    ("xavier_normal_", {}),
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {"nonlinearity": "relu"}),
    ("kaiming_normal_", {"mode": "fan_out"}),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,kw", CASES)
def test_init_bounds_and_moments_match_torch_formulas(torch, shape, name, kw):
    w = getattr(init, name)(gg.Tensor(np.zeros(shape)), generator=0, **kw)
    bound, std = _bound_and_std(torch, shape, name, **kw)
    x = w.data.ravel()
    n = x.size
    if name.endswith("uniform_"):
        assert np.abs(x).max() <= bound and np.abs(x).max() > 0.9 * bound
    # mean within 4 standard errors of 0; variance within 4 standard errors of std²
    assert abs(x.mean()) < 4 * std / math.sqrt(n)
    fourth = 1.8 * std**4 if name.endswith("uniform_") else 3 * std**4
    assert abs(x.var() - std**2) < 4 * math.sqrt((fourth - std**4) / n)


def test_simple_fills_and_dtype():
    t = gg.Tensor(np.zeros((2, 3), dtype=np.float32))
    assert init.uniform_(t, -2, -1, generator=1) is t and t.dtype == np.float32
    assert t.data.max() <= -1 and t.data.min() >= -2
    assert np.all(init.ones_(t).data == 1) and np.all(init.zeros_(t).data == 0)
    assert np.all(init.constant_(t, 0.5).data == 0.5)
    x = init.normal_(gg.Tensor(np.zeros(4000)), mean=3.0, std=2.0, generator=2).data
    assert abs(x.mean() - 3.0) < 4 * 2.0 / math.sqrt(4000)
    assert abs(x.std() - 2.0) < 4 * 2.0 / math.sqrt(2 * 4000)


def test_init_records_no_graph_and_is_seeded():
    p = gg.Tensor(np.zeros((3, 3)), requires_grad=True)
    init.kaiming_uniform_(p, generator=3)
    assert p.op is None and p.requires_grad
    q = init.kaiming_uniform_(gg.Tensor(np.zeros((3, 3))), generator=3)
    np.testing.assert_array_equal(p.data, q.data)
    gg.manual_seed(4)
    a = init.normal_(gg.Tensor(np.zeros(3))).data.copy()
    gg.manual_seed(4)
    np.testing.assert_array_equal(a, init.normal_(gg.Tensor(np.zeros(3))).data)
