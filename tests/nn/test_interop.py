"""to_torch: the torch.nn twin of a glassgrad model has the same state dict and outputs."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn
from glassgrad.nn import to_torch


def _state_equal(module, twin):
    ours = module.state_dict()
    theirs = twin.state_dict()
    assert list(ours) == list(theirs)
    for name, t in theirs.items():
        a = t.detach().numpy()
        assert a.dtype == ours[name].dtype and np.array_equal(a, ours[name].data), name


def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, generator=0), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, stride=2, bias=False, generator=1), nn.AvgPool2d(1), nn.Flatten(),
        nn.Linear(4, 6, generator=2), nn.LayerNorm(6), nn.GELU(approximate="tanh"),
        nn.Dropout(0.3), nn.Linear(6, 3, generator=3), nn.LogSoftmax(dim=1),
    )  # fmt: skip


def _bn_mlp():
    m = nn.Sequential(nn.Linear(5, 7, generator=0), nn.BatchNorm1d(7), nn.LeakyReLU(0.2),
                      nn.Linear(7, 2, generator=1), nn.Softplus(beta=2.0))  # fmt: skip
    m(gg.Tensor(np.random.default_rng(0).normal(size=(16, 5))))  # move the running statistics
    return m.eval()


CASES = {
    "mlp": (lambda: nn.MLP([4, 8, 8, 3], activation="tanh", generator=0), [(6, 4)]),
    "cnn": (lambda: _cnn().eval(), [(2, 1, 8, 8)]),
    "batchnorm-eval": (_bn_mlp, [(5, 5)]),
    "rnn": (lambda: nn.RNN(3, 5, nonlinearity="relu", batch_first=True, generator=0),
            [(2, 4, 3)]),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_twin_has_the_same_state_dict_and_outputs(case, compare, torch):
    build, shapes = CASES[case]
    module = build()
    twin = to_torch(module)
    _state_equal(module, twin)
    assert twin.training == module.training
    x = [np.random.default_rng(1).normal(size=s) for s in shapes]
    compare(module, twin, *x)  # outputs, input and parameter gradients, float64
    back = build()  # and back: torch's state dict loads into a fresh glassgrad model
    back.load_state_dict({k: gg.Tensor(v.detach().numpy()) for k, v in twin.state_dict().items()})
    _state_equal(back, twin)


def test_embedding_losses_and_dtypes(torch):
    emb = nn.Embedding(10, 4, dtype=np.float32, generator=0)
    twin = to_torch(emb)
    assert twin.weight.dtype == torch.float32 and twin.weight.requires_grad
    idx = np.array([[1, 9], [0, 3]])
    assert np.array_equal(twin(torch.from_numpy(idx)).detach().numpy(), emb(idx).data)
    ce = to_torch(nn.CrossEntropyLoss(label_smoothing=0.1))
    assert isinstance(ce, torch.nn.CrossEntropyLoss) and ce.label_smoothing == 0.1


def test_layers_without_a_torch_twin_are_refused(torch):
    class Mine(nn.Linear):
        def forward(self, x):
            return 2 * super().forward(x)

    for bad, name in [
        (nn.LoRALinear(nn.Linear(3, 2, generator=0), r=1), "LoRALinear"),
        (nn.Sequential(nn.Linear(3, 3), Mine(3, 2)), "Mine"),
        (nn.BatchNorm1d(3, bias=False), "BatchNorm1d"),
    ]:
        with pytest.raises(TypeError, match=f"{name} has no torch.nn equivalent"):
            to_torch(bad)
    with pytest.raises(TypeError, match="expected a glassgrad Module"):
        to_torch(torch.nn.Linear(2, 2))
