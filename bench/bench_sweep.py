"""Sweep benchmark: the digits-MLP 41×41 loss landscape serially, on 2 processes, on Dask.

The landscape of ``glassgrad train``'s MLP (64-64-10, cross-entropy on all 1,797 digits) is
1,681 independent loss evaluations, run through ``glassgrad.sweep``:

- serial: ``executor=None``, in this process;
- pool: ``executor=2``, a 2-process pool made by the sweep (its start is included);
- dask: a ``distributed.Client`` on a 2-worker ``LocalCluster`` started beforehand (its start
  is reported apart; the scatter of the model and data is included), once with Dask's
  default worker environment and once without its ``MALLOC_TRIM_THRESHOLD_=65536``, which
  stops glibc from raising its mmap threshold, so every array above 128 KiB (an activation
  of the 1,797 digits) is a fresh mmap and page faults: about 3x the CPU per loss here.

Every process uses one BLAS thread (set below, before NumPy loads), so the comparison is
between cores, not between thread pools. The configurations are interleaved, ``--repeats``
times (3; 1 with ``--quick``, which also uses a 21×21 grid), and the medians are printed with
the speed-ups, the CPU seconds spent by all the processes (this one, the pool's, the Dask
workers'), which show the cost of the machinery, and the load average, since other jobs on
the machine change the wall-clock outcome.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import logging  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from glassgrad import nn  # noqa: E402
from glassgrad.analysis import loss_landscape_2d  # noqa: E402
from glassgrad.data import load_digits  # noqa: E402
from glassgrad.nn import functional as F  # noqa: E402

QUICK = "--quick" in sys.argv
STEPS = 21 if QUICK else 41
REPEATS = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 3
REPEATS = 1 if QUICK else REPEATS


def cpu_seconds(client):
    """CPU time of this process, its finished children and (with a client) the Dask workers."""
    import resource

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = sum(client.run(time.process_time).values()) if client is not None else 0.0
    return time.process_time() + kids.ru_utime + kids.ru_stime + workers


def landscape(net, data, executor, client):
    c0, t0 = cpu_seconds(client), time.perf_counter()
    r = loss_landscape_2d(net, F.cross_entropy, data, steps=STEPS, generator=0,
                          progress=False, executor=executor)  # fmt: skip
    return time.perf_counter() - t0, cpu_seconds(client) - c0, r.losses


def local_cluster(trim):
    """A 2-worker LocalCluster; ``trim=False`` drops Dask's MALLOC_TRIM_THRESHOLD_ setting."""
    import dask
    from distributed import LocalCluster

    env = {} if trim else {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(env):
        return LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR,
                            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})  # fmt: skip


def main():
    from distributed import Client

    data = load_digits()
    net = nn.MLP([64, 64, 10], generator=0)
    load = [os.getloadavg()[0]]
    t0 = time.perf_counter()
    with (  # untrimmed first: a Nanny leaves its worker environment in this process's
        local_cluster(trim=False) as untrimmed, Client(untrimmed) as tuned,
        local_cluster(trim=True) as default, Client(default) as client,
    ):  # fmt: skip
        started = (time.perf_counter() - t0) / 2
        runs = {
            "serial": None,
            "pool (2 processes)": 2,
            "dask, default worker env": client,
            "dask, no MALLOC_TRIM_THRESHOLD_": tuned,
        }
        times, cpu, grids = {n: [] for n in runs}, {n: [] for n in runs}, {}
        for _ in range(REPEATS):
            for name, ex in runs.items():
                c = ex if not isinstance(ex, (int, type(None))) else None
                seconds, used, grids[name] = landscape(net, data, ex, c)
                times[name].append(seconds)
                cpu[name].append(used)
                load.append(os.getloadavg()[0])
    same = all(np.array_equal(g, grids["serial"]) for g in grids.values())
    base = statistics.median(times["serial"])
    print(f"{STEPS}x{STEPS} digits-MLP landscape ({STEPS * STEPS} losses), median of {REPEATS}")
    print(f"{'executor':<32} {'wall':>8} {'speed-up':>9} {'CPU':>8}   wall of each run")
    for name, ts in times.items():
        wall, used = statistics.median(ts), statistics.median(cpu[name])
        each = ", ".join(f"{t:.1f}" for t in ts)
        print(f"{name:<32} {wall:7.2f}s {base / wall:8.2f}x {used:7.2f}s   {each}")
    print(f"LocalCluster start: {started:.1f} s each (not in the dask times)")
    print(f"identical grids: {same}; load average (1 min) {min(load):.1f}-{max(load):.1f}, "
          f"{os.cpu_count()} cores")  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
