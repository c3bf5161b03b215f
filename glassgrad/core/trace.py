"""Tracing: every primitive call of a function written down as an equation (for jit and vmap).

A ``Trace`` on the stack ``core/tracing.py`` receives each primitive call, evaluates it
eagerly and records ``out = fn(*ins, **params)`` over numbered variables. Values that depend
on the traced inputs are ``Tracer`` Tensors whose arrays are ``_Taint``ed, so that a Python
branch or a raw NumPy computation on them raises ``ConcretizationError`` instead of being
frozen into the recorded program.
"""

import inspect
import os
import sys
import weakref

import numpy as np

from glassgrad.core.errors import ConcretizationError
from glassgrad.core.tensor import Tensor
from glassgrad.core.tracing import TRACES

__all__ = ["Trace", "Tracer"]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_line():
    """``file:line: code`` of the innermost frame outside the glassgrad package."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_PKG):
        f = f.f_back
    if f is None:
        return "<unknown>"
    info = inspect.getframeinfo(f, context=1)
    code = info.code_context[0].strip() if info.code_context else ""
    return f"{info.filename}:{info.lineno}: {code}"


class Tracer(Tensor):
    """A Tensor whose value depends on the arguments of a function being traced.

    Its value is known while tracing, but a replay may differ, so converting it to a Python
    bool or number raises ``ConcretizationError`` naming the line.
    """

    __slots__ = ()

    def _concrete(self, what):
        raise ConcretizationError(
            f"{what} needs the value of a traced Tensor of shape {self.shape}, at "
            f"{_user_line()}\n" + _SUGGEST
        )

    def __bool__(self):
        self._concrete("bool() (an if/while/and/or)")

    def __float__(self):
        self._concrete("float()")

    def __int__(self):
        self._concrete("int()")

    def __index__(self):
        self._concrete("using it as an index")

    def item(self):
        self._concrete(".item()")

    def tolist(self):
        self._concrete(".tolist()")

    def numpy(self):
        self._concrete(".numpy()")

    def __array__(self, dtype=None, copy=None):
        self._concrete("np.asarray()")


_SUGGEST = (
    "Under jit and vmap the function is traced once per signature, so Python control flow "
    "on values would be frozen. Choose values elementwise with gg.where(condition, x, y), or "
    "make the argument static (jit(f, static_argnums=...) or static_argnames=...)."
)


class _Taint(np.ndarray):
    """The array of a traced variable while tracing: what NumPy computes from it stays tainted.

    So a branch or a mask built with raw NumPy on traced values is caught
    (``ConcretizationError``) instead of being frozen into the program.
    """

    def __array_finalize__(self, obj):
        if TRACES:  # remember the memory: plain views of it (np.asarray) are tainted too
            root = _root(self)
            TRACES[-1].dep_roots[id(root)] = root

    def __array_function__(self, func, types, args, kwargs):
        out = super().__array_function__(func, types, args, kwargs)
        return out.view(_Taint) if type(out) is np.ndarray else out

    def _concrete(self, conversion):
        if TRACES and TRACES[-1].evaluating:  # a primitive's own forward may look at values
            return getattr(np.ndarray, conversion)(self)
        raise ConcretizationError(
            f"the value of a traced array decides Python control flow at {_user_line()}\n"
            + _SUGGEST
        )


for _conversion in ("__bool__", "__int__", "__float__", "__index__"):
    setattr(_Taint, _conversion, lambda self, _c=_conversion: self._concrete(_c))


def _root(a):
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _key(a):
    """Arrays with the same memory, layout and dtype hold the same value: one variable."""
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype.str)


def _frozen_error():
    return ConcretizationError(
        f"an array computed with raw NumPy from a traced value (a mask or an index built on "
        f".data) reaches an operation at {_user_line()}; it would be frozen at its traced "
        "value. Compute it with glassgrad operations (comparisons, gg.where) instead."
    )


class _Ref:
    """A reference to a traced variable inside an equation's params (an index array)."""

    __slots__ = ("var",)

    def __init__(self, var):
        self.var = var


class _Eqn:
    __slots__ = ("prim", "ins", "params", "out", "section")

    def __init__(self, prim, ins, params, out, section):
        self.prim, self.ins, self.params, self.out, self.section = prim, ins, params, out, section


def _section():
    """'backward' inside a reverse sweep, 'jvp' inside a forward sweep, else 'forward'."""
    f = sys._getframe(3)
    while f is not None:
        name = f.f_code.co_name
        if name == "backward_pass":
            return "backward"
        if name == "forward_pass":
            return "jvp"
        f = f.f_back
    return "forward"


class Trace:
    """Records primitive calls as equations over numbered variables (used by jit and vmap).

    A variable is an input (``origin = ("in", k)``), a constant (``("const", weakref)``) or
    the output of an equation (``("eqn", i)``); ``arrays[v]`` is its value while tracing.
    Variables are found by the identity of their ndarray, so ``Tensor(x.data)`` and
    ``detach()`` keep their variable.
    """

    def __init__(self):
        self.var_of, self.arrays, self.origin, self.dep = {}, [], [], []
        self.eqns, self.grad_before, self.names = [], {}, {}
        self.evaluating = 0
        self.dep_roots = {}  # memory of traced values (kept alive): views of it are traced too

    def __enter__(self):
        TRACES.append(self)
        return self

    def __exit__(self, *exc):
        TRACES.remove(self)
        return False

    def _new(self, arr, origin, dep):
        self.var_of[_key(arr)] = v = len(self.arrays)
        if dep:
            self.dep_roots[id(_root(arr))] = _root(arr)
        self.arrays.append(arr)
        self.origin.append(origin)
        self.dep.append(dep)
        return v

    def input(self, arr, name=None):
        """A traced input holding the value of ``arr``."""
        # a copy: an input never shares memory with another input or with a constant
        t = Tracer._make(None)
        t.data = np.array(arr, copy=True).view(_Taint)  # (_make would strip the subclass)
        v = self._new(t.data, ("in", sum(o[0] == "in" for o in self.origin)), True)
        if name:
            self.names[v] = name
        return t

    def tainted(self, a):
        """True when ``a`` (not a variable) was computed from traced values by raw NumPy."""
        while isinstance(a.base, np.ndarray) and not isinstance(a, _Taint):
            a = a.base
        return isinstance(a, _Taint) or id(_root(a)) in self.dep_roots

    def outer(self, a):
        """True when ``a`` is a variable of an enclosing trace: a constant of this one."""
        return any(tr is not self and _key(a) in tr.var_of for tr in TRACES)

    def is_traced(self, t):
        """True when ``t``'s value depends on the trace's inputs."""
        v = self.var_of.get(_key(t.data))
        return v is not None and self.dep[v]

    def ref(self, t):
        v = self.var_of.get(_key(t.data))
        if v is None:
            if self.tainted(t.data) and not self.outer(t.data):
                raise _frozen_error()
            v = self._new(t.data, ("const", weakref.ref(t)), False)
            self.grad_before[v] = t.grad
            if t.name:
                self.names[v] = t.name
        elif self.dep[v] and type(t) is Tensor:
            t.__class__ = Tracer  # a re-wrapped traced array (Tensor(x.data), detach())
        return v

    def _params(self, value):
        """Params with traced arrays replaced by ``_Ref``; and whether any was traced."""
        if isinstance(value, np.ndarray):
            v = self.var_of.get(_key(value))
            if v is None and self.tainted(value) and not self.outer(value):
                raise _frozen_error()
            return (value, False) if v is None else (_Ref(v), self.dep[v])
        if isinstance(value, (tuple, list)):
            items = [self._params(x) for x in value]
            return type(value)(x for x, _ in items), any(d for _, d in items)
        if isinstance(value, dict):
            items = {k: self._params(x) for k, x in value.items()}
            return {k: x for k, (x, _) in items.items()}, any(d for _, d in items.values())
        return value, False

    def apply(self, prim, args, params):
        """Evaluate ``prim`` eagerly and write the call down; the output is a Tracer if traced."""
        ins = [self.ref(a) for a in args]
        ps, pdep = self._params(params)
        self.evaluating += 1
        try:
            out = prim(*args, **params)  # evaluated eagerly (see Primitive.__call__)
        finally:
            self.evaluating -= 1
        dep = pdep or any(self.dep[v] for v in ins)
        if dep:
            out.data = out.data.view(_Taint)
        elif isinstance(out.data, _Taint):
            out.data = out.data.view(np.ndarray)
        self.eqns.append(_Eqn(prim, ins, ps, None, _section()))
        self.eqns[-1].out = self._new(out.data, ("eqn", len(self.eqns) - 1), dep)
        if dep and type(out) is Tensor:
            out.__class__ = Tracer
        return out

    def name_locals(self, frame):
        """Name variables after the user's local variables in ``frame`` (first name wins)."""
        for k, x in frame.f_locals.items():
            if isinstance(x, Tensor) and not k.startswith("_"):
                v = self.var_of.get(_key(x.data))
                if v is not None:
                    self.names.setdefault(v, k)

    def run(self, fun, args, kwargs):
        """Call ``fun`` under this trace, naming variables after the user's locals."""
        prev = sys.getprofile()

        def profile(frame, event, arg):
            if event == "return" and not frame.f_code.co_filename.startswith(_PKG):
                self.name_locals(frame)

        sys.setprofile(profile)
        try:
            with self:
                return fun(*args, **kwargs)
        finally:
            sys.setprofile(prev)


def _remap(value, alias):
    if isinstance(value, _Ref):
        return _Ref(alias.get(value.var, value.var))
    if isinstance(value, (tuple, list)):
        return type(value)(_remap(x, alias) for x in value)
    if isinstance(value, dict):
        return {k: _remap(x, alias) for k, x in value.items()}
    return value


def _refs(value):
    if isinstance(value, _Ref):
        return [value.var]
    if isinstance(value, (tuple, list)):
        return [r for x in value for r in _refs(x)]
    if isinstance(value, dict):
        return [r for x in value.values() for r in _refs(x)]
    return []
