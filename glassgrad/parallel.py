"""Map a function over a grid of parameters: in-process, on a process pool or on Dask.

``sweep(fn, grid)`` returns ``[fn(p) for p in grid]``. Where the points run is the
``executor``: None (in this process, the default), an int n (a pool of n local processes
made and closed by the sweep), any ``concurrent.futures.Executor``, or a Dask
``distributed.Client`` (or its ``get_executor()``), unchanged from a laptop's
``LocalCluster`` to a scheduler on a cluster. The grid is cut into chunks (about four per
worker, so scheduling costs little and slow workers do not hold up the end); a large
``shared`` input travels to each worker once (Dask ``scatter``, a local pool's
initializer), not with every task; results come back in grid order whatever the order of
completion.

Randomness: with ``seed`` given, point i gets ``generator=numpy.random.default_rng(s_i)``
where s_0, s_1, ... = ``SeedSequence(seed).spawn(len(grid))``; the stream belongs to the
point, not to the worker or the chunk, so serial, pool and Dask runs agree to the bit.

Threads: glassgrad's recording switch (``no_grad``) and the parameters a landscape moves are
shared by a process's threads, so the tasks of one process run one at a time. Parallelism
comes from processes: give Dask workers one thread each (``threads_per_worker=1``).
"""

import math
import os
import threading
import uuid
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures import wait as _cf_wait
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from glassgrad.core.errors import GlassgradError

__all__ = ["sweep", "spawn_seeds", "SweepError"]

_SHARED = {}  # in a worker process: token -> the shared input installed by the pool initializer
_ONE_AT_A_TIME = threading.RLock()  # grad mode is per process, so a process runs one task
_MAX_REPR = 200
_NOTE = "sweep: raised at grid point"


class SweepError(GlassgradError, RuntimeError):
    """A task was lost (its worker died too often, say); ``index`` and ``point`` name its start."""

    def __init__(self, message, index=None, point=None):
        super().__init__(message, index, point)
        self.index, self.point = index, point

    def __str__(self):
        return self.args[0]


def spawn_seeds(seed, n):
    """``n`` independent child ``SeedSequence``s of ``seed`` (an int, SeedSequence or Generator).

    A Generator spawns from its own seed sequence, so successive calls give new children.

    Example:
        >>> a, b = spawn_seeds(0, 2)
        >>> float(np.random.default_rng(a).random()) != float(np.random.default_rng(b).random())
        True
    """
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.seed_seq.spawn(n)
    if isinstance(seed, np.random.SeedSequence):
        return seed.spawn(n)
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0:
        return np.random.SeedSequence(int(seed)).spawn(n)
    raise TypeError(
        f"sweep: seed must be an int >= 0, a numpy SeedSequence or Generator; got {seed!r}"
    )


class _Installed:
    """Stands for the shared input a local pool's initializer put in ``_SHARED``."""

    def __init__(self, token):
        self.token = token


class _Portable:
    """A value pickled with cloudpickle (when installed) so a process pool can ship lambdas."""

    def __init__(self, value):
        import cloudpickle

        self.blob = cloudpickle.dumps(value)

    def load(self):
        import cloudpickle

        return cloudpickle.loads(self.blob)


def _portable(value):
    try:
        return _Portable(value)
    except ImportError:
        return value


def _unwrap(value):
    if isinstance(value, _Portable):
        return value.load()
    return _SHARED[value.token] if isinstance(value, _Installed) else value


def _install(token, shared):
    _SHARED.clear()
    _SHARED[token] = _unwrap(shared)


def _describe(point):
    text = repr(point)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _run_chunk(fn, start, points, seeds, shared, has_shared):
    """Evaluate ``fn`` at consecutive grid points (run on a worker)."""
    fn, shared = _unwrap(fn), _unwrap(shared)
    out = []
    with _ONE_AT_A_TIME:  # threads of one process (a Dask worker's, a thread pool) take turns
        for k, point in enumerate(points):
            args = (point, shared) if has_shared else (point,)
            kwargs = {} if seeds is None else {"generator": np.random.default_rng(seeds[k])}
            try:
                out.append(fn(*args, **kwargs))
            except Exception as err:  # keep its type (callers catch ShapeError); name the point
                err.add_note(f"{_NOTE} {start + k}: {_describe(point)}")
                raise
    return out


def _dask_client(executor):
    """The ``distributed.Client`` behind ``executor``, or None when it is not Dask's."""
    if not type(executor).__module__.startswith("distributed"):
        return None
    from distributed import Client

    client = getattr(executor, "_client", executor)  # Client.get_executor() keeps it here
    return client if isinstance(client, Client) else None


class _Progress:
    """The rich progress bar (transient), or nothing when rich is missing or not wanted."""

    def __init__(self, progress, total, description):
        self.bar = None
        if progress:
            try:
                from rich.progress import Progress
            except ImportError:
                return
            self.bar = Progress(transient=True)
            self.task = self.bar.add_task(description, total=total)
            self.bar.start()

    def advance(self, n):
        if self.bar is not None:
            self.bar.advance(self.task, n)

    def close(self):
        if self.bar is not None:
            self.bar.stop()


class _LocalPool:
    """n local processes, ``shared`` installed once in each; remade when a worker dies."""

    def __init__(self, n, shared):
        self.n, self.token = n, uuid.uuid4().hex
        self.initargs = (self.token, _portable(shared))
        self.pool = self._make()

    def _make(self):
        return ProcessPoolExecutor(self.n, initializer=_install, initargs=self.initargs)

    def submit(self, *args):
        try:
            return self.pool.submit(*args)
        except BrokenProcessPool:  # a worker died: rerun the failed tasks on a fresh pool
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._make()
            return self.pool.submit(*args)


def _lost(chunk, tries, err):
    """The error to raise for ``chunk`` after it failed ``tries + 1`` times, lastly with ``err``."""
    if any(n.startswith(_NOTE) for n in getattr(err, "__notes__", ())):
        return err  # fn's own error, already naming its grid point
    start, points = chunk[0], chunk[1]
    lost = SweepError(
        f"sweep: the task for grid points {start}..{start + len(points) - 1} failed after "
        f"{tries + 1} attempts: {type(err).__name__}: {err}",
        start,
        points[0],
    )
    lost.__cause__ = err
    return lost


def _gather(submit, wait, chunks, retries, bar):
    """Submit every chunk, resubmit failures up to ``retries`` times, return results in order."""
    results = [None] * len(chunks)
    pending = {submit(c): (k, 0) for k, c in enumerate(chunks)}
    try:
        while pending:
            done, _ = wait(list(pending), return_when="FIRST_COMPLETED")
            for f in done:
                k, tries = pending.pop(f)
                err = f.exception()
                if err is None:
                    results[k] = f.result()
                    bar.advance(len(chunks[k][1]))
                    continue
                if tries < retries:
                    try:
                        pending[submit(chunks[k])] = (k, tries + 1)
                        continue
                    except Exception as refused:  # a broken pool takes no new tasks
                        err = refused
                raise _lost(chunks[k], tries, err)
    finally:
        for f in pending:
            f.cancel()
    return [r for chunk in results for r in chunk]


def sweep(fn, grid, executor=None, progress=True, shared=None, seed=None, chunksize=None,
          retries=2, description="sweep"):  # fmt: skip
    """``[fn(p) for p in grid]`` in grid order, run in-process, on a process pool or on Dask.

    Args:
        fn: ``fn(point)``, or ``fn(point, shared)`` when ``shared`` is given; with ``seed``
            it also gets ``generator=`` (a Generator of its own). Pools and Dask need it
            picklable (cloudpickle, installed with Dask, also ships lambdas and closures).
            It must not rely on changing ``shared`` in place across points: each worker
            has its own copy, shared by that worker's threads.
        grid: an iterable of points (numbers, tuples, dicts, arrays...).
        executor: None (serial, in this process), an int n (n local processes),
            a ``concurrent.futures.Executor``, or a ``distributed.Client`` / its
            ``get_executor()``.
        progress: show a progress bar (needs rich).
        shared: one large input (model, data) sent once per worker and passed to every call.
        seed: int, SeedSequence or Generator; point i draws from child i of
            ``SeedSequence(seed).spawn(len(grid))``.
        chunksize: points per task (default: about four tasks per worker).
        retries: times a failed task is run again before the sweep raises (on Dask the
            scheduler reruns it, also when a worker dies; serial runs do not retry).
        description: the progress bar's label.

    Returns:
        The list of results, one per grid point, in grid order.

    Raises:
        Exception: what ``fn`` raised (after the retries), with a note naming the grid
            point's index and value.
        SweepError: a task could not be run (its workers kept dying); names its points.

    Example:
        >>> sweep(lambda x: x * x, [1, 2, 3], progress=False)
        [1, 4, 9]
        >>> same = sweep(lambda p, generator: generator.random(), range(3), seed=0, progress=False)
        >>> same == sweep(lambda p, generator: generator.random(), range(3), executor=2,
        ...               seed=0, progress=False)
        True
    """
    if not callable(fn):
        raise TypeError(f"sweep: fn must be callable; got {type(fn).__name__}")
    points = list(grid)
    _check_int(retries, "retries", 0)
    if chunksize is not None:
        _check_int(chunksize, "chunksize", 1)
    seeds = None if seed is None else spawn_seeds(seed, len(points))
    bar = _Progress(progress, len(points), description)
    try:
        if executor is None:
            out = []
            for i, p in enumerate(points):
                s = None if seeds is None else seeds[i : i + 1]
                out += _run_chunk(fn, i, [p], s, shared, shared is not None)
                bar.advance(1)
            return out
        return _parallel(fn, points, executor, seeds, shared, chunksize, retries, bar)
    finally:
        bar.close()


def _check_int(value, name, low):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low:
        raise ValueError(f"sweep: {name} must be an int >= {low}; got {value!r}")


def _parallel(fn, points, executor, seeds, shared, chunksize, retries, bar):
    """Cut the grid into chunks and run them on ``executor`` (see :func:`sweep`)."""
    has_shared, client, owned = shared is not None, _dask_client(executor), None
    if isinstance(executor, (int, np.integer)) and not isinstance(executor, bool):
        _check_int(executor, "executor (a number of processes)", 1)
        executor = owned = _LocalPool(int(executor), shared)
        fn, shared, workers = _portable(fn), _Installed(owned.token), owned.n
    elif client is not None:
        workers = max(1, sum(client.nthreads().values()))
        if has_shared:  # one copy per worker, not one per task
            [shared] = client.scatter([shared], broadcast=True, hash=False)
    elif isinstance(executor, Executor):
        workers = getattr(executor, "_max_workers", None) or os.cpu_count() or 1
        if isinstance(executor, ProcessPoolExecutor):
            fn, shared = _portable(fn), _portable(shared)
    else:
        raise TypeError(
            "sweep: executor must be None, a number of processes, a concurrent.futures."
            f"Executor or a dask.distributed Client; got {type(executor).__name__}"
        )
    size = chunksize or max(1, math.ceil(len(points) / (4 * workers)))
    chunks = [
        (i, points[i : i + size], None if seeds is None else seeds[i : i + size])
        for i in range(0, len(points), size)
    ]
    try:
        if client is not None:  # Dask reruns failed tasks itself, also when a worker dies
            from distributed import wait

            def submit(c):
                return client.submit(
                    _run_chunk, fn, *c, shared, has_shared, retries=retries, pure=False
                )

            return _gather(submit, wait, chunks, 0, bar)

        def submit(c):
            return executor.submit(_run_chunk, fn, *c, shared, has_shared)

        return _gather(submit, _cf_wait, chunks, retries, bar)
    finally:
        if owned is not None:
            owned.pool.shutdown(cancel_futures=True)
