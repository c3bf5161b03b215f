"""The lab helpers: record, split_cells, check, the expression parser."""

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.labs import (
    EXERCISES,
    LabNotFound,
    check,
    exercises,
    find_lab,
    record,
    split_cells,
)
from glassgrad.labs.expr import ExpressionError, evaluate, parse_expression, parse_point


def test_record_passes_and_fails():
    assert record("x", gg.tensor([1.0, 2.0]), expected=[1.0, 2.0]) == [1.0, 2.0]
    with pytest.raises(AssertionError, match="got 2.0, expected 3.0"):
        record("two", 2.0, expected=3.0)
    with pytest.raises(AssertionError, match="shape"):
        record("shape", [1.0, 2.0], expected=[1.0, 2.0, 3.0])
    assert record("close", 1.0 + 1e-7, expected=1.0, tol=1e-6) == 1.0 + 1e-7


def test_split_cells():
    src = "# ---\n# header\n# %% [markdown]\n# # Title\n# text\n\n# %%\nx = 1\n"
    assert split_cells(src) == [("markdown", "# Title\ntext"), ("code", "x = 1")]


def test_find_lab_unknown():
    with pytest.raises(LabNotFound, match="unknown lab '9.9'"):
        find_lab("9.9")


@pytest.mark.parametrize("lab_id", sorted(EXERCISES))
def test_every_lab_has_exercises(lab_id):
    assert len(exercises(lab_id)) >= 3
    find_lab(lab_id)


def test_check_right_and_wrong(capsys):
    assert check("1.4.1", "ex1", 12.0)
    assert not check("1.4.1", "ex1", 11.0)
    assert "Hint" in capsys.readouterr().out
    assert check("1.4.1", "ex2", [10.0, 2.0])
    assert check("1.4.2", "ex2", 0.8**10)
    assert check("1.4.2", "ex3", 0.9)  # Adam's first step has size lr
    assert check("1.4.3", "ex1", "Saddle")
    assert check("1.4.4", "ex1", 65536)
    assert check("1.4.5", "ex1", -np.log(0.9))
    assert check("linear-algebra", "ex3", [2.0, 5.0])
    assert check("probability", "ex1", 0.99 * 0.01 / (0.99 * 0.01 + 0.05 * 0.99))
    assert not check("probability", "ex2", "abc")


def test_check_bad_names():
    with pytest.raises(KeyError, match="unknown lab"):
        check("7.7.7", "ex1", 1)
    with pytest.raises(KeyError, match="no exercise 'ex9'"):
        check("1.4.1", "ex9", 1)


def test_expression_parser_and_evaluation():
    tree, names = parse_expression("sin(x**2) * y - 3 / z")
    assert names == ["x", "y", "z"]
    values = {"x": gg.tensor(1.1), "y": gg.tensor(2.0), "z": gg.tensor(4.0)}
    assert np.isclose(evaluate(tree, values).item(), np.sin(1.21) * 2 - 0.75)
    assert parse_point(["x=3", "y=-1.5,z=2"]) == {"x": 3.0, "y": -1.5, "z": 2.0}


@pytest.mark.parametrize(
    "text, message",
    [
        ("x +", "malformed"),
        ("__import__('os')", "unknown function"),
        ("x.real", "Attribute is not allowed"),
        ("'a' * x", "only numbers"),
        ("x if x else x", "IfExp is not allowed"),
        ("x // 2", "FloorDiv is not allowed"),
        ("sin(x, x)", "exactly one argument"),
        ("", "non-empty"),
    ],
)
def test_expression_rejects(text, message):
    with pytest.raises(ExpressionError, match=message):
        parse_expression(text)


def test_point_rejects():
    with pytest.raises(ExpressionError, match="NAME=NUMBER"):
        parse_point(["x=abc"])
    with pytest.raises(ExpressionError, match="NAME=NUMBER"):
        parse_point(["3"])
