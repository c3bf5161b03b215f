"""Primitives: a NumPy forward and its derivative, stated once, in one registry.

A primitive's reverse rule (VJP) is called as ``vjp(g, out, *inputs, **params)`` and
returns one cotangent per input; its forward rule (JVP) is called as
``jvp(*tangents, out, *inputs, **params)`` and returns the output tangent. ``g`` is the
incoming cotangent, ``t`` a tangent, ``out`` the primal output. Rules receive Tensors and
return Tensors built from glassgrad ops, so every rule can itself be differentiated: this
is what gives Hessians and third derivatives with no extra machinery.
"""

import inspect

from glassgrad.core.anomaly import anomaly_check_forward
from glassgrad.core.tensor import (
    _WRITES,
    LEAN_BYTES,
    STATE,
    Node,
    Tensor,
    reading,
    to_tensor,
)
from glassgrad.core.tracing import TRACES

__all__ = [
    "Primitive",
    "REGISTRY",
    "BATCHING",
    "unary",
    "binary",
    "linear",
    "nondifferentiable",
]

REGISTRY = {}
# Batching rules, apart from the derivative rules (as JAX keeps them): ``BATCHING[prim]`` is a
# JVP rule, same signature, for tangents that carry a leading batch axis (``jacfwd`` pushes a
# whole basis at once). Without one (and for a primitive not marked elementwise), or when the
# rule returns ``NotImplemented``, the forward sweep runs the JVP once per slice.
BATCHING = {}
_make = Tensor._make


class Primitive:
    """A differentiable operation: ``fn`` on ndarrays plus its VJP and JVP rules.

    Calling a primitive converts its inputs to Tensors (``prepare``, when given, does that
    instead, e.g. broadcasting two operands), runs ``fn`` on their arrays and records a node
    when an input needs a gradient.

    Args:
        name: unique registry name (shown in graphs, ``repr`` and ``explain``).
        fn: the NumPy forward, called on the inputs' ndarrays and the keyword params.
        vjp: reverse rule returning a tuple of cotangents, one per input.
        jvp: forward rule returning the output tangent.
        vjps: optional per-input reverse rules, so only the needed cotangents are built.
        sparse_jvp: the JVP accepts ``None`` for inputs without a tangent (else zeros).
        differentiable: False for ops whose output never carries a gradient.
        linear: True when the op is linear in its inputs (documentation and tests).
        register: add it to ``REGISTRY`` (False for user-defined custom rules).
        elementwise: the JVP rule broadcasts over a leading batch axis of the tangents, so
            ``jacfwd`` pushes a whole basis through it at once (set by ``unary``/``binary``).
        formula: the derivative in symbols (a, b: inputs, y: output, G: the cotangent), one
            clause per input separated by ", "; ``explain`` prints it.
        doc: a one-line summary; the docstring is the summary and the formula.
        prepare: ``prepare(*args, name)`` turns the call's arguments into Tensors.
        inputs: names of the positional inputs, for ``inspect.signature`` (``("x",)``).
        saves: what the reverse rule reads the values of, as PyTorch's saved tensors: input
            indices and ``"out"`` (``(0, 1)`` for a product, ``("out",)`` for tanh, ``()`` for a
            sum). None: everything. A large value nothing saves is not kept by the graph.

    Example:
        >>> import numpy as np
        >>> from glassgrad.core.ops import multiply, cos
        >>> sin = Primitive("demo_sin", np.sin,
        ...                 vjp=lambda g, out, x: (multiply(g, cos(x)),),
        ...                 jvp=lambda t, out, x: multiply(t, cos(x)),
        ...                 formula="∂y/∂a = cos a")
        >>> sin(0.0)
        Tensor(0.)
        >>> del REGISTRY["demo_sin"]
    """

    def __init__(
        self,
        name,
        fn,
        vjp=None,
        jvp=None,
        *,
        vjps=None,
        sparse_jvp=False,
        differentiable=True,
        linear=False,
        register=True,
        elementwise=False,
        formula="",
        doc="",
        prepare=None,
        inputs=None,
        saves=None,
    ):
        if register and name in REGISTRY:
            raise ValueError(f"Primitive: name {name!r} is already registered")
        if differentiable and (jvp is None or (vjp is None and vjps is None)):
            raise ValueError(f"Primitive {name!r}: a differentiable primitive needs vjp and jvp")
        self.name, self.fn, self.vjp, self.jvp, self.vjps = name, fn, vjp, jvp, vjps
        self.sparse_jvp, self.differentiable, self.linear = sparse_jvp, differentiable, linear
        self.elementwise, self.formula, self.prepare = elementwise, formula, prepare
        self.saves = saves
        self.__name__ = name
        if inputs is not None:
            kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
            self.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in inputs])
        self.__doc__ = f"{doc}\n\nDerivative: {formula}." if doc and formula else doc or None
        if register:
            REGISTRY[name] = self

    def __repr__(self):
        return f"<Primitive {self.name}>"

    def cotangents(self, g, out, args, params):
        """The reverse rule at one node: a function of an input's index giving its cotangent.

        Per-input rules (``vjps``) run only for the inputs asked for; a joint ``vjp`` runs
        once, here. ``None`` means no cotangent for that input.
        """
        vjps = self.vjps
        if vjps is not None:
            return lambda i: vjps[i](g, out, *args, **params)
        cts = self.vjp(g, out, *args, **params)
        return lambda i: cts[i] if i < len(cts) else None

    def __call__(self, *args, **params):
        """Apply to Tensors: compute the forward and record a node if any input needs grad.

        While jit or vmap traces (``TRACES``), the innermost trace records the call and
        evaluates it here (calls made inside a primitive's own forward are not recorded).
        """
        prepare = self.prepare
        if prepare is not None:
            args = (
                prepare(args[0], args[1], self.name)
                if len(args) == 2
                else prepare(*args, self.name)
            )
        else:
            for a in args:
                if not isinstance(a, Tensor):
                    args = tuple(to_tensor(a) for a in args)
                    break
        if TRACES and not TRACES[-1].evaluating:
            return TRACES[-1].apply(self, args, params)
        n = len(args)
        if params or n > 2 or not n:
            out = self.fn(*[a.data for a in args], **params)
        elif n == 2:  # (no list, no keywords for the common calls)
            out = self.fn(args[0].data, args[1].data)
        else:
            out = self.fn(args[0].data)
        t = _make(out)  # (a NumPy scalar becomes a 0-d array there)
        state = STATE
        if state.enabled and self.differentiable:
            for a in args:
                if a.requires_grad:
                    if _WRITES:  # after an in-place write
                        args = reading(args)
                    t.op, t.params, t.parents, t.requires_grad = self, params, args, True
                    if Node.made or t.data.nbytes >= LEAN_BYTES:
                        self._record(t, args, params)
                    break
        if state.anomaly:
            anomaly_check_forward(self, t, args)
        return t

    def _record(self, t, args, params):
        """Point the recorded ``t`` at the parents' nodes; a large ``t`` gets a Node of its own.

        A parent's Node gets its value back when this rule reads it (PyTorch's saved tensors).
        """
        saves = range(len(args)) if self.saves is None else self.saves
        if any(a.node is not None for a in args):
            t.parents = tuple(a if a.node is None else a.node for a in args)
            for i in saves:
                if i != "out" and args[i].node is not None:
                    t.parents[i].data = args[i].data
        if t.data.nbytes >= LEAN_BYTES and not STATE.keep and not TRACES:
            node = Node._make(t.data)
            Node.made = True
            if "out" not in saves:
                node.release()
            node.op, node.params, node.parents, node.requires_grad = self, params, t.parents, True
            t.node = node


def _mask_fn(*arrays, fn, elementwise):
    return fn(*arrays)


_MASK = Primitive("mask", _mask_fn, differentiable=False, register=False)


def mask(fn, *tensors, elementwise=False):
    """A constant Tensor ``fn(*arrays)`` computed from the values of ``tensors`` (no gradient).

    Derivative masks and indices (relu's ``x > 0``, argsort) are built through here, so that
    ``jit`` and ``vmap`` record them and compute them again on new values instead of freezing
    them. ``elementwise``: ``fn`` maps equal-shaped arrays elementwise (vmap batches it as is).

    Example:
        >>> mask(lambda a: a > 0, Tensor([-1.0, 2.0]), elementwise=True)
        Tensor([False,  True])
    """
    return _MASK(*tensors, fn=fn, elementwise=elementwise)


def _scale(g, d, *inputs):
    """The chain-rule product ``g * d``, skipping a product with a seed of ones.

    A constant cotangent of ones (a seed spread by ``broadcast_to``) gives ``d`` itself when
    ``d`` is a fresh constant, not one of the rule's inputs.
    """
    a = g.data
    if (
        not any(a.strides)
        and a.shape == d.data.shape
        and a.dtype == d.data.dtype
        and not (g.requires_grad or d.requires_grad)
        and a.size
        and a.flat[0] == 1
        and all(d is not x for x in inputs)
        and not (TRACES and TRACES[-1].is_traced(g))  # a traced value may differ at replay
    ):
        return d
    return g * d


def unary(name, fn, deriv, **kw):
    """Make an elementwise primitive from its derivative ``deriv(x, out)``.

    The VJP is ``g * deriv(x, out)`` and the JVP is ``t * deriv(x, out)``. Keywords
    (``formula``, ``doc``, ...) are passed on to ``Primitive``.

    Example:
        >>> import numpy as np
        >>> from glassgrad.core.transforms import grad
        >>> cube = unary("demo_cube", lambda x: x**3, deriv=lambda x, out: 3.0 * x * x)
        >>> grad(cube)(2.0)
        Tensor(12.)
        >>> del REGISTRY["demo_cube"]
    """
    return Primitive(
        name,
        fn,
        vjp=lambda g, out, x: (_scale(g, deriv(x, out), x),),
        jvp=lambda t, out, x: t * deriv(x, out),
        elementwise=True,
        inputs=("x",),
        **kw,
    )


def binary(name, fn, dx, dy, **kw):
    """Make an elementwise two-input primitive from ``dx(x, y, out)`` and ``dy(x, y, out)``.

    The VJP is ``(g * dx, g * dy)`` and the JVP is ``tx * dx + ty * dy``. Operands that
    need gradients arrive already broadcast to the output shape (see ``broadcast_pair``).

    Example:
        >>> import numpy as np
        >>> from glassgrad.core.transforms import grad
        >>> hyp = binary("demo_hyp", np.hypot, dx=lambda x, y, out: x / out,
        ...              dy=lambda x, y, out: y / out)
        >>> grad(lambda a: hyp(a, Tensor(4.0)))(3.0)
        Tensor(0.6)
        >>> del REGISTRY["demo_hyp"]
    """

    def jvp(tx, ty, out, x, y):
        if tx is None:
            return ty * dy(x, y, out)
        return tx * dx(x, y, out) if ty is None else tx * dx(x, y, out) + ty * dy(x, y, out)

    return Primitive(
        name,
        fn,
        vjps=(
            lambda g, out, x, y: _scale(g, dx(x, y, out), x, y),
            lambda g, out, x, y: _scale(g, dy(x, y, out), x, y),
        ),
        jvp=jvp,
        sparse_jvp=True,
        elementwise=True,
        inputs=("x", "y"),
        **kw,
    )


def linear(name, fn, vjp, **kw):
    """Make a primitive that is linear in its inputs; its JVP applies the op to the tangents.

    Keywords (``elementwise``, ``formula``, ...) are passed on to ``Primitive``.

    Example:
        >>> import numpy as np
        >>> from glassgrad.core.transforms import jvp
        >>> rev = linear("demo_flip", lambda x: x[::-1], vjp=lambda g, out, x: (rev(g),))
        >>> jvp(rev, (Tensor([1.0, 2.0]),), (Tensor([1.0, 0.0]),))[1]
        Tensor([0., 1.])
        >>> del REGISTRY["demo_flip"]
    """

    def jvp(*args, **params):  # the tangents come first, then out and the primal inputs
        return prim(*args[: (len(args) - 1) // 2], **params)

    kw.setdefault("saves", ())  # a linear op's reverse rule reads shapes, never values
    prim = Primitive(name, fn, vjp=vjp, jvp=jvp, linear=True, **kw)
    return prim


def nondifferentiable(name, fn, **kw):
    """Make a primitive whose output never carries a gradient (comparisons, argmax, ...).

    Example:
        >>> import numpy as np
        >>> isneg = nondifferentiable("demo_isneg", lambda x: x < 0)
        >>> isneg(Tensor([-1.0, 1.0], requires_grad=True)).requires_grad
        False
        >>> del REGISTRY["demo_isneg"]
    """
    return Primitive(name, fn, differentiable=False, formula="no gradient (constant output)", **kw)
