"""The lab helpers: record, split_cells, check, the expression parser."""

import math

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


# Exact answers, worked by hand from each question (the oracle for the worked solutions).
EXACT = {
    ("1.4.1", "ex1"): 12.0,
    ("1.4.1", "ex2"): [10.0, 2.0],
    ("1.4.1", "ex3"): 0.225,
    ("1.4.2", "ex1"): 1 / 3,
    ("1.4.2", "ex2"): 0.8**10,
    ("1.4.2", "ex3"): 0.9,
    ("1.4.3", "ex1"): "saddle",
    ("1.4.3", "ex2"): [1.0, 3.0],
    ("1.4.3", "ex3"): 10.0,
    ("1.4.4", "ex1"): 65536,
    ("1.4.4", "ex2"): 5**0.5,
    ("1.4.4", "ex3"): 0.968,
    ("1.4.5", "ex1"): -math.log(0.9),
    ("1.4.5", "ex2"): 0.25,
    ("1.4.5", "ex3"): 196608,
    ("linear-algebra", "ex1"): [3.0, 7.0],
    ("linear-algebra", "ex2"): 0.5**0.5,
    ("linear-algebra", "ex3"): [2.0, 5.0],
    ("probability", "ex1"): 0.0099 / 0.0594,
    ("probability", "ex2"): 0.21,
    ("probability", "ex3"): 35 / 12,
}


@pytest.mark.parametrize("lab_id, name", sorted(EXACT))
def test_worked_solution_runs_and_gives_the_exact_answer(lab_id, name, capsys):
    from glassgrad.labs import EXERCISES

    namespace = {"gg": gg, "np": np}
    exec(EXERCISES[lab_id][name].solution, namespace)
    got, want = namespace[name], EXACT[lab_id, name]
    if isinstance(want, str):
        assert got == want
    else:
        values = [
            v.numpy() if isinstance(v, gg.Tensor) else v
            for v in (got if isinstance(got, tuple) else [got])
        ]
        # exact up to Adam's ε = 1e-8 in its first step (ex3 of 1.4.2)
        np.testing.assert_allclose(np.ravel(values).astype(float), np.ravel(want), rtol=1e-8)
    assert check(lab_id, name, got) and check(lab_id, name, want)


@pytest.mark.parametrize(
    "lab_id, name, answer, reason",
    [
        ("linear-algebra", "ex3", [5.0, 2.0], "wrong order"),
        ("probability", "ex1", 16.67, "looks like a percent"),
        ("1.4.4", "ex3", 96.8, "looks like a percent"),
        ("1.4.4", "ex3", 0.032, "1 minus the answer"),
        ("1.4.1", "ex1", -12.0, "sign is flipped"),
        ("linear-algebra", "ex1", [6.0, 14.0], "same factor 2"),
        ("linear-algebra", "ex1", [3.0], "expected 2 number(s), got 1"),
        ("1.4.5", "ex2", "a quarter", "expected a number, got str"),
    ],
)
def test_check_says_why_an_answer_is_wrong(lab_id, name, answer, reason, capsys):
    assert check(lab_id, name, answer) is False
    assert reason in capsys.readouterr().out


def test_a_blank_answer_is_a_reminder_not_a_mark(capsys):
    assert check("1.4.2", "ex1", ...) is None
    assert "not answered yet" in capsys.readouterr().out
