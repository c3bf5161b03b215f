"""Shared by the tests and the package's doctests."""

import sys

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the pyplot-managed viz figures (so notebooks show them) after each test."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
