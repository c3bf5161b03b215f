"""Function transforms with JAX's names and semantics, on the one recorded graph.

Each transform wraps its inputs in fresh ``identity`` nodes, runs the function while
recording, and sweeps the graph (reverse for ``grad``/``vjp``/``jacrev``, forward for
``jvp``/``jacfwd``). Fresh input nodes keep nested transforms apart, so
``grad(grad(f))`` and ``jacfwd(grad(f))`` differentiate the right variable.
"""

import functools
import warnings

import numpy as np

from glassgrad.core.autodiff import (
    backward_pass,
    enable_grad,
    forward_pass,
    no_grad,
    plan,
)
from glassgrad.core.errors import DTypeError, ShapeError
from glassgrad.core.ops import concatenate, identity, stack, transpose
from glassgrad.core.primitive import Primitive
from glassgrad.core.tensor import STATE, Tensor, node_of, to_tensor

__all__ = [
    "grad",
    "value_and_grad",
    "vjp",
    "jvp",
    "linearize",
    "jacrev",
    "jacfwd",
    "jacobian",
    "graph_jacobian",
    "hessian",
    "hessian_rev",
    "hvp",
    "tree_flatten",
    "tree_unflatten",
    "custom_vjp",
    "custom_jvp",
]


# ----- pytrees: tuples, lists and dicts of arrays ------------------------------------------------
def tree_flatten(tree):
    """Split a nest of tuples, lists and dicts into ``(leaves, treedef)``.

    Example:
        >>> leaves, treedef = tree_flatten({"b": 2.0, "a": (1.0, 3.0)})
        >>> leaves
        [1.0, 3.0, 2.0]
    """
    if isinstance(tree, (tuple, list)):
        leaves, defs = [], []
        for item in tree:
            sub, d = tree_flatten(item)
            leaves += sub
            defs.append(d)
        return leaves, (type(tree), defs)
    if isinstance(tree, dict):
        keys = sorted(tree)
        leaves, defs = tree_flatten([tree[k] for k in keys])
        return leaves, (dict, (keys, defs))
    if tree is None:
        return [], None
    return [tree], "*"


def tree_unflatten(treedef, leaves):
    """Rebuild the nest described by ``treedef`` from ``leaves`` (inverse of tree_flatten)."""
    return _build(treedef, iter(leaves))


def _build(d, it):  # (not a closure: a recursive closure is a reference cycle at every call)
    if d == "*":
        return next(it)
    if d is None:
        return None
    kind, sub = d
    if kind is dict:
        keys, defs = sub
        return dict(zip(keys, _build(defs, it), strict=False))
    return kind([_build(s, it) for s in sub])


# ----- tracing helpers ---------------------------------------------------------------------------
def _as_input(x, where):
    """A fresh traced node for one input leaf."""
    if isinstance(x, Tensor):
        if x.dtype.kind != "f":
            raise DTypeError(
                f"{where}: inputs must be floating point to differentiate; got {x.dtype}"
            )
        return identity(x) if x.requires_grad else Tensor(x.data, requires_grad=True)
    arr = np.asarray(x)
    if arr.dtype.kind in "iub" and (isinstance(x, np.ndarray) or isinstance(x, np.generic)):
        raise DTypeError(
            f"{where}: inputs must be floating point to differentiate; got an array of dtype "
            f"{arr.dtype}. Use x.astype(float)."
        )
    if arr.dtype.kind == "c":
        raise DTypeError(f"{where}: complex inputs are not supported; got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return Tensor(arr, requires_grad=True)


def _argnums_tuple(argnums, nargs, where):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise ValueError(
                f"{where}: argnums {a} is out of range for {nargs} positional arguments"
            )
    return single, tuple(a % nargs for a in nums)


def _trace(fun, args, kwargs, argnums, where):
    """Replace ``args[argnums]`` by traced inputs, call ``fun``; return (out, inputs, defs)."""
    single, nums = _argnums_tuple(argnums, len(args), where)
    args = list(args)
    inputs, defs = [], []
    with enable_grad():
        for a in nums:
            leaves, d = tree_flatten(args[a])
            traced = [_as_input(x, where) for x in leaves]
            inputs.append(traced)
            defs.append(d)
            args[a] = tree_unflatten(d, traced)
        STATE.depth += 1  # float(), .item(), numpy() of traced values now raise
        try:
            out = fun(*args, **kwargs)
        finally:
            STATE.depth -= 1
    return out, inputs, defs, single


def _as_output(x, where):
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except Exception:
        raise TypeError(
            f"{where}: the function must return arrays or Tensors; got {type(x).__name__}"
        ) from None


def _primal(out, flat_inputs, sweep_plan=None):
    """Cut a result from the graph unless it depends on tensors of an outer transform."""
    if not out.requires_grad:
        return out
    order, relevant = sweep_plan or plan([out], flat_inputs)
    return out.detach() if all(id(n) in relevant for n in order) else out


def _cotangents(outs, seeds, flat_inputs, sweep_plan=None, release=False):
    """Run one reverse sweep and read the cotangent of each input (zeros if unused)."""
    _, cot = backward_pass(outs, seeds, flat_inputs, sweep_plan=sweep_plan, release=release)
    cts = [cot.get(id(node_of(x))) for x in flat_inputs]
    return [
        Tensor._make(np.zeros(x.shape, x.dtype)) if ct is None else _primal(ct, flat_inputs)
        for ct, x in zip(cts, flat_inputs, strict=True)
    ]


def _regroup(flat, inputs, defs, single):
    groups, i = [], 0
    for ins, d in zip(inputs, defs, strict=False):
        groups.append(tree_unflatten(d, flat[i : i + len(ins)]))
        i += len(ins)
    return groups[0] if single else tuple(groups)


# ----- reverse mode -----------------------------------------------------------------------------
def value_and_grad(fun, argnums=0, has_aux=False):
    """Return a function computing ``(fun(*args), grad)`` (JAX ``value_and_grad``).

    Args:
        fun: a function returning a one-element array (or ``(value, aux)`` with has_aux).
        argnums: which positional argument(s) to differentiate; each may be a pytree.
        has_aux: ``fun`` returns ``(value, aux)``; aux is passed through undifferentiated.

    Example:
        >>> value_and_grad(lambda x: x ** 2)(3.0)
        (Tensor(9.), Tensor(6.))
    """

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        out, inputs, defs, single = _trace(fun, args, kwargs, argnums, "grad")
        aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError("grad(has_aux=True): the function must return a pair (value, aux)")
            out, aux = out
        out = _as_output(out, "grad")
        if out.size != 1:
            raise ShapeError(
                f"grad: the function must return a scalar (one element) to take a gradient; "
                f"got shape {out.shape}. Use jacrev/jacobian for vector outputs."
            )
        flat = [x for ins in inputs for x in ins]
        seed = Tensor._make(np.ones(out.shape, out.dtype))
        once = plan([out], flat)
        if id(node_of(out)) not in once[1]:  # HIPS autograd's warning: the gradient is exactly zero
            warnings.warn("grad: Output seems independent of input.", UserWarning, stacklevel=2)
        cts = _cotangents([out], [seed], flat, once, release=True)  # the graph is private
        grads = _regroup(cts, inputs, defs, single)
        value = _primal(out, flat, once)
        value = value.reshape(()) if value.ndim else value
        return ((value, aux), grads) if has_aux else (value, grads)

    return wrapped


def grad(fun, argnums=0, has_aux=False):
    """Return a function computing the gradient of scalar ``fun`` (JAX ``grad``).

    Nest freely: ``grad(grad(f))`` is the second derivative.

    Example:
        >>> grad(lambda x: x ** 2)(3.0)      # f(x) = x², f'(3) = 6
        Tensor(6.)
        >>> grad(grad(grad(lambda x: x ** 4)))(1.0)   # 24x
        Tensor(24.)
    """
    vg = value_and_grad(fun, argnums, has_aux)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapped


def vjp(fun, *primals, has_aux=False):
    """Evaluate ``fun(*primals)`` and return ``(out, vjp_fn)`` (JAX ``vjp``).

    ``vjp_fn(cotangent)`` returns a tuple with one cotangent per primal; it can be called
    many times on the same recorded graph.

    Example:
        >>> out, f_vjp = vjp(lambda x: x * 3.0, 2.0)
        >>> f_vjp(Tensor(1.0))
        (Tensor(3.),)
    """
    out, inputs, defs, _ = _trace(fun, primals, {}, tuple(range(len(primals))), "vjp")
    aux = None
    if has_aux:
        out, aux = out
    out_leaves, out_def = tree_flatten(out)
    out_leaves = [_as_output(o, "vjp") for o in out_leaves]
    flat = [x for ins in inputs for x in ins]

    def vjp_fn(cotangent):
        seeds = _matching(tree_flatten(cotangent)[0], out_leaves, "vjp", "cotangent", "output")
        return _regroup(_cotangents(out_leaves, seeds, flat), inputs, defs, False)

    result = tree_unflatten(out_def, [_primal(o, flat) for o in out_leaves])
    return (result, vjp_fn, aux) if has_aux else (result, vjp_fn)


# ----- forward mode -----------------------------------------------------------------------------
def _matching(values, refs, where, what, ref):
    """``values`` as Tensors in the dtype of their references, checked against their shapes."""
    if len(values) != len(refs):
        raise ShapeError(f"{where}: expected {len(refs)} {what} arrays, got {len(values)}")
    out = []
    for v, r in zip(values, refs, strict=True):
        v = v if isinstance(v, Tensor) else Tensor(np.asarray(v, dtype=r.dtype))
        if v.shape != r.shape:
            raise ShapeError(
                f"{where}: {what} has shape {v.shape} but its {ref} has shape {r.shape}"
            )
        out.append(v)
    return out


def linearize(fun, *primals):
    """Evaluate ``fun`` and return ``(out, f_jvp)`` where ``f_jvp(*tangents)`` is the JVP.

    Example:
        >>> out, f_jvp = linearize(lambda x: x ** 3, 2.0)
        >>> f_jvp(1.0)
        Tensor(12.)
    """
    out, inputs, _, _ = _trace(fun, primals, {}, tuple(range(len(primals))), "linearize")
    out_leaves, out_def = tree_flatten(out)
    out_leaves = [_as_output(o, "linearize") for o in out_leaves]

    flat = [x for ins in inputs for x in ins]

    def f_jvp(*tangents):
        ts = _matching(tree_flatten(list(tangents))[0], flat, "linearize", "tangent", "primal")
        tangents = [_primal(t, flat) for t in forward_pass(flat, ts, out_leaves)]
        return tree_unflatten(out_def, tangents)

    return tree_unflatten(out_def, [_primal(o, flat) for o in out_leaves]), f_jvp


def jvp(fun, primals, tangents):
    """Return ``(fun(*primals), J·tangents)`` by a forward sweep (JAX ``jvp``).

    Example:
        >>> jvp(lambda x: x ** 2, (3.0,), (1.0,))
        (Tensor(9.), Tensor(6.))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (t,))")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    out, f_jvp = linearize(fun, *primals)
    return out, f_jvp(*tangents)


# ----- Jacobians and Hessians -------------------------------------------------------------------
def _basis(shape, dtype):
    n = int(np.prod(shape))
    eye = np.eye(n, dtype=dtype)
    return [Tensor._make(eye[i].reshape(shape)) for i in range(n)]


def _basis_chunks(shape, dtype, chunk=256):
    """The identity basis of ``shape`` as batched tangents: blocks of at most ``chunk`` rows."""
    n = int(np.prod(shape))
    eye = np.eye(n, dtype=dtype)
    return [Tensor._make(eye[i : i + chunk].reshape((-1, *shape))) for i in range(0, n, chunk)]


def _jacobian_transform(fun, argnums, has_aux, where, blocks):
    """Trace ``fun`` and return ``blocks(out, flat_inputs)``, one Jacobian per input leaf."""

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        out, inputs, defs, single = _trace(fun, args, kwargs, argnums, where)
        aux = None
        if has_aux:
            out, aux = out
        out = _as_output(out, where)
        res = _regroup(blocks(out, [x for ins in inputs for x in ins]), inputs, defs, single)
        return (res, aux) if has_aux else res

    return wrapped


def _rev_blocks(out, flat):
    once = plan([out], flat)
    rows = [_cotangents([out], [e], flat, once) for e in _basis(out.shape, out.dtype)]
    return [
        stack([r[k] for r in rows]).reshape(out.shape + x.shape)
        if rows
        else Tensor._make(np.zeros(out.shape + x.shape, x.dtype))
        for k, x in enumerate(flat)
    ]


def _fwd_blocks(out, flat):
    jac = []
    for x in flat:
        once = plan([out], [x])
        cols = [
            forward_pass([x], [e], [out], sweep_plan=once, batched=True)[0]
            for e in _basis_chunks(x.shape, x.dtype)
        ]
        j = cols[0] if len(cols) == 1 else concatenate(cols)  # (x.size,) + out.shape
        j = transpose(j, tuple(range(1, j.ndim)) + (0,)) if j.ndim > 1 else j
        jac.append(_primal(j.reshape(out.shape + x.shape), flat))
    return jac


def graph_jacobian(output, inputs, mode="fwd"):
    """Jacobian blocks of a recorded ``output`` w.r.t. recorded ``inputs``, one per input.

    The graph-level form of ``jacfwd``/``jacrev`` for tensors already in a graph (a recorded
    gradient, for a Hessian): block k has shape ``output.shape + inputs[k].shape``. ``"fwd"``
    pushes the input basis through batched JVPs; ``"rev"`` pulls one VJP per output element.

    Example:
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> graph_jacobian(x * x, [x])[0]
        Tensor([[2., 0.],
                [0., 4.]])
    """
    if mode not in ("fwd", "rev"):
        raise ValueError(f"graph_jacobian: mode must be 'fwd' or 'rev'; got {mode!r}")
    inputs = list(inputs)
    with enable_grad():
        return (_fwd_blocks if mode == "fwd" else _rev_blocks)(output, inputs)


def jacrev(fun, argnums=0, has_aux=False):
    """Jacobian by reverse mode: one VJP per output element (JAX ``jacrev``).

    The result has shape ``out.shape + in.shape``.

    Example:
        >>> jacrev(lambda x: x ** 2)(Tensor([1.0, 2.0]))
        Tensor([[2., 0.],
                [0., 4.]])
    """
    return _jacobian_transform(fun, argnums, has_aux, "jacrev", _rev_blocks)


def jacfwd(fun, argnums=0, has_aux=False):
    """Jacobian by forward mode: the whole input basis in batched JVPs (JAX ``jacfwd``).

    Example:
        >>> jacfwd(lambda x: x ** 2)(Tensor([1.0, 2.0]))
        Tensor([[2., 0.],
                [0., 4.]])
    """
    return _jacobian_transform(fun, argnums, has_aux, "jacfwd", _fwd_blocks)


jacobian = jacrev


def hessian(fun, argnums=0):
    """Hessian matrix of scalar ``fun`` as forward-over-reverse ``jacfwd(jacrev(fun))``.

    Example:
        >>> hessian(lambda v: v[0] ** 2 + v[0] * v[1] + v[1] ** 2)(Tensor([1.0, 1.0]))
        Tensor([[2., 1.],
                [1., 2.]])
    """
    return jacfwd(jacrev(fun, argnums), argnums)


def hessian_rev(fun, argnums=0):
    """Hessian of scalar ``fun`` as reverse-over-reverse ``jacrev(jacrev(fun))``, to compare.

    Example:
        >>> hessian_rev(lambda v: v[0] * v[1])(Tensor([1.0, 1.0]))
        Tensor([[0., 1.],
                [1., 0.]])
    """
    return jacrev(jacrev(fun, argnums), argnums)


def hvp(fun, primals, tangents):
    """Hessian-vector product H(primals)·tangents, forward-over-reverse, never forming H.

    Example:
        >>> hvp(lambda v: (v ** 3).sum(), (Tensor([1.0, 2.0]),), (Tensor([1.0, 0.0]),))
        Tensor([6., 0.])
    """
    nums = tuple(range(len(primals)))
    g = grad(fun, argnums=nums)
    out = jvp(lambda *a: g(*a), tuple(primals), tuple(tangents))[1]
    return out[0] if len(primals) == 1 else out


# ----- custom rules: a composition promoted to a primitive with one hand-written rule -------------
class _Custom:
    """A function of Tensors whose derivative in one mode is given by hand (see custom_vjp)."""

    def __init__(self, fun, mode):
        self.fun, self.mode, self.prim = fun, mode, None
        self.__name__ = getattr(fun, "__name__", "custom")
        self.__doc__ = fun.__doc__

    def _value(self, *arrays):
        with no_grad():
            out = self.fun(*[Tensor._make(a) for a in arrays])
        if not isinstance(out, Tensor):
            raise TypeError(f"{self.__name__}: a custom-rule function must return one Tensor")
        return out.data

    def _define(self, rule):
        if self.mode == "vjp":

            def other(*args):  # forward mode differentiates the original composition
                n = (len(args) - 1) // 2
                return jvp(self.fun, args[n + 1 :], args[:n])[1]

            self.prim = Primitive(self.__name__, self._value, vjp=rule, jvp=other, register=False)
        else:

            def other(g, out, *inputs):  # reverse mode differentiates the original composition
                return vjp(self.fun, *inputs)[1](g)

            self.prim = Primitive(self.__name__, self._value, vjp=other, jvp=rule, register=False)
        return self

    def __call__(self, *args):
        args = [to_tensor(a) for a in args]
        return self.fun(*args) if self.prim is None else self.prim(*args)


class custom_vjp(_Custom):
    """Decorator: give a function of Tensors a hand-written reverse rule (JAX ``custom_vjp``).

    ``f.defvjp(rule)`` sets the rule, called as ``rule(g, out, *inputs)`` and returning one
    cotangent per input, written in glassgrad ops. Forward mode (``jvp``, ``jacfwd``) still
    differentiates the original composition. Until ``defvjp`` is called, ``f`` is the plain
    composition. The primitive is private to ``f`` (not added to ``REGISTRY``).

    Example:
        >>> from glassgrad.core.ops import log, exp, sigmoid
        >>> @custom_vjp
        ... def softplus(x):
        ...     return log(1.0 + exp(x))
        >>> _ = softplus.defvjp(lambda g, out, x: (g * sigmoid(x),))
        >>> grad(softplus)(0.0)
        Tensor(0.5)
    """

    def __init__(self, fun):
        super().__init__(fun, "vjp")

    def defvjp(self, rule):
        """Set the reverse rule ``rule(g, out, *inputs) -> tuple``; returns ``self``."""
        return self._define(rule)


class custom_jvp(_Custom):
    """Decorator: give a function of Tensors a hand-written forward rule (JAX ``custom_jvp``).

    ``f.defjvp(rule)`` sets the rule, called as ``rule(*tangents, out, *inputs)`` and
    returning the output tangent. Reverse mode (``grad``, ``backward``) differentiates the
    original composition; unlike JAX, the JVP rule is not transposed.

    Example:
        >>> from glassgrad.core.ops import sin, cos
        >>> @custom_jvp
        ... def my_sin(x):
        ...     return sin(x)
        >>> _ = my_sin.defjvp(lambda t, out, x: t * cos(x))
        >>> jvp(my_sin, (0.0,), (2.0,))[1]
        Tensor(2.)
    """

    def __init__(self, fun):
        super().__init__(fun, "jvp")

    def defjvp(self, rule):
        """Set the forward rule ``rule(*tangents, out, *inputs) -> Tensor``; returns ``self``."""
        return self._define(rule)
