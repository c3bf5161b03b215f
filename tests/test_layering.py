"""Imports point down only: parse every module of the package with ast and check each import.

Layers: core (NumPy only) <- {nn, optim, data, linalg, prob, io, autograd} (siblings never
import each other) <- {analysis, viz, training, numpy, scipy} (nothing but cli/report/labs
imports viz) <- {cli, report, labs}. glassgrad.scipy imports only core and prob, and nothing in
the package imports it. glassgrad.testing imports only core. Heavy optional libraries (SciPy
included) are never imported at module level anywhere in the package.

Inside core every module has a rank and imports (at any level, inside functions too) point to
lower ranks only, so the core has no import cycle except the declared one: tensor.py's methods
delegate to the ops and to the reverse sweep (``CORE_CYCLE``).
"""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "glassgrad"
RANK = {
    "core": 0,
    "parallel": 0,
    "testing": 1,
    "autograd": 1,
    "nn": 1,
    "optim": 1,
    "data": 1,
    "linalg": 1,
    "prob": 1,
    "io": 1,
    "analysis": 2,
    "viz": 2,
    "training": 2,
    "numpy": 2,
    "scipy": 2,
    "cli": 3,
    "report": 3,
    "labs": 3,
}
CORE_RANK = {
    "errors": 0,
    "tracing": 0,
    "random": 1,
    "tensor": 1,
    "anomaly": 1,
    "primitive": 2,
    "ops.shape": 3,
    "ops.manipulation": 4,
    "ops.elementwise": 4,
    "ops.reduce": 5,
    "ops.sorting": 6,
    "ops.contractions": 6,
    "ops.linalg": 7,
    "ops.composite": 8,
    "ops": 9,
    "pytree": 0,
    "autodiff": 10,
    "trace": 10,
    "vmap": 11,
    "transforms": 12,
    "jit": 13,
}
CORE_CYCLE = {("tensor", "ops"), ("tensor", "autodiff")}
HEAVY = {
    "matplotlib",
    "torch",
    "sklearn",
    "rich",
    "typer",
    "safetensors",
    "dask",
    "distributed",
    "cloudpickle",
    "scipy",
    "plotly",
    "pygments",
    "latex2mathml",
}


def unit_of(module):
    """The layer unit of a dotted module name: 'glassgrad.nn.layers' -> 'nn'."""
    parts = module.split(".")
    if parts[0] != "glassgrad":
        return None
    return "core" if len(parts) == 1 else parts[1]  # the package root re-exports core only


def module_name(path):
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree, name, is_package):
    """Yield ``(imported module, line, at_module_level)`` for every import in ``tree``."""

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if isinstance(child, ast.Import):
                for a in child.names:
                    yield a.name, child.lineno, top
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = name.split(".")[: len(name.split(".")) - child.level + is_package]
                    base = ".".join(pkg + ([base] if base else []))
                yield base, child.lineno, top
                for a in child.names:  # `from glassgrad import nn` imports a subpackage
                    if base == "glassgrad" or base.startswith("glassgrad.core"):
                        yield f"{base}.{a.name}", child.lineno, top
            yield from visit(child, inner)

    yield from visit(tree, True)


def violations(path):
    name = module_name(path)
    own = unit_of(name)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    key = name.removeprefix("glassgrad.core").lstrip(".")
    if own == "core" and name.startswith("glassgrad.core.") and key not in CORE_RANK:
        found.append(
            f"{path.relative_to(PACKAGE.parent)}: give the core module a rank in CORE_RANK"
        )
    for target, line, top in imports(tree, name, path.name == "__init__.py"):
        where = f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        root = target.split(".")[0]
        if top and root in HEAVY:
            found.append(f"{where} at module level (import it inside the function)")
        if (
            own == "core"
            and top
            and root not in ("glassgrad", "numpy", "__future__")
            and (root not in sys.stdlib_module_names)
        ):
            found.append(f"{where}: core depends on NumPy only")
        other = unit_of(target)
        if own == other == "core" and name != "glassgrad":
            found += core_violations(name, target, where)
        if other is None or other == own:
            continue
        if own == "testing" and other != "core":
            found.append(f"{where}: glassgrad.testing imports only core")
        elif own == "scipy" and other not in ("core", "prob"):
            found.append(f"{where}: glassgrad.scipy imports only core and prob")
        elif other == "scipy":
            found.append(f"{where}: nothing inside the package imports glassgrad.scipy")
        elif other == "viz" and RANK.get(own, 3) < 3:
            found.append(f"{where}: nothing inside the package imports viz")
        elif RANK.get(other, 3) > RANK.get(own, 3):
            found.append(f"{where}: upward import ({own} is below {other})")
        elif RANK.get(other, 3) == RANK.get(own, 3) == 1:
            found.append(f"{where}: siblings {own} and {other} never import each other")
    return found


def core_violations(name, target, where):
    """Imports inside core must point to a lower rank (a module, or the package it sits in)."""
    src = name.removeprefix("glassgrad.core").lstrip(".")
    dst = target.removeprefix("glassgrad.core").lstrip(".")
    if not src or src == dst or dst.startswith(src + "."):  # a package's own submodules
        return []
    if dst not in CORE_RANK:  # `from glassgrad.core.ops import add` names a function, not a module
        dst = dst.rpartition(".")[0]
    if not dst:
        return []
    if src not in CORE_RANK or dst not in CORE_RANK:
        return []  # reported once per file by violations()
    if CORE_RANK[dst] >= CORE_RANK[src] and (src, dst) not in CORE_CYCLE:
        return [f"{where}: import cycle inside core ({src} must not import {dst})"]
    return []


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    assert violations(path) == []


def test_checker_catches_bad_imports(tmp_path, monkeypatch):
    pkg = tmp_path / "glassgrad"
    (pkg / "nn").mkdir(parents=True)
    (pkg / "core").mkdir()
    bad_nn = pkg / "nn" / "layers.py"
    bad_nn.write_text(
        "import torch\nfrom ..optim import SGD\n\ndef f():\n"
        "    from glassgrad.viz import draw\n    import matplotlib\n"
    )
    bad_core = pkg / "core" / "x.py"
    bad_core.write_text("import scipy\n\ndef g():\n    from glassgrad import nn\n")
    (pkg / "core" / "ops").mkdir()
    cyclic = pkg / "core" / "primitive.py"  # a function-level import that dodges a cycle
    cyclic.write_text("def f():\n    from glassgrad.core.autodiff import no_grad\n")
    shape = pkg / "core" / "ops" / "shape.py"
    shape.write_text("from glassgrad.core.ops.elementwise import add\n")
    (pkg / "scipy").mkdir()
    bad_scipy = pkg / "scipy" / "x.py"
    bad_scipy.write_text("from glassgrad.prob import Normal\nfrom glassgrad.nn import Linear\n")
    uses_scipy = pkg / "nn" / "z.py"
    uses_scipy.write_text("def h():\n    from glassgrad.scipy import special\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    found = [violations(p) for p in (bad_nn, bad_core, cyclic, shape, bad_scipy, uses_scipy)]
    msgs = "\n".join(m for f in found for m in f)
    assert "glassgrad.scipy imports only core and prob" in msgs and "prob.Normal" not in msgs
    assert "nothing inside the package imports glassgrad.scipy" in msgs
    assert "torch at module level" in msgs and "matplotlib" not in msgs
    assert "siblings nn and optim" in msgs
    assert "nothing inside the package imports viz" in msgs
    assert "core depends on NumPy only" in msgs
    assert "upward import (core is below nn)" in msgs
    assert "give the core module a rank" in msgs  # core/x.py has none
    assert "primitive must not import autodiff" in msgs
    assert "ops.shape must not import ops.elementwise" in msgs
