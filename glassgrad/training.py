"""A small ``fit`` loop with a progress bar, and ``evaluate``; the plain loop is in examples/.

``fit`` runs: for each batch, zero the gradients, compute ``loss_fn(model(x), y)``, call
``backward()`` and ``optimizer.step()``; after each epoch it evaluates on ``val_loader``,
steps the scheduler and records everything in a history dict of per-epoch lists.
"""

import time

import numpy as np

from glassgrad.core.autodiff import no_grad
from glassgrad.core.jit import jit
from glassgrad.core.tensor import Tensor
from glassgrad.optim.lr_scheduler import ReduceLROnPlateau

__all__ = ["fit", "compiled_step", "evaluate", "accuracy"]

_METRICS = ("accuracy",)


def accuracy(output, target):
    """Fraction of correct predictions: argmax over classes, or logit > 0 for one output.

    Example:
        >>> from glassgrad import Tensor
        >>> accuracy(Tensor([[2.0, 1.0], [0.0, 3.0]]), Tensor([0, 0]))
        0.5
    """
    out, y = np.asarray(output.data), np.asarray(target.data)
    if out.ndim == 2 and out.shape[1] > 1:
        pred = out.argmax(axis=1)
    else:
        pred = (out.reshape(y.shape) > 0).astype(np.int64)
    return float(np.mean(pred == y))


def _check_metrics(metrics, where):
    metrics = tuple(metrics or ())
    for m in metrics:
        if m not in _METRICS:
            raise ValueError(f"{where}: unknown metric {m!r}; available: {', '.join(_METRICS)}")
    return metrics


def _set_mode(model, training):
    mode = getattr(model, "train", None)
    if callable(mode):
        mode(training)


def _check_loss(loss):
    if isinstance(loss, Tensor) and loss.size == 1:
        return loss
    got = f"a Tensor of shape {loss.shape}" if isinstance(loss, Tensor) else type(loss).__name__
    raise TypeError(f"fit: loss_fn must return a one-element Tensor; got {got}")


def _batch(batch, where):
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError(f"{where}: each batch must be a pair (inputs, targets)")
    return batch


class _Meter:
    """Sample-weighted running means of the loss and the metrics."""

    def __init__(self, metrics):
        self.metrics, self.n, self.sums = metrics, 0, dict.fromkeys(("loss", *metrics), 0.0)

    def add(self, loss, output, target):
        k = len(target)
        self.n += k
        self.sums["loss"] += float(loss.item()) * k
        for m in self.metrics:
            self.sums[m] += accuracy(output, target) * k

    def means(self):
        return {name: s / max(self.n, 1) for name, s in self.sums.items()}


def evaluate(model, loader, loss_fn=None, metrics=_METRICS):
    """Mean loss (if ``loss_fn`` is given) and metrics of ``model`` over ``loader``, no grad.

    The model is put in eval mode and restored to its previous mode afterwards.

    Returns:
        A dict such as ``{"loss": 0.12, "accuracy": 0.97}``.
    """
    metrics = _check_metrics(metrics, "evaluate")
    was_training = getattr(model, "training", True)
    _set_mode(model, False)
    meter = _Meter(metrics)
    try:
        with no_grad():
            for batch in loader:
                x, y = _batch(batch, "evaluate")
                out = model(x)
                loss = loss_fn(out, y) if loss_fn is not None else out.sum() * 0.0
                meter.add(loss, out, y)
    finally:
        _set_mode(model, was_training)
    result = meter.means()
    if loss_fn is None:
        del result["loss"]
    return result


class _Reporter:
    """A rich progress bar when available and wanted, else one printed line per epoch."""

    def __init__(self, progress, epochs, steps):
        self.bar = None
        if progress:
            try:
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
            except ImportError:
                pass
            else:
                self.bar = Progress(
                    TextColumn("epoch {task.fields[epoch]}"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    TextColumn("{task.fields[info]}"),
                    TimeElapsedColumn(),
                )
                self.bar.start()
                self.task = self.bar.add_task("fit", total=steps, epoch=f"1/{epochs}", info="")
        self.epochs, self.steps = epochs, steps

    def batch(self, epoch, meter):
        if self.bar is not None:
            info = "  ".join(f"{k} {v:.4f}" for k, v in meter.means().items())
            self.bar.update(self.task, advance=1, info=info, epoch=f"{epoch + 1}/{self.epochs}")

    def epoch(self, epoch, row):
        text = f"epoch {epoch + 1}/{self.epochs}  " + "  ".join(
            f"{k} {v:.4f}" for k, v in row.items() if k != "time"
        )
        if self.bar is not None:
            self.bar.console.print(text)
            if epoch + 1 < self.epochs:
                self.bar.reset(self.task, total=self.steps)
        else:
            print(text, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


class _CompiledStep:
    """Forward and backward compiled by ``jit``, then the optimizer's generated update."""

    def __init__(self, model, loss_fn, optimizer):
        def train_step(x, y):
            optimizer.zero_grad()
            out = model(x)
            loss = _check_loss(loss_fn(out, y))
            loss.backward()
            return loss.detach(), out.detach()

        self.forward_backward = jit(train_step)
        self.update = optimizer.compiled_update()

    def __call__(self, x, y):
        loss, out = self.forward_backward(x, y)
        self.update()
        return loss, out

    @property
    def source(self):
        """The generated source: forward and backward, then the optimizer's update."""
        update = self.update.source or "# the optimizer runs step() (it has no kernel lines)\n"
        return self.forward_backward.source + "\n" + update


def compiled_step(model, loss_fn, optimizer):
    """One compiled training step: ``step(x, y) -> (loss, output)``, updating the parameters.

    Forward and backward are compiled by ``jit`` (the parameters enter by reference; their
    gradients land in ``.grad`` as in eager mode); the optimizer update is its own kernel
    lines pasted into one generated NumPy function that writes the parameters and the state
    (Adam's moments, SGD's momentum) in place with ``out=``. ``step.source`` shows both
    programs. Every step equals eager ``zero_grad(); loss_fn(model(x), y).backward();
    optimizer.step()`` to the bit.

    Example:
        >>> import numpy as np
        >>> from glassgrad import nn, optim
        >>> from glassgrad.nn import functional as F
        >>> net = nn.Linear(3, 2)
        >>> opt = optim.SGD(net.parameters(), lr=0.1)
        >>> step = compiled_step(net, F.cross_entropy, opt)
        >>> loss, out = step(np.ones((4, 3)), np.array([0, 1, 0, 1]))
        >>> print(step.source.splitlines()[-1])  # the update of the bias, in place
            np.subtract(p1, np.multiply(lr, g1), out=p1)
    """
    return _CompiledStep(model, loss_fn, optimizer)


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    epochs=1,
    val_loader=None,
    scheduler=None,
    progress=True,
    metrics=_METRICS,
    scheduler_interval="epoch",
    jit=False,
):
    """Train ``model`` for ``epochs`` passes over ``train_loader``; return the history.

    Args:
        model: a callable (an ``nn.Module``) mapping a batch of inputs to outputs.
        loss_fn: ``loss_fn(output, target)`` → scalar Tensor (e.g. ``F.cross_entropy``).
        optimizer: a ``glassgrad.optim`` optimizer over the model's parameters.
        train_loader: yields ``(inputs, targets)`` batches.
        epochs: number of passes.
        val_loader: optional loader evaluated after each epoch (val_loss, val_accuracy).
        scheduler: optional lr scheduler, stepped every epoch (or every batch with
            ``scheduler_interval="batch"``); ``ReduceLROnPlateau`` receives the validation
            loss (the training loss without a val_loader).
        progress: show a rich progress bar (a printed line per epoch if rich is missing
            or ``progress`` is False).
        metrics: metric names to track; "accuracy" is available.
        scheduler_interval: "epoch" or "batch".
        jit: compile each step with ``compiled_step``: forward and backward with
            ``glassgrad.jit`` (traced once per batch shape), the optimizer update generated
            in place; the same results as eager to the bit.

    Returns:
        A dict of per-epoch lists: "loss", the metrics, "val_loss" and "val_<metric>" with a
        val_loader, "lr" (the first group's learning rate during the epoch), "time" (seconds).
    """
    metrics = _check_metrics(metrics, "fit")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int; got {epochs!r}")
    if scheduler_interval not in ("epoch", "batch"):
        raise ValueError(
            f"fit: scheduler_interval must be 'epoch' or 'batch'; got {scheduler_interval!r}"
        )
    if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
        raise TypeError(
            f"fit: optimizer must have step() and zero_grad(); got {type(optimizer).__name__}"
        )
    plateau = isinstance(scheduler, ReduceLROnPlateau)  # it steps on the validation loss
    history = {}
    reporter = _Reporter(progress, epochs, len(train_loader))
    step = compiled_step(model, loss_fn, optimizer) if jit else None
    try:
        for epoch in range(epochs):
            start, lr = time.perf_counter(), optimizer.param_groups[0]["lr"]
            _set_mode(model, True)
            meter = _Meter(metrics)
            for batch in train_loader:
                x, y = _batch(batch, "fit")
                if step is not None:
                    loss, out = step(x, y)
                else:
                    optimizer.zero_grad()
                    out = model(x)
                    loss = _check_loss(loss_fn(out, y))
                    loss.backward()
                    optimizer.step()
                meter.add(loss.detach(), out.detach(), y)
                if scheduler is not None and scheduler_interval == "batch" and not plateau:
                    scheduler.step()
                reporter.batch(epoch, meter)
            row = meter.means()
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, metrics)
                row.update({f"val_{k}": v for k, v in val.items()})
            if scheduler is not None and (plateau or scheduler_interval == "epoch"):
                scheduler.step(row.get("val_loss", row["loss"])) if plateau else scheduler.step()
            row.update(lr=lr, time=time.perf_counter() - start)
            for k, v in row.items():
                history.setdefault(k, []).append(v)
            reporter.epoch(epoch, row)
    finally:
        reporter.close()
    return history
