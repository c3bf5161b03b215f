"""The labs' interactive figures: each slider position is a glassgrad computation.

Every figure's frame is a plain function of its parameters (``_gd_frame(lr=0.1)``), evaluated
over a grid by :class:`~glassgrad.labs.interactive.Interactive`.
"""

import functools

import numpy as np

from glassgrad.labs.interactive import Interactive

__all__ = [
    "adam_betas",
    "bayes_test",
    "gaussian",
    "gd_learning_rate",
    "gd_valley",
    "landscape_paths",
    "lora_rank",
    "matrix_circle",
    "svd_rank",
]

_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


def _gg():
    import glassgrad

    return glassgrad


def _layout(x, y, xrange=None, yrange=None, equal=False, ylog=False):
    """A compact layout with titled axes (and fixed ranges, so frames do not rescale)."""
    xaxis, yaxis = {"title": {"text": x}}, {"title": {"text": y}}
    if equal:
        yaxis["scaleanchor"] = "x"
    if ylog:
        yaxis["type"] = "log"
    if xrange is not None:
        xaxis["range"] = list(xrange)
    if yrange is not None:
        yaxis["range"] = list(yrange)
    layout = {"xaxis": xaxis, "yaxis": yaxis, "height": 380, "margin": {"l": 55, "r": 10, "t": 40}}
    layout["legend"] = {"orientation": "h", "y": -0.25}
    return layout


def _line(x, y, name, color=0, mode="lines", **extra):
    return {"type": "scatter", "mode": mode, "x": x, "y": y, "name": name,
            "line": {"color": _COLORS[color]}, **extra}  # fmt: skip


def _bars(labels, values, texts):
    """Two bars (a before and an after) with their values written above them."""
    return {"type": "bar", "x": labels, "y": values, "text": texts, "textposition": "outside",
            "marker": {"color": list(_COLORS[: len(labels)])}, "showlegend": False}  # fmt: skip


def _ranks(matrix, candidates=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64)):
    """The slider's ranks: the candidates a matrix of this shape can have."""
    return [k for k in candidates if k <= min(matrix.shape)]


_HOVER = "x %{x:.2f}, y %{y:.2f}<br>loss %{customdata:.4g}<extra></extra>"


def _contour(f, bounds, n=80, log=False):
    """A contour trace of a ToyFunction with the loss in the hover text."""
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    z = f(grid).numpy()
    shown = np.log10(z + 1e-3) if log else z
    title = "log₁₀ loss" if log else "loss"
    return {"type": "contour", "x": xs, "y": ys, "z": shown, "customdata": z,
            "colorscale": "Viridis", "ncontours": 25, "showscale": False, "name": title,
            "hovertemplate": _HOVER}  # fmt: skip


def _run(f, x0, optimizer, steps, **hyper):
    return _gg().analysis.trajectory(f, x0, optimizer, steps=steps, **hyper)


def _fate(t):
    return f"diverged ({t.reason})" if t.diverged else f"final loss {t.losses[-1]:.3g}"


def _gd_frame(lr):
    t = _run(lambda x: (x * x).sum(), [1.0], "sgd", 20, lr=lr, max_norm=50)
    factor = abs(1 - 2 * lr)
    verdict = "converges" if factor < 1 else "diverges"
    title = f"lr = {lr:g}: each step multiplies x by 1 − 2·lr = {1 - 2 * lr:.2f}; {verdict}"
    return {"data": [_line(list(range(len(t.path))), t.path[:, 0], "x after k steps", 0,
                           "lines+markers")], "title": title}  # fmt: skip


def gd_learning_rate():
    """Gradient descent on f(x) = x² from x = 1, with a learning-rate slider."""
    lrs = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.02, 1.05, 1.1]
    return Interactive(
        _gd_frame,
        {"lr": ("learning rate", lrs)},
        layout=_layout("step k", "x after k steps", (0, 20), (-2.5, 2.5)),
        start={"lr": 0.4},
        caption="Slide the learning rate: below 0.5 x creeps to 0, at 0.5 it lands in one "
        "step, between 0.5 and 1 it overshoots and zigzags in, and above 1 every step "
        "overshoots further, so x diverges.",
    )


_VALLEY = 25.0


def _valley_frame(lr, momentum):
    f = _gg().analysis.quadratic_bowl(_VALLEY)
    t = _run(f, [-1.8, 0.6], "sgd", 60, lr=lr, momentum=momentum, max_norm=20)
    title = f"lr {lr:g}, β {momentum:g}: {_fate(t)} after {len(t.path) - 1} steps"
    return {"data": [_line(t.path[:, 0], t.path[:, 1], "path", 1, "lines+markers",
                           marker={"size": 4})], "title": title}  # fmt: skip


def gd_valley():
    """Gradient descent with momentum on the narrow valley ½(x² + 25y²)."""
    f = _gg().analysis.quadratic_bowl(_VALLEY)
    return Interactive(
        _valley_frame,
        {
            "lr": ("learning rate", [0.005, 0.01, 0.02, 0.04, 0.06, 0.078, 0.082, 0.1, 0.15]),
            "momentum": ("momentum β", [0.0, 0.3, 0.6, 0.8, 0.9]),
        },
        static=[_contour(f, ((-2, 2), (-1, 1)))],
        layout=_layout("x", "y", (-2, 2), (-1, 1)),
        start={"lr": 0.02, "momentum": 0.0},
        caption="Plain GD (β = 0) is stable only for lr < 2/25 = 0.08: the steep y direction "
        "sets the limit while x crawls. Raise β and the ball keeps its speed along the "
        "valley floor; momentum also moves the limit up to 2(1 + β)/25.",
    )


_ROSEN_START = [-1.5, 2.0]


def _adam_frame(beta1, beta2):
    f = _gg().analysis.rosenbrock()
    t = _run(f, _ROSEN_START, "adam", 200, lr=0.1, betas=(beta1, beta2))
    title = f"Adam β₁ {beta1:g}, β₂ {beta2:g}: {_fate(t)}"
    return {"data": [_line(t.path[:, 0], t.path[:, 1], "Adam", 1)], "title": title}


def adam_betas():
    """Adam's β₁ and β₂ against plain gradient descent on Rosenbrock's valley."""
    f = _gg().analysis.rosenbrock()
    sgd = _run(f, _ROSEN_START, "sgd", 200, lr=1e-3)
    return Interactive(
        _adam_frame,
        {
            "beta1": ("β₁ (momentum)", [0.0, 0.5, 0.8, 0.9, 0.95]),
            "beta2": ("β₂ (squared-gradient memory)", [0.9, 0.99, 0.999]),
        },  # fmt: skip
        static=[
            _contour(f, ((-2, 2), (-1, 3)), log=True),
            _line(sgd.path[:, 0], sgd.path[:, 1], f"GD lr 0.001: {_fate(sgd)}", 0),
            _line([1.0], [1.0], "minimum (1, 1)", 2, "markers", marker={"size": 10}),
        ],
        layout=_layout("x", "y", (-2, 2), (-1, 3)),
        start={"beta1": 0.9, "beta2": 0.999},
        caption="In the same 200 steps GD (blue) only creeps into the curved valley, while "
        "Adam (red, lr 0.1) rescales each coordinate and travels along the floor. With "
        "β₁ = 0 it has no momentum and zigzags; β₁ near 1 carries it past the bends; a "
        "short β₂ memory makes its step size jumpy.",
    )


_STARTS = {"(−4, 0)": [-4.0, 0.0], "(0, 0)": [0.0, 0.0], "(1, −4)": [1.0, -4.0],
           "(4, 4)": [4.0, 4.0]}  # fmt: skip
_PATH_RUNS = {"GD lr 0.01": ("sgd", {"lr": 0.01}),
              "momentum 0.9, lr 0.002": ("sgd", {"lr": 0.002, "momentum": 0.9}),
              "Adam lr 0.1": ("adam", {"lr": 0.1})}  # fmt: skip


@functools.cache
def _himmelblau_run(start, name):
    """One optimizer's 80 steps on Himmelblau from a named start (shorter runs are prefixes)."""
    opt, hyper = _PATH_RUNS[name]
    return _run(_gg().analysis.himmelblau(), _STARTS[start], opt, 80, max_norm=30, **hyper)


def _paths_frame(start, steps):
    data, ends = [], []
    for i, name in enumerate(_PATH_RUNS):
        t = _himmelblau_run(start, name)
        path, loss = t.path[: steps + 1], t.losses[min(steps, len(t.losses) - 1)]
        data.append(_line(path[:, 0], path[:, 1], name, i + 1, "lines+markers",
                          marker={"size": 3}))  # fmt: skip
        ends.append(f"{name.split()[0]} {loss:.2g}")
    return {"data": data, "title": f"from {start}, {steps} steps: loss " + ", ".join(ends)}


def landscape_paths():
    """Himmelblau's landscape (hover for the loss) with three optimizers' paths."""
    f = _gg().analysis.himmelblau()
    return Interactive(
        _paths_frame,
        {"start": ("start", list(_STARTS)), "steps": ("steps", [1, 5, 10, 20, 40, 80])},
        static=[_contour(f, ((-5, 5), (-5, 5)), n=90, log=True)],
        layout=_layout("x", "y", (-5, 5), (-5, 5)),
        start={"start": "(0, 0)", "steps": 40},
        caption="Hover over the map to read the loss. Himmelblau has four minima: which one an "
        "optimizer reaches depends on where it starts and how it moves. Step through time "
        "to watch momentum overshoot and Adam take equal-sized steps.",
    )


def _svd_frame(image, k):
    gg = _gg()
    U, S, Vh = gg.linalg.svd(gg.tensor(image), full_matrices=False)
    approx = ((U[:, :k] * S[:k]) @ Vh[:k]).numpy()
    m, n = image.shape
    error = np.linalg.norm(image - approx) / np.linalg.norm(image)
    title = (f"rank {k}: {k * (m + n + 1)} numbers instead of {m * n}, "
             f"relative error {100 * error:.1f}%")  # fmt: skip
    heat = {"type": "heatmap", "z": approx[::-1], "colorscale": "Greys", "reversescale": True,
            "showscale": False, "zmin": 0, "zmax": 1.4, "name": f"rank {k}",
            "hovertemplate": "column %{x}, row %{y}<br>value %{z:.3f}<extra></extra>"}  # fmt: skip
    return {"data": [heat], "title": title}


def svd_rank(image):
    """The rank-k SVD reconstruction of ``image`` (a 2-D array), with a slider over k."""
    image = np.asarray(image, dtype=float)
    ranks = _ranks(image)
    return Interactive(
        lambda k: _svd_frame(image, k),
        {"k": ("rank k", ranks)},
        layout=_layout("column", "row", equal=True),
        start={"k": min(4, ranks[-1])},
        caption="Slide k: a handful of singular triplets already carries the shading, the "
        "disc and the bar; the rest of the spectrum is mostly noise. The title counts the "
        "numbers stored, k(m + n + 1), against m·n.",
    )


def _lora_frame(delta, r):
    gg = _gg()
    d_out, d_in = delta.shape
    S = gg.linalg.svdvals(gg.tensor(delta)).numpy()
    kept = np.sqrt(np.sum(S[:r] ** 2) / np.sum(S**2))
    trainable, full = r * (d_in + d_out), d_in * d_out
    title = (f"r = {r}: {trainable:,} trainable parameters ({100 * trainable / full:.1f}% "
             f"of {full:,}); captures {100 * kept:.1f}% of ‖ΔW‖")  # fmt: skip
    bars = _bars(["full fine-tuning", f"LoRA r = {r}"], [full, trainable],
                 [f"{full:,}", f"{trainable:,}"])  # fmt: skip
    return {"data": [bars], "title": title}


def lora_rank(delta):
    """LoRA's trainable-parameter count and captured update norm against rank r.

    ``delta`` is a weight update ΔW (d_out × d_in); the best rank-r approximation
    (Eckart–Young) is what a rank-r adapter B·A can at most represent.
    """
    delta = np.asarray(delta, dtype=float)
    ranks = _ranks(delta, (1, 2, 4, 8, 16, 32, 64))
    return Interactive(
        lambda r: _lora_frame(delta, r),
        {"r": ("LoRA rank r", ranks)},
        layout=_layout(
            "how the layer is fine-tuned", "trainable parameters (log scale)", ylog=True
        ),
        start={"r": min(8, ranks[-1])},
        caption="LoRA trains B (d_out × r) and A (r × d_in) instead of the full d_out × d_in "
        "update. The count grows linearly in r while the captured share of the update "
        "saturates: a small r keeps most of it when the update is nearly low-rank.",
    )


def _bayes_frame(prior, sensitivity, false_alarm):
    result = _gg().prob.bayes_rule(prior, sensitivity, false_alarm)
    post = float(result.posterior)
    bars = _bars(["prior P(ill)", "posterior P(ill | +)"], [prior, post],
                 [f"{100 * prior:.1f}%", f"{100 * post:.1f}%"])  # fmt: skip
    title = f"P(+) = {float(result.evidence):.4f}, so a positive test means {100 * post:.1f}% ill"
    return {"data": [bars], "title": title}


def bayes_test():
    """The disease test: prior, sensitivity and false-alarm sliders; the posterior moves."""
    return Interactive(
        _bayes_frame,
        {
            "prior": ("prior P(ill)", [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5]),
            "sensitivity": ("P(+ | ill)", [0.6, 0.8, 0.9, 0.95, 0.99]),
            "false_alarm": ("P(+ | healthy)", [0.01, 0.02, 0.05, 0.1, 0.2]),
        },
        layout=_layout("belief about the patient", "probability", yrange=(0, 1.1)),
        start={"prior": 0.01, "sensitivity": 0.99, "false_alarm": 0.05},
        caption="With a rare disease most positives are false alarms: at 1% prevalence a "
        "99%-sensitive test with 5% false alarms gives only 17%. Raise the prior or lower "
        "the false-alarm rate and watch the posterior climb.",
    )


def _gaussian_frame(mu, sigma):
    gg = _gg()
    xs = np.linspace(-5, 5, 201)
    pdf = gg.prob.Normal(mu, sigma).log_prob(gg.tensor(xs)).exp().numpy()
    title = (
        f"N({mu:g}, {sigma:g}²): peak height 1/(σ√(2π)) = {1 / (sigma * np.sqrt(2 * np.pi)):.3f}"
    )
    return {"data": [_line(xs, pdf, f"μ = {mu:g}, σ = {sigma:g}", 1)], "title": title}


def gaussian():
    """A Normal density with μ and σ sliders, against the standard normal."""
    xs = np.linspace(-5, 5, 201)
    std = np.exp(-0.5 * xs**2) / np.sqrt(2 * np.pi)
    return Interactive(
        _gaussian_frame,
        {
            "mu": ("mean μ", [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0]),
            "sigma": ("standard deviation σ", [0.3, 0.5, 0.75, 1.0, 1.5, 2.0]),
        },  # fmt: skip
        static=[_line(xs, std, "N(0, 1)", 0, line_dash="dot")],
        layout=_layout("x", "density p(x)", (-5, 5), (0, 1.4)),
        start={"mu": 0.0, "sigma": 1.0},
        caption="μ slides the bell without changing its shape; σ widens it and, because the "
        "area stays 1, lowers the peak.",
    )


def _matrix_frame(b, c, a=1.5, d=1.0):
    gg = _gg()
    theta = np.linspace(0, 2 * np.pi, 121)
    circle = np.stack([np.cos(theta), np.sin(theta)])
    image = (gg.tensor([[a, b], [c, d]]) @ gg.tensor(circle)).numpy()
    data = [_line(image[0], image[1], "A·(unit circle)", 1)]
    values, vectors = np.linalg.eig(np.array([[a, b], [c, d]]))
    if np.all(np.isreal(values)):
        for i, (lam, v) in enumerate(zip(values.real, vectors.real.T, strict=True)):
            tip = lam * v  # A v = λ v: the eigenvector is only stretched
            data.append(_line([-tip[0], tip[0]], [-tip[1], tip[1]], f"λ = {lam:.2f} · v",
                              2 + i, "lines+markers", marker={"size": 6}))  # fmt: skip
        what = f"eigenvalues {values.real[0]:.2f}, {values.real[1]:.2f}"
    else:
        what = "complex eigenvalues, A rotates; no real eigenvector"
    title = f"A = [[{a:g}, {b:g}], [{c:g}, {d:g}]]: {what}"
    return {"data": data, "title": title}


def matrix_circle():
    """A 2×2 matrix acting on the unit circle, with its real eigenvectors drawn as λ·v."""
    theta = np.linspace(0, 2 * np.pi, 121)
    values = [-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5]
    return Interactive(
        _matrix_frame,
        {"b": ("top-right entry b", values), "c": ("bottom-left entry c", values)},
        static=[_line(np.cos(theta), np.sin(theta), "unit circle", 0, line_dash="dot")],
        layout=_layout("first coordinate", "second coordinate", (-3, 3), (-3, 3), equal=True),
        start={"b": 0.5, "c": 0.5},
        caption="The circle becomes an ellipse. Along an eigenvector A only stretches (by λ); "
        "with b = c the matrix is symmetric and its eigenvectors are perpendicular; when b "
        "and c have opposite signs the eigenvalues turn complex and no direction survives.",
    )
