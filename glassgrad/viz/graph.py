"""Computation graphs as DOT text and as SVG drawn by a small pure-Python layered layout."""

import html
import os
import shutil
import subprocess
import tempfile

import numpy as np

from glassgrad.core.autodiff import backward_pass
from glassgrad.core.tensor import Freed, Tensor

__all__ = ["graph_nodes", "to_dot", "to_svg", "draw_graph", "layout"]

_FOLDABLE = ("broadcast_to", "sum_to")


def _short(a):
    if isinstance(a, Freed):  # a large value the graph did not keep (see keep_values)
        return "not kept"
    a = np.asarray(a)
    if a.size == 1:
        return f"{float(a.reshape(())):.4g}"
    return f"‖·‖={np.linalg.norm(a):.3g}"


def graph_nodes(tensor, fold_broadcast=False):
    """Nodes and edges of the graph behind ``tensor``: ``(nodes, edges)``.

    ``nodes`` is a list (parents first) of dicts ``id, tensor, op, label``; ``edges`` a list
    of ``(from_id, to_id, note)``. Constants are included as leaves. With
    ``fold_broadcast`` the ``broadcast_to``/``sum_to`` nodes are removed and their edge is
    marked "broadcast".

    Example:
        >>> from glassgrad import Tensor
        >>> nodes, edges = graph_nodes(Tensor(2.0, requires_grad=True) * 3.0)
        >>> [n["op"] for n in nodes], len(edges)
        ([None, None, 'multiply'], 2)
    """
    order, seen, stack = [], set(), [(tensor, False)]
    while stack:  # iterative DFS, so deep graphs stay within the recursion limit
        node, done = stack.pop()
        if done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in seen)
    folded = {
        id(n): n.parents[0] for n in order if fold_broadcast and n.op and n.op.name in _FOLDABLE
    }

    def source(p):
        note = ""
        while id(p) in folded:
            p, note = folded[id(p)], "broadcast"
        return p, note

    nodes, edges = [], []
    for n in order:
        if id(n) in folded:
            continue
        nodes.append({"id": id(n), "tensor": n, "op": n.op.name if n.op else None})
        for p in n.parents:
            src, note = source(p)
            edges.append((id(src), id(n), note))
    return nodes, edges


def _labels(nodes, tensor, show_values, show_grads):
    grads = {}
    if show_grads and tensor.requires_grad and tensor.size == 1:
        seed = Tensor._make(np.ones(tensor.shape, tensor.dtype))
        grads = backward_pass([tensor], [seed], create_graph=False)[1]
    for k, nd in enumerate(nodes):
        t = nd["tensor"]
        kind = nd["op"] or (t.name or ("param" if t.requires_grad else "const"))
        lines = [kind, f"shape {t.shape}" if t.ndim else "scalar"]
        if show_values:
            lines.append(f"value {_short(t.data)}")
        if show_grads and id(t) in grads:
            lines.append(f"grad {_short(grads[id(t)].data)}")
        nd["label"], nd["name"] = lines, f"n{k}"


def to_dot(tensor, show_values=True, show_grads=True, fold_broadcast=False):
    """DOT text of ``tensor``'s graph: one box per op, an ellipse per leaf, edges data → op.

    Grads are ∂tensor/∂node from a reverse sweep (for a one-element ``tensor``).

    Example:
        >>> from glassgrad import Tensor
        >>> x = Tensor(2.0, requires_grad=True)
        >>> print(to_dot(x * 3.0, show_values=False).splitlines()[0])
        digraph glassgrad {
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot: expected a Tensor; got {type(tensor).__name__}")
    nodes, edges = graph_nodes(tensor, fold_broadcast)
    _labels(nodes, tensor, show_values, show_grads)
    names = {nd["id"]: nd["name"] for nd in nodes}
    out = ["digraph glassgrad {", "  rankdir=LR;", '  node [fontname="monospace"];']
    for nd in nodes:
        # DOT escapes: a backslash and a quote are escaped, a line break is \n
        lines = (ln.replace("\\", "\\\\").replace('"', '\\"') for ln in nd["label"])
        label = "\\n".join(" ".join(ln.splitlines()) for ln in lines)
        shape = "box" if nd["op"] else "ellipse"
        out.append(f'  {nd["name"]} [label="{label}", shape={shape}];')
    for a, b, note in edges:
        extra = f' [label="{note}", style=dashed]' if note else ""
        out.append(f"  {names[a]} -> {names[b]}{extra};")
    out.append("}")
    return "\n".join(out) + "\n"


def layout(nodes, edges):
    """Layered layout: rank = longest path from a leaf; order by the parents' mean position.

    Returns ``{id: (rank, position)}``.

    Example:
        >>> from glassgrad import Tensor
        >>> nodes, edges = graph_nodes(Tensor(2.0, requires_grad=True) * 3.0)
        >>> sorted(layout(nodes, edges).values())
        [(0, 0), (0, 1), (1, 0)]
    """
    rank, parents = {}, {nd["id"]: [] for nd in nodes}
    for a, b, _ in edges:
        parents[b].append(a)
    for nd in nodes:  # nodes are parents-first, so one pass suffices
        rank[nd["id"]] = 1 + max((rank[p] for p in parents[nd["id"]]), default=-1)
    layers = {}
    for nd in nodes:
        layers.setdefault(rank[nd["id"]], []).append(nd["id"])
    pos = {}
    for r in sorted(layers):
        # barycentre heuristic: one downward sweep reduces most crossings in these graphs
        def key(i):
            ps = [pos[p] for p in parents[i] if p in pos]
            return sum(ps) / len(ps) if ps else 0.0

        for k, i in enumerate(sorted(layers[r], key=key)):
            pos[i] = k
    return {i: (rank[i], pos[i]) for i in rank}


class SVG(str):
    """SVG text that a notebook draws as a picture (and prints as a one-line summary)."""

    _repr_svg_ = str.__str__

    def __repr__(self):
        return f"<SVG drawing, {len(self)} characters>"


def to_svg(tensor, show_values=True, show_grads=True, fold_broadcast=False):
    """SVG text of ``tensor``'s graph, laid out left to right without Graphviz (notebooks draw it).

    Example:
        >>> from glassgrad import Tensor
        >>> to_svg(Tensor(2.0, requires_grad=True) * 3.0).startswith("<svg")
        True
    """
    nodes, edges = graph_nodes(tensor, fold_broadcast)
    _labels(nodes, tensor, show_values, show_grads)
    place = layout(nodes, edges)
    bw = 8 * max(len(s) for nd in nodes for s in nd["label"]) + 16
    bh, gx, gy = 16 * max(len(nd["label"]) for nd in nodes) + 10, 60, 24
    xy = {i: (20 + r * (bw + gx), 20 + k * (bh + gy)) for i, (r, k) in place.items()}
    width = max(x for x, _ in xy.values()) + bw + 20
    height = max(y for _, y in xy.values()) + bh + 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'font-family="monospace" font-size="12">',
        '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="10" refY="4" '
        'orient="auto"><path d="M0,0 L10,4 L0,8 z"/></marker></defs>',
    ]
    for a, b, note in edges:
        (x1, y1), (x2, y2) = xy[a], xy[b]
        dash = ' stroke-dasharray="4,3"' if note else ""
        out.append(f'<line x1="{x1 + bw}" y1="{y1 + bh / 2}" x2="{x2}" y2="{y2 + bh / 2}" '
                   f'stroke="#555" marker-end="url(#arrow)"{dash}/>')  # fmt: skip
    for nd in nodes:
        x, y = xy[nd["id"]]
        fill, rx = ("#dbe9f6", 4) if nd["op"] else ("#fdf3d8", 14)
        out.append(f'<g class="node" id="{nd["name"]}"><rect x="{x}" y="{y}" width="{bw}" '
                   f'height="{bh}" rx="{rx}" fill="{fill}" stroke="#333"/>')  # fmt: skip
        for k, line in enumerate(nd["label"]):
            weight = ' font-weight="bold"' if k == 0 else ""
            out.append(
                f'<text x="{x + 8}" y="{y + 18 + 16 * k}"{weight}>{html.escape(line)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return SVG("\n".join(out) + "\n")


def draw_graph(tensor, path=None, format="svg", **options):
    """Draw the graph: SVG text from the built-in layout, or any format via Graphviz.

    ``format="svg"`` never needs Graphviz. Other formats ("png", "pdf") use the ``dot``
    program when it is installed and raise a clear error otherwise. Writes ``path`` when
    given; returns the SVG text (or bytes for other formats).

    Example:
        >>> from glassgrad import Tensor
        >>> "</svg>" in draw_graph(Tensor(1.0, requires_grad=True).exp())
        True
    """
    if format == "svg":
        data = to_svg(tensor, **options)
    else:
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError(
                f"draw_graph: format={format!r} needs the Graphviz 'dot' program, which is not "
                "installed; use format='svg' (built-in layout)"
            )
        data = subprocess.run([exe, f"-T{format}"], input=to_dot(tensor, **options).encode(),
                              capture_output=True, check=True).stdout  # fmt: skip
    if path is not None:
        _atomic_write(path, data)
    return data


def _atomic_write(path, data):
    """Write ``data`` (str or bytes) to a temporary file, then rename it onto ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
