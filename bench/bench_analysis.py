"""Analysis benchmarks: a 41×41 loss landscape and top-5 Hessian eigenvalues of a digits MLP.

Both are computed with glassgrad and with PyTorch (float64) in one run on the same data,
weights and directions; the script prints the times, their ratio and the largest difference
between the two results. Both sides use the same number of threads (NumPy's BLAS through
threadpoolctl, PyTorch's intra-op pool): 2 by default, ``--threads N`` to change it.

Run: ``.venv/bin/python bench/bench_analysis.py`` (``--quick``: a 21×21 grid).
"""

import sys
import time

import numpy as np

import glassgrad as gg
from glassgrad.analysis import hessian_spectrum, lanczos, loss_landscape_2d, random_direction
from glassgrad.analysis.landscape import _grid_losses
from glassgrad.data import load_digits

QUICK = "--quick" in sys.argv
THREADS = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 2
STEPS = 21 if QUICK else 41
SIZES = (64, 32, 10)
K, ITERS = 5, 40


def init_params(rng):
    """He-scaled weights (out, in) and zero biases of a 64-32-10 MLP."""
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        params += [rng.normal(size=(n_out, n_in)) * np.sqrt(2.0 / n_in), np.zeros(n_out)]
    return params


def gg_loss(params, X, onehot):
    w1, b1, w2, b2 = params
    logits = gg.tanh(X @ w1.T + b1) @ w2.T + b2
    return -(gg.log_softmax(logits, axis=1) * onehot).sum() / X.shape[0]


def gg_batched_loss(params, X, onehot):
    """The same loss for parameters stacked along a leading grid axis G: returns (G,)."""
    w1, b1, w2, b2 = params
    g, hidden, n_in = w1.shape
    # first layer as one (N, 64) @ (64, G·32) product: a single large BLAS call
    z = (X @ w1.reshape(g * hidden, n_in).T).reshape(X.shape[0], g, hidden)
    h = gg.tanh(gg.swapaxes(z, 0, 1) + gg.expand_dims(b1, 1))
    logits = h @ w2.mT + gg.expand_dims(b2, 1)
    return -(gg.log_softmax(logits, axis=2) * onehot).sum(axis=(1, 2)) / X.shape[0]


def torch_loss(torch, params, X, y):
    w1, b1, w2, b2 = params
    logits = torch.tanh(X @ w1.T + b1) @ w2.T + b2
    return torch.nn.functional.cross_entropy(logits, y)


def bench_landscape(torch, arrays, X, y, onehot, batch=None):
    """Both sides evaluate the grid row by row, alternating, so machine load hits both alike."""
    params = [gg.Tensor(a) for a in arrays]
    dirs = [random_direction(params, generator=s) for s in (1, 2)]
    loss = gg_batched_loss if batch else gg_loss
    # warm-up through the public entry point
    loss_landscape_2d(params, lambda ps: loss(ps, X, onehot), directions=dirs, steps=3, batch=batch)
    tp = [torch.tensor(a) for a in arrays]
    td = [[torch.tensor(d) for d in ds] for ds in dirs]
    Xt, yt = torch.tensor(X.data), torch.tensor(y.data)
    with torch.no_grad():
        torch_loss(torch, tp, Xt, yt)  # warm-up
    ax = np.linspace(-1.0, 1.0, STEPS)
    ours, ref = np.empty((STEPS, STEPS)), np.empty((STEPS, STEPS))
    t_ours = t_ref = 0.0
    for i, a in enumerate(ax):
        row = np.stack([np.full(STEPS, a), ax], axis=1)
        t0 = time.perf_counter()
        # the grid evaluator behind loss_landscape_2d, one row of the grid at a time
        ours[i] = _grid_losses(params, lambda ps: loss(ps, X, onehot), None, arrays, dirs, row,
                               False, batch)  # fmt: skip
        t1 = time.perf_counter()
        with torch.no_grad():
            for j, b in enumerate(ax):
                moved = [p + a * d1 + b * d2 for p, d1, d2 in zip(tp, *td, strict=True)]
                ref[i, j] = torch_loss(torch, moved, Xt, yt).item()
        t_ours, t_ref = t_ours + t1 - t0, t_ref + time.perf_counter() - t1
    return t_ours, t_ref, np.abs(ours - ref).max()


def bench_spectrum(torch, arrays, X, y, onehot, rounds=3):
    """Median of ``rounds`` alternating runs on each side."""
    tp = [torch.tensor(a, requires_grad=True) for a in arrays]
    Xt, yt = torch.tensor(X.data), torch.tensor(y.data)

    def torch_top():
        grads = torch.autograd.grad(torch_loss(torch, tp, Xt, yt), tp, create_graph=True)
        flat = torch.cat([g.reshape(-1) for g in grads])

        def matvec(v):
            hv = torch.autograd.grad(flat, tp, torch.tensor(v), retain_graph=True)
            return torch.cat([h.reshape(-1) for h in hv]).numpy()

        return lanczos(matvec, flat.numel(), ITERS)[::-1][:K]

    def ours_top():
        params = [gg.Tensor(a) for a in arrays]
        return hessian_spectrum(lambda *ps: gg_loss(ps, X, onehot), params, k=K,
                                method="lanczos", iters=ITERS).top  # fmt: skip

    times, results = {ours_top: [], torch_top: []}, {}
    for _ in range(rounds):
        for fn, ts in times.items():
            t0 = time.perf_counter()
            results[fn] = fn()
            ts.append(time.perf_counter() - t0)
    t_ours, t_ref = (float(np.median(ts)) for ts in times.values())
    return t_ours, t_ref, np.abs(results[ours_top] - results[torch_top]).max()


def main():
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(THREADS)
    threadpool_limits(THREADS)
    X, y = load_digits()
    onehot = gg.Tensor(np.eye(10)[y.data])
    arrays = init_params(np.random.default_rng(0))
    n = sum(a.size for a in arrays)
    print(f"digits MLP {'-'.join(map(str, SIZES))} ({n} parameters), {X.shape[0]} samples, "
          f"torch {torch.__version__}, {THREADS} thread(s) each")  # fmt: skip
    print(f"| {'case':<46} | {'glassgrad':>10} | {'torch':>10} | {'ratio':>6} | max |diff| |")
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 12}|{'-' * 8}|{'-' * 12}|")
    cases = [
        (f"2-D landscape {STEPS}x{STEPS}", bench_landscape),
        (
            f"2-D landscape {STEPS}x{STEPS}, {STEPS} points per call",
            lambda *a: bench_landscape(*a, batch=STEPS),
        ),  # fmt: skip
        (f"top-{K} Hessian eigenvalues (Lanczos, {ITERS} HVPs)", bench_spectrum),
    ]
    for label, fn in cases:
        ours, ref, diff = fn(torch, arrays, X, y, onehot)
        print(
            f"| {label:<46} | {ours:>9.2f}s | {ref:>9.2f}s | {ours / ref:>6.2f} | {diff:>10.1e} |"
        )


if __name__ == "__main__":
    main()
