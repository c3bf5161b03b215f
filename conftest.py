"""Shared by the tests and the package's doctests."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """viz figures are pyplot-managed (so notebooks show them): close them after each test."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
