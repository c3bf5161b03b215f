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


PUBLIC_MODULES = {"glassgrad", "glassgrad.labs", "glassgrad.nn.functional", "glassgrad.numpy"}


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_lab_uses_only_the_public_api(lab):
    import ast

    import glassgrad as gg

    tree = ast.parse(lab.path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom | ast.Import):
            modules = [node.module] if isinstance(node, ast.ImportFrom) else []
            modules += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            inside = [m for m in modules if m.split(".")[0] == "glassgrad"]
            assert set(inside) <= PUBLIC_MODULES, (lab.id, node.lineno, inside)
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            assert node.attr.startswith("__"), (lab.id, node.lineno, node.attr)
        if isinstance(node, ast.Name):
            assert node.id != "requires", (lab.id, node.lineno)
    for chain in _gg_attribute_chains(tree):  # gg.nn.LoRALinear: each step is exported
        obj = gg
        for name in chain:
            assert hasattr(obj, name), (lab.id, "gg." + ".".join(chain))
            obj = getattr(obj, name)


def _gg_attribute_chains(tree):
    import ast

    for node in ast.walk(tree):
        chain = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == "gg" and chain:
            yield chain


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
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    shown = [o.get("data", {}) for o in outputs if o.get("output_type") == "display_data"]
    images = [d for d in shown if {"image/png", "image/svg+xml"} & set(d)]
    assert images and len(images) == _saved_figures(lab).count("static")  # each once
    plain = [o.get("data", {}).get("text/plain", "") for o in outputs] + [
        o.get("text", "") for o in outputs if o.get("output_type") == "stream"
    ]
    raw_svg = [text[:80] for text in plain if "<svg" in "".join(text)]
    assert not raw_svg, raw_svg
    if "interactive" in _saved_figures(lab):
        assert any("text/html" in d for d in shown)


def _saved_figures(lab):
    """'static' or 'interactive' for each savefig call in the lab's source."""
    import re

    calls = re.findall(r"savefig\((\w+)", lab.path.read_text(encoding="utf-8"))
    return ["interactive" if c == "playground" else "static" for c in calls]


def test_lab_checks_are_recorded_and_pass(tmp_path):
    from glassgrad.labs import run_lab

    result = run_lab("1.4.1", out_dir=tmp_path)
    assert result.ok, result.error
    assert result.code_cells and not result.not_run
    assert sum(c.status == "pass" for c in result.checks) >= 20
    assert any(c.name == "f'(3) by autodiff" and c.value == 6.0 for c in result.checks)
    assert (tmp_path / "figures" / "1.4.1" / "tangent_slopes.svg").exists()
