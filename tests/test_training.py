"""fit/evaluate: learning on digits, history bookkeeping, schedulers, progress output."""

import sys
import time

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import data, nn, optim, training


class TinyMLP:
    """A hand-built 64-h-10 ReLU network (any callable with train()/eval() works with fit)."""

    def __init__(self, hidden=64, seed=0):
        rng = np.random.default_rng(seed)

        def uniform(*shape, fan_in):
            bound = 1 / np.sqrt(fan_in)
            return gg.Tensor(rng.uniform(-bound, bound, shape), requires_grad=True)

        self.params = [
            uniform(hidden, 64, fan_in=64),
            uniform(hidden, fan_in=64),
            uniform(10, hidden, fan_in=hidden),
            uniform(10, fan_in=hidden),
        ]
        self.training = True
        self.calls = []

    def train(self, mode=True):
        self.training = mode
        self.calls.append(mode)

    def __call__(self, x):
        w1, b1, w2, b2 = self.params
        return (x @ w1.T + b1).relu() @ w2.T + b2


def cross_entropy(logits, y):
    onehot = np.eye(logits.shape[1])[y.numpy()]
    return -(gg.log_softmax(logits, axis=1) * onehot).sum(axis=1).mean()


@pytest.fixture(scope="module")
def digits():
    X, y = data.load_digits()
    train, test = data.random_split(data.TensorDataset(X, y), [0.8, 0.2], generator=0)
    return train, test


def test_mlp_learns_digits(digits):
    train, test = digits
    model = TinyMLP(hidden=128)
    opt = optim.Adam(model.params, lr=3e-3)
    loader = data.DataLoader(train, batch_size=32, shuffle=True, generator=0)
    hist = training.fit(
        model,
        cross_entropy,
        opt,
        loader,
        epochs=15,
        val_loader=data.DataLoader(test, batch_size=512),
        progress=False,
    )
    assert set(hist) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"}
    assert all(len(v) == 15 for v in hist.values())
    assert hist["loss"][-1] < hist["loss"][0] / 5
    assert sum(hist["time"]) < 60  # the bar: >= 97% in under a minute
    # oracle: scikit-learn's accuracy_score on the argmax predictions
    metrics = pytest.importorskip("sklearn.metrics")
    Xt, yt = test[np.arange(len(test))]
    acc = metrics.accuracy_score(yt.detach().numpy(), model(Xt).detach().numpy().argmax(axis=1))
    assert acc >= 0.97
    assert hist["val_accuracy"][-1] == pytest.approx(acc, abs=1e-12)
    res = training.evaluate(model, data.DataLoader(test, batch_size=100), cross_entropy)
    assert res["accuracy"] == pytest.approx(acc, abs=1e-12)
    assert res["loss"] == pytest.approx(cross_entropy(model(Xt), yt).item(), rel=1e-12)


def test_fit_equals_the_plain_loop(digits):
    train, _ = digits
    a, b = TinyMLP(hidden=16), TinyMLP(hidden=16)
    opt_a, opt_b = (
        optim.SGD(a.params, lr=0.1, momentum=0.9),
        optim.SGD(b.params, lr=0.1, momentum=0.9),
    )
    training.fit(
        a,
        cross_entropy,
        opt_a,
        data.DataLoader(train, 128, shuffle=True, generator=2),
        epochs=2,
        progress=False,
    )
    loader = data.DataLoader(train, 128, shuffle=True, generator=2)
    for _ in range(2):
        for xb, yb in loader:
            opt_b.zero_grad()
            cross_entropy(b(xb), yb).backward()
            opt_b.step()
    for p, q in zip(a.params, b.params, strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert a.calls[-1] is True  # left in training mode


def test_schedulers_in_fit(digits):
    train, test = digits
    small = data.Subset(train, np.arange(128))
    model = TinyMLP(hidden=8)
    opt = optim.SGD(model.params, lr=0.1)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    hist = training.fit(
        model,
        cross_entropy,
        opt,
        data.DataLoader(small, 64),
        epochs=5,
        scheduler=sched,
        progress=False,
        metrics=(),
    )
    assert hist["lr"] == [0.1, 0.1, 0.05, 0.05, 0.025]
    assert "accuracy" not in hist
    opt = optim.SGD(model.params, lr=0.1)
    sched = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=4, cycle_momentum=False)
    training.fit(
        model,
        cross_entropy,
        opt,
        data.DataLoader(small, 64),
        epochs=2,
        scheduler=sched,
        scheduler_interval="batch",
        progress=False,
    )
    assert sched.last_epoch == 4
    opt = optim.SGD(model.params, lr=0.0)  # no progress: the plateau scheduler must cut lr
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    opt.param_groups[0]["lr"] = 1e-12
    training.fit(
        model,
        cross_entropy,
        opt,
        data.DataLoader(small, 64),
        epochs=3,
        val_loader=data.DataLoader(test, 256),
        scheduler=sched,
        progress=False,
    )
    assert sched.best == pytest.approx(
        training.evaluate(model, data.DataLoader(test, 256), cross_entropy)["loss"], rel=1e-6
    )


def _small_fit(progress):
    X, y = data.make_blobs(40, centers=[[0.0] * 64, [1.0] * 64], generator=0)
    model = TinyMLP(hidden=4)
    return training.fit(
        model,
        cross_entropy,
        optim.SGD(model.params, lr=0.01),
        data.DataLoader(data.TensorDataset(X, y), 20),
        epochs=2,
        progress=progress,
    )


def test_plain_progress_lines(capsys):
    _small_fit(progress=False)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("epoch 1/2  loss ") and "accuracy" in lines[0]


def test_rich_progress_and_fallback(capsys, monkeypatch):
    pytest.importorskip("rich")
    _small_fit(progress=True)
    assert "epoch 2/2" in capsys.readouterr().out
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # rich missing: plain lines
    _small_fit(progress=True)
    assert capsys.readouterr().out.count("epoch ") == 2


def test_evaluate_names_itself_in_errors():
    with pytest.raises(ValueError, match="evaluate: unknown metric 'f1'"):
        training.evaluate(TinyMLP(hidden=2), [], metrics=("f1",))


def test_accuracy_binary_logits():
    assert training.accuracy(gg.Tensor([[2.0], [-1.0], [0.5]]), gg.Tensor([1, 1, 1])) == 2 / 3


@pytest.mark.parametrize(
    "kwargs,err,match",
    [
        (dict(epochs=0), ValueError, "epochs must be a positive int; got 0"),
        (dict(metrics=("f1",)), ValueError, "unknown metric 'f1'"),
        (dict(scheduler_interval="step"), ValueError, "scheduler_interval"),
        (dict(optimizer="adam"), TypeError, "step\\(\\) and zero_grad\\(\\); got str"),
        (dict(train_loader=[gg.Tensor([1.0])]), ValueError, "pair \\(inputs, targets\\)"),
        (
            dict(loss_fn=lambda out, y: 1.0, train_loader=[(gg.Tensor(np.ones((2, 64))), None)]),
            TypeError,
            "loss_fn must return a one-element Tensor; got float",
        ),
        (
            dict(loss_fn=lambda out, y: out, train_loader=[(gg.Tensor(np.ones((2, 64))), None)]),
            TypeError,
            r"one-element Tensor; got a Tensor of shape \(2, 10\)",
        ),
    ],
)
def test_bad_inputs(kwargs, err, match):
    model = TinyMLP(hidden=2)
    args = (
        dict(
            model=model,
            loss_fn=cross_entropy,
            optimizer=optim.SGD(model.params, lr=0.1),
            train_loader=[],
            progress=False,
        )
        | kwargs
    )
    with pytest.raises(err, match=match):
        training.fit(**args)


# ----- with glassgrad.nn ----------------------------------------------------------------------
@pytest.mark.slow
def test_cnn_learns_digits():
    from glassgrad import nn
    from glassgrad.nn import functional as F

    gg.manual_seed(0)
    X, y = data.load_digits(images=True)
    train, test = data.random_split(data.TensorDataset(X, y), [0.8, 0.2], generator=0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(8 * 4 * 4, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )
    opt = optim.Adam(model.parameters(), lr=1e-2)
    hist = training.fit(
        model,
        F.cross_entropy,
        opt,
        data.DataLoader(train, 64, shuffle=True, generator=0),
        epochs=10,
        scheduler=optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10),
        progress=False,
    )
    assert hist["lr"][0] == 1e-2 and hist["lr"][-1] < 1e-3
    Xt, yt = test[np.arange(len(test))]
    metrics = pytest.importorskip("sklearn.metrics")
    with gg.no_grad():
        acc = metrics.accuracy_score(yt.numpy(), model(Xt).numpy().argmax(axis=1))
    assert acc >= 0.97


def test_example_train_digits(capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "train_digits.py"
    spec = importlib.util.spec_from_file_location("train_digits_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    start = time.perf_counter()
    acc = example.main(epochs=15)
    assert acc >= 0.97 and time.perf_counter() - start < 60
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 15 and lines[-1].endswith(f"test accuracy {acc:.4f}")


def test_float32_step_never_upcasts(monkeypatch):
    # every primitive of a float32 forward, cross-entropy, backward and Adam step stays float32
    from glassgrad import nn
    from glassgrad.core.primitive import Primitive
    from glassgrad.nn import functional as F

    seen = set()
    call = Primitive.__call__

    def spy(self, *args, **params):
        out = call(self, *args, **params)
        # inputs may be Python numbers (the primitive converts them); out shows any upcast
        tensors = [t for t in (out, *args) if isinstance(t, gg.Tensor)]
        seen.update(self.name for t in tensors if t.dtype == np.float64)
        return out

    model = nn.MLP([64, 32, 10], dtype=np.float32, generator=0)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    X, y = data.load_digits()
    x = gg.Tensor(X.numpy()[:64].astype(np.float32))
    monkeypatch.setattr(Primitive, "__call__", spy)
    for _ in range(2):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y[:64])
        loss.backward()
        opt.step()
    assert loss.dtype == np.float32 and seen == set()
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert all(s["exp_avg_sq"].dtype == np.float32 for s in opt.state.values())


def test_fit_with_jit_equals_eager_fit(digits):
    train, _ = digits
    hists, models = [], []
    for compiled in (False, True):
        gg.manual_seed(4)
        model = nn.MLP([64, 16, 10])
        opt = optim.Adam(model.parameters(), lr=1e-2)
        loader = data.DataLoader(train, 100, shuffle=True, generator=5)  # a short last batch
        loss = nn.functional.cross_entropy  # (the module's NumPy one-hot helper cannot be traced)
        hists.append(training.fit(model, loss, opt, loader, epochs=2, progress=False, jit=compiled))
        models.append(model)
    assert hists[0]["loss"] == hists[1]["loss"] and hists[0]["accuracy"] == hists[1]["accuracy"]
    for p, q in zip(models[0].parameters(), models[1].parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
