"""Optimizers against torch.optim: 100 steps from the same start, float64, to 1e-12."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad import optim

torch = pytest.importorskip("torch")


def rosenbrock(p):
    (x,) = p
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


_rng = np.random.default_rng(0)
_X, _Y = _rng.normal(size=(16, 3)), _rng.normal(size=(16, 2))
_MLP_INIT = [_rng.normal(size=s) * 0.5 for s in [(5, 3), (5,), (2, 5), (2,)]]


def mlp_loss(p, X, Y):
    w1, b1, w2, b2 = p
    out = (X @ w1.T + b1).tanh() @ w2.T + b2
    return ((out - Y) ** 2).mean()


PROBLEMS = {
    "rosenbrock": ([np.array([-1.2, 1.0])], lambda p, lib: rosenbrock(p)),
    "mlp": (_MLP_INIT, lambda p, lib: mlp_loss(p, *lib)),
}


def _data(lib):
    if lib == "gg":
        return gg.Tensor(_X), gg.Tensor(_Y)
    return torch.tensor(_X, dtype=torch.float64), torch.tensor(_Y, dtype=torch.float64)


def trajectory(lib, problem, make_opt, make_sched=None, steps=100, metrics=None):
    """Run ``steps`` optimizer steps; return final params and the lr after each step."""
    init, loss_fn = PROBLEMS[problem]
    data = _data(lib)
    if lib == "gg":
        params = [gg.Tensor(a.copy(), requires_grad=True) for a in init]
    else:
        params = [torch.tensor(a.copy(), dtype=torch.float64, requires_grad=True) for a in init]
    opt = make_opt(params)
    sched = make_sched(opt) if make_sched else None
    lrs = []
    for k in range(steps):
        opt.zero_grad()
        loss_fn(params, data).backward()
        opt.step()
        if sched is not None:
            sched.step(metrics[k]) if metrics is not None else sched.step()
            lrs.append(sched.get_last_lr()[0])
    arrays = [p.detach().numpy() if lib == "torch" else p.data for p in params]
    return arrays, lrs


OPTIMIZERS = [
    ("SGD", dict(lr=2e-4)),
    ("SGD", dict(lr=2e-4, momentum=0.9)),
    ("SGD", dict(lr=2e-4, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=2e-4, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.3, amsgrad=True)),
    ("RMSprop", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
]


def _assert_same(a, b):
    for x, y in zip(a, b, strict=False):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("problem", ["rosenbrock", "mlp"])
@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=lambda v: str(v))
def test_matches_torch(problem, name, kwargs):
    ours, _ = trajectory("gg", problem, lambda p: getattr(optim, name)(p, **kwargs))
    theirs, _ = trajectory("torch", problem, lambda p: getattr(torch.optim, name)(p, **kwargs))
    _assert_same(ours, theirs)
    assert not np.allclose(ours[0], PROBLEMS[problem][0][0])  # it actually moved


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_maximize_matches_torch(name):
    kw = dict(lr=1e-3, maximize=True) | (dict(momentum=0.9) if name == "SGD" else {})
    ours, _ = trajectory("gg", "mlp", lambda p: getattr(optim, name)(p, **kw))
    theirs, _ = trajectory("torch", "mlp", lambda p: getattr(torch.optim, name)(p, **kw))
    _assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_float32_matches_torch(name):
    init = [a.astype(np.float32) for a in _MLP_INIT]
    X, Y = _X.astype(np.float32), _Y.astype(np.float32)
    ours = [gg.Tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    opts = [getattr(optim, name)(ours, lr=1e-2), getattr(torch.optim, name)(theirs, lr=1e-2)]
    for params, opt, data in zip(
        [ours, theirs],
        opts,
        [(gg.Tensor(X), gg.Tensor(Y)), (torch.tensor(X), torch.tensor(Y))],
        strict=False,
    ):
        for _ in range(100):
            opt.zero_grad()
            mlp_loss(params, *data).backward()
            opt.step()
    for p, q in zip(ours, theirs, strict=True):
        assert p.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opts[0].state[p].values() if hasattr(v, "dtype"))
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_param_groups_match_torch():
    def groups(p):
        return [{"params": p[:2], "lr": 1e-2}, {"params": p[2:], "weight_decay": 0.1}]

    ours, _ = trajectory("gg", "mlp", lambda p: optim.Adam(groups(p), lr=3e-3))
    theirs, _ = trajectory("torch", "mlp", lambda p: torch.optim.Adam(groups(p), lr=3e-3))
    _assert_same(ours, theirs)


@pytest.mark.parametrize(
    "name,kwargs,keys",
    [
        ("SGD", dict(momentum=0.9), {"momentum_buffer"}),
        ("Adam", dict(amsgrad=True), {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}),
        (
            "RMSprop",
            dict(centered=True, momentum=0.1),
            {"step", "square_avg", "grad_avg", "momentum_buffer"},
        ),
        ("Adagrad", {}, {"step", "sum"}),
    ],
)
def test_state_dict_round_trip_and_torch_layout(name, kwargs, keys):
    init, loss_fn = PROBLEMS["mlp"]
    straight, _ = trajectory("gg", "mlp", lambda p: getattr(optim, name)(p, lr=1e-2, **kwargs))
    params = [gg.Tensor(a.copy(), requires_grad=True) for a in init]
    opt = getattr(optim, name)(params, lr=1e-2, **kwargs)
    data = _data("gg")
    for k in range(100):
        if k == 50:  # restart from a saved state into a fresh optimizer
            sd = opt.state_dict()
            opt = getattr(optim, name)(params, lr=0.5, **kwargs)
            opt.load_state_dict(sd)
        opt.zero_grad()
        loss_fn(params, data).backward()
        opt.step()
    _assert_same([p.data for p in params], straight)
    tp = [torch.zeros(a.shape, dtype=torch.float64, requires_grad=True) for a in init]
    topt = getattr(torch.optim, name)(tp, lr=1e-2, **kwargs)
    sum(p.sum() for p in tp).backward()
    topt.step()
    tsd = topt.state_dict()
    assert set(sd["state"]) == set(tsd["state"]) == {0, 1, 2, 3}
    assert set(sd["state"][0]) == set(tsd["state"][0]) == keys
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in tsd["param_groups"]]


def test_float32_params_stay_float32():
    w = gg.Tensor(np.ones(3, np.float32), requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    held = w.data
    opt.step()
    assert w.dtype == np.float32
    np.testing.assert_array_equal(held, np.ones(3, np.float32))  # old array not mutated
    assert opt.state[w]["exp_avg"].dtype == np.float32  # state is keyed by the parameter


def test_zero_grad():
    w = gg.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None
    opt.step()  # no gradient: parameter unchanged
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


def test_add_param_group():
    a, b = gg.Tensor([1.0], requires_grad=True), gg.Tensor([1.0], requires_grad=True)
    opt = optim.SGD([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.5})
    (a + b).sum().backward()
    opt.step()
    np.testing.assert_allclose([a.item(), b.item()], [0.9, 0.5])
    with pytest.raises(ValueError, match="more than one group"):
        opt.add_param_group({"params": [a]})


# ----- bad inputs ----------------------------------------------------------------------------
W = gg.Tensor([1.0], requires_grad=True)


@pytest.mark.parametrize(
    "make,err,match",
    [
        (lambda: optim.SGD([np.ones(2)], lr=0.1), TypeError, "must be Tensors; got ndarray"),
        (lambda: optim.SGD([W * 2], lr=0.1), ValueError, "leaf tensors"),
        (
            lambda: optim.SGD([gg.Tensor([1, 2])], lr=0.1),
            TypeError,
            "floating point; got dtype int",
        ),
        (lambda: optim.SGD(W, lr=0.1), TypeError, "single Tensor"),
        (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: optim.SGD([W], lr=-0.1), ValueError, "lr must be a number >= 0.0; got -0.1"),
        (lambda: optim.SGD([W], lr=0.1, momentum=-1), ValueError, "momentum"),
        (lambda: optim.SGD([W], lr=0.1, nesterov=True), ValueError, "nesterov=True needs"),
        (lambda: optim.Adam([W], betas=(1.0, 0.9)), ValueError, r"betas\[0\].*got 1.0"),
        (lambda: optim.Adam([W], betas=(0.9, -0.1)), ValueError, r"betas\[1\]"),
        (lambda: optim.Adam([W], betas=0.9), ValueError, "pair"),
        (lambda: optim.AdamW([W], eps=-1.0), ValueError, "eps"),
        (lambda: optim.RMSprop([W], alpha=-0.5), ValueError, "alpha"),
        (lambda: optim.Adagrad([W], lr_decay=-1), ValueError, "lr_decay"),
        (lambda: optim.Newton([W], damping=-1), ValueError, "damping"),
        (lambda: optim.SGD([{"lr": 1}], lr=0.1), TypeError, "'params' key"),
    ],
)
def test_bad_inputs(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_bad_state_dict():
    opt = optim.SGD([W], lr=0.1)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({})
    two = optim.SGD([W, gg.Tensor([2.0], requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="do not match"):
        opt.load_state_dict(two.state_dict())


@pytest.mark.parametrize(
    "saved,into,missing",
    [("Adam", "SGD", "dampening"), ("SGD", "Adam", "betas"), ("RMSprop", "Adagrad", "lr_decay")],
)
def test_state_dict_of_another_optimizer_refused(saved, into, missing):
    w = gg.Tensor([1.0, 2.0], requires_grad=True)
    source = getattr(optim, saved)([w], lr=1e-3)
    (w * w).sum().backward()
    source.step()
    target = getattr(optim, into)([w], lr=0.1)
    with pytest.raises(ValueError, match=f"another optimizer.*missing .*'{missing}'"):
        target.load_state_dict(source.state_dict())
    assert target.param_groups[0]["lr"] == 0.1 and not target.state  # left untouched


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=lambda v: str(v))
def test_zero_dim_parameter_matches_torch(name, kwargs):
    # a 0-d parameter: NumPy turns 0-d results into scalars, which in-place updates must survive
    kwargs = kwargs | (dict(maximize=True) if name == "SGD" else {})
    w, tw = gg.Tensor(np.array(0.5), requires_grad=True), torch.tensor(0.5, requires_grad=True)
    tw = tw.double().detach().requires_grad_(True)
    for p, ns in ((w, optim), (tw, torch.optim)):
        opt = getattr(ns, name)([p], **kwargs)
        for _ in range(100):
            opt.zero_grad()
            loss = (p * p - 2.0) ** 2 * 0.1
            (-loss if kwargs.get("maximize") else loss).backward()
            opt.step()
    assert type(w.data) is np.ndarray and w.shape == () and w.dtype == np.float64
    np.testing.assert_allclose(w.item(), tw.item(), rtol=1e-12, atol=1e-12)
    assert w.item() != 0.5
