"""Lab registry and runner: find the lab scripts, run one, collect its checks and figures.

A lab is a jupytext percent-format script in ``labs/``. While it runs, :func:`record`
asserts each of the notes' numbers and keeps it for the report, and :func:`savefig`
keeps each figure (SVG text, or an interactive figure's frames).
"""

import contextlib
import io
import json
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "Check",
    "Lab",
    "LabResult",
    "LabNotFound",
    "record",
    "savefig",
    "SavedFigure",
    "list_labs",
    "find_lab",
    "run_lab",
    "split_cells",
    "parse_cells",
]


class LabNotFound(LookupError):
    """Raised when a lab id matches no script in the labs folder."""


@dataclass
class Check:
    """One recorded number: ``status`` is "pass", "fail" or "info" (no expected value)."""

    name: str
    value: object
    expected: object = None
    status: str = "info"
    note: str = ""
    cell: int = -1


@dataclass
class Lab:
    """A lab script: ``id`` ("1.4.1", "linear-algebra"), ``title`` and ``path``."""

    id: str
    title: str
    path: Path


@dataclass
class LabResult:
    """What one run of a lab produced."""

    lab: Lab
    checks: list = field(default_factory=list)
    figures: list = field(default_factory=list)  # SavedFigure records
    stdout: str = ""
    error: str = ""
    seconds: float = 0.0
    outputs: dict = field(default_factory=dict)  # cell index → printed text
    code_cells: list = field(default_factory=list)  # indices of the lab's code cells

    @property
    def not_run(self):
        """Indices of the code cells that did not run (those after an error)."""
        return [i for i in self.code_cells if i not in self.outputs]

    @property
    def ok(self):
        """True when every cell ran and no check failed."""
        return not self.error and not self.not_run and all(c.status != "fail" for c in self.checks)


class _Session:
    """Where :func:`record` and :func:`savefig` put things during one run."""

    def __init__(self, fig_dir=None):
        self.checks, self.figures, self.fig_dir, self.cell = [], [], fig_dir, -1


_current = _Session()


def _to_array(value):
    data = getattr(value, "data", value)
    return np.asarray(data, dtype=float)


def _show(value):
    if isinstance(value, bool | np.bool_):
        return bool(value)
    a = _to_array(value)
    return float(a) if a.ndim == 0 else a.tolist()


def record(name, value, expected=None, tol=1e-9, rtol=0.0):
    """Record a number for the report and assert it equals ``expected`` (when given).

    Passes when ``|value - expected| <= tol + rtol·|expected|`` elementwise.

    Args:
        name: what the number is, e.g. ``"f'(3)"``.
        value: a number, array or Tensor.
        expected: the notes' value; None only records.
        tol: absolute tolerance.
        rtol: relative tolerance.

    Returns:
        The value as a float (0-D) or nested list.

    Example:
        >>> record("2 + 2", 4.0, expected=4)
        4.0
    """
    shown = _show(value)
    if expected is None:
        _current.checks.append(Check(name, shown, cell=_current.cell))
        return shown
    got, want = _to_array(value), _to_array(expected)
    if got.shape != want.shape and got.size != want.size:
        ok = False
    else:
        ok = bool(np.all(np.abs(got.reshape(want.shape) - want) <= tol + rtol * np.abs(want)))
    status = "pass" if ok else "fail"
    _current.checks.append(Check(name, shown, _show(expected), status, cell=_current.cell))
    if not ok:
        raise AssertionError(f"{name}: got {shown}, expected {_show(expected)} (tol {tol})")
    return shown


@dataclass
class SavedFigure:
    """A figure kept for the report: SVG text, or an interactive figure with sliders."""

    name: str
    content: object  # SVG text or a glassgrad.labs.interactive.Interactive
    cell: int = -1
    caption: str = ""

    @property
    def interactive(self):
        """True for a figure with sliders."""
        return not isinstance(self.content, str)


def savefig(fig, name, caption=""):
    """Keep a figure for the report and close it; in a notebook, display it once.

    ``fig`` is a matplotlib figure (kept as SVG) or an interactive figure with sliders.
    Under ``glassgrad lab``/``tour`` a copy is also written to ``<out>/figures/`` (SVG, or
    the sliders' precomputed frames as JSON).

    Args:
        fig: the figure.
        name: a file-name-like name.
        caption: what to notice in the figure (interactive figures carry their own).
    """
    if hasattr(fig, "savefig"):
        import matplotlib.pyplot as plt

        buf = io.StringIO()
        with plt.rc_context({"svg.fonttype": "none"}):  # text stays text: smaller, selectable
            fig.savefig(buf, format="svg", bbox_inches="tight")
        plt.close(fig)
        content, suffix, text = buf.getvalue(), "svg", buf.getvalue()
    else:
        content, suffix = fig, "json"
        text = json.dumps(fig.spec(), separators=(",", ":"))
        caption = caption or fig.caption
    _current.figures.append(SavedFigure(name, content, _current.cell, caption))
    if _current.fig_dir is not None:
        _current.fig_dir.mkdir(parents=True, exist_ok=True)
        (_current.fig_dir / f"{name}.{suffix}").write_text(text, encoding="utf-8")
    if _in_notebook():
        from IPython.display import SVG, display

        display(SVG(data=content) if suffix == "svg" else fig)


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "ZMQ" in type(shell).__name__


def labs_dir():
    """The folder holding the lab scripts (``$GLASSGRAD_LABS`` or ``labs/`` beside the package)."""
    env = os.environ.get("GLASSGRAD_LABS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "labs"


def _lab_id(path):
    m = re.match(r"lab_(\d+)_(\d+)_(\d+)_", path.name)
    return ".".join(m.groups()) if m else path.stem.removeprefix("lab_").replace("_", "-")


def _title(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# # "):
            return line[4:].strip()
    return path.stem


def list_labs():
    """All labs, numbered ones first, in order.

    Example:
        >>> [lab.id for lab in list_labs()][:2]
        ['1.4.1', '1.4.2']
    """
    paths = sorted(labs_dir().glob("lab_*.py"), key=lambda p: (not p.name[4].isdigit(), p.name))
    return [Lab(_lab_id(p), _title(p), p) for p in paths]


def find_lab(lab_id):
    """The lab with this id (``"1.4.3"``, ``"probability"``) or raise :class:`LabNotFound`."""
    labs = list_labs()
    for lab in labs:
        if lab_id in (lab.id, lab.path.stem, lab.path.name):
            return lab
    known = ", ".join(lab.id for lab in labs)
    raise LabNotFound(f"unknown lab {lab_id!r}; known labs: {known}")


def parse_cells(source):
    """``[(kind, text, first line number)]``; text before the first marker is dropped."""
    cells, kind, lines, start = [], None, [], 0

    def flush():
        body = list(lines)
        first = start
        while body and not body[0].strip():  # skip leading blank lines, keeping line numbers
            body.pop(0)
            first += 1
        text = "\n".join(body).rstrip()
        if kind is not None and text.strip():
            if kind == "markdown":
                text = "\n".join(re.sub(r"^# ?", "", ln) for ln in text.splitlines())
            cells.append((kind, text, first))

    for number, line in enumerate(source.splitlines(), 1):
        if line.startswith("# %%"):
            flush()
            kind, lines, start = ("markdown" if "[markdown]" in line else "code"), [], number + 1
        else:
            lines.append(line)
    flush()
    return cells


def split_cells(source):
    r"""Split percent-format source into ``[(kind, text)]`` with kind "markdown" or "code".

    Example:
        >>> split_cells("# %% [markdown]\n# # Title\n# %%\nx = 1")
        [('markdown', '# Title'), ('code', 'x = 1')]
    """
    return [(kind, text) for kind, text, _ in parse_cells(source)]


def run_lab(lab, out_dir=None):
    """Run a lab in this process cell by cell, capturing printed output, checks and figures.

    Each code cell runs in one shared namespace (as in a notebook); what it prints, the
    numbers it records and the figures it saves are attributed to it for the report.

    Args:
        lab: a :class:`Lab` or a lab id.
        out_dir: when given, figures are written to ``out_dir/figures/<lab id>/``.

    Returns:
        A :class:`LabResult`; an exception inside the lab is caught into ``error`` and the
        remaining cells do not run.
    """
    global _current
    lab = lab if isinstance(lab, Lab) else find_lab(lab)
    fig_dir = Path(out_dir) / "figures" / lab.id if out_dir is not None else None
    session, previous = _Session(fig_dir), _current
    _current, outputs, error, start = session, {}, "", time.perf_counter()
    namespace = {"__name__": "__main__", "__file__": str(lab.path)}
    cells = parse_cells(lab.path.read_text("utf-8"))
    code_cells = [index for index, (kind, _, _) in enumerate(cells) if kind == "code"]
    try:
        for index in code_cells:
            _, text, first = cells[index]
            session.cell, buf = index, io.StringIO()
            code = compile("\n" * (first - 1) + text, str(lab.path), "exec")  # true line numbers
            try:
                with contextlib.redirect_stdout(buf):
                    exec(code, namespace)
            finally:
                outputs[index] = buf.getvalue()
    except Exception:  # a failing lab is reported, not raised
        error = traceback.format_exc(limit=-3)
    finally:
        _current = previous
    stdout = "".join(outputs.values())
    elapsed = time.perf_counter() - start
    return LabResult(
        lab, session.checks, session.figures, stdout, error, elapsed, outputs, code_cells
    )
