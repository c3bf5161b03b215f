"""Learning-rate schedules with PyTorch's semantics (``torch.optim.lr_scheduler``).

A scheduler sets ``group["lr"]`` of its optimizer. Construction performs step 0; call
``scheduler.step()`` after each ``optimizer.step()`` (per epoch or per batch, as you choose).
"""

import math

from glassgrad.optim.optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LinearLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
]


def _check_optimizer(optimizer, where):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: expected a glassgrad Optimizer; got {type(optimizer).__name__}")


def _per_group(value, optimizer, name, where):
    if isinstance(value, (list, tuple)):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(
                f"{where}: {name} has {len(value)} values for {len(optimizer.param_groups)} groups"
            )
        return list(value)
    return [value] * len(optimizer.param_groups)


class LRScheduler:
    """Base class: ``step()`` advances ``last_epoch`` and writes ``get_lr()`` into the groups.

    Subclasses implement ``get_lr()`` from ``self.last_epoch``, ``self.base_lrs`` and the
    groups' current ``lr`` (PyTorch's chainable form).
    """

    def __init__(self, optimizer, last_epoch=-1):
        where = type(self).__name__
        _check_optimizer(optimizer, where)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(
                    f"{where}: resuming (last_epoch >= 0) needs param_groups[{i}]"
                    "['initial_lr']; load the optimizer's state first"
                )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        raise NotImplementedError

    def _lrs(self, factor=None):
        """The groups' current learning rates, each times ``factor`` when one is given."""
        lrs = [group["lr"] for group in self.optimizer.param_groups]
        return lrs if factor is None else [lr * factor for lr in lrs]

    def step(self):
        """Advance one step and set the new learning rates."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=False):
            group["lr"] = lr
        self._last_lr = self._lrs()

    def get_last_lr(self):
        """The learning rates set by the latest ``step()``, one per group."""
        return self._last_lr

    def state_dict(self):
        """Every attribute except the optimizer (and functions, which are not data)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}

    def load_state_dict(self, state_dict):
        """Restore attributes saved by ``state_dict``."""
        self.__dict__.update(state_dict)


class LambdaLR(LRScheduler):
    """lr = base_lr · λ(epoch) for a user function λ (one per group, or one for all).

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = LambdaLR(opt, lambda e: 0.5 ** e)
        >>> sched.step(); sched.step()
        >>> sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(optimizer, "LambdaLR")
        self.lr_lambdas = _per_group(lr_lambda, optimizer, "lr_lambda", "LambdaLR")
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a function of the epoch (or a list)")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        pairs = zip(self.lr_lambdas, self.base_lrs, strict=True)
        return [b * f(self.last_epoch) for f, b in pairs]


class StepLR(LRScheduler):
    """Multiply lr by ``gamma`` every ``step_size`` epochs: lr = base_lr · γ^⌊epoch/step_size⌋.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.1)
        >>> [(sched.step(), round(sched.get_last_lr()[0], 6))[1] for _ in range(4)]
        [1.0, 0.1, 0.1, 0.01]
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int; got {step_size!r}")
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        hit = self.last_epoch > 0 and self.last_epoch % self.step_size == 0
        return self._lrs(self.gamma if hit else None)


class MultiStepLR(LRScheduler):
    """Multiply lr by ``gamma`` at each epoch listed in ``milestones``.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
        >>> [(sched.step(), sched.get_last_lr()[0])[1] for _ in range(4)]
        [0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        self.milestones = {}
        for m in milestones:
            self.milestones[m] = self.milestones.get(m, 0) + 1
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        k = self.milestones.get(self.last_epoch, 0)
        return self._lrs(self.gamma**k if k else None)


class ExponentialLR(LRScheduler):
    """Multiply lr by ``gamma`` every epoch: lr = base_lr · γ^epoch.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = ExponentialLR(opt, gamma=0.5)
        >>> sched.step(); sched.get_last_lr()
        [0.5]
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return self._lrs(None if self._is_initial else self.gamma)


class CosineAnnealingLR(LRScheduler):
    """lr = η_min + ½(base_lr - η_min)(1 + cos(π · epoch / T_max)), in PyTorch's recursive form.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = CosineAnnealingLR(opt, T_max=2)
        >>> sched.step(); round(sched.get_last_lr()[0], 6)
        0.5
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):  # noqa: N803
        if not isinstance(T_max, int) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int; got {T_max!r}")
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        e, t, lo = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._lrs()
        if self._step_count == 1 and e > 0:
            return [lo + (b - lo) * (1 + math.cos(e * math.pi / t)) / 2 for b in self.base_lrs]
        if (e - 1 - t) % (2 * t) == 0:
            return [
                lr + (b - lo) * (1 - math.cos(math.pi / t)) / 2
                for lr, b in zip(self._lrs(), self.base_lrs, strict=False)
            ]
        ratio = (1 + math.cos(math.pi * e / t)) / (1 + math.cos(math.pi * (e - 1) / t))
        return [ratio * (lr - lo) + lo for lr in self._lrs()]


class LinearLR(LRScheduler):
    """Scale lr linearly from start_factor·base_lr to end_factor·base_lr over ``total_iters``.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = LinearLR(opt, start_factor=0.5, total_iters=2)
        >>> [round(lr, 6) for lr in sched.get_last_lr()]
        [0.5]
        >>> sched.step(); sched.step(); sched.get_last_lr()
        [1.0]
    """

    def __init__(
        self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1
    ):
        if not 0 < start_factor <= 1 or not 0 <= end_factor <= 1:
            raise ValueError(
                "LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1]; "
                f"got start_factor={start_factor!r}, end_factor={end_factor!r}"
            )
        self.start_factor, self.end_factor, self.total_iters = start_factor, end_factor, total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return self._lrs(self.start_factor)
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        span = self.end_factor - self.start_factor
        factor = 1.0 + span / (self.total_iters * self.start_factor + (self.last_epoch - 1) * span)
        return self._lrs(factor)


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith, 2018): warm up to ``max_lr``, then anneal far below the start.

    Phases (two, or three with ``three_phase``) go from initial_lr = max_lr/div_factor up to
    max_lr and down to initial_lr/final_div_factor, by cosine or linear annealing; momentum
    (or Adam's β₁) cycles the opposite way when ``cycle_momentum``. Step it once per batch.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1, momentum=0.9)
        >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10)
        >>> sched.get_last_lr()  # max_lr / 25
        [0.04]
    """

    def __init__(
        self,
        optimizer,
        max_lr,
        total_steps=None,
        epochs=None,
        steps_per_epoch=None,
        pct_start=0.3,
        anneal_strategy="cos",
        cycle_momentum=True,
        base_momentum=0.85,
        max_momentum=0.95,
        div_factor=25.0,
        final_div_factor=1e4,
        three_phase=False,
        last_epoch=-1,
    ):
        _check_optimizer(optimizer, "OneCycleLR")
        if total_steps is None:
            if not (
                isinstance(epochs, int)
                and isinstance(steps_per_epoch, int)
                and epochs > 0
                and steps_per_epoch > 0
            ):
                raise ValueError(
                    "OneCycleLR: give total_steps, or positive int epochs and "
                    f"steps_per_epoch; got epochs={epochs!r}, "
                    f"steps_per_epoch={steps_per_epoch!r}"
                )
            total_steps = epochs * steps_per_epoch
        if not isinstance(total_steps, int) or total_steps <= 0:
            raise ValueError(f"OneCycleLR: total_steps must be a positive int; got {total_steps!r}")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"OneCycleLR: pct_start must be a float in [0, 1]; got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"OneCycleLR: anneal_strategy must be 'cos' or 'linear'; got {anneal_strategy!r}"
            )
        self.total_steps, self.anneal_strategy = total_steps, anneal_strategy
        up = float(pct_start * total_steps) - 1
        if three_phase:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * up, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._phases = [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        max_lrs = _per_group(max_lr, optimizer, "max_lr", "OneCycleLR")
        if last_epoch == -1:
            for m, group in zip(max_lrs, optimizer.param_groups, strict=False):
                group["initial_lr"] = m / div_factor
                group["max_lr"] = m
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            defaults = optimizer.defaults
            if "momentum" not in defaults and "betas" not in defaults:
                raise ValueError(
                    "OneCycleLR: cycle_momentum needs an optimizer with momentum "
                    "or betas; pass cycle_momentum=False"
                )
            self.use_beta1 = "betas" in defaults
            tops = _per_group(max_momentum, optimizer, "max_momentum", "OneCycleLR")
            bases = _per_group(base_momentum, optimizer, "base_momentum", "OneCycleLR")
            if last_epoch == -1:
                for top, base, group in zip(tops, bases, optimizer.param_groups, strict=False):
                    self._set_momentum(group, top)
                    group["max_momentum"], group["base_momentum"] = top, base
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: stepped {step} times but total_steps is {self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr0, lr1, m0, m1) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr0], group[lr1], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[m0], group[m1], pct))
                    break
                start = end
        return lrs


class ReduceLROnPlateau:
    """Multiply lr by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    ``step(metric)`` after each validation. Improvement means metric < best·(1 - threshold)
    (mode "min", threshold_mode "rel"); "abs" uses best - threshold; "max" mirrors both.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.optim import SGD
        >>> opt = SGD([Tensor([1.0], requires_grad=True)], lr=1.0)
        >>> sched = ReduceLROnPlateau(opt, patience=1, factor=0.5)
        >>> for loss in [1.0, 1.0, 1.0]:
        ...     sched.step(loss)
        >>> sched.get_last_lr()
        [0.5]
    """

    def __init__(
        self,
        optimizer,
        mode="min",
        factor=0.1,
        patience=10,
        threshold=1e-4,
        threshold_mode="rel",
        cooldown=0,
        min_lr=0.0,
        eps=1e-8,
    ):
        _check_optimizer(optimizer, "ReduceLROnPlateau")
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max'; got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs'; got {threshold_mode!r}"
            )
        if not factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1; got {factor!r}")
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.min_lrs = _per_group(min_lr, optimizer, "min_lr", "ReduceLROnPlateau")
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = self.cooldown_counter = self.last_epoch = 0
        self._last_lr = [g["lr"] for g in optimizer.param_groups]

    def _is_better(self, a):
        sign = 1.0 if self.mode == "min" else -1.0
        if self.threshold_mode == "rel":
            return sign * a < sign * self.best * (1.0 - sign * self.threshold)
        return sign * a < sign * self.best - self.threshold

    def step(self, metrics):
        """Record one value of the watched metric (a number or one-element Tensor)."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best, self.num_bad_epochs = current, 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, low in zip(self.optimizer.param_groups, self.min_lrs, strict=False):
                new = max(group["lr"] * self.factor, low)
                if group["lr"] - new > self.eps:
                    group["lr"] = new
            self.cooldown_counter, self.num_bad_epochs = self.cooldown, 0
        self._last_lr = [g["lr"] for g in self.optimizer.param_groups]

    get_last_lr = LRScheduler.get_last_lr
    state_dict = LRScheduler.state_dict
    load_state_dict = LRScheduler.load_state_dict
