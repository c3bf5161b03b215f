"""Backpropagation, step by step: every local derivative, upstream gradient and product."""

import html
import re

import numpy as np

from glassgrad.core.autodiff import backward_pass, no_grad, toposort
from glassgrad.core.errors import GradError
from glassgrad.core.tensor import Freed, Tensor, node_of

__all__ = ["explain", "Explanation", "rule_of"]

# Ops whose output has each input's shape and whose Jacobian is diagonal: their local
# derivative is a number per element, which vjp(ones) recovers exactly. Most primitives say
# so themselves (``op.elementwise``); these two carry a parameter (condition, dtype) instead.
_ELEMENTWISE = {"where", "astype"}


def rule_of(op):
    """``(words, formula)`` for a primitive, both from its registry entry.

    Example:
        >>> from glassgrad import maximum
        >>> rule_of(maximum)[1]
        '∂y/∂a = 1[a > b] + ½·1[a = b], ∂y/∂b = 1[b > a] + ½·1[a = b]'
    """
    words = (op.__doc__ or op.name).split("\n", 1)[0].rstrip(".")
    return words, op.formula or "∂L/∂a = Jᵀ G"


def _fmt(a):
    """Short text for a number or small array; large arrays show shape and norm."""
    if isinstance(a, Freed):  # a large value the graph did not keep (see keep_values)
        return f"<{'x'.join(map(str, a.shape))}, not kept>"
    a = np.asarray(a)
    if a.size == 1:
        return f"{float(a.reshape(())):.6g}"
    if a.size <= 8:  # on one line, so table rows stay rows
        return " ".join(
            np.array2string(a, precision=4, separator=", ", suppress_small=True).split()
        )
    return f"<{'x'.join(map(str, a.shape))}, |·|={np.linalg.norm(a):.4g}>"


def _vjp(node, g):
    """The node's cotangent contributions to each input (not recorded)."""
    with no_grad():
        cotangent = node.op.cotangents(g, node, node.parents, node.params)
        return [cotangent(i) for i in range(len(node.parents))]


def _local(node):
    """Local derivatives ∂y/∂(input) when they are numbers (scalar or elementwise)."""
    if node.size != 1 and not (node.op.elementwise or node.op.name in _ELEMENTWISE):
        return [None] * len(node.parents)
    cts = _vjp(node, Tensor._make(np.ones(node.shape, node.dtype)))
    return [
        None if ct is None or ct.shape != p.shape else ct.data
        for ct, p in zip(cts, node.parents, strict=False)
    ]


class Explanation:
    """The record of one backward pass: ``steps``, per-node ``sums`` and final ``grads``.

    Each step is a dict with keys ``node, op, rule, formula, input, upstream, local,
    product``: the input's share of the gradient is ``product = upstream × local``
    (a vector-Jacobian product when the local derivative is a matrix, then ``local`` is
    None). ``sums`` maps a node used more than once to its list of shares and their total.

    Example:
        >>> from glassgrad import Tensor
        >>> x = Tensor(3.0, requires_grad=True)
        >>> str(explain(x * x, wrt={"x": x})).splitlines()[-2:]
        ['x: sum of 2 paths = 3 + 3 = 6', '∂L/∂x = 6']
    """

    def __init__(self, steps, sums, grads, labels, definitions=()):
        self.steps, self.sums, self.grads, self.labels = steps, sums, grads, labels
        self.definitions = list(definitions)  # "v1 = x**2 = 9", inputs first

    def to_dict(self):
        """Plain-Python view: lists and floats, ready for JSON."""

        def conv(v):
            return None if v is None else np.asarray(v).tolist()

        steps = [
            {k: conv(v) if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for s in self.steps
        ]
        sums = {k: {"parts": [conv(p) for p in v["parts"]], "total": conv(v["total"])}
                for k, v in self.sums.items()}  # fmt: skip
        chains = {k: [conv(f) for f in c] for k in self.grads if (c := self.chain(k))}
        return {"output": self.labels["out"], "steps": steps, "sums": sums, "chains": chains,
                "grads": {k: conv(v) for k, v in self.grads.items()}}  # fmt: skip

    def rows(self):
        """Table rows as strings: step, edge, op, rule in words and symbols, g, local, product."""
        out = []
        for i, s in enumerate(self.steps, 1):
            local = "Jᵀ·g" if s["local"] is None else _fmt(s["local"])
            out.append([str(i), f"{s['node']} → {s['input']}", s["op"], s["rule"], s["symbols"],
                        _fmt(s["upstream"]), local, _fmt(s["product"])])  # fmt: skip
        return out

    def _footer(self):
        lines = [
            f"{name}: sum of {len(v['parts'])} paths = "
            + " + ".join(_fmt(p) for p in v["parts"]) + f" = {_fmt(v['total'])}"
            for name, v in self.sums.items()
        ]  # fmt: skip
        for k, v in self.grads.items():
            chain = self.chain(k)
            factors = " × ".join(_fmt(f) for f in chain) + " = " if len(chain or ()) > 1 else ""
            lines.append(f"∂{self.labels['out']}/∂{k} = {factors}{_fmt(v)}")
        return lines

    def chain(self, name):
        """The local derivatives from the output down to ``name`` when one path joins them.

        Their product is the gradient (the chain rule). Factors are numbers, or arrays when
        a local derivative is one number per element (elementwise ops, or the gradient of a
        one-element node); an op that uses a node twice (d·d) contributes the sum of its two
        slots, and a reshape only moves entries and adds no factor. None when ``name``
        feeds several ops (the gradient is then a sum over paths) or a step is a
        matrix-valued Jacobian.
        """
        by_input = {}
        for s in self.steps:
            by_input.setdefault(s["input"], []).append(s)
        path, node = [], name
        while node != self.labels["out"]:
            steps = by_input.get(node, [])
            if not steps or len({s["node"] for s in steps}) != 1:
                return None
            locs = [s["local"] for s in steps]
            reshape = len(steps) == 1 and steps[0]["op"] == "reshape"
            if any(loc is None for loc in locs) and not reshape:
                return None
            local = None if reshape and locs[0] is None else sum(locs)
            path.append((local, np.shape(steps[0]["product"])))
            node = steps[0]["node"]
        factors, acc = [], np.ones(())
        for local, shape in reversed(path):  # output first; acc is each step's upstream g
            if local is None:
                acc = acc.reshape(shape)
                continue
            acc = (acc.reshape(()) if acc.size == 1 else acc) * local
            if acc.shape != shape:
                return None
            local = np.asarray(local)
            factors.append(float(local.reshape(())) if local.size == 1 else local)
        return factors

    _HEAD = ["#", "edge", "op", "local rule", "in symbols", "upstream g", "local ∂", "g × local"]

    def __str__(self):
        rows = [self._HEAD, *self.rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEAD))]
        text = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) for r in rows]
        return "\n".join([*self.definitions, *text, *self._footer()])

    __repr__ = __str__

    def __rich__(self):
        """A rich Table (used automatically by ``rich.print``)."""
        from rich.table import Table

        table = Table(title="backpropagation, output first", caption="\n".join(self._footer()))
        for h in self._HEAD:
            table.add_column(h)
        for r in self.rows():
            table.add_row(*r)
        return table

    def print(self):
        """Print as a rich table in a terminal when rich is available, else as plain text."""
        try:
            import rich
        except ImportError:
            print(self)
        else:
            rich.print(self)

    def to_html(self):
        """An HTML ``<table>`` plus the sums and gradients, for reports."""
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in self._HEAD)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in self.rows()
        )
        foot = "".join(f"<li>{esc(x)}</li>" for x in self._footer())
        defs = "".join(f"<li><code>{esc(x)}</code></li>" for x in self.definitions)
        return (f'<table class="glassgrad-explain"><thead><tr>{head}</tr></thead>'
                f'<tbody>{body}</tbody></table><ul>{foot}</ul><ul class="glassgrad-nodes">'
                f"{defs}</ul>")  # fmt: skip

    _repr_html_ = to_html  # notebooks show the table


def _unique(name, taken):
    """``name``, primed until it is not in ``taken`` (which then holds it)."""
    while name in taken:
        name += "'"
    taken.add(name)
    return name


def _name_nodes(order, wrt, out):
    """Distinct labels: names given in ``wrt``, then ``Tensor.name``, then x0.. / v1...

    Leaves get x0, x1, .., inner nodes v1, v2, ..; the output is ``out.name`` or "L" (the
    loss, as in ∂L/∂w). A name already in use is primed, so no two nodes share a label.
    """
    labels = {id(node_of(t)): name for name, t in wrt.items()}
    taken, count = set(labels.values()), {"x": 0, "v": 1}
    for node in order:
        if id(node) in labels or node is out:
            continue
        if node.name:
            labels[id(node)] = _unique(node.name, taken)
            continue
        kind = "x" if node.op is None else "v"
        while f"{kind}{count[kind]}" in taken:
            count[kind] += 1
        labels[id(node)] = _unique(f"{kind}{count[kind]}", taken)
    if id(out) not in labels:
        labels[id(out)] = _unique(out.name or "L", taken)
    return labels


_INFIX = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**"}


def _term(t, labels):
    """A node's label, or its value when it is a constant that was never named."""
    if id(t) not in labels or (t.op is None and not t.requires_grad and not t.name):
        return _fmt(t.data)
    return labels[id(t)]


# The rules' generic names: y the node's output, a and b its inputs (not aᵢ, a's, πa).
_GENERIC_NAMES = re.compile(r"(?<![\w.])[yab](?![\w'])")


def _in_labels(formula, node, labels):
    """The rule with y, a, b replaced by this step's labels: ``∂L/∂v2 = y``, not ``∂y/∂a = b``.

    So a user's own variable ``y`` is never confused with a node's output.
    """
    names = {"y": labels[id(node)]}
    names.update(zip("ab", (_term(p, labels) for p in node.parents), strict=False))
    text = _GENERIC_NAMES.sub(lambda m: names.get(m.group(), m.group()), formula)
    return _SETTLED.sub("", text)  # "(0 where 2 = 0)": a case a constant input rules out


_SETTLED = re.compile(r"\s*\([^()]*\b(?:where|at) -?[\d.]+ [=<>≤≥] -?[\d.]+[^()]*\)")


def _definitions(order, labels):
    """Each computed node as ``v2 = v1 * x = 6``: its formula over named inputs, its value.

    A constant input that was never named shows as its value (``x * 0.8``, not ``x * x1``).
    """
    lines = []
    for node in order:
        if node.op is None:
            continue
        args = [_term(p, labels) for p in node.parents]
        if node.op.name in _INFIX and len(args) == 2:
            expr = f" {_INFIX[node.op.name]} ".join(args).replace(" ** ", "**")
        elif node.op.name == "negative":
            expr = f"-{args[0]}"
        else:
            expr = f"{node.op.name}({', '.join(args)})"
        lines.append(f"{labels[id(node)]} = {expr} = {_fmt(node.data)}")
    return lines


def _as_wrt(wrt, order):
    if wrt is None:
        wrt = [n for n in order if n.op is None]
    elif isinstance(wrt, Tensor):
        wrt = [wrt]
    if not isinstance(wrt, dict):
        taken = set()
        wrt = {_unique(t.name if isinstance(t, Tensor) and t.name else f"x{i}", taken): t
               for i, t in enumerate(wrt)}  # fmt: skip
    for k, t in wrt.items():
        if not isinstance(t, Tensor):
            raise TypeError(f"explain: wrt[{k!r}] must be a Tensor; got {type(t).__name__}")
    return wrt


def explain(y, wrt=None):
    """Walk backpropagation through ``y``'s recorded graph, one edge at a time.

    For every node, output first, each input receives ``upstream g × local derivative``
    (the chain rule ∂L/∂a = ∂L/∂y · ∂y/∂a); a node used more than once sums its shares.

    Args:
        y: a one-element Tensor with a recorded graph, labelled by its ``name`` or "L".
        wrt: Tensors (a Tensor, list, or dict name → Tensor) whose gradients to report;
            None reports every leaf that requires grad.

    Returns:
        An :class:`Explanation` (text, ``.to_dict()``, ``.to_html()``, rich table).

    Example:
        >>> from glassgrad import Tensor
        >>> x = Tensor(2.0, requires_grad=True)
        >>> e = explain(((x * 0.8) * 0.5) * 0.9, wrt={"x": x})
        >>> round(float(e.grads["x"]), 6)
        0.36
    """
    if not isinstance(y, Tensor):
        raise TypeError(f"explain: y must be a Tensor; got {type(y).__name__}")
    if y.size != 1:
        raise GradError(f"explain: y must have one element (a loss); got shape {y.shape}")
    if not y.requires_grad:
        raise GradError("explain: y has no recorded graph; build it from requires_grad inputs")
    order = toposort([y])
    wrt = _as_wrt(wrt, order)
    labels = _name_nodes(order, wrt, y)
    seed = Tensor._make(np.ones(y.shape, y.dtype))
    _, cot = backward_pass([y], [seed], create_graph=False)
    steps, parts = [], {}
    for node in reversed(order):
        g = cot.get(id(node))
        if node.op is None or g is None:
            continue
        word, formula = rule_of(node.op)
        per_input = formula.split(", ")  # one rule per input when the op states them so
        shares = _vjp(node, g)
        for i, (p, share, loc) in enumerate(zip(node.parents, shares, _local(node), strict=False)):
            if not p.requires_grad or share is None:
                continue
            rule = per_input[i] if len(per_input) == len(node.parents) else formula
            steps.append(dict(node=labels[id(node)], op=node.op.name, rule=word,
                              formula=rule, symbols=_in_labels(rule, node, labels),
                              input=labels[id(p)], upstream=g.data,
                              local=loc, product=share.data))  # fmt: skip
            parts.setdefault(id(p), []).append(share.data)
    sums = {labels[k]: {"parts": v, "total": cot[k].data} for k, v in parts.items() if len(v) > 1}
    cts = {k: cot.get(id(node_of(t))) for k, t in wrt.items()}
    grads = {
        k: np.zeros(t.shape, t.dtype) if cts[k] is None else cts[k].data for k, t in wrt.items()
    }
    labels["out"] = labels[id(y)]
    return Explanation(steps, sums, grads, labels, _definitions(order, labels))
