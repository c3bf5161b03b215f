"""Schedulers against torch.optim.lr_scheduler: 100 steps, same lrs and same parameters."""

import sys
from pathlib import Path

import numpy as np
import pytest

from glassgrad import optim
from glassgrad.optim import lr_scheduler

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).parent))
from test_optimizers import W, _assert_same, trajectory  # noqa: E402

SCHEDULERS = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[10, 30, 30, 80], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.98)),
    ("CosineAnnealingLR", dict(T_max=30, eta_min=1e-4)),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.9, total_iters=40)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1.0 / (1 + 0.1 * e))),
    ("OneCycleLR", dict(max_lr=0.05, total_steps=100)),
    ("OneCycleLR", dict(max_lr=0.05, total_steps=120, three_phase=True, anneal_strategy="linear")),
]


@pytest.mark.parametrize(
    "opt_name,problem", [("SGD", "mlp"), ("Adam", "mlp"), ("Adam", "rosenbrock")]
)
@pytest.mark.parametrize(
    "name,kwargs", SCHEDULERS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULERS)]
)
def test_matches_torch(name, kwargs, opt_name, problem):
    okw = dict(lr=0.01, momentum=0.9) if opt_name == "SGD" else dict(lr=0.01)

    def run(lib, sched_ns, opt_ns):
        return trajectory(
            lib,
            problem,
            lambda p: getattr(opt_ns, opt_name)(p, **okw),
            lambda o: getattr(sched_ns, name)(o, **kwargs),
        )

    ours, our_lrs = run("gg", lr_scheduler, optim)
    theirs, their_lrs = run("torch", torch.optim.lr_scheduler, torch.optim)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12, atol=1e-15)
    assert len(set(our_lrs)) > 1
    _assert_same(ours, theirs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(patience=3, factor=0.5),
        dict(mode="max", patience=2, threshold=0.05, threshold_mode="abs", cooldown=3, min_lr=1e-4),
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = list(np.random.default_rng(1).normal(size=100).cumsum() * 0.1)

    def run(lib, ns, opt_ns):
        return trajectory(
            lib,
            "mlp",
            lambda p: opt_ns.SGD(p, lr=0.01, momentum=0.5),
            lambda o: ns.ReduceLROnPlateau(o, **kwargs),
            metrics=metrics,
        )

    ours, our_lrs = run("gg", lr_scheduler, optim)
    theirs, their_lrs = run("torch", torch.optim.lr_scheduler, torch.optim)
    np.testing.assert_allclose(our_lrs, their_lrs, rtol=1e-12)
    assert len(set(our_lrs)) > 2
    _assert_same(ours, theirs)


def test_state_dict_resume():
    opt = optim.SGD([W], lr=1.0)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    sd = sched.state_dict()
    opt2 = optim.SGD([W], lr=1.0)
    sched2 = lr_scheduler.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(sd)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    sched.step()
    sched2.step()
    assert sched2.last_epoch == sched.last_epoch == 5
    assert sched2.get_last_lr() == sched.get_last_lr()


@pytest.mark.parametrize(
    "make,err,match",
    [
        (
            lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="lowest"),
            ValueError,
            "mode must be 'min' or 'max'; got 'lowest'",
        ),
        (
            lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"),
            ValueError,
            "threshold_mode",
        ),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.5), ValueError, "factor"),
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError, "step_size"),
        (lambda o: lr_scheduler.StepLR("adam", step_size=1), TypeError, "got str"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "T_max"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0), ValueError, "start_factor"),
        (lambda o: lr_scheduler.LambdaLR(o, 3), TypeError, "lr_lambda"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0), ValueError, "total_steps"),
        (
            lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy="x"),
            ValueError,
            "anneal_strategy",
        ),
        (
            lambda o: lr_scheduler.OneCycleLR(optim.Adagrad([W]), 1.0, 10),
            ValueError,
            "cycle_momentum",
        ),
        (lambda o: lr_scheduler.StepLR(o, 1, last_epoch=3), KeyError, "initial_lr"),
    ],
)
def test_bad_inputs(make, err, match):
    with pytest.raises(err, match=match):
        make(optim.SGD([W], lr=0.1, momentum=0.9))


def test_onecycle_too_many_steps():
    sched = lr_scheduler.OneCycleLR(optim.SGD([W], lr=0.1, momentum=0.9), 1.0, total_steps=2)
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="total_steps is 2"):
        sched.step()
