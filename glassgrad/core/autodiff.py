"""One graph, two sweeps: reverse mode (VJP) and forward mode (JVP) over recorded nodes."""

import functools
import warnings

import numpy as np

from glassgrad.core.anomaly import anomaly_check_backward, anomaly_check_hook, anomaly_check_seed
from glassgrad.core.errors import AnomalyError, GradError, ShapeError
from glassgrad.core.ops import stack
from glassgrad.core.primitive import BATCHING
from glassgrad.core.tensor import _WRITES, STATE, Node, Tensor, check_versions, node_of
from glassgrad.core.tracing import TRACES

__all__ = [
    "toposort",
    "plan",
    "backward_pass",
    "forward_pass",
    "backward",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "detect_anomaly",
    "keep_values",
    "AnomalyError",
]


def toposort(outputs):
    """Return the nodes that ``outputs`` depend on (requires_grad only), parents first.

    Iterative depth-first search, so graphs of any depth stay within Python's stack.

    Example:
        >>> x = Tensor(2.0, requires_grad=True)
        >>> [t.op.name if t.op else "leaf" for t in toposort([x * x + 1.0])]
        ['leaf', 'multiply', 'add']
    """
    order, seen = [], set()
    stack = [(node_of(o), False) for o in reversed(outputs) if o.requires_grad]
    pop, push, emit, visit, writes = stack.pop, stack.append, order.append, seen.add, _WRITES
    while stack:
        node, expanded = pop()
        if expanded:
            if writes and node.op is not None:  # a tensor written in place after a read
                check_versions(node)
            emit(node)
            continue
        key = id(node)
        if key in seen:
            continue
        visit(key)
        push((node, True))
        for p in node.parents:
            if p.requires_grad and id(p) not in seen:
                push((p, False))
    return order


def _descendants(order, sources):
    """Ids of the nodes in ``order`` that are ``sources`` or depend on one of them.

    A source the outputs do not use is not in ``order`` and is left out, so that
    ``needs_recording`` can compare the two sizes.
    """
    src, rel = {id(node_of(s)) for s in sources}, set()
    if all(id(n) in src for n in order if n.op is None):  # each node depends on a leaf
        return {id(n) for n in order}
    for n in order:
        if id(n) in src or any(id(p) in rel for p in n.parents):
            rel.add(id(n))
    return rel


def needs_recording(order, relevant, extra=()):
    """True when the sweep's results must themselves be differentiable.

    That is when the graph depends on tensors other than the sweep's inputs (an outer
    transform or a PyTorch-style leaf), or when a seed or tangent requires grad.
    """
    return len(order) > len(relevant) or any(
        isinstance(e, Tensor) and e.requires_grad for e in extra
    )


def _accumulate(table, key, value, record=True):
    """Add ``value`` into ``table[key]``; on plain arrays when the sum need not be recorded."""
    prev = table.get(key)
    if prev is None:
        table[key] = value
    elif record or TRACES:  # a trace sees only primitives, never raw NumPy on its values
        table[key] = prev + value
    else:
        table[key] = Tensor._make(prev.data + value.data)


def plan(outputs, inputs=None):
    """``(order, relevant)`` for sweeps between ``inputs`` and ``outputs``, reusable by many.

    ``order`` is ``toposort(outputs)``; ``relevant`` holds the ids of the nodes that depend on
    ``inputs`` (all nodes when inputs is None). Jacobians pass one plan to every sweep.

    Example:
        >>> x = Tensor(2.0, requires_grad=True)
        >>> order, relevant = plan([x * 3.0], [x])
        >>> len(order), len(relevant)
        (2, 2)
    """
    order = toposort(outputs)
    return order, ({id(n) for n in order} if inputs is None else _descendants(order, inputs))


def backward_pass(outputs, seeds, inputs=None, create_graph=None, sweep_plan=None, release=False):
    """Reverse sweep: propagate cotangents from ``outputs`` back to ``inputs``.

    Args:
        outputs: output Tensors of the recorded graph.
        seeds: one cotangent Tensor per output, of the output's shape.
        inputs: Tensors to propagate to (None: every node the outputs depend on).
        create_graph: record the sweep so results can be differentiated again
            (None: decide automatically with ``needs_recording``).
        sweep_plan: the result of ``plan(outputs, inputs)``, when it is already known.
        release: no other sweep will walk this graph: each large value (a ``Node``'s) is
            dropped as soon as the last rule that reads it has run.

    Returns:
        ``(order, cotangents)``: the nodes in topological order and a dict from
        ``id(node)`` to its total cotangent. When ``inputs`` are given, only the cotangents
        of the inputs, of leaves and of ``retain_grad()`` tensors are kept.

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> _, cot = backward_pass([x * x], [Tensor(1.0)], [x])
        >>> cot[id(x)]
        Tensor(6.)
    """
    order, relevant = sweep_plan or plan(outputs, inputs)
    if create_graph is None:
        create_graph = needs_recording(order, relevant, seeds)
    drop, keep = inputs is not None, {id(node_of(x)) for x in inputs or ()}
    cot = {}
    for k, (o, s) in enumerate(zip(outputs, seeds, strict=False)):
        if STATE.anomaly:
            anomaly_check_seed(k, s)
        if o.requires_grad:
            _accumulate(cot, id(node_of(o)), s)
    # Under detect_anomaly, a NaN made inside a rule or a hook is reported once, as its fault.
    create_graph = bool(create_graph)
    prev, STATE.enabled = STATE.enabled, create_graph
    check, STATE.anomaly = STATE.anomaly, False
    lookup = cot.get
    try:
        for node in reversed(order):
            key = id(node)
            g = lookup(key)
            if g is None:
                continue
            if node.hooks:
                g = cot[key] = _run_hooks(node.hooks, g, node if check else None)
            op = node.op
            if op is None:
                continue
            if drop and key not in keep and not node.retains:
                del cot[key]  # free intermediate cotangents as soon as they are used
            parents = node.parents
            cotangent = op.cotangents(g, node, parents, node.params)
            for i, p in enumerate(parents):
                key = id(p)
                if key not in relevant:
                    continue
                ct = cotangent(i)  # per-input rules build only the cotangents that are needed
                if ct is None:
                    continue
                dtype = p.data.dtype
                if ct.data.dtype is not dtype and ct.data.dtype != dtype:
                    ct = ct.astype(dtype)
                if check:
                    anomaly_check_backward(node, ct)
                _accumulate(cot, key, ct, create_graph)
                del ct  # (an array of the sweep lives no longer than its last use)
            if release and not create_graph and type(node) is Node:
                node.release()  # its consumers' rules ran before its own
    finally:
        STATE.enabled, STATE.anomaly = prev, check
    return order, cot


def _run_hooks(hooks, g, checked=None):
    """Apply ``hooks`` in turn; under detect_anomaly (``checked``: the node) blame a bad one."""
    for hook in hooks:
        r = hook(g)
        if r is not None:
            r = r if isinstance(r, Tensor) else Tensor(r)
            if checked is not None:
                anomaly_check_hook(checked, hook, g, r)
            g = r
    return g


def forward_pass(inputs, tangents, outputs, create_graph=None, sweep_plan=None, batched=False):
    """Forward sweep: push ``tangents`` of ``inputs`` through the graph to ``outputs``.

    With ``batched=True`` every tangent carries a leading batch axis (e.g. a whole basis, for
    ``jacfwd``): elementwise rules and the rules in ``BATCHING`` take the batch at once, any
    other rule runs per slice.

    Returns:
        One tangent per output (zeros where an output does not depend on the inputs).

    Example:
        >>> x = Tensor(3.0, requires_grad=True)
        >>> forward_pass([x], [Tensor(1.0)], [x * x])
        [Tensor(6.)]
    """
    order, relevant = sweep_plan or plan(outputs, inputs)
    tan = {id(node_of(i)): t for i, t in zip(inputs, tangents, strict=False)}
    if create_graph is None:
        create_graph = needs_recording(order, relevant, tangents)
    create_graph = bool(create_graph)
    prev, STATE.enabled = STATE.enabled, create_graph
    try:
        for node in order:
            op = node.op
            if op is None or id(node) not in relevant or id(node) in tan:
                continue
            ts = [tan.get(id(p)) for p in node.parents]
            if all(t is None for t in ts):
                continue
            t = NotImplemented
            rule = BATCHING.get(op) if batched else None
            if rule is not None:
                t = rule(*_dense(op, ts, node.parents, batched), node, *node.parents, **node.params)
            if t is NotImplemented and batched and not op.elementwise:
                t = _jvp_per_slice(op, ts, node, create_graph)
            elif t is NotImplemented:
                t = op.jvp(*_dense(op, ts, node.parents), node, *node.parents, **node.params)
            if t.data.dtype != node.data.dtype:
                t = t.astype(node.data.dtype)
            tan[id(node)] = t
        batch = (len(tangents[0]),) if batched and tangents else ()
        outs = [tan.get(id(node_of(o))) for o in outputs]
        return [
            _zeros_like(o, batch) if t is None else t for t, o in zip(outs, outputs, strict=True)
        ]
    finally:
        STATE.enabled = prev


def _dense(op, ts, parents, batched=False):
    """Tangents for a rule: zeros replace None unless the rule accepts None (sparse_jvp)."""
    if op.sparse_jvp:
        return ts
    batch = (len(next(t for t in ts if t is not None)),) if batched else ()
    return [_zeros_like(p, batch) if t is None else t for t, p in zip(ts, parents, strict=False)]


def _jvp_per_slice(op, ts, node, record):
    """Apply ``op``'s JVP to each slice of batched tangents and stack the results."""
    size = len(next(t for t in ts if t is not None))
    record = record or bool(TRACES)  # a trace sees only primitives, never raw NumPy
    if op.linear and not record:  # the JVP of a linear op is the op itself: stay on arrays
        ts = [
            np.zeros((size, *p.shape), p.dtype) if t is None else t.data
            for t, p in zip(ts, node.parents, strict=False)
        ]
        return Tensor._make(
            np.stack([op.fn(*[t[b] for t in ts], **node.params) for b in range(size)])
        )
    results = []
    for b in range(size):
        tb = [None if t is None else (t[b] if record else Tensor._make(t.data[b])) for t in ts]
        results.append(op.jvp(*_dense(op, tb, node.parents), node, *node.parents, **node.params))
    if record:
        return stack(results)
    return Tensor._make(np.stack([r.data for r in results]))


def _zeros_like(x, batch=()):
    return Tensor._make(np.zeros(batch + x.shape, dtype=x.dtype))


def as_seeds(outputs, grad_outputs, where):
    """One seed cotangent per output: ones for a one-element output, else the given one."""
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor) or not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"{where}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    seeds = []
    for i, (y, g) in enumerate(zip(outputs, grad_outputs, strict=False)):
        if not y.requires_grad:
            raise GradError(
                f"{where}: output {i} of shape {y.shape} does not require grad and has no "
                "recorded op; create inputs with requires_grad=True"
            )
        if g is None:
            if y.size != 1:
                raise GradError(
                    f"{where}: `gradient` is required for a non-scalar output of shape {y.shape}; "
                    "reduce first (y.sum().backward()) or pass gradient=ones_like(y)"
                )
            g = Tensor._make(np.ones(y.shape, y.dtype))
        g = g if isinstance(g, Tensor) else Tensor(g, dtype=y.dtype)
        if g.shape != y.shape:
            raise ShapeError(
                f"{where}: `gradient` has shape {g.shape} but output {i} has shape {y.shape}"
            )
        seeds.append(g)
    return seeds


def backward(outputs, gradients=None, create_graph=False, inputs=None):
    """PyTorch-style backward: add d(outputs)/d(leaf) into ``.grad`` of the leaves.

    ``outputs`` is a Tensor or a list of Tensors; ``inputs`` (optional) restricts the
    accumulation to those tensors. Non-leaf tensors keep a grad only after ``retain_grad()``.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> backward((x * x).sum())
        >>> x.grad
        Tensor([2., 4.])
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    seeds = as_seeds(outputs, gradients, "backward()")
    targets = None if inputs is None else list(inputs)
    order, cot = backward_pass(outputs, seeds, targets, create_graph=create_graph)
    wanted = order if targets is None else targets
    prev, STATE.enabled = STATE.enabled, bool(create_graph)
    try:
        for node in wanted:
            g = cot.get(id(node_of(node)))
            if g is None or not (node.op is None or node.retains or targets is not None):
                continue
            node.grad = g if node.grad is None else node.grad + g
    finally:
        STATE.enabled = prev


class _GradMode:
    """Context manager and decorator that records with ``mode`` on or off in this thread."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._prev = []

    def __enter__(self):
        self._prev.append(STATE.enabled)
        STATE.enabled = self.mode
        return self

    def __exit__(self, *exc):
        STATE.enabled = self._prev.pop()
        return False

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradMode(mode):
                return func(*args, **kwargs)

        return wrapper


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off in this thread: a call, a context manager or a decorator.

    As in PyTorch, the call itself sets the mode; leaving a ``with`` block restores the
    previous one. Grad mode is per thread.

    Example:
        >>> from glassgrad import Tensor
        >>> x = Tensor(2.0, requires_grad=True)
        >>> with set_grad_enabled(False):
        ...     y = x * x
        >>> y.requires_grad
        False
        >>> _ = set_grad_enabled(False); is_grad_enabled()
        False
        >>> _ = set_grad_enabled(True); is_grad_enabled()
        True
    """

    def __init__(self, mode=True):
        super().__init__(mode)
        self._prev.append(STATE.enabled)
        STATE.enabled = self.mode

    def __enter__(self):
        if not self._prev:  # entered again after an earlier with-block
            return super().__enter__()
        return self

    def __call__(self, func):
        if self._prev:  # used as a decorator: undo the call's switch
            STATE.enabled = self._prev.pop()
        return super().__call__(func)


class no_grad(_GradMode):
    """Disable recording (PyTorch ``torch.no_grad``), as a context manager or decorator.

    Example:
        >>> x = Tensor(1.0, requires_grad=True)
        >>> with no_grad():
        ...     (x * 2).requires_grad
        False
    """

    def __init__(self):
        super().__init__(False)


class enable_grad(_GradMode):
    """Enable recording inside a ``no_grad`` region, as a context manager or decorator.

    Example:
        >>> x = Tensor(1.0, requires_grad=True)
        >>> with no_grad(), enable_grad():
        ...     (x * 2).requires_grad
        True
    """

    def __init__(self):
        super().__init__(True)


class keep_values:
    """Context manager: the graph recorded inside keeps every value, to inspect them later.

    Outside it, a large result (256 KiB and up) whose value no rule reads (``x * 2`` feeding
    an ``add``) gets a graph node without the data (``Primitive.saves``), so its array is
    freed with the caller's Tensor, as PyTorch keeps only saved tensors. Sweeps never need
    the others (forward rules read what reverse rules read); ``explain`` and graph drawings
    show "not kept" for them unless the graph was recorded under ``keep_values()``.

    Example:
        >>> import numpy as np
        >>> x = Tensor(np.ones(100_000), requires_grad=True)
        >>> (x * 2.0).node.data
        <value not kept: shape (100000,), float64>
        >>> with keep_values():
        ...     y = x * 2.0
        >>> y.node is None
        True
    """

    def __enter__(self):
        STATE.keep += 1
        return self

    def __exit__(self, *exc):
        STATE.keep -= 1
        return False


def is_grad_enabled():
    """Return True if operations are currently recorded."""
    return STATE.enabled


class detect_anomaly(_GradMode):
    """Context manager: raise ``AnomalyError`` at the first NaN/Inf in forward or backward.

    The error names the primitive and the line of user code that created it.

    Example:
        >>> from glassgrad import Tensor, log
        >>> x = Tensor(-1.0, requires_grad=True)
        >>> with detect_anomaly():
        ...     y = log(x)  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        AnomalyError: detect_anomaly: forward of 'log' produced NaN/Inf ...
    """

    def __init__(self, check_nan=True):
        super().__init__(STATE.enabled)
        self.check_nan = check_nan

    def __enter__(self):
        self._prev_anomaly = STATE.anomaly
        STATE.anomaly = bool(self.check_nan)
        self.mode = STATE.enabled  # anomaly mode leaves grad mode as this thread has it
        self._warn = warnings.catch_warnings()
        self._warn.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        return super().__enter__()

    def __exit__(self, *exc):
        STATE.anomaly = self._prev_anomaly
        self._warn.__exit__(*exc)
        return super().__exit__(*exc)
