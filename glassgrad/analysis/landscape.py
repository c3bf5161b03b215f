"""Loss landscapes: interpolation between parameter sets, 1-D and 2-D random slices.

Directions are filter-normalised as in Li et al. (2018), "Visualizing the Loss Landscape
of Neural Nets": a random Gaussian direction d is rescaled filter by filter (rows along
axis 0 of each weight of ndim ≥ 2) so that ‖dᵢ‖ = ‖θᵢ‖. Parameters of ndim ≤ 1 (biases,
norm scales) get a zero direction by default (``bias="zero"``, the paper's choice) or
the parameter itself (``bias="keep"``).
"""

import numpy as np

from glassgrad.analysis.result import Result
from glassgrad.core.autodiff import no_grad
from glassgrad.core.errors import ShapeError
from glassgrad.core.random import get_generator
from glassgrad.core.tensor import Tensor
from glassgrad.parallel import sweep

__all__ = [
    "Landscape",
    "random_direction",
    "filter_normalize",
    "interpolate",
    "loss_landscape_1d",
    "loss_landscape_2d",
    "pca_landscape",
]


def _params(model):
    """The parameter list of a Module (``.parameters()``), or a list of Tensors."""
    ps = list(model.parameters()) if hasattr(model, "parameters") else list(model)
    if not ps or not all(isinstance(p, Tensor) for p in ps):
        raise TypeError("landscape: model must be a Module or a non-empty list of Tensors")
    return ps


def _check_like(params, arrays, what):
    arrays = [np.asarray(a.data if isinstance(a, Tensor) else a, np.float64) for a in arrays]
    if len(arrays) != len(params):
        raise ShapeError(f"landscape: {what} has {len(arrays)} arrays for {len(params)} parameters")
    for i, (p, a) in enumerate(zip(params, arrays, strict=False)):
        if a.shape != p.shape:
            raise ShapeError(
                f"landscape: {what}[{i}] has shape {a.shape}; parameter {i} has shape {p.shape}"
            )
    return arrays


def filter_normalize(direction, params, bias="zero"):
    """Rescale each filter of ``direction`` to the norm of the matching filter of ``params``.

    Example:
        >>> d = filter_normalize([np.ones((2, 2))], [np.array([[3.0, 4.0], [0.0, 1.0]])])
        >>> np.linalg.norm(d[0], axis=1)
        array([5., 1.])
    """
    if bias not in ("zero", "keep"):
        raise ValueError(f"filter_normalize: bias must be 'zero' or 'keep'; got {bias!r}")
    out = []
    for d, p in zip(direction, params, strict=True):
        p = np.asarray(p.data if isinstance(p, Tensor) else p, np.float64)
        d = np.asarray(d, np.float64)
        if p.ndim <= 1:
            out.append(np.zeros_like(p) if bias == "zero" else p.copy())
            continue
        axes = tuple(range(1, p.ndim))
        dn = np.sqrt((d * d).sum(axis=axes, keepdims=True))
        pn = np.sqrt((p * p).sum(axis=axes, keepdims=True))
        out.append(d * pn / np.maximum(dn, 1e-12))
    return out


def random_direction(model, normalization="filter", bias="zero", generator=None):
    """A Gaussian random direction in parameter space, filter-normalised by default.

    ``normalization=None`` returns the raw Gaussian direction.

    Example:
        >>> w = Tensor(np.ones((3, 4)))
        >>> d = random_direction([w], generator=0)
        >>> np.allclose(np.linalg.norm(d[0], axis=1), 2.0)
        True
    """
    if normalization not in ("filter", None):
        raise ValueError(
            f"random_direction: normalization must be 'filter' or None; got {normalization!r}"
        )
    params, rng = _params(model), get_generator(generator)
    d = [rng.standard_normal(p.shape) for p in params]
    return d if normalization is None else filter_normalize(d, params, bias)


class Landscape(Result):
    """Result: ``alphas`` (and ``betas``), ``losses``, ``center_loss``, ``directions``."""


def _evaluator(model, loss_fn, data):
    """A no-argument function returning the current loss as a float."""

    def evaluate():
        with no_grad():
            loss = loss_fn(model) if data is None else loss_fn(model(data[0]), data[1])
        if not isinstance(loss, Tensor) or loss.size != 1:
            shape = loss.shape if isinstance(loss, Tensor) else type(loss).__name__
            raise ShapeError(f"landscape: loss_fn must return a one-element Tensor; got {shape}")
        return float(loss.item())

    return evaluate


def _batched(loss_fn, params, origin, directions, coords):
    """Losses at several grid points from one call of ``loss_fn`` on stacked parameters."""
    stacked = []
    for j, (o, p) in enumerate(zip(origin, params, strict=True)):
        moved = o.ravel() + sum(coords[:, [k]] * d[j].ravel() for k, d in enumerate(directions))
        stacked.append(Tensor(moved.reshape(len(coords), *o.shape).astype(p.dtype)))
    with no_grad():
        out = loss_fn(stacked)
    if not isinstance(out, Tensor) or out.shape != (len(coords),):
        shape = out.shape if isinstance(out, Tensor) else type(out).__name__
        raise ShapeError(f"landscape: with batch, loss_fn must return one loss per point, shape "
                         f"({len(coords)},); got {shape}")  # fmt: skip
    return out.data


def _check_batch(batch, data, where):
    if batch is not None and (data is not None or not int(batch) >= 1):
        raise ValueError(f"{where}: batch needs data=None and batch >= 1; got {batch!r}")


def _center(model, loss_fn, data, origin, directions, batch):
    """The loss at the unmoved parameters (through the batched call when ``batch`` is set)."""
    if batch:
        coords = np.zeros((1, len(directions)))
        return float(_batched(loss_fn, _params(model), origin, directions, coords)[0])
    return _evaluator(model, loss_fn, data)()


def _block_losses(block, shared):
    """Losses at the rows of ``block`` (a sweep task); the parameters are restored after."""
    model, loss_fn, data, origin, directions, batch = shared
    params = _params(model)
    if batch:
        return _batched(loss_fn, params, origin, directions, block)
    evaluate, out = _evaluator(model, loss_fn, data), np.empty(len(block))
    saved = [p.data for p in params]  # moved in place: sweep runs one task per process at a time
    try:
        for i, c in enumerate(block):
            for j, p in enumerate(params):
                step = sum(ck * d[j] for ck, d in zip(c, directions, strict=False))
                p.data = (origin[j] + step).astype(p.dtype)
            out[i] = evaluate()
    finally:
        for p, s in zip(params, saved, strict=False):
            p.data = s
    return out


def _grid_losses(model, loss_fn, data, origin, directions, coords, progress, batch=None,
                 executor=None, row=1):  # fmt: skip
    """Loss at origin + Σ cₖ dₖ for every row of ``coords``, in blocks of ``batch or row``.

    The blocks are the grid's rows (one α of a 2-D grid) or ``batch`` points; they run
    through :func:`glassgrad.sweep`, so ``executor`` spreads them over processes or Dask.
    """
    size = batch or row
    blocks = [coords[i : i + size] for i in range(0, len(coords), size)]
    shared = (model, loss_fn, data, origin, directions, batch)
    losses = sweep(_block_losses, blocks, executor, progress, shared=shared,
                   description="landscape")  # fmt: skip
    return np.concatenate(losses)


def interpolate(model, loss_fn, theta_a, theta_b, data=None, alphas=None, progress=False,
                batch=None, executor=None):  # fmt: skip
    """Loss along θ(α) = (1 - α)θ_a + αθ_b (Goodfellow et al.'s 1-D interpolation).

    Args:
        model: a Module or list of parameter Tensors (their values are restored after).
        loss_fn: ``loss_fn(model(X), y)`` when ``data=(X, y)``, else ``loss_fn(model)``.
        theta_a: parameter set at α = 0 (list of arrays/Tensors shaped like the params).
        theta_b: parameter set at α = 1.
        data: ``(X, y)`` or None.
        alphas: points α (default 25 points in [-0.25, 1.25]).
        progress: show a rich progress bar.
        batch: points per call of a vectorised ``loss_fn``, as in :func:`loss_landscape_2d`.
        executor: where the points run, as in :func:`glassgrad.sweep`.

    Example:
        >>> w = Tensor([0.0])
        >>> r = interpolate([w], lambda m: (m[0] ** 2).sum(), [[0.0]], [[2.0]], alphas=[0, 0.5, 1])
        >>> r.losses
        array([0., 1., 4.])
    """
    params = _params(model)
    _check_batch(batch, data, "interpolate")
    a = _check_like(params, theta_a, "theta_a")
    b = _check_like(params, theta_b, "theta_b")
    alphas = np.linspace(-0.25, 1.25, 25) if alphas is None else np.asarray(alphas, float)
    diff = [y - x for x, y in zip(a, b, strict=False)]
    losses = _grid_losses(model, loss_fn, data, a, [diff], alphas[:, None], progress, batch,
                          executor)  # fmt: skip
    return Landscape(alphas=alphas, losses=losses, directions=[diff])


def loss_landscape_1d(model, loss_fn, data=None, direction=None, span=1.0, steps=41,
                      generator=None, progress=False, batch=None, executor=None):  # fmt: skip
    """Loss along θ + α d for α in [-span, span]; d filter-normalised random by default.

    Arguments as for :func:`loss_landscape_2d`, with one ``direction``.

    Example:
        >>> w = Tensor([1.0])
        >>> r = loss_landscape_1d([w], lambda m: (m[0] ** 2).sum(), direction=[[1.0]], steps=3)
        >>> r.losses
        array([0., 1., 4.])
    """
    params = _params(model)
    _check_batch(batch, data, "loss_landscape_1d")
    origin = [p.data.astype(np.float64) for p in params]
    d = random_direction(params, generator=generator) if direction is None else direction
    d = _check_like(params, d, "direction")
    alphas = np.linspace(-span, span, steps)
    losses = _grid_losses(model, loss_fn, data, origin, [d], alphas[:, None], progress, batch,
                          executor)  # fmt: skip
    center = _center(model, loss_fn, data, origin, [d], batch)
    return Landscape(alphas=alphas, losses=losses, center_loss=center, directions=[d])


def loss_landscape_2d(model, loss_fn, data=None, directions=None, span=1.0, steps=21,
                      generator=None, progress=False, batch=None, executor=None):  # fmt: skip
    """Loss on the plane θ + α d₁ + β d₂, α, β in [-span, span] (``steps`` × ``steps``).

    Args:
        model: a Module or list of parameter Tensors (restored after).
        loss_fn: ``loss_fn(model(X), y)`` when ``data=(X, y)``, else ``loss_fn(model)``.
        data: ``(X, y)`` or None.
        directions: two parameter-shaped directions; default two independent
            filter-normalised Gaussian ones (see the module docstring).
        span: half-width of the square of coefficients.
        steps: grid points per axis.
        generator: seed or Generator for the random directions.
        progress: show a rich progress bar.
        batch: evaluate this many grid points per call: ``loss_fn`` then receives the
            parameters stacked along a new leading axis, ``(batch, *shape)`` each, and
            returns one loss per point (needs ``data=None`` and a vectorised loss).
        executor: where the grid rows run: None (here), a number of local processes,
            a ``concurrent.futures`` process pool or a Dask client (see
            :func:`glassgrad.sweep`); the model, loss and data go to each worker once.

    Returns:
        A ``Landscape`` with ``alphas``, ``betas``, ``losses[i, j]`` at (αᵢ, βⱼ),
        ``center_loss`` and ``directions``.

    Example:
        >>> w = Tensor([0.0, 0.0])
        >>> r = loss_landscape_2d([w], lambda m: (m[0] ** 2).sum(),
        ...                       directions=[[[1.0, 0.0]], [[0.0, 1.0]]], steps=3)
        >>> r.losses
        array([[2., 1., 2.],
               [1., 0., 1.],
               [2., 1., 2.]])
    """
    params = _params(model)
    origin = [p.data.astype(np.float64) for p in params]
    if directions is None:
        rng = get_generator(generator)
        directions = [random_direction(params, generator=rng) for _ in range(2)]
    if len(directions) != 2:
        raise ShapeError(f"loss_landscape_2d: need 2 directions; got {len(directions)}")
    ds = [_check_like(params, d, f"directions[{k}]") for k, d in enumerate(directions)]
    _check_batch(batch, data, "loss_landscape_2d")
    ax = np.linspace(-span, span, steps)
    grid = np.stack(np.meshgrid(ax, ax, indexing="ij"), axis=-1).reshape(-1, 2)
    losses = _grid_losses(model, loss_fn, data, origin, ds, grid, progress, batch, executor, steps)
    center = _center(model, loss_fn, data, origin, ds, batch)
    return Landscape(alphas=ax, betas=ax, losses=losses.reshape(steps, steps),
                     center_loss=center, directions=ds)  # fmt: skip


def pca_landscape(model, loss_fn, snapshots, data=None, steps=21, margin=0.2, progress=False,
                  executor=None):  # fmt: skip
    """The loss on the plane of a training path's top two principal directions (Li et al.).

    The plane passes through the current (final) parameters; the path is projected onto
    it, and the grid covers the path with a relative ``margin``.

    Args:
        model: a Module or list of parameter Tensors (holding the final parameters).
        loss_fn: as for :func:`loss_landscape_2d`.
        snapshots: parameter sets saved during training (each a list shaped like the params).
        data: ``(X, y)`` or None.
        steps: grid points per axis.
        margin: extra room around the path, as a fraction of its extent.
        progress: show a rich progress bar.
        executor: where the grid rows run (see :func:`glassgrad.sweep`).

    Returns:
        A ``Landscape`` with ``alphas``, ``betas``, ``losses``, ``path`` ((T, 2) coordinates),
        ``explained`` (variance fractions) and ``directions``.

    Example:
        >>> w = Tensor([0.0, 0.0])
        >>> snaps = [[[2.0, 1.0]], [[1.0, 0.5]], [[0.0, 0.0]]]
        >>> r = pca_landscape([w], lambda m: (m[0] ** 2).sum(), snaps, steps=3)
        >>> np.round(r.explained, 6)
        array([1., 0.])
    """
    from glassgrad.analysis.trajectory import pca_project

    params = _params(model)
    origin = [p.data.astype(np.float64) for p in params]
    flat = np.stack([np.concatenate([a.ravel() for a in _check_like(params, snap, "snapshot")])
                     for snap in snapshots])  # fmt: skip
    final = np.concatenate([o.ravel() for o in origin])
    coords, comps, explained = pca_project(flat, center=final)
    cuts = np.cumsum([p.size for p in params])[:-1]
    ds = [[c.reshape(p.shape) for c, p in zip(np.split(v, cuts), params, strict=True)]
          for v in comps]  # fmt: skip
    lo, hi = coords.min(0), coords.max(0)
    pad = margin * np.maximum(hi - lo, 1e-3)
    ax = [np.linspace(lo[k] - pad[k], hi[k] + pad[k], steps) for k in range(2)]
    grid = np.stack(np.meshgrid(*ax, indexing="ij"), axis=-1).reshape(-1, 2)
    losses = _grid_losses(model, loss_fn, data, origin, ds, grid, progress, None, executor, steps)
    return Landscape(alphas=ax[0], betas=ax[1], losses=losses.reshape(steps, steps),
                     path=coords, explained=explained, directions=ds)  # fmt: skip
