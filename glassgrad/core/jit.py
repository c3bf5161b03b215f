"""``jit``: trace a function once per signature into a straight-line NumPy program, then replay it.

Tracing runs the function eagerly with every primitive call routed through a ``Trace``
(``core/trace.py``), which writes each call down as an equation ``out = fn(*ins, **params)``.
The equations are then optimised the way compilers do (constant folding, common
subexpressions shared, dead code dropped, buffers reused through NumPy's ``out=``,
intermediates deleted after their last use, runs of elementwise lines over a large array
fused into one loop over blocks of rows that stay in the cache) and printed as Python source,
which is compiled and run on every later call with the same signature. Each replayed line
calls the very NumPy function the eager primitive calls, on the same arrays (or on the same
rows of them, for a block), so results equal eager to the bit.

Tensors the function reaches without receiving them as arguments (a model's parameters, a
closure's tensors) are read by reference on every call, so an optimizer that replaces
``p.data`` between calls is seen; tensors made and dropped inside the function are constants.
``.grad`` values written by ``backward()`` inside the function are replayed as well.
"""

import builtins
import functools
import inspect
import keyword

import numpy as np

from glassgrad.core.errors import GradError
from glassgrad.core.tensor import STATE, Tensor
from glassgrad.core.trace import Trace, _Eqn, _key, _Ref, _refs, _remap
from glassgrad.core.tracing import TRACES
from glassgrad.core.transforms import tree_flatten, tree_unflatten

__all__ = ["jit"]


# ----- the compiled program ---------------------------------------------------------------------
def _plain_ufunc(e):
    """True for a line calling an elementwise ufunc without keywords (it makes a new array)."""
    fn = e.prim.fn
    return isinstance(fn, np.ufunc) and fn.signature is None and fn.nout == 1 and not e.params


# bytes of one operand's block when elementwise lines over a large array run block by block
_BLOCK_BYTES = 1 << 18

# primitives whose NumPy forward always returns a new array (every other one may return a view)
_FRESH = frozenset({"sum", "max", "min", "matmul", "cumsum", "concatenate", "where", "index_add"})


def _const_key(a):
    """A key equal for constants of equal value: small ones, and one value broadcast."""
    if a.size <= 64:
        return ("value", a.shape, a.dtype.str, a.tobytes())
    if not any(a.strides):
        return ("broadcast", a.shape, a.dtype.str, a.flat[0].tobytes())
    return None


def _constant_choice(e, ins, ps, arrays, frozen, made):
    """The input a line equals: a transpose undoing another, or where() on a constant mask."""
    inner = made.get(ins[0]) if e.prim.name == "transpose" else None
    if inner is not None and inner.prim.name == "transpose":  # the same view of the input
        axes = inner.params["axes"]
        return inner.ins[0] if [axes[a] for a in ps["axes"]] == sorted(axes) else None
    cond = ps.get("cond") if e.prim.name == "where" else None
    if isinstance(cond, _Ref) and cond.var in frozen:
        cond = arrays[cond.var]
    if not isinstance(cond, np.ndarray) or not cond.size or (cond.any() and not cond.all()):
        return None
    pick = ins[0] if cond.all() else ins[1]
    same = arrays[pick].shape == arrays[e.out].shape and arrays[pick].dtype == arrays[e.out].dtype
    return pick if same else None


def _elide_broadcasts(eqns, arrays, keep):
    """Drop ``broadcast_to`` lines read only by elementwise ufuncs (NumPy broadcasts there).

    One stays where its result is kept (an output), is read by another kind of line, or
    where reading its input instead would change a reader's shape (or, for a 0-d input,
    its dtype). Results are the same to the bit: the ufunc sees the same elements.
    """
    src = {e.out: e.ins[0] for e in eqns if e.prim.name == "broadcast_to" and e.out not in keep}
    src = {b: v for b, v in src.items() if arrays[v].ndim}
    for e in eqns:
        shapes = [arrays[src.get(v, v)].shape for v in e.ins]
        if not _plain_ufunc(e) or np.broadcast_shapes(*shapes) != arrays[e.out].shape:
            for v in e.ins + _refs(e.params):
                src.pop(v, None)
    kept = [e for e in eqns if e.out not in src]
    return [_Eqn(e.prim, [src.get(v, v) for v in e.ins], e.params, e.out, e.section) for e in kept]


def _hashable(value):
    if isinstance(value, _Ref):
        return ("ref", value.var)
    if isinstance(value, np.ndarray):
        return ("array", id(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_hashable(x) for x in value))
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in value.items()))
    try:
        hash(value)
        return value
    except TypeError:
        return ("object", id(value))


class _Program:
    """The optimised equations of one signature and the Python source that runs them."""

    def __init__(self, trace, out_vars, effects, fname, c_inputs=()):
        self.trace, self.fname, self.c_inputs = trace, fname, c_inputs
        arrays, origin = trace.arrays, trace.origin
        # a constant whose tensor is gone can never change: it is frozen (and foldable)
        alive = {v: o[1]() for v, o in enumerate(origin) if o[0] == "const"}
        frozen = {v for v, t in alive.items() if t is None}
        self.byref = [v for v, t in alive.items() if t is not None]
        alias, eqns, seen, same, made = {}, [], {}, {}, {}
        for v in sorted(frozen):  # equal small or uniform constants are one constant
            alias[v] = same.setdefault(_const_key(arrays[v]) or v, v)
        for e in trace.eqns:
            ins = [alias.get(v, v) for v in e.ins]
            ps = _remap(e.params, alias)
            refs = _refs(ps)
            if all(v in frozen for v in ins + refs):  # constant folding
                frozen.add(e.out)
                alias[e.out] = same.setdefault(_const_key(arrays[e.out]) or e.out, e.out)
                continue
            pick = _constant_choice(e, ins, ps, arrays, frozen, made)
            if pick is not None:  # the line equals one of its inputs
                alias[e.out] = pick
                continue
            key = (e.prim, tuple(ins), _hashable(ps))
            if key in seen:  # common subexpression
                alias[e.out] = seen[key]
                continue
            seen[key] = e.out
            made[e.out] = _Eqn(e.prim, ins, ps, e.out, e.section)
            eqns.append(made[e.out])
        self.outs = [alias.get(v, v) for v in out_vars]
        self.effects = [(t, alias.get(v, v)) for t, v in effects]
        live = set(self.outs) | {v for _, v in self.effects}
        kept = []
        for e in reversed(eqns):  # dead code elimination
            if e.out in live:
                kept.append(e)
                live.update(e.ins)
                live.update(_refs(e.params))
        keep = set(self.outs) | {v for _, v in self.effects}
        self.eqns = _elide_broadcasts(kept[::-1], arrays, keep)
        self.consts = sorted(v for v in live if v in frozen)
        self.inputs = [v for v, o in enumerate(origin) if o[0] == "in"]
        self.byref = [v for v in self.byref if v in live]
        self.guards = [(alive[v], arrays[v].shape, arrays[v].dtype) for v in self.byref]
        self._names()
        self.source = self._emit()
        namespace = {"np": np}
        namespace.update({self.name[v]: arrays[v] for v in self.consts})
        namespace.update(self.globals)
        exec(compile(self.source, f"<jit {fname}>", "exec"), namespace)  # noqa: S102
        self.fn = namespace[self.fname]

    def _names(self):
        self.taken = {"np", self.fname}
        self.name, self.globals = {}, {}
        counters = {"forward": "t", "backward": "g", "jvp": "j"}
        section = {e.out: e.section for e in self.eqns}
        kinds = {v: "x" for v in self.inputs} | {v: "c" for v in self.byref + self.consts}
        for v in self.inputs + self.byref + self.consts + [e.out for e in self.eqns]:
            base = self.trace.names.get(v)
            if base is None or not base.isidentifier() or keyword.iskeyword(base):
                base = f"{kinds.get(v) or counters[section[v]]}{len(self.name)}"
            self.name[v] = self._unique(base)
        self.loop = self._unique("i"), self._unique("s")  # a blocked loop's index and slice

    def _unique(self, base):
        name, k = base, 1
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name

    def _fn_expr(self, prim):
        """The name the source calls ``prim.fn`` by (a NumPy name when it is one)."""
        fn = getattr(prim, "fn", prim)
        if getattr(np, getattr(fn, "__name__", ""), None) is fn:
            return f"np.{fn.__name__}"
        name = getattr(prim, "name", getattr(fn, "__name__", "mask")).strip("_")
        name = name if name.isidentifier() else "mask"
        name += "_" if hasattr(builtins, name) else ""
        while name in self.taken and self.globals.get(name) is not fn:
            name += "_"
        self.taken.add(name)
        self.globals[name] = fn
        return name

    def _param_expr(self, value):
        if isinstance(value, _Ref):
            return self.name[value.var]
        if isinstance(value, tuple):
            inner = ", ".join(self._param_expr(x) for x in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if isinstance(value, list):
            return "[" + ", ".join(self._param_expr(x) for x in value) + "]"
        if value is None or value is Ellipsis or type(value) in (bool, int, float, str, slice):
            return repr(value)
        if isinstance(value, np.dtype):
            return f"np.dtype({str(value)!r})"
        if isinstance(value, type) and getattr(np, value.__name__, None) is value:
            return f"np.{value.__name__}"
        name = f"k{len(self.globals)}"  # anything else is bound by value, under a name
        self.globals[name] = value
        self.taken.add(name)
        return name

    def _emit(self):
        arrays, n = self.trace.arrays, self.name
        self.last = {v: i for i, e in enumerate(self.eqns) for v in e.ins + _refs(e.params)}
        self.keep = set(self.outs) | {v for _, v in self.effects} | set(self.consts)
        self.roots = {v: {v} for v in self.inputs + self.byref + self.consts}
        self.owned = set()  # fresh buffers of the program's own, free to be written over
        # arrays in C order (or one value broadcast) at every call: inputs in C order (part of
        # the signature), such constants, and what elementwise lines make of them
        self.corder = {v for v, c in zip(self.inputs, self.c_inputs, strict=False) if c}
        self.corder |= {v for v in self.consts if arrays[v].flags.c_contiguous}
        self.corder |= {v for v in self.consts if not any(arrays[v].strides)}
        body, section, i = [], None, 0
        while i < len(self.eqns):
            e = self.eqns[i]
            if e.section != section:
                section = e.section
                body.append(f"    # {section}")
            end = self._run(i)
            if end > i + 1:  # a run of elementwise lines over one large shape
                body += self._blocked(i, end)
                i, section = end, self.eqns[end - 1].section
                continue
            out = None
            scalar = arrays[e.out].ndim == 0  # NumPy returns a scalar there, not an array
            if _plain_ufunc(e) and not scalar:
                # write into an input that dies here (a fresh buffer of the program's own)
                out = next((v for v in e.ins if self._free(v, i, e.out, i)), None)
                full = {v for v in e.ins if arrays[v].shape == arrays[e.out].shape}
                self.corder |= {e.out} if full and full <= self.corder else set()
            if _plain_ufunc(e):
                self.owned.add(e.out)
                self.roots[e.out] = {e.out} if out is None else self.roots[out] | {e.out}
            elif e.prim.name in _FRESH:  # a new array (or NumPy scalar), never a view
                self.owned.update([] if scalar else [e.out])
                self.roots[e.out] = {e.out}
            else:  # a view may share memory with any input
                refs = e.ins + _refs(e.params)
                self.roots[e.out] = {e.out}.union(*(self.roots[v] for v in refs))
            body.append(f"    {n[e.out]} = {self._call(e, [n[v] for v in e.ins], out)}")
            ins = dict.fromkeys(e.ins + _refs(e.params))
            dead = [n[v] for v in ins if self.last.get(v) == i and v not in self.keep]
            body += [f"    del {', '.join(dead)}"] * bool(dead)
            i += 1
        outs = "".join(f"{n[v]}, " for v in self.outs).strip()
        effects = "".join(f"{n[v]}, " for _, v in self.effects).strip()
        body.append(f"    return ({outs}), ({effects})")
        params = ", ".join(n[v] for v in self.inputs + self.byref)
        head = [f"# {n[v]}: {_describe(arrays[v])}" for v in self.consts]
        head += [
            f"# {n[v]}: read from a tensor at each call ({arrays[v].dtype}, {arrays[v].shape})"
            for v in self.byref
        ]
        return "\n".join(head + [f"def {self.fname}({params}):"] + body) + "\n"

    def _call(self, e, args, out=None):
        """The call of line ``e`` on ``args`` (source text), writing into ``out`` if given."""
        if e.prim.name == "mask":  # a value-built constant: call its function directly
            return f"{self._fn_expr(e.params['fn'])}({', '.join(args)})"
        params = [f"{k}={self._param_expr(p)}" for k, p in e.params.items()]
        extra = [f"out={self.name.get(out, out)}"] if out is not None else []
        return f"{self._fn_expr(e.prim)}({', '.join(args + params + extra)})"

    def _free(self, v, i, like, since):
        """True when the result ``like`` of line ``i`` may be written into ``v``'s buffer.

        Nothing reads ``v`` after line ``i``, nor reads another view of its memory from line
        ``since`` on (the first line of a loop, whose later blocks read such views again).
        """
        a, last = self.trace.arrays, self.last
        if v not in self.owned or v in self.keep or last.get(v, -1) > i:
            return False
        shared = (w for w, r in self.roots.items() if v in r and w != v)  # views of v's memory
        same = (a[v].shape, a[v].dtype) == (a[like].shape, a[like].dtype)
        return same and not any(w in self.keep or last.get(w, -1) >= since for w in shared)

    def _run(self, i):
        """The end of the run of elementwise lines from ``i`` that can go block by block.

        They write one large shape; their operands are blocks of the same rows (arrays in C
        order) or broadcast along the rows.
        """
        a, e0, j = self.trace.arrays, self.eqns[i], i
        shape = a[e0.out].shape
        self.rows = max(_BLOCK_BYTES // max(a[e0.out][:1].nbytes, 1), 1) if shape else 0
        while shape and 2 * self.rows <= shape[0] and j < len(self.eqns):
            e, inside = self.eqns[j], {e.out for e in self.eqns[i:j]}
            rows = all(v in inside | self.corder or not self._rowwise(v, shape) for v in e.ins)
            if not (_plain_ufunc(e) and a[e.out].shape == shape and rows):
                break
            j += 1
        return j

    def _rowwise(self, v, shape):
        a = self.trace.arrays[v]
        return a.ndim == len(shape) and a.shape[0] == shape[0]

    def _blocked(self, lo, hi):
        """Lines ``lo:hi`` as one loop over blocks of rows (loop fusion and tiling).

        A block's temporaries stay in the cache; only what is read after the loop is written
        to a full array. Every element goes through the same NumPy calls as unblocked.
        """
        a, n, eqns, rows = self.trace.arrays, self.name, self.eqns[lo:hi], self.rows
        shape = a[eqns[0].out].shape
        inside, home = {e.out for e in eqns}, {}  # home: the full array a result is written to
        i, s = self.loop
        ext = dict.fromkeys(v for e in eqns for v in e.ins if v not in inside)
        dying = [v for v in ext if self.last[v] < hi and v not in self.keep]
        pre, post = [], []
        loop = [f"    for {i} in range(0, {shape[0]}, {rows}):  # blocks that stay in the cache"]
        loop.append(f"        {s} = slice({i}, {i} + {rows})")

        def ref(v):
            blocked = v in home or (v not in inside and self._rowwise(v, shape))
            return f"{n[home.get(v, v)]}[{s}]" if blocked else n[v]

        for k, e in enumerate(eqns, lo):
            if e.section != eqns[max(k - lo - 1, 0)].section:
                loop.append(f"        # {e.section}")
            args = [ref(v) for v in e.ins]
            if e.out not in self.keep and self.last.get(e.out, -1) < hi:  # a block temporary
                out = [v for v in e.ins if v in inside and v not in home and self.last[v] == k]
                out = next((v for v in out if a[v].dtype == a[e.out].dtype), None)
                loop.append(f"        {n[e.out]} = {self._call(e, args, out)}")
                continue
            free = [v for v in dying if v not in home.values() and self._free(v, k, e.out, lo)]
            home[e.out] = free[0] if free else e.out
            new = f"np.empty({shape}, np.{a[e.out].dtype.name})"
            (post if free else pre).append(f"    {n[e.out]} = {n[free[0]] if free else new}")
            self.owned.add(e.out)
            self.corder.add(e.out)
            self.roots[e.out] = self.roots.get(home[e.out], set()) | {e.out}
            loop.append(f"        {self._call(e, args, ref(e.out))}")
        dead = [n[v] for v in dying] + [n[e.out] for e in eqns if e.out not in home]
        return pre + loop + post + [f"    del {', '.join(dead)}"] * bool(dead)

    def __call__(self, arrays):
        refs = []
        for t, shape, dtype in self.guards:
            a = t.data
            if a.shape != shape or a.dtype != dtype:
                return None  # a tensor read by reference changed shape: trace again
            refs.append(a)
        outs, effects = self.fn(*arrays, *refs)
        for (t, _), g in zip(self.effects, effects, strict=True):
            t.grad = Tensor._make(g)
        return outs  # (NumPy gives scalars for 0-d results: Tensor._make makes them arrays)


def _describe(a):
    """A constant in a line: its value when small or uniform, else its dtype and shape."""
    if a.size <= 4:
        return f"{a.tolist()!r} ({a.dtype} constant)"
    if a.size and (a == a.flat[0]).all():
        return f"{a.flat[0].item()!r} everywhere ({a.dtype} constant of shape {a.shape})"
    return f"constant {a.dtype} array of shape {a.shape}"


# ----- jit ---------------------------------------------------------------------------------------
def _signature(arrays):
    return tuple((a.shape, a.dtype, a.flags.c_contiguous) for a in arrays)


def _leaf_array(x):
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (np.ndarray, np.generic, float, int, bool)):
        return np.asarray(x)
    raise TypeError(
        f"jit: arguments must be arrays, Tensors or numbers (or tuples, lists and dicts "
        f"of them); got {type(x).__name__}. Mark other arguments static (static_argnums)."
    )


def _effects(trace):
    """``(tensor, var)`` for each ``.grad`` that ``backward()`` wrote during the trace."""
    effects = []
    for v, origin in enumerate(trace.origin):
        t = origin[1]() if origin[0] == "const" else None
        if t is None:
            continue
        if t.data is not trace.arrays[v]:
            raise GradError(
                "jit: the function replaced the data of a tensor it reads (an optimizer step "
                "or an in-place update); call optimizer.step() outside the jitted function"
            )
        g, before = t.grad, trace.grad_before.get(v)
        if g is before or g is None:
            continue
        gv = trace.var_of.get(_key(g.data))
        if before is not None or gv is None:
            raise GradError(
                "jit: backward() inside a jitted function must start from empty gradients; "
                "call optimizer.zero_grad() (or model.zero_grad()) inside the function"
            )
        effects.append((t, gv))
    return effects


class _Jitted:
    def __init__(self, fun, static_argnums, static_argnames):
        self.fun = fun
        nums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
        names = (static_argnames,) if isinstance(static_argnames, str) else static_argnames
        self.static = frozenset(nums) | frozenset(names)
        self.cache, self.fast, self.last = {}, {}, None
        try:
            self.params = list(inspect.signature(fun).parameters)
        except (TypeError, ValueError):
            self.params = []
        functools.update_wrapper(self, fun)

    @property
    def source(self):
        """The generated Python/NumPy source of the most recent signature's program."""
        if self.last is None:
            raise GradError("jit: no program yet; call the function once first")
        return self.last.source if isinstance(self.last, _Program) else self.last

    def __call__(self, *args, **kwargs):
        if TRACES:  # inside another trace: inline, so the outer trace sees every primitive
            return self.fun(*args, **kwargs)
        fast = None  # positional arrays (or Tensors off the graph) only: no flattening
        plain = [a.data if type(a) is Tensor and not a.requires_grad else a for a in args]
        if not (kwargs or self.static) and all(type(a) is np.ndarray for a in plain):
            fast = (_signature(plain), STATE.enabled)
            program, out_def = self.fast.get(fast, (None, None))
            outs = program(plain) if program is not None else None
            if outs is not None:
                self.last = program
                return tree_unflatten(out_def, [Tensor._make(o) for o in outs])
        slots = [(i, a) for i, a in enumerate(args)] + sorted(kwargs.items())
        dyn = [(k, a) for k, a in slots if k not in self.static]
        static = tuple((k, a) for k, a in slots if k in self.static)
        leaves, treedef = tree_flatten([a for _, a in dyn])
        if STATE.enabled and any(isinstance(x, Tensor) and x.requires_grad for x in leaves):
            return self.fun(*args, **kwargs)  # differentiated from outside: stay on the graph
        arrays = [_leaf_array(x) for x in leaves]
        key = (static, str(treedef), _signature(arrays), STATE.enabled)
        try:
            entry = self.cache.get(key)
        except TypeError:
            raise TypeError("jit: static arguments must be hashable") from None
        if entry is not None:
            program, out_def = entry
            if program is None:
                self.last = _EAGER
                return self.fun(*args, **kwargs)
            self.last = program
            outs = program(arrays)
            if outs is not None:
                self.fast.update({fast: entry} if fast else {})
                return tree_unflatten(out_def, [Tensor._make(o) for o in outs])
        return self._trace(key, args, kwargs, dyn, treedef, arrays)

    def _trace(self, key, args, kwargs, dyn, treedef, arrays):
        trace = Trace()
        tracers = [trace.input(a) for a in arrays]
        names = []
        for k, a in dyn:
            name = self.params[k] if isinstance(k, int) and k < len(self.params) else str(k)
            flat, tdef = tree_flatten(a)
            names += [name] if tdef == "*" else [f"{name}_{i}" for i in range(len(flat))]
        trace.names.update(enumerate(names))
        args, kwargs = list(args), dict(kwargs)
        for (k, _), x in zip(dyn, tree_unflatten(treedef, tracers), strict=True):
            if isinstance(k, int):
                args[k] = x
            else:
                kwargs[k] = x
        out = trace.run(self.fun, args, kwargs)
        leaves, out_def = tree_flatten(out)
        if any(isinstance(o, Tensor) and o.requires_grad for o in leaves):
            self.cache[key], self.last = (None, out_def), _EAGER  # outputs carry a graph
            return out
        out_vars = [trace.ref(o if isinstance(o, Tensor) else Tensor(o)) for o in leaves]
        effects = _effects(trace)
        del out, leaves, tracers, args, kwargs  # drop the traced graph: temporaries die
        name = getattr(self.fun, "__name__", "f")
        name = name if name.isidentifier() else "f"
        program = _Program(trace, out_vars, effects, name, [k[2] for k in key[2]])
        self.cache[key], self.last = (program, out_def), program
        return tree_unflatten(out_def, [Tensor._make(o) for o in program(arrays)])


_EAGER = "# runs eagerly: the outputs carry a graph (they require grad)\n"


def jit(fun=None, *, static_argnums=(), static_argnames=()):
    """Compile ``fun`` into a NumPy program, traced once per signature (JAX ``jit``).

    The signature is the shapes and dtypes of the array arguments, the values of the static
    arguments and whether grad is enabled; a new one traces again. ``jit(f).source`` is the
    generated Python/NumPy code of the latest signature: forward and backward, one line per
    operation, with the user's variable names. Results equal eager ones to the bit.

    Python control flow on traced values raises ``ConcretizationError``; use ``where`` or a
    static argument. Tensors read from the enclosing scope (parameters) are read at each call;
    ``backward()`` inside the function writes ``.grad`` as in eager mode. A function whose
    outputs carry a graph (they require grad) runs eagerly, so it stays differentiable.

    Example:
        >>> import glassgrad as gg
        >>> f = jit(gg.grad(lambda x: (x ** 3).sum()))     # 3x²
        >>> f(np.array([1.0, 2.0]))
        Tensor([ 3., 12.])
        >>> print(f.source.splitlines()[-3])   # the backward pass, as NumPy
            g4 = np.multiply(c1, g3, out=g3)
    """
    if fun is None:
        return functools.partial(
            jit, static_argnums=static_argnums, static_argnames=static_argnames
        )
    return _Jitted(fun, static_argnums, static_argnames)
