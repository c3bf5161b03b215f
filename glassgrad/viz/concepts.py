"""Concept figures from the course notes; each returns ``(fig, numbers)``.

The numbers are computed with glassgrad (gradients by autodiff, norms and densities from
ops), so the pictures and the tests see the same values.
"""

import math

import numpy as np

import glassgrad.core.ops as ops
from glassgrad.core.tensor import Tensor
from glassgrad.core.transforms import grad
from glassgrad.viz.plots import _box, new_figure, plot_function

__all__ = [
    "tangent_slopes",
    "gradient_field",
    "unit_balls",
    "eigen_transform",
    "bernoulli_bars",
    "gaussian_curves",
    "prior_posterior",
    "decision_boundary",
    "training_curves",
]


def tangent_slopes(f=None, points=(-1.5, -0.5, 0.5, 1.5), bounds=(-2.0, 2.0)):
    """Plot f (default x²) with its tangent lines y = f(a) + f'(a)(x - a) at ``points``.

    Returns:
        ``(fig, {"points", "values", "slopes"})`` with slopes from ``glassgrad.grad``.

    Example:
        >>> fig, d = tangent_slopes(points=(1.0, 3.0))
        >>> d["slopes"]
        array([2., 6.])
    """
    f = (lambda x: x * x) if f is None else f
    df = grad(f)
    slopes = np.array([float(df(float(a))) for a in points])
    values = np.array([float(f(Tensor(float(a)))) for a in points])
    x = np.linspace(*bounds, 200)
    fig, (ax,) = new_figure()
    ax.plot(x, f(Tensor(x)).data, "k", label="f(x)")
    for a, v, s in zip(points, values, slopes, strict=True):
        ax.plot(x, v + s * (x - a), "--", linewidth=0.8, label=f"slope {s:.3g} at {a:g}")
    ax.set_ylim(min(values.min(), 0) - 1, f(Tensor(x)).data.max() + 0.5)
    ax.set(xlabel="x", ylabel="f(x)")
    ax.legend(fontsize=7)
    return fig, {"points": np.asarray(points, float), "values": values, "slopes": slopes}


def gradient_field(f, bounds=None, n=15):
    """Quiver plot of -∇f on an n×n grid over the contours of 2-D ``f``.

    Returns:
        ``(fig, {"X", "Y", "U", "V"})`` with (U, V) = ∇f (computed in one batched sweep).

    Example:
        >>> from glassgrad.analysis import saddle
        >>> _, d = gradient_field(saddle(), n=3)
        >>> d["U"][0], d["V"][0]
        (array([-4.,  0.,  4.]), array([4., 4., 4.]))
    """
    (x0, x1), (y0, y1) = _box(f, bounds, "gradient_field")
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    g = grad(lambda p: ops.sum(f(p)))(np.stack([X, Y], axis=-1)).data
    fig, (ax,) = new_figure()
    plot_function(f, ax, ((x0, x1), (y0, y1)))
    ax.quiver(X, Y, -g[..., 0], -g[..., 1], angles="xy", color="tab:blue")
    ax.set_title("-∇f points downhill")
    return fig, {"X": X, "Y": Y, "U": g[..., 0], "V": g[..., 1]}


def unit_balls(ps=(1, 2, math.inf), n=400):
    """The unit circles {x : ‖x‖_p = 1} for each p (diamond, circle, square).

    Returns:
        ``(fig, {p: (n, 2) boundary points})``: the direction (cos θ, sin θ) scaled by 1/‖·‖_p.

    Example:
        >>> _, pts = unit_balls(ps=(1,), n=5)
        >>> np.round(np.abs(pts[1]).sum(axis=1), 6)
        array([1., 1., 1., 1., 1.])
    """
    theta = np.linspace(0, 2 * np.pi, n)
    u = Tensor(np.stack([np.cos(theta), np.sin(theta)], axis=-1))
    fig, (ax,) = new_figure(size=(4.5, 4.5))
    data = {}
    for p in ps:
        a = ops.absolute(u)
        norm = ops.max(a, axis=-1) if p == math.inf else ops.sum(a**p, axis=-1) ** (1.0 / p)
        pts = (u / ops.expand_dims(norm, -1)).data
        data[p] = pts
        ax.plot(pts[:, 0], pts[:, 1], label=f"p = {p}")
    ax.set(aspect="equal", xlabel="x₁", ylabel="x₂")
    ax.legend()
    return fig, data


def eigen_transform(matrix=((2.0, 1.0), (1.0, 2.0)), n=200):
    """A 2×2 matrix acting on the unit circle, with its eigenvectors (stretched by λ).

    Returns:
        ``(fig, {"eigenvalues", "eigenvectors", "circle", "image"})``.

    Example:
        >>> _, d = eigen_transform([[2.0, 0.0], [0.0, 0.5]])
        >>> d["eigenvalues"]
        array([2. , 0.5])
    """
    a = np.asarray(matrix, dtype=float)
    if a.shape != (2, 2):
        raise ValueError(f"eigen_transform: matrix must be 2x2; got shape {a.shape}")
    evals, evecs = np.linalg.eig(a)
    theta = np.linspace(0, 2 * np.pi, n)
    circle = np.stack([np.cos(theta), np.sin(theta)])
    image = (Tensor(a) @ Tensor(circle)).data
    fig, (ax,) = new_figure(size=(4.5, 4.5))
    ax.plot(*circle, "k:", label="unit circle")
    ax.plot(*image, "tab:blue", label="A · circle")
    for lam, v in zip(evals.real, evecs.real.T, strict=True):
        ax.annotate("", xy=lam * v, xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "r"})
        ax.plot(*np.stack([v, lam * v]).T, "r.", label=f"λ = {lam:.3g}")
    ax.set(aspect="equal", xlabel="first coordinate", ylabel="second coordinate")
    ax.legend(fontsize=7)
    return fig, {"eigenvalues": evals, "eigenvectors": evecs, "circle": circle, "image": image}


def bernoulli_bars(ps=(0.2, 0.5, 0.8)):
    """Bars of P(X=0), P(X=1) for Bernoulli(p), with mean p and std √(p(1-p)).

    Returns:
        ``(fig, {p: {"pmf", "mean", "std"}})``.

    Example:
        >>> _, d = bernoulli_bars((0.5,))
        >>> d[0.5]["mean"], d[0.5]["std"]
        (0.5, 0.5)
    """
    if not all(0 <= p <= 1 for p in ps):
        raise ValueError(f"bernoulli_bars: each p must be in [0, 1]; got {ps!r}")
    fig, axes = new_figure(ncols=len(ps), size=(3.0, 3.0))
    data = {}
    for ax, p in zip(axes, ps, strict=True):
        pmf = np.array([1 - p, p])
        mean = float((pmf * np.array([0.0, 1.0])).sum())
        std = math.sqrt(float((pmf * (np.array([0.0, 1.0]) - mean) ** 2).sum()))
        ax.bar([0, 1], pmf, color=["tab:gray", "tab:blue"])
        ax.errorbar([mean], [0.5], xerr=[std], fmt="ro", capsize=4)
        ax.set(title=f"p = {p:g}: μ = {mean:.2g}, σ = {std:.2g}", xlabel="x", ylabel="P(X = x)")
        data[p] = {"pmf": pmf, "mean": mean, "std": std}
    return fig, data


def gaussian_curves(params=((0.0, 1.0), (1.0, 0.5), (-1.0, 2.0)), n=400):
    """Normal densities N(μ, σ²) with μ ± σ marked.

    Returns:
        ``(fig, {"x", (mu, sigma): pdf})``.

    Example:
        >>> _, d = gaussian_curves(((0.0, 1.0),), n=3)
        >>> round(float(d[(0.0, 1.0)][1]), 6)
        0.398942
    """
    if not all(s > 0 for _, s in params):
        raise ValueError(f"gaussian_curves: each sigma must be > 0; got params {params!r}")
    lo = min(m - 4 * s for m, s in params)
    hi = max(m + 4 * s for m, s in params)
    x = Tensor(np.linspace(lo, hi, n))
    fig, (ax,) = new_figure()
    data = {"x": x.data}
    for mu, sigma in params:
        pdf = ops.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        data[(mu, sigma)] = pdf.data
        (line,) = ax.plot(x.data, pdf.data, label=f"μ = {mu:g}, σ = {sigma:g}")
        ax.axvspan(mu - sigma, mu + sigma, color=line.get_color(), alpha=0.12)
    ax.set(xlabel="x", ylabel="density p(x)")
    ax.legend()
    return fig, data


def prior_posterior(a=2.0, b=2.0, heads=7, tails=3, n=501):
    """Beta(a, b) prior × Bernoulli likelihood → posterior over the coin's bias θ, on a grid.

    The posterior is normalised numerically (Bayes' rule on a grid); it equals
    Beta(a + heads, b + tails), the conjugate update.

    Returns:
        ``(fig, {"theta", "prior", "likelihood", "posterior", "posterior_mean"})``.

    Example:
        >>> round(prior_posterior(1.0, 1.0, heads=3, tails=1)[1]["posterior_mean"], 3)
        0.667
    """
    if not (a > 0 and b > 0 and heads >= 0 and tails >= 0):
        raise ValueError(f"prior_posterior: need a, b > 0 and counts >= 0; got a={a}, b={b}, "
                         f"heads={heads}, tails={tails}")  # fmt: skip
    theta = np.linspace(0, 1, n)
    dx = theta[1] - theta[0]

    def normalise(v):
        return v / (v.sum() * dx)

    prior = normalise(theta ** (a - 1) * (1 - theta) ** (b - 1))
    likelihood = theta**heads * (1 - theta) ** tails
    posterior = normalise(prior * likelihood)
    fig, (ax,) = new_figure()
    ax.plot(theta, prior, label=f"prior Beta({a:g}, {b:g})")
    ax.plot(theta, normalise(likelihood), ":", label=f"likelihood ({heads} H, {tails} T)")
    ax.plot(theta, posterior, label="posterior")
    ax.set_xlabel("θ")
    ax.legend()
    mean = float((theta * posterior).sum() * dx)
    return fig, {"theta": theta, "prior": prior, "likelihood": likelihood,
                 "posterior": posterior, "posterior_mean": mean}  # fmt: skip


def decision_boundary(model, X, y, resolution=150, margin=0.5):
    """Predicted class over the plane of 2-D inputs, with the data on top.

    ``model`` maps an (m, 2) Tensor to scores (m, classes) or (m,)/(m, 1) logits
    (class 1 where the logit is > 0).

    Returns:
        ``(fig, {"xx", "yy", "classes", "accuracy"})``.

    Example:
        >>> _, d = decision_boundary(lambda P: P[:, 0], [[-1.0, 0.0], [1.0, 0.0]], [0, 1], 5)
        >>> d["accuracy"]
        1.0
    """
    X = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=float)
    y = np.asarray(y.data if isinstance(y, Tensor) else y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must have shape (n, 2); got {X.shape}")

    def predict(points):
        s = np.asarray(model(Tensor(points)).data)
        return (s.reshape(-1) > 0).astype(int) if s.ndim == 1 or s.shape[1] == 1 else s.argmax(1)

    lo, hi = X.min(0) - margin, X.max(0) + margin
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    classes = predict(np.stack([xx.ravel(), yy.ravel()], axis=1)).reshape(xx.shape)
    fig, (ax,) = new_figure()
    ax.contourf(xx, yy, classes, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3)
    accuracy = float((predict(X) == y).mean())
    ax.set_title(f"accuracy {accuracy:.3f}")
    return fig, {"xx": xx, "yy": yy, "classes": classes, "accuracy": accuracy}


def training_curves(history):
    """Curves of every series in ``history`` (name → list per epoch); losses on a log axis.

    Returns:
        ``(fig, history)``.

    Example:
        >>> fig, h = training_curves({"loss": [1.0, 0.5], "acc": [0.6, 0.8]})
        >>> len(fig.axes)
        2
    """
    if not isinstance(history, dict) or not history:
        raise ValueError("training_curves: history must be a non-empty dict name -> values")
    losses = {k: v for k, v in history.items() if "loss" in k}
    others = {k: v for k, v in history.items() if "loss" not in k}
    groups = [g for g in (losses, others) if g]
    fig, axes = new_figure(ncols=len(groups))
    for ax, group in zip(axes, groups, strict=True):
        for k, v in group.items():
            ax.plot(np.arange(1, len(v) + 1), np.asarray(v, float), "-o", markersize=3, label=k)
        ax.set_xlabel("epoch")
        ax.set_yscale("log" if group is losses else "linear")
        ax.legend()
    return fig, history
