"""The glassgrad command: every subcommand, --help, and bad input (exit 2, one line)."""

import os
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest

import glassgrad as gg

pytest.importorskip("typer")


@pytest.fixture
def invoke(capsys):
    """Run ``glassgrad ARGS...`` through the console entry point; capture its streams."""
    from glassgrad.cli import main

    def run(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return SimpleNamespace(exit_code=code, stdout=out, stderr=err, output=out + err)

    return run


def test_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"glassgrad {gg.__version__}"


@pytest.mark.parametrize("command", [[], ["labs"], ["lab"], ["tour"], ["train"], ["explain"]])
def test_help_everywhere(invoke, command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout


def test_labs_lists_every_lab(invoke):
    result = invoke("labs")
    assert result.exit_code == 0
    for lab in gg.labs.list_labs():
        assert lab.id in result.stdout


def test_lab_runs_and_saves_figures(invoke, tmp_path):
    result = invoke("lab", "1.4.1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "0 failed" in result.stdout
    assert list((tmp_path / "figures" / "1.4.1").glob("*.svg"))


def test_explain_chain_rule(invoke):
    result = invoke("explain", "sin(x**2)", "--at", "x=3")
    assert result.exit_code == 0
    import math

    assert f"{math.cos(9) * 6:.6g}" in result.stdout  # d/dx sin(x²) = cos(x²)·2x


def test_explain_names_each_node_and_takes_a_parenthesised_minus(invoke):
    result = invoke("explain", "(-x**2)", "--at", "x=3")
    assert result.exit_code == 0, result.output
    assert "v1 = x**2 = 9" in result.stdout and "L = -v1 = -9" in result.stdout
    assert "∂L/∂x = -1 × 6 = -6" in result.stdout  # d/dx −x² = −2x


def test_explain_two_variables(invoke):
    result = invoke("explain", "3*x**2 + 2*x*y", "--at", "x=1", "--at", "y=2")
    assert result.exit_code == 0
    assert "= 10" in result.stdout  # ∂f/∂x = 6x + 2y


@pytest.mark.parametrize(
    "args, message",
    [
        (["lab", "9.9.9"], "unknown lab '9.9.9'"),
        (["explain", "x +", "--at", "x=1"], "malformed expression"),
        (["explain", "__import__('os').system('true')", "--at", "x=1"], "unknown function"),
        (["explain", "x * y", "--at", "x=1"], "no value for y"),
        (["explain", "x", "--at", "x=one"], "NAME=NUMBER"),
        (["train", "imagenet"], "unknown dataset 'imagenet'"),
        (["train", "digits", "--model", "vit"], "unknown model 'vit'"),
        (["train", "digits", "--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'"),
        (["train", "digits", "--epochs", "0"], "--epochs must be >= 1"),
        (["train", "digits", "--epochs", "abc"], "Invalid value for '--epochs'"),
        (["train", "digits", "--lr", "inf"], "--lr a finite number > 0; got epochs=5, lr=inf"),
        (["train", "digits", "--lr", "nan"], "--lr a finite number > 0; got epochs=5, lr=nan"),
        (["train", "digits", "--lr", "-1"], "--lr a finite number > 0"),
        (["train"], "Missing argument 'dataset'"),
        (["lab"], "Missing argument 'lab_id'"),
        (["explain", "x**2"], "no value for x"),
        (["explain", "x^2", "--at", "x=1"], "write x**2 for x squared"),
        (
            ["explain", "-x**2", "--at", "x=1"],
            "wrap it in parentheses, e.g. glassgrad explain '(-x",
        ),
        (["no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_bad_input_exit_2(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.parametrize(
    "expression, message",
    [
        ("+".join(["x"] * 1000), "longer than 1000 characters"),
        ("*".join(["x"] * 2000), "longer than 1000 characters"),
        ("-" * 5000 + "x", "longer than 1000 characters"),
        ("-" * 100_000 + "x", "longer than 1000 characters"),
        ("+".join(["x"] * 200), "nested deeper than 100 levels"),
        ("-" * 150 + "x", "nested deeper than 100 levels"),
        ("sin(" * 120 + "x" + ")" * 120, "nested deeper than 100 levels"),
        ("x*" + "9" * 400, "too large"),
        ("x*1e400", "too large"),
    ],
    ids=[
        "1000 sums",
        "2000 products",
        "5000 minus",
        "100000 minus",
        "200 sums",
        "150 minus",
        "120 sins",
        "400 digits",
        "1e400",
    ],
)
def test_explain_oversized_expressions_exit_2(invoke, expression, message):
    result = invoke("explain", "--at", "x=1", "--", expression)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_explain_within_the_limits(invoke):
    result = invoke("explain", "--at", "x=1", "--", "+".join(["x"] * 90))
    assert result.exit_code == 0, result.output
    assert "∂L/∂x = 90" in result.stdout


def test_training_meeting_a_non_finite_loss_stops_and_saves_nothing(invoke, tmp_path):
    pytest.importorskip("glassgrad.nn")
    from glassgrad.cli import train_digits

    with pytest.raises(FloatingPointError, match=r"non-finite loss \w+ at epoch 1, step \d+"):
        train_digits("mlp", "sgd", epochs=2, lr=1e200)
    saved = tmp_path / "digits_mlp.npz"
    gg.save({"w": gg.Tensor([1.0])}, saved)
    before = saved.read_bytes()
    result = invoke(
        "train", "digits", "--optimizer", "sgd", "--lr", "1e200", "--out", str(tmp_path)
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: training stopped: non-finite loss")
    assert "nothing saved" in lines[0]
    assert saved.read_bytes() == before and os.listdir(tmp_path) == [saved.name]


def test_non_finite_weights_are_never_saved(invoke, tmp_path, monkeypatch):
    from glassgrad import cli, nn

    net = nn.MLP([64, 10])
    net[0].weight.data[0, 0] = np.inf  # a finite last loss, then an update that overflowed
    monkeypatch.setattr(cli, "train_digits", lambda *args, **kwargs: (net, 0.1))
    result = invoke("train", "digits", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: training stopped: the weights are no longer finite; nothing saved"
    )
    assert os.listdir(tmp_path) == []


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_train_digits(invoke, tmp_path, model):
    pytest.importorskip("glassgrad.nn")
    epochs = "3" if model == "mlp" else "2"
    result = invoke("train", "digits", "--model", model, "--epochs", epochs, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    accuracy = float(result.stdout.split("test accuracy:")[1].split()[0])
    assert accuracy > (0.9 if model == "mlp" else 0.8)
    epochs_shown = [line for line in result.stdout.splitlines() if line.startswith("epoch ")]
    assert len(epochs_shown) == int(epochs) and "loss" in epochs_shown[0]
    last = float(epochs_shown[-1].split("test accuracy")[1])
    assert last == pytest.approx(accuracy, abs=5e-5)  # the last epoch's is the final one
    state = gg.load(tmp_path / f"digits_{model}.npz")
    assert state and all(isinstance(v, gg.Tensor) for v in state.values())


def test_python_dash_m_entry_point(tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, "-m", "glassgrad", "explain", "x*", "--at", "x=1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: malformed expression")
    ok = subprocess.run(
        [sys.executable, "-m", "glassgrad", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert ok.returncode == 0 and gg.__version__ in ok.stdout


def test_console_script():
    from pathlib import Path

    script = Path(sys.executable).parent / "glassgrad"
    if not script.exists():
        pytest.skip(f"console script not installed at {script} (pip install -e .)")
    proc = subprocess.run([str(script), "labs"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "1.4.1" in proc.stdout and "probability" in proc.stdout


TINY_LAB = """# # A tiny lab
# %%
import matplotlib.pyplot as plt

import glassgrad as gg
from glassgrad.labs import record, savefig

record("f'(3)", gg.grad(lambda x: x**2)(3.0), expected={expected})
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1])
savefig(fig, "line")
"""


@pytest.mark.parametrize("expected, status", [(6.0, 0), (7.0, 1)])
def test_tour_writes_the_report(invoke, tmp_path, monkeypatch, expected, status):
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "lab_9_9_1_tiny.py").write_text(TINY_LAB.format(expected=expected))
    monkeypatch.setenv("GLASSGRAD_LABS", str(labs))
    result = invoke("tour", "--out", str(tmp_path / "out"), "--no-progress")
    assert result.exit_code == status, result.output
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="lab-9.9.1"' in html and "report: " in result.stdout
    if status == 0:
        assert "1 checks passed" in html and ">0 failed<" in html and "<svg" in html
        assert (tmp_path / "out" / "figures" / "9.9.1" / "line.svg").exists()
    else:  # the failed check stops the lab: shown in the report and in the summary line
        assert 'class="summary bad"' in html and "got 6.0, expected 7.0" in html
        assert "✗ lab 9.9.1" in result.stdout


@pytest.mark.parametrize(
    "command",
    [["tour"], ["lab", "1.4.1"], ["train", "digits"], ["landscape", "digits"]],
    ids=["tour", "lab", "train", "landscape"],
)
def test_out_that_is_a_file_fails_before_any_work(invoke, tmp_path, monkeypatch, command):
    import glassgrad.cli as cli

    def no_work(*args, **kwargs):
        raise AssertionError("work started before --out was checked")

    monkeypatch.setattr(cli, "run_tour", no_work)
    monkeypatch.setattr(cli, "train_digits", no_work)
    monkeypatch.setattr("glassgrad.labs.run_lab", no_work)
    blocker = tmp_path / "taken"
    blocker.write_text("a file")
    for out in (blocker, blocker / "inside"):
        result = invoke(*command, "--out", str(out))
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --out") and "is a file" in lines[0]
    assert blocker.read_text() == "a file"


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_train_jit_gives_the_eager_weights(invoke, tmp_path, model):
    for flag in ("--jit", "--no-jit"):
        args = ("train", "digits", "--model", model, "--epochs", "1", "--out", str(tmp_path / flag))
        result = invoke(*args, flag)
        assert result.exit_code == 0, result.output
    a = gg.load(tmp_path / "--jit" / f"digits_{model}.npz")
    b = gg.load(tmp_path / "--no-jit" / f"digits_{model}.npz")
    for k in a:
        np.testing.assert_array_equal(a[k].data, b[k].data)
