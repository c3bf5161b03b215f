"""The compiled training step (forward, backward, optimizer update) against eager and torch.optim.

Every optimizer configuration runs the same steps three ways: eager ``step()``, the compiled
step (jit forward/backward + the generated in-place update), and torch.optim. Compiled must
equal eager to the bit, parameters and optimizer state alike; both match torch to 1e-12.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import nn, optim
from glassgrad.nn import functional as F
from glassgrad.training import compiled_step

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).parent))
from test_optimizers import _MLP_INIT, _X, _Y, OPTIMIZERS, mlp_loss  # noqa: E402

STEPS = 30


def _run(make_opt, compiled, steps=STEPS, dtype=np.float64, schedule=None):
    params = [gg.Tensor(a.astype(dtype), requires_grad=True) for a in _MLP_INIT]
    opt = make_opt(params)
    X, Y = gg.Tensor(_X.astype(dtype)), gg.Tensor(_Y.astype(dtype))

    def model(x):
        w1, b1, w2, b2 = params
        return (x @ w1.T + b1).tanh() @ w2.T + b2

    def loss_fn(out, y):
        return ((out - y) ** 2).mean()

    step = compiled_step(model, loss_fn, opt) if compiled else None
    losses = []
    for k in range(steps):
        if schedule is not None:
            opt.param_groups[0]["lr"] = schedule(k)
        if step is not None:
            loss, _ = step(X, Y)
        else:
            opt.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            opt.step()
        losses.append(loss.item())
    return losses, params, opt, step


def _assert_bitwise(eager, compiled):
    assert eager[0] == compiled[0]  # the losses, step by step
    for p, q in zip(eager[1], compiled[1], strict=True):
        np.testing.assert_array_equal(p.data, q.data)
        np.testing.assert_array_equal(p.grad.data, q.grad.data)
        s, t = eager[2].state[p], compiled[2].state[q]
        assert s.keys() == t.keys()
        for k in s:
            np.testing.assert_array_equal(s[k], t[k])


def _torch_params(make_opt, steps=STEPS):
    params = [torch.tensor(a.copy(), requires_grad=True) for a in _MLP_INIT]
    opt = make_opt(params)
    data = torch.tensor(_X), torch.tensor(_Y)
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(params, *data).backward()
        opt.step()
    return [p.detach().numpy() for p in params], opt


CONFIGS = OPTIMIZERS + [
    ("SGD", dict(lr=1e-3, momentum=0.9, maximize=True)),
    ("Adam", dict(lr=1e-3, maximize=True)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=lambda v: str(v))
def test_compiled_step_equals_eager_to_the_bit_and_torch(name, kwargs):
    eager = _run(lambda p: getattr(optim, name)(p, **kwargs), compiled=False)
    compiled = _run(lambda p: getattr(optim, name)(p, **kwargs), compiled=True)
    _assert_bitwise(eager, compiled)
    theirs, topt = _torch_params(lambda p: getattr(torch.optim, name)(p, **kwargs))
    for p, q in zip(compiled[1], theirs, strict=True):
        np.testing.assert_allclose(p.data, q, rtol=1e-12, atol=1e-12)
    if name.startswith("Adam"):  # the moments too
        for p, q in zip(compiled[1], topt.param_groups[0]["params"], strict=True):
            for k in ("exp_avg", "exp_avg_sq"):
                want = topt.state[q][k].numpy()
                np.testing.assert_allclose(compiled[2].state[p][k], want, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_compiled_step_float32_and_a_changing_lr_equal_eager(name):
    kw = dict(lr=1e-2) | (dict(momentum=0.9, nesterov=True) if name == "SGD" else {})

    def make(p):
        return getattr(optim, name)(p, **kw)

    def schedule(k):
        return 1e-2 * 0.9**k

    eager = _run(make, False, dtype=np.float32, schedule=schedule)
    compiled = _run(make, True, dtype=np.float32, schedule=schedule)
    _assert_bitwise(eager, compiled)
    assert all(p.dtype == np.float32 for p in compiled[1])
    assert all(
        a.dtype == np.float32
        for s in compiled[2].state.values()
        for a in s.values()
        if isinstance(a, np.ndarray)
    )


def test_the_update_is_in_place_lines_in_the_source():
    _, params, opt, step = _run(lambda p: optim.Adam(p, lr=1e-2), compiled=True, steps=2)
    src = step.source
    assert "# backward" in src and "def adam_step(" in src
    assert "broadcast_to" not in src.split("# backward")[0]  # np.add broadcasts each bias
    for line in ("np.add(m0, w, out=m0)", "np.add(v3, w, out=v3)", "np.subtract(p2, w, out=p2)"):
        assert line in src
    before = [p.data for p in params] + [
        a for s in opt.state.values() for a in s.values() if isinstance(a, np.ndarray)
    ]
    step(gg.Tensor(_X), gg.Tensor(_Y))
    after = [p.data for p in params] + [
        a for s in opt.state.values() for a in s.values() if isinstance(a, np.ndarray)
    ]
    assert all(a is b for a, b in zip(before, after, strict=True))  # written, not replaced
    assert len(step.forward_backward.cache) == 1 and len(step.update.cache) == 1


def test_compiled_step_never_writes_an_array_the_caller_holds():
    mine = np.array([[1.0, -2.0], [0.5, 3.0]])
    w = gg.Tensor(mine, requires_grad=True)
    assert w.data is mine  # shared: the step must copy it before writing in place
    opt = optim.Adam([w], lr=0.1)
    step = compiled_step(lambda x: x @ w, lambda out, y: ((out - y) ** 2).sum(), opt)
    step(np.eye(2), np.zeros((2, 2)))
    np.testing.assert_array_equal(mine, [[1.0, -2.0], [0.5, 3.0]])
    assert not np.array_equal(w.data, mine)


def test_parameters_without_gradient_are_skipped_as_in_eager():
    runs = []
    for compiled in (False, True):
        gg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        unused = gg.Tensor(np.ones(3), requires_grad=True)  # in the optimizer, not in the loss
        opt = optim.Adam([*model.parameters(), unused], lr=1e-2)
        x, y = gg.Tensor(np.linspace(-1, 1, 20).reshape(5, 4)), gg.Tensor(np.arange(5) % 2)
        step = compiled_step(model, F.cross_entropy, opt)
        for _ in range(3):
            if compiled:
                step(x, y)
            else:
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
        assert unused not in opt.state and unused.grad is None
        runs.append([p.data for p in model.parameters()])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_optimizer_without_kernel_lines_runs_its_step():
    eager = _run(lambda p: optim.RMSprop(p, lr=1e-3), compiled=False, steps=3)
    compiled = _run(lambda p: optim.RMSprop(p, lr=1e-3), compiled=True, steps=3)
    _assert_bitwise(eager, compiled)
    assert "runs step()" in compiled[3].source
