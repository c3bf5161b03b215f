import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fixed-seed NumPy Generator: numeric checks run on fixed seeds."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def tour_report(tmp_path_factory):
    """Path of the report written by one tour per test session (shared by xdist workers)."""
    import fcntl

    from glassgrad.cli import run_tour

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by all workers of this session
    out = root / "tour"
    with open(root / "tour.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "report.html").exists():
            run_tour(out, progress=False)
    return out / "report.html"
