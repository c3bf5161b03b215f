"""Pictures of landscapes, trajectories and gradient flow; each returns ``(fig, numbers)``.

Figures are pyplot-managed ``matplotlib.figure.Figure`` objects, so ``plt.show()`` and
notebooks display them; matplotlib is imported lazily.
"""

import os
import tempfile

import numpy as np

from glassgrad.analysis.functions import quadratic_bowl, rosenbrock
from glassgrad.analysis.trajectory import compare_optimizers

__all__ = [
    "new_figure",
    "save_figure",
    "plot_landscape",
    "plot_interpolation",
    "plot_function",
    "plot_trajectories",
    "learning_rate_comparison",
    "optimizer_comparison",
    "plot_gradient_flow",
    "plot_rnn_gradients",
    "plot_vanishing_gradients",
]


def new_figure(ncols=1, projection=None, size=(5.0, 4.0)):
    """A pyplot Figure with ``ncols`` axes side by side: ``(fig, axes list)``.

    pyplot manages it, so ``plt.show()`` and notebooks display it; close it when done.

    Example:
        >>> fig, axes = new_figure(ncols=2)
        >>> len(axes)
        2
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(size[0] * ncols, size[1]), layout="constrained")
    axes = [fig.add_subplot(1, ncols, k + 1, projection=projection) for k in range(ncols)]
    return fig, axes


def save_figure(fig, path, formats=("png", "svg"), dpi=100):
    """Write ``fig`` as ``path`` with each suffix in ``formats``, atomically; return the paths.

    Example:
        >>> import tempfile, os
        >>> fig, _ = new_figure()
        >>> d = tempfile.mkdtemp()
        >>> [os.path.basename(p) for p in save_figure(fig, os.path.join(d, "f.png"))]
        ['f.png', 'f.svg']
    """
    root = os.path.splitext(os.fspath(path))[0]
    written = []
    for ext in formats:
        if ext not in ("png", "svg", "pdf"):
            raise ValueError(f"save_figure: formats must be png, svg or pdf; got {ext!r}")
        target = f"{root}.{ext}"
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(target)), suffix="." + ext)
        os.close(fd)
        try:
            fig.savefig(tmp, format=ext, dpi=dpi)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
        written.append(target)
    return written


def _box(f, bounds, where):
    """``((xmin, xmax), (ymin, ymax))``: ``bounds`` if given, else the function's own."""
    bounds = bounds if bounds is not None else getattr(f, "bounds", None)
    if np.shape(bounds) != (2, 2):
        raise ValueError(f"{where}: bounds must be ((xmin, xmax), (ymin, ymax)) when f has no "
                         f".bounds (a ToyFunction has); got {bounds!r}")  # fmt: skip
    return bounds


def plot_landscape(result, kind="contour", levels=30):
    """Contour (``kind="contour"``) or 3-D surface (``"surface"``) of a 2-D loss landscape.

    Returns:
        ``(fig, result)``; the centre (0, 0) is the trained parameters.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.analysis import loss_landscape_2d
        >>> r = loss_landscape_2d([Tensor([1.0, 0.0])], lambda m: (m[0] ** 2).sum(),
        ...                       directions=[[[1.0, 0.0]], [[0.0, 1.0]]], steps=3)
        >>> float(plot_landscape(r, kind="surface")[1].losses[1, 1])
        1.0
    """
    if kind not in ("contour", "surface"):
        raise ValueError(f"plot_landscape: kind must be 'contour' or 'surface'; got {kind!r}")
    if "betas" not in result or np.ndim(result["losses"]) != 2:
        raise ValueError("plot_landscape: needs a 2-D landscape (alphas, betas, losses[i, j]); "
                         f"got losses of shape {np.shape(result['losses'])}")  # fmt: skip
    a, b = np.meshgrid(result["alphas"], result["betas"], indexing="ij")
    z = np.log10(np.maximum(result["losses"], 1e-12)) if kind == "contour" else result["losses"]
    fig, (ax,) = new_figure(projection="3d" if kind == "surface" else None)
    if kind == "surface":
        ax.plot_surface(a, b, z, cmap="viridis", linewidth=0)
        ax.set_zlabel("loss")
    else:
        cs = ax.contour(a, b, z, levels=levels, cmap="viridis")
        fig.colorbar(cs, ax=ax, label="log10 loss")
        ax.plot([0], [0], "r*", markersize=10)
        if "path" in result:  # a PCA-projected training path
            ax.plot(result["path"][:, 0], result["path"][:, 1], "r-o", markersize=2)
    ax.set_xlabel("α (direction 1)")
    ax.set_ylabel("β (direction 2)")
    return fig, result


def plot_interpolation(result):
    """Loss against α for a 1-D interpolation or slice: ``(fig, result)``.

    Example:
        >>> from glassgrad import Tensor
        >>> from glassgrad.analysis import interpolate
        >>> r = interpolate([Tensor([0.0])], lambda m: (m[0] ** 2).sum(), [[0.0]], [[2.0]],
        ...                 alphas=[0, 1])
        >>> plot_interpolation(r)[1].losses
        array([0., 4.])
    """
    if np.ndim(result["losses"]) != 1:
        shape = np.shape(result["losses"])
        raise ValueError(f"plot_interpolation: needs 1-D losses; got shape {shape}")
    fig, (ax,) = new_figure()
    ax.plot(result["alphas"], result["losses"], "-o", markersize=3)
    ax.set_xlabel("α")
    ax.set_ylabel("loss")
    return fig, result


def plot_function(f, ax, bounds=None, n=120, levels=30):
    """Contour of a 2-D glassgrad function on ``ax``; returns the grid ``(X, Y, Z)``.

    Example:
        >>> fig, (ax,) = new_figure()
        >>> X, Y, Z = plot_function(quadratic_bowl(4.0), ax, n=3)
        >>> float(Z[0, 0])
        10.0
    """
    (x0, x1), (y0, y1) = _box(f, bounds, "plot_function")
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    Z = np.asarray(f(np.stack([X, Y], axis=-1)).data)
    shifted = Z - Z.min()
    ax.contour(X, Y, np.log1p(shifted) if Z.max() - Z.min() > 50 else Z, levels=levels,
               cmap="Greys", linewidths=0.6)  # fmt: skip
    ax.set(xlabel=ax.get_xlabel() or "x", ylabel=ax.get_ylabel() or "y")
    return X, Y, Z


def plot_trajectories(f, trajectories, bounds=None):
    """Overlay optimizer paths (label → Trajectory) on the contours of ``f``.

    Diverged runs are drawn up to where they left the frame and marked "diverged".

    Returns:
        ``(fig, trajectories)``.

    Example:
        >>> from glassgrad.analysis import trajectory
        >>> f = quadratic_bowl(1.0)
        >>> gd = trajectory(f, [1.0, 1.0], "sgd", steps=2, lr=0.5)
        >>> fig, runs = plot_trajectories(f, {"gd": gd})
        >>> runs["gd"].path[-1]
        array([0.25, 0.25])
    """
    fig, (ax,) = new_figure(size=(6.0, 5.0))
    bounds = _box(f, bounds, "plot_trajectories")
    plot_function(f, ax, bounds)
    for label, t in trajectories.items():
        path = t.path[np.all(np.isfinite(t.path), axis=1)]
        tag = f"{label} (diverged)" if t.diverged else f"{label}: {t.losses[-1]:.2g}"
        ax.plot(path[:, 0], path[:, 1], "-o", markersize=2, linewidth=1.2, label=tag)
    for p in getattr(f, "minima", []):
        ax.plot(*p, "k*", markersize=12)
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    ax.legend(fontsize=8)
    return fig, trajectories


def learning_rate_comparison(f=None, x0=(-1.8, 1.6), lrs=None, steps=40):
    """GD with a too-small, a good and a too-large learning rate (the notes' picture).

    Default f: the bowl ½(x² + 10y²) (L = 10), rates 0.01, 0.15 and 0.21 > 2/L.

    Returns:
        ``(fig, trajectories)``.

    Example:
        >>> fig, runs = learning_rate_comparison()
        >>> [t.diverged for t in runs.values()]
        [False, False, True]
    """
    f = quadratic_bowl(10.0) if f is None else f
    lrs = {"too small": 0.01, "good": 0.15, "too large": 0.21} if lrs is None else lrs
    runs = {f"{k} (lr={v:g})": ("sgd", {"lr": v}) for k, v in lrs.items()}
    return plot_trajectories(f, compare_optimizers(f, x0, runs, steps))


def optimizer_comparison(f=None, x0=(-1.5, 2.0), steps=200, lr=1e-3):
    """GD, momentum, Nesterov, Adam and Newton from one start (default: Rosenbrock).

    Returns:
        ``(fig, trajectories)``.

    Example:
        >>> fig, runs = optimizer_comparison(steps=5)
        >>> list(runs)
        ['GD', 'momentum', 'Nesterov', 'Adam', 'Newton']
    """
    f = rosenbrock() if f is None else f
    runs = {
        "GD": ("sgd", {"lr": lr}),
        "momentum": ("sgd", {"lr": lr, "momentum": 0.9}),
        "Nesterov": ("sgd", {"lr": lr, "momentum": 0.9, "nesterov": True}),
        "Adam": ("adam", {"lr": 0.05}),
        "Newton": ("newton", {"line_search": True}),
    }
    return plot_trajectories(f, compare_optimizers(f, x0, runs, steps))


def plot_gradient_flow(norms, title="gradient norm per layer"):
    """Bar chart (log scale) of gradient norms: a dict name → norm or an array.

    Returns:
        ``(fig, norms)``.

    Example:
        >>> fig, norms = plot_gradient_flow({"0": 1e-3, "1": 1.0})
        >>> fig.axes[0].get_yscale()
        'log'
    """
    names = list(norms) if isinstance(norms, dict) else [str(i + 1) for i in range(len(norms))]
    values = np.array(list(norms.values()) if isinstance(norms, dict) else norms, dtype=float)
    fig, (ax,) = new_figure()
    ax.bar(names, values)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("layer")
    return fig, norms


def plot_rnn_gradients(radii=(0.9, 1.0, 1.1), steps=30):
    """‖∂L/∂h_t‖ over time for recurrent matrices of several spectral radii, with |λ|^k.

    Returns:
        ``(fig, {radius: norms})``.

    Example:
        >>> fig, data = plot_rnn_gradients((0.5,), steps=2)
        >>> np.round(data[0.5] / data[0.5][-1], 6)
        array([0.25, 0.5 , 1.  ])
    """
    from glassgrad.analysis.flow import rnn_gradient_demo

    data = {r: rnn_gradient_demo(r, steps) for r in radii}
    fig, (ax,) = new_figure()
    k = np.arange(steps, -1, -1)
    for r, g in data.items():
        ax.semilogy(k, g, "o", markersize=3, label=f"|λ| = {r:g}")
        ax.semilogy(k, g[-1] * r**k, "k--", linewidth=0.7)
    ax.set_xlabel("steps back in time k")
    ax.set_ylabel("‖∂L/∂h‖")
    ax.legend()
    return fig, data


def plot_vanishing_gradients(depth=10, width=32):
    """Per-layer weight-gradient norms of deep sigmoid (Xavier) and ReLU (He) stacks.

    Returns:
        ``(fig, {"sigmoid": norms, "relu": norms})``, first layer first.

    Example:
        >>> fig, data = plot_vanishing_gradients(depth=3)
        >>> sorted(data)
        ['relu', 'sigmoid']
    """
    from glassgrad.analysis.flow import vanishing_gradient_demo

    data = {a: vanishing_gradient_demo(depth, a, width) for a in ("sigmoid", "relu")}
    fig, (ax,) = new_figure()
    for a, g in data.items():
        ax.semilogy(np.arange(1, depth + 1), g, "-o", markersize=3, label=a)
    ax.set_xlabel("layer (input side first)")
    ax.set_ylabel("‖∂L/∂W‖")
    ax.legend()
    return fig, data
