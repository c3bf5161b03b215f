"""Labs: run the lab scripts, record the notes' numbers, check the exercises.

Example:
    >>> from glassgrad.labs import record
    >>> record("f'(3)", 6.0, expected=6.0)
    6.0
"""

from glassgrad.labs import playground
from glassgrad.labs.exercises import EXERCISES, Exercise, check, exercises
from glassgrad.labs.runner import (
    Check,
    Lab,
    LabNotFound,
    LabResult,
    SavedFigure,
    find_lab,
    list_labs,
    record,
    run_lab,
    savefig,
    split_cells,
)

__all__ = [
    "Check",
    "EXERCISES",
    "Exercise",
    "Lab",
    "LabNotFound",
    "LabResult",
    "SavedFigure",
    "check",
    "exercises",
    "find_lab",
    "list_labs",
    "record",
    "run_lab",
    "playground",
    "savefig",
    "split_cells",
]
