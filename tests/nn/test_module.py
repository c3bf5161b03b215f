import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.core.errors import ShapeError


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        self.norm = nn.BatchNorm1d(2)
        self.heads = nn.ModuleList([nn.Linear(2, 1), nn.Linear(2, 1, bias=False)])
        self.scale = nn.Parameter(np.ones(1))
        self.not_a_param = gg.Tensor(np.ones(1))

    def forward(self, x):
        h = self.norm(self.body(x))
        return sum((head(h) for head in self.heads), self.scale)


class TorchNet:
    """The same architecture in PyTorch, built lazily."""

    @staticmethod
    def build(torch):
        class T(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = torch.nn.Sequential(
                    torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)
                )
                self.norm = torch.nn.BatchNorm1d(2)
                self.heads = torch.nn.ModuleList(
                    [torch.nn.Linear(2, 1), torch.nn.Linear(2, 1, bias=False)]
                )
                self.scale = torch.nn.Parameter(torch.ones(1))

            def forward(self, x):
                h = self.norm(self.body(x))
                return sum((head(h) for head in self.heads), self.scale)

        return T().double()


def test_names_and_state_dict_keys_match_torch(torch, compare):
    net, tnet = Net(), TorchNet.build(torch)
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in tnet.named_parameters()]
    assert list(net.state_dict()) == list(tnet.state_dict())
    assert [n for n, _ in net.named_buffers()] == [n for n, _ in tnet.named_buffers()]
    assert len(list(net.children())) == 3
    assert len(list(net.modules())) == len(list(tnet.modules()))
    compare(net, tnet, np.random.default_rng(0).standard_normal((5, 3)))


def test_repr_matches_torch(torch):
    ours = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1, bias=False))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1, bias=False)
    )
    assert repr(ours) == repr(theirs)
    assert repr(nn.Dropout(0.25)) == repr(torch.nn.Dropout(0.25)).replace(", inplace=False", "")


def test_zero_grad_train_eval_requires_grad():
    net = Net()
    net(gg.Tensor(np.ones((4, 3)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.eval() is net and not any(m.training for m in net.modules())
    assert all(m.training for m in net.train().modules())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_shared_parameter_listed_once():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, lin)
    assert len(list(seq.parameters())) == 2


def test_state_dict_round_trip():
    a, b = Net(), Net()
    a.train()
    a(gg.Tensor(np.random.default_rng(1).standard_normal((6, 3))))  # moves running stats
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (k, va), (_, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        np.testing.assert_array_equal(va.data, vb.data, err_msg=k)
    x = gg.Tensor(np.ones((2, 3)))
    a.eval(), b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)
    # the loaded values are copies, not views of the source
    a.scale.data[0] = 5.0
    assert b.scale.data[0] != 5.0


def _snapshot(m):
    return {k: v.data.copy() for k, v in m.state_dict().items()}


def test_load_state_dict_errors_leave_model_untouched():
    net = Net()
    before = _snapshot(net)
    good = {k: gg.Tensor(np.zeros(v.shape)) for k, v in net.state_dict().items()}
    missing = dict(good)
    del missing["scale"]
    with pytest.raises(KeyError, match=r"missing keys \['scale'\]"):
        net.load_state_dict(missing)
    with pytest.raises(KeyError, match=r"unexpected keys \['extra'\]"):
        net.load_state_dict({**good, "extra": gg.Tensor(1.0)})
    bad = {**good, "body.0.weight": gg.Tensor(np.zeros((3, 4)))}
    with pytest.raises(ShapeError, match=r"body.0.weight.*expected shape \(4, 3\), got \(3, 4\)"):
        net.load_state_dict(bad)
    with pytest.raises(TypeError, match="must be a dict of name -> Tensor; got list"):
        net.load_state_dict(list(good.values()))
    with pytest.raises(TypeError, match="'scale' must be a numeric Tensor or array; got str"):
        net.load_state_dict({**good, "scale": "one"})
    after = _snapshot(net)
    assert all(np.array_equal(before[k], after[k]) for k in before)
    result = net.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["scale"]
    assert np.all(net.body[0].weight.data == 0)


def test_parameter_and_module_basics():
    p = nn.Parameter([1.0, 2.0])
    assert p.requires_grad and isinstance(p, gg.Tensor)
    assert repr(p).startswith("Parameter containing:")

    class Broken(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="super"):
        Broken()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        _ = nn.Linear(2, 2).missing
    with pytest.raises(TypeError, match="must be a Module"):
        nn.Module().add_module("x", 3)


def test_reassigning_and_deleting_attributes():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign Tensor to parameter 'weight'.*\.data"):
        m.weight = m.weight * 2.0
    m.bias = None
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    del m.weight
    assert list(m.parameters()) == []
    bn = nn.BatchNorm1d(2)
    bn.running_mean = gg.Tensor(np.full(2, 3.0))
    assert bn.state_dict()["running_mean"].data.tolist() == [3.0, 3.0]


def test_sequential_and_modulelist_access():
    seq = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
    assert isinstance(seq[0], nn.Linear) and len(seq) == 2
    assert isinstance(seq[:1], nn.Sequential) and len(seq[:1]) == 1
    seq.append(nn.Linear(3, 1))
    assert seq(gg.Tensor(np.ones((4, 2)))).shape == (4, 1)
    ml = nn.ModuleList([nn.ReLU()])
    ml.append(nn.Tanh())
    assert [type(m).__name__ for m in ml] == ["ReLU", "Tanh"]


def test_layer_reprs_match_torch(torch):
    pairs = [
        (nn.Conv2d(1, 4, 3), torch.nn.Conv2d(1, 4, 3)),
        (
            nn.Conv2d(2, 4, (2, 3), stride=2, padding=1, bias=False),
            torch.nn.Conv2d(2, 4, (2, 3), stride=2, padding=1, bias=False),
        ),
        (nn.Flatten(), torch.nn.Flatten()),
        (nn.Embedding(4, 5), torch.nn.Embedding(4, 5)),
        (nn.LayerNorm(5), torch.nn.LayerNorm(5)),
        (nn.RNN(3, 4), torch.nn.RNN(3, 4)),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.GELU("tanh"), torch.nn.GELU("tanh")),
        (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
        (nn.Softmax(1), torch.nn.Softmax(1)),
        (nn.ELU(0.5), torch.nn.ELU(0.5)),
        (nn.SiLU(), torch.nn.SiLU()),
        (nn.CrossEntropyLoss(label_smoothing=0.1), torch.nn.CrossEntropyLoss(label_smoothing=0.1)),
        (nn.HuberLoss(delta=2.0), torch.nn.HuberLoss(delta=2.0)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    bn = repr(torch.nn.BatchNorm1d(3)).replace(", track_running_stats=True", "")
    assert repr(nn.BatchNorm1d(3)) == bn


def test_apply_float_double(torch, compare):
    gg.manual_seed(0)  # fixed weights: the default generator's state depends on test order
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4
    assert all(p.dtype == np.float32 for p in net.float().parameters())
    assert net.norm.running_var.dtype == np.float32
    assert net.norm.num_batches_tracked.dtype == np.int64
    x = np.random.default_rng(2).standard_normal((4, 3))
    compare(net, TorchNet.build(torch), x, dtype=np.float32)
    assert all(p.dtype == np.float64 for p in net.double().parameters())
