"""Core engine benchmarks: glassgrad vs PyTorch (and hand-written NumPy) on the same work.

Run: ``.venv/bin/python bench/bench_core.py`` (``--quick`` for fewer repeats; case letters,
e.g. ``c d``, to run only those). Prints a table of median times and ratios, the two sides'
samples interleaved; the targets are goals to read, never asserted.
"""

import statistics
import sys
import time

import numpy as np

import glassgrad as gg

QUICK = "--quick" in sys.argv
CHAIN = ("add", "mul", "tanh", "exp", "sub")


def median_times(*fns, repeats=None, min_time=0.05):
    """Median seconds per call of each function, their samples interleaved (same load)."""
    inner = []
    for fn in fns:
        fn()
        t0 = time.perf_counter()
        fn()
        inner.append(max(1, int(min_time / max(time.perf_counter() - t0, 1e-9))))
    samples = [[] for _ in fns]
    for _ in range(repeats or (5 if QUICK else 11)):
        for fn, n, out in zip(fns, inner, samples, strict=True):
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            out.append((time.perf_counter() - t0) / n)
    return [statistics.median(s) for s in samples]


def run_chain(x, y, ops, tanh, exp):
    v = x
    for op in ops:
        if op == "add":
            v = v + y
        elif op == "mul":
            v = v * y
        elif op == "sub":
            v = v - y
        elif op == "tanh":
            v = tanh(v)
        else:
            v = exp(v)
    return v


def bench_chain(torch):
    rng = np.random.default_rng(42)
    x = rng.standard_normal(10).astype(np.float32)
    y = rng.uniform(0.5, 1.5, 10).astype(np.float32)
    ops = [CHAIN[i % len(CHAIN)] for i in range(1000)]
    gx, gy = gg.Tensor(x, requires_grad=True), gg.Tensor(y, requires_grad=True)
    tx, ty = torch.from_numpy(x).requires_grad_(), torch.from_numpy(y).requires_grad_()

    def ours():
        return gg.autograd.grad(run_chain(gx, gy, ops, gg.tanh, gg.exp).sum(), (gx, gy))

    def theirs():
        return torch.autograd.grad(run_chain(tx, ty, ops, torch.tanh, torch.exp).sum(), (tx, ty))

    np.testing.assert_allclose(ours()[0], theirs()[0].numpy(), rtol=1e-4)
    return (*median_times(ours, theirs), 2.0, "torch")


def bench_big_elementwise(torch):
    rng = np.random.default_rng(7)
    n = 4 * 1024 * 1024
    x, y = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
    gx, gy = gg.Tensor(x, requires_grad=True), gg.Tensor(y, requires_grad=True)

    def ours():
        return gg.autograd.grad(gg.tanh(gx * gy + gx).sum(), (gx, gy))

    def numpy_by_hand():
        t = np.tanh(x * y + x)
        d = 1 - t * t
        return t.sum(), d * (y + 1), d * x

    tx, ty = torch.from_numpy(x).requires_grad_(), torch.from_numpy(y).requires_grad_()

    def theirs():
        return torch.autograd.grad(torch.tanh(tx * ty + tx).sum(), (tx, ty))

    np.testing.assert_allclose(ours()[1], numpy_by_hand()[2], rtol=1e-5, atol=1e-6)
    ours_t, numpy_t, torch_t = median_times(ours, numpy_by_hand, theirs)
    return ours_t, numpy_t, 1.1, "NumPy", torch_t


def _problem(n, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n)) / np.sqrt(n), rng.standard_normal(n), rng.standard_normal(n)


def bench_hessian(torch):
    A, x, _ = _problem(100, 200)
    gA, tA = gg.Tensor(A), torch.from_numpy(A)
    f = lambda v: gg.sum(gg.tanh(gA @ v)) ** 2
    tfn = lambda v: torch.tanh(tA @ v).sum() ** 2
    ours = lambda: gg.hessian(f)(x)
    theirs = lambda: torch.func.hessian(tfn)(torch.from_numpy(x))
    np.testing.assert_allclose(ours(), theirs().numpy(), rtol=1e-9, atol=1e-12)
    return (*median_times(ours, theirs), 1.0, "torch.func.hessian")


def bench_hvp(torch):
    A, x, v = _problem(1000, 300)
    gA, tA = gg.Tensor(A), torch.from_numpy(A)
    f = lambda w: gg.sum(gg.tanh(gA @ w)) ** 2
    tfn = lambda w: torch.tanh(tA @ w).sum() ** 2
    ours = lambda: gg.hvp(f, (x,), (v,))
    tx, tv = torch.from_numpy(x), torch.from_numpy(v)
    theirs = lambda: torch.func.jvp(torch.func.grad(tfn), (tx,), (tv,))[1]
    np.testing.assert_allclose(ours(), theirs().numpy(), rtol=1e-9, atol=1e-12)
    return (*median_times(ours, theirs), 2.0, "torch.func jvp(grad)")


CASES = [
    ("(a) 1,000-op chain on (10,) float32, fwd+bwd", bench_chain),
    ("(b) sum(tanh(x*y+x)) 4M float32 + grads", bench_big_elementwise),
    ("(c) Hessian of sum(tanh(A@x))**2, n=100 f64", bench_hessian),
    ("(d) HVP of sum(tanh(A@x))**2, n=1,000 f64", bench_hvp),
]


def main():
    import torch

    torch.set_num_threads(2)
    print(f"glassgrad {gg.__version__}, numpy {np.__version__}, torch {torch.__version__}")
    head = (
        f"| {'case':<46} | {'glassgrad':>10} | {'baseline':>10} | {'ratio':>6} "
        f"| {'target':>6} | met |"
    )
    print(head)
    print("|" + "|".join("-" * (len(c)) for c in head.split("|")[1:-1]) + "|")
    only = [a for a in sys.argv[1:] if not a.startswith("--")]
    for label, bench in CASES:
        if only and label[1] not in only:
            continue
        ours, base, target, base_name, *extra = bench(torch)
        ratio = ours / base
        print(
            f"| {label:<46} | {ours * 1e3:>8.2f}ms | {base * 1e3:>8.2f}ms | {ratio:>6.2f} | "
            f"{target:>5.1f}x | {'yes' if ratio <= target else 'no':>3} |  vs {base_name}"
            + (f"; torch {extra[0] * 1e3:.2f}ms" if extra else "")
        )


if __name__ == "__main__":
    main()
