"""One Adam training step of a 64-128-128-10 MLP on digits, glassgrad vs PyTorch eager.

A step is: forward, cross-entropy, backward, Adam update, on a batch of 256 digits. Both
libraries start from the same weights and see the same batches. Prints median times per
step for float32 and float64 and the ratio glassgrad / PyTorch (target: at most 1.5).

Both run single-threaded (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)) and their
steps are timed alternately, so a busy machine slows both alike.

Run: ``.venv/bin/python bench/bench_train.py [--quick] [--profile]``.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads its BLAS

import cProfile  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import glassgrad as gg  # noqa: E402
from glassgrad import data, nn, optim  # noqa: E402
from glassgrad.nn import functional as F  # noqa: E402

QUICK = "--quick" in sys.argv
SIZES = [64, 128, 128, 10]
BATCH = 256


def median_steps(steps, repeats):
    """Median seconds per call of each function, calls interleaved after a warm-up."""
    for step in steps:
        for _ in range(5):
            step()
    samples = [[] for _ in steps]
    for _ in range(repeats):
        for step, times in zip(steps, samples, strict=True):
            t0 = time.perf_counter()
            step()
            times.append(time.perf_counter() - t0)
    return [statistics.median(times) for times in samples]


def init_weights(seed=0):
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights += [
            rng.uniform(-bound, bound, (fan_out, fan_in)),
            rng.uniform(-bound, bound, fan_out),
        ]
    return weights


def glassgrad_model(weights, dtype):
    """The MLP as nn.Linear layers loaded with ``weights``, and its loss."""
    model = nn.MLP(SIZES, dtype=dtype)
    names = [name for name, _ in model.named_parameters()]
    model.load_state_dict(
        {n: gg.Tensor(w.astype(dtype)) for n, w in zip(names, weights, strict=True)}
    )
    params = list(model.parameters())
    assert all(p.dtype == dtype for p in params), "the benchmark must run in the stated dtype"
    return model, params, F.cross_entropy


def glassgrad_step(weights, batches, dtype):
    model, params, loss_fn = glassgrad_model(weights, dtype)
    opt = optim.Adam(params, lr=1e-3)
    batches = [(gg.Tensor(x.astype(dtype)), gg.Tensor(y)) for x, y in batches]
    state = {"i": 0}

    def step():
        x, y = batches[state["i"] % len(batches)]
        state["i"] += 1
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def torch_step(weights, batches, dtype):
    import torch

    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    layers = []
    for i in range(0, len(weights), 2):
        lin = torch.nn.Linear(weights[i].shape[1], weights[i].shape[0], dtype=tdtype)
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(weights[i]))
            lin.bias.copy_(torch.tensor(weights[i + 1]))
        layers += [lin, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = [(torch.tensor(x, dtype=tdtype), torch.tensor(y)) for x, y in batches]
    state = {"i": 0}

    def step():
        x, y = batches[state["i"] % len(batches)]
        state["i"] += 1
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def main():
    X, y = data.load_digits()
    rng = np.random.default_rng(0)
    batches = [
        (X.numpy()[idx], y.numpy()[idx])
        for idx in (rng.choice(len(X), BATCH, replace=False) for _ in range(8))
    ]
    weights = init_weights()
    repeats = 15 if QUICK else 101
    import torch

    torch.set_num_threads(1)
    print(
        f"threads: torch {torch.get_num_threads()}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    )
    print("| dtype | glassgrad (ms/step) | PyTorch (ms/step) | ratio |")
    print("|---|---|---|---|")
    for dtype in (np.float32, np.float64):
        ours, theirs = median_steps(
            [glassgrad_step(weights, batches, dtype), torch_step(weights, batches, dtype)], repeats
        )
        name = np.dtype(dtype).name
        print(
            f"| {name} | {ours * 1e3:.3f} | {theirs * 1e3:.3f} | {ours / theirs:.2f}x |", flush=True
        )
    if "--profile" in sys.argv:
        step = glassgrad_step(weights, batches, np.float32)
        prof = cProfile.Profile()
        prof.runcall(lambda: [step() for _ in range(200)])
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
