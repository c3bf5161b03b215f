"""Every lab runs as a script and as a notebook, and its recorded checks pass."""

import os
import subprocess
import sys

import pytest

from glassgrad.labs import list_labs

LABS = list_labs()
IDS = [lab.id for lab in LABS]


def test_all_required_labs_exist():
    assert {"1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "linear-algebra", "probability"} <= set(
        IDS
    )


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_runs_as_script(lab, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, str(lab.path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_runs_as_notebook(lab, tmp_path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    nb = jupytext.read(lab.path, fmt="py:percent")
    nb.cells.insert(
        0,
        nbformat.v4.new_code_cell(
            "import sys, os\nimport matplotlib\nmatplotlib.use('Agg')\n"
            f"assert os.path.realpath(sys.prefix) == {os.path.realpath(sys.prefix)!r}"
        ),
    )
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert not errors


def test_lab_checks_are_recorded_and_pass(tmp_path):
    from glassgrad.labs import run_lab

    result = run_lab("1.4.1", out_dir=tmp_path)
    assert result.ok, result.error
    assert sum(c.status == "pass" for c in result.checks) >= 20
    assert any(c.name == "f'(3) by autodiff" and c.value == 6.0 for c in result.checks)
    assert (tmp_path / "figures" / "1.4.1" / "tangent_slopes.svg").exists()
