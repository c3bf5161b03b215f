"""The line budget: tools/sz.py counts code lines and fails above each layer's budget."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sz  # noqa: E402


def test_code_lines_skip_docstrings_comments_and_blanks():
    source = '''"""Module doc."""

# a comment
def f(x):
    """Doc
    on two lines."""
    y = (x +
         1)  # trailing comment
    return "not a docstring"
'''
    assert sz.code_lines(source) == 4


def test_layers_within_budget():
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sz.py")], capture_output=True, text=True
    )
    assert "core" in run.stdout
    assert run.returncode == 0, run.stdout + run.stderr
