"""``vmap``: run a function written for one example on a whole batch (JAX ``vmap``).

The function is traced once on the first example (``core/jit.py``'s ``Trace``), and its
equations are then replayed on the whole batch with a batching rule per primitive, called as
glassgrad ops, so the result stays differentiable and ``vmap`` nests with ``grad``, ``jacrev``
and ``jit``. The rules reuse what ``jacfwd`` already has: elementwise primitives take the
batch axis as it is, linear primitives use their batched JVP rule (the batch of values is a
batch of tangents), matmul lines the batch up with its own batch dimensions, and max/min
shift their axes. Any other primitive runs once per example (``per-slice``) and stacks.
"""

import functools

import numpy as np

from glassgrad.core.errors import ShapeError
from glassgrad.core.ops import broadcast_to, getitem, moveaxis, reshape, stack, to_tensor
from glassgrad.core.primitive import BATCHING
from glassgrad.core.pytree import tree_flatten, tree_unflatten
from glassgrad.core.tensor import Tensor
from glassgrad.core.trace import Trace, _Ref, _refs

__all__ = ["vmap"]


def _leaf_axes(in_axes, args):
    """One batch axis (int or None) per leaf of ``args``, from JAX-style ``in_axes``."""
    if isinstance(in_axes, int) or in_axes is None:
        in_axes = (in_axes,) * len(args)
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not isinstance(in_axes, tuple) or len(in_axes) != len(args):
        raise ValueError(
            f"vmap: in_axes must be an int, None or a tuple with one entry per positional "
            f"argument ({len(args)}); got {in_axes!r}"
        )
    axes = []
    for spec, arg in zip(in_axes, args, strict=True):
        leaves, treedef = tree_flatten(arg)
        if isinstance(spec, int) or spec is None:
            axes += [spec] * len(leaves)
            continue
        spec_leaves, spec_def = tree_flatten(spec)  # a pytree matching the argument
        if spec_def != treedef and len(spec_leaves) != len(leaves):
            raise ValueError(f"vmap: in_axes entry {spec!r} does not match its argument")
        axes += spec_leaves
    return axes


def _prepare(leaves, axes):
    """The batched leaves as Tensors with the batch axis first, and the batch size."""
    out, size = [], None
    for i, (x, ax) in enumerate(zip(leaves, axes, strict=True)):
        x = to_tensor(x)
        if ax is not None:
            if not isinstance(ax, int) or not -x.ndim <= ax < max(x.ndim, 1) or x.ndim == 0:
                raise ValueError(
                    f"vmap: in_axes {ax!r} is out of range for argument leaf {i} of shape {x.shape}"
                )
            x = moveaxis(x, ax, 0) if ax % x.ndim else x
            if size is not None and x.shape[0] != size:
                raise ShapeError(
                    f"vmap: batched arguments disagree on the batch size: {size} and "
                    f"{x.shape[0]} (leaf {i})"
                )
            size = x.shape[0]
        out.append(x)
    if size is None:
        raise ValueError("vmap: no argument is batched (every in_axes is None)")
    return out, size


def _to_shape(x, batched, size, shape):
    """``x`` (batched or not) broadcast to ``(size, *shape)`` with the batch axis first."""
    full = (size, *shape)
    if batched and x.ndim - 1 < len(shape):
        x = reshape(x, (size,) + (1,) * (len(shape) + 1 - x.ndim) + x.shape[1:])
    return x if x.shape == full else broadcast_to(x, full)


def _per_slice(prim, xs, bs, params, pbatched, size):
    results = []
    for b in range(size):
        ins = [getitem(x, b) if on else x for x, on in zip(xs, bs, strict=True)]
        ps = _slice_params(params, pbatched, b)
        results.append(prim(*ins, **ps))
    return stack(results)


def _slice_params(value, batched, b):
    if isinstance(value, tuple) and value and value[0] is _BATCHED:
        return value[1][b] if batched else value[1]
    if isinstance(value, (tuple, list)):
        return type(value)(_slice_params(x, batched, b) for x in value)
    if isinstance(value, dict):
        return {k: _slice_params(x, batched, b) for k, x in value.items()}
    return value


_BATCHED = object()


def _resolve(value, env):
    """Params with references replaced by arrays; batched ones marked for slicing."""
    if isinstance(value, _Ref):
        t, on = env[value.var]
        return (_BATCHED, t.data) if on else t.data
    if isinstance(value, (tuple, list)):
        return type(value)(_resolve(x, env) for x in value)
    if isinstance(value, dict):
        return {k: _resolve(x, env) for k, x in value.items()}
    return value


def _batch_eqn(trace, e, env, size):
    """Apply equation ``e`` to batched values; returns ``(Tensor, batched)``."""
    prim = e.prim
    xs = [env[v][0] for v in e.ins]
    bs = [env[v][1] for v in e.ins]
    pbatched = any(env[v][1] for v in _refs(e.params))
    params = _resolve(e.params, env)
    if not any(bs) and not pbatched:
        return prim(*xs, **params), False
    shape = trace.arrays[e.out].shape
    if pbatched:
        if prim.name == "where":  # a batched condition lines up with the batched values
            cond = params["cond"][1]
            cond = cond.reshape((size,) + (1,) * (len(shape) + 1 - cond.ndim) + cond.shape[1:])
            xs = [_to_shape(x, on, size, shape) for x, on in zip(xs, bs, strict=True)]
            return prim(*xs, cond=cond), True
        return _per_slice(prim, xs, bs, params, True, size), True
    if prim.elementwise or (not prim.differentiable and isinstance(prim.fn, np.ufunc)):
        return prim(
            *[_to_shape(x, on, size, shape) for x, on in zip(xs, bs, strict=True)], **params
        ), True
    examples = [Tensor._make(np.asarray(trace.arrays[v])) for v in e.ins]
    out = Tensor._make(np.asarray(trace.arrays[e.out]))
    if prim.name == "matmul":
        r = _batch_matmul(prim, xs, bs, examples, out, size)
        if r is not None:
            return r, True
    elif prim.name in ("max", "min"):
        axis = tuple(a + 1 for a in params["axis"])
        return prim(xs[0], axis=axis, keepdims=params["keepdims"]), True
    elif prim.linear and prim in BATCHING:
        ts = [x if on else broadcast_to(x, (size, *x.shape)) for x, on in zip(xs, bs, strict=True)]
        r = BATCHING[prim](*ts, out, *examples, **params)
        if r is not NotImplemented:
            return r, True
    return _per_slice(prim, xs, bs, params, False, size), True


def _batch_matmul(prim, xs, bs, examples, out, size):
    (a, b), (ba, bb) = xs, bs
    if ba != bb:  # linear in the batched operand: its batched JVP rule, the other one as is
        ts = (a, None) if ba else (None, b)
        primals = (examples[0], b) if ba else (a, examples[1])
        return BATCHING[prim](*ts, out, *primals)
    if examples[0].ndim < 2 or examples[1].ndim < 2:
        return None
    n = out.ndim
    lift = [reshape(x, (size,) + (1,) * (n + 1 - x.ndim) + x.shape[1:]) for x in (a, b)]
    return prim(*lift)


def _out_axis(t, batched, axis, size):
    if not batched:
        t = broadcast_to(t, (size, *t.shape))
    if axis is None:
        raise ValueError("vmap: out_axes None needs an output that does not depend on the batch")
    return moveaxis(t, 0, axis) if axis % t.ndim else t


def vmap(fun, in_axes=0, out_axes=0):
    """Vectorise ``fun`` over a batch axis of its arguments (JAX ``vmap``).

    Args:
        fun: a function of Tensors written for one example.
        in_axes: the batch axis of each positional argument: an int, None (not batched), or
            a tuple with one entry per argument (an entry may be a pytree like its argument).
        out_axes: where the batch axis goes in every output (an int, or a tuple per output).

    ``vmap(f)(xs)[i]`` equals ``f(xs[i])``; the result is differentiable and nests with
    ``grad``: per-example gradients are ``vmap(grad(loss), in_axes=(None, 0, 0))``.

    Example:
        >>> import glassgrad as gg
        >>> vmap(lambda x: (x * x).sum())(gg.Tensor([[1.0, 2.0], [3.0, 4.0]]))
        Tensor([ 5., 25.])
    """

    @functools.wraps(fun)
    def batched(*args):
        leaves, treedef = tree_flatten(list(args))
        axes = _leaf_axes(in_axes, args)
        xs, size = _prepare(leaves, axes)
        trace = Trace()
        examples = [
            trace.input(x.data[0] if ax is not None else x.data)
            for x, ax in zip(xs, axes, strict=True)
        ]
        with trace:  # no naming of locals (Trace.run): only a printed program shows names
            out = fun(*tree_unflatten(treedef, examples))
        out_leaves, out_def = tree_flatten(out)
        out_vars = [trace.ref(o if isinstance(o, Tensor) else Tensor(o)) for o in out_leaves]
        del out, out_leaves, examples
        env = {}
        for v, origin in enumerate(trace.origin):
            if origin[0] == "in":
                env[v] = (xs[origin[1]], axes[origin[1]] is not None)
            elif origin[0] == "const":
                t = origin[1]()
                env[v] = (t if t is not None else Tensor._make(trace.arrays[v]), False)
        live = set(out_vars)
        needed = []
        for e in reversed(trace.eqns):  # only what the outputs need
            if e.out in live:
                needed.append(e)
                live.update(e.ins + _refs(e.params))
        for e in reversed(needed):
            env[e.out] = _batch_eqn(trace, e, env, size)
        oaxes = out_axes if isinstance(out_axes, (tuple, list)) else (out_axes,) * len(out_vars)
        if len(oaxes) != len(out_vars):
            raise ValueError(
                f"vmap: out_axes {out_axes!r} has {len(oaxes)} entries for {len(out_vars)} outputs"
            )
        results = [_out_axis(*env[v], ax, size) for v, ax in zip(out_vars, oaxes, strict=True)]
        return tree_unflatten(out_def, results)

    return batched
