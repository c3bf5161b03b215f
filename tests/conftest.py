import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng():
    """A fixed-seed NumPy Generator: numeric checks run on fixed seeds."""
    return np.random.default_rng(0)
