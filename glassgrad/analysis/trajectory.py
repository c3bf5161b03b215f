"""Optimizer trajectories on toy functions, divergence detection, PCA projections."""

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.tensor import Tensor
from glassgrad.parallel import sweep

__all__ = ["Trajectory", "trajectory", "compare_optimizers", "newton_vs_gd", "pca_project"]

_NAMES = ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Newton")


def _optimizer_factory(optimizer):
    """Turn a class, a factory ``params -> Optimizer`` or a name into ``(factory, label)``."""
    import glassgrad.optim as optim

    if isinstance(optimizer, str):
        classes = {n.lower(): getattr(optim, n) for n in _NAMES}
        if optimizer.lower() not in classes:
            raise ValueError(
                f"trajectory: unknown optimizer {optimizer!r}; expected one of {sorted(classes)}"
                " or an Optimizer class / factory"
            )
        return classes[optimizer.lower()], optimizer
    if not callable(optimizer):
        raise TypeError(
            f"trajectory: optimizer must be a name, an Optimizer class or a factory; "
            f"got {type(optimizer).__name__}"
        )
    return optimizer, getattr(optimizer, "__name__", type(optimizer).__name__)


class Trajectory:
    """The recorded path of one optimizer run.

    Attributes:
        path: (steps + 1, n) array of iterates, x₀ first (stops early on divergence).
        losses: f at each iterate.
        diverged: True when the run was stopped; ``reason`` says why.
        label: the optimizer and its hyper-parameters.

    Example:
        >>> Trajectory([[1.0], [0.5]], [1.0, 0.25], False, "", "SGD lr=0.25")
        Trajectory(SGD lr=0.25, 1 steps, final loss 0.25)
    """

    def __init__(self, path, losses, diverged, reason, label):
        self.path, self.losses = np.array(path), np.array(losses)
        self.diverged, self.reason, self.label = diverged, reason, label

    def __repr__(self):
        end = "diverged: " + self.reason if self.diverged else f"final loss {self.losses[-1]:.4g}"
        return f"Trajectory({self.label}, {len(self.path) - 1} steps, {end})"


def trajectory(f, x0, optimizer="sgd", steps=100, max_norm=1e6, blowup=1e3, **hyper):
    """Run ``optimizer`` on scalar ``f`` from ``x0`` and record every iterate.

    The run stops (and reports, rather than raising) when an iterate or loss is not finite
    or ‖x‖ exceeds ``max_norm``, or the loss has risen above its start by more than
    ``blowup``·(|f(x₀)| + 1): this is how a too-large learning rate shows up.

    Args:
        f: function of one Tensor returning a one-element Tensor.
        x0: starting point (array-like).
        optimizer: "sgd", "adam", "adamw", "rmsprop", "adagrad", "newton", an Optimizer
            class, or a factory called as ``optimizer([x], **hyper)``.
        steps: number of optimizer steps.
        max_norm: stop when ‖x‖ exceeds this.
        blowup: stop when f(x) - f(x₀) > blowup·(|f(x₀)| + 1) (exploding loss).
        **hyper: hyper-parameters (lr, momentum, nesterov, betas, ...).

    Example:
        >>> t = trajectory(lambda x: (x * x).sum(), [1.0, 2.0], "sgd", steps=3, lr=0.25)
        >>> t.path[-1]
        array([0.125, 0.25 ])
    """
    factory, name = _optimizer_factory(optimizer)
    x = Tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    opt = factory([x], **hyper)

    def closure():
        opt.zero_grad()
        loss = f(x)
        if not isinstance(loss, Tensor) or loss.size != 1:
            shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
            raise ShapeError(f"trajectory: f must return a one-element Tensor; got {shape}")
        if loss.requires_grad:  # not under no_grad (a line search's trial points)
            loss.backward()
        return loss

    label = name + "".join(f" {k}={v}" for k, v in hyper.items())
    path, losses, reason = [x.data.copy()], [], ""
    with np.errstate(all="ignore"):
        for _ in range(steps):
            losses.append(float(opt.step(closure).item()))
            path.append(x.data.copy())
            if not (np.all(np.isfinite(x.data)) and np.isfinite(losses[-1])):
                reason = f"non-finite value after {len(path) - 1} steps"
            elif np.linalg.norm(x.data) > max_norm:
                reason = (
                    f"|x| = {np.linalg.norm(x.data):.3g} > {max_norm:g} after {len(path) - 1} steps"
                )
            elif losses[-1] - losses[0] > blowup * (abs(losses[0]) + 1):
                reason = (
                    f"loss grew from {losses[0]:.3g} to {losses[-1]:.3g} in {len(path) - 1} steps"
                )
            if reason:
                break
        losses.append(float(f(Tensor(x.data)).item()))
    return Trajectory(path, losses, bool(reason), reason, label)


def _run(setting, shared):
    """One trajectory of a comparison (a sweep task)."""
    f, x0, steps = shared
    optimizer, hyper = setting
    return trajectory(f, x0, optimizer, steps, **hyper)


def compare_optimizers(f, x0, runs, steps=100, executor=None, progress=False):
    """Trajectories of several settings: ``runs`` maps label → (optimizer, hyper dict).

    A learning-rate × momentum grid is such a dict, e.g.
    ``{(lr, m): ("sgd", {"lr": lr, "momentum": m}) for lr in lrs for m in ms}``; its runs are
    independent, and ``executor`` spreads them over processes or a Dask cluster (see
    :func:`glassgrad.sweep`) with the same results.

    Example:
        >>> r = compare_optimizers(lambda x: (x * x).sum(), [1.0], {"gd": ("sgd", {"lr": 0.1})}, 5)
        >>> len(r["gd"].path)
        6
    """
    settings = list(runs.values())
    paths = sweep(_run, settings, executor, progress, shared=(f, x0, steps),
                  description="optimizers")  # fmt: skip
    return dict(zip(runs, paths, strict=True))


def newton_vs_gd(f, x0, lr=0.1, steps=20):
    """Gradient descent (step ``lr``) against undamped Newton from the same start.

    On a quadratic Newton lands on the minimum in one step whatever the conditioning,
    while GD needs about κ·log(1/ε) steps.

    Example:
        >>> r = newton_vs_gd(lambda p: p[0] ** 2 + 10 * p[1] ** 2, [1.0, 1.0], lr=0.05, steps=2)
        >>> np.allclose(r["newton"].path[1], 0.0)
        True
    """
    runs = {"gd": ("sgd", {"lr": lr}), "newton": ("newton", {})}
    return compare_optimizers(f, x0, runs, steps)


def pca_project(points, center=None, n_components=2):
    """Project a parameter path (T, n) onto its top principal directions (via SVD).

    Args:
        points: iterates as rows (e.g. flattened model parameters after each epoch).
        center: the origin of the projection (default: the last point, as in Li et al.).
        n_components: how many directions.

    Returns:
        ``(coords, components, explained)``: (T, k) coordinates, (k, n) directions and the
        fraction of the path's variance each direction explains.

    Example:
        >>> c, d, e = pca_project(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]), n_components=1)
        >>> np.round(e, 6)
        array([1.])
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or n_components > min(pts.shape):
        raise ShapeError(
            f"pca_project: points must be (T, n) with n_components ≤ min(T, n); got shape "
            f"{pts.shape} and n_components={n_components}"
        )
    origin = pts[-1] if center is None else np.asarray(center, dtype=np.float64)
    diffs = pts - origin
    from glassgrad.core.ops.linalg import svd

    _, s, vt = (t.data for t in svd(Tensor(diffs - diffs.mean(0)), full_matrices=False))
    comps = vt[:n_components]
    var = s**2
    return diffs @ comps.T, comps, var[:n_components] / max(var.sum(), 1e-300)
