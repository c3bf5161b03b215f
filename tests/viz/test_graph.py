import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassgrad as gg
from glassgrad.viz import draw_graph, graph_nodes, layout, to_dot, to_svg

NODE = re.compile(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)", shape=(box|ellipse)\];$')
EDGE = re.compile(r'^  (n\d+) -> (n\d+)( \[label="broadcast", style=dashed\])?;$')
HEAD = ["digraph glassgrad {", "  rankdir=LR;", '  node [fontname="monospace"];']


def unescape(label):
    """DOT label text to its lines: \\n breaks a line, \\\\ and \\" are a backslash and a quote."""
    lines, current, i = [], "", 0
    while i < len(label):
        if label[i] == "\\":
            assert label[i + 1] in 'n\\"', f"unknown escape in {label!r}"
            if label[i + 1] == "n":
                lines, current = [*lines, current], ""
            else:
                current += label[i + 1]
            i += 2
        else:
            current, i = current + label[i], i + 1
    return [*lines, current]


def parse_dot(text):
    """A small grammar for the DOT subset we emit: header, node lines, edge lines, '}'."""
    lines = text.rstrip("\n").split("\n")
    assert lines[:3] == HEAD and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[3:-1]:
        if m := NODE.match(line):
            assert m.group(1) not in nodes
            nodes[m.group(1)] = (unescape(m.group(2)), m.group(3))
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), bool(m.group(3))))
        else:
            raise AssertionError(f"not DOT: {line!r}")
    assert all(a in nodes and b in nodes for a, b, _ in edges)
    return nodes, edges


def net(rng):
    W = gg.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = gg.Tensor(rng.normal(size=2), requires_grad=True)
    x = gg.Tensor(rng.normal(size=(4, 3)))
    return W, b, (gg.relu(x @ W.T + b) ** 2).mean()


def count_ops(y):
    seen, stack, n = set(), [y], 0
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        n += t.op is not None
        stack.extend(t.parents)
    return n


def test_dot_is_valid_with_one_box_per_op(rng):
    W, b, y = net(rng)
    nodes, edges = parse_dot(to_dot(y))
    assert sum(shape == "box" for _, shape in nodes.values()) == count_ops(y)
    assert any(lbl[0] == "broadcast_to" for lbl, _ in nodes.values())
    # the leaf W carries ‖∂y/∂W‖ from a reverse sweep
    _, _, y2 = net(np.random.default_rng(0))
    rng0 = np.random.default_rng(0)
    W0, b0, x0 = rng0.normal(size=(2, 3)), rng0.normal(size=2), rng0.normal(size=(4, 3))
    gW = gg.grad(lambda w: (gg.relu(gg.Tensor(x0) @ w.T + b0) ** 2).mean())(W0).data
    labels = [lbl for lbl, shape in parse_dot(to_dot(y2))[0].values() if shape == "ellipse"]
    w_label = [lbl for lbl in labels if lbl[1] == "shape (2, 3)"][0]
    assert w_label[-1] == f"grad ‖·‖={np.linalg.norm(gW):.3g}"


def test_leaf_grad_in_label_matches_grad():
    x = gg.Tensor(1.5, requires_grad=True)
    y = gg.sin(x) * x
    nodes, _ = parse_dot(to_dot(y))
    leaf = [lbl for lbl, shape in nodes.values() if shape == "ellipse"][0]
    expected = float(gg.grad(lambda t: gg.sin(t) * t)(1.5))
    assert leaf[-1] == f"grad {expected:.4g}"
    assert leaf[2] == "value 1.5"


def test_show_values_and_grads_switch_the_label_lines(rng):
    _, _, y = net(rng)
    lines = {
        (v, g): [lbl for lbl, _ in parse_dot(to_dot(y, show_values=v, show_grads=g))[0].values()]
        for v in (True, False)
        for g in (True, False)
    }
    assert all(len(lbl) == 2 for lbl in lines[False, False])  # kind and shape only
    assert all(lbl[2].startswith("value ") for lbl in lines[True, False])
    assert not any(x.startswith("value ") for lbl in lines[False, True] for x in lbl)
    for lbl in lines[False, True]:  # a grad on every node but the constants
        assert lbl[-1].startswith("grad ") == (lbl[0] != "const"), lbl
    assert lines[False, True][-1][-1] == "grad 1"  # ∂y/∂y at the output


def test_names_with_quotes_backslashes_and_newlines_stay_valid_dot():
    x = gg.Tensor(1.5, requires_grad=True)
    x.name = 'say "hi" \\ then\nbye'
    nodes, _ = parse_dot(to_dot(gg.exp(x), show_values=False, show_grads=False))
    labels = {lbl[0]: lbl for lbl, _ in nodes.values()}
    assert labels['say "hi" \\ then bye'] == ['say "hi" \\ then bye', "scalar"]
    ET.fromstring(to_svg(gg.exp(x)))


def test_fold_broadcast_removes_broadcast_nodes(rng):
    _, _, y = net(rng)
    nodes, edges = parse_dot(to_dot(y, fold_broadcast=True, show_values=False, show_grads=False))
    assert not any(lbl[0] in ("broadcast_to", "sum_to") for lbl, _ in nodes.values())
    assert any(dashed for *_, dashed in edges)
    full, _ = graph_nodes(y)
    folded, _ = graph_nodes(y, fold_broadcast=True)
    n_bc = sum(n["op"] in ("broadcast_to", "sum_to") for n in full)
    assert n_bc > 0 and len(folded) == len(full) - n_bc


def test_svg_is_well_formed_and_has_a_box_per_node(rng, tmp_path):
    _, _, y = net(rng)
    svg = to_svg(y)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    groups = root.findall(f"{ns}g")
    nodes, edges = graph_nodes(y)
    assert len(groups) == len(nodes)
    assert len(root.findall(f"{ns}line")) == len(edges)
    path = tmp_path / "g.svg"
    assert draw_graph(y, path) == svg
    ET.parse(path)


def test_layout_ranks_follow_edges(rng):
    _, _, y = net(rng)
    nodes, edges = graph_nodes(y)
    place = layout(nodes, edges)
    assert all(place[a][0] < place[b][0] for a, b, _ in edges)
    positions = [(r, k) for r, k in place.values()]
    assert len(set(positions)) == len(positions)


def test_deep_graph_and_errors():
    x = gg.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    assert to_dot(y, show_grads=False).count("->") == 6000
    with pytest.raises(TypeError, match="expected a Tensor; got float"):
        to_dot(1.0)
    with pytest.raises(RuntimeError, match="needs the Graphviz"):
        import shutil

        if shutil.which("dot"):
            raise RuntimeError("needs the Graphviz (skip: dot installed)")
        draw_graph(x * 2, format="png")
