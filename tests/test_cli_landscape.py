"""``glassgrad landscape``: the digits landscape here, on local processes, and bad input."""

import numpy as np
import pytest

import glassgrad as gg

pytest.importorskip("typer")


def run(capsys, *args):
    from glassgrad.cli import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_landscape_on_two_processes_equals_this_process(tmp_path, capsys):
    code, out, _ = run(capsys, "train", "digits", "--epochs", "1", "--out", str(tmp_path))
    assert code == 0
    weights = str(tmp_path / "digits_mlp.npz")
    grids = []
    for extra, folder in [((), "serial"), (("--workers", "2"), "pool")]:
        code, out, err = run(capsys, "landscape", "digits", "--weights", weights, "--steps", "5",
                             "--out", str(tmp_path / folder), *extra)  # fmt: skip
        assert code == 0, err
        assert "5x5 landscape on" in out and "centre loss" in out
        grids.append(gg.load(tmp_path / folder / "landscape_digits_mlp.npz"))
    assert grids[0]["losses"].shape == (5, 5)
    assert np.array_equal(grids[0]["losses"].data, grids[1]["losses"].data)
    # the centre of the grid is the trained model's loss on all the digits
    from glassgrad.cli import _digits_model
    from glassgrad.data import load_digits
    from glassgrad.nn import functional as F

    net = _digits_model("mlp")
    net.load_state_dict(gg.load(weights))
    X, y = load_digits()
    with gg.no_grad():
        centre = F.cross_entropy(net(X), y).item()
    assert grids[0]["losses"].data[2, 2] == pytest.approx(centre, rel=1e-12)


@pytest.mark.parametrize(
    "args, message",
    [
        (["landscape", "mnist"], "unknown dataset"),
        (["landscape", "digits", "--steps", "1"], "--steps must be >= 2"),
        (["landscape", "digits", "--workers", "2", "--scheduler", "tcp://x:1"], "not both"),
        (["landscape", "digits", "--workers", "0"], "--workers must be >= 1"),
        (["landscape", "digits", "--weights", "nowhere.npz"], "no such file"),
    ],
)
def test_landscape_bad_input_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2 and message in err and err.startswith("error:")
