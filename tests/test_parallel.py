"""glassgrad.sweep in-process and on concurrent.futures pools (Dask: tests/test_dask.py)."""

import os
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.analysis import compare_optimizers, loss_landscape_2d
from glassgrad.parallel import SweepError, spawn_seeds, sweep


def draw(point, generator):
    return point * generator.normal(size=3)


def with_shared(point, shared):
    return shared["scale"] * point


def fails_at_three(point):
    if point == 3:
        raise ValueError("three is bad")
    return point


def flaky(point, folder):
    """Fails the first time it meets each point (a marker file remembers the attempt)."""
    mark = os.path.join(folder, f"seen-{point}")
    if not os.path.exists(mark):
        open(mark, "w").close()
        raise OSError("transient failure")
    return -point


def dies_once(point, folder):
    """Kills its worker process the first time it meets point 2."""
    mark = os.path.join(folder, "killed")
    if point == 2 and not os.path.exists(mark):
        open(mark, "w").close()
        os._exit(3)
    return 10 * point


def _loaded(folder, payload):
    with open(os.path.join(folder, "loads"), "a") as f:
        f.write(f"{os.getpid()}\n")
    return CountsLoads(folder, payload)


class CountsLoads:
    """A shared input that records every time a process unpickles it."""

    def __init__(self, folder, payload):
        self.folder, self.payload = folder, payload

    def __reduce__(self):
        return _loaded, (self.folder, self.payload)


def scaled(point, shared):
    return shared.payload * point


def test_serial_sweep_is_a_map_in_grid_order():
    assert sweep(lambda p: p**2, range(5), progress=False) == [0, 1, 4, 9, 16]
    assert sweep(with_shared, [1, 2], progress=True, shared={"scale": 3}) == [3, 6]
    assert sweep(abs, [], progress=False) == []


@pytest.mark.parametrize(
    "executor, chunksize",
    [(None, None), (2, None), (2, 1), ("threads", 3), ("processes", 2)],
    ids=["serial", "int-pool", "int-pool-chunk1", "threads", "process-pool"],
)
def test_each_point_draws_from_its_own_spawned_seed_wherever_it_runs(executor, chunksize):
    n = 7
    oracle = [i * np.random.default_rng(s).normal(size=3) for i, s in
              enumerate(np.random.SeedSequence(11).spawn(n))]  # fmt: skip
    pools = {"threads": ThreadPoolExecutor(2), "processes": ProcessPoolExecutor(2)}
    try:
        ex = pools.get(executor, executor)
        got = sweep(draw, range(n), ex, progress=False, seed=11, chunksize=chunksize)
    finally:
        for p in pools.values():
            p.shutdown()
    for a, b in zip(got, oracle, strict=True):
        assert np.array_equal(a, b)  # to the bit


def test_seed_sources():
    a = [s.entropy for s in spawn_seeds(5, 2)]
    assert a == [np.random.SeedSequence(5).entropy] * 2
    assert [s.spawn_key for s in spawn_seeds(5, 2)] == [(0,), (1,)]
    g = np.random.default_rng(5)
    first, second = spawn_seeds(g, 1), spawn_seeds(g, 1)  # a Generator spawns new children
    assert first[0].spawn_key == (0,) and second[0].spawn_key == (1,)
    with pytest.raises(TypeError, match="seed"):
        spawn_seeds("5", 2)


@pytest.mark.parametrize("executor", [None, 2], ids=["serial", "pool"])
def test_an_error_names_its_grid_point_and_keeps_its_type(executor):
    with pytest.raises(ValueError, match="three is bad") as info:
        sweep(fails_at_three, range(6), executor, progress=False, retries=1)
    assert any("grid point 3: 3" in note for note in info.value.__notes__)


def test_failed_tasks_are_retried_on_a_pool(tmp_path):
    got = sweep(flaky, range(6), 2, progress=False, shared=str(tmp_path), chunksize=2)
    assert got == [0, -1, -2, -3, -4, -5]
    for p in tmp_path.iterdir():
        p.unlink()
    with pytest.raises(OSError, match="transient") as info:
        sweep(flaky, range(6), 2, progress=False, shared=str(tmp_path), retries=0)
    assert "grid point" in info.value.__notes__[0]


def test_a_lost_task_is_a_sweep_error_naming_its_points():
    def dies(point):
        os._exit(3)  # kills the pool's worker: the pool breaks, every retry fails too

    with pytest.raises(SweepError, match=r"grid points 0\.\.0 failed after 2 attempts") as info:
        sweep(dies, [7], 1, progress=False, retries=1)
    assert info.value.index == 0 and info.value.point == 7


def test_a_local_pool_reruns_the_tasks_of_a_killed_worker(tmp_path):
    got = sweep(dies_once, range(8), 2, progress=False, shared=str(tmp_path), chunksize=1)
    assert got == [10 * i for i in range(8)] and (tmp_path / "killed").exists()


def test_a_local_pool_gets_the_shared_input_once_per_process(tmp_path):
    shared = CountsLoads(str(tmp_path), 2.5)
    got = sweep(scaled, range(40), 2, progress=False, shared=shared, chunksize=2)  # 20 tasks
    assert got == [2.5 * i for i in range(40)]
    loads = (tmp_path / "loads").read_text().split() if (tmp_path / "loads").exists() else []
    assert len(loads) <= 2 and len(set(loads)) == len(loads)


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="fn must be callable"):
        sweep(3, [1])
    with pytest.raises(TypeError, match="executor must be"):
        sweep(abs, [1], executor="dask")
    with pytest.raises(ValueError, match="retries must be an int >= 0"):
        sweep(abs, [1], retries=-1)
    with pytest.raises(ValueError, match="chunksize must be an int >= 1"):
        sweep(abs, [1], chunksize=0)
    with pytest.raises(ValueError, match=r"executor \(a number of processes\)"):
        sweep(abs, [1], executor=0)


def _quadratic(params):
    w = params[0]
    return (w * w * gg.Tensor([1.0, 3.0])).sum() + w[0] * w[1]


def test_landscape_and_optimizer_grid_on_a_process_pool_equal_serial():
    w = gg.Tensor([0.3, -0.2])
    serial = loss_landscape_2d([w], _quadratic, steps=7, generator=1)
    pooled = loss_landscape_2d([w], _quadratic, steps=7, generator=1, executor=2)
    assert np.array_equal(serial.losses, pooled.losses)
    with ThreadPoolExecutor(3) as threads:  # tasks that move the same model take turns
        threaded = loss_landscape_2d([w], _quadratic, steps=7, generator=1, executor=threads)
    assert np.array_equal(serial.losses, threaded.losses)
    grid = {(lr, m): ("sgd", {"lr": lr, "momentum": m}) for lr in (0.05, 0.2) for m in (0, 0.9)}
    f = gg.analysis.rosenbrock()
    a = compare_optimizers(f, [-1.0, 1.0], grid, steps=30)
    b = compare_optimizers(f, [-1.0, 1.0], grid, steps=30, executor=2)
    assert list(a) == list(b) == list(grid)
    assert all(np.array_equal(a[k].path, b[k].path) for k in grid)


# ----------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def client():
    """A real LocalCluster: 2 worker processes on the loopback address, no dashboard."""
    distributed = pytest.importorskip("distributed")
    import logging
    import sys

    import cloudpickle
    import dask

    if __name__ in sys.modules:  # the workers cannot import this test module by name
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    config = {
        "distributed.comm.timeouts.connect": "30s",
        "distributed.comm.timeouts.tcp": "30s",
        # glibc with a fixed trim threshold mmaps every large array afresh: 3x slower NumPy
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    }
    environ = dict(os.environ)  # a Nanny writes its workers' variables into this process's
    try:
        with (
            dask.config.set(config),
            distributed.LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},  # loopback, any port
                silence_logs=logging.ERROR,
            ) as cluster,
            distributed.Client(cluster, timeout="60s") as c,
        ):
            yield c
    finally:
        os.environ.clear()
        os.environ.update(environ)


def _digits_mlp():
    from glassgrad import nn
    from glassgrad.data import load_digits

    X, y = load_digits()
    return nn.MLP([64, 16, 10], generator=0), (X[:300], y[:300])


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
@pytest.mark.parametrize("via", ["client", "get_executor"])
def test_dask_landscape_2d_equals_serial_to_the_bit(client, via):
    from glassgrad.nn import functional as F

    model, data = _digits_mlp()
    serial = loss_landscape_2d(model, F.cross_entropy, data, steps=9, generator=3)
    ex = client if via == "client" else client.get_executor()
    remote = loss_landscape_2d(model, F.cross_entropy, data, steps=9, generator=3, executor=ex)
    assert np.array_equal(serial.losses, remote.losses)
    assert serial.center_loss == remote.center_loss


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_dask_learning_rate_momentum_sweep_equals_serial(client):
    grid = {(lr, m): ("sgd", {"lr": lr, "momentum": m}) for lr in (1e-3, 2e-3) for m in (0, 0.9)}
    f = gg.analysis.rosenbrock()
    a = compare_optimizers(f, [-1.5, 2.0], grid, steps=50)
    b = compare_optimizers(f, [-1.5, 2.0], grid, steps=50, executor=client)
    assert all(np.array_equal(a[k].path, b[k].path) for k in grid)


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_dask_bias_variance_bootstrap_equals_serial(client):
    from glassgrad.prob import PolynomialRegression, bias_variance_decomposition

    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, 50)
    y = np.sin(3 * x) + 0.3 * rng.standard_normal(50)
    args = (lambda: PolynomialRegression(3), x, y, np.linspace(-1, 1, 7), lambda t: np.sin(3 * t))
    serial = bias_variance_decomposition(*args, n_rounds=40, generator=4)
    remote = bias_variance_decomposition(*args, n_rounds=40, generator=4, executor=client)
    assert serial == remote and serial.variance > 0


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_dask_reruns_the_tasks_of_a_killed_worker(client, tmp_path):
    got = sweep(dies_once, range(8), client, progress=False, shared=str(tmp_path), chunksize=1)
    assert got == [10 * i for i in range(8)] and (tmp_path / "killed").exists()


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_dask_task_error_names_its_grid_point(client):
    with pytest.raises(ValueError, match="three is bad") as info:
        sweep(fails_at_three, range(6), client, progress=False, retries=1)
    assert any("grid point 3: 3" in note for note in info.value.__notes__)


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_dask_scatters_the_shared_input_once_per_worker(client, tmp_path):
    shared = CountsLoads(str(tmp_path), 2.5)
    got = sweep(scaled, range(40), client, progress=False, shared=shared, chunksize=2)
    assert got == [2.5 * i for i in range(40)]
    loads = (tmp_path / "loads").read_text().split()
    assert 1 <= len(loads) <= 2 and len(set(loads)) == len(loads)  # 20 tasks, 2 workers


@pytest.mark.dask
@pytest.mark.xdist_group("dask")
def test_cli_landscape_on_a_dask_scheduler_equals_this_process(client, tmp_path, capsys):
    pytest.importorskip("typer")
    from glassgrad.cli import main

    weights = tmp_path / "w.npz"
    gg.save(gg.nn.MLP([64, 64, 10], generator=0).state_dict(), weights)
    grids = []
    for extra, folder in [((), "here"), (("--scheduler", client.scheduler.address), "dask")]:
        args = ["landscape", "digits", "--weights", str(weights), "--steps", "3"]
        assert main([*args, "--out", str(tmp_path / folder), *extra]) == 0
        grids.append(gg.load(tmp_path / folder / "landscape_digits_mlp.npz")["losses"].data)
    assert f"on {client.scheduler.address}" in capsys.readouterr().out
    assert np.array_equal(grids[0], grids[1])
