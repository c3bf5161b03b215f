"""The glassgrad command: every subcommand, --help, and bad input (exit 2, one line)."""

import os
import subprocess
import sys

import pytest

import glassgrad as gg

typer_testing = pytest.importorskip("typer.testing")


@pytest.fixture(scope="module")
def invoke():
    from glassgrad.cli import make_app

    app, runner = make_app(), typer_testing.CliRunner()

    def run(*args):
        return runner.invoke(app, list(args))

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
    ],
)
def test_bad_input_exit_2(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_train_digits(invoke, tmp_path, model):
    pytest.importorskip("glassgrad.nn")
    epochs = "3" if model == "mlp" else "2"
    result = invoke("train", "digits", "--model", model, "--epochs", epochs, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    accuracy = float(result.stdout.split("test accuracy:")[1].split()[0])
    assert accuracy > (0.9 if model == "mlp" else 0.8)
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
