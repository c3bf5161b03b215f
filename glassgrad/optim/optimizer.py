"""The ``Optimizer`` base: parameter groups, lazy per-parameter state, state dicts.

Subclasses implement ``_update(p, grad, state, group)``: one pure update on NumPy arrays that
returns the new parameter array. The base runs it under ``no_grad`` and replaces ``p.data``
(never writing into an array a caller may hold).

Or they write the update once as NumPy source lines (``_lines``, with ``_prepare`` for the
state and the step's scalars): ``step()`` runs them as a function into a fresh array, and a
compiled training step pastes them into one generated function that updates every parameter
in place (``compiled_update``), so both run the same operations in the same order.
"""

import ast
import copy

import numpy as np

from glassgrad.core.autodiff import enable_grad
from glassgrad.core.tensor import Tensor

__all__ = ["Optimizer", "check_hyper"]


def check_hyper(where, name, value, low=0.0, high=None, high_open=True):
    """Raise ValueError naming ``name`` unless ``low <= value`` (and ``< high`` if given)."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        bound = f"in [{low}, {high}{')' if high_open else ']'}" if high is not None else f">= {low}"
        raise ValueError(f"{where}: {name} must be a number {bound}; got {value!r}")


def _check_param(p, where):
    if not isinstance(p, Tensor):
        raise TypeError(f"{where}: parameters must be Tensors; got {type(p).__name__}")
    if not p.is_leaf:
        raise ValueError(
            f"{where}: can only optimize leaf tensors; got a tensor of shape {p.shape} made by "
            f"{p.op.name} (detach() it or optimize the tensors it came from)"
        )
    if p.dtype.kind != "f":
        raise TypeError(f"{where}: parameters must be floating point; got dtype {p.dtype}")


class Optimizer:
    """Base class: holds ``param_groups`` (dicts with "params" and hyper-parameters) and ``state``.

    Subclasses name in ``_nonnegative`` the hyper-parameters that must be numbers >= 0 (lr
    always is); ``_validate`` checks them for every group.

    Args:
        params: an iterable of Tensors, or of dicts ``{"params": [...], **overrides}``.
        defaults: default hyper-parameters for every group.

    Example:
        >>> from glassgrad.optim import SGD
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        Tensor([0., 0.], requires_grad=True)
    """

    _nonnegative = ()

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}  # param -> dict, created on its first update (Tensors hash by identity)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or dicts; got a "
                "single Tensor (wrap it in a list)"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, param_group):
        """Append a group ``{"params": [...], **hyper}``; missing hyper-parameters use defaults."""
        where = type(self).__name__
        if not isinstance(param_group, dict) or "params" not in param_group:
            raise TypeError(f"{where}: a param group must be a dict with a 'params' key")
        params = param_group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            _check_param(p, where)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params) or len({id(p) for p in params}) != len(params):
            raise ValueError(f"{where}: a parameter appears in more than one group")
        group = {**self.defaults, **param_group, "params": params}
        self._validate(group)
        self.param_groups.append(group)

    def _validate(self, group):
        """Check a group's hyper-parameters (subclasses extend)."""
        for name in ("lr", *self._nonnegative):
            check_hyper(type(self).__name__, name, group[name])

    @staticmethod
    def _direction(p, g, maximize, weight_decay):
        """The gradient to descend: g ← -g if maximize, then g ← g + λθ (L2 weight decay λ)."""
        if maximize:
            g = -g
        return g + weight_decay * p if weight_decay != 0 else g

    @staticmethod
    def _direction_lines(maximize, weight_decay):
        """``_direction`` as kernel lines (never writing into ``g``, the caller's gradient)."""
        lines = ["g = np.negative(g)"] if maximize else []
        return lines + (["g = np.add(g, np.multiply(weight_decay, p))"] if weight_decay else [])

    # A kernel: ``_prepare(p, state, group)`` makes the state on the first step, counts the
    # step and returns ``(key, scalars)``; ``_lines(key)`` returns ``(buffers, lines)``: NumPy
    # statements over ``p``, ``g``, a scratch array ``w``, the state arrays ``buffers`` (pairs
    # of a name and a state key) and the ``_scalars`` names, writing the new θ into ``new``.
    _lines = None
    _scalars = ()

    def _kernel(self, key):
        """``(buffers, lines, function)`` of ``_lines(key)``, compiled once per class and key."""
        entry = _KERNELS.get((type(self), key))
        if entry is None:
            buffers, lines = self._lines(key)
            names = ("p", "g", "w", "new", *(b for b, _ in buffers), *self._scalars)
            src = f"def update({', '.join(names)}):\n" + "".join(f"    {x}\n" for x in lines)
            update = _define(src, "update", f"<{type(self).__name__} update>")
            entry = _KERNELS[type(self), key] = (buffers, lines, update)
        return entry

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's ``.grad`` to None (or to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor._make(np.zeros_like(p.data))

    def step(self, closure=None):
        """Update every parameter that has a gradient; return ``closure()``'s loss if given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state.setdefault(p, {})
                g = np.asarray(p.grad.data, dtype=p.dtype)
                if self._lines is None:
                    new = self._update(p.data, g, state, group)
                else:  # the kernel writes the new θ into a fresh array (scratch until then)
                    key, scalars = self._prepare(p.data, state, group)
                    buffers, _, update = self._kernel(key)
                    new = np.empty_like(p.data)
                    update(p.data, g, new, new, *(state[k] for _, k in buffers), *scalars)
                p.data = np.asarray(new, dtype=p.dtype)  # an array even for a 0-d parameter
        return loss

    def compiled_update(self):
        """``update()``: this optimizer's step as one generated NumPy function, in place.

        The kernel lines of every parameter with a gradient are pasted into one function
        (``update.source``) that writes θ and the state arrays with ``out=``; it equals
        ``step()`` to the bit. The parameters' arrays are copied once first, so no array a
        caller holds is written. Optimizers without kernel lines run ``step()``.

        Example:
            >>> from glassgrad.optim import SGD
            >>> w = Tensor([1.0, 2.0], requires_grad=True)
            >>> update = SGD([w], lr=0.5).compiled_update()
            >>> (w * w).sum().backward()
            >>> update()
            >>> w
            Tensor([0., 0.], requires_grad=True)
            >>> print(update.source.splitlines()[-1])
                np.subtract(p0, np.multiply(lr, g0), out=p0)
        """
        return _CompiledUpdate(self)

    def _update(self, p, g, state, group):
        raise NotImplementedError

    def _params(self):
        return [p for group in self.param_groups for p in group["params"]]

    def state_dict(self):
        """Return ``{"state": {index: {...}}, "param_groups": [...]}`` (PyTorch's layout)."""
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {index[id(k)]: copy.deepcopy(v) for k, v in self.state.items() if id(k) in index}
        groups, start = [], 0
        for g in self.param_groups:
            n = len(g["params"])
            groups.append(
                {
                    **copy.deepcopy({k: v for k, v in g.items() if k != "params"}),
                    "params": list(range(start, start + n)),
                }
            )
            start += n
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and per-parameter state saved by ``state_dict``.

        A state dict whose groups lack this optimizer's hyper-parameters (one saved by another
        optimizer class, say Adam into SGD) is refused rather than half applied.
        """
        where = f"{type(self).__name__}.load_state_dict"
        groups = state_dict.get("param_groups") if isinstance(state_dict, dict) else None
        if groups is None or "state" not in state_dict:
            raise ValueError(f"{where}: expected a dict with 'state' and 'param_groups'")
        sizes = [len(g["params"]) for g in self.param_groups]
        if [len(g["params"]) for g in groups] != sizes:
            raise ValueError(f"{where}: the saved parameter groups do not match this optimizer's")
        for g in groups:
            missing = sorted(set(self.defaults) - set(g))
            if missing:
                raise ValueError(
                    f"{where}: the state dict is of another optimizer; its parameter groups are "
                    f"missing {type(self).__name__}'s hyper-parameters {missing}"
                )
        params = self._params()
        for i, s in state_dict["state"].items():
            p = params[int(i)]
            for k, v in s.items():
                if isinstance(v, np.ndarray) and v.shape != p.shape:
                    raise ValueError(
                        f"{where}: state {k!r} of parameter {i} has shape {v.shape}; "
                        f"the parameter has shape {p.shape}"
                    )
        self.state = {params[int(i)]: copy.deepcopy(s) for i, s in state_dict["state"].items()}
        for saved, group in zip(groups, self.param_groups, strict=False):
            group.update({k: copy.deepcopy(v) for k, v in saved.items() if k != "params"})

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines + [")"])


_KERNELS = {}  # (optimizer class, key) -> (buffers, lines, function)


def _define(source, name, label):
    """The function ``name`` that the generated ``source`` defines (NumPy as ``np``)."""
    namespace = {"np": np}
    exec(compile(source, label, "exec"), namespace)  # noqa: S102
    return namespace[name]


def _rename(line, names):
    tree = ast.parse(line)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names:
            node.id = names[node.id]
    return ast.unparse(tree)


class _CompiledUpdate:
    def __init__(self, optimizer):
        self.opt, self.cache, self.owned, self.source = optimizer, {}, {}, None

    def __call__(self):
        opt, args, keys = self.opt, [], []
        if opt._lines is None:
            return opt.step()
        for group in opt.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                a = p.data
                if self.owned.get(p) is not a:  # written in place below: our own copy
                    a = p.data = self.owned[p] = np.array(a, copy=True)
                state = opt.state.setdefault(p, {})
                key, scalars = opt._prepare(a, state, group)
                buffers = opt._kernel(key)[0]
                g = np.asarray(p.grad.data, dtype=p.dtype)
                args += [a, g, *(state[k] for _, k in buffers), scalars]
                keys.append((key, a.dtype, a.shape))
        keys = tuple(keys)
        fn = self.cache.get(keys)
        if fn is None:
            fn = self.cache[keys] = self._build(keys)
        fn[0](*args)
        self.source = fn[1]

    def _build(self, keys):
        opt, params, body = self.opt, [], []
        name = type(opt).__name__.lower()
        for i, (key, dtype, shape) in enumerate(keys):
            buffers, lines, _ = opt._kernel(key)
            names = {"p": f"p{i}", "new": f"p{i}", "g": f"g{i}"}
            names.update((b, f"{b}{i}") for b, _ in buffers)
            params += [f"p{i}", f"g{i}", *(names[b] for b, _ in buffers), f"s{i}"]
            body += [f"    # p{i}: {dtype} {shape}", f"    {', '.join(opt._scalars)} = s{i}"]
            body += [f"    w = np.empty_like(p{i})"] + [f"    {_rename(x, names)}" for x in lines]
        src = f"def {name}_step({', '.join(params)}):\n" + "\n".join(body) + "\n"
        return _define(src, f"{name}_step", f"<{name} step>"), src
